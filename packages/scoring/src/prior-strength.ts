/**
 * Empirical-Bayes prior for the displayed rating: the star shares of a shop's
 * (or category's) products pooled, and a strength m fitted by the method of
 * moments (James–Stein shrinkage), clamped below by a floor.
 *
 * m = σ²_within / τ²_between, where σ²_within is the pooled within-product
 * variance of the stars and τ² = Var_p(ȳ_p) − mean_p(σ²_within / n_p) is the
 * spread of the true product means (SCORING.md §1). The estimation-optimal m
 * is small (2–6 on our data), and a small m lets three lucky reviews move a new
 * product a long way, so the display uses max(m, floor) with floor 5; the trust
 * weights, not a huge m, do the anti-fraud work (SCORING.md §3.2).
 */
import { requireInput } from "./errors.js";
import type { RatingPrior, StarHistogram } from "./rating.js";

export interface PriorStrengthOptions {
  /** Smallest strength returned, in pseudo-reviews. @default 5 */
  readonly floor?: number;
  /**
   * Largest strength returned, used when products do not differ beyond noise:
   * a prior worth 100 reviews still lets a product with a few hundred show
   * its own number. @default 100
   */
  readonly ceiling?: number;
  /**
   * Fewest products (with 2+ reviews each) to fit from; with fewer, the
   * between-product variance is too noisy to trust and the floor is used.
   * @default 10
   */
  readonly minProducts?: number;
}

export interface PriorStrengthFit {
  /** The strength to use: the fitted m clamped to [floor, ceiling]. */
  readonly strength: number;
  /** The method-of-moments m before clamping (Infinity when τ² ≤ 0), or null with fewer than minProducts usable products. */
  readonly fitted: number | null;
  /** Pooled within-product variance of the stars. */
  readonly withinVariance: number;
  /** Estimated variance of the products' true means. */
  readonly betweenVariance: number;
  /** Products with at least 2 reviews, the ones the fit uses. */
  readonly productCount: number;
}

/**
 * Fits the prior strength m from products' star histograms (weighted or raw).
 *
 * O(products). Products with fewer than 2 reviews carry no within-product
 * information and are skipped.
 *
 * @throws {ScoringInputError} for a floor above the ceiling or a non-positive floor
 * @example
 * fitPriorStrength(histograms).strength // max(5, min(100, σ²_within / τ²))
 */
export function fitPriorStrength(histograms: readonly StarHistogram[], options: PriorStrengthOptions = {}): PriorStrengthFit {
  const floor = options.floor ?? 5;
  const ceiling = options.ceiling ?? 100;
  const minProducts = Math.max(2, options.minProducts ?? 10);
  requireInput(floor > 0 && floor <= ceiling, "fitPriorStrength", "0 < floor <= ceiling", `${floor}..${ceiling}`);
  const means: number[] = [];
  const sizes: number[] = [];
  let withinSquares = 0;
  let withinDegrees = 0;
  for (const h of histograms) {
    let n = 0;
    let sum = 0;
    let squares = 0;
    for (let i = 0; i < 5; i++) {
      n += h[i]!;
      sum += (i + 1) * h[i]!;
      squares += (i + 1) * (i + 1) * h[i]!;
    }
    if (n < 2) continue;
    const mean = sum / n;
    withinSquares += squares - n * mean * mean;
    withinDegrees += n - 1;
    means.push(mean);
    sizes.push(n);
  }
  const productCount = means.length;
  if (productCount < minProducts || withinDegrees <= 0) {
    return { strength: floor, fitted: null, withinVariance: 0, betweenVariance: 0, productCount };
  }
  const withinVariance = withinSquares / withinDegrees;
  const grand = means.reduce((a, b) => a + b, 0) / productCount;
  let meanSpread = 0;
  let noise = 0;
  for (let p = 0; p < productCount; p++) {
    meanSpread += (means[p]! - grand) ** 2;
    noise += withinVariance / sizes[p]!;
  }
  // Sample variance of the product means, minus the part sampling noise explains.
  const betweenVariance = meanSpread / (productCount - 1) - noise / productCount;
  const fitted = betweenVariance > 0 ? withinVariance / betweenVariance : Number.POSITIVE_INFINITY;
  return {
    strength: Math.min(ceiling, Math.max(floor, fitted)),
    fitted,
    withinVariance,
    betweenVariance,
    productCount,
  };
}

/**
 * The full empirical-Bayes prior: shares from the pooled histogram (one
 * pseudo-review per level, as {@link priorFromHistogram}) and the fitted strength.
 */
export function empiricalBayesPrior(
  histograms: readonly StarHistogram[],
  options: PriorStrengthOptions = {},
): RatingPrior & { readonly fit: PriorStrengthFit } {
  const pooled = [1, 1, 1, 1, 1];
  for (const h of histograms) for (let i = 0; i < 5; i++) pooled[i]! += h[i]!;
  const total = pooled.reduce((a, b) => a + b, 0);
  const fit = fitPriorStrength(histograms, options);
  return { shares: pooled.map((n) => n / total) as unknown as StarHistogram, strength: fit.strength, fit };
}
