/**
 * The batch re-score: with the whole timeline in hand, judge each review by
 * what its reviewer did before AND after it. For the recompute job only; the
 * write path cannot know a reviewer's future.
 *
 * Hindsight evidence, as log-odds added to the write-time evidence that does
 * not concern reviewer history (stars, bursts, copied text, verified):
 * - the reviewer's total reviews, active span and same-day share (Yelp's
 *   filter leans on these; SCORING.md §3.1: 1/total alone gives AUC 0.746);
 * - a BIRDNEST-style reviewer surprise (Hooi et al., SDM 2016), simplified:
 *   n·KL(posterior ‖ population) in bits, over the reviewer's star histogram
 *   and log-binned inter-arrival gaps, each posterior a Dirichlet with the
 *   population as prior (strength 5), per review;
 * - deviation from the product's final consensus, leave-one-out, and from
 *   the consensus of established reviewers (3+ reviews);
 * - how early in the product's history the review came.
 *
 * Weights are hand-set round numbers, checked on the even-numbered half of
 * YelpChi's products only (bench/README.md reports both halves).
 *
 * Genuine complaints are not fraud (issue 18, item 4): see
 * {@link sparesComplaint}.
 */
import type { Reason } from "./reasons.js";
import type { ScoredReview, TimelineResult, TimelineReview } from "./timeline.js";
import { requireInput } from "./errors.js";
import { trustWeightBpOf } from "./score-arrival.js";
import { DEFAULT_SCORING_OPTIONS, type ScoringOptions } from "./options.js";

export const HINDSIGHT_WEIGHTS = {
  base: -3.0,
  /** A reviewer whose only review this is. */
  onlyReview: 2.0,
  /** Per ln(total reviews), for reviewers with more than one. */
  perLogTotal: -0.8,
  /** Per ln(1 + active days), first to last review. */
  perLogActiveDays: -0.5,
  /** Times the share of the reviewer's reviews that fell on their busiest day. */
  busiestDayShare: 1.0,
  /** Per bit of reviewer surprise per review. */
  surprisePerBitPerReview: 1.0,
  /** Per star beyond 1 from the leave-one-out product mean. */
  deviationPerStar: 0.5,
  /** Per star from the established reviewers' consensus. */
  establishedDeviationPerStar: 0.5,
  /** Times 1 − (position in the product's review span, 0..1). */
  earliness: 1.0,
  /** A review by a member of a co-reviewing group (see coReviewGroups), for a group of 3; more per account beyond 3 (capped at 3 more). */
  coReview: 5.0,
  coReviewPerAccount: 0.5,
} as const;

/**
 * Batch co-review groups (issue 18), with hindsight: two accounts are linked
 * when they reviewed at least CO_REVIEW_MIN_SHARED of the same products each
 * within the window of one another (lockstep behaviour, CopyCatch; group spam,
 * Mukherjee et al. WWW 2012); a connected group of CO_REVIEW_MIN_ACCOUNTS or
 * more linked accounts is flagged, and each member's reviews of products that
 * another member reviewed within the window lose weight.
 */
export const CO_REVIEW_MIN_SHARED = 2;
export const CO_REVIEW_MIN_ACCOUNTS = 3;
/** Share of a group's reviews that must sit at one extreme (all 5★ or all 1★, nearly). */
export const CO_REVIEW_ALIGNED_SHARE = 0.8;

/** Whether at least CO_REVIEW_ALIGNED_SHARE of the stars are 5, or of them 1. */
export function alignedStars(stars: readonly number[]): boolean {
  let fives = 0;
  let ones = 0;
  for (const s of stars) {
    if (s === 5) fives++;
    else if (s === 1) ones++;
  }
  return Math.max(fives, ones) >= CO_REVIEW_ALIGNED_SHARE * stars.length;
}

/** Write-time reasons that are about the reviewer's history: hindsight replaces them. */
const CAUSAL_HISTORY = new Set([
  "first_time_reviewer",
  "reviewer_history",
  "reviewer_daily_volume",
  "rating_deviation",
  "history_pattern",
  "flagged_history",
  // The write-time group is replaced by the batch one, found with hindsight.
  "co_review",
]);

