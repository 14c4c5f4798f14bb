/**
 * The displayed rating with trust weights: the Dirichlet-multinomial posterior
 * of rating.ts where each review counts with its trust weight, and the
 * interval uses Kish's effective sample size.
 *
 * Weights are integers in basis points (0..10000), so every sum here is an
 * exact integer in a double (below 2^53): adding reviews one at a time, in any
 * order, or all at once in the recompute job gives bit-identical counts
 * (SCORING.md §1, "Trust weighting").
 */
import { requireInput } from "./errors.js";
import { type BayesianRating, type RatingPrior, type StarHistogram, dirichletPosterior, plainMean } from "./rating.js";

/** A full trust weight, in basis points. */
export const FULL_WEIGHT_BP = 10_000;

/**
 * The counts a product's displayed rating is computed from; plain JSON,
 * updated in O(1) per review. All fields are integers.
 */
export interface RatingCounts {
  /** Reviews counted. */
  count: number;
  /** Raw reviews per star level, index 0 = 1 star. */
  histogram: [number, number, number, number, number];
  /** Σ trust weight (basis points) per star level. */
  weightedHistogramBp: [number, number, number, number, number];
  /** Σ weight², in basis points squared (so 1e8 per full-weight review). */
  weightSquaresBp2: number;
  /** Reviews whose weight is below {@link DISCOUNTED_BELOW_BP}. */
  discountedCount: number;
}

/** A review counts as "discounted" in the summary when its weight is below 0.9. */
export const DISCOUNTED_BELOW_BP = 9_000;

/** Counts with no reviews. */
export function emptyRatingCounts(): RatingCounts {
  return {
    count: 0,
    histogram: [0, 0, 0, 0, 0],
    weightedHistogramBp: [0, 0, 0, 0, 0],
    weightSquaresBp2: 0,
    discountedCount: 0,
  };
}

function checkReview(fn: string, stars: number, weightBp: number): void {
  requireInput(Number.isInteger(stars) && stars >= 1 && stars <= 5, fn, "an integer star rating 1..5", stars);
  requireInput(
    Number.isInteger(weightBp) && weightBp >= 0 && weightBp <= FULL_WEIGHT_BP,
    fn,
    "an integer weight in basis points 0..10000",
    weightBp,
  );
}

/**
 * Adds one review (sign +1) or takes one back (sign −1), in place.
 *
 * O(1). Taking back exactly what was added restores the counts bit for bit,
 * which is how a review's weight is changed after a burst is flagged.
 *
 * @throws {ScoringInputError} for a star rating outside 1..5 or a weight outside 0..10000
 * @example
 * const c = emptyRatingCounts(); addToRatingCounts(c, 5, 10_000); // c.weightedHistogramBp[4] === 10000
 */
export function addToRatingCounts(counts: RatingCounts, stars: number, weightBp: number, sign: 1 | -1 = 1): void {
  checkReview("addToRatingCounts", stars, weightBp);
  counts.count += sign;
  counts.histogram[stars - 1]! += sign;
  counts.weightedHistogramBp[stars - 1]! += sign * weightBp;
  counts.weightSquaresBp2 += sign * weightBp * weightBp;
  if (weightBp < DISCOUNTED_BELOW_BP) counts.discountedCount += sign;
}

/**
 * The counts of a whole list of reviews at once, as the recompute job builds them.
 *
 * @example
 * ratingCountsOf([{ stars: 5, weightBp: 10_000 }, { stars: 1, weightBp: 500 }]).weightSquaresBp2 // 100250000
 */
export function ratingCountsOf(reviews: Iterable<{ readonly stars: number; readonly weightBp: number }>): RatingCounts {
  const c = emptyRatingCounts();
  for (const r of reviews) addToRatingCounts(c, r.stars, r.weightBp);
  return c;
}

export interface TrustWeightedRating extends BayesianRating {
  /** Reviews counted (raw). */
  readonly count: number;
  /** Σ trust weights, in reviews. */
  readonly weightedCount: number;
  /** Kish's effective sample size (Σw)²/Σw², what the interval is based on. */
  readonly effectiveCount: number;
  /** Reviews counted with a weight below 0.9. */
  readonly discountedCount: number;
  /** The unweighted average of the raw stars, or null without reviews. */
  readonly plainMean: number | null;
}

/**
 * Trust-weighted Dirichlet-multinomial posterior rating.
 *
 * With weighted counts n_k = Σ w_i·[r_i = k], W = Σ n_k and prior α_k = m·π_k:
 * p_k = (n_k + α_k)/(W + m), mean μ = Σ k·p_k. For the spread, the data are worth
 * Kish's n_eff = W²/Σw² reviews (a few heavily weighted reviews are less
 * evidence than many), so var = (Σ k²p_k − μ²)/(n_eff + m + 1). With all weights
 * 1 this is exactly {@link bayesianRating}. O(1).
 *
 * @see SCORING.md §1 (Evan Miller's star ranking with an empirical-Bayes prior; Kish 1965)
 * @example
 * trustWeightedRating(ratingCountsOf([{ stars: 5, weightBp: 10_000 }]), { shares: [.2,.2,.2,.2,.2], strength: 5 }).mean // 3.333…
 */
export function trustWeightedRating(counts: RatingCounts, prior: RatingPrior): TrustWeightedRating {
  const m = prior.strength;
  requireInput(m > 0 && Number.isFinite(m), "trustWeightedRating", "a positive finite prior strength", m);
  const weighted = counts.weightedHistogramBp.map((w) => w / FULL_WEIGHT_BP);
  const weightSum = weighted.reduce((a, b) => a + b, 0);
  const squares = counts.weightSquaresBp2 / (FULL_WEIGHT_BP * FULL_WEIGHT_BP);
  const effectiveCount = squares > 0 ? (weightSum * weightSum) / squares : 0;
  return {
    ...dirichletPosterior(weighted, effectiveCount, prior),
    count: counts.count,
    weightedCount: weightSum,
    effectiveCount,
    discountedCount: counts.discountedCount,
    plainMean: plainMean(counts.histogram as StarHistogram),
  };
}
