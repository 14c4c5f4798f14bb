/**
 * `bench:export`: `starling export` of a large shop against a real API
 * process on the embedded FerretDB, with the highest RSS of the CLI and of the
 * API (the issue's requirement: under 200 MB for 1 000 000 reviews).
 *
 * BENCH_EXPORT_REVIEWS reviews (default 1 000 000) over BENCH_EXPORT_PRODUCTS
 * products (default 5 000) are written straight into the database in bulk:
 * synthetic reviews of the stored shape (texts of amazon-fashion's length,
 * their text signatures, a score, page keys), not through the API, which
 * would take about half an hour for a million. The reviews go in before the
 * collection's secondary indexes exist and the indexes are built afterwards
 * (ensureIndexes, as the API's start does): one sort per index instead of a
 * million random inserts into each. The database is kept in
 * .data/bench-export (or BENCH_EXPORT_DIR) between runs, so a second run only
 * exports; rm -r it (or change the counts) to seed again. The export goes to
 * export.jsonl there, or to BENCH_EXPORT_OUT (to compare two runs' files, or
 * to leave a shared seeded database as it is).
 *
 * Then the API (`starling serve` as `start` runs it: built first, then
 * dist/cli.js without a TypeScript loader) and the CLI (`starling export --out
 * FILE`, from source as `pnpm cli` runs it) each run under `/usr/bin/time -f
 * "%e %M"` (wall seconds, highest RSS in KiB over the process's life, its
 * start-up included); the API's RSS is also sampled every 50 ms during the
 * export, to show what the export itself adds. RSS is printed in MB of
 * 1 000 000 bytes (the issue's unit), with /usr/bin/time's KiB beside it.
 * Prints reviews/s and checks that the file holds every review once.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { createReadStream, existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { once } from "node:events";
import path from "node:path";
import { createInterface } from "node:readline";
import { textSignature } from "@starling/scoring";
import { REPO_ROOT } from "../src/config.js";
import { connect, ensureIndexes } from "../src/db/connection.js";
import { bindModels } from "../src/features/models.js";
import type { ProductDoc } from "../src/features/products/model.js";
import type { ReviewDoc } from "../src/features/reviews/model.js";
import { createDeps } from "../src/create-deps.js";
import { createShop } from "../src/features/shops/shops.js";
import { withPageKeys } from "../src/features/reviews/review-pages.js";
import { importedReviewId } from "../src/features/imports/imports.js";
import { productKey } from "../src/features/products/products.js";
import { packSignature } from "../src/features/scoring/scoring.js";
import { buildService, nodeArgs, startBenchDb } from "./start.js";

const API_DIR = path.join(REPO_ROOT, "packages/api");
const DATA_DIR = process.env.BENCH_EXPORT_DIR ?? path.join(REPO_ROOT, ".data/bench-export");
const REVIEWS = Number(process.env.BENCH_EXPORT_REVIEWS ?? 1_000_000);
const PRODUCTS = Number(process.env.BENCH_EXPORT_PRODUCTS ?? 5_000);
const SEED = path.join(DATA_DIR, "seed.json");
const TIME = "/usr/bin/time";

interface Seed {
  reviews: number;
  products: number;
  shopId: string;
  secretKey: string;
}

const WORDS =
  "fits great comfortable size small large true color fabric soft quality cheap price worth love perfect nice dress shirt shoes wear daughter husband gift washed shrink runs returned ordered material stretchy thin thick warm summer winter cute style looks picture exactly expected disappointed recommend would again buy bought seller shipping fast arrived broke stitching zipper pocket length waist tight loose".split(
    " ",
  );

/** Deterministic pseudo-random numbers (the same database on every seed). */
function random(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s ^ (s >>> 15), 0x2c1b3c6d) + 0x6d2b79f5) >>> 0;
    return s / 2 ** 32;
  };
}

