/**
 * What one hindsight sweep of a shop costs (features/scoring/hindsight.ts):
 * wall time, this process's CPU (the API's) and FerretDB's CPU, for the
 * replay (read and re-score the shop's history) and for the whole sweep
 * (the replay, then the changed scores stored under their locks with the
 * summaries moved).
 *
 * HS_REVIEWS reviews (20 000) of one shop over a year, HS_REVIEWS/100
 * products, 60 % of them by repeat reviewers (a pool of HS_REVIEWS/10
 * accounts) and 40 % by one-off accounts, are stored with the write-time
 * scores the library's replay gives them (as the write path would have
 * stored them) and counted (recomputeSummaries), in a fresh embedded
 * FerretDB. Then:
 * 1. the first sweep: every review still has its write-time score (a shop's
 *    first sweep after an upgrade);
 * 2. HS_DAYS times (2): a day's reviews (HS_REVIEWS/365) through the write
 *    path, then a sweep: the steady state, once a day.
 *
 * Also: the longest the event loop was held during the sweep, and during its
 * replay alone (reading the history and scoring it, on the replay thread).
 *
 * Run: HS_REVIEWS=20000 sh scripts/pnpm.sh -s --filter @starling/api exec tsx bench/hindsight-sweep.ts
 */
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { monitorEventLoopDelay, performance } from "node:perf_hooks";
import { scoreTimeline, textSignature } from "@starling/scoring";
import { benchText, publishedReview, runBench } from "./bench-text.js";
import { REPO_ROOT } from "../src/config.js";
import { connect, ensureIndexes } from "../src/db/connection.js";
import { startEmbeddedFerretDB } from "../src/db/embedded-ferretdb.js";
import { createDeps } from "../src/create-deps.js";
import { bindModels } from "../src/features/models.js";
import { putProduct } from "../src/features/products/products.js";
import { withPageKeys } from "../src/features/reviews/review-pages.js";
import type { ReviewDoc } from "../src/features/reviews/model.js";
import { packSignature, storedScore, timelineOf } from "../src/features/scoring/scoring.js";
import { sweepShopHindsight } from "../src/features/scoring/hindsight.js";
import { recomputeSummaries } from "../src/features/ratings/ratings.js";
import { createShop } from "../src/features/shops/shops.js";

const N = Number(process.env.HS_REVIEWS ?? 20_000);
const DAYS = Number(process.env.HS_DAYS ?? 2);
const PRODUCTS = Math.max(50, Math.round(N / 100));
const REPEAT_POOL = Math.round(N / 10);
const SHOP = "shop_hindsight";
const DAY = 86_400_000;
const TICK_MS = 1_000 / Number(execFileSync("getconf", ["CLK_TCK"], { encoding: "utf8" }).trim());

function cpuMs(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
  const f = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  return (Number(f[11]) + Number(f[12])) * TICK_MS;
}

/** A deterministic stream of numbers in [0, 1). */
function random(seed: number): () => number {
  let x = seed >>> 0 || 1;
  return () => {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    return (x >>> 0) / 2 ** 32;
  };
}

const load = () => readFileSync("/proc/loadavg", "utf8").split(" ").slice(0, 3).join(" ");

