/**
 * Issue 14: hostile reviews at the API's longest (bench/worst-case.ts measures their cost). These
 * check that the linear rewrites say what the loops they replaced said, and that the quote budget
 * holds; no timing.
 */
import { describe, expect, it } from "vitest";
import { MAX_QUOTED_PER_CHAR, analyzeReview } from "../src/analyze.js";
import { splitCompound } from "../src/aspects.js";
import { DE_IRREALIS } from "../src/lexicon/de.js";
import { countPerClause, halved, tokenValences } from "../src/sentiment.js";
import { segment } from "../src/text.js";

/** The valence of the word `word` in `text` (German), 0 if it has none. */
function valenceOf(text: string, word: string, nth = 0): number {
  const seg = segment(text);
  const v = tokenValences(seg, "de");
  const at = seg.tokens.map((t, i) => [t.lower, i] as const).filter(([w]) => w === word);
  return v[at[nth]![1]]!;
}

describe("German praise in the subjunctive, one count per clause", () => {
  it("zeroes praise when an irrealis word is before or after it in its clause, not in another clause", () => {
    const plain = valenceOf("der Akku ist gut", "gut");
    expect(plain).toBeGreaterThan(0);
    expect(valenceOf("der Akku wäre gut", "gut")).toBe(0);
    expect(valenceOf("gut wäre der Akku gewesen", "gut")).toBe(0);
    expect(valenceOf("der Akku ist gut, wäre er nur größer", "gut")).toBe(plain);
    expect(valenceOf("hätte er nur länger gehalten, der Akku ist gut", "gut")).toBe(plain);
    expect(valenceOf("wäre er nur größer. der Akku ist gut", "gut")).toBe(plain);
    // Two praise words in one clause with one irrealis word: both are what it could have been.
    expect(valenceOf("toll wäre es und gut", "toll")).toBe(0);
    expect(valenceOf("gut toll wäre es", "gut")).toBe(0);
    expect(valenceOf("gut und toll wäre es", "gut")).toBe(plain);
    // Recommending stays praise.
    expect(valenceOf("ich würde es empfehlen", "empfehlen")).toBeGreaterThan(0);
  });

  it("counts what a scan of the clause around each word found, on every token of crafted texts", () => {
    // The check it replaced: any other token of the clause, before or after, is an irrealis word.
    const scan = (text: string): boolean[] => {
      const { tokens } = segment(text);
      return tokens.map((t, i) => {
        for (let j = i - 1; j >= 0 && tokens[j]!.clause === t.clause; j--) if (DE_IRREALIS.has(tokens[j]!.lower)) return true;
        for (let j = i + 1; j < tokens.length && tokens[j]!.clause === t.clause; j++) if (DE_IRREALIS.has(tokens[j]!.lower)) return true;
        return false;
      });
    };
    const counted = (text: string): boolean[] => {
      const seg = segment(text);
      const counts = countPerClause(seg, DE_IRREALIS);
      return seg.tokens.map((t) => counts[t.clause]! - (DE_IRREALIS.has(t.lower) ? 1 : 0) > 0);
    };
    const words = ["gut", "wäre", "hätte", "toll", ",", ".", "und", "aber", "(", "!", "Akku", "würde", "empfehlen", "“", "\n"];
    const texts = [
      "wäre",
      "wäre wäre",
      ", wäre gut",
      "... gut, wäre",
      "gut. wäre. gut",
      "( wäre ) gut",
      "Gut wäre\ngut",
      "und wäre und gut",
    ];
    // And 300 made-up ones (a fixed linear congruential sequence: the same texts every run).
    let seed = 14;
    const next = (): number => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed;
    };
    for (let k = 0; k < 300; k++) {
      const length = 1 + (next() % 12);
      texts.push(Array.from({ length }, () => words[next() % words.length]).join(" "));
    }
    for (const text of texts) expect(counted(text), text).toEqual(scan(text));
  });
});

