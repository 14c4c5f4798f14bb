import { describe, expect, it, vi } from "vitest";
import { InputLineError, NameNumbers, ReviewLineReader, parseReviewLine, putDecimal, scoreJsonl } from "../scripts/score-jsonl.js";

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
  /** The reference: JSON.parse and Date.parse on the decoded, trimmed line, as the command did before its fast paths. */
  function reference(bytes: Buffer): unknown {
    const line = bytes.toString("utf8").trim();
    if (line === "") return "blank";
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

  /** Reads each line with one reader, as the command's parsing thread does: a review, "blank", or "error" with the message. */
  function readAll(lines: Buffer[]): { result: unknown; message?: string }[] {
    const reader = new ReviewLineReader(
      () => {},
      () => {},
    );
    return lines.map((bytes) => {
      try {
        if (!reader.read(bytes, 0, bytes.length, 7)) return { result: "blank" };
        return {
          result: {
            reviewId: reader.reviewId,
            productId: reader.products.names[reader.product],
            reviewerId: reader.reviewers.names[reader.reviewer],
            stars: reader.stars,
            timeMs: reader.timeMs,
            text: reader.text,
            verified: reader.verified,
          },
        };
      } catch (err) {
        return { result: "error", message: `${(err as Error).name}: ${(err as Error).message}` };
      }
    });
  }

  /**
   * The error the command gave for a bad line before it read bytes:
   * parseReviewLine's on the decoded, trimmed line. An InputLineError names
   * the line (the line `null` too: it stopped the parsing thread with a
   * TypeError until it was checked like "[]" and "nope").
   */
  function errorBefore(bytes: Buffer): string {
    try {
      parseReviewLine(bytes.toString("utf8").trim(), 7);
    } catch (err) {
      return `${(err as Error).name}: ${(err as Error).message}`;
    }
    return "no error";
  }

  const base = { reviewId: "r1", productId: "p1", reviewerId: "u1", rating: 4, time: "2024-03-05T06:07:08.009Z" };
  const t = base.time;
  const odd = [
    JSON.stringify(base),
    // Escapes: JSON.parse's path, the same strings.
    JSON.stringify({ ...base, text: 'Great "quoted" text\nwith a newline \\ and a tab\t ✓', verified: false }),
    `{"reviewId":"a\\u0041","productId":"p\\/1","reviewerId":"u\\u00e9","rating":3,"time":"${t}","text":"\\ud83d\\ude00 \\"x\\""}`,
    `{"reviewId":"a","productId":"p","reviewerId":"u\\u0031","rating":3,"time":"${t}"}`,
    // Unicode as UTF-8 bytes: in ids, keys, text, an emoji (a surrogate pair in the string).
    JSON.stringify({ time: t, rating: 5, reviewerId: "ü", productId: "p", reviewId: "x", verified: true, extra: "e" }),
    JSON.stringify({ ...base, reviewId: "rév-😀", productId: "产品", text: "Très bien 😀, 很好", clé: "v" }),
    // Reordered fields, unknown fields of every simple type, a repeated field (the last counts).
    JSON.stringify({ verified: false, text: "t", time: t, rating: 2, reviewerId: "u9", productId: "p9", reviewId: "r9" }),
    JSON.stringify({ ...base, n: 7, b: true, f: false, s: "x" }),
    `{"reviewId":"a","reviewId":"b","productId":"p","reviewerId":"u","rating":3,"time":"${t}"}`,
    `{"reviewId":"a","productId":"p","reviewerId":"u","rating":3,"rating":5,"time":"${t}"}`,
    `{"reviewId":"a","productId":"p","reviewerId":"u","rating":"3","rating":5,"time":"${t}"}`,
    // Whitespace: around tokens, around the line (ASCII and not), a CR of a CRLF file, blank lines.
    `{ "reviewId": "a", "productId": "p", "reviewerId": "u", "rating": 3, "time": "${t}" }`,
    `{"reviewId" :"a","productId":"p","reviewerId":"u","rating":3 ,"time":"${t}"}`,
    `{"reviewId":"a","productId":"p","reviewerId":"u","rating":3,"time":"${t}"}\r`,
    ` \t{"reviewId":"a","productId":"p","reviewerId":"u","rating":3,"time":"${t}"}\t \f\v`,
    `\u00a0{"reviewId":"a","productId":"p","reviewerId":"u","rating":3,"time":"${t}"}\u2028`,
    `\ufeff{"reviewId":"a","productId":"p","reviewerId":"u","rating":3,"time":"${t}"}`,
    "",
    "   \t\r",
    "\u00a0\u3000",
    // Numbers and values the fast path leaves to JSON.parse.
    JSON.stringify({ ...base, rating: 4.0 }),
    `{"reviewId":"a","productId":"p","reviewerId":"u","rating":4.0,"time":"${t}"}`,
    `{"reviewId":"a","productId":"p","reviewerId":"u","rating":4e0,"time":"${t}"}`,
    JSON.stringify({ ...base, rating: 4.5 }),
    JSON.stringify({ ...base, rating: "4" }),
    JSON.stringify({ ...base, rating: 0 }),
    JSON.stringify({ ...base, rating: 6 }),
    JSON.stringify({ ...base, rating: 10 }),
    JSON.stringify({ ...base, rating: -1 }),
    JSON.stringify({ ...base, text: null }),
    JSON.stringify({ ...base, text: 5 }),
    JSON.stringify({ ...base, text: true }),
    JSON.stringify({ ...base, verified: "yes" }),
    JSON.stringify({ ...base, verified: 1 }),
    JSON.stringify({ ...base, extra: { nested: [1, 2] } }),
    JSON.stringify({ ...base, extra: null }),
    JSON.stringify({ ...base, reviewId: 7 }),
    JSON.stringify({ ...base, reviewId: true }),
    JSON.stringify({ ...base, productId: "" }),
    // Malformed lines.
    `{"reviewId":"a","productId":"p","reviewerId":"u","rating":3,"time":"${t}"}x`,
    `{"reviewId":"a","productId":"p","reviewerId":"u","rating":3,"time":"${t}",}`,
    `{"reviewId":"a","productId":"p","reviewerId":"u","rating":3,"time":"${t}"}}`,
    `{"reviewId":"a","productId":"p","reviewerId":"u","rating":3,"time":"${t}"`,
    `{"reviewId":"a","productId":"p","reviewerId":"u","rating":3,"time":"${t}`,
    `{"reviewId":"a\tb","productId":"p","reviewerId":"u","rating":3,"time":"${t}"}`,
    `{"reviewId":"a","productId":"p","reviewerId":"u","rating":3,"time":"${t}","verified":truex}`,
    `{"reviewId":"a","productId":"p","reviewerId":"u","rating":3,"time":"${t}","verified":tru}`,
    `{"reviewId":"a","productId":"p","reviewerId":"u","rating":3,"time":"${t}","verified":null}`,
    `{"reviewId":"a","productId":"p","reviewerId":"u","rating":3,"time":"${t}","verified":}`,
    `{"reviewId":"a","productId":"p","reviewerId":"u","rating":3,"time":"${t}",""}`,
    `{"reviewId":"a","productId":"p","reviewerId":"u","rating":3,"time":"${t}","text"}`,
    `{"reviewId":"a","productId":"p","reviewerId":"u","rating":3}`,
    `{"reviewId":"a","productId":"p","rating":3,"time":"${t}"}`,
    `{'reviewId':'a','productId':'p','reviewerId':'u','rating':3,'time':'${t}'}`,
    `{"reviewId":"a","productId":"p","reviewerId":"u","rating":3,"time":"${t}"} {}`,
    "{}",
    "{",
    "}",
    "{}}",
    '{"}',
    "[]",
    "null",
    "nope",
  ];
  const timeLines = [
    "2024-02-29T23:59:59.999Z",
    "2023-02-29T00:00:00.000Z",
    "2024-13-01T00:00:00.000Z",
    "2024-04-31T00:00:00.000Z",
    "2024-01-01T24:00:00.000Z",
    "2024-01-01T12:60:00.000Z",
    "2024-01-01T12:00:60.000Z",
    "2024-01-01T12:00:00.00xZ",
    "2024-01-0xT12:00:00.000Z",
    "2024-01-01T12:00:00Z",
    "2024-01-01",
    "2024-01-01T12:00:00.000+02:00",
    "1969-12-31T23:59:59.999Z",
    "+002024-01-01T00:00:00.000Z",
    "2024-1-01T00:00:00.000Z",
    "2024-01-01T00:00:00.000z",
    "2024-01-01T00:00:00.000Ẑ",
    "２024-01-01T00:00:00.000Z",
    "yesterday",
    "",
  ].map((time) => JSON.stringify({ ...base, time }));
  // Bytes that are not UTF-8, in ids, text and a key: decoded to U+FFFD as the whole line was before.
  const notUtf8 = [
    [`{"reviewId":"r\xff","productId":"p\xc3","reviewerId":"u\xe2\x82","rating":3,"time":"${t}","text":"a\xf0\x9f\x98 b\x80"}`],
    [`{"reviewId":"r","productId":"p","reviewerId":"u\xfe","rating":3,"time":"${t}","k\xff":"v"}`],
    [`{"reviewId":"r","productId":"p","reviewerId":"u\xff","rating":3,"time":"2024-03-05T06:07:08.00\xffZ"}`],
    [`\xff{"reviewId":"r","productId":"p","reviewerId":"u","rating":3,"time":"${t}"}`],
  ].map(([l]) => Buffer.from(l!, "latin1"));

  it("reads every line as JSON.parse and Date.parse do, and rejects what they reject with the same message as before", () => {
    const lines = [...odd, ...timeLines].map((l) => Buffer.from(l, "utf8")).concat(notUtf8);
    const read = readAll(lines);
    for (const [i, bytes] of lines.entries()) {
      const expected = reference(bytes);
      expect(read[i]!.result, bytes.toString("utf8")).toEqual(expected);
      if (expected === "error") expect(read[i]!.message, bytes.toString("utf8")).toBe(errorBefore(bytes));
    }
    // A few of the lines must be read, and a few rejected, or this test says little.
    expect(read.filter((r) => typeof r.result === "object").length).toBeGreaterThan(20);
    expect(read.filter((r) => r.result === "error").length).toBeGreaterThan(30);
  });

  it("reads a line within a larger buffer, never past its end", () => {
    const line = JSON.stringify(base);
    // The line's bytes followed by what would make it valid, or different, if read past its end.
    for (const tail of ['"}', "}", ',"text":"x"}', "0", "\n"]) {
      for (const cut of [1, 2, 5, 12, 30, line.length - 1]) {
        const bytes = Buffer.from(line.slice(0, line.length - cut) + tail, "utf8");
        const end = line.length - cut;
        const [got] = readAll([bytes.subarray(0, end)]);
        const reader = new ReviewLineReader(
          () => {},
          () => {},
        );
        let result: unknown;
        try {
          result = reader.read(bytes, 0, end, 7) ? reader.reviewId : "blank";
        } catch {
          result = "error";
        }
        expect(result).toBe(got!.result === "error" ? "error" : (got!.result as { reviewId: string }).reviewId);
        expect(got!.result).toEqual(reference(bytes.subarray(0, end)));
      }
    }
  });

  it("numbers ids in order of first appearance, whether read from bytes or from escapes", () => {
    const line = (reviewer: string, product: string) =>
      Buffer.from(`{"reviewId":"r","productId":"${product}","reviewerId":"${reviewer}","rating":3,"time":"${t}"}`, "utf8");
    const newReviewers: string[] = [];
    const reader = new ReviewLineReader(
      () => {},
      (name) => newReviewers.push(name),
    );
    const numbers = [
      line("u1", "p"),
      line("u2", "p"),
      line("u\\u0031", "p"), // "u1" through JSON.parse
      line("ü", "p"),
      line("\\u00fc", "p"), // "ü" through JSON.parse
      Buffer.from(`{"reviewId":"r","productId":"p","reviewerId":"x\xff","rating":3,"time":"${t}"}`, "latin1"),
      Buffer.from(`{"reviewId":"r","productId":"p","reviewerId":"x\xfe","rating":3,"time":"${t}"}`, "latin1"), // also "x\ufffd"
      line("x\\ufffd", "p"),
      line("u2", "p"),
    ].map((bytes) => {
      reader.read(bytes, 0, bytes.length, 1);
      return reader.reviewer;
    });
    expect(numbers).toEqual([0, 1, 0, 2, 2, 3, 3, 3, 1]);
    expect(newReviewers).toEqual(["u1", "u2", "ü", "x\ufffd"]);
    expect(reader.reviewers.names).toEqual(newReviewers);
  });

  it("tells apart names with the same hash and length", () => {
    const names: string[] = [];
    const table = new NameNumbers((name) => names.push(name));
    // Both hash to −1200412887 (FNV-1a, 32 bits), so they share a slot's probe sequence.
    const numbers = ["nl64wsrt", "ucdg92lf", "ucdg92lf", "nl64wsrt"].map((name) => table.ofString(name));
    expect(numbers).toEqual([0, 1, 1, 0]);
    expect(names).toEqual(["nl64wsrt", "ucdg92lf"]);
  });

  it("keeps numbers as its table grows", () => {
    const names: string[] = [];
    const table = new NameNumbers((name) => names.push(name));
    const id = (i: number) => (i % 3 === 0 ? `u${i}` : i % 3 === 1 ? `reviewer-${i.toString(36)}-x` : `${i}`);
    let wrong = 0;
    for (let i = 0; i < 300_000; i++) if (table.ofString(id(i)) !== i) wrong++;
    for (let i = 0; i < 300_000; i += 7) {
      const bytes = Buffer.from(`"${id(i)}"`);
      if (table.ofBytes(bytes, 1, bytes.length - 1, 0) !== i || table.ofString(id(i)) !== i) wrong++;
    }
    expect(wrong).toBe(0);
    expect(names.length).toBe(300_000);
    expect(table.ofString("new")).toBe(300_000);
  });

  it("reads the common line from its bytes, without JSON.parse", () => {
    const lines = [
      JSON.stringify(base),
      JSON.stringify({ ...base, text: "Fits well, soft fabric; would buy again", verified: true }),
      JSON.stringify({ verified: false, text: "ok", time: t, rating: 1, reviewerId: "ü", productId: "产品", reviewId: "r😀" }),
      ` ${JSON.stringify(base)}\r`,
    ].map((l) => Buffer.from(l, "utf8"));
    const parse = vi.spyOn(JSON, "parse");
    try {
      readAll(lines);
      expect(parse).not.toHaveBeenCalled();
      readAll([Buffer.from(JSON.stringify({ ...base, text: 'a "quote"' }), "utf8")]);
      expect(parse).toHaveBeenCalledTimes(1);
    } finally {
      parse.mockRestore();
    }
  });

  it("reads times exactly as Date.parse does, across days", () => {
    let ms = Date.parse("1999-12-31T00:00:00.000Z");
    const lines: Buffer[] = [];
    for (let i = 0; i < 2000; i++) {
      ms += (i * 7_919_993) % 400_000_000;
      lines.push(Buffer.from(JSON.stringify({ ...base, time: new Date(ms).toISOString() }), "utf8"));
    }
    const read = readAll(lines);
    for (const [i, bytes] of lines.entries())
      expect((read[i]!.result as { timeMs: number }).timeMs).toBe((reference(bytes) as { timeMs: number }).timeMs);
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