/**
 * Write-time reasons that place a review in a coordinated pattern rather than
 * describe its author alone: a flagged burst or campaign window, a co-review
 * group, text copied from another author.
 */
const CAMPAIGN_EVIDENCE = new Set(["burst", "campaign", "co_review", "duplicate_text"]);

/**
 * Whether the batch must not judge this review harsher than the write path
 * did (`ScoringOptions.hindsightSparesComplaints`): a 1–2★ review that is its
 * author's first in the shop, with no campaign-type evidence. Hindsight about
 * such an author says only that they wrote once (`onlyReview`), early,
 * against the consensus, in a surprising pattern for one review; that is what
 * an unhappy customer who never comes back looks like too, and it brought
 * thousands of YelpChi's genuine first-time complaints to half weight (3,041
 * caught by the batch against 1,580 by the write path). Covered by a burst,
 * a campaign, copied text or a batch co-review group, it is judged in full:
 * a slow 1★ campaign is caught by those or not at all.
 */
function sparesComplaint(review: TimelineReview, firstOfAuthor: boolean, writeTimeReasons: readonly Reason[], inGroup: boolean): boolean {
  return review.stars <= 2 && firstOfAuthor && !inGroup && !writeTimeReasons.some((x) => CAMPAIGN_EVIDENCE.has(x.code));
}

const DAY_MS = 86_400_000;
const GAP_BINS = 12;
const SURPRISE_PRIOR_STRENGTH = 5;

/** Gap bin: ⌊log2(1 + gap in days)⌋, so same day, 1 day, 2–3, 4–7, … up to years. */
function gapBin(gapMs: number): number {
  return Math.min(GAP_BINS - 1, Math.floor(Math.log2(1 + gapMs / DAY_MS)));
}

/** n·KL(p̂ ‖ q) in bits, p̂ the Dirichlet posterior mean with prior strength·q. */
function surpriseBits(counts: readonly number[], population: readonly number[]): number {
  let n = 0;
  for (const c of counts) n += c;
  if (n === 0) return 0;
  let kl = 0;
  for (let k = 0; k < counts.length; k++) {
    const q = population[k]!;
    const p = (counts[k]! + SURPRISE_PRIOR_STRENGTH * q) / (n + SURPRISE_PRIOR_STRENGTH);
    kl += p * Math.log2(p / q);
  }
  return n * kl;
}

interface ReviewerFacts {
  /** Index in the timeline of the reviewer's first review. */
  firstIndex: number;
  total: number;
  firstMs: number;
  lastMs: number;
  lastDay: number;
  dayCount: number;
  maxPerDay: number;
  stars: number[];
  gaps: number[];
}

/** A batch co-review group: its accounts, and per member review (index into the timeline) the group it belongs to. */
export interface CoReviewGroup {
  readonly accounts: number;
  readonly products: number;
  readonly spanDays: number;
  /** Indexes of the member reviews that lose weight. */
  readonly reviews: number[];
}

/**
 * Finds co-reviewing groups in a whole timeline (arrival order).
 * O(Σ per product of reviews × reviews within the window before them).
 */
