/**
 * Insights benchmark (issue #14): the analysis worker's throughput in one API
 * process, and the latency of `product { insights }` on a product with
 * 100 000 reviews.
 *
 * 1. Throughput: BENCH_REVIEWS op-spam hotel reviews (124 words on average;
 *    default 1 000) stored as published reviews of 10 products over the last
 *    60 days, their analyses queued at once; the API process's own worker
 *    (one, batch 16) analyses them, stores each analysis, and recounts the
 *    day buckets and emerging topics they touch. Reported: reviews/s until
 *    every review is analysed and the queue is empty, beside `analyzeReview`
 *    alone on the same texts (the part that is CPU; under load it is also a
 *    gauge of how busy the machine was).
 * 2. Read latency: "p-huge" gets 100 000 analysed reviews over 365 days
 *    (the analyses of step 1 repeated, of at least 200 texts), counted into
 *    its day buckets with the package's dayCountsOf and written, with every
 *    roll-up block above them, by the worker's own functions (storeProductDay,
 *    rollUpBlocks; counting 100 000 through the worker would take the
 *    benchmark most of an hour); then BENCH_READS sequential
 *    `product { insights }` requests over HTTP, for the default 90 days and
 *    for 366 days, cold (the process's answer cache emptied before each read)
 *    and warm: p50 and p99. Each period's counts are checked against
 *    summarizeDayCounts over all its day buckets.
 *
 * Run: sh scripts/pnpm.sh -s --filter @starling/api bench:insights
 * (needs ../shared/data for the op-spam texts, or STARLING_RESEARCH_DATA).
 */
import { rm } from "node:fs/promises";
import v8 from "node:v8";
import vm from "node:vm";
import path from "node:path";
import { performance } from "node:perf_hooks";
import {
  DAY_MS,
  analyzeReview,
  dayCountsOf,
  dayOf,
  periodBlocks,
  summarizeDayCounts,
  type AnalyzedReview,
  type DayCounts,
  type InsightSummary,
} from "@starling/insights";
import { loadOpSpam } from "../../insights/bench/data.js";
import { publishedReview, runBench } from "./bench-text.js";
import { REPO_ROOT, loadConfig } from "../src/config.js";
import { startEmbeddedFerretDB } from "../src/db/embedded-ferretdb.js";
import { findByIds } from "../src/db/find-by-ids.js";
import type { InsightBlockDoc } from "../src/features/insights/model.js";
import type { ReviewDoc } from "../src/features/reviews/model.js";
import {
  QUOTES_PER_ASPECT,
  clearInsightsCache,
  enqueueAnalyses,
  insightsQueue,
  productHash,
  productInsights,
  rollUpBlocks,
  storeProductDay,
  storedAspectsOf,
  type StoredAspects,
  wakeInsights,
} from "../src/features/insights/insights.js";
import { putProduct } from "../src/features/products/products.js";
import { createShop } from "../src/features/shops/shops.js";
import { createLogger } from "../src/log.js";
import { startStarling } from "../src/starling.js";

const N = Number(process.env.BENCH_REVIEWS ?? 1_000);
const READS = Number(process.env.BENCH_READS ?? 300);
const HUGE = Number(process.env.BENCH_HUGE ?? 100_000);
const DATA_DIR = path.join(REPO_ROOT, ".data/bench-insights-ferretdb");

/** A full garbage collection (V8's gc() exposed at run time, without restarting node with --expose-gc). */
function fullGc(): void {
  v8.setFlagsFromString("--expose-gc");
  (vm.runInNewContext("gc") as () => void)();
}

