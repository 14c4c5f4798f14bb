import { describe, expect, it } from "vitest";
import {
  type AnalyzedReview,
  DEFAULT_EMERGING_OPTIONS,
  InsightsInputError,
  analyzeReview,
  directionOf,
  emergingTopics,
  replayEmergingTopics,
  summarizeInsights,
} from "../src/index.js";
import { describesFailure } from "../src/lexicon/failure.js";

const DAY = 86_400_000;
const T0 = Date.parse("2024-01-01T00:00:00Z");

/** Everyday reviews of a jacket: fit, fabric, colour, size and delivery, praise and the usual gripes, in rotation. */
const EVERYDAY = [
  "Great fit and the fabric is soft.",
  "The color is lovely, exactly as pictured.",
  "Runs small, the size was off for me.",
  "Fast delivery and the jacket is warm.",
  "The fabric feels cheap but the price is fair.",
  "Die Passform ist super und der Stoff angenehm.",
  "Nice jacket, the hood is a bit short.",
  "The sleeves are too long, otherwise fine.",
];
const cache = new Map<string, ReturnType<typeof analyzeReview>>();
const analysed = (text: string) => {
  let r = cache.get(text);
  if (!r) cache.set(text, (r = analyzeReview({ body: text })));
  return r;
};

function everyday(productId: string, days: number, perDay: number): AnalyzedReview[] {
  const out: AnalyzedReview[] = [];
  let n = 0;
  for (let d = 0; d < days; d++) {
    for (let i = 0; i < perDay; i++, n++) {
      out.push({
        reviewId: `${productId}-${n}`,
        productId,
        timeMs: T0 + d * DAY + i * 1000,
        insight: analysed(EVERYDAY[n % EVERYDAY.length]!),
      });
    }
  }
  return out;
}

const ZIPPER = [
  "The zipper broke after a week.",
  "Der Reißverschluss ist nach drei Tagen kaputt gegangen.",
  "Returned it, the zipper kept separating.",
  "Very disappointed, the zipper broke the first time I wore it.",
  "Schöne Farbe, aber der Reißverschluss ist Schrott.",
];

