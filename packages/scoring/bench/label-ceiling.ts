/**
 * How far can YelpChi's metadata go? `pnpm --filter @starling/scoring bench:ceiling`
 * (about ten seconds; reads ../shared/data). Fits models on the tuning half
 * (even product ids) only and reports both halves, next to the shipped
 * scores, to show whether a goal of SCORING.md §4.3 is within reach of the
 * information at all. Nothing here ships: these models are TRAINED on the
 * labels, and the tree ensemble is a ceiling probe, not a scorer.
 *
 * - write-time, trained: logistic regression on the write-time reasons'
 *   log-odds by code plus the star level (what re-weighting the shipped
 *   write-time features could reach);
 * - batch, trained: logistic regression on 21 hindsight features per review
 *   (reviewer totals, span, busiest day, rating entropy and extremity, mean
 *   deviation from products' consensus, recency and age at the end of the
 *   timeline, product size and share of single-review reviewers, the day's
 *   volume on the product, the shipped batch score's log-odds);
 * - batch, gradient-boosted trees (depth 2, 150 rounds, learning rate 0.05,
 *   32 quantile bins) on the same raw features.
 *
 * Every feature is a function of days, not of the order of reviews within a
 * day: the file is sorted by label within each product, so same-day order
 * would leak the label.
 */
import { rescoreWithHindsight, scoreTimeline } from "../src/index.js";
import { DAY_MS, loadYelpChi } from "./datasets.js";
import { auc, averagePrecision, userLevel } from "./metrics.js";

const rows = loadYelpChi();
const n = rows.length;
const writeTime = scoreTimeline(rows);
const batch = rescoreWithHindsight(rows, writeTime);
const even = rows.map((_, i) => i).filter((i) => Number(rows[i]!.productId.slice(1)) % 2 === 0);
const odd = rows.map((_, i) => i).filter((i) => Number(rows[i]!.productId.slice(1)) % 2 === 1);
const y = rows.map((r) => (r.filtered ? 1 : 0));
const logit = (p: number) => Math.log(p / (1 - p));

// Per reviewer and per product facts over the whole timeline (hindsight).
interface Facts {
  count: number;
  firstMs: number;
  lastMs: number;
  perDay: Map<number, number>;
  stars: number[];
  indices: number[];
}
const newFacts = (t: number): Facts => ({ count: 0, firstMs: t, lastMs: t, perDay: new Map(), stars: [0, 0, 0, 0, 0], indices: [] });
const users = new Map<string, Facts>();
const products = new Map<string, Facts & { sum: number }>();
const endMs = rows.reduce((m, r) => Math.max(m, r.timeMs), Number.NEGATIVE_INFINITY);
rows.forEach((r, i) => {
  const day = Math.floor(r.timeMs / DAY_MS);
  let u = users.get(r.reviewerId);
  if (u === undefined) users.set(r.reviewerId, (u = newFacts(r.timeMs)));
  let p = products.get(r.productId);
  if (p === undefined) products.set(r.productId, (p = { ...newFacts(r.timeMs), sum: 0 }));
  for (const f of [u, p]) {
    f.count++;
    f.firstMs = Math.min(f.firstMs, r.timeMs);
    f.lastMs = Math.max(f.lastMs, r.timeMs);
    f.perDay.set(day, (f.perDay.get(day) ?? 0) + 1);
    f.stars[r.stars - 1]! += 1;
    f.indices.push(i);
  }
  p.sum += r.stars;
});
const deviation = rows.map((r) => {
  const p = products.get(r.productId)!;
  return p.count > 1 ? Math.abs(r.stars - (p.sum - r.stars) / (p.count - 1)) : 0;
});
const meanOver = (f: Facts, v: (i: number) => number) => f.indices.reduce((a, i) => a + v(i), 0) / f.count;
const singleShare = new Map(
  [...products].map(([id, p]) => [id, p.indices.filter((i) => users.get(rows[i]!.reviewerId)!.count === 1).length / p.count]),
);
const entropy = (c: number[]) => {
  const t = c.reduce((a, b) => a + b, 0);
  return -c.reduce((a, x) => a + (x > 0 ? (x / t) * Math.log2(x / t) : 0), 0);
};
const surpriseWeight = batch.map((b) => b.reasons.find((r) => r.code === "reviewer_surprise")?.weight ?? 0);

