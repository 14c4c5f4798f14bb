import { describe, expect, it } from "vitest";
import {
  ScoringInputError,
  SUSPICION_WEIGHTS,
  describeReason,
  initialProductState,
  initialReviewerState,
  scoreArrival,
  type ProductState,
  type ReviewerState,
} from "../src/index.js";

const DAY = 86_400_000;
const t0 = Date.parse("2026-01-01T00:00:00Z");

describe("scoreArrival", () => {
  it("scores a first-time 5-star review by hand", () => {
    // log-odds = base −3.0 + first-time 1.6 + five stars 0.4 = −1.0;
    // suspicion = 1/(1 + e) = 0.2689414; weight = round(0.7310586·10000) = 7311 bp.
    const r = scoreArrival(initialProductState(), initialReviewerState(), { reviewId: "r1", reviewerId: "u1", stars: 5 }, new Date(t0));
    expect(SUSPICION_WEIGHTS.base + SUSPICION_WEIGHTS.firstTimeReviewer + SUSPICION_WEIGHTS.extremeFiveStar).toBeCloseTo(-1, 12);
    expect(r.suspicion).toBeCloseTo(0.2689414213699951, 12);
    expect(r.trustWeightBp).toBe(7311);
    expect(r.reasons.map((x) => x.code)).toEqual(["first_time_reviewer", "extreme_rating"]);
    expect(r.product.counts.weightedHistogramBp).toEqual([0, 0, 0, 0, 7311]);
    expect(r.product.counts.histogram).toEqual([0, 0, 0, 0, 1]);
    expect(r.reviewer.reviewCount).toBe(1);
  });

  it("leaves its inputs untouched and returns plain JSON states", () => {
    const product = initialProductState();
    const reviewer = initialReviewerState();
    const r = scoreArrival(product, reviewer, { reviewId: "r1", reviewerId: "u1", stars: 3 }, t0);
    expect(product).toEqual(initialProductState());
    expect(reviewer).toEqual(initialReviewerState());
    expect(JSON.parse(JSON.stringify(r.product))).toEqual(r.product);
    expect(JSON.parse(JSON.stringify(r.reviewer))).toEqual(r.reviewer);
  });

  it("trusts a verified purchase more and an experienced reviewer more", () => {
    const base = { reviewId: "r", reviewerId: "u", stars: 4 };
    const anon = scoreArrival(initialProductState(), initialReviewerState(), base, t0).suspicion;
    const verified = scoreArrival(initialProductState(), initialReviewerState(), { ...base, verified: true }, t0);
    expect(verified.suspicion).toBeLessThan(anon);
    expect(verified.reasons).toContainEqual({ code: "verified_purchase", verified: true, weight: SUSPICION_WEIGHTS.verified });
    const seasoned: ReviewerState = {
      ...initialReviewerState(),
      reviewCount: 20,
      firstMs: t0 - 400 * DAY,
      lastMs: t0 - 30 * DAY,
      day: 0,
      reviewsThatDay: 1,
      maxReviewsPerDay: 1,
    };
    const experienced = scoreArrival(initialProductState(), seasoned, base, t0);
    expect(experienced.suspicion).toBeLessThan(anon);
    expect(experienced.reasons[experienced.reasons.length - 1]).toMatchObject({ code: "reviewer_history", priorReviews: 20 });
  });

  it("adds deviation from the product's consensus with its numbers", () => {
    let product: ProductState = initialProductState();
    for (let i = 0; i < 5; i++) {
      const seasoned: ReviewerState = { ...initialReviewerState(), reviewCount: 10 };
      product = scoreArrival(product, seasoned, { reviewId: `r${i}`, reviewerId: `u${i}`, stars: 5 }, t0 + i * DAY).product;
    }
    const r = scoreArrival(product, initialReviewerState(), { reviewId: "x", reviewerId: "new", stars: 1 }, t0 + 6 * DAY);
    const deviation = r.reasons.find((x) => x.code === "rating_deviation");
    expect(deviation).toMatchObject({
      code: "rating_deviation",
      stars: 1,
      consensus: 5,
      deviation: 4,
      weight: SUSPICION_WEIGHTS.deviationPerStar * 3,
    });
    expect(describeReason(deviation!)).toBe("1 stars against a consensus of 5 (4 away).");
  });

  it("flags copied text from another author with the similarity", () => {
    const r = scoreArrival(initialProductState(), initialReviewerState(), { reviewId: "r2", reviewerId: "u2", stars: 5 }, t0, {
      reviewId: "r1",
      reviewerId: "u1",
      productId: "p9",
      similarity: 0.92,
    });
    expect(r.reasons[0]).toEqual({
      code: "duplicate_text",
      similarity: 0.92,
      otherReviewId: "r1",
      otherReviewerId: "u1",
      otherProductId: "p9",
      weight: SUSPICION_WEIGHTS.duplicateText,
    });
    expect(describeReason(r.reasons[0]!)).toBe("The text is 92% similar to review r1 by another reviewer.");
    expect(r.suspicion).toBeGreaterThan(0.9);
  });

  it("counts a reviewer's reviews on the same UTC day", () => {
    let reviewer = initialReviewerState();
    let last = null;
    for (let i = 0; i < 3; i++) {
      last = scoreArrival(initialProductState(), reviewer, { reviewId: `r${i}`, reviewerId: "u", stars: 4 }, t0 + i * 3_600_000);
      reviewer = last.reviewer;
    }
    expect(last!.reasons).toContainEqual(expect.objectContaining({ code: "reviewer_daily_volume", reviewsToday: 3 }));
    expect(reviewer.maxReviewsPerDay).toBe(3);
  });

  it("rejects stars outside 1..5 and arrivals before the product's last one", () => {
    const p = scoreArrival(initialProductState(), initialReviewerState(), { reviewId: "a", reviewerId: "u", stars: 4 }, t0).product;
    expect(() => scoreArrival(p, initialReviewerState(), { reviewId: "b", reviewerId: "v", stars: 0 }, t0)).toThrow(ScoringInputError);
    expect(() => scoreArrival(p, initialReviewerState(), { reviewId: "b", reviewerId: "v", stars: 4 }, t0 - 1)).toThrow(
      /arrivals in time order/,
    );
    expect(() => scoreArrival(p, initialReviewerState(), { reviewId: "b", reviewerId: "v", stars: 4 }, new Date(Number.NaN))).toThrow(
      ScoringInputError,
    );
  });
});