describe("concessions", () => {
  it("halve the clause once per concession word in it", () => {
    const plain = valenceOf("gut", "gut");
    // "obgleich" is a concession that opens no clause of its own and boosts nothing.
    expect(valenceOf("obgleich gut", "gut")).toBe(plain / 2);
    expect(valenceOf("obgleich obgleich obgleich gut", "gut")).toBe(plain / 8);
    expect(valenceOf("obgleich gut, gut", "gut", 1)).toBe(plain);
  });

  it("halve to the same number as repeated multiplication by 0.5, subnormals and zero included", () => {
    const loop = (x: number, k: number): number => {
      let r = x;
      for (let s = 0; s < k; s++) r *= 0.5;
      return r;
    };
    for (const x of [0, -0, 1.5, -2.3, 3.7e-300, 2.2250738585072014e-308, 1e-310, -7e-320, 5e-324, 1e300])
      for (const k of [0, 1, 2, 53, 1000, 1021, 1022, 1023, 1030, 1074, 1075, 1100, 3000])
        expect(Object.is(halved(x, k), loop(x, k)), `${x} ${k}`).toBe(true);
  });
});

describe("German compounds", () => {
  it("split as before (values from the recursive split this loop replaced)", () => {
    const cases: [string, string[] | null][] = [
      ["akkulaufzeit", ["akku", "laufzeit"]],
      ["lieferungsversand", ["lieferung", "versand"]],
      ["rucksendungsversand", ["rucksendung", "versand"]],
      ["bildschirmschrifttasche", ["bildschirm", "schrift", "tasche"]],
      ["akkuladekabel", ["akku", "ladekabel"]],
      ["kundenserviceakku", ["kundenservice", "akku"]],
      ["bluetooth-verbindung", ["bluetooth", "verbindung"]],
      ["xyzakku", ["xyz", "akku"]],
      ["druckqualitat", ["druckqualitat"]],
      ["verhandlung", null],
      ["missakku", null],
      ["schlicht", null],
      ["zzzlaufzeit", null],
      ["akkus", null],
      ["ak", null],
      ["", null],
    ];
    for (const [word, parts] of cases) expect(splitCompound(word), word).toEqual(parts);
  });

  it("split a word of thousands of known parts into all of them, and a long unknown modifier into one", () => {
    const parts = splitCompound("akku".repeat(2500));
    expect(parts).toHaveLength(2500);
    expect(new Set(parts)).toEqual(new Set(["akku"]));
    expect(splitCompound(`a${"x".repeat(5000)}akku`)).toEqual([`a${"x".repeat(5000)}`, "akku"]);
    expect(splitCompound(`${"x".repeat(5000)}akku`)).toBeNull();
  });
});

describe("the quote budget", () => {
  const nouns = Array.from(
    { length: 1200 },
    (_, i) =>
      `Ding${String.fromCharCode(97 + (i % 26))}${String.fromCharCode(97 + (Math.floor(i / 26) % 26))}${String.fromCharCode(97 + Math.floor(i / 676))}x`,
  );

  it("stops a field's mentions when their quotes add up to MAX_QUOTED_PER_CHAR times its length", () => {
    // One clause of 1 200 distinct nouns, praised: every mention would quote the whole clause.
    const body = `Die ${nouns.join(" ")} gut`;
    const { aspects } = analyzeReview({ body, language: "de" });
    const quoted = aspects.reduce((a, m) => a + m.quote.length, 0);
    expect(quoted).toBeLessThanOrEqual(MAX_QUOTED_PER_CHAR * body.length);
    // Each quotes the whole text (one clause): MAX_QUOTED_PER_CHAR of them fit.
    expect(aspects).toHaveLength(MAX_QUOTED_PER_CHAR);
    // The first mentions are kept, as they were.
    expect(aspects.map((a) => a.termStart)).toEqual(nouns.slice(0, aspects.length).map((_, i) => body.indexOf(nouns[i]!)));
    expect(aspects.every((a) => a.quote === body && a.polarity > 0)).toBe(true);
  });

  it("holds for quotes borrowed from the sentence too, and leaves a text with short clauses alone", () => {
    // Neutral clauses borrow their sentence's polarity and quote the sentence.
    const body = `${nouns.slice(0, 600).join(", ")} gut`;
    const { aspects } = analyzeReview({ body, language: "de" });
    expect(aspects.reduce((a, m) => a + m.quote.length, 0)).toBeLessThanOrEqual(MAX_QUOTED_PER_CHAR * body.length);
    expect(aspects.length).toBeGreaterThan(0);
    const sentences = nouns
      .slice(0, 600)
      .map((n) => `${n} ist gut.`)
      .join(" ");
    expect(analyzeReview({ body: sentences, language: "de" }).aspects).toHaveLength(600);
  });
});
