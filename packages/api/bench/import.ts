/**
 * `bench:import`: the import and export CLIs against a real API process on
 * the embedded FerretDB, as a shop would run them.
 *
 * 1. Import: BENCH_IMPORT_ROWS rows (default 30 000) shaped like
 *    amazon-fashion's reviews (their texts, stars, reviewers and dates,
 *    cycled over more products; research data, read from
 *    STARLING_RESEARCH_DATA, never shipped) through `starling import`:
 *    rows/s, the two phases (sending rows; finishImport's scoring and
 *    summaries) and the CPU seconds of the CLI, the API and FerretDB.
 * 2. Round trip: export that shop, import the export into a new shop, export
 *    again: every review's import fields must be the same.
 * 3. Export memory: BENCH_EXPORT_REVIEWS reviews (default 200 000) written
 *    straight into a third shop, exported through `starling export`; the
 *    highest RSS of the API and of the CLI while it runs (sampled every 50 ms).
 *
 * The API and FerretDB are not pinned to a core, unlike the other benchmarks'
 * servers: an import is a pipeline (CLI -> API -> FerretDB) whose throughput is
 * what is measured, and on one core the API and the database would take turns.
 *
 * BENCH_IMPORT_ONLY=1 stops after 1; BENCH_CPU_PROF=DIR writes CPU profiles of the API and the CLI runs.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { createReadStream, createWriteStream, mkdirSync, readFileSync, rmSync } from "node:fs";
import { once } from "node:events";
import path from "node:path";
import { createInterface } from "node:readline";
import { REPO_ROOT } from "../src/config.js";
import { connect, ensureIndexes } from "../src/db/connection.js";
import { bindModels } from "../src/features/models.js";
import type { ReviewDoc } from "../src/features/reviews/model.js";
import { createDeps } from "../src/create-deps.js";
import { createShop } from "../src/features/shops/shops.js";
import { withPageKeys } from "../src/features/reviews/review-pages.js";
import { importedReviewId } from "../src/features/imports/imports.js";
import { dataDir } from "../../scoring/bench/datasets.js";
import { startBenchApi, startBenchDb, stopBenchApi } from "./start.js";

const API_DIR = path.join(REPO_ROOT, "packages/api");
const DATA_DIR = path.join(REPO_ROOT, ".data/bench-import");
const ROWS = Number(process.env.BENCH_IMPORT_ROWS ?? 30_000);
const EXPORT_REVIEWS = Number(process.env.BENCH_EXPORT_REVIEWS ?? 200_000);
const AMAZON = path.join(dataDir, "amazon-fashion-5core-2018/AMAZON_FASHION_5.json");
/** BENCH_CPU_PROF=DIR: every CLI run writes V8 CPU profiles there (node --cpu-prof; not allowed in NODE_OPTIONS); bench/start.ts does the API. */
const PROFILE = process.env.BENCH_CPU_PROF ? ["--cpu-prof", `--cpu-prof-dir=${path.resolve(process.env.BENCH_CPU_PROF)}`] : [];

interface Amazon {
  overall: number;
  asin: string;
  reviewerID: string;
  reviewerName?: string;
  reviewText?: string;
  summary?: string;
  unixReviewTime: number;
  verified: boolean;
}

/** CPU seconds (user + system) a process has used so far, from /proc. */
function cpuSeconds(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1]!.split(" ");
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

function rssMb(pid: number): number {
  const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, "utf8"));
  return m ? Number(m[1]) / 1024 : 0;
}

/** The highest RSS of these processes while `work` runs. */
async function peakRss<T>(
  pids: Record<string, () => number | undefined>,
  work: () => Promise<T>,
): Promise<{ result: T; peaks: Record<string, number> }> {
  const peaks: Record<string, number> = Object.fromEntries(Object.keys(pids).map((k) => [k, 0]));
  const timer = setInterval(() => {
    for (const [name, pid] of Object.entries(pids)) {
      const p = pid();
      if (p === undefined) continue;
      try {
        peaks[name] = Math.max(peaks[name]!, rssMb(p));
      } catch {
        // exited
      }
    }
  }, 50);
  try {
    return { result: await work(), peaks };
  } finally {
    clearInterval(timer);
  }
}

function cli(
  args: string[],
  env: Record<string, string> = {},
  onStderr?: (text: string) => void,
): { child: ChildProcess; done: Promise<{ code: number | null; stderr: string }> } {
  // node --import tsx directly, so the pid sampled is the CLI's own.
  const child = spawn(process.execPath, [...PROFILE, "--import", "tsx", "src/bin.ts", ...args], {
    cwd: API_DIR,
    env: { ...process.env, ...env },
    stdio: ["ignore", "inherit", "pipe"],
  });
  let stderr = "";
  child.stderr!.on("data", (d: Buffer) => {
    stderr += d.toString();
    onStderr?.(d.toString());
    process.stderr.write(d);
  });
  return { child, done: once(child, "exit").then(([code]) => ({ code: code as number | null, stderr })) };
}

