/**
 * Every benchmark figure issue 3 asks for, as tables:
 * `pnpm --filter @starling/scoring bench` (about a minute; reads ../shared/data).
 * Deterministic: fixed seeds. Not a test; nothing here is timed.
 */
import {
  type StarHistogram,
  empiricalBayesPrior,
  fitPriorStrength,
  initialProductState,
  initialReviewerState,
  ratingCountsOf,
  scoreArrival,
  trustWeightedRating,
} from "../src/index.js";
import { type ProductTimeline, falseAlarms, injectBursts, productTimelines } from "./bursts.js";
import { dataDir, loadMovieLens, loadYelpChi } from "./datasets.js";
import { labelBenchmark } from "./labels.js";
import { nearDuplicates } from "./near-duplicates.js";
import { readFileSync } from "node:fs";
import path from "node:path";

const f = (x: number, d = 3) => x.toFixed(d);
const pad = (s: string, n: number) => s.padEnd(n);
const lpad = (s: string, n: number) => s.padStart(n);

function table(headers: string[], rows: (string | number)[][]): void {
  const cells = rows.map((r) => r.map(String));
  const widths = headers.map((h, i) => Math.max(h.length, ...cells.map((r) => r[i]!.length)));
  const line = (r: string[]) => `| ${r.map((c, i) => (i === 0 ? pad(c, widths[i]!) : lpad(c, widths[i]!))).join(" | ")} |`;
  console.log(line(headers));
  console.log(`|${widths.map((w, i) => (i === 0 ? "-".repeat(w + 2) : `${"-".repeat(w + 1)}:`)).join("|")}|`);
  for (const r of cells) console.log(line(r));
  console.log();
}

function histogramsOf(timelines: readonly ProductTimeline[]): StarHistogram[] {
  return timelines.map((t) => ratingCountsOf(t.reviews.map((r) => ({ stars: r.stars, weightBp: 10_000 }))).histogram);
}

const yelp = loadYelpChi();
const yelpTimelines = productTimelines(yelp);
const yelpPrior = empiricalBayesPrior(histogramsOf(yelpTimelines));
const established = yelpTimelines.filter((t) => t.reviews.length >= 50);
const parity = (t: ProductTimeline) => Number(t.productId.slice(1)) % 2;
const yelpSplits = [
  ["tuning (even)", established.filter((t) => parity(t) === 0)],
  ["held-out (odd)", established.filter((t) => parity(t) === 1)],
] as const;

console.log(`# Starling scoring benchmarks (data: ${dataDir})\n`);

console.log("## 1. Prior strength (empirical Bayes, method of moments; display uses max(m, 5))\n");
{
  const rows: (string | number)[][] = [];
  const fit = yelpPrior.fit;
  rows.push(["YelpChi, all 201 businesses", fit.productCount, f(fit.fitted ?? Number.NaN, 2), f(fit.strength, 2)]);
  const ml = loadMovieLens();
  const genreOf = new Map<string, string>();
  const movies = readFileSync(path.join(dataDir, "movielens-latest-small/movies.csv"), "utf8").split("\n").slice(1);
  for (const line of movies) {
    const m = /^(\d+),(.*),([^,]*)$/.exec(line.trim());
    if (m) genreOf.set(`m${m[1]}`, m[3]!.split("|")[0]!);
  }
  const mlTimelines = productTimelines(ml);
  for (const genre of ["Comedy", "Drama", "Action", "Horror", "Documentary"]) {
    const g = fitPriorStrength(histogramsOf(mlTimelines.filter((t) => genreOf.get(t.productId) === genre)));
    rows.push([`MovieLens, primary genre ${genre}`, g.productCount, f(g.fitted ?? Number.NaN, 2), f(g.strength, 2)]);
  }
  table(["products", "used", "fitted m", "display m"], rows);

  // Goal 1b: a brand-new product with 3 first-time 5-star reviews shows at most prior + 0.3.
  let product = initialProductState();
  const t0 = Date.parse("2012-01-01T00:00:00Z");
  for (let i = 0; i < 3; i++)
    product = scoreArrival(
      product,
      initialReviewerState(),
      { reviewId: `n${i}`, reviewerId: `n${i}`, stars: 5 },
      t0 + i * 3_600_000,
    ).product;
  for (const floor of [5, 6]) {
    const prior = empiricalBayesPrior(histogramsOf(yelpTimelines), { floor });
    const r = trustWeightedRating(product.counts, prior);
    console.log(
      `New product, 3 first-time 5-star reviews, YelpChi prior (mean ${f(r.priorMean, 2)}, floor ${floor}, m ${f(r.priorStrength, 1)}): ` +
        `displays ${f(r.mean, 2)} (${f(r.interval[0], 2)}–${f(r.interval[1], 2)}), prior + ${f(r.mean - r.priorMean, 2)} (goal ≤ +0.30); plain mean 5.00`,
    );
  }
  console.log();
}