/** Review `i` as stored: amazon-fashion's sizes (a 3-6 word title, a body of 10-110 words, about 400 bytes). */
function reviewDoc(shopId: string, i: number, next: () => number): ReviewDoc {
  const words = (n: number) => Array.from({ length: n }, () => WORDS[Math.floor(next() * WORDS.length)]).join(" ");
  const title = words(3 + Math.floor(next() * 4));
  const body = `${words(10 + Math.floor(next() * 100))}.`;
  const rating = (1 + Math.floor(next() * 5)) as ReviewDoc["rating"];
  const signature = textSignature(`${title}\n${body}`);
  const sourceId = `bulk-${i}`;
  return withPageKeys({
    _id: importedReviewId(shopId, sourceId),
    shopId,
    productId: `p${i % PRODUCTS}`,
    rating,
    title,
    body,
    reviewer: { name: `Reviewer ${i % 50_000}`, externalId: `c${i % 50_000}` },
    language: "en",
    provenance: "IMPORTED",
    source: "api",
    createdAt: new Date(Date.UTC(2015, 0, 1) + i * 97_000),
    payloadHash: "bench",
    score: { suspicion: 0.04, trustWeightBp: 10_000, topReason: null, reasons: [], by: "batch" },
    signature: signature ? packSignature(signature) : null,
    verification: null,
    status: "published",
    reply: i % 10 === 0 ? { body: "Thank you for your review!", at: new Date(Date.UTC(2015, 0, 2) + i * 97_000) } : null,
    summaryApplied: true,
    sourceId,
    verified: i % 3 === 0,
  });
}

async function seed(uri: string): Promise<Seed> {
  if (existsSync(SEED)) {
    const s = JSON.parse(readFileSync(SEED, "utf8")) as Seed;
    if (s.reviews === REVIEWS && s.products === PRODUCTS) {
      console.log(`# ${REVIEWS} reviews over ${PRODUCTS} products already in ${DATA_DIR} (rm -r it to seed again)`);
      return s;
    }
    throw new Error(`${DATA_DIR} holds ${s.reviews} reviews over ${s.products} products: rm -r it to seed ${REVIEWS} over ${PRODUCTS}`);
  }
  const conn = await connect(uri, "bench", 10_000);
  try {
    const models = bindModels(conn);
    const deps = createDeps(models, 5);
    const shop = await createShop(deps, { name: "Export bench" });
    const shopId = shop.shop.id;
    const products: ProductDoc[] = Array.from({ length: PRODUCTS }, (_, i) => ({
      _id: productKey(shopId, `p${i}`),
      shopId,
      productId: `p${i}`,
      name: `Product ${i}`,
      createdAt: new Date(Date.UTC(2015, 0, 1)),
    }));
    await models.Product.collection.insertMany(products as never[], { ordered: false });
    const next = random(15);
    const started = Date.now();
    let shown = started;
    for (let i = 0; i < REVIEWS; i += 1000) {
      const docs: ReviewDoc[] = [];
      for (let j = i; j < Math.min(REVIEWS, i + 1000); j++) docs.push(reviewDoc(shopId, j, next));
      await models.Review.collection.insertMany(docs as never[], { ordered: false });
      if (Date.now() - shown > 30_000) {
        shown = Date.now();
        console.log(`  seeded ${i + docs.length} reviews in ${((shown - started) / 1000).toFixed(0)} s`);
      }
    }
    const seeded = (Date.now() - started) / 1000;
    const t = Date.now();
    await ensureIndexes(models);
    console.log(
      `# seeded ${REVIEWS} reviews over ${PRODUCTS} products in ${seeded.toFixed(0)} s (${Math.round(REVIEWS / seeded)}/s), indexes built in ${((Date.now() - t) / 1000).toFixed(0)} s`,
    );
    const s: Seed = { reviews: REVIEWS, products: PRODUCTS, shopId, secretKey: shop.secretKey };
    writeFileSync(SEED, JSON.stringify(s));
    return s;
  } finally {
    await conn.close();
  }
}

/** CPU seconds (user + system) a process has used so far, from /proc. */
function cpuSeconds(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1]!.split(" ");
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

/** KiB (as /proc and /usr/bin/time count) in MB of 1 000 000 bytes. */
const mb = (kib: number) => (kib * 1024) / 1e6;

function rssMb(pid: number): number {
  try {
    const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, "utf8"));
    return m ? mb(Number(m[1])) : 0;
  } catch {
    return 0; // exited
  }
}

/** `node <args>` (through tsx for a .ts file) under /usr/bin/time; `timed` resolves with its wall seconds and highest RSS once it exits. */
function timedNode(args: string[], env: Record<string, string>, stdout: "pipe" | "inherit") {
  const child = spawn(TIME, ["-f", "TIME %e %M", process.execPath, ...nodeArgs(args)], {
    cwd: API_DIR,
    env: { ...process.env, ...env },
    stdio: ["ignore", stdout, "pipe"],
  });
  let stderr = "";
  child.stderr!.on("data", (d: Buffer) => {
    stderr += d.toString();
    process.stderr.write(d);
  });
  const timed = once(child, "exit").then(([code]) => {
    const m = /TIME ([\d.]+) (\d+)/.exec(stderr);
    return { code: code as number | null, seconds: m ? Number(m[1]) : NaN, maxRssKib: m ? Number(m[2]) : NaN, stderr };
  });
  return { child, timed };
}