/** amazon-fashion's reviews cycled to `rows` import rows: cycle c moves products to "<asin>-c" and reviewers likewise. */
async function writeImportFile(file: string, rows: number): Promise<number> {
  const source = readFileSync(AMAZON, "utf8")
    .split("\n")
    .filter(Boolean)
    .map((l) => JSON.parse(l) as Amazon);
  const out = createWriteStream(file);
  let bytes = 0;
  for (let i = 0; i < rows; i++) {
    const r = source[i % source.length]!;
    const cycle = Math.floor(i / source.length);
    const line = `${JSON.stringify({
      sourceId: `amazon-${i}`,
      productId: `${r.asin}-${cycle}`,
      productName: `Fashion item ${r.asin}`,
      rating: Math.round(r.overall),
      title: r.summary ?? "",
      // 16 reviews have no text: the import rejects them (INVALID_INPUT body), as it should.
      body: r.reviewText ?? "",
      reviewerName: r.reviewerName ?? "Amazon Customer",
      customerId: `${r.reviewerID}-${cycle}`,
      createdAt: new Date(r.unixReviewTime * 1000).toISOString(),
      verified: r.verified,
      language: "en",
    })}\n`;
    bytes += Buffer.byteLength(line);
    if (!out.write(line)) await once(out, "drain");
  }
  out.end();
  await once(out, "finish");
  return bytes;
}

/** The import fields of every line of an export, by sourceId. */
async function importFieldsBySource(file: string): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  for await (const line of createInterface({ input: createReadStream(file) })) {
    if (!line) continue;
    const { id: _id, status: _s, provenance: _p, ...fields } = JSON.parse(line) as Record<string, unknown>;
    out.set(fields.sourceId as string, JSON.stringify(fields, Object.keys(fields).sort()));
  }
  return out;
}