const FEATURES: Record<string, (i: number) => number> = {
  logTotal: (i) => Math.log(users.get(rows[i]!.reviewerId)!.count),
  single: (i) => (users.get(rows[i]!.reviewerId)!.count === 1 ? 1 : 0),
  logSpanDays: (i) => {
    const u = users.get(rows[i]!.reviewerId)!;
    return Math.log1p((u.lastMs - u.firstMs) / DAY_MS);
  },
  logMaxPerDay: (i) => Math.log(Math.max(...users.get(rows[i]!.reviewerId)!.perDay.values())),
  busiestDayShare: (i) => {
    const u = users.get(rows[i]!.reviewerId)!;
    return Math.max(...u.perDay.values()) / u.count;
  },
  ratingEntropy: (i) => entropy(users.get(rows[i]!.reviewerId)!.stars),
  extremeShare: (i) => {
    const u = users.get(rows[i]!.reviewerId)!;
    return (u.stars[0]! + u.stars[4]!) / u.count;
  },
  positiveShare: (i) => {
    const u = users.get(rows[i]!.reviewerId)!;
    return (u.stars[3]! + u.stars[4]!) / u.count;
  },
  reviewerMeanDeviation: (i) => meanOver(users.get(rows[i]!.reviewerId)!, (j) => deviation[j]!),
  deviation: (i) => deviation[i]!,
  oneStar: (i) => (rows[i]!.stars === 1 ? 1 : 0),
  fiveStar: (i) => (rows[i]!.stars === 5 ? 1 : 0),
  lifeShare: (i) => {
    const p = products.get(rows[i]!.productId)!;
    return (rows[i]!.timeMs - p.firstMs) / Math.max(DAY_MS, p.lastMs - p.firstMs);
  },
  productSingleShare: (i) => singleShare.get(rows[i]!.productId)!,
  logProductSize: (i) => Math.log(products.get(rows[i]!.productId)!.count),
  logProductDayVolume: (i) => {
    const p = products.get(rows[i]!.productId)!;
    const perDay = p.count / ((p.lastMs - p.firstMs) / DAY_MS + 1);
    return Math.log(p.perDay.get(Math.floor(rows[i]!.timeMs / DAY_MS))! / perDay);
  },
  logReviewerAgeAtEnd: (i) => Math.log1p((endMs - users.get(rows[i]!.reviewerId)!.firstMs) / DAY_MS),
  logReviewerRecencyAtEnd: (i) => Math.log1p((endMs - users.get(rows[i]!.reviewerId)!.lastMs) / DAY_MS),
  logReviewAgeAtEnd: (i) => Math.log1p((endMs - rows[i]!.timeMs) / DAY_MS),
  surprisePerReview: (i) => surpriseWeight[i]!,
  shippedBatchLogOdds: (i) => logit(batch[i]!.suspicion),
};

/** Logistic regression by Newton's method on standardised columns, L2 1e-3 per example; deterministic. */
function fitLogistic(X: number[][], train: number[]): (x: number[]) => number {
  const d = X[0]!.length;
  const mean = Array.from({ length: d }, (_, j) => train.reduce((a, i) => a + X[i]![j]!, 0) / train.length);
  const sd = Array.from({ length: d }, (_, j) => Math.sqrt(train.reduce((a, i) => a + (X[i]![j]! - mean[j]!) ** 2, 0) / train.length) || 1);
  const z = (x: number[]) => [1, ...x.map((v, j) => (v - mean[j]!) / sd[j]!)];
  const Z = train.map((i) => z(X[i]!));
  const D = d + 1;
  let w = new Array<number>(D).fill(0);
  for (let iteration = 0; iteration < 25; iteration++) {
    const H = Array.from({ length: D }, () => new Array<number>(D + 1).fill(0));
    Z.forEach((zi, k) => {
      const p = 1 / (1 + Math.exp(-zi.reduce((a, v, j) => a + v * w[j]!, 0)));
      const r = p - y[train[k]!]!;
      for (let a = 0; a < D; a++) {
        H[a]![D]! += r * zi[a]!;
        for (let b = 0; b <= a; b++) H[a]![b]! += p * (1 - p) * zi[a]! * zi[b]!;
      }
    });
    for (let a = 0; a < D; a++) {
      for (let b = 0; b < a; b++) H[b]![a] = H[a]![b]!;
      if (a > 0) {
        H[a]![a]! += 1e-3 * train.length;
        H[a]![D]! += 1e-3 * train.length * w[a]!;
      }
    }
    // Gauss–Jordan with partial pivoting: H · step = gradient.
    for (let c = 0; c < D; c++) {
      let m = c;
      for (let r = c + 1; r < D; r++) if (Math.abs(H[r]![c]!) > Math.abs(H[m]![c]!)) m = r;
      [H[c], H[m]] = [H[m]!, H[c]!];
      for (let r = 0; r < D; r++) {
        if (r === c) continue;
        const f = H[r]![c]! / H[c]![c]!;
        for (let k = c; k <= D; k++) H[r]![k]! -= f * H[c]![k]!;
      }
    }
    w = w.map((v, k) => v - H[k]![D]! / H[k]![k]!);
  }
  return (x) => z(x).reduce((a, v, j) => a + v * w[j]!, 0);
}

