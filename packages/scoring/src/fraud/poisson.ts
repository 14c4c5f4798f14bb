/**
 * Poisson tail surprise: −log10 P(X ≥ k) for X ~ Poisson(μ).
 *
 * For k above the mean the upper tail is summed directly from its first term
 * (e^{−μ}μ^k/k!, in logs so that μ = 1e−6 or k = 500 neither under- nor
 * overflows); otherwise 1 − CDF. Both loops stop early once terms no longer
 * matter, so the cost is O(k) at worst and usually a handful of terms.
 */
import { requireInput } from "../errors.js";

const LN10 = Math.LN10;

/** log(k!) via a table for small k and Stirling's series above. */
function logFactorial(k: number): number {
  if (k < LOG_FACTORIALS.length) return LOG_FACTORIALS[k]!;
  const x = k + 1;
  return (x - 0.5) * Math.log(x) - x + 0.5 * Math.log(2 * Math.PI) + 1 / (12 * x) - 1 / (360 * x * x * x);
}
const LOG_FACTORIALS: number[] = [0];
for (let i = 1; i < 256; i++) LOG_FACTORIALS.push(LOG_FACTORIALS[i - 1]! + Math.log(i));

/**
 * An upper bound on {@link poissonSurprise}, in O(1): −log10 P(X = k), since
 * P(X ≥ k) ≥ P(X = k). Lets a scan skip windows that cannot matter.
 */
export function poissonSurpriseBound(k: number, mean: number): number {
  if (k <= 0) return 0;
  if (mean === 0) return Number.POSITIVE_INFINITY;
  return (mean - k * Math.log(mean) + logFactorial(k)) / LN10;
}

/**
 * −log10 P(X ≥ k) for X ~ Poisson(mean): how surprising k or more arrivals are
 * when mean were expected. 0 when k ≤ 0.
 *
 * @throws {ScoringInputError} for a negative or non-finite mean
 * @example
 * poissonSurprise(3, 0.2) // 2.9417… (P = 0.001148)
 */
export function poissonSurprise(k: number, mean: number): number {
  requireInput(mean >= 0 && Number.isFinite(mean), "poissonSurprise", "a finite mean >= 0", mean);
  if (k <= 0) return 0;
  if (mean === 0) return Number.POSITIVE_INFINITY;
  if (k > mean) {
    // Upper tail: first term, then the ratio series t_{i+1}/t_i = μ/(i+1) < 1.
    const logFirst = -mean + k * Math.log(mean) - logFactorial(k);
    let series = 1;
    let term = 1;
    for (let i = k + 1; i < k + 1000; i++) {
      term *= mean / i;
      series += term;
      if (term < 1e-17 * series) break;
    }
    return -(logFirst + Math.log(series)) / LN10;
  }
  // k ≤ μ: the tail is large; 1 − CDF is accurate here.
  let term = Math.exp(-mean);
  let cdf = term;
  for (let i = 1; i < k; i++) {
    term *= mean / i;
    cdf += term;
  }
  return -Math.log10(Math.max(1e-300, 1 - cdf));
}