async function main() {
  rmSync(DATA_DIR, { recursive: true, force: true });
  mkdirSync(DATA_DIR, { recursive: true });
  const db = await startBenchDb(path.join(DATA_DIR, "ferretdb"), { pinned: false });
  const conn = await connect(db.uri, "bench", 10_000);
  const models = bindModels(conn);
  await ensureIndexes(models);
  const deps = createDeps(models, 5);
  const api = await startBenchApi(db.uri, "bench", { LOG_LEVEL: process.env.BENCH_LOG_LEVEL ?? "warn" }, { pinned: false });
  const apiPid = api.child.pid!;
  const shopA = await createShop(deps, { name: "Import bench" });
  const shopB = await createShop(deps, { name: "Round trip" });
  const env = (key: string) => ({ STARLING_ENDPOINT: api.url, STARLING_KEY: key });
  try {
    const file = path.join(DATA_DIR, "import.jsonl");
    const bytes = await writeImportFile(file, ROWS);
    console.log(`# import: ${ROWS} rows (${(bytes / ROWS).toFixed(0)} bytes a row on average) into a new shop`);
    const cpu0 = { api: cpuSeconds(apiPid), db: cpuSeconds(db.pid) };
    const started = Date.now();
    // CPU when the rows are sent and finishImport starts (the CLI says so), to split the CPU by phase.
    let atFinish: { cli: number; api: number; db: number } | null = null;
    const run = cli(["import", file, "--rejects", path.join(DATA_DIR, "rejects.jsonl")], env(shopA.secretKey), (text) => {
      if (!atFinish && text.includes("scoring the shop's reviews"))
        atFinish = { cli: cpuSeconds(cliPid), api: cpuSeconds(apiPid), db: cpuSeconds(db.pid) };
    });
    const cliPid = run.child.pid!;
    let cliCpu = 0;
    const sampler = setInterval(() => {
      try {
        cliCpu = cpuSeconds(cliPid);
      } catch {
        // exited
      }
    }, 100);
    const { code, stderr } = await run.done;
    clearInterval(sampler);
    const seconds = (Date.now() - started) / 1000;
    if (code !== 0) throw new Error(`import exited ${code}`);
    const finish = /rebuilt \d+ product ratings in ([\d.]+) s/.exec(stderr);
    const finishSeconds = finish ? Number(finish[1]) : NaN;
    console.log(
      `import: ${ROWS} rows in ${seconds.toFixed(1)} s = ${Math.round(ROWS / seconds)} rows/s` +
        `; sending rows ${(seconds - finishSeconds).toFixed(1)} s (${Math.round(ROWS / (seconds - finishSeconds))} rows/s), finishImport ${finishSeconds.toFixed(1)} s`,
    );
    console.log(
      `CPU seconds: CLI ${cliCpu.toFixed(1)} (at least; sampled), API ${(cpuSeconds(apiPid) - cpu0.api).toFixed(1)}, FerretDB ${(cpuSeconds(db.pid) - cpu0.db).toFixed(1)}`,
    );
    const sent = atFinish as { cli: number; api: number; db: number } | null;
    if (sent) {
      console.log(
        `  sending rows: CLI ${sent.cli.toFixed(1)} (its start-up included), API ${(sent.api - cpu0.api).toFixed(1)}, FerretDB ${(sent.db - cpu0.db).toFixed(1)}` +
          `; finishImport: API ${(cpuSeconds(apiPid) - sent.api).toFixed(1)}, FerretDB ${(cpuSeconds(db.pid) - sent.db).toFixed(1)}`,
      );
    }
    if (process.env.BENCH_IMPORT_ONLY) return;

    // Round trip.
    const first = path.join(DATA_DIR, "export-a.jsonl");
    const second = path.join(DATA_DIR, "export-b.jsonl");
    let t = Date.now();
    if ((await cli(["export", "--out", first], env(shopA.secretKey)).done).code !== 0) throw new Error("export A failed");
    console.log(`export A: ${((Date.now() - t) / 1000).toFixed(1)} s`);
    t = Date.now();
    if ((await cli(["import", first], env(shopB.secretKey)).done).code !== 0) throw new Error("import of the export failed");
    console.log(`import of the export into a new shop: ${((Date.now() - t) / 1000).toFixed(1)} s`);
    if ((await cli(["export", "--out", second], env(shopB.secretKey)).done).code !== 0) throw new Error("export B failed");
    const a = await importFieldsBySource(first);
    const b = await importFieldsBySource(second);
    const differing = [...a].filter(([k, v]) => b.get(k) !== v).length + [...b.keys()].filter((k) => !a.has(k)).length;
    console.log(`round trip: ${a.size} reviews exported, ${b.size} after export -> import into a new shop -> export; ${differing} differ`);
    if (differing || a.size !== b.size) process.exitCode = 1;

    // Export memory on a large shop, written straight into the database (the import is measured above).
    const big = await createShop(deps, { name: "Export bench" });
    const texts = readFileSync(AMAZON, "utf8")
      .split("\n")
      .filter(Boolean)
      .map((l) => JSON.parse(l) as Amazon);
    t = Date.now();
    for (let i = 0; i < EXPORT_REVIEWS; i += 1000) {
      const docs: ReviewDoc[] = [];
      for (let j = i; j < Math.min(EXPORT_REVIEWS, i + 1000); j++) {
        const r = texts[j % texts.length]!;
        docs.push(
          withPageKeys({
            _id: importedReviewId(big.shop.id, `big-${j}`),
            shopId: big.shop.id,
            productId: `p${j % 5000}`,
            rating: Math.round(r.overall),
            title: r.summary ?? "Review",
            body: r.reviewText || "Fine.",
            reviewer: { name: r.reviewerName ?? "Amazon Customer", externalId: r.reviewerID },
            language: "en",
            provenance: "IMPORTED",
            source: "api",
            createdAt: new Date(r.unixReviewTime * 1000),
            payloadHash: "bench",
            score: null,
            signature: null,
            verification: null,
            status: "published",
            reply: null,
            summaryApplied: false,
            sourceId: `big-${j}`,
            verified: r.verified,
          }),
        );
      }
      await models.Review.collection.insertMany(docs as never[], { ordered: false });
    }
    console.log(`# export: ${EXPORT_REVIEWS} reviews written straight into a shop in ${((Date.now() - t) / 1000).toFixed(0)} s`);
    const bigOut = path.join(DATA_DIR, "export-big.jsonl");
    let exportPid: number | undefined;
    t = Date.now();
    const rssBefore = rssMb(apiPid);
    const { peaks } = await peakRss({ api: () => apiPid, cli: () => exportPid }, async () => {
      const run = cli(["export", "--out", bigOut], env(big.secretKey));
      exportPid = run.child.pid;
      const r = await run.done;
      if (r.code !== 0) throw new Error("big export failed");
    });
    const exportSeconds = (Date.now() - t) / 1000;
    console.log(
      `export: ${EXPORT_REVIEWS} reviews in ${exportSeconds.toFixed(1)} s (${Math.round(EXPORT_REVIEWS / exportSeconds)} reviews/s); ` +
        `highest RSS: API ${peaks.api!.toFixed(0)} MB (${rssBefore.toFixed(0)} MB before), CLI ${peaks.cli!.toFixed(0)} MB`,
    );
  } finally {
    await stopBenchApi(api);
    await conn.close();
    await db.stop();
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