/** Gradient-boosted depth-limited trees on quantile bins, log loss, fitted on `train`; returns every row's score. */
function boostedTrees(X: number[][], train: number[], rounds = 150, depth = 2, rate = 0.05, bins = 32): Float64Array {
  const d = X[0]!.length;
  const cuts = Array.from({ length: d }, (_, f) => {
    const v = train.map((i) => X[i]![f]!).sort((a, b) => a - b);
    const c: number[] = [];
    for (let b = 1; b < bins; b++) {
      const x = v[Math.floor((b * v.length) / bins)]!;
      if (c.length === 0 || x > c[c.length - 1]!) c.push(x);
    }
    return c;
  });
  const binned = Array.from({ length: d }, (_, f) =>
    Uint8Array.from(X, (x) => {
      let b = 0;
      while (b < cuts[f]!.length && x[f]! > cuts[f]![b]!) b++;
      return b;
    }),
  );
  const positives = train.reduce((a, i) => a + y[i]!, 0);
  const score = new Float64Array(X.length).fill(Math.log(positives / (train.length - positives)));
  const g = new Float64Array(X.length);
  const h = new Float64Array(X.length);
  type Tree = number | { f: number; t: number; left: Tree; right: Tree };
  const grow = (rowsIn: number[], level: number): Tree => {
    let G = 0;
    let H = 0;
    for (const i of rowsIn) {
      G += g[i]!;
      H += h[i]!;
    }
    const leaf = -G / (H + 1);
    if (level === 0 || rowsIn.length < 200) return leaf;
    let best = { gain: 0, f: -1, t: -1 };
    for (let f = 0; f < d; f++) {
      const gs = new Float64Array(bins);
      const hs = new Float64Array(bins);
      for (const i of rowsIn) {
        gs[binned[f]![i]!]! += g[i]!;
        hs[binned[f]![i]!]! += h[i]!;
      }
      let gl = 0;
      let hl = 0;
      for (let t = 0; t < bins - 1; t++) {
        gl += gs[t]!;
        hl += hs[t]!;
        if (hl < 20 || H - hl < 20) continue;
        const gain = (gl * gl) / (hl + 1) + ((G - gl) * (G - gl)) / (H - hl + 1) - (G * G) / (H + 1);
        if (gain > best.gain) best = { gain, f, t };
      }
    }
    if (best.f < 0) return leaf;
    const { f, t } = best;
    return {
      f,
      t,
      left: grow(
        rowsIn.filter((i) => binned[f]![i]! <= t),
        level - 1,
      ),
      right: grow(
        rowsIn.filter((i) => binned[f]![i]! > t),
        level - 1,
      ),
    };
  };
  const predict = (tree: Tree, i: number): number =>
    typeof tree === "number" ? tree : predict(binned[tree.f]![i]! <= tree.t ? tree.left : tree.right, i);
  for (let round = 0; round < rounds; round++) {
    for (const i of train) {
      const p = 1 / (1 + Math.exp(-score[i]!));
      g[i] = p - y[i]!;
      h[i] = p * (1 - p);
    }
    const tree = grow(train, depth);
    for (let i = 0; i < X.length; i++) score[i]! += rate * predict(tree, i);
  }
  return score;
}

const f3 = (x: number) => x.toFixed(3);
function row(name: string, scores: ArrayLike<number>): string {
  const cells = [even, odd].map((idx) => {
    const s = idx.map((i) => scores[i]!);
    const l = idx.map((i) => rows[i]!.filtered);
    const u = userLevel(
      idx.map((i) => rows[i]!.reviewerId),
      s,
      l,
    );
    return `${f3(auc(s, l))} | ${f3(averagePrecision(s, l))} | ${f3(auc(u.scores, u.labels))} | ${f3(averagePrecision(u.scores, u.labels))}`;
  });
  return `| ${name} | ${cells.join(" | ")} |`;
}

console.log("## YelpChi: what metadata can reach (fitted on the tuning half, even products; held out: odd)\n");
console.log(
  "| score | tuning AUC | tuning AP | tuning user AUC | tuning user AP | held-out AUC | held-out AP | held-out user AUC | held-out user AP |",
);
console.log("|---|--:|--:|--:|--:|--:|--:|--:|--:|");
console.log(
  row(
    "write-time, shipped (no training)",
    writeTime.reviews.map((r) => r.suspicion),
  ),
);
const codes = [
  "first_time_reviewer",
  "reviewer_history",
  "reviewer_daily_volume",
  "extreme_rating",
  "rating_deviation",
  "burst",
  "duplicate_text",
  "verified_purchase",
];
const writeX = writeTime.reviews.map((r, i) => [
  ...codes.map((c) => r.reasons.filter((x) => x.code === c).reduce((a, x) => a + x.weight, 0)),
  ...[1, 2, 5].map((s) => (rows[i]!.stars === s ? 1 : 0)),
]);
const writeModel = fitLogistic(writeX, even);
console.log(row("write-time, TRAINED logistic regression on its reasons", writeX.map(writeModel)));
console.log(
  row(
    "batch re-score, shipped (hand-set weights)",
    batch.map((b) => b.suspicion),
  ),
);
const names = Object.keys(FEATURES);
const X = Array.from({ length: n }, (_, i) => names.map((k) => FEATURES[k]!(i)));
const batchModel = fitLogistic(X, even);
console.log(row(`batch, TRAINED logistic regression, ${names.length} hindsight features`, X.map(batchModel)));
console.log(row("batch, TRAINED boosted trees (depth 2, 150 rounds), same features", boostedTrees(X, even)));
console.log(
  "\nGoals (SCORING.md §4.3): write-time AP ≥ 0.26 without training; batch AUC ≥ 0.80, AP ≥ 0.35. Prevalence: tuning 0.140, held-out 0.126.",
);
