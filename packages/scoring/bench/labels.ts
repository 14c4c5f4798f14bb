/**
 * Per-review and per-user suspicion against YelpChi's filter labels
 * (SCORING.md §3.1, §4 goal 3), on the tuning half of the products (even
 * ids), the held-out half (odd ids), and all.
 */
import { rescoreWithHindsight, scoreTimeline, sweepScores } from "../src/index.js";
import { type LabeledReview, loadYelpChi } from "./datasets.js";
import { auc, averagePrecision, userLevel } from "./metrics.js";

export interface LabelRow {
  readonly score: "write-time" | "batch re-score" | "write-time + sweep";
  readonly split: "tuning (even products)" | "held-out (odd products)" | "all";
  readonly reviews: number;
  readonly auc: number;
  readonly ap: number;
  readonly userAuc: number;
  readonly userAp: number;
  readonly userPrevalence: number;
}

export function labelBenchmark(rows: readonly LabeledReview[] = loadYelpChi()): LabelRow[] {
  // Reviewer history spans products, so both halves are scored in one replay
  // and only the evaluation is split.
  const writeTime = scoreTimeline(rows);
  const batch = rescoreWithHindsight(rows, writeTime);
  const splits = [
    ["tuning (even products)", (p: number) => p % 2 === 0],
    ["held-out (odd products)", (p: number) => p % 2 === 1],
    ["all", () => true],
  ] as const;
  const out: LabelRow[] = [];
  for (const [score, values] of [
    ["write-time", writeTime.reviews.map((r) => r.suspicion)],
    ["batch re-score", batch.map((r) => r.suspicion)],
    // What the API's daily sweep leaves stored: the write path's scores, restored or grouped with hindsight.
    ["write-time + sweep", sweepScores(writeTime.reviews, batch).map((r) => r.suspicion)],
  ] as const) {
    for (const [split, keep] of splits) {
      const idx = rows.map((_, i) => i).filter((i) => keep(Number(rows[i]!.productId.slice(1))));
      const s = idx.map((i) => values[i]!);
      const l = idx.map((i) => rows[i]!.filtered);
      const u = userLevel(
        idx.map((i) => rows[i]!.reviewerId),
        s,
        l,
      );
      out.push({
        score,
        split,
        reviews: idx.length,
        auc: auc(s, l),
        ap: averagePrecision(s, l),
        userAuc: auc(u.scores, u.labels),
        userAp: averagePrecision(u.scores, u.labels),
        userPrevalence: u.labels.filter(Boolean).length / u.labels.length,
      });
    }
  }
  return out;
}