/** The node process /usr/bin/time started (its only child). */
function childOf(time: ChildProcess): number {
  const pid = Number(readFileSync(`/proc/${time.pid}/task/${time.pid}/children`, "utf8").trim().split(/\s+/)[0]);
  if (!pid) throw new Error("no child of /usr/bin/time");
  return pid;
}

async function main() {
  if (!existsSync(TIME)) throw new Error(`${TIME} is needed (apt-get install time)`);
  mkdirSync(DATA_DIR, { recursive: true });
  const db = await startBenchDb(path.join(DATA_DIR, "ferretdb"), { pinned: false });
  const s = await seed(db.uri);
  const building = Date.now();
  const service = buildService();
  console.log(`# built the service in ${((Date.now() - building) / 1000).toFixed(1)} s`);
  const api = timedNode(
    [service, "serve"],
    {
      MONGODB_URI: db.uri,
      STARLING_DB_NAME: "bench",
      NODE_ENV: "production",
      LOG_LEVEL: "warn",
      PORT: "0",
      STARLING_RATE_REQUESTS_PER_MINUTE_PER_IP: "10000000",
    },
    "pipe",
  );
  try {
    const url = await new Promise<string>((resolve, reject) => {
      api.child.once("exit", (code) => reject(new Error(`the API exited with ${code}`)));
      createInterface({ input: api.child.stdout! }).on("line", (line) => {
        const m = /^listening (\S+)/.exec(line);
        if (m) resolve(m[1]!);
      });
    });
    const apiPid = childOf(api.child);
    const out = process.env.BENCH_EXPORT_OUT ?? path.join(DATA_DIR, "export.jsonl");
    console.log(`# load before the export: ${readFileSync("/proc/loadavg", "utf8").trim()}`);
    const rssBefore = rssMb(apiPid);
    const cpu0 = { api: cpuSeconds(apiPid), db: cpuSeconds(db.pid) };
    let apiPeak = rssBefore;
    const sampler = setInterval(() => (apiPeak = Math.max(apiPeak, rssMb(apiPid))), 50);
    const run = timedNode(["src/bin.ts", "export", "--out", out], { STARLING_ENDPOINT: url, STARLING_KEY: s.secretKey }, "inherit");
    const cli = await run.timed;
    clearInterval(sampler);
    const cpu = { api: cpuSeconds(apiPid) - cpu0.api, db: cpuSeconds(db.pid) - cpu0.db };
    console.log(`# load after the export: ${readFileSync("/proc/loadavg", "utf8").trim()}`);
    if (cli.code !== 0) throw new Error(`export exited ${cli.code}`);
    let lines = 0;
    const ids = new Set<string>();
    for await (const line of createInterface({ input: createReadStream(out) })) {
      if (!line) continue;
      lines++;
      ids.add((JSON.parse(line) as { sourceId: string }).sourceId);
    }
    console.log(`export file: ${lines} lines, ${ids.size} distinct reviews (expected ${s.reviews})`);
    if (lines !== s.reviews || ids.size !== s.reviews) process.exitCode = 1;
    // The API itself, not /usr/bin/time (which would die of it without a report).
    process.kill(apiPid, "SIGTERM");
    const a = await api.timed;
    console.log(
      `export: ${s.reviews} reviews in ${cli.seconds.toFixed(1)} s (${Math.round(s.reviews / cli.seconds)} reviews/s, the CLI's start-up included); ` +
        `highest RSS (/usr/bin/time %M): CLI ${mb(cli.maxRssKib).toFixed(0)} MB, API ${mb(a.maxRssKib).toFixed(0)} MB (${a.maxRssKib} KiB) over its life; ` +
        `API sampled during the export: ${rssBefore.toFixed(0)} MB before, ${apiPeak.toFixed(0)} MB at most; ` +
        `CPU seconds: API ${cpu.api.toFixed(1)}, FerretDB ${cpu.db.toFixed(1)} (${((cpu.db * 1e6) / s.reviews).toFixed(0)} µs a review)`,
    );
  } finally {
    if (api.child.exitCode === null) api.child.kill("SIGKILL");
    await db.stop();
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
