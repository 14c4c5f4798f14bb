/**
 * "Most helpful" by the lower bound of the Wilson score interval (Wilson 1927;
 * Evan Miller, "How Not To Sort By Average Rating", 2009) on the share of
 * helpful votes, not by raw counts: 3 of 3 helpful (bound 0.44) ranks below
 * 80 of 100 (0.71), and 1 of 1 (0.21) below both. The counts are the
 * burst-weighted ones (votes.ts), so a sudden burst moves the bound little.
 */
import type { VoteTotals } from "./model.js";

/** z for a 95 % two-sided interval. */
export const WILSON_Z = 1.959964;

export function wilsonLowerBound(helpful: number, notHelpful: number, z = WILSON_Z): number {
  const n = helpful + notHelpful;
  if (n <= 0) return 0;
  const p = helpful / n;
  const z2 = z * z;
  const bound = (p + z2 / (2 * n) - z * Math.sqrt((p * (1 - p) + z2 / (4 * n)) / n)) / (1 + z2 / n);
  return Math.max(0, Math.min(1, bound));
}

export function emptyTotals(): VoteTotals {
  return { helpful: 0, notHelpful: 0, helpfulBp: 0, notHelpfulBp: 0, lowerBound: 0 };
}

/** The bound as the six digits a MOST_HELPFUL page key holds, counting down so that ascending key order is most helpful first. */
export function helpfulRank(lowerBound: number): string {
  return String(999_999 - Math.round(lowerBound * 999_999)).padStart(6, "0");
}