export function coReviewGroups(reviews: readonly TimelineReview[], options: ScoringOptions = DEFAULT_SCORING_OPTIONS): CoReviewGroup[] {
  const windowMs = options.coReviewWindowMs;
  const reviewerIndex = new Map<string, number>();
  const reviewerOf = reviews.map((r) => {
    let i = reviewerIndex.get(r.reviewerId);
    if (i === undefined) reviewerIndex.set(r.reviewerId, (i = reviewerIndex.size));
    return i;
  });
  const byProduct = new Map<string, number[]>();
  reviews.forEach((r, i) => {
    const list = byProduct.get(r.productId);
    if (list === undefined) byProduct.set(r.productId, [i]);
    else list.push(i);
  });
  // Pair → shared products (counted once per product) and the review indexes involved.
  const pairs = new Map<number, { products: number; lastProduct: string; reviews: number[] }>();
  const n = reviewerIndex.size;
  for (const [productId, list] of byProduct) {
    let from = 0;
    for (let k = 0; k < list.length; k++) {
      const i = list[k]!;
      while (reviews[i]!.timeMs - reviews[list[from]!]!.timeMs > windowMs) from++;
      for (let m = from; m < k; m++) {
        const j = list[m]!;
        const a = reviewerOf[i]!;
        const b = reviewerOf[j]!;
        if (a === b) continue;
        const key = a < b ? a * n + b : b * n + a;
        let pair = pairs.get(key);
        if (pair === undefined) pairs.set(key, (pair = { products: 0, lastProduct: "", reviews: [] }));
        if (pair.lastProduct !== productId) {
          pair.products += 1;
          pair.lastProduct = productId;
        }
        pair.reviews.push(i, j);
      }
    }
  }
  // Union-find over the linked pairs.
  const parent = new Map<number, number>();
  const find = (x: number): number => {
    let root = x;
    while (parent.get(root) !== undefined && parent.get(root) !== root) root = parent.get(root)!;
    parent.set(x, root);
    return root;
  };
  const linked: { a: number; b: number; reviews: number[] }[] = [];
  for (const [key, pair] of pairs) {
    if (pair.products < CO_REVIEW_MIN_SHARED) continue;
    const a = Math.floor(key / n);
    const b = key % n;
    linked.push({ a, b, reviews: pair.reviews });
    const ra = find(a);
    const rb = find(b);
    if (ra !== rb) parent.set(Math.max(ra, rb), Math.min(ra, rb));
  }
  const groups = new Map<number, { members: Set<number>; reviews: Set<number> }>();
  for (const e of linked) {
    const root = find(e.a);
    let g = groups.get(root);
    if (g === undefined) groups.set(root, (g = { members: new Set(), reviews: new Set() }));
    g.members.add(e.a).add(e.b);
    for (const i of e.reviews) g.reviews.add(i);
  }
  const out: CoReviewGroup[] = [];
  for (const g of groups.values()) {
    if (g.members.size < CO_REVIEW_MIN_ACCOUNTS) continue;
    const idx = [...g.reviews].sort((x, y) => x - y);
    // Lockstep pushes one way: most of a group's reviews at one extreme.
    // Friends who eat out together rate as they find (on YelpChi, groups
    // without this rule were filtered at 0.05, below the 0.13 base rate).
    if (!alignedStars(idx.map((i) => reviews[i]!.stars))) continue;
    const products = new Set(idx.map((i) => reviews[i]!.productId));
    const times = idx.map((i) => reviews[i]!.timeMs);
    out.push({
      accounts: g.members.size,
      products: products.size,
      spanDays: (Math.max(...times) - Math.min(...times)) / DAY_MS + 1,
      reviews: idx,
    });
  }
  return out;
}

export interface HindsightScore {
  readonly reviewId: string;
  readonly suspicion: number;
  readonly trustWeightBp: number;
  readonly reasons: Reason[];
}

/**
 * Re-scores a whole timeline with hindsight, from the reviews (arrival order)
 * and their write-time scores from {@link scoreTimeline}. O(reviews).
 * Use the returned weights with {@link ratingCountsOf} to rebuild each
 * product's counts. A complaint the batch spares ({@link sparesComplaint})
 * keeps its write-time score, reasons included.
 */
