import { describe, expect, it } from "vitest";
import { bayesianRating, plainMean, priorFromHistogram, type RatingPrior } from "../src/index.js";

// SCORING.md §1's worked example, checked by hand: α = 10·π = (.5, .5, 1.2, 2.8, 5).
const category: RatingPrior = { shares: [0.05, 0.05, 0.12, 0.28, 0.5], strength: 10 };

describe("bayesianRating", () => {
  it("shrinks three lucky 5-star reviews towards the prior", () => {
    // p = (.5, .5, 1.2, 2.8, 8)/13, μ = 56.3/13 = 4.3308; E[s²] = 258.1/13;
    // var = (19.8538 − 18.7558)/14 = 0.07843, sd = 0.28006.
    const r = bayesianRating([0, 0, 0, 0, 3], category);
    expect(r.mean).toBeCloseTo(56.3 / 13, 10);
    expect(r.interval[0]).toBeCloseTo(3.782, 3);
    expect(r.interval[1]).toBeCloseTo(4.88, 3);
    expect(r.lowerBound).toBeCloseTo(3.87, 3);
    expect(r.priorMean).toBeCloseTo(4.13, 10);
    expect(plainMean([0, 0, 0, 0, 3])).toBe(5);
  });

  it("lets 200 real reviews dominate the prior", () => {
    // p = (4.5, 4.5, 11.2, 62.8, 127)/210, μ = (4.5 + 9 + 33.6 + 251.2 + 635)/210 = 933.3/210 = 4.444.
    const r = bayesianRating([4, 4, 10, 60, 122], category);
    expect(r.mean).toBeCloseTo(933.3 / 210, 10);
    expect(r.interval[0]).toBeCloseTo(4.33, 2);
    expect(r.interval[1]).toBeCloseTo(4.56, 2);
  });

  it("shows the prior, with a wide interval, when a product has no reviews", () => {
    const r = bayesianRating([0, 0, 0, 0, 0], category);
    expect(r.mean).toBeCloseTo(4.13, 10);
    expect(r.interval[1] - r.interval[0]).toBeGreaterThan(1);
    expect(plainMean([0, 0, 0, 0, 0])).toBeNull();
  });

  it("keeps the interval inside 1..5 stars and the lower bound below the mean", () => {
    const r = bayesianRating([0, 0, 0, 0, 1], { shares: [0, 0, 0, 0, 1], strength: 1 });
    expect(r.mean).toBe(5);
    expect(r.interval).toEqual([5, 5]);
    const s = bayesianRating([1, 0, 0, 0, 1], category);
    expect(s.interval[0]).toBeGreaterThanOrEqual(1);
    expect(s.interval[1]).toBeLessThanOrEqual(5);
    expect(s.lowerBound).toBeLessThan(s.mean);
    expect(s.lowerBound).toBeGreaterThan(s.interval[0]);
  });

  it("rejects negative or non-finite counts", () => {
    expect(() => bayesianRating([0, -1, 0, 0, 0], category)).toThrow(RangeError);
    expect(() => bayesianRating([0, Number.NaN, 0, 0, 0], category)).toThrow(RangeError);
  });
});

describe("priorFromHistogram", () => {
  it("adds one pseudo-review per level so an empty shop gets a neutral prior", () => {
    const p = priorFromHistogram([0, 0, 0, 0, 0], 5);
    expect(p.shares).toEqual([0.2, 0.2, 0.2, 0.2, 0.2]);
    expect(bayesianRating([0, 0, 0, 0, 0], p).mean).toBeCloseTo(3, 12);
  });

  it("follows the shop's own distribution", () => {
    // (1, 1, 1, 11, 91)/105
    const p = priorFromHistogram([0, 0, 0, 10, 90], 5);
    expect(p.shares[4]).toBeCloseTo(91 / 105, 12);
    expect(p.shares.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 12);
    expect(bayesianRating([0, 0, 0, 0, 0], p).mean).toBeCloseTo((1 + 2 + 3 + 44 + 455) / 105, 12);
  });

  it("rejects a strength that is not positive", () => {
    expect(() => priorFromHistogram([1, 1, 1, 1, 1], 0)).toThrow(RangeError);
    expect(() => priorFromHistogram([1, 1, 1, 1, 1], Number.POSITIVE_INFINITY)).toThrow(RangeError);
  });
});
