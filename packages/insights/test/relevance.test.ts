import { describe, expect, it } from "vitest";
import { Bm25Index, relatedTexts, searchTerms } from "../src/index.js";
import { qaFigures } from "../bench/qa-relevance.js";

describe("which reviews answer a question (BM25)", () => {
  it("stems English and German, folds umlauts, drops stop words and splits German compounds", () => {
    expect(searchTerms("How long do the batteries last?")).toEqual(["long", "batteri", "last"]);
    expect(searchTerms("Wie lange hält die Akkulaufzeit?")).toEqual(expect.arrayContaining(["halt", "akku", "laufzeit"]));
  });

  it("ranks the review that shares the question's rare terms first, and suggests nothing without a shared term", () => {
    const docs = [
      { id: "a", text: "The battery lasted two days." },
      { id: "b", text: "Nice colour and the battery is fine." },
      { id: "c", text: "Arrived quickly." },
    ];
    expect(new Bm25Index(docs).search("How long does the battery last?", 3).map((h) => h.id)).toEqual(["a", "b"]);
    // "battery" alone (in two of three texts) is below the score floor: b is not suggested.
    expect(relatedTexts("How long does the battery last?", docs).map((h) => h.id)).toEqual(["a"]);
    expect(relatedTexts("Is it dishwasher safe?", docs)).toEqual([]);
    expect(new Bm25Index([]).search("anything", 3)).toEqual([]);
  });

  it("on our labelled set, stemming shows more relevant suggestions than plain words (bench/qa-relevance.ts)", () => {
    const stemmed = qaFigures("bm25-stemmed");
    const plain = qaFigures("bm25-plain");
    expect(stemmed.shown).toBeGreaterThan(plain.shown);
    expect(stemmed.p3).toBeGreaterThan(plain.p3);
  });
});