describe("emerging topics", () => {
  const base = everyday("jacket", 300, 1);

  it("finds a new negative topic injected into a flat timeline, with the day it began and observed against expected", () => {
    const injected: AnalyzedReview[] = ZIPPER.map((text, i) => ({
      reviewId: `z${i}`,
      productId: "jacket",
      timeMs: T0 + (250 + 3 * i) * DAY + 5000,
      insight: analysed(text),
    }));
    const topics = replayEmergingTopics([...base, ...injected]);
    const zipper = topics.filter((t) => t.key === "zipper");
    expect(zipper).toHaveLength(1);
    const z = zipper[0]!;
    expect(z.direction).toBe("negative");
    expect(new Date(z.sinceMs).toISOString().slice(0, 10)).toBe("2024-09-07"); // day 250
    expect(z.detectedAtMs).toBeLessThanOrEqual(T0 + 262 * DAY);
    // Found at its second mention (day 253): two complaints about an aspect never mentioned before clear the bar.
    expect(z.mentions).toBe(2);
    expect(z.detectedAtMs).toBe(T0 + 253 * DAY + 5000);
    expect(z.expected).toBeLessThan(0.2);
    expect(z.surprise).toBeGreaterThanOrEqual(z.threshold);
    expect(z.evidence).toContain('negative mentions of "zipper" since 2024-09-07');
    expect(z.examples.length).toBeGreaterThan(0);
    // Nothing else in the timeline is an emerging topic.
    expect(topics.filter((t) => t.key !== "zipper")).toEqual([]);

    // As of a day inside the surge it is current; long after, it is not.
    expect(emergingTopics([...base, ...injected], T0 + 262 * DAY).map((t) => t.key)).toEqual(["zipper"]);
    expect(emergingTopics([...base, ...injected], T0 + 299 * DAY)).toEqual([]);
  });

  it("finds nothing on a flat timeline, nor when the product simply gets more reviews", () => {
    expect(replayEmergingTopics(base)).toEqual([]);
    // Ten times the volume for a month: the aspects' shares stay the same, so nothing is emerging.
    const busy = [
      ...everyday("jacket", 300, 1),
      ...everyday("jacket", 30, 10).map((r) => ({ ...r, reviewId: `busy-${r.reviewId}`, timeMs: r.timeMs + 200 * DAY })),
    ];
    expect(replayEmergingTopics(busy)).toEqual([]);
  });

  it("does not flag a product still in its grace period", () => {
    const young = everyday("new", 10, 1);
    const injected: AnalyzedReview[] = ZIPPER.map((text, i) => ({
      reviewId: `z${i}`,
      productId: "new",
      timeMs: T0 + (5 + i) * DAY + 5000,
      insight: analysed(text),
    }));
    expect(replayEmergingTopics([...young, ...injected])).toEqual([]);
  });

  it("raises the bar with the number of aspects tested", () => {
    const injected: AnalyzedReview[] = ZIPPER.slice(0, 3).map((text, i) => ({
      reviewId: `z${i}`,
      productId: "jacket",
      timeMs: T0 + (250 + i) * DAY + 5000,
      insight: analysed(text),
    }));
    const [z] = replayEmergingTopics([...base, ...injected]).filter((t) => t.key === "zipper");
    expect(z).toBeDefined();
    expect(z!.testedAspects).toBeGreaterThan(1);
    expect(z!.threshold).toBeCloseTo(DEFAULT_EMERGING_OPTIONS.threshold + Math.log10(z!.testedAspects), 10);
  });

  /** Complaints about the zipper on the given days (from T0) of the flat jacket timeline, one review each. */
  function complaints(days: number[], text: (i: number) => string): AnalyzedReview[] {
    return days.map((d, i) => ({ reviewId: `c${i}`, productId: "jacket", timeMs: T0 + d * DAY + 7000 + i, insight: analysed(text(i)) }));
  }

  it("counts a review copied on the same day once: three copies are one complaint, three complaints a topic", () => {
    // Review data repeats a review on one day (Amazon lists it once per variant of the product).
    const copies = complaints([250, 250, 250], () => "Very disappointed, the zipper broke the first time I wore it.");
    expect(replayEmergingTopics([...base, ...copies])).toEqual([]);
    const three = complaints([250, 250, 250], (i) => ZIPPER[[3, 0, 2][i]!]!);
    const asOf = T0 + 253 * DAY;
    expect(emergingTopics([...base, ...three], asOf)).toMatchObject([{ key: "zipper", direction: "negative", mentions: 3 }]);
    // The same words on different days are different reviews.
    const spread = complaints([250, 251, 252], () => ZIPPER[3]!);
    expect(emergingTopics([...base, ...spread], asOf)).toMatchObject([{ key: "zipper", mentions: 3 }]);
  });

  it("does not count a nitpick inside a review that is positive overall towards a negative topic", () => {
    const GLOWING = [
      "Love this jacket! Great fabric, perfect fit and a wonderful color, though the zipper is a bit stiff.",
      "Gorgeous color and excellent quality, I get compliments every time. Only the zipper feels a little cheap.",
    ];
    for (const text of GLOWING) {
      const r = analysed(text);
      expect(r.polarity).toBeGreaterThan(0.5);
      expect(r.aspects.find((a) => a.key === "zipper")!.polarity).toBeLessThan(0);
    }
    const nitpicks = complaints([250, 252, 254, 256], (i) => GLOWING[i % 2]!);
    expect(replayEmergingTopics([...base, ...nitpicks]).filter((t) => t.key === "zipper")).toEqual([]);
    // As many complaints in reviews that are negative overall are one.
    const defects = complaints([250, 252, 254, 256], (i) => ZIPPER[i]!);
    expect(replayEmergingTopics([...base, ...defects]).map((t) => [t.key, t.direction])).toEqual([["zipper", "negative"]]);
  });

  it("counts a complaint under a praising title in a 1- or 2-star review: the stars say it is not a nitpick", () => {
    const titled = (i: number, rating: number): AnalyzedReview => ({
      reviewId: `t${i}`,
      productId: "jacket",
      timeMs: T0 + (250 + 2 * i) * DAY + 9000,
      rating,
      insight: analyzeReview({
        title: "Schöne Jacke",
        body: [
          "Die Farbe ist toll, aber der Reißverschluss ist nach zwei Wochen kaputt gegangen.",
          "Tolle Farbe, leider klemmt der Reißverschluss schon nach einer Woche.",
        ][i % 2]!,
        language: "de",
      }),
    });
    const low = [0, 1, 2, 3].map((i) => titled(i, 2));
    // The title tips the words positive overall ...
    for (const r of low) expect(r.insight.polarity).toBeGreaterThan(0.1);
    // ... yet two stars make the zipper a complaint, and four of them a topic.
    expect(replayEmergingTopics([...base, ...low]).map((t) => [t.key, t.direction])).toEqual([["zipper", "negative"]]);
    // The same reviews with five stars are nitpicks.
    expect(replayEmergingTopics([...base, ...[0, 1, 2, 3].map((i) => titled(i, 5))]).filter((t) => t.key === "zipper")).toEqual([]);
  });

  it("counts a 'poor quality zipper' with 'the zipper broke'", () => {
    const poor = analysed("Poor quality zipper, it won't stay closed.");
    expect(poor.aspects.map((a) => [a.term, a.key])).toEqual([["quality zipper", "zipper"]]);
    // Two of each phrasing: four mentions of one aspect, not two of each of two.
    const mixed = complaints([250, 251, 252, 253], (i) => (i % 2 ? "Poor quality zipper, it won't stay closed." : ZIPPER[i]!));
    expect(emergingTopics([...base, ...mixed], T0 + 254 * DAY)).toMatchObject([{ key: "zipper", mentions: 4 }]);
  });

  /** One review of the flat jacket timeline on day `day`, with stars. */
  function rated(id: string, day: number, rating: number | null, text: string): AnalyzedReview {
    return { reviewId: id, productId: "jacket", timeMs: T0 + day * DAY + 9000, rating, insight: analysed(text) };
  }
  // Failures of parts the jacket's reviews never mention; none of them is a phrasing of the benchmark's injector.
  const FAILURES = [
    ["strap", "The strap snapped on the second day."],
    ["schnall", "Die Schnalle ist nach zwei Tagen abgebrochen, sehr ärgerlich."],
    // Said flatly (polarity 0): the stars and the failure make it a complaint.
    ["buckle", "The buckle fell off after two days."],
  ] as const;

  it("opens a negative topic on one failure complaint in a 1- or 2-star review about an aspect the product never mentioned", () => {
    for (const [key, text] of FAILURES) {
      for (const stars of [1, 2]) {
        const one = rated("f1", 250, stars, text);
        const topics = replayEmergingTopics([...base, one]);
        expect(topics.map((t) => [t.key, t.direction, t.mentions, t.sinceMs, t.detectedAtMs])).toEqual([
          [key, "negative", 1, T0 + 250 * DAY, one.timeMs],
        ]);
        expect(topics[0]!.evidence).toContain("describing a failure in a 1- or 2-star review");
        expect(topics[0]!.examples.map((q) => q.reviewId)).toEqual(["f1"]);
        // Current the day after; no longer a month on, with nothing more said.
        expect(emergingTopics([...base, one], T0 + 251 * DAY).map((t) => t.key)).toEqual([key]);
        expect(emergingTopics([...base, one], T0 + 290 * DAY)).toEqual([]);
      }
    }
  });

  it("does not open a topic on one complaint without stars, of 3 stars or more, without a failure, or about an aspect the product has", () => {
    const strap = FAILURES[0][1];
    const none = (extra: AnalyzedReview[], timeline = base) => expect(replayEmergingTopics([...timeline, ...extra])).toEqual([]);
    none([rated("f1", 250, null, strap)]);
    none([rated("f1", 250, 3, strap)]);
    // A gripe is not a failure.
    none([rated("f1", 250, 1, "The strap is ugly and uncomfortable.")]);
    // Praised before: the product has the aspect, and one failure of it is one complaint among its mentions.
    none([rated("p1", 100, 5, "Nice strap."), rated("f1", 250, 1, strap)]);
    // The hood is in the everyday reviews.
    none([rated("f1", 250, 1, "The hood ripped off after a week.")]);
    // Grace period.
    none([{ ...rated("f1", 8, 1, strap), productId: "new" }], everyday("new", 10, 1));
    // "less" is no aspect ("after less than a week the sole ripped off": a real complaint raised "less" on its first day).
    expect(analysed("After less than a week the strap ripped off.").aspects.map((a) => a.key)).toEqual(["strap"]);
    // Switched off.
    expect(replayEmergingTopics([...base, rated("f1", 250, 1, strap)], { failureOpens: false })).toEqual([]);
  });

  it("tells a failure from other words", () => {
    for (const t of [
      "It broke.",
      "came off the first day",
      "The soles fell apart.",
      "Die Naht ist gerissen.",
      "Der Träger löst sich.",
      "ist KAPUTT",
    ])
      expect(describesFailure(t), t).toBe(true);
    for (const t of [
      "I fell in love with it.",
      "A nice break from heels.",
      "The apartment is cold.",
      "Die Größe passt nicht.",
      "off-white color",
      "It came off as cheap.",
    ])
      expect(describesFailure(t), t).toBe(false);
  });

  it("rejects bad options and times with a typed error", () => {
    expect(() => emergingTopics(base, Number.NaN)).toThrow(InsightsInputError);
    expect(() => replayEmergingTopics(base, { windowDays: -3 })).toThrow(/windowDays > 0/);
    expect(() => replayEmergingTopics(base, { minMentions: 0 })).toThrow(InsightsInputError);
  });
});

