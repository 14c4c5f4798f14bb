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
 */
import type { Reason } from "./reasons.js";
import type { TimelineResult, TimelineReview } from "./timeline.js";
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
} as const;

/** Write-time reasons that are about the reviewer's history: hindsight replaces them. */
const CAUSAL_HISTORY = new Set(["first_time_reviewer", "reviewer_history", "reviewer_daily_volume", "rating_deviation"]);

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
  total: number;
  firstMs: number;
  lastMs: number;
  lastDay: number;
  dayCount: number;
  maxPerDay: number;
  stars: number[];
  gaps: number[];
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
 * product's counts.
 */
export function rescoreWithHindsight(
  reviews: readonly TimelineReview[],
  writeTime: Pick<TimelineResult, "reviews">,
  options: ScoringOptions = DEFAULT_SCORING_OPTIONS,
): HindsightScore[] {
  const W = HINDSIGHT_WEIGHTS;
  const reviewers = new Map<string, ReviewerFacts>();
  const products = new Map<string, { sum: number; count: number; firstMs: number; lastMs: number; establishedSum: number; establishedCount: number }>();
  const populationStars = [0, 0, 0, 0, 0];
  const populationGaps = new Array<number>(GAP_BINS).fill(0);
  for (const r of reviews) {
    let u = reviewers.get(r.reviewerId);
    const day = Math.floor(r.timeMs / DAY_MS);
    if (u === undefined) {
      u = { total: 0, firstMs: r.timeMs, lastMs: r.timeMs, lastDay: day, dayCount: 0, maxPerDay: 0, stars: [0, 0, 0, 0, 0], gaps: new Array<number>(GAP_BINS).fill(0) };
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
    if (p === undefined) products.set(r.productId, (p = { sum: 0, count: 0, firstMs: r.timeMs, lastMs: r.timeMs, establishedSum: 0, establishedCount: 0 }));
    p.sum += r.stars;
    p.count += 1;
    p.lastMs = r.timeMs;
  }
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

  return reviews.map((r, i) => {
    const reasons: Reason[] = writeTime.reviews[i]!.reasons.filter((x) => !CAUSAL_HISTORY.has(x.code));
    const u = reviewers.get(r.reviewerId)!;
    const activeDays = (u.lastMs - u.firstMs) / DAY_MS;
    const historyWeight =
      u.total === 1
        ? W.onlyReview
        : W.perLogTotal * Math.log(u.total) + W.perLogActiveDays * Math.log1p(activeDays) + W.busiestDayShare * (u.maxPerDay / u.total);
    reasons.push({ code: "reviewer_total", totalReviews: u.total, activeDays, maxReviewsPerDay: u.maxPerDay, weight: historyWeight });
    const bits = surprise.get(r.reviewerId)!;
    reasons.push({ code: "reviewer_surprise", surpriseBits: bits, reviewCount: u.total, weight: (W.surprisePerBitPerReview * bits) / u.total });
    const p = products.get(r.productId)!;
    if (p.count > 1) {
      const consensus = (p.sum - r.stars) / (p.count - 1);
      const deviation = Math.abs(r.stars - consensus);
      if (deviation > 1) reasons.push({ code: "rating_deviation", stars: r.stars, consensus, deviation, weight: W.deviationPerStar * (deviation - 1) });
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
    reasons.sort((a, b) => b.weight - a.weight);
    const suspicion = 1 / (1 + Math.exp(-logOdds));
    return { reviewId: r.reviewId, suspicion, trustWeightBp: trustWeightBpOf(suspicion, options), reasons };
  });
}
