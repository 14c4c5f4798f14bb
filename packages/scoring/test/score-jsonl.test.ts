import { describe, expect, it } from "vitest";
import { InputLineError, scoreJsonl } from "../scripts/score-jsonl.js";

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
  const parsed = out.trim().split("\n").map((l) => JSON.parse(l) as Record<string, unknown>);
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
    for (let i = 0; i < 120; i++) input.push({ reviewId: `r${i}`, productId: "p", reviewerId: `u${i % 10}`, rating: 4, time: iso(t0 + i * 3 * DAY) });
    const start = t0 + 360 * DAY;
    for (let i = 0; i < 10; i++) input.push({ reviewId: `f${i}`, productId: "p", reviewerId: `fake${i}`, rating: 5, time: iso(start + i * 3_600_000) });
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
    expect(bad([JSON.stringify({ reviewId: "a", productId: "p", reviewerId: "u", rating: 6, time: iso(t0) })])).toThrow(/line 1: "rating" must be an integer 1..5, got 6/);
    expect(bad(["", JSON.stringify({ reviewId: "a", productId: "p", reviewerId: "u", rating: 5, time: "yesterday" })])).toThrow(/line 2: "time" must be ISO 8601/);
    expect(bad([JSON.stringify({ reviewId: "a", productId: "p", rating: 5, time: iso(t0) })])).toThrow(/line 1: "reviewerId" must be a string/);
    expect(
      bad([
        JSON.stringify({ reviewId: "a", productId: "p", reviewerId: "u", rating: 5, time: iso(t0 + DAY) }),
        JSON.stringify({ reviewId: "b", productId: "p", reviewerId: "v", rating: 5, time: iso(t0) }),
      ]),
    ).toThrow(/line 2: review b is earlier than the product's previous review/);
  });
});
