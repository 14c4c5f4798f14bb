import { describe, expect, it } from "vitest";
import {
  type AnalyzedReview,
  DAY_MS,
  type DayBlock,
  type DayCounts,
  InsightsInputError,
  MAX_BLOCK_LEVEL,
  analyzeReview,
  blockOf,
  childBlocks,
  dayCountsOf,
  dayOf,
  emergingFromDayCounts,
  emergingTopics,
  mergeDayCounts,
  periodBlocks,
  rollUpDayCounts,
  summarizeDayCounts,
  summarizeInsights,
  trimDayCounts,
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

  it("counts towards topics as emergingTopics does: a copy on the same day once, a nitpick in a glowing review not at all", () => {
    const base: AnalyzedReview[] = [];
    for (let d = 0; d < 300; d++)
      base.push({ reviewId: `b${d}`, productId: "jacket", timeMs: T0 + d * DAY_MS + 1000, insight: analysed(TEXTS[d % 8]!) });
    const at = (id: string, day: number, text: string): AnalyzedReview => ({
      reviewId: id,
      productId: "jacket",
      timeMs: T0 + day * DAY_MS + 5000 + Number(id.slice(1)),
      insight: analysed(text),
    });
    const glowing = "Love this jacket! Great fabric, perfect fit and a wonderful color, though the zipper is a bit stiff.";
    const reviews = [
      ...base,
      at("z1", 250, TEXTS[8]!),
      at("z2", 250, TEXTS[8]!), // a copy of z1
      at("z3", 251, glowing),
      at("z4", 252, glowing),
      at("z5", 253, TEXTS[9]!),
    ];
    const day250 = dayCountsOf(reviews.filter((r) => dayOf(r.timeMs) === T0 + 250 * DAY_MS));
    expect(day250.aspects.find((a) => a.key === "zipper")).toMatchObject({ mentions: 2, negative: 2, trendNegative: 1 });
    const day251 = dayCountsOf(reviews.filter((r) => dayOf(r.timeMs) === T0 + 251 * DAY_MS));
    expect(day251.aspects.find((a) => a.key === "zipper")).toMatchObject({ negative: 1, trendNegative: 0 });
    const asOf = T0 + 253.5 * DAY_MS;
    const fromReviews = emergingTopics(reviews, asOf);
    const fromCounts = emergingFromDayCounts("jacket", buckets(reviews), asOf);
    // (expected differs a little: a window of the buckets is whole days)
    expect(fromCounts.map((t) => [t.key, t.direction, t.mentions, t.sinceMs])).toEqual(
      fromReviews.map((t) => [t.key, t.direction, t.mentions, t.sinceMs]),
    );
    expect(fromCounts).toMatchObject([{ key: "zipper", direction: "negative", mentions: 2 }]);
    // A shop's merged bucket sums them.
    expect(mergeDayCounts([day250, day250]).aspects.find((a) => a.key === "zipper")).toMatchObject({ negative: 4, trendNegative: 2 });
    // Buckets stored before these counts existed: every signed mention counts, as it did then (all 5 here, the copy and the nitpicks included).
    const legacy = buckets(reviews).map((d) => ({
      ...d,
      aspects: d.aspects.map(({ trendPositive: _p, trendNegative: _n, ...a }) => a),
    }));
    expect(emergingFromDayCounts("jacket", legacy, asOf)).toMatchObject([{ key: "zipper", mentions: 5 }]);
  });

  it("opens a topic on one failure complaint from day buckets as emergingTopics does; buckets without failure counts do not", () => {
    const base: AnalyzedReview[] = [];
    for (let d = 0; d < 300; d++)
      base.push({ reviewId: `b${d}`, productId: "jacket", timeMs: T0 + d * DAY_MS + 1000, rating: 4, insight: analysed(TEXTS[d % 8]!) });
    const failure: AnalyzedReview = {
      reviewId: "f1",
      productId: "jacket",
      timeMs: T0 + 250 * DAY_MS + 5000,
      rating: 1,
      insight: analysed("The strap snapped on the second day."),
    };
    const reviews = [...base, failure];
    const day250 = dayCountsOf(reviews.filter((r) => dayOf(r.timeMs) === T0 + 250 * DAY_MS));
    expect(day250.aspects.find((a) => a.key === "strap")).toMatchObject({ negative: 1, trendNegative: 1, trendFailure: 1 });
    expect(mergeDayCounts([day250, day250]).aspects.find((a) => a.key === "strap")).toMatchObject({ trendFailure: 2 });
    const asOf = T0 + 251 * DAY_MS;
    const fromReviews = emergingTopics(reviews, asOf);
    const fromCounts = emergingFromDayCounts("jacket", buckets(reviews), asOf);
    // (expected, and so the evidence's figure, differs a little: a window of the buckets is whole days)
    expect(fromCounts.map((t) => [t.key, t.direction, t.mentions, t.sinceMs, t.evidence.replace(/[\d.]+ were/, "")])).toEqual(
      fromReviews.map((t) => [t.key, t.direction, t.mentions, t.sinceMs, t.evidence.replace(/[\d.]+ were/, "")]),
    );
    expect(fromCounts).toMatchObject([{ key: "strap", direction: "negative", mentions: 1, sinceMs: T0 + 250 * DAY_MS }]);
    // Buckets stored before failures were counted: one complaint is not a topic, as it was not then.
    const legacy = buckets(reviews).map((d) => ({ ...d, aspects: d.aspects.map(({ trendFailure: _f, ...a }) => a) }));
    expect(emergingFromDayCounts("jacket", legacy, asOf)).toEqual([]);
  });

  it("refuses bad input with a typed error", () => {
    expect(() => dayCountsOf([])).toThrow(InsightsInputError);
    expect(() => summarizeDayCounts([], { fromMs: 5, toMs: 5 })).toThrow(InsightsInputError);
    expect(() => emergingFromDayCounts("p", [], Number.NaN)).toThrow(InsightsInputError);
  });
});