describe("summarizeInsights", () => {
  it("lists aspects by mentions with positive and negative shares and quotes from the majority side", () => {
    const reviews = everyday("jacket", 80, 1);
    const s = summarizeInsights(reviews, { fromMs: T0, toMs: T0 + 80 * DAY });
    expect(s.reviews).toBe(80);
    const fabric = s.aspects.find((a) => a.key === "fabric")!;
    // "Great fit and the fabric is soft." (+), "The fabric feels cheap ..." (-), "... der Stoff angenehm." (+, key fabric): 30 of 80.
    expect(fabric.mentions).toBe(30);
    expect(fabric.positive).toBe(20);
    expect(fabric.negative).toBe(10);
    expect(fabric.positiveShare).toBeCloseTo(2 / 3, 10);
    expect(fabric.examples.length).toBe(3);
    for (const q of fabric.examples) expect(q.polarity).toBeGreaterThan(0);
    expect(fabric.direction).toBe("steady");
    for (let i = 1; i < s.aspects.length; i++) expect(s.aspects[i - 1]!.mentions).toBeGreaterThanOrEqual(s.aspects[i]!.mentions);
  });

  it("says rising when an aspect is talked about more in the period's second half", () => {
    const first = everyday("jacket", 40, 1);
    const second = everyday("jacket", 40, 1).map((r, i) => ({
      ...r,
      reviewId: `late-${i}`,
      timeMs: r.timeMs + 40 * DAY,
      insight: i % 2 ? analysed("The zipper broke after a week.") : r.insight,
    }));
    const s = summarizeInsights([...first, ...second], { fromMs: T0, toMs: T0 + 80 * DAY });
    expect(s.aspects.find((a) => a.key === "zipper")!.direction).toBe("rising");
    expect(directionOf(10, 40, 2, 40, 1.96)).toBe("falling");
    expect(directionOf(5, 40, 6, 40, 1.96)).toBe("steady");
  });

  it("counts only reviews inside the period and is independent of input order", () => {
    const reviews = everyday("jacket", 80, 1);
    const period = { fromMs: T0 + 10 * DAY, toMs: T0 + 20 * DAY };
    const a = summarizeInsights(reviews, period);
    expect(a.reviews).toBe(10);
    expect(summarizeInsights([...reviews].reverse(), period)).toEqual(a);
    expect(() => summarizeInsights(reviews, { fromMs: 5, toMs: 5 })).toThrow(InsightsInputError);
  });
});
