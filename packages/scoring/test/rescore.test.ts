import { describe, expect, it } from "vitest";
import { HINDSIGHT_WEIGHTS as W, type TimelineReview, rescoreWithHindsight, scoreTimeline } from "../src/index.js";

const DAY = 86_400_000;
const t0 = Date.parse("2024-01-01T00:00:00Z");

describe("rescoreWithHindsight", () => {
  // u-regular reviews 6 products over 100 days; u-once writes one review; both give 4 stars to p0.
  const reviews: TimelineReview[] = [];
  for (let i = 0; i < 6; i++)
    reviews.push({ reviewId: `reg${i}`, productId: `p${i}`, reviewerId: "u-regular", stars: 4, timeMs: t0 + i * 20 * DAY });
  reviews.push({ reviewId: "once", productId: "p0", reviewerId: "u-once", stars: 4, timeMs: t0 + 50 * DAY });
  reviews.sort((a, b) => a.timeMs - b.timeMs);
  const writeTime = scoreTimeline(reviews);
  const batch = rescoreWithHindsight(reviews, writeTime);
  const byId = new Map(batch.map((b) => [b.reviewId, b]));

  it("scores a reviewer's only review above a regular reviewer's, with the numbers", () => {
    expect(byId.get("once")!.suspicion).toBeGreaterThan(byId.get("reg0")!.suspicion);
    expect(byId.get("once")!.reasons).toContainEqual({
      code: "reviewer_total",
      totalReviews: 1,
      activeDays: 0,
      maxReviewsPerDay: 1,
      weight: W.onlyReview,
    });
    // 6 reviews over 100 days, one per day at most: −0.8·ln 6 − 0.5·ln 101 + 1·(1/6).
    const regular = byId.get("reg0")!.reasons.find((r) => r.code === "reviewer_total")!;
    expect(regular).toMatchObject({ totalReviews: 6, activeDays: 100, maxReviewsPerDay: 1 });
    expect(regular.weight).toBeCloseTo(-0.8 * Math.log(6) - 0.5 * Math.log(101) + 1 / 6, 12);
  });

  it("replaces the write-time history reasons instead of counting history twice", () => {
    for (const b of batch) expect(b.reasons.some((r) => r.code === "first_time_reviewer" || r.code === "reviewer_history")).toBe(false);
  });

  it("is deterministic and its suspicion is the logistic of its reasons", () => {
    expect(rescoreWithHindsight(reviews, writeTime)).toEqual(batch);
    for (const b of batch) {
      const logOdds = W.base + b.reasons.reduce((a, r) => a + r.weight, 0);
      expect(b.suspicion).toBeCloseTo(1 / (1 + Math.exp(-logOdds)), 12);
      expect(b.trustWeightBp).toBe(Math.max(500, Math.round((1 - b.suspicion) * 10_000)));
    }
  });
});
