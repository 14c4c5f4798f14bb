/**
 * Incremental equals batch, exactly, on the full MovieLens and YelpChi
 * timelines: the write path (scoreArrival, with every state stored as JSON
 * in between, as MongoDB would) against the recompute path (scoreTimeline),
 * and the stored counts against a from-scratch sum of the final weights.
 */
import { describe, expect } from "vitest";
import {
  type ScoredReview,
  type TimelineReview,
  empiricalBayesPrior,
  initialProductState,
  initialReviewerState,
  ratingCountsOf,
  scoreArrival,
  scoreTimeline,
  trustWeightedRating,
} from "../src/index.js";
import { loadMovieLens, loadYelpChi } from "../bench/datasets.js";
import { itWithData } from "./datasets.js";

function replayIncrementally(rows: readonly TimelineReview[]) {
  const productDocs = new Map<string, string>();
  const reviewerDocs = new Map<string, string>();
  const reviewDocs = new Map<string, ScoredReview>();
  let alarms = 0;
  for (const review of rows) {
    const product = productDocs.has(review.productId) ? JSON.parse(productDocs.get(review.productId)!) : initialProductState();
    const reviewer = reviewerDocs.has(review.reviewerId) ? JSON.parse(reviewerDocs.get(review.reviewerId)!) : initialReviewerState();
    const score = scoreArrival(product, reviewer, review, new Date(review.timeMs));
    productDocs.set(review.productId, JSON.stringify(score.product));
    reviewerDocs.set(review.reviewerId, JSON.stringify(score.reviewer));
    reviewDocs.set(
      review.reviewId,
      JSON.parse(
        JSON.stringify({
          reviewId: review.reviewId,
          suspicion: score.suspicion,
          trustWeightBp: score.trustWeightBp,
          reasons: score.reasons,
        }),
      ),
    );
    alarms += score.alarms.length;
    for (const r of score.reweighted) {
      const doc = reviewDocs.get(r.reviewId)!;
      doc.suspicion = r.suspicion;
      doc.trustWeightBp = r.trustWeightBp;
      doc.reasons = [...doc.reasons, JSON.parse(JSON.stringify(r.reason))].sort((a, b) => b.weight - a.weight);
    }
  }
  return { productDocs, reviewerDocs, reviewDocs, alarms };
}

function checkReplay(rows: readonly TimelineReview[]) {
  const incremental = replayIncrementally(rows);
  const batch = scoreTimeline(rows);

  expect(batch.reviews).toHaveLength(rows.length);
  for (const scored of batch.reviews) expect(incremental.reviewDocs.get(scored.reviewId)).toEqual(scored);
  expect(incremental.productDocs.size).toBe(batch.products.size);
  for (const [id, state] of batch.products) expect(JSON.parse(incremental.productDocs.get(id)!)).toEqual(state);
  for (const [id, state] of batch.reviewers) expect(JSON.parse(incremental.reviewerDocs.get(id)!)).toEqual(state);

  // The stored counts equal a from-scratch sum of every review's final weight, bit for bit.
  const byProduct = new Map<string, { stars: number; weightBp: number }[]>();
  rows.forEach((r, i) => {
    const list = byProduct.get(r.productId) ?? [];
    list.push({ stars: r.stars, weightBp: batch.reviews[i]!.trustWeightBp });
    byProduct.set(r.productId, list);
  });
  const prior = empiricalBayesPrior([...batch.products.values()].map((p) => p.counts.histogram));
  for (const [id, list] of byProduct) {
    const fromScratch = ratingCountsOf(list);
    const stored = JSON.parse(incremental.productDocs.get(id)!).counts;
    expect(stored).toEqual(fromScratch);
    expect(trustWeightedRating(stored, prior)).toEqual(trustWeightedRating(fromScratch, prior));
  }
  return incremental;
}

describe("incremental replay equals the batch recompute", () => {
  itWithData(
    "movielens",
    "on the full MovieLens timeline (100,836 ratings)",
    () => {
      const rows = loadMovieLens();
      expect(rows).toHaveLength(100_836);
      checkReplay(rows);
    },
    120_000,
  );

  itWithData(
    "yelpchi",
    "on the full YelpChi timeline (67,395 reviews), bursts and re-weights included",
    () => {
      const rows = loadYelpChi();
      expect(rows).toHaveLength(67_395);
      const { alarms } = checkReplay(rows);
      // The equality must cover the burst path, not only quiet timelines.
      expect(alarms).toBeGreaterThan(10);
    },
    120_000,
  );
});