async function main() {
  const dataDir = mkdtempSync(path.join(tmpdir(), "hindsight-sweep-"));
  const db = await startEmbeddedFerretDB({ binDir: path.join(REPO_ROOT, ".data/bin"), dataDir });
  const conn = await connect(db.uri, "bench_hindsight", 30_000);
  const models = bindModels(conn);
  await ensureIndexes(models);
  try {
    const deps = createDeps(models, 5);
    await createShop(deps, { name: "Hindsight sweep", id: SHOP });
    for (let p = 0; p < PRODUCTS; p++) await putProduct(deps, SHOP, { id: `p-${p}`, name: `p-${p}` });
    const next = random(18);
    const start = Date.now() - 366 * DAY;
    const reviewer = (n: number) => (next() < 0.6 ? `repeat-${Math.floor(next() * REPEAT_POOL)}` : `once-${n}`);
    const benchReview = (n: number, createdAt: Date): ReviewDoc =>
      publishedReview({
        _id: `rev_hs_${String(n).padStart(8, "0")}`,
        shopId: SHOP,
        productId: `p-${Math.floor(next() ** 1.5 * PRODUCTS)}`,
        rating: [5, 5, 5, 4, 4, 3, 2, 1][Math.floor(next() * 8)]!,
        title: `Bench ${n}`,
        body: benchText(n),
        reviewer: ((id: string) => ({ name: id, externalId: id }))(reviewer(n)),
        createdAt,
      });
    const docs: ReviewDoc[] = Array.from({ length: N }, (_, n) => benchReview(n, new Date(start + Math.floor((n / N) * 365 * DAY))));
    // The write-time scores, as the write path would have stored them arriving in this order.
    const scores = new Map(
      scoreTimeline(timelineOf(docs)).reviews.map((s) => [s.reviewId, storedScore(s.suspicion, s.trustWeightBp, s.reasons, "write")]),
    );
    for (let i = 0; i < N; i += 1_000) {
      const chunk = docs
        .slice(i, i + 1_000)
        .map((d) => withPageKeys({ ...d, score: scores.get(d._id)!, signature: packSignature(textSignature(`${d.title}\n${d.body}`)!) }));
      await models.Review.collection.insertMany(chunk as never[]);
    }
    await recomputeSummaries(deps, { shopId: SHOP });
    console.error(`seeded ${N} reviews of ${PRODUCTS} products`);

    const sweep = async (label: string, arrivals: number) => {
      // The longest the event loop was held (what a request arriving meanwhile would wait): the replay scores the whole history in one go.
      const blocked = monitorEventLoopDelay({ resolution: 10 });
      blocked.enable();
      const t0 = performance.now();
      const [db0, me0] = [cpuMs(db.pid), cpuMs(process.pid)];
      let replay = { ms: 0, dbCpuMs: 0, apiCpuMs: 0 };
      let replayHoldMs = 0;
      const report = await sweepShopHindsight(deps, SHOP, {
        afterSnapshot: async () => {
          replay = { ms: performance.now() - t0, dbCpuMs: cpuMs(db.pid) - db0, apiCpuMs: cpuMs(process.pid) - me0 };
          // A hold is recorded when the monitor's next timer fires, after it: one ending just now is counted after a turn.
          await new Promise((r) => setTimeout(r, 20));
          replayHoldMs = blocked.max;
        },
      });
      const whole = { ms: performance.now() - t0, dbCpuMs: cpuMs(db.pid) - db0, apiCpuMs: cpuMs(process.pid) - me0 };
      blocked.disable();
      const round = (o: Record<string, number>) => Object.fromEntries(Object.entries(o).map(([k, v]) => [k, Math.round(v)]));
      console.log(
        JSON.stringify({
          reviews: report.reviews,
          sweep: label,
          newReviews: arrivals,
          changed: report.changed,
          applied: report.applied,
          replay: round(replay),
          whole: round(whole),
          longestEventLoopBlockMs: Math.round(blocked.max / 1e6),
          // Of which, reading and replaying the history (the rest: storing the changed scores).
          longestReplayBlockMs: Math.round(replayHoldMs / 1e6),
          load: load(),
        }),
      );
    };

    await sweep("first (every score from the write path)", 0);
    const perDay = Math.max(1, Math.round(N / 365));
    for (let d = 0; d < DAYS; d++) {
      for (let k = 0; k < perDay; k++) {
        const n = N + d * perDay + k;
        const outcome = await deps.reviewWrites.add({
          // Counted, as a published submission is.
          ...withPageKeys(benchReview(n, new Date())),
          summaryApplied: true,
        });
        if ("failed" in outcome) throw outcome.failed;
      }
      await sweep(`after a day's reviews (${d + 1})`, perDay);
    }
  } finally {
    await conn.close();
    await db.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

runBench(main);
