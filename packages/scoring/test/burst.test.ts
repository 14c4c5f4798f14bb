import { describe, expect, it } from "vitest";
import {
  type ArrivalScore,
  type ProductState,
  type ReviewerState,
  DEFAULT_SCORING_OPTIONS,
  describeReason,
  initialProductState,
  initialReviewerState,
  scoreArrival,
  trustWeightedRating,
} from "../src/index.js";

const DAY = 86_400_000;
const HOUR = 3_600_000;
const t0 = Date.parse("2025-01-01T00:00:00Z");
const seasoned: ReviewerState = { ...initialReviewerState(), reviewCount: 8, firstMs: t0 - 900 * DAY, lastMs: t0 - 100 * DAY };

/** An established product: one 4-star review from an experienced reviewer every 3 days for a year. */
function establishedProduct(): { product: ProductState; endMs: number } {
  let product = initialProductState();
  let time = t0;
  for (let i = 0; i < 120; i++) {
    const r = scoreArrival(product, seasoned, { reviewId: `real${i}`, reviewerId: `u${i}`, stars: 4 }, time);
    expect(r.alarms).toEqual([]);
    product = r.product;
    time += 3 * DAY;
  }
  return { product, endMs: time };
}

function burst(product: ProductState, startMs: number, size: number, stepMs: number): { product: ProductState; scores: ArrivalScore[] } {
  const scores: ArrivalScore[] = [];
  for (let i = 0; i < size; i++) {
    const r = scoreArrival(
      product,
      initialReviewerState(),
      { reviewId: `fake${i}`, reviewerId: `fake${i}`, stars: 5 },
      startMs + i * stepMs,
    );
    scores.push(r);
    product = r.product;
  }
  return { product, scores };
}

describe("burst detection", () => {
  it("flags ten first-time 5-star reviews in 12 hours on an established product, with the numbers", () => {
    const { product, endMs } = establishedProduct();
    const { product: after, scores } = burst(product, endMs, 10, 80 * 60_000);
    const firstAlarm = scores.findIndex((s) => s.alarms.length > 0);
    expect(firstAlarm).toBeGreaterThanOrEqual(2);
    expect(firstAlarm).toBeLessThanOrEqual(4);
    const alarm = scores[firstAlarm]!.alarms.find((a) => a.stream === "first_time_5_star")!;
    expect(alarm).toMatchObject({ detector: "scan", count: firstAlarm + 1, firstTimerShare: 1, meanStars: 5 });
    // Baseline: the stream had no settled arrivals, so it is floored at a tenth
    // of the all-arrivals rate, one review per 3 days: 0.0333/day.
    expect(alarm.baselineRatePerDay).toBeCloseTo(0.1 / 3, 2);
    expect(alarm.expectedCount).toBeCloseTo(alarm.baselineRatePerDay * 1, 3);
    const sentence = describeReason({ code: "burst", weight: 3.5, burst: alarm });
    expect(sentence).toMatch(
      /^\d+ five-star reviews from first-time reviewers in 24 h against a baseline of 0\.033\/day \(0\.03 expected, surprise \d+(\.\d)?\); 100% from first-time reviewers\.$/,
    );

    // The reviews before the alarm are re-weighted, so every fake ends at the floor-ish weight.
    expect(scores[firstAlarm]!.reweighted.map((r) => r.reviewId)).toEqual(scores.slice(0, firstAlarm).map((_, i) => `fake${i}`));
    expect(after.counts.weightedHistogramBp[4]).toBeLessThan(10 * 1_500);
    expect(after.arrival.bursts).toHaveLength(1);
    expect(after.arrival.bursts[0]!.startMs).toBeLessThanOrEqual(endMs);

    // The displayed rating barely moves: plain mean 4 → 4.077, trust-weighted by < 0.02.
    const prior = { shares: [0.05, 0.05, 0.15, 0.4, 0.35] as const, strength: 5 };
    const shift = trustWeightedRating(after.counts, prior).mean - trustWeightedRating(product.counts, prior).mean;
    expect(shift).toBeGreaterThan(0);
    expect(shift).toBeLessThan(0.02);
  });

  it("stays quiet during a new product's launch grace period", () => {
    const { scores } = burst(initialProductState(), t0, 20, HOUR);
    expect(scores.flatMap((s) => s.alarms)).toEqual([]);
    expect(DEFAULT_SCORING_OPTIONS.graceMs).toBe(30 * DAY);
  });

  it("stays quiet on a steady stream of first-time reviewers", () => {
    let product = initialProductState();
    for (let i = 0; i < 365; i++) {
      const r = scoreArrival(
        product,
        initialReviewerState(),
        { reviewId: `r${i}`, reviewerId: `u${i}`, stars: i % 3 === 0 ? 5 : 4 },
        t0 + i * DAY,
      );
      expect(r.alarms).toEqual([]);
      product = r.product;
    }
  });

  it("flags a burst of all arrivals from experienced accounts on the all-arrivals stream", () => {
    const { product, endMs } = establishedProduct();
    let p = product;
    const alarms = [];
    for (let i = 0; i < 15; i++) {
      const r = scoreArrival(p, seasoned, { reviewId: `s${i}`, reviewerId: `s${i}`, stars: 5 }, endMs + i * HOUR);
      alarms.push(...r.alarms);
      p = r.product;
    }
    expect(alarms.some((a) => a.stream === "all" && a.detector === "scan")).toBe(true);
    expect(alarms.every((a) => a.stream === "all")).toBe(true);
  });

  it("keeps the product state bounded however long the timeline", () => {
    let product = initialProductState();
    for (let i = 0; i < 3000; i++) {
      product = scoreArrival(product, initialReviewerState(), { reviewId: `r${i}`, reviewerId: `u${i}`, stars: 5 }, t0 + i * HOUR).product;
    }
    expect(product.arrival.recent.length).toBeLessThanOrEqual(DEFAULT_SCORING_OPTIONS.recentCapacity);
    expect(product.arrival.bursts.length).toBeLessThanOrEqual(10);
    // The ring, the trail of a possible slow campaign (48 arrivals), 10 bursts.
    expect(product.arrival.trail.length).toBeLessThanOrEqual(DEFAULT_SCORING_OPTIONS.trailCapacity);
    expect(JSON.stringify(product).length).toBeLessThan(24_000);
  });
});
