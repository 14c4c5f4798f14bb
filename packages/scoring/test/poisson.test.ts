import { describe, expect, it } from "vitest";
import { ScoringInputError, poissonSurprise } from "../src/index.js";

// Expected values from python3's math module:
//   -log10(1 - exp(-0.2)*(1 + 0.2 + 0.02))               = 2.939876092605962
//   -log10(1 - exp(-3)*4)                                 = 0.09644788380494479
//   -(-1e-6 + 50*log(1e-6) - lgamma(51))/log(10)          = 364.48307530676647
describe("poissonSurprise", () => {
  it("gives −log10 P(X ≥ k) above the mean", () => {
    expect(poissonSurprise(3, 0.2)).toBeCloseTo(2.939876092605962, 10);
  });

  it("gives −log10 P(X ≥ k) at or below the mean", () => {
    expect(poissonSurprise(2, 3)).toBeCloseTo(0.09644788380494479, 10);
  });

  it("stays finite far in the tail", () => {
    expect(poissonSurprise(50, 1e-6)).toBeCloseTo(364.48307530676647, 6);
    expect(poissonSurprise(400, 3)).toBeGreaterThan(500);
  });

  it("is 0 for no arrivals and rejects a negative mean", () => {
    expect(poissonSurprise(0, 2)).toBe(0);
    expect(() => poissonSurprise(3, -1)).toThrow(ScoringInputError);
  });
});