console.log("## 2. Burst injection on YelpChi timelines (SCORING.md §3.2; products with ≥ 50 reviews, 3 bursts each, seed 11)\n");
{
  const rows: (string | number)[][] = [];
  for (const [name, set] of yelpSplits) {
    const fa = falseAlarms(set);
    rows.push([
      `${name}: ${set.length} products, ${f(fa.productYears, 0)} product-years`,
      "real timelines",
      "",
      "",
      f(fa.perProductYear, 3),
      "",
      "",
      "",
      "",
    ]);
    for (const size of [5, 10, 20]) {
      for (const stars of [5, 1] as const) {
        const r = injectBursts(set, {
          burstSize: size,
          stars,
          trialsPerProduct: 3,
          seed: 11 + size + stars,
          resolution: "day",
          prior: yelpPrior,
        });
        rows.push([
          `  ${size} × ${stars}★ first-time`,
          r.trials,
          f(r.recall, 2),
          r.medianDelayHours === null ? "-" : f(r.medianDelayHours / 24, 1),
          "",
          f(r.shiftPlainMean),
          f(r.shiftBayes),
          f(r.shiftTrustWeighted, 4),
          f(r.injectedWeight, 2),
        ]);
      }
    }
    const slow = injectBursts(set, {
      burstSize: 10,
      stars: 5,
      trialsPerProduct: 3,
      seed: 77,
      resolution: "day",
      prior: yelpPrior,
      spreadDays: 14,
    });
    rows.push([
      `  10 × 5★ first-time over 14 days (slow campaign)`,
      slow.trials,
      f(slow.recall, 2),
      slow.medianDelayHours === null ? "-" : f(slow.medianDelayHours / 24, 1),
      "",
      f(slow.shiftPlainMean),
      f(slow.shiftBayes),
      f(slow.shiftTrustWeighted, 4),
      f(slow.injectedWeight, 2),
    ]);
    const seasoned = injectBursts(set, {
      burstSize: 10,
      stars: 5,
      trialsPerProduct: 3,
      seed: 99,
      resolution: "day",
      prior: yelpPrior,
      injectedPriorReviews: 5,
    });
    rows.push([
      `  10 × 5★ from accounts with 5 earlier reviews`,
      seasoned.trials,
      f(seasoned.recall, 2),
      seasoned.medianDelayHours === null ? "-" : f(seasoned.medianDelayHours / 24, 1),
      "",
      f(seasoned.shiftPlainMean),
      f(seasoned.shiftBayes),
      f(seasoned.shiftTrustWeighted, 4),
      f(seasoned.injectedWeight, 2),
    ]);
  }
  table(
    [
      "burst",
      "trials",
      "recall",
      "delay d (median)",
      "false-alarm days / product-yr",
      "|Δ| plain mean",
      `|Δ| Bayes m=${f(yelpPrior.strength, 1)}`,
      "|Δ| displayed (trust)",
      "injected weight",
    ],
    rows,
  );
  console.log(
    "Goals: |Δ| displayed ≤ 0.02 for 10 × 5★ (plain mean 0.085); recall ≥ 0.8 (5) and ≥ 0.98 (10) at ≤ 0.1 false-alarm days per product-year.",
  );
  console.log("YelpChi dates have day resolution, so delay is in days (0 = flagged on the day of the first injected review).\n");
}

