/**
 * One review in, what it says out: language, polarity, aspects with quotes.
 * Deterministic and pure: the same text gives the same result, byte for byte.
 */
import { type AspectCandidate, englishAspects, germanAspects } from "./aspects.js";
import { requireInput } from "./errors.js";
import { type Language, detectLanguage } from "./language.js";
import { germanValence } from "./lexicon/de.js";
import { EN_LEXICON } from "./lexicon/en.js";
import { type TextLanguage, packFor, reviewScore, squash, tokenValences } from "./sentiment.js";
import { type Segmented, segment } from "./text.js";

export interface ReviewText {
  title?: string | null;
  body: string;
  /** The reviewer's or the shop's word for the language; detected when absent. */
  language?: Language | null;
}

export interface AspectMention {
  /** Lower case, singular head noun: "zipper", "customer service", "akkulaufzeit". */
  term: string;
  /** What mentions are grouped by across reviews ("akku" for Akku and Akkus). */
  key: string;
  /** The last known part of a German compound ("laufzeit" for "akkulaufzeit"); null otherwise. */
  head: string | null;
  /** What the clause around the mention says, in [-1, 1]; 0 when it says nothing either way. */
  polarity: number;
  /** The clause (or, if the clause is neutral, its sentence) the mention came from, verbatim. */
  quote: string;
  field: "title" | "body";
  /** Offsets of the quote in that field. */
  start: number;
  end: number;
  /** Offsets of the term's words in that field. */
  termStart: number;
  termEnd: number;
}

export interface ReviewInsight {
  language: Language;
  /** The whole review's polarity in [-1, 1]. */
  polarity: number;
  aspects: AspectMention[];
}

/** Valences of a clause's mentions are squashed more steeply than a review's: one "great" is a clear verdict. */
const ASPECT_ALPHA = 4;
/** A neutral clause borrows half its sentence's polarity ("Der Akku ist leer" after "eine Katastrophe"). */
const SENTENCE_SHARE = 0.5;
/**
 * A field's mentions stop once their quotes add up to this many times the field's length. A mention
 * quotes its clause, or its sentence, so a hostile text of one clause of a thousand nouns would
 * otherwise quote that clause a thousand times (10 000 characters a review become megabytes of
 * output, stored and sent on). On the research data the quotes add up to 10.5 times the text at
 * most (op-spam; Amazon 4, Pang & Lee's film reviews 5.3, the German sets 5.3): three times that.
 */
export const MAX_QUOTED_PER_CHAR = 32;
/** Longer texts are analysed up to here (a review is not a book; keeps cost bounded). */
export const MAX_ANALYZED_CHARS = 20_000;

function valenceFor(language: TextLanguage): (lower: string) => number {
  return language === "de" ? germanValence : (w) => EN_LEXICON.get(w) ?? 0;
}

function analyzeField(
  text: string,
  field: "title" | "body",
  language: TextLanguage,
  withAspects: boolean,
  opening = true,
): { sum: number; sentences: number; aspects: AspectMention[] } {
  const seg = segment(text);
  const valences = tokenValences(seg, language);
  const { sum } = reviewScore(seg, valences, packFor(language).verdict, opening);
  const aspects: AspectMention[] = [];
  if (withAspects && text.trim()) {
    const candidates: AspectCandidate[] = language === "de" ? germanAspects(seg, valenceFor("de")) : englishAspects(text, valenceFor("en"));
    const seen = new Set<string>();
    // Each clause's and sentence's sum once, not once per mention in it (thousands in a long clause of nouns).
    const clauseSums = new Map<number, number>();
    const sentenceSums = new Map<number, number>();
    let quoted = 0;
    const quoteBudget = MAX_QUOTED_PER_CHAR * text.length;
    for (const c of candidates) {
      const clauseIndex = clauseAt(seg, c.start);
      if (clauseIndex < 0) continue;
      // One mention per term per clause ("the zipper, the zipper!").
      const dedupe = `${c.key}@${clauseIndex}`;
      if (seen.has(dedupe)) continue;
      seen.add(dedupe);
      const clause = seg.clauses[clauseIndex]!;
      let clauseSum = clauseSums.get(clauseIndex);
      if (clauseSum === undefined) {
        clauseSum = 0;
        for (let i = clause.from; i < clause.to; i++) clauseSum += valences[i]!;
        clauseSums.set(clauseIndex, clauseSum);
      }
      let start = clause.start;
      let end = clause.end;
      if (clauseSum === 0) {
        let sentenceSum = sentenceSums.get(clause.sentence);
        const s = seg.sentences[clause.sentence]!;
        if (sentenceSum === undefined) {
          sentenceSum = 0;
          for (let i = s.from; i < s.to; i++) sentenceSum += valences[i]! * SENTENCE_SHARE;
          sentenceSums.set(clause.sentence, sentenceSum);
        }
        clauseSum = sentenceSum;
        if (clauseSum !== 0) {
          start = s.start;
          end = s.end;
        }
      }
      quoted += end - start;
      if (quoted > quoteBudget) break;
      aspects.push({
        term: c.term,
        key: c.key,
        head: c.head,
        polarity: round(squash(clauseSum, ASPECT_ALPHA)),
        quote: text.slice(start, end),
        field,
        start,
        end,
        termStart: c.start,
        termEnd: c.end,
      });
    }
  }
  let carrying = 0;
  for (const s of seg.sentences) {
    for (let i = s.from; i < s.to; i++) {
      if (valences[i] !== 0) {
        carrying++;
        break;
      }
    }
  }
  return { sum, sentences: carrying, aspects };
}