function pct(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

async function main() {
  await rm(DATA_DIR, { recursive: true, force: true });
  const db = await startEmbeddedFerretDB({ binDir: path.join(REPO_ROOT, ".data/bin"), dataDir: DATA_DIR });
  const config = {
    ...loadConfig({ NODE_ENV: "production" }),
    mongodbUri: db.uri,
    dbName: "bench_insights",
    port: 0,
    host: "127.0.0.1",
    logLevel: "warn" as const,
    rateRequestsPerMinutePerIp: 1e9,
    rateRequestsPerMinutePerKey: 1e9,
    rateCostPerMinutePerKey: 1e12,
  };
  const starling = await startStarling({ config, log: createLogger("warn") });
  const deps = starling.deps;
  try {
    const { shop, secretKey } = await createShop(deps, { name: "Bench shop" });
    const products = Array.from({ length: 10 }, (_, i) => `p${i}`);
    for (const id of [...products, "p-huge"]) await putProduct(deps, shop.id, { id, name: id });

    // ---- 1. worker throughput
    const texts = loadOpSpam().map((r) => r.text);
    const now = Date.now();
    const docs: ReviewDoc[] = Array.from({ length: N }, (_, i) =>
      publishedReview({
        _id: `rev_bench_${String(i).padStart(7, "0")}`,
        shopId: shop.id,
        productId: products[i % products.length]!,
        rating: 4,
        title: "Stay",
        body: texts[i % texts.length]!,
        reviewer: { name: "Guest", externalId: null },
        createdAt: new Date(now - (i % 60) * DAY_MS),
      }),
    );
    for (let i = 0; i < docs.length; i += 1_000) await deps.models.Review.collection.insertMany(docs.slice(i, i + 1_000) as never[]);
    const words = docs.reduce((n, d) => n + d.body.split(/\s+/).length, 0) / docs.length;

    const t0 = performance.now();
    for (let i = 0; i < docs.length; i += 500) {
      await enqueueAnalyses(
        deps,
        docs.slice(i, i + 500).map((d) => d._id),
      );
      wakeInsights(deps);
    }
    const queue = insightsQueue(deps);
    for (;;) {
      const [analysed, depth] = await Promise.all([deps.models.ReviewInsight.estimatedDocumentCount(), queue.depth()]);
      if (analysed >= N && depth === 0) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    const seconds = (performance.now() - t0) / 1_000;

    const cpu0 = performance.now();
    const analyses = docs.map((d) => analyzeReview({ title: d.title, body: d.body }));
    const cpuSeconds = (performance.now() - cpu0) / 1_000;
    console.log(`insights worker, one API process (batch 16), ${N} op-spam reviews of ${words.toFixed(0)} words on average:`);
    console.log(`  ${(N / seconds).toFixed(1)} reviews/s analysed, stored and counted (${seconds.toFixed(1)} s)`);
    console.log(
      `  analyzeReview alone on the same texts: ${(N / cpuSeconds).toFixed(0)} reviews/s (${((cpuSeconds / N) * 1_000).toFixed(2)} ms each)`,
    );

    // ---- 2. read latency at 100 000 reviews (the analyses of at least 200 different texts, however few step 1 had)
    const today = dayOf(now);
    // The fixture's 100 000 analyses and day buckets stay inside this function: the server
    // measured below runs in this process, and a heap holding them (hundreds of MB) made every
    // major GC of the reads' a pause of the fixture's size. What the reads are checked against is
    // computed here.
    const { owner, bucketKb, dayCount, wants } = await (async () => {
      const hugeAnalyses = N >= 200 ? analyses : texts.slice(0, 200).map((body) => analyzeReview({ title: "Stay", body }));
      const byDay = new Map<number, AnalyzedReview[]>();
      for (let i = 0; i < HUGE; i++) {
        const dayMs = today - (i % 365) * DAY_MS;
        const r: AnalyzedReview = {
          reviewId: `rev_huge_${i}`,
          productId: "p-huge",
          timeMs: dayMs + (i % 86_000) * 1_000,
          insight: hugeAnalyses[i % hugeAnalyses.length]!,
        };
        let list = byDay.get(dayMs);
        if (!list) byDay.set(dayMs, (list = []));
        list.push(r);
      }
      const buckets: DayCounts[] = [...byDay.values()].map((list) => dayCountsOf(list, { quotes: QUOTES_PER_ASPECT }));
      const build0 = performance.now();
      // What the worker writes for these days: each day's bucket and its cut for reading, then every roll-up block above them.
      const parts = [];
      for (const b of buckets) parts.push(await storeProductDay(deps, shop.id, "p-huge", b.dayMs, b));
      const owner = productHash(shop.id, "p-huge");
      await rollUpBlocks(deps, [{ shopId: shop.id, owner, fresh: parts }]);
      const buildSeconds = (performance.now() - build0) / 1_000;
      const days = await deps.models.InsightDay.find({ _id: { $gt: `${owner}.`, $lt: `${owner}.~` } }).lean();
      const blocks = await deps.models.InsightBlock.find({ _id: { $gt: `${owner}.`, $lt: `${owner}.~` } }).lean();
      // Bytes as stored (the aspects packed) and as JSON text (what they were stored as before).
      const stored = (d: StoredAspects) => d.packed?.length() ?? d.data?.length ?? 0;
      const text = (d: StoredAspects) => JSON.stringify(storedAspectsOf(d)).length;
      const kb = (docs: StoredAspects[], f: (d: StoredAspects) => number) =>
        (docs.reduce((n, d) => n + f(d), 0) / Math.max(1, docs.length) / 1024).toFixed(1);
      const reads = blocks.filter((d) => d._id.endsWith(".r")) as StoredAspects[];
      const rollUps = blocks.filter((d) => /\.\d+\.\d+$/.test(d._id)) as StoredAspects[];
      const bucketKb = kb(days as StoredAspects[], stored);
      console.log(
        `${HUGE} reviews in ${days.length} day buckets of ${bucketKb} KB packed on average (${kb(days as StoredAspects[], text)} KB as text; ${(buckets.reduce((n, b) => n + b.aspects.length, 0) / buckets.length).toFixed(0)} aspects each); ` +
          `${reads.length} blocks cut for reading of ${kb(reads, stored)} KB packed on average (${kb(reads, text)} KB as text; largest ${(Math.max(...reads.map(stored)) / 1024).toFixed(1)} KB); ` +
          `${rollUps.length} roll-ups of ${kb(rollUps, stored)} KB packed (${kb(rollUps, text)} KB as text); written in ${buildSeconds.toFixed(1)} s`,
      );
      const wants = new Map(
        [90, 366].map((n) => [
          n,
          summarizeDayCounts(
            buckets,
            { fromMs: n === 90 ? today + DAY_MS - 90 * DAY_MS : today - 365 * DAY_MS, toMs: today + DAY_MS },
            { limit: 10 },
          ),
        ]),
      );
      return { owner, bucketKb, dayCount: days.length, wants };
    })();
    // Its garbage collected now rather than during the reads.
    const before = process.memoryUsage().heapUsed;
    fullGc();
    console.log(
      `heap used ${(before / 2 ** 20).toFixed(0)} MB with the fixture, ${(process.memoryUsage().heapUsed / 2 ** 20).toFixed(0)} MB after a full GC before the reads`,
    );

    const query = async (period: string) => {
      const res = await fetch(`${starling.url}/graphql`, {
        method: "POST",
        headers: { "content-type": "application/json", authorization: `Bearer ${secretKey}` },
        body: JSON.stringify({
          query: `{ product(id: "p-huge") { insights${period} { reviews polarity aspects { key term mentions positive negative direction examples { reviewId quote polarity } } emerging { key since } } } }`,
        }),
      });
      const body = (await res.json()) as { data?: { product: { insights: InsightSummary } }; errors?: unknown };
      if (!body.data) throw new Error(JSON.stringify(body.errors));
      return body.data.product.insights;
    };
    const results: string[] = [];
    for (const [label, period] of [
      ["90 days (default)", ""],
      ["366 days", `(period: { from: "${new Date(today - 365 * DAY_MS).toISOString()}" })`],
    ] as const) {
      const first = await query(period); // warm-up, and the counts it reads
      const reviews = first.reviews;
      // The blocks' answer against the days' (summarizeDayCounts over every day bucket): the same counts.
      const want = wants.get(label.startsWith("90") ? 90 : 366)!;
      const same =
        want.reviews === reviews &&
        JSON.stringify(want.aspects.map((a) => [a.key, a.mentions, a.positive, a.negative, a.direction])) ===
          JSON.stringify(first.aspects.map((a) => [a.key, a.mentions, a.positive, a.negative, a.direction.toLowerCase()]));
      console.log(
        `${label}: ${reviews} reviews; counts ${same ? "equal to" : "DIFFERENT from"} summarizeDayCounts over the ${label.startsWith("90") ? 90 : 366} day buckets`,
      );
      // Cold: this process's cache of assembled answers emptied before each read, so every read reads its blocks.
      // Warm: the same read again, answered from the cache after checking the product's version.
      for (const mode of ["cold", "warm"] as const) {
        const times: number[] = [];
        for (let i = 0; i < READS; i++) {
          if (mode === "cold") clearInsightsCache(deps);
          const t = performance.now();
          await query(period);
          times.push(performance.now() - t);
        }
        times.sort((a, b) => a - b);
        results.push(`| ${label}, ${mode} | ${reviews} | ${pct(times, 50).toFixed(1)} ms | ${pct(times, 99).toFixed(1)} ms |`);
        console.log(results.at(-1));
      }
    }

    // Where a cold read's time goes, in this process (no HTTP): the version look-up, the blocks by _id, decoding and summing.
    {
      const period = { fromMs: today + DAY_MS - 90 * DAY_MS, toMs: today + DAY_MS };
      const ids = periodBlocks(period).map((b) => `${owner}.${b.level}.${b.index}.r`);
      const steps = {
        version: [] as number[],
        blocks: [] as number[],
        decode: [] as number[],
        summarize: [] as number[],
        "whole productInsights": [] as number[],
      };
      let bytes = 0;
      for (let i = 0; i < READS; i++) {
        let t = performance.now();
        await deps.models.InsightBlock.findById(`${owner}.v`, { data: 1 }).lean();
        steps.version.push(performance.now() - t);
        t = performance.now();
        const docs = await findByIds<InsightBlockDoc & StoredAspects>(deps.models.InsightBlock as never, ids);
        steps.blocks.push(performance.now() - t);
        bytes = docs.reduce((n, d) => n + (d.packed?.length() ?? 0), 0);
        t = performance.now();
        const counts = docs.map((d) => ({
          dayMs: period.fromMs,
          reviews: d.reviews,
          polaritySum: d.polaritySum,
          aspects: storedAspectsOf(d),
        }));
        steps.decode.push(performance.now() - t);
        t = performance.now();
        summarizeDayCounts(counts, period, { limit: 10 });
        steps.summarize.push(performance.now() - t);
        // The same read as the API's resolver makes it (with the topics beside the blocks), without HTTP and GraphQL.
        clearInsightsCache(deps);
        t = performance.now();
        await productInsights(deps, shop.id, "p-huge", null, 10);
        steps["whole productInsights"].push(performance.now() - t);
      }
      console.log(
        `a cold 90-day read, step by step (${ids.length} blocks, ${(bytes / 1024).toFixed(0)} KB packed): ` +
          Object.entries(steps)
            .map(
              ([k, v]) =>
                `${k} p50 ${pct(
                  v.sort((a, b) => a - b),
                  50,
                ).toFixed(1)} ms / p99 ${pct(v, 99).toFixed(1)} ms`,
            )
            .join("; "),
      );
    }

    console.log(
      `product { insights } on "p-huge": ${HUGE} reviews over 365 days, ${dayCount} day buckets of ${bucketKb} KB packed, ${READS} sequential reads over HTTP:`,
    );
    console.log("| period | reviews in it | p50 | p99 |\n|---|---|---|---|");
    for (const r of results) console.log(r);
  } finally {
    await starling.close();
    await db.stop();
    await rm(DATA_DIR, { recursive: true, force: true });
  }
}

runBench(main);
