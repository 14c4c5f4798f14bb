/**
 * FerretDB's CPU per read and rewrite of a busy product's scoring state (what
 * each review does to its product's state: a find, then a replaceOne in a
 * bulkWrite), by how the state is stored: the default scorer's and the bench's
 * legacy server's (bench/legacy-states.ts), each deflated as packState stores
 * it and as plain BSON as it was stored before. Its own embedded FerretDB
 * (data in a temporary folder), the states of `products` busy products
 * (bench/busy-states.ts), alternating, the order reversed each round:
 * `npx tsx packages/api/bench/state-db-cpu.ts [ops per run] [rounds] [products]` (default 400, 4, 1,000).
 * Prints FerretDB's CPU µs per read+rewrite, each round. Not a test: nothing asserts a time.
 */
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { loadavg, tmpdir } from "node:os";
import path from "node:path";
import { DEFAULT_SCORING_OPTIONS, LEGACY_SCORING_OPTIONS } from "@starling/scoring";
import { BSON, MongoClient } from "mongodb";
import { REPO_ROOT } from "../src/config.js";
import { startEmbeddedFerretDB } from "../src/db/embedded-ferretdb.js";
import { packState } from "../src/features/scoring/scoring.js";
import { busyStates } from "./busy-states.js";
import { legacyState } from "./legacy-states.js";

const OPS = Number(process.argv[2] ?? 400);
const ROUNDS = Number(process.argv[3] ?? 4);
const PRODUCTS = Number(process.argv[4] ?? 1000);
const TICK_US = 1e6 / Number(execFileSync("getconf", ["CLK_TCK"], { encoding: "utf8" }).trim());
const cpuTicks = (pid: number) => {
  const f = readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1]!.split(" ");
  return Number(f[11]) + Number(f[12]);
};

const dataDir = mkdtempSync(path.join(tmpdir(), "state-db-cpu-"));
const db = await startEmbeddedFerretDB({ binDir: path.join(REPO_ROOT, ".data/bin"), dataDir });
const client = await new MongoClient(db.uri).connect();
try {
  const products = Array.from({ length: PRODUCTS }, (_, i) => `p-${i}`);
  const byDefault = busyStates(products, DEFAULT_SCORING_OPTIONS);
  const byLegacy = busyStates(products, LEGACY_SCORING_OPTIONS);
  const plain = (state: unknown) => new BSON.Binary(BSON.serialize(state as BSON.Document));
  const variants = [
    ["default, deflated", (p: string) => packState(byDefault.products.get(p))],
    ["default, plain", (p: string) => plain(byDefault.products.get(p))],
    ["legacy, deflated", (p: string) => packState(legacyState(`product:${p}`, byLegacy.products.get(p), LEGACY_SCORING_OPTIONS))],
    ["legacy, plain", (p: string) => plain(legacyState(`product:${p}`, byLegacy.products.get(p), LEGACY_SCORING_OPTIONS))],
  ] as const;
  const cpu = new Map<string, number[]>(variants.map(([name]) => [name, []]));
  for (const [name, pack] of variants) {
    const c = client.db("state_db_cpu").collection<{ _id: string; state: BSON.Binary }>(name);
    const docs = products.map((p) => ({ _id: `product:${p}`, state: pack(p) }));
    const sizes = docs.map((d) => d.state.length()).sort((a, b) => a - b);
    console.log(`${name}: ${(sizes[sizes.length >> 1]! / 1000).toFixed(1)} kB a state (median)`);
    await c.insertMany(docs);
  }
  const loadBefore = loadavg()[0]!.toFixed(2);
  for (let round = 0; round < ROUNDS; round++) {
    for (const [name] of round % 2 ? [...variants].reverse() : variants) {
      const c = client.db("state_db_cpu").collection<{ _id: string; state: BSON.Binary }>(name);
      const before = cpuTicks(db.pid);
      for (let n = 0; n < OPS; n++) {
        const id = `product:p-${(n * 7) % PRODUCTS}`;
        const doc = await c.findOne({ _id: id });
        await c.bulkWrite([{ replaceOne: { filter: { _id: id }, replacement: { state: doc!.state }, upsert: true } }], { ordered: false });
      }
      cpu.get(name)!.push(((cpuTicks(db.pid) - before) * TICK_US) / OPS);
    }
  }
  for (const [name, us] of cpu)
    console.log(`${name.padEnd(17)} FerretDB CPU µs per read+rewrite: ${us.map((x) => x.toFixed(0)).join(" ")}`);
  console.log(`load ${loadBefore} → ${loadavg()[0]!.toFixed(2)}`);
} finally {
  await client.close();
  await db.stop();
  rmSync(dataDir, { recursive: true, force: true });
}
