/**
 * What draining the insights backlog costs, per review, and where it goes:
 * the database commands (by command and collection: how many, bytes sent and
 * received) and the CPU of FerretDB, of the event loop's thread and of the
 * analysis thread, in one API process running the insights worker as it runs
 * in production (startInsightsWorker: rounds of 16, a pause after each).
 *
 * The shop looks like the submission benchmark's (bench/run.ts) after a few
 * runs: DRAIN_PRODUCTS products (1 000), DRAIN_PRIOR reviews already analysed
 * and counted today (600: hundreds of today's product buckets behind the
 * shop's day), then DRAIN_REVIEWS new ones (150, one per product, today's,
 * 20-40 words) queued at once and drained while measured.
 *
 * Run: sh scripts/pnpm.sh -s --filter @starling/api bench:insights-drain (DRAIN_BY_KIND=1: the CPU by job kind,
 * rounds handled kind by kind without the worker's pauses; DRAIN_COMMANDS=0: no command tally)
 */
import { execFileSync } from "node:child_process";
import { readdirSync, readFileSync } from "node:fs";
import { rm } from "node:fs/promises";
import path from "node:path";
import { performance } from "node:perf_hooks";
import { BSON } from "mongodb";
import { benchText, publishedReview, runBench } from "./bench-text.js";
import type { LeasedJob } from "../src/db/lease-queue.js";
import { REPO_ROOT, loadConfig } from "../src/config.js";
import { startEmbeddedFerretDB } from "../src/db/embedded-ferretdb.js";
import type { ReviewDoc } from "../src/features/reviews/model.js";
import {
  type InsightsJob,
  enqueueAnalyses,
  handleInsightsJobs,
  insightsQueue,
  startInsightsWorker,
  wakeInsights,
} from "../src/features/insights/insights.js";
import { putProduct } from "../src/features/products/products.js";
import { createShop } from "../src/features/shops/shops.js";
import { createLogger } from "../src/log.js";
import { startStarling } from "../src/starling.js";

const PRODUCTS = Number(process.env.DRAIN_PRODUCTS ?? 1_000);
const PRIOR = Number(process.env.DRAIN_PRIOR ?? 600);
const N = Number(process.env.DRAIN_REVIEWS ?? 150);
const COMMANDS = process.env.DRAIN_COMMANDS !== "0";
const DATA_DIR = path.join(REPO_ROOT, ".data/bench-insights-drain");
const TICK_US = 1_000_000 / Number(execFileSync("getconf", ["CLK_TCK"], { encoding: "utf8" }).trim());

function ticks(stat: string): number {
  const f = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  return Number(f[11]) + Number(f[12]);
}
function threadTicks(pid: number): { main: number; analysis: number; rest: number } {
  const out = { main: 0, analysis: 0, rest: 0 };
  for (const tid of readdirSync(`/proc/${pid}/task`)) {
    let stat: string;
    try {
      stat = readFileSync(`/proc/${pid}/task/${tid}/stat`, "utf8");
    } catch {
      continue;
    }
    const comm = stat.slice(stat.indexOf("(") + 1, stat.lastIndexOf(")"));
    if (Number(tid) === pid) out.main += ticks(stat);
    else if (comm === "insights-worker") out.analysis += ticks(stat);
    else out.rest += ticks(stat);
  }
  return out;
}
function cpuTicks(pid: number): number {
  return ticks(readFileSync(`/proc/${pid}/stat`, "utf8"));
}

