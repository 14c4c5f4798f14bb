/**
 * The faster English parse (src/parse-en.ts) must tag exactly as compromise
 * does: every term's text, normal form, root, whitespace and tags, on tricky
 * sentences and on real reviews. A new compromise version, or a change to the
 * rule selection, that breaks this would change aspects silently.
 */
import "compromise"; // compromise/three, as a caller elsewhere may load it: our parse must not depend on which build is loaded
import { describe, expect, it } from "vitest";
import { itWithData } from "../../scoring/test/datasets.js";
import { loadAmazonRows, loadOpSpam } from "../bench/data.js";
import { type ParsedTerm, parseEnglish, parseEnglishStock, rootOf } from "../src/parse-en.js";

/** The parse without roots, each term's root then asked of rootOf (what englishAspects does). */
function rootsLater(text: string): ParsedTerm[][] {
  const doc = parseEnglish(text, { roots: false });
  for (const s of doc) for (const t of s) rootOf(t);
  return doc;
}

function dump(doc: ParsedTerm[][]): string {
  return doc
    .map((s) => s.map((t) => `${t.text}|${t.normal}|${t.root ?? ""}|${t.post}|${[...t.tags].sort().join(",")}`).join(" "))
    .join("\n");
}

const TRICKY = [
  "The zipper broke after a week, but the fit is great.",
  "I wouldn't recommend the front desk staff's attitude; the customer service was awful!!",
  "Didn't fit. Too small in the toes & the arch support isn't there...",
  "We stayed 3 nights (Sept. 12-15) at the Hilton on Michigan Ave. for $189/night.",
  "Love, love, LOVE these shoes!! Got them for my daughter's 5th birthday.",
  "It's a well-made, light-weight jacket; the hood doesn't stay up though.",
  "The bed was so comfortable I slept like a baby, and the room-service breakfast was delicious.",
  "Ordered a size 8 1/2 wide, received a 7. Returned it on Monday via UPS.",
  "“Great value” they said. Nope: the seams started coming apart after 2 washes.",
  "john smith from customer support called me back and fixed the billing issue quickly",
  // Units compromise's unicode map folds (killUnicode): accents, curly and angle quotes, dashes.
  "The Café's crème brûlée was naïve — «über» good, the façade “meh”… Señor Zoë’s coöperative.",
];

describe("the English parse", () => {
  it("tags tricky sentences exactly as compromise's stock parse does", () => {
    for (const text of TRICKY) expect(dump(parseEnglish(text))).toBe(dump(parseEnglishStock(text)));
    for (const text of TRICKY) expect(dump(rootsLater(text))).toBe(dump(parseEnglishStock(text)));
    // Not vacuous: the parse has tags and roots.
    const doc = parseEnglish(TRICKY[0]!);
    expect(doc[0]!.find((t) => t.normal === "zipper")!.tags.has("Noun")).toBe(true);
    expect(parseEnglish("The zippers broke.")[0]![1]!.root).toBe("zipper");
    const later = parseEnglish("The zippers broke.", { roots: false })[0]![1]!;
    expect(later.root).toBeUndefined();
    expect(rootOf(later)).toBe("zipper");
  });

  it("splits sentences as compromise does where its full stops end none (long joined chunks)", () => {
    const texts = [
      `${"Mr. Dr. etc. ".repeat(60)}The zipper broke.`,
      `${"Good... ".repeat(80)}Fine. ${"Great… ".repeat(50)}`,
      `${"We flew to the U.S.A. and met Dr. Smith in St. Louis on Michigan Ave. ".repeat(8)}It was great.    `,
      `${"1. 2. 3. ".repeat(40)}and a zipper.`,
      `${"Mr. ".repeat(80)}${"x".repeat(40)}. The fit is ok. ${"See p. ".repeat(50)}vs. ${"etc.  ".repeat(50)}`,
    ];
    for (const text of texts) expect(dump(parseEnglish(text))).toBe(dump(parseEnglishStock(text)));
    // Not vacuous: a chunk joined past 256 characters, where the shortcut applies, is one sentence as in stock.
    expect(parseEnglish(texts[0]!).length).toBe(1);
  });

  it("tags a sentence of more than 500 words in pieces of 500, the same words in order", () => {
    const text = "the zipper is great ".repeat(200).trim();
    const ours = parseEnglish(text);
    expect(ours.map((s) => s.length)).toEqual([500, 300]);
    const stock = parseEnglishStock(text);
    expect(stock.map((s) => s.length)).toEqual([800]);
    expect(ours.flat().map((t) => t.text)).toEqual(stock.flat().map((t) => t.text));
  });

  it("gives no sentences for an empty text", () => {
    expect(parseEnglish("")).toEqual([]);
  });

  itWithData("opspam", "tags 400 op-spam reviews exactly as the stock parse does", () => {
    const texts = loadOpSpam()
      .filter((_, i) => i % 4 === 1)
      .map((r) => r.text);
    expect(texts.length).toBe(400);
    for (const text of texts) expect(dump(parseEnglish(text))).toBe(dump(parseEnglishStock(text)));
    for (const text of texts.slice(0, 100)) expect(dump(rootsLater(text))).toBe(dump(parseEnglishStock(text)));
  });

  itWithData("amazon", "tags 400 Amazon Fashion reviews exactly as the stock parse does", () => {
    const rows = loadAmazonRows();
    const texts = rows.filter((_, i) => i % Math.floor(rows.length / 400) === 0).map((r) => r.text);
    expect(texts.length).toBeGreaterThanOrEqual(400);
    for (const text of texts) expect(dump(parseEnglish(text))).toBe(dump(parseEnglishStock(text)));
  });
});
