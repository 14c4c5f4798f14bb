/**
 * The displayed rating: a Dirichlet-multinomial posterior over the five star
 * levels (Evan Miller's "ranking items with star ratings", with an informative
 * prior as SCORING.md §1 recommends instead of his uniform one).
 *
 * A prior of strength m with star shares π adds α_k = m·π_k pseudo-reviews to
 * each star level. The posterior mean is then the IMDb "weighted rating"
 * v/(v+m)·R + m/(v+m)·C, and the Dirichlet's spread gives the credible interval.
 */

/** Reviews (or weighted reviews) per star level: index 0 is 1 star, index 4 is 5 stars. */
export type StarHistogram = readonly [number, number, number, number, number];

export const STAR_LEVELS = [1, 2, 3, 4, 5] as const;

export interface RatingPrior {
  /** Share of each star level in the prior; sums to 1. */
  readonly shares: StarHistogram;
  /** How many reviews the prior is worth (m). */
  readonly strength: number;
}

export interface BayesianRating {
  /** Posterior mean star rating, in [1, 5]. */
  readonly mean: number;
  /** Two-sided 95% credible interval of the mean, clamped to [1, 5]. */
  readonly interval: readonly [number, number];
  /** One-sided 95% lower bound, the number to rank lists by. */
  readonly lowerBound: number;
  /** The prior's own mean, what a product with no reviews shows. */
  readonly priorMean: number;
  readonly priorStrength: number;
}

/** Two-sided 95% normal quantile. */
const Z_TWO_SIDED_95 = 1.959963984540054;
/** One-sided 95% normal quantile. */
const Z_ONE_SIDED_95 = 1.6448536269514722;

export function emptyHistogram(): StarHistogram {
  return [0, 0, 0, 0, 0];
}

export function histogramTotal(h: StarHistogram): number {
  return h[0] + h[1] + h[2] + h[3] + h[4];
}

/** The plain arithmetic mean, or null without reviews (there is nothing to average). */
export function plainMean(h: StarHistogram): number | null {
  const n = histogramTotal(h);
  if (n === 0) return null;
  return (h[0] + 2 * h[1] + 3 * h[2] + 4 * h[3] + 5 * h[4]) / n;
}

/**
 * A prior from a shop's (or category's) own star histogram.
 *
 * One pseudo-review per level is added before taking shares, so that a shop
 * with no reviews yet gets a neutral prior (mean 3) rather than an undefined
 * one, and no star level ever has zero prior mass. Its weight fades as soon as
 * the shop has a few dozen reviews.
 */
export function priorFromHistogram(h: StarHistogram, strength: number): RatingPrior {
  if (!(strength > 0) || !Number.isFinite(strength)) {
    throw new RangeError(`prior strength must be a positive finite number, got ${strength}`);
  }
  const total = histogramTotal(h) + 5;
  const shares = h.map((n) => (n + 1) / total) as unknown as StarHistogram;
  return { shares, strength };
}

/**
 * The posterior rating for a product's star histogram under a prior.
 *
 * With p_k = (n_k + m·π_k)/(N + m), the mean is μ = Σ k·p_k and its posterior
 * variance is (Σ k²·p_k − μ²)/(N + m + 1). The interval uses the normal
 * approximation, which SCORING.md's worked example uses too.
 */
export function bayesianRating(h: StarHistogram, prior: RatingPrior): BayesianRating {
  for (const n of h) {
    if (!(n >= 0) || !Number.isFinite(n)) throw new RangeError(`histogram counts must be finite and >= 0, got ${n}`);
  }
  return dirichletPosterior(h, histogramTotal(h), prior);
}

/**
 * The posterior shared by the plain and the trust-weighted rating: `counts`
 * per star level (weighted or not) move the mean, while the spread follows
 * `evidence`, the number of reviews the counts are worth (N unweighted,
 * Kish's effective size with trust weights).
 */
export function dirichletPosterior(counts: readonly number[], evidence: number, prior: RatingPrior): BayesianRating {
  const m = prior.strength;
  let countSum = 0;
  for (let i = 0; i < 5; i++) countSum += counts[i]!;
  const total = countSum + m;
  let mean = 0;
  let secondMoment = 0;
  let priorMean = 0;
  for (let i = 0; i < 5; i++) {
    const stars = i + 1;
    const p = (counts[i]! + m * prior.shares[i]!) / total;
    mean += stars * p;
    secondMoment += stars * stars * p;
    priorMean += stars * prior.shares[i]!;
  }
  const sd = Math.sqrt(Math.max(0, secondMoment - mean * mean) / (evidence + m + 1));
  return {
    mean,
    interval: [clampStars(mean - Z_TWO_SIDED_95 * sd), clampStars(mean + Z_TWO_SIDED_95 * sd)],
    lowerBound: clampStars(mean - Z_ONE_SIDED_95 * sd),
    priorMean,
    priorStrength: m,
  };
}

function clampStars(x: number): number {
  return Math.min(5, Math.max(1, x));
}
