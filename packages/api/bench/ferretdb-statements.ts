/**
 * What one write statement costs the embedded FerretDB, in CPU: the floor
 * under Starling's review submissions on it (issue 6 asks for 1 000 reviews/s,
 * and a scored review updates three documents).
 *
 * `sh scripts/pnpm.sh -s --filter @starling/api bench:ferretdb` starts a
 * FerretDB of its own on a throwaway folder, pins it and this process to
 * core 0 as the main benchmark does, and runs each kind of statement
 * 2 000 times on 2 000 documents of about 1 KB (a scoring state's size): alone,
 * with 32 in flight, and in bulk commands of 20 (as the batched write path
 * sends them). It prints the CPU each process spent per statement, read from
 * /proc.
 */
import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { MongoClient, type Collection, type Document } from "mongodb";
import { REPO_ROOT } from "../src/config.js";
import { startEmbeddedFerretDB } from "../src/db/embedded-ferretdb.js";

const N = 2_000;
const BULK = 20;
const TICK_US = 1_000_000 / Number(execFileSync("getconf", ["CLK_TCK"], { encoding: "utf8" }).trim());

function cpuUs(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1]!.split(" ");
  return (Number(fields[11]) + Number(fields[12])) * TICK_US;
}

function pin(pid: number): void {
  try {
    execFileSync("taskset", ["-cp", "0", String(pid)], { stdio: "ignore" });
  } catch {
    console.error(`(could not pin ${pid}: no taskset?)`);
  }
}

/** About 1 KB, shaped like a product's scoring state. */
function state(i: number): Document {
  return {
    counts: { count: i, histogram: [i, 0, 0, 0, 0], weightedHistogramBp: [i * 10_000, 0, 0, 0, 0] },
    recent: Array.from({ length: 6 }, (_, k) => ({
      reviewId: `rev_${i}_${k}_xxxxxxxxxxxxxxxx`,
      timeMs: 1_795_772_152_375 + k,
      stars: 1 + (k % 5),
      weightBp: 5_250,
    })),
  };
}

async function main() {
  const dataDir = await mkdtemp(path.join(os.tmpdir(), "starling-ferretdb-statements-"));
  const db = await startEmbeddedFerretDB({ binDir: path.join(REPO_ROOT, ".data", "bin"), dataDir });
  pin(db.pid);
  pin(process.pid);
  const client = await new MongoClient(db.uri).connect();
  try {
    const c: Collection<Document> = client.db("statements").collection("docs");
    await c.insertMany(Array.from({ length: N }, (_, i) => ({ _id: `d${i}` as never, state: state(i), n: 0 })));
    console.log(`FerretDB (synchronous=full), ${N} documents of ~1 KB; CPU per statement, one pass each:`);
    console.log("| statement | how sent | statements/s | API µs | FerretDB µs |");
    console.log("|---|---|--:|--:|--:|");
    const measure = async (
      label: string,
      how: string,
      calls: number,
      perCall: number,
      op: (i: number) => Promise<unknown>,
      inFlight: number,
    ) => {
      const api0 = cpuUs(process.pid);
      const db0 = cpuUs(db.pid);
      const t0 = performance.now();
      let next = 0;
      await Promise.all(
        Array.from({ length: inFlight }, async () => {
          while (next < calls) await op(next++ * perCall);
        }),
      );
      const seconds = (performance.now() - t0) / 1000;
      const statements = calls * perCall;
      console.log(
        `| ${label} | ${how} | ${(statements / seconds).toFixed(0)} | ${((cpuUs(process.pid) - api0) / statements).toFixed(0)} | ${((cpuUs(db.pid) - db0) / statements).toFixed(0)} |`,
      );
    };
    await measure("find by _id", "one at a time", N, 1, (i) => c.findOne({ _id: `d${i}` as never }), 1);
    await measure("find by _id", "32 in flight", N, 1, (i) => c.findOne({ _id: `d${i}` as never }), 32);
    await measure("insert", "32 in flight", N, 1, (i) => c.insertOne({ _id: `i${i}` as never, state: state(i) }), 32);
    await measure(
      "insert",
      `insertMany of ${BULK}`,
      N / BULK,
      BULK,
      (i) => c.insertMany(Array.from({ length: BULK }, (_, k) => ({ _id: `m${i + k}` as never, state: state(i + k) }))),
      1,
    );
    await measure(
      "replace by _id",
      "32 in flight",
      N,
      1,
      (i) => c.replaceOne({ _id: `d${i}` as never }, { state: state(i + 1), n: 1 }),
      32,
    );
    await measure(
      "replace by _id",
      `bulkWrite of ${BULK}`,
      N / BULK,
      BULK,
      (i) =>
        c.bulkWrite(
          Array.from({ length: BULK }, (_, k) => ({
            replaceOne: { filter: { _id: `d${i + k}` as never }, replacement: { state: state(i + k + 2), n: 2 } },
          })),
          { ordered: false },
        ),
      1,
    );
    await measure("$inc by _id", "32 in flight", N, 1, (i) => c.updateOne({ _id: `d${i}` as never }, { $inc: { n: 1 } }), 32);
    await measure(
      "$inc by _id",
      `bulkWrite of ${BULK}`,
      N / BULK,
      BULK,
      (i) =>
        c.bulkWrite(
          Array.from({ length: BULK }, (_, k) => ({ updateOne: { filter: { _id: `d${i + k}` as never }, update: { $inc: { n: 1 } } } })),
          { ordered: false },
        ),
      1,
    );
  } finally {
    await client.close();
    await db.stop();
    await rm(dataDir, { recursive: true, force: true });
  }
}

await main();
