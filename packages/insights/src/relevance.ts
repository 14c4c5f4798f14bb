/**
 * Which reviews likely answer a question: Okapi BM25 (Robertson & Zaragoza
 * 2009) over a product's reviews, with English and German Snowball stemming
 * (snowball-stemmers, as the German polarity lexicon uses), umlaut folding,
 * small stop-word lists, and German compounds split into their known parts
 * (aspects.ts' splitCompound: "Akkulaufzeit" also counts as "Akku" and
 * "Laufzeit"). Each text's language is detected (eld) and stemmed with its
 * own stemmer; text of no clear language is stemmed as English.
 *
 * Pure and synchronous. The caller bounds the cost: it passes at most the
 * reviews it wants searched (the API passes a product's newest published
 * ones, see MAX_SEARCHED_REVIEWS there), and each text is read up to
 * MAX_INDEXED_CHARS.
 */
import snowball from "snowball-stemmers";
import { splitCompound } from "./aspects.js";
import { detectLanguage, type Language } from "./language.js";
import { foldGerman } from "./text.js";

/** Characters of a text that are indexed: a review's answer is rarely after its first few paragraphs. */
export const MAX_INDEXED_CHARS = 4_000;

/** BM25's usual constants: term-frequency saturation and length normalisation. */
export const BM25_K1 = 1.2;
export const BM25_B = 0.75;
/**
 * A text suggested as an answer must score at least this: one shared rare
 * term in a text of average length scores about 2, a single common word
 * (in most of the texts) well below 1. Chosen by reasoning, not tuned on
 * the labelled set (bench/qa-relevance.ts reports the figures at 0 too).
 */
export const MIN_RELATED_SCORE = 1.0;

const EN_STOP = new Set(
  (
    "a an and are as at be been being but by can could did do does doing for from had has have how i if in into is it its " +
    "me my no not of on or our so than that the their them then there these they this those to too was we were what when where " +
    "which while who why will with would you your yours just very also any some about after before does don't isn't"
  ).split(" "),
);
const DE_STOP = new Set(
  (
    "aber als also am an auch auf aus bei bin bis bist da damit dann das dass dem den der des die dies diese dieser dieses du " +
    "durch ein eine einem einen einer eines er es etwas für hat hatte hatten haben ich ihr im in ist ja kann kein keine man " +
    "mein meine mich mir mit muss nach nicht noch nur ob oder sehr sein seine sich sie sind so über um und uns von vor war " +
    "waren was welche welcher welches wenn wer wie wir wird wo zu zum zur gibt es weiß jemand hier wurde werden"
  )
    .split(" ")
    .map(foldGerman),
);

const english = snowball.newStemmer("english");
const german = snowball.newStemmer("german");
// A product's vocabulary is small next to its word count: stemming each distinct word once saves most of the work.
const stems = new Map<string, string>();
function stemOf(word: string, lang: Language): string {
  const key = `${lang}:${word}`;
  let s = stems.get(key);
  if (s === undefined) {
    s = lang === "de" ? german.stem(word) : english.stem(word);
    if (stems.size > 200_000) stems.clear();
    stems.set(key, s);
  }
  return s;
}

/** The index terms of a text: stems without stop words, with German compounds' parts beside the whole word. */
export function searchTerms(text: string, language?: Language): string[] {
  const cut = text.length > MAX_INDEXED_CHARS ? text.slice(0, MAX_INDEXED_CHARS) : text;
  const lang = language && language !== "und" ? language : detectLanguage(cut);
  const out: string[] = [];
  for (const m of cut.toLowerCase().matchAll(/[\p{L}\p{N}]+(?:-[\p{L}\p{N}]+)*/gu)) {
    const raw = m[0];
    if (lang === "de") {
      const folded = foldGerman(raw);
      if (DE_STOP.has(folded) || folded.length < 2) continue;
      out.push(stemOf(folded, "de"));
      const parts = folded.length >= 8 ? splitCompound(folded) : null;
      if (parts && parts.length > 1) for (const p of parts) if (p.length >= 3) out.push(stemOf(p, "de"));
    } else {
      if (EN_STOP.has(raw) || raw.length < 2) continue;
      out.push(stemOf(raw.replace(/'s$/, ""), "en"));
    }
  }
  return out;
}

export interface SearchDoc {
  readonly id: string;
  readonly text: string;
  /** The text's language if known ("en", "de"); detected otherwise. */
  readonly language?: string | null;
}

export interface SearchHit {
  readonly id: string;
  readonly score: number;
  /** The question's terms this text contains. */
  readonly matched: readonly string[];
}

/** A BM25 index of some texts, built once and searched by many queries (the benchmark) or one (a new question). */
export class Bm25Index {
  private readonly docs: { id: string; tf: Map<string, number>; length: number }[] = [];
  private readonly df = new Map<string, number>();
  private readonly avgLength: number;

  /** `terms` replaces the tokenizer (the benchmark's no-stemming baseline). */
  constructor(
    docs: readonly SearchDoc[],
    private readonly terms: (text: string, language?: Language) => string[] = searchTerms,
  ) {
    let total = 0;
    for (const d of docs) {
      const lang =
        d.language === "en" || d.language?.startsWith("en-")
          ? "en"
          : d.language === "de" || d.language?.startsWith("de-")
            ? "de"
            : undefined;
      const terms = this.terms(d.text, lang);
      const tf = new Map<string, number>();
      for (const t of terms) tf.set(t, (tf.get(t) ?? 0) + 1);
      for (const t of tf.keys()) this.df.set(t, (this.df.get(t) ?? 0) + 1);
      this.docs.push({ id: d.id, tf, length: terms.length });
      total += terms.length;
    }
    this.avgLength = docs.length ? total / docs.length : 0;
  }

  /** The `k` texts that score highest for the query (at least one query term in common), best first. */
  search(query: string, k: number): SearchHit[] {
    const terms = [...new Set(this.terms(query))];
    const n = this.docs.length;
    const hits: SearchHit[] = [];
    for (const d of this.docs) {
      let score = 0;
      const matched: string[] = [];
      for (const t of terms) {
        const f = d.tf.get(t);
        if (!f) continue;
        const df = this.df.get(t)!;
        // BM25's idf with +1 inside the log, so a term in most texts still counts a little, never negatively.
        const idf = Math.log(1 + (n - df + 0.5) / (df + 0.5));
        score += (idf * f * (BM25_K1 + 1)) / (f + BM25_K1 * (1 - BM25_B + (BM25_B * d.length) / (this.avgLength || 1)));
        matched.push(t);
      }
      if (score > 0) hits.push({ id: d.id, score, matched });
    }
    // Ties by id, so the same reviews always give the same answer.
    hits.sort((a, b) => b.score - a.score || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
    return hits.slice(0, k);
  }
}

/** Up to `k` of the texts that likely answer the question (BM25, see Bm25Index), each scoring at least `minScore`. */
export function relatedTexts(question: string, docs: readonly SearchDoc[], k = 3, minScore = MIN_RELATED_SCORE): SearchHit[] {
  return new Bm25Index(docs).search(question, k).filter((h) => h.score >= minScore);
}
