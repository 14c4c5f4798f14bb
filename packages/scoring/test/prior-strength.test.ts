import { describe, expect, it } from "vitest";
import { ScoringInputError, empiricalBayesPrior, fitPriorStrength } from "../src/index.js";

describe("fitPriorStrength", () => {
  it("fits m = σ²_within / τ² by the method of moments", () => {
    // By hand: A = ten 3s and ten 5s (mean 4), B = ten 2s and ten 4s (mean 3).
    // σ²_within = (20 + 20)/38 = 20/19; Var(means) = 0.5; noise = (20/19)/20 = 1/19;
    // τ² = 0.5 − 1/19 = 17/38; m = (20/19)/(17/38) = 40/17.
    const fit = fitPriorStrength(
      [
        [0, 0, 10, 0, 10],
        [0, 10, 0, 10, 0],
      ],
      { floor: 1, minProducts: 2 },
    );
    expect(fit.fitted).toBeCloseTo(40 / 17, 12);
    expect(fit.strength).toBeCloseTo(40 / 17, 12);
    expect(fit.withinVariance).toBeCloseTo(20 / 19, 12);
    expect(fit.betweenVariance).toBeCloseTo(17 / 38, 12);
    expect(fit.productCount).toBe(2);
  });

  it("clamps a small fitted strength up to the floor of 5", () => {
    expect(
      fitPriorStrength(
        [
          [0, 0, 10, 0, 10],
          [0, 10, 0, 10, 0],
        ],
        { minProducts: 2 },
      ).strength,
    ).toBe(5);
  });

  it("uses the ceiling when products do not differ beyond noise", () => {
    // Means 3 and 4 from four reviews each, within variance 28/6: τ² = 0.5 − 7/6 < 0.
    const fit = fitPriorStrength(
      [
        [2, 0, 0, 0, 2],
        [1, 0, 0, 0, 3],
      ],
      { minProducts: 2 },
    );
    expect(fit.fitted).toBe(Number.POSITIVE_INFINITY);
    expect(fit.strength).toBe(100);
  });

  it("falls back to the floor with fewer than 10 products of two reviews", () => {
    const fit = fitPriorStrength([
      [0, 0, 10, 0, 10],
      [0, 10, 0, 10, 0],
      [0, 0, 0, 0, 1],
    ]);
    expect(fit.fitted).toBeNull();
    expect(fit.strength).toBe(5);
  });

  it("rejects a floor above the ceiling", () => {
    expect(() => fitPriorStrength([], { floor: 10, ceiling: 5 })).toThrow(ScoringInputError);
  });
});

describe("empiricalBayesPrior", () => {
  it("pools the histograms with one pseudo-review per level", () => {
    const prior = empiricalBayesPrior(
      [
        [0, 0, 10, 0, 10],
        [0, 10, 0, 10, 0],
      ],
      { floor: 1, minProducts: 2 },
    );
    // (1, 11, 11, 11, 11)/45
    expect(prior.shares[0]).toBeCloseTo(1 / 45, 12);
    expect(prior.shares[4]).toBeCloseTo(11 / 45, 12);
    expect(prior.strength).toBeCloseTo(40 / 17, 12);
  });
});
