import { describe, expect, it } from "vitest";
import { InputLineError, parseReviewLine, parseTimeMs, putDecimal, scoreJsonl } from "../scripts/score-jsonl.js";

const DAY = 86_400_000;
const t0 = Date.parse("2025-01-01T00:00:00Z");
const iso = (ms: number) => new Date(ms).toISOString();

function run(lines: object[]): { reviews: Record<string, unknown>[]; products: Record<string, unknown>[] } {
  let out = "";
  scoreJsonl(
    lines.map((l) => JSON.stringify(l)),
    (chunk) => {
      out += chunk;
    },
  );
  const parsed = out
    .trim()
    .split("\n")
    .map((l) => JSON.parse(l) as Record<string, unknown>);
  return { reviews: parsed.filter((p) => "reviewId" in p), products: parsed.filter((p) => "productId" in p) };
}

describe("score command", () => {
  it("writes one line per review in input order, then one per product", () => {
    const input = [
      { reviewId: "a", productId: "p1", reviewerId: "u1", rating: 5, time: iso(t0) },
      { reviewId: "b", productId: "p2", reviewerId: "u1", rating: 4, time: iso(t0 + DAY), verified: true },
      { reviewId: "c", productId: "p1", reviewerId: "u2", rating: 3, time: iso(t0 + 2 * DAY), text: "fine" },
    ];
    const { reviews, products } = run(input);
    expect(reviews.map((r) => r.reviewId)).toEqual(["a", "b", "c"]);
    // First review: suspicion 1/(1 + e) (see score-arrival.test.ts), rounded to 4 decimals.
    expect(reviews[0]).toEqual({
      reviewId: "a",
      suspicion: 0.2689,
      trustWeight: 0.7311,
      reasons: [
        { code: "first_time_reviewer", weight: 1.6, message: "First review by this reviewer." },
        { code: "extreme_rating", stars: 5, weight: 0.4, message: "A 5-star rating, the extreme of the scale." },
      ],
    });
    expect(reviews[1]!.reasons).toContainEqual({ code: "verified_purchase", verified: true, weight: -1.5, message: "Verified purchase." });
    expect(products.map((p) => p.productId)).toEqual(["p1", "p2"]);
    expect(products[0]).toMatchObject({ productId: "p1", count: 2, plainMean: 4, bursts: [] });
    const interval = products[0]!.interval as number[];
    expect(interval[0]).toBeLessThan(products[0]!.rating as number);
    expect(interval[1]).toBeGreaterThan(products[0]!.rating as number);
  });

  it("reports a burst with its window and reasons, and re-weights the reviews before the alarm", () => {
    const input: object[] = [];
    for (let i = 0; i < 120; i++)
      input.push({ reviewId: `r${i}`, productId: "p", reviewerId: `u${i % 10}`, rating: 4, time: iso(t0 + i * 3 * DAY) });
    const start = t0 + 360 * DAY;
    for (let i = 0; i < 10; i++)
      input.push({ reviewId: `f${i}`, productId: "p", reviewerId: `fake${i}`, rating: 5, time: iso(start + i * 3_600_000) });
    const { reviews, products } = run(input);
    const fakes = reviews.filter((r) => String(r.reviewId).startsWith("f"));
    expect(fakes.every((r) => (r.trustWeight as number) <= 0.15)).toBe(true);
    expect(fakes.every((r) => (r.reasons as { code: string }[]).some((x) => x.code === "burst"))).toBe(true);
    const bursts = products[0]!.bursts as { start: string; end: string; reasons: Record<string, unknown>[] }[];
    expect(bursts).toHaveLength(1);
    expect(Date.parse(bursts[0]!.end)).toBe(start + 9 * 3_600_000);
    const reason = bursts[0]!.reasons.find((r) => (r.burst as { stream: string }).stream === "first_time_5_star")!;
    expect(reason.burst).toMatchObject({ detector: "scan", firstTimerShare: 1, meanStars: 5 });
    expect(reason.message).toMatch(/five-star reviews from first-time reviewers in 24 h against a baseline of/);
  });

  it("names the line of bad input", () => {
    const bad = (lines: string[]) => () => scoreJsonl(lines, () => {});
    expect(bad(["{nope"])).toThrow(new InputLineError("line 1: not valid JSON"));
    expect(bad([JSON.stringify({ reviewId: "a", productId: "p", reviewerId: "u", rating: 6, time: iso(t0) })])).toThrow(
      /line 1: "rating" must be an integer 1..5, got 6/,
    );
    expect(bad(["", JSON.stringify({ reviewId: "a", productId: "p", reviewerId: "u", rating: 5, time: "yesterday" })])).toThrow(
      /line 2: "time" must be ISO 8601/,
    );
    expect(bad([JSON.stringify({ reviewId: "a", productId: "p", rating: 5, time: iso(t0) })])).toThrow(
      /line 1: "reviewerId" must be a string/,
    );
    expect(
      bad([
        JSON.stringify({ reviewId: "a", productId: "p", reviewerId: "u", rating: 5, time: iso(t0 + DAY) }),
        JSON.stringify({ reviewId: "b", productId: "p", reviewerId: "v", rating: 5, time: iso(t0) }),
      ]),
    ).toThrow(/line 2: review b is earlier than the product's previous review/);
  });
});

describe("line parsing", () => {
  /** The reference: JSON.parse and Date.parse, as the command did before its fast path. */
  function reference(line: string): unknown {
    try {
      const o = JSON.parse(line) as Record<string, unknown>;
      const ok =
        typeof o.reviewId === "string" &&
        typeof o.productId === "string" &&
        typeof o.reviewerId === "string" &&
        typeof o.rating === "number" &&
        Number.isInteger(o.rating) &&
        o.rating >= 1 &&
        o.rating <= 5 &&
        typeof o.time === "string" &&
        Number.isFinite(Date.parse(o.time)) &&
        (o.text === undefined || typeof o.text === "string") &&
        (o.verified === undefined || typeof o.verified === "boolean");
      if (!ok) return "error";
      return {
        reviewId: o.reviewId,
        productId: o.productId,
        reviewerId: o.reviewerId,
        stars: o.rating,
        timeMs: Date.parse(o.time as string),
        text: o.text,
        verified: o.verified,
      };
    } catch {
      return "error";
    }
  }
  function parsed(line: string): unknown {
    try {
      return { ...parseReviewLine(line, 1) };
    } catch (err) {
      expect(err).toBeInstanceOf(InputLineError);
      return "error";
    }
  }

  it("agrees with JSON.parse and Date.parse on ordinary and odd lines", () => {
    const base = { reviewId: "r1", productId: "p1", reviewerId: "u1", rating: 4, time: "2024-03-05T06:07:08.009Z" };
    const lines = [
      JSON.stringify(base),
      JSON.stringify({ ...base, text: 'Great "quoted" text\nwith a newline ✓', verified: false }),
      JSON.stringify({ time: base.time, rating: 5, reviewerId: "ü", productId: "p", reviewId: "x", verified: true, extra: "e" }),
      JSON.stringify({ ...base, rating: 4.0 }),
      JSON.stringify({ ...base, rating: 4.5 }),
      JSON.stringify({ ...base, rating: "4" }),
      JSON.stringify({ ...base, rating: 0 }),
      JSON.stringify({ ...base, rating: 10 }),
      JSON.stringify({ ...base, text: null }),
      JSON.stringify({ ...base, verified: "yes" }),
      JSON.stringify({ ...base, extra: { nested: [1, 2] } }),
      JSON.stringify({ ...base, reviewId: 7 }),
      `{"reviewId":"a","reviewId":"b","productId":"p","reviewerId":"u","rating":3,"time":"${base.time}"}`,
      `{ "reviewId": "a", "productId": "p", "reviewerId": "u", "rating": 3, "time": "${base.time}" }`,
      `{"reviewId":"a","productId":"p","reviewerId":"u","rating":3,"time":"${base.time}"}x`,
      `{"reviewId":"a","productId":"p","reviewerId":"u","rating":3,"time":"${base.time}",}`,
      `{"reviewId":"a\tb","productId":"p","reviewerId":"u","rating":3,"time":"${base.time}"}`,
      `{"reviewId":"a\\u0041","productId":"p","reviewerId":"u","rating":3,"time":"${base.time}"}`,
      `{"reviewId":"a","productId":"p","reviewerId":"u","rating":3,"time":"${base.time}","verified":truex}`,
      `{"reviewId":"a","productId":"p","reviewerId":"u","rating":3,"time":"${base.time}","verified":null}`,
      `{"reviewId":"a","productId":"p","reviewerId":"u","rating":3}`,
      "{}",
      "{",
      "[]",
    ];
    for (const time of [
      "2024-02-29T23:59:59.999Z",
      "2023-02-29T00:00:00.000Z",
      "2024-13-01T00:00:00.000Z",
      "2024-04-31T00:00:00.000Z",
      "2024-01-01T24:00:00.000Z",
      "2024-01-01T12:60:00.000Z",
      "2024-01-01T12:00:60.000Z",
      "2024-01-01T12:00:00.00xZ",
      "2024-01-01T12:00:00Z",
      "2024-01-01",
      "2024-01-01T12:00:00.000+02:00",
      "1969-12-31T23:59:59.999Z",
      "+002024-01-01T00:00:00.000Z",
      "2024-1-01T00:00:00.000Z",
      "2024-01-01T00:00:00.000z",
      "yesterday",
      "",
    ]) {
      lines.push(JSON.stringify({ ...base, time }));
    }
    for (const line of lines) expect(parsed(line), line).toEqual(reference(line));
  });

  it("parses times exactly as Date.parse does", () => {
    let ms = Date.parse("1999-12-31T00:00:00.000Z");
    for (let i = 0; i < 2000; i++) {
      ms += (i * 7_919_993) % 400_000_000;
      const iso = new Date(ms).toISOString();
      expect(parseTimeMs(iso)).toBe(Date.parse(iso));
    }
  });
});

describe("number output", () => {
  it("writes numbers as String(k / 10^digits) writes them", () => {
    const b = Buffer.alloc(64);
    const text = (k: number, digits: number) => b.toString("latin1", 0, putDecimal(b, 0, k, digits));
    const wrong: string[] = [];
    for (const digits of [2, 4]) {
      const scale = 10 ** digits;
      const ks = [-0, -1, -12_345, 0.5, 2 ** 31 - 1, 2 ** 31, 123_456_789, Number.NaN, Number.POSITIVE_INFINITY];
      for (let k = 0; k < 1 << 16; k++) ks.push(k);
      for (const k of ks) if (text(k, digits) !== String(k / scale)) wrong.push(`${k}/${scale}: ${text(k, digits)}`);
    }
    expect(wrong).toEqual([]);
  });
});