async function main() {
  await rm(DATA_DIR, { recursive: true, force: true });
  const db = await startEmbeddedFerretDB({ binDir: path.join(REPO_ROOT, ".data/bin"), dataDir: DATA_DIR });
  const config = {
    ...loadConfig({ NODE_ENV: "production" }),
    // Command events for the tally (off: DRAIN_COMMANDS=0, for the CPU figures without their cost).
    mongodbUri: COMMANDS ? `${db.uri}${db.uri.includes("?") ? "&" : "?"}monitorCommands=true` : db.uri,
    dbName: "bench_drain",
    port: 0,
    host: "127.0.0.1",
    logLevel: "warn" as const,
  };
  // The worker is started here, so that it runs alone and its rounds are the ones measured.
  const starling = await startStarling({ config, log: createLogger("warn"), insightsWorker: false });
  const deps = starling.deps;
  const client = deps.models.Review.db.getClient();
  const tally = new Map<string, { n: number; sent: number; received: number; ms: number }>();
  const pending = new Map<number, string>();
  let counting = false;
  /** What the commands are counted under: the job kind being handled (DRAIN_BY_KIND=1), else "all". */
  let phase = "all";
  client.on("commandStarted", (e) => {
    if (!counting) return;
    const cmd = e.command as Record<string, unknown>;
    const coll = typeof cmd[e.commandName] === "string" ? (cmd[e.commandName] as string) : "";
    const key = `${phase}: ${e.commandName} ${coll}`;
    const t = tally.get(key) ?? { n: 0, sent: 0, received: 0, ms: 0 };
    t.n++;
    t.sent += BSON.calculateObjectSize(cmd);
    tally.set(key, t);
    pending.set(e.requestId, key);
  });
  client.on("commandSucceeded", (e) => {
    const key = pending.get(e.requestId);
    if (!key) return;
    pending.delete(e.requestId);
    const t = tally.get(key)!;
    t.received += BSON.calculateObjectSize(e.reply as object);
    t.ms += e.duration;
  });
  let worker: ReturnType<typeof startInsightsWorker> | null = null;
  try {
    const { shop } = await createShop(deps, { name: "Bench shop" });
    const products = Array.from({ length: PRODUCTS }, (_, i) => `p-${i}`);
    for (const id of products) await putProduct(deps, shop.id, { id, name: id });
    const now = Date.now();
    let made = 0;
    const reviews = (count: number): ReviewDoc[] =>
      Array.from({ length: count }, () => {
        const n = made++;
        return publishedReview({
          _id: `rev_drain_${String(n).padStart(7, "0")}`,
          shopId: shop.id,
          productId: products[n % PRODUCTS]!,
          rating: 1 + (n % 5),
          title: `Bench ${n}`,
          body: benchText(n),
          reviewer: { name: `Bench ${n % 500}`, externalId: null },
          createdAt: new Date(now - (n % 97) * 1000),
        });
      });
    const queued = async (docs: ReviewDoc[]) => {
      await deps.models.Review.collection.insertMany(docs as never[]);
      await enqueueAnalyses(
        deps,
        docs.map((d) => d._id),
        { backfill: true },
      );
      return performance.now();
    };
    /** Handles rounds of `size` here until the queue is empty (`each`: how), waiting for the delayed jobs. */
    const rounds = async (size: number, each: (jobs: LeasedJob<InsightsJob>[]) => Promise<unknown>) => {
      const queue = insightsQueue(deps);
      while ((await queue.depth()) > 0) {
        const jobs = await queue.claim(size);
        if (jobs.length) await each(jobs);
        else await new Promise((r) => setTimeout(r, 100));
      }
    };
    const drain = async (docs: ReviewDoc[]) => {
      const t = await queued(docs);
      wakeInsights(deps);
      while ((await insightsQueue(deps).depth()) > 0) await new Promise((r) => setTimeout(r, 100));
      return (performance.now() - t) / 1000;
    };
    // Primed without the worker's pauses: rounds back to back, the delayed jobs waited for.
    const prime = async (docs: ReviewDoc[]) => {
      const t = await queued(docs);
      await rounds(64, (jobs) => handleInsightsJobs(deps, jobs));
      return (performance.now() - t) / 1000;
    };
    const primed = await prime(reviews(PRIOR));
    worker = startInsightsWorker(deps, { idleMs: 100 });
    console.log(`primed: ${PRIOR} reviews on ${Math.min(PRIOR, PRODUCTS)} products today, drained in ${primed.toFixed(1)} s`);

    const batch = reviews(N);
    const threads0 = threadTicks(process.pid);
    const db0 = cpuTicks(db.pid);
    counting = true;
    let seconds: number;
    if (process.env.DRAIN_BY_KIND === "1") {
      // Each round's jobs handled kind by kind, each kind's CPU (FerretDB's, the main thread's) counted apart.
      await worker.stop();
      worker = null;
      const byKind = new Map<string, { jobs: number; db: number; main: number }>();
      const mainTicks = () => ticks(readFileSync(`/proc/${process.pid}/task/${process.pid}/stat`, "utf8"));
      const t = await queued(batch);
      await rounds(16, async (jobs) => {
        const kinds = new Map<string, typeof jobs>();
        for (const j of jobs) kinds.set(j.payload.kind, [...(kinds.get(j.payload.kind) ?? []), j]);
        for (const [kind, list] of kinds) {
          phase = kind;
          const d0 = cpuTicks(db.pid);
          const m0 = mainTicks();
          await handleInsightsJobs(deps, list);
          const k = byKind.get(kind) ?? { jobs: 0, db: 0, main: 0 };
          k.jobs += list.length;
          k.db += cpuTicks(db.pid) - d0;
          k.main += mainTicks() - m0;
          byKind.set(kind, k);
          phase = "all";
        }
      });
      seconds = (performance.now() - t) / 1000;
      console.log("| job kind | jobs | FerretDB CPU µs / review | main thread µs / review |\n|---|---:|---:|---:|");
      for (const [kind, k] of byKind)
        console.log(`| ${kind} | ${k.jobs} | ${((k.db * TICK_US) / N).toFixed(0)} | ${((k.main * TICK_US) / N).toFixed(0)} |`);
    } else seconds = await drain(batch);
    counting = false;
    const threads1 = threadTicks(process.pid);
    const dbUs = ((cpuTicks(db.pid) - db0) * TICK_US) / N;
    const per = (k: keyof typeof threads0) => ((threads1[k] - threads0[k]) * TICK_US) / N;
    console.log(
      `${N} reviews drained in ${seconds.toFixed(1)} s (${(N / seconds).toFixed(1)}/s); CPU µs per review: FerretDB ${dbUs.toFixed(0)}, ` +
        `API main thread ${per("main").toFixed(0)}, analysis thread ${per("analysis").toFixed(0)}, other threads ${per("rest").toFixed(0)}`,
    );
    const rows = [...tally].sort((a, b) => b[1].ms - a[1].ms);
    const total = rows.reduce((s, [, t]) => ({ n: s.n + t.n, sent: s.sent + t.sent, received: s.received + t.received, ms: s.ms + t.ms }), {
      n: 0,
      sent: 0,
      received: 0,
      ms: 0,
    });
    console.log(
      `commands per review ${(total.n / N).toFixed(1)}, KB sent ${(total.sent / N / 1024).toFixed(1)}, received ${(total.received / N / 1024).toFixed(1)}, ms waited (sum of command durations) ${(total.ms / N).toFixed(1)}`,
    );
    console.log("| command | per review | KB sent / review | KB received / review | ms / review (durations) |\n|---|---:|---:|---:|---:|");
    for (const [k, t] of rows)
      console.log(
        `| ${k} | ${(t.n / N).toFixed(2)} | ${(t.sent / N / 1024).toFixed(2)} | ${(t.received / N / 1024).toFixed(2)} | ${(t.ms / N).toFixed(2)} |`,
      );
  } finally {
    await worker?.stop();
    await starling.close();
    await db.stop();
    await rm(DATA_DIR, { recursive: true, force: true });
  }
}

runBench(main);
