/**
 * Tokens with character offsets, and the clause structure that polarity and
 * quotes are built on. Our own tokenizer rather than a tagger's: offsets must
 * point into the text exactly as stored (the widget highlights a quote), and
 * German gets no usable tokens from compromise.
 */

export interface Token {
  /** As written. */
  readonly text: string;
  /** Lower case, curly apostrophes straightened. */
  readonly lower: string;
  readonly start: number;
  readonly end: number;
  /** Letters or digits (a word), else punctuation. */
  readonly word: boolean;
  /** First word of its sentence (German capitalisation then says nothing). */
  sentenceStart: boolean;
  /** Index of its clause in {@link Segmented.clauses}. */
  clause: number;
}

export interface Clause {
  /** Token indexes [from, to). */
  readonly from: number;
  readonly to: number;
  /** Character span of the clause's words in the text. */
  readonly start: number;
  readonly end: number;
  readonly sentence: number;
}

export interface Sentence {
  readonly from: number;
  readonly to: number;
  readonly start: number;
  readonly end: number;
}

export interface Segmented {
  readonly text: string;
  readonly tokens: Token[];
  readonly clauses: Clause[];
  readonly sentences: Sentence[];
}

// Words may hold inner apostrophes and hyphens ("don't", "E-Mail", "Bluetooth-Verbindung").
const TOKEN = /[\p{L}\p{N}]+(?:['’-][\p{L}\p{N}]+)*|[.!?]+|[,;:()"“”„–—]|\S/gu;
const SENTENCE_END = /^[.!?]+$/;
const CLAUSE_BREAK = new Set([",", ";", ":", "(", ")", "–", "—"]);

/**
 * Words that open a new clause. A contrast word also re-weights the sentence
 * (see sentiment.ts); the others ("and", "und", "weil") only bound a quote.
 */
export const CONTRAST_WORDS = new Set([
  "but",
  "however",
  "although",
  "though",
  "yet",
  "aber",
  "jedoch",
  "allerdings",
  "dennoch",
  "trotzdem",
  "sondern",
]);
const CLAUSE_OPENERS = new Set([...CONTRAST_WORDS, "and", "because", "while", "whereas", "und", "weil", "denn", "während", "obwohl"]);

export function segment(text: string): Segmented {
  const tokens: Token[] = [];
  for (const m of text.matchAll(TOKEN)) {
    const t = m[0];
    const start = m.index;
    tokens.push({
      text: t,
      lower: t.toLowerCase().replace(/’/g, "'"),
      start,
      end: start + t.length,
      word: /[\p{L}\p{N}]/u.test(t),
      sentenceStart: false,
      clause: 0,
    });
  }
  const sentences: Sentence[] = [];
  const clauses: Clause[] = [];
  let sFrom = 0;
  let cFrom = 0;
  const closeClause = (to: number): void => {
    // A clause is its words; punctuation on its edges is not quoted.
    let a = cFrom;
    let b = to;
    while (a < b && !tokens[a]!.word) a++;
    while (b > a && !tokens[b - 1]!.word) b--;
    if (a < b) {
      const index = clauses.length;
      for (let i = cFrom; i < to; i++) tokens[i]!.clause = index;
      clauses.push({ from: cFrom, to, start: tokens[a]!.start, end: tokens[b - 1]!.end, sentence: sentences.length });
    } else if (clauses.length > 0) {
      for (let i = cFrom; i < to; i++) tokens[i]!.clause = clauses.length - 1;
    }
    cFrom = to;
  };
  const closeSentence = (to: number): void => {
    closeClause(to);
    let a = sFrom;
    while (a < to && !tokens[a]!.word) a++;
    if (a < to) {
      tokens[a]!.sentenceStart = true;
      sentences.push({ from: sFrom, to, start: tokens[a]!.start, end: tokens[to - 1]!.end });
    }
    sFrom = to;
  };
  for (let i = 0; i < tokens.length; i++) {
    const t = tokens[i]!;
    // A line break ends a sentence too (reviews often have no full stops).
    if (i > sFrom && text.slice(tokens[i - 1]!.end, t.start).includes("\n")) closeSentence(i);
    if (t.word && CLAUSE_OPENERS.has(t.lower) && i > cFrom) closeClause(i);
    if (SENTENCE_END.test(t.text)) closeSentence(i + 1);
    else if (CLAUSE_BREAK.has(t.text)) closeClause(i + 1);
  }
  closeSentence(tokens.length);
  return { text, tokens, clauses, sentences };
}

/** Folds German spelling variants so "Qualitaet", "Qualität" and "QUALITÄT" meet. */
export function foldGerman(word: string): string {
  return word.toLowerCase().replace(/ß/g, "ss").replace(/ä|ae/g, "a").replace(/ö|oe/g, "o").replace(/ü|ue/g, "u");
}