console.log("## 3. Burst injection on MovieLens timelines (second resolution; movies with ≥ 50 ratings, 3 bursts each within 48 h)\n");
{
  const ml = productTimelines(loadMovieLens());
  const mlPrior = empiricalBayesPrior(histogramsOf(ml));
  const set = ml.filter((t) => t.reviews.length >= 50);
  const fa = falseAlarms(set);
  const rows: (string | number)[][] = [
    [`${set.length} movies, ${f(fa.productYears, 0)} product-years`, "real timelines", "", "", f(fa.perProductYear, 3), "", ""],
  ];
  for (const size of [5, 10]) {
    for (const stars of [5, 1] as const) {
      const r = injectBursts(set, {
        burstSize: size,
        stars,
        trialsPerProduct: 3,
        seed: 21 + size + stars,
        resolution: "second",
        prior: mlPrior,
      });
      rows.push([
        `  ${size} × ${stars}★ first-time`,
        r.trials,
        f(r.recall, 2),
        r.medianDelayHours === null ? "-" : f(r.medianDelayHours, 1),
        "",
        f(r.shiftPlainMean),
        f(r.shiftTrustWeighted, 4),
      ]);
    }
  }
  table(
    ["burst", "trials", "recall", "delay h (median)", "false-alarm days / product-yr", "|Δ| plain mean", "|Δ| displayed (trust)"],
    rows,
  );
}

console.log("## 4. Per-review suspicion against YelpChi's filter (metadata only, no training on labels)\n");
{
  const rows = labelBenchmark(yelp).map((r) => [
    `${r.score}, ${r.split}`,
    r.reviews,
    f(r.auc),
    f(r.ap),
    f(r.userAuc),
    f(r.userAp),
    f(r.userPrevalence),
  ]);
  table(["score, products", "reviews", "AUC", "AP", "user AUC", "user AP", "user prevalence"], rows);
  console.log("Goals: write-time AUC ≥ 0.72, AP ≥ 0.26 (baseline 0.662 / 0.219); batch AUC ≥ 0.80, AP ≥ 0.35 (baseline 0.774 / 0.308).");
  console.log("Review prevalence 0.132 (random AP). User level = max over a user's reviews, positive = ≥ 1 filtered review.\n");
}

console.log("## 5. Near-duplicate text (MinHash, 64 hashes, word 3-shingles, 16 bands × 4 rows, flag at estimated Jaccard ≥ 0.7)\n");
{
  const r = nearDuplicates();
  table(
    ["case", "reviews", "flagged", "rate"],
    [
      [
        `Amazon Fashion, all rows (${r.amazonSameAuthorRepeats} are same-author repeats on variants)`,
        r.amazonReviews,
        r.amazonFlags,
        f(r.amazonFlags / r.amazonReviews),
      ],
      ["Ott + Amazon distinct texts, each by its own author", r.originals, r.originalFlags, f(r.originalFlags / r.originals)],
      [`injected cross-author copies, exact Jaccard ≥ 0.8 (mean ${f(r.meanCopyJaccard, 2)})`, r.copies, r.copiesFlagged, f(r.recall)],
      ["  of which Jaccard in [0.80, 0.85)", r.hardCopies, r.hardCopiesFlagged, f(r.hardCopiesFlagged / r.hardCopies)],
    ],
  );
  console.log("Goals: 0 flags on Amazon same-author variant listings; recall ≥ 0.95 on cross-author copies.\n");
}
