import { describe, expect, it } from "vitest";
import {
  ScoringInputError,
  addToRatingCounts,
  bayesianRating,
  emptyRatingCounts,
  ratingCountsOf,
  trustWeightedRating,
  type RatingPrior,
} from "../src/index.js";
import { seededRandom } from "../bench/datasets.js";

const uniform: RatingPrior = { shares: [0.2, 0.2, 0.2, 0.2, 0.2], strength: 5 };
const category: RatingPrior = { shares: [0.05, 0.05, 0.12, 0.28, 0.5], strength: 10 };

describe("trustWeightedRating", () => {
  it("equals the unweighted posterior when every weight is full (SCORING.md §1 worked example)", () => {
    const counts = ratingCountsOf([5, 5, 5].map((stars) => ({ stars, weightBp: 10_000 })));
    const r = trustWeightedRating(counts, category);
    const plain = bayesianRating([0, 0, 0, 0, 3], category);
    expect(r.mean).toBe(plain.mean);
    expect(r.interval).toEqual(plain.interval);
    expect(r.mean).toBeCloseTo(56.3 / 13, 12);
    expect(r.effectiveCount).toBe(3);
    expect(r.plainMean).toBe(5);
  });

  it("counts a half-weight review as half and widens the interval by Kish's n_eff", () => {
    // Worked by hand (python3, see the commit): n = (0.5, 0, 0, 0, 1), m = 5, π uniform;
    // p = (1.5, 1, 1, 1, 2)/6.5, μ = 20.5/6.5 = 3.153846; E[s²] = 80.5/6.5;
    // n_eff = 1.5²/(0.5² + 1²) = 1.8; sd = √((E[s²] − μ²)/(1.8 + 5 + 1)) = 0.5590594.
    const counts = ratingCountsOf([
      { stars: 1, weightBp: 5_000 },
      { stars: 5, weightBp: 10_000 },
    ]);
    const r = trustWeightedRating(counts, uniform);
    expect(r.mean).toBeCloseTo(20.5 / 6.5, 12);
    expect(r.effectiveCount).toBeCloseTo(1.8, 12);
    expect(r.weightedCount).toBe(1.5);
    expect(r.interval[0]).toBeCloseTo(2.0581099, 6);
    expect(r.interval[1]).toBeCloseTo(4.2495824, 6);
    expect(r.lowerBound).toBeCloseTo(2.2342753, 6);
    expect(r.discountedCount).toBe(1);
    expect(r.plainMean).toBe(3);
  });

  it("shows the prior when a product has no reviews", () => {
    const r = trustWeightedRating(emptyRatingCounts(), category);
    expect(r.mean).toBeCloseTo(4.13, 12);
    expect(r.effectiveCount).toBe(0);
    expect(r.plainMean).toBeNull();
  });
});

describe("rating counts", () => {
  it("are bit-identical whatever the order reviews are added in", () => {
    const random = seededRandom(3);
    const reviews = Array.from({ length: 5000 }, () => ({ stars: 1 + Math.floor(random() * 5), weightBp: Math.floor(random() * 10_001) }));
    const forward = emptyRatingCounts();
    for (const r of reviews) addToRatingCounts(forward, r.stars, r.weightBp);
    const backward = emptyRatingCounts();
    for (const r of [...reviews].reverse()) addToRatingCounts(backward, r.stars, r.weightBp);
    expect(backward).toEqual(forward);
    expect(ratingCountsOf(reviews)).toEqual(forward);
    expect(trustWeightedRating(backward, uniform)).toEqual(trustWeightedRating(forward, uniform));
  });

  it("return exactly to their old value when a review is taken back", () => {
    const c = ratingCountsOf([{ stars: 4, weightBp: 9_999 }]);
    const before = structuredClone(c);
    addToRatingCounts(c, 2, 1_234);
    addToRatingCounts(c, 2, 1_234, -1);
    expect(c).toEqual(before);
  });

  it("reject weights that are not integer basis points and stars outside 1..5", () => {
    const c = emptyRatingCounts();
    expect(() => addToRatingCounts(c, 5, 0.5)).toThrow(ScoringInputError);
    expect(() => addToRatingCounts(c, 5, 10_001)).toThrow(ScoringInputError);
    expect(() => addToRatingCounts(c, 6, 10_000)).toThrow(/addToRatingCounts requires an integer star rating 1..5, got 6/);
    expect(() => trustWeightedRating(c, { shares: uniform.shares, strength: 0 })).toThrow(ScoringInputError);
  });
});