export function rescoreWithHindsight(
  reviews: readonly TimelineReview[],
  writeTime: Pick<TimelineResult, "reviews">,
  options: ScoringOptions = DEFAULT_SCORING_OPTIONS,
): HindsightScore[] {
  const W = HINDSIGHT_WEIGHTS;
  const reviewers = new Map<string, ReviewerFacts>();
  const products = new Map<
    string,
    { sum: number; count: number; firstMs: number; lastMs: number; establishedSum: number; establishedCount: number }
  >();
  const populationStars = [0, 0, 0, 0, 0];
  const populationGaps = new Array<number>(GAP_BINS).fill(0);
  reviews.forEach((r, i) => {
    let u = reviewers.get(r.reviewerId);
    const day = Math.floor(r.timeMs / DAY_MS);
    if (u === undefined) {
      u = {
        firstIndex: i,
        total: 0,
        firstMs: r.timeMs,
        lastMs: r.timeMs,
        lastDay: day,
        dayCount: 0,
        maxPerDay: 0,
        stars: [0, 0, 0, 0, 0],
        gaps: new Array<number>(GAP_BINS).fill(0),
      };
      reviewers.set(r.reviewerId, u);
    } else {
      const bin = gapBin(r.timeMs - u.lastMs);
      u.gaps[bin]! += 1;
      populationGaps[bin]! += 1;
    }
    u.dayCount = u.total > 0 && u.lastDay === day ? u.dayCount + 1 : 1;
    u.maxPerDay = Math.max(u.maxPerDay, u.dayCount);
    u.lastDay = day;
    u.total += 1;
    u.lastMs = r.timeMs;
    u.stars[r.stars - 1]! += 1;
    populationStars[r.stars - 1]! += 1;
    let p = products.get(r.productId);
    if (p === undefined)
      products.set(r.productId, (p = { sum: 0, count: 0, firstMs: r.timeMs, lastMs: r.timeMs, establishedSum: 0, establishedCount: 0 }));
    p.sum += r.stars;
    p.count += 1;
    p.lastMs = r.timeMs;
  });
  for (const r of reviews) {
    if (reviewers.get(r.reviewerId)!.total < 3) continue;
    const p = products.get(r.productId)!;
    p.establishedSum += r.stars;
    p.establishedCount += 1;
  }
  // Population shares with one pseudo-count per bin, so no bin has zero mass.
  const starTotal = populationStars.reduce((a, b) => a + b, 0) + 5;
  const starShares = populationStars.map((c) => (c + 1) / starTotal);
  const gapTotal = populationGaps.reduce((a, b) => a + b, 0) + GAP_BINS;
  const gapShares = populationGaps.map((c) => (c + 1) / gapTotal);
  const surprise = new Map<string, number>();
  for (const [id, u] of reviewers) surprise.set(id, surpriseBits(u.stars, starShares) + surpriseBits(u.gaps, gapShares));

  const groupOf = new Map<number, CoReviewGroup>();
  if (options.coReview) for (const g of coReviewGroups(reviews, options)) for (const i of g.reviews) groupOf.set(i, g);

  return reviews.map((r, i) => {
    const written = writeTime.reviews[i]!;
    const reasons: Reason[] = written.reasons.filter((x) => !CAUSAL_HISTORY.has(x.code));
    const group = groupOf.get(i);
    if (group !== undefined) {
      reasons.push({
        code: "co_review",
        accounts: group.accounts,
        products: group.products,
        windowDays: options.coReviewWindowMs / DAY_MS,
        spanDays: group.spanDays,
        weight: W.coReview + W.coReviewPerAccount * Math.min(3, group.accounts - CO_REVIEW_MIN_ACCOUNTS),
      });
    }
    const u = reviewers.get(r.reviewerId)!;
    const activeDays = (u.lastMs - u.firstMs) / DAY_MS;
    const historyWeight =
      u.total === 1
        ? W.onlyReview
        : W.perLogTotal * Math.log(u.total) + W.perLogActiveDays * Math.log1p(activeDays) + W.busiestDayShare * (u.maxPerDay / u.total);
    reasons.push({ code: "reviewer_total", totalReviews: u.total, activeDays, maxReviewsPerDay: u.maxPerDay, weight: historyWeight });
    const bits = surprise.get(r.reviewerId)!;
    reasons.push({
      code: "reviewer_surprise",
      surpriseBits: bits,
      reviewCount: u.total,
      weight: (W.surprisePerBitPerReview * bits) / u.total,
    });
    const p = products.get(r.productId)!;
    if (p.count > 1) {
      const consensus = (p.sum - r.stars) / (p.count - 1);
      const deviation = Math.abs(r.stars - consensus);
      if (deviation > 1)
        reasons.push({ code: "rating_deviation", stars: r.stars, consensus, deviation, weight: W.deviationPerStar * (deviation - 1) });
    }
    if (p.establishedCount > 0) {
      const consensus = p.establishedSum / p.establishedCount;
      const deviation = Math.abs(r.stars - consensus);
      reasons.push({ code: "rating_deviation", stars: r.stars, consensus, deviation, weight: W.establishedDeviationPerStar * deviation });
    }
    const lifeShare = (r.timeMs - p.firstMs) / Math.max(DAY_MS, p.lastMs - p.firstMs);
    reasons.push({ code: "early_review", lifeShare, weight: W.earliness * (1 - lifeShare) });
    let logOdds = W.base;
    for (const x of reasons) logOdds += x.weight;
    const suspicion = 1 / (1 + Math.exp(-logOdds));
    // Everything the batch adds to a spared complaint is about its author's
    // history, so keeping the write-time verdict, reasons and all, is the
    // batch's verdict without that history's extra cost.
    if (
      options.hindsightSparesComplaints &&
      suspicion > written.suspicion &&
      sparesComplaint(r, u.firstIndex === i, written.reasons, group !== undefined)
    )
      return {
        reviewId: r.reviewId,
        suspicion: written.suspicion,
        trustWeightBp: written.trustWeightBp,
        reasons: [...written.reasons].sort((a, b) => b.weight - a.weight),
      };
    reasons.sort((a, b) => b.weight - a.weight);
    return { reviewId: r.reviewId, suspicion, trustWeightBp: trustWeightBpOf(suspicion, options), reasons };
  });
}

