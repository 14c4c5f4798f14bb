import { describe, expect, it } from "vitest";
import { SignatureIndex, bestDuplicate, estimatedJaccard, exactJaccard, scoreTimeline, textSignature } from "../src/index.js";
import { loadAmazonFashion } from "../bench/datasets.js";
import { itWithData } from "./datasets.js";

const review =
  "We stayed three nights at this hotel for a family wedding and the room was spotless, the staff at the front desk remembered our names and the breakfast buffet had fresh fruit every single morning.";

describe("exactJaccard", () => {
  it("compares word 3-shingle sets, ignoring case and punctuation", () => {
    // {a b c, b c d} vs {a b c, b c e}: 1 shared of 3.
    expect(exactJaccard("a b c d", "A, b; c e")).toBeCloseTo(1 / 3, 12);
    expect(exactJaccard("a b c d", "a b c d")).toBe(1);
  });
});

describe("textSignature", () => {
  it("skips texts too short to call a copy", () => {
    expect(textSignature("Love it, great quality")).toBeNull();
  });

  it("estimates Jaccard within a few hundredths", () => {
    const edited = review.replace("three nights", "two nights").replace("fresh fruit", "fresh juice");
    const exact = exactJaccard(review, edited);
    const estimate = estimatedJaccard(textSignature(review)!, textSignature(edited)!);
    expect(exact).toBeGreaterThan(0.6);
    expect(Math.abs(estimate - exact)).toBeLessThan(0.15);
  });
});

describe("bestDuplicate", () => {
  const signature = textSignature(review)!;
  const stored = { reviewId: "r1", reviewerId: "alice", productId: "p1", timeMs: 0, signature };

  it("finds a copy by another author, with its similarity", () => {
    const copy = textSignature(`${review} Highly recommended!`)!;
    const match = bestDuplicate(copy, "bob", [stored]);
    expect(match).toMatchObject({ reviewId: "r1", reviewerId: "alice", productId: "p1" });
    expect(match!.similarity).toBeGreaterThanOrEqual(0.8);
  });

  it("exempts the same author repeating a text on a variant listing", () => {
    expect(bestDuplicate(signature, "alice", [stored])).toBeNull();
  });

  it("ignores unrelated texts", () => {
    const other = textSignature(
      "The shoes ran half a size small and the left heel started squeaking after about two weeks of normal wear at the office.",
    )!;
    expect(bestDuplicate(other, "bob", [stored])).toBeNull();
  });
});

describe("SignatureIndex", () => {
  it("forgets signatures older than its retention", () => {
    const index = new SignatureIndex(10 * 86_400_000);
    const signature = textSignature(review)!;
    index.add({ reviewId: "r1", reviewerId: "alice", productId: "p1", timeMs: 0, signature });
    expect(index.candidates(signature, 5 * 86_400_000)).toHaveLength(1);
    expect(index.candidates(signature, 11 * 86_400_000)).toHaveLength(0);
  });

  it("stays within its capacity", () => {
    const index = new SignatureIndex(Number.POSITIVE_INFINITY, 2);
    const signature = textSignature(review)!;
    for (let i = 0; i < 5; i++) index.add({ reviewId: `r${i}`, reviewerId: `u${i}`, productId: "p", timeMs: i, signature });
    expect(
      index
        .candidates(signature, 10)
        .map((c) => c.reviewId)
        .sort(),
    ).toEqual(["r3", "r4"]);
  });
});

describe("near-duplicates on Amazon Fashion", () => {
  itWithData("amazon", "raises no duplicate-text flag on same-author reviews repeated across linked variants", () => {
    const rows = loadAmazonFashion();
    const result = scoreTimeline(rows);
    const flagged = result.reviews.filter((r) => r.reasons.some((x) => x.code === "duplicate_text"));
    expect(rows.length).toBe(3176);
    expect(flagged).toEqual([]);
  });
});

describe("SignatureIndex.checkAndAdd", () => {
  it("finds what bestDuplicate finds among the candidates a database query would return", () => {
    const base = "the delivery was quick and the jacket fits well although the sleeves are a little long for my arms and the zip sticks";
    const texts = [
      base,
      `${base} sometimes`,
      "an entirely different review about a pair of shoes that squeak on wet floors every single day at work",
      `${base} sometimes too`,
    ];
    const fast = new SignatureIndex();
    const reference = new SignatureIndex();
    texts.forEach((text, i) => {
      const review = { reviewId: `r${i}`, reviewerId: `u${i}`, productId: "p", timeMs: i * 1000, text };
      const signature = textSignature(text)!;
      const expected = bestDuplicate(signature, review.reviewerId, reference.candidates(signature, review.timeMs));
      reference.add({ ...review, signature });
      expect(fast.checkAndAdd(review)).toEqual(expected);
    });
    expect(fast.checkAndAdd({ reviewId: "r9", reviewerId: "u0", productId: "q", timeMs: 9000, text: base })).toMatchObject({
      reviewerId: "u1",
    });
  });
});
