import { describe, expect, it } from "vitest";
import {
  type AnalyzedReview,
  DAY_MS,
  InsightsInputError,
  analyzeReview,
  dayCountsOf,
  dayOf,
  emergingFromDayCounts,
  emergingTopics,
  mergeDayCounts,
  summarizeDayCounts,
  summarizeInsights,
} from "../src/index.js";

const T0 = Date.parse("2024-01-01T00:00:00Z");
const TEXTS = [
  "Great fit and the fabric is soft.",
  "The color is lovely, exactly as pictured.",
  "Runs small, the size was off for me.",
  "Fast delivery and the jacket is warm.",
  "The fabric feels cheap but the price is fair.",
  "Die Passform ist super und der Stoff angenehm.",
  "Nice jacket, the hood is a bit short.",
  "The sleeves are too long, otherwise fine.",
  "The zipper broke after a week.",
  "Der Reißverschluss ist nach drei Tagen kaputt gegangen.",
];
const memo = new Map<string, ReturnType<typeof analyzeReview>>();
const analysed = (t: string) => memo.get(t) ?? (memo.set(t, analyzeReview({ body: t })), memo.get(t)!);

/** A seeded, uneven timeline: 0–4 reviews a day, texts in rotation. */
function timeline(productId: string, days: number, seed: number): AnalyzedReview[] {
  let x = seed;
  const rnd = () => (x = (x * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
  const out: AnalyzedReview[] = [];
  for (let d = 0; d < days; d++) {
    const n = Math.floor(rnd() * 5);
    for (let i = 0; i < n; i++) {
      out.push({
        reviewId: `${productId}-${d}-${i}`,
        productId,
        timeMs: T0 + d * DAY_MS + i * 60_000,
        insight: analysed(TEXTS[Math.floor(rnd() * (d > days - 20 ? TEXTS.length : 8))]!),
      });
    }
  }
  return out;
}

function buckets(reviews: readonly AnalyzedReview[]) {
  const byDay = new Map<number, AnalyzedReview[]>();
  for (const r of reviews) {
    const d = dayOf(r.timeMs);
    byDay.set(d, [...(byDay.get(d) ?? []), r]);
  }
  return [...byDay.values()].map((list) => dayCountsOf(list));
}

describe("counts-based aggregation", () => {
  it("summarises day buckets exactly as summarizeInsights summarises the reviews (day-aligned period)", () => {
    const reviews = timeline("p", 120, 7);
    for (const period of [
      { fromMs: T0, toMs: T0 + 120 * DAY_MS },
      { fromMs: T0 + 30 * DAY_MS, toMs: T0 + 90 * DAY_MS },
    ]) {
      const want = summarizeInsights(reviews, period, { limit: 50 });
      const got = summarizeDayCounts(buckets(reviews), period, { limit: 50 });
      expect(got.reviews).toBe(want.reviews);
      expect(got.polarity).toBeCloseTo(want.polarity, 10);
      expect(got.aspects).toEqual(want.aspects);
    }
  });

  it("merges products' buckets of a day into the shop's (same as summarising both products' reviews)", () => {
    const a = timeline("a", 40, 3);
    const b = timeline("b", 40, 11);
    const shopDays = new Map<number, ReturnType<typeof dayCountsOf>[]>();
    for (const d of [...buckets(a), ...buckets(b)]) shopDays.set(d.dayMs, [...(shopDays.get(d.dayMs) ?? []), d]);
    const merged = [...shopDays.values()].map((list) => mergeDayCounts(list));
    const period = { fromMs: T0, toMs: T0 + 40 * DAY_MS };
    expect(summarizeDayCounts(merged, period, { limit: 50 }).aspects).toEqual(
      summarizeInsights([...a, ...b], period, { limit: 50 }).aspects,
    );
  });

  it("finds an injected surge from day buckets with the day it began, like emergingTopics from the reviews", () => {
    const base: AnalyzedReview[] = [];
    for (let d = 0; d < 300; d++)
      base.push({ reviewId: `b${d}`, productId: "jacket", timeMs: T0 + d * DAY_MS + 1000, insight: analysed(TEXTS[d % 8]!) });
    const surge = [0, 3, 6, 9].map((k, i) => ({
      reviewId: `z${i}`,
      productId: "jacket",
      timeMs: T0 + (250 + k) * DAY_MS + 5000,
      insight: analysed(TEXTS[8 + (i % 2)]!),
    }));
    const all = [...base, ...surge];
    const asOf = T0 + 262 * DAY_MS;
    const fromReviews = emergingTopics(all, asOf);
    const fromCounts = emergingFromDayCounts("jacket", buckets(all), asOf);
    expect(fromCounts.map((t) => [t.key, t.direction, new Date(t.sinceMs).toISOString().slice(0, 10)])).toEqual([
      ["zipper", "negative", "2024-09-07"],
    ]);
    expect(fromReviews.map((t) => [t.key, t.direction, t.sinceMs])).toEqual(fromCounts.map((t) => [t.key, t.direction, t.sinceMs]));
    expect(fromCounts[0]!.mentions).toBe(4);
    expect(fromCounts[0]!.expected).toBeLessThan(0.2);
    expect(fromCounts[0]!.examples.length).toBeGreaterThan(0);
    // Flat history alone: nothing.
    expect(emergingFromDayCounts("jacket", buckets(base), asOf)).toEqual([]);
  });

  it("refuses bad input with a typed error", () => {
    expect(() => dayCountsOf([])).toThrow(InsightsInputError);
    expect(() => summarizeDayCounts([], { fromMs: 5, toMs: 5 })).toThrow(InsightsInputError);
    expect(() => emergingFromDayCounts("p", [], Number.NaN)).toThrow(InsightsInputError);
  });
});