/**
 * What the daily hindsight sweep applies to one review, from its write-time
 * score and its {@link rescoreWithHindsight} score (same review). The batch
 * as it is discounts every one-off 5★ account, detected or not (`onlyReview`,
 * earliness, deviation): applied live it would lower genuine products'
 * ratings night after night, since one-off accounts are what most of a
 * shop's genuine customers are. So the sweep takes hindsight only where it
 * knows something the write path could not:
 * - hindsight weighs the review more: its author went on to write ordinary
 *   reviews, spread over time and products, so a write-time flag on a real
 *   first-time reviewer is lifted once they prove real;
 * - hindsight weighs it less because the review belongs to one of the batch's
 *   co-review groups (`co_review`) and the write path had no group for it:
 *   campaign evidence that only the whole timeline shows.
 * Otherwise the write-time score stands: hindsight about history alone never
 * discounts a review further.
 */
export function sweepScore(written: ScoredReview, hindsight: HindsightScore): HindsightScore {
  requireInput(
    written.reviewId === hindsight.reviewId,
    "sweepScore",
    `the hindsight score of review ${written.reviewId}`,
    hindsight.reviewId,
  );
  if (sweepTakesHindsight(written, hindsight)) return hindsight;
  return { reviewId: written.reviewId, suspicion: written.suspicion, trustWeightBp: written.trustWeightBp, reasons: [...written.reasons] };
}

/** Whether {@link sweepScore} takes the hindsight score (it restores the review, or adds a co-review group) rather than the write-time one. */
export function sweepTakesHindsight(written: ScoredReview, hindsight: HindsightScore): boolean {
  if (hindsight.trustWeightBp > written.trustWeightBp) return true;
  return (
    hindsight.trustWeightBp < written.trustWeightBp &&
    hindsight.reasons.some((x) => x.code === "co_review") &&
    !written.reasons.some((x) => x.code === "co_review")
  );
}

/**
 * {@link sweepScore} over a whole timeline: the write-time scores (from
 * {@link scoreTimeline}) and the hindsight scores of the same reviews, in the
 * same order, as {@link rescoreWithHindsight} returns them.
 */
export function sweepScores(writeTime: readonly ScoredReview[], hindsight: readonly HindsightScore[]): HindsightScore[] {
  requireInput(writeTime.length === hindsight.length, "sweepScores", `${writeTime.length} hindsight scores`, hindsight.length);
  return writeTime.map((w, i) => sweepScore(w, hindsight[i]!));
}