/** Every block of every level, built bottom-up from the days as the API's worker builds them (a block from its two halves). */
function rollUps(days: readonly DayCounts[], quotedAspects: number): Map<string, DayCounts> {
  const out = new Map<string, DayCounts>();
  const id = (b: DayBlock) => `${b.level}.${b.index}`;
  for (const d of days) out.set(id(blockOf(d.dayMs, 0)), d);
  for (let level = 1; level <= MAX_BLOCK_LEVEL; level++) {
    const parents = new Map<string, DayBlock>();
    for (const d of days) parents.set(id(blockOf(d.dayMs, level)), blockOf(d.dayMs, level));
    for (const [key, block] of parents) {
      const parts = childBlocks(block)
        .map((c) => out.get(id(c)))
        .filter((x): x is DayCounts => !!x);
      out.set(key, rollUpDayCounts(parts, block.fromMs, { quotedAspects }));
    }
  }
  return out;
}

describe("roll-up blocks", () => {
  it("cover a period exactly with a few aligned blocks, none straddling the start of its second half", () => {
    for (const [fromDay, days] of [
      [19_000, 90],
      [19_001, 91],
      [19_003, 366],
      [19_007, 1],
      [19_008, 2],
      [19_011, 45],
    ] as const) {
      const period = { fromMs: fromDay * DAY_MS, toMs: (fromDay + days) * DAY_MS };
      const blocks = periodBlocks(period);
      // Contiguous, aligned, in order.
      let at = period.fromMs;
      for (const b of blocks) {
        expect(b.fromMs).toBe(at);
        expect(b).toEqual(blockOf(b.fromMs, b.level));
        at = b.toMs;
      }
      expect(at).toBe(period.toMs);
      // At most two per level in each half.
      expect(blocks.length).toBeLessThanOrEqual(2 * 2 * (MAX_BLOCK_LEVEL + 1));
      const secondHalf = period.fromMs + Math.ceil(days / 2) * DAY_MS;
      for (const b of blocks) expect(b.fromMs < secondHalf && b.toMs > secondHalf).toBe(false);
    }
    expect(periodBlocks({ fromMs: 19_000 * DAY_MS, toMs: 19_090 * DAY_MS }).length).toBeLessThan(20);
  });

  it("read as buckets, give the summary the days give (counts, direction and quotes)", () => {
    const reviews = [...timeline("p", 400, 11)];
    const days = buckets(reviews);
    const blocks = rollUps(days, 20);
    for (const [from, to] of [
      [0, 400],
      [30, 121],
      [5, 6],
      [100, 345],
      [1, 366],
    ] as const) {
      const period = { fromMs: T0 + from * DAY_MS, toMs: T0 + to * DAY_MS };
      const read = periodBlocks(period)
        .map((b) => blocks.get(`${b.level}.${b.index}`))
        .filter((x): x is DayCounts => !!x);
      expect(read.length).toBeLessThan(to - from + 1);
      const want = summarizeDayCounts(days, period, { limit: 20 });
      const got = summarizeDayCounts(read, period, { limit: 20 });
      // Sums in another order: equal to the last bits.
      expect(got.polarity).toBeCloseTo(want.polarity, 12);
      expect({ ...got, polarity: 0 }).toEqual({ ...want, polarity: 0 });
      expect(summarizeInsights(reviews, period, { limit: 20 }).aspects.map((a) => a.mentions)).toEqual(want.aspects.map((a) => a.mentions));
    }
  });

  it("a bucket trimmed for reading keeps the most mentioned aspects, quotes on the first few, and says what it cut", () => {
    const [day] = buckets(TEXTS.map((t, i) => ({ reviewId: `r${i}`, productId: "p", timeMs: T0 + i, insight: analysed(t) })));
    const ranked = [...day!.aspects].sort((x, y) => y.mentions - x.mentions || (x.key < y.key ? -1 : 1));
    expect(ranked.length).toBeGreaterThan(3);
    const t = trimDayCounts(day!, { aspects: 3, quotedAspects: 1 });
    expect(t.aspects.map((a) => a.key)).toEqual(ranked.slice(0, 3).map((a) => a.key));
    expect(t.aspects[0]!.quotes).toEqual(ranked[0]!.quotes);
    expect(t.aspects[1]!.quotes).toEqual([]);
    expect(t.cut).toBe(ranked[3]!.mentions);
    expect(trimDayCounts(day!, { aspects: 100, quotedAspects: 0 }).cut).toBe(0);
    // The others may keep their clearest quote of each sign.
    const one = trimDayCounts(day!, { aspects: 100, quotedAspects: 0, otherQuotes: 1 });
    for (const a of one.aspects) {
      const full = day!.aspects.find((x) => x.key === a.key)!;
      const pos = full.quotes.filter((q) => q.polarity > 0.05);
      const neg = full.quotes.filter((q) => q.polarity < -0.05);
      expect(a.quotes).toEqual([...pos.slice(0, 1), ...neg.slice(0, 1)]);
    }
    expect(() => periodBlocks({ fromMs: T0 + 1, toMs: T0 + DAY_MS })).toThrow(InsightsInputError);
    expect(() => blockOf(T0, MAX_BLOCK_LEVEL + 1)).toThrow(InsightsInputError);
  });
});
