import { describe, expect, it } from "vitest";
import { type BurstEvidence, type Reason, describeDuration, describeReason } from "../src/index.js";

const burst: BurstEvidence = {
  detector: "scan",
  stream: "first_time_5_star",
  windowStartMs: 0,
  windowEndMs: 3 * 3_600_000,
  count: 14,
  baselineRatePerDay: 0.2,
  expectedCount: 0.025,
  surprise: 24.3,
  firstTimerShare: 11 / 14,
  meanStars: 5,
};

describe("describeReason", () => {
  it("gives every reason a sentence with its numbers", () => {
    const cases: [Reason, string][] = [
      [{ code: "first_time_reviewer", weight: 1.6 }, "First review by this reviewer."],
      [{ code: "reviewer_history", priorReviews: 1, weight: 0.3 }, "The reviewer had 1 earlier review."],
      [{ code: "reviewer_daily_volume", reviewsToday: 4, weight: 1 }, "The reviewer's review number 4 on the same day."],
      [{ code: "extreme_rating", stars: 1, weight: 1.3 }, "A 1-star rating, the extreme of the scale."],
      [{ code: "extreme_rating", stars: 2, weight: 0.4 }, "A 2-star rating, a low score."],
      [
        { code: "rating_deviation", stars: 1, consensus: 4.456, deviation: 3.456, weight: 1 },
        "1 stars against a consensus of 4.46 (3.46 away).",
      ],
      [
        { code: "burst", weight: 3.5, burst },
        "14 five-star reviews from first-time reviewers in 3 h against a baseline of 0.2/day (0.03 expected, surprise 24.3); 79% from first-time reviewers.",
      ],
      [
        { code: "burst", weight: 3.5, burst: { ...burst, detector: "cusum", stream: "all", surprise: 16.2, baselineRatePerDay: 0.05 } },
        "Sustained rise in reviews: 14 in 3 h against a baseline of 0.05/day (CUSUM 16.2); 79% from first-time reviewers.",
      ],
      [
        { code: "duplicate_text", similarity: 0.84, otherReviewId: "r9", otherReviewerId: "u9", otherProductId: "p9", weight: 4 },
        "The text is 84% similar to review r9 by another reviewer.",
      ],
      [{ code: "verified_purchase", verified: false, weight: 0.3 }, "Not a verified purchase."],
      [{ code: "reviewer_total", totalReviews: 1, activeDays: 0, maxReviewsPerDay: 1, weight: 2 }, "The reviewer's only review."],
      [
        { code: "reviewer_total", totalReviews: 6, activeDays: 100.4, maxReviewsPerDay: 2, weight: -2 },
        "The reviewer wrote 6 reviews over 100 days, at most 2 on one day.",
      ],
      [
        { code: "reviewer_surprise", surpriseBits: 3.26, reviewCount: 4, weight: 0.8 },
        "The reviewer's ratings and timing are unusual: 3.3 bits of surprise over 4 reviews.",
      ],
      [{ code: "early_review", lifeShare: 0.1, weight: 0.9 }, "Written 10% of the way through the product's review history."],
    ];
    for (const [reason, sentence] of cases) expect(describeReason(reason)).toBe(sentence);
  });

  it("writes short windows in hours and long ones in days", () => {
    expect(describeDuration(3 * 3_600_000)).toBe("3 h");
    expect(describeDuration(36 * 3_600_000)).toBe("36 h");
    expect(describeDuration(5 * 86_400_000)).toBe("5 d");
  });
});