/** The clause whose words span `offset`, or -1 (clauses are in text order and do not overlap). */
function clauseAt(seg: Segmented, offset: number): number {
  let lo = 0;
  let hi = seg.clauses.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >>> 1;
    const c = seg.clauses[mid]!;
    if (offset < c.start) hi = mid - 1;
    else if (offset >= c.end) lo = mid + 1;
    else return mid;
  }
  return -1;
}

/** Four decimals: enough for any ranking, and the output stays stable across platforms' last-bit differences. */
function round(x: number): number {
  return Math.round(x * 10_000) / 10_000;
}

/**
 * Analyses one review.
 *
 * @throws {InsightsInputError} if body (or title) is not a string, or language is not en/de/und
 * @example
 * analyzeReview({ body: "The zipper broke after a week, but the fit is great." })
 * // { language: "en", polarity: 0.27…, aspects: [{ term: "zipper", polarity: -0.67…, quote: "The zipper broke after a week", … }, …] }
 */
export function analyzeReview(review: ReviewText): ReviewInsight {
  requireInput(typeof review === "object" && review !== null, "analyzeReview", "a review object", review);
  requireInput(typeof review.body === "string", "analyzeReview", "body as a string", review.body);
  requireInput(
    review.title === undefined || review.title === null || typeof review.title === "string",
    "analyzeReview",
    "title as a string",
    review.title,
  );
  requireInput(
    review.language === undefined ||
      review.language === null ||
      review.language === "en" ||
      review.language === "de" ||
      review.language === "und",
    "analyzeReview",
    'language "en", "de" or "und"',
    review.language,
  );
  const title = (review.title ?? "").slice(0, MAX_ANALYZED_CHARS);
  const body = review.body.slice(0, MAX_ANALYZED_CHARS);
  const language: Language = review.language ?? detectLanguage(title ? `${title}. ${body}` : body);

  if (language === "und") {
    // Too short or another language: no aspects, but "Great!" or "Super!" still has a polarity if either lexicon knows it.
    let best = { sum: 0, sentences: 0 };
    for (const lang of ["en", "de"] as const) {
      const t = analyzeField(title, "title", lang, false);
      const b = analyzeField(body, "body", lang, false);
      const sum = t.sum + b.sum;
      if (Math.abs(sum) > Math.abs(best.sum)) best = { sum, sentences: t.sentences + b.sentences };
    }
    return { language, polarity: round(squash(best.sum / Math.sqrt(Math.max(1, best.sentences)), 4)), aspects: [] };
  }
  const t = analyzeField(title, "title", language, true);
  // With a title the title is the opening; the body's first sentence is then no more a verdict than the rest.
  const b = analyzeField(body, "body", language, true, !title.trim());
  const polarity = round(squash((t.sum + b.sum) / Math.sqrt(Math.max(1, t.sentences + b.sentences)), 4));
  return { language, polarity, aspects: [...t.aspects, ...b.aspects] };
}
