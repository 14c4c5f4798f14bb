/**
 * VADER-style polarity (Hutto & Gilbert 2014) over our tokens, for English
 * and German: a lexicon valence per word, degree adverbs that scale it,
 * negation that flips it, "too"/"zu" + a size word as a complaint, and clause
 * contrast ("but", "aber", "jedoch") that weighs the part after the pivot
 * 1.5x and the part before 0.5x. German adds late negation: "gefällt mir
 * nicht" negates the word before it.
 *
 * German adds what real reviews (Amazon.de book reviews) showed: a noun
 * from the broad fallback lexicon counts a quarter (retold plots are full of
 * "Krieg" and "Liebe"), praise in the subjunctive ("hätte spannend sein
 * können") counts nothing, and the title and the closing sentences, where
 * the verdict is, count more than the retelling between them.
 *
 * And what product, shop and service reviews say (written for Starling,
 * checked on the book reviews' tuning half, not measured on real product
 * reviews: we have none): a rating stated in the text ("nur 2 Sterne"),
 * denials before and after a word ("alles andere als gut", "gut ist etwas
 * anderes", "niemandem empfehlen"), a "nicht" at the end of a clause that a
 * praise word opens ("Empfehlen kann ich es nicht"), idioms past a comma
 * ("hält nicht, was es verspricht"), a "Fazit" weighing as the closing
 * lines do, and a letter's closing ("Beste Grüße") weighing nothing.
 *
 * Unlike VADER the whole-review score is not a plain sum: a long review of
 * mild praise and one complaint would otherwise outrank a short angry one.
 * See reviewScore.
 */
import {
  DE_BOOSTERS,
  DE_IDIOMS,
  DE_EARLY_DENIALS,
  DE_IRREALIS,
  DE_LATE_DENIALS,
  DE_NEGATORS,
  DE_SIZE_WORDS,
  DE_STAR_COUNTS,
  DE_STAR_DEDUCTION,
  DE_STAR_NOUNS,
  DE_STAR_VALENCE,
  DE_SENTENCE_ADVERBS,
  DE_STILL_PRAISE,
  DE_TOO,
  DE_VERDICT_OPENERS,
  germanNounKeepsValence,
  germanValence,
} from "./lexicon/de.js";
import { EN_BOOSTERS, EN_IDIOMS, EN_LEXICON, EN_SIZE_WORDS, EN_TOO, isEnglishNegator } from "./lexicon/en.js";
import { CONTRAST_WORDS, type Segmented, foldGerman } from "./text.js";

export type TextLanguage = "en" | "de";

interface LanguagePack {
  key(lower: string): string;
  valence(lower: string): number;
  boosters: ReadonlyMap<string, number>;
  isNegator(key: string): boolean;
  too: ReadonlySet<string>;
  sizeWords: ReadonlySet<string>;
  idioms: ReadonlyArray<readonly [readonly string[], number]>;
  /** The idioms by their first word, in list order (the first that matches wins). */
  idiomsByFirst: ReadonlyMap<string, ReadonlyArray<readonly [readonly string[], number]>>;
  /** Whether an idiom's words may stand in different clauses of a sentence ("hält nicht, was es verspricht"). */
  idiomsSpanClauses: boolean;
  lateNegation: boolean;
  /** Words a late negation never belongs to (keys): sentence adverbs ("leider"). */
  sentenceAdverbs: ReadonlySet<string>;
  /** Words that are a preposition, with no valence, before a capitalised noun (keys): German "laut". */
  prepositionsBeforeNoun: ReadonlySet<string>;
  /** Phrases after a word that deny it as a late negation does ("gut ist etwas anderes"); keys. */
  lateDenials: ReadonlyArray<readonly string[]>;
  /** Phrases before a word that deny it as "nicht" does ("alles andere als gut"); keys. */
  earlyDenials: ReadonlyArray<readonly string[]>;
  /** A rating stated in the text ("nur 2 Sterne"): count words, star nouns (keys); null: none read. */
  stars: { counts: ReadonlyMap<string, number>; nouns: ReadonlySet<string> } | null;
  /** German: whether a capitalised word inside a sentence (a noun) keeps its full valence; null: every word does. */
  nounKeepsValence: ((lower: string) => boolean) | null;
  /** Words that put praise in their clause in the subjunctive, and praise that stays praise there (keys). */
  irrealis: ReadonlySet<string> | null;
  stillPraise: ReadonlySet<string>;
  /** Whether "too" before praise is a complaint ("zu weich", "zu riskant"), not only before a size word. */
  tooOfPraise: boolean;
  /** Weights of the opening sentence and of the last two; 1 in English (measured only in German). */
  verdict: VerdictWeights;
}

export interface VerdictWeights {
  first: number;
  last: number;
  /** Sentences opening with one of these (keys) weigh as the last ones do ("Fazit: ..."). */
  openers?: ReadonlyArray<readonly string[]>;
}

const EN: LanguagePack = {
  key: (lower) => lower,
  valence: (lower) => EN_LEXICON.get(lower) ?? 0,
  boosters: EN_BOOSTERS,
  isNegator: isEnglishNegator,
  too: EN_TOO,
  sizeWords: EN_SIZE_WORDS,
  idioms: EN_IDIOMS,
  idiomsByFirst: byFirstWord(EN_IDIOMS),
  idiomsSpanClauses: false,
  lateNegation: false,
  sentenceAdverbs: new Set(),
  prepositionsBeforeNoun: new Set(),
  lateDenials: [],
  earlyDenials: [],
  stars: null,
  nounKeepsValence: null,
  irrealis: null,
  stillPraise: new Set(),
  // English "way too cute" is praise.
  tooOfPraise: false,
  verdict: { first: 1, last: 1 },
};

function byFirstWord(idioms: LanguagePack["idioms"]): LanguagePack["idiomsByFirst"] {
  const out = new Map<string, (readonly [readonly string[], number])[]>();
  for (const idiom of idioms) {
    const list = out.get(idiom[0][0]!);
    if (list) list.push(idiom);
    else out.set(idiom[0][0]!, [idiom]);
  }
  return out;
}

const DE_IDIOMS_FOLDED = DE_IDIOMS.map(([words, v]) => [words.map(foldGerman), v] as const);
const DE_BOOSTERS_FOLDED = new Map([...DE_BOOSTERS].map(([k, v]) => [foldGerman(k), v]));
const DE_NEGATORS_FOLDED = new Set([...DE_NEGATORS].map(foldGerman));
const DE: LanguagePack = {
  key: foldGerman,
  valence: germanValence,
  boosters: DE_BOOSTERS_FOLDED,
  isNegator: (key) => DE_NEGATORS_FOLDED.has(key),
  too: new Set([...DE_TOO].map(foldGerman)),
  sizeWords: DE_SIZE_WORDS,
  idioms: DE_IDIOMS_FOLDED,
  idiomsByFirst: byFirstWord(DE_IDIOMS_FOLDED),
  idiomsSpanClauses: true,
  lateNegation: true,
  sentenceAdverbs: DE_SENTENCE_ADVERBS,
  prepositionsBeforeNoun: new Set(["laut"]),
  lateDenials: DE_LATE_DENIALS,
  earlyDenials: DE_EARLY_DENIALS,
  stars: { counts: DE_STAR_COUNTS, nouns: DE_STAR_NOUNS },
  nounKeepsValence: germanNounKeepsValence,
  irrealis: DE_IRREALIS,
  stillPraise: DE_STILL_PRAISE,
  tooOfPraise: true,
  verdict: { first: 3, last: 2, openers: DE_VERDICT_OPENERS },
};

export function packFor(language: TextLanguage): LanguagePack {
  return language === "de" ? DE : EN;
}

/** Emoji that say what a word would (a review's "Mega!! 😍" has no other praise). */
const EMOJI_VALENCE: ReadonlyMap<string, number> = new Map([
  ...["😍", "🥰", "😊", "🙂", "😀", "😃", "😄", "😁", "🤩", "👍", "👌", "❤", "💯", "🔥", "😎", "🥳", "👏"].map((e): [string, number] => [
    e,
    1.5,
  ]),
  ...["😡", "😠", "🤬", "👎", "🤮", "🤢", "💩", "😞", "😢", "😭", "☹", "🙁", "😤", "😒", "🙄"].map((e): [string, number] => [e, -1.5]),
]);
/** VADER's negation scalar, for a negated negative word ("not bad" is faint praise). */
const NEGATED_NEGATIVE = -0.5;
/** A negated positive word is a complaint about as strong as its opposite ("nicht gut", "not comfortable"). */
const NEGATED_POSITIVE = -0.9;
/**
 * Negating strong praise says less than negating plain praise: "nicht perfekt" is a small flaw, "nicht gut" a
 * complaint. Above this scale's "good" a negated word is shifted, not flipped (Taboada et al. 2011's shift negation).
 */
const NEGATED_SHIFT = 4;
/** VADER's contrast weights. */
const BEFORE_PIVOT = 0.5;
const AFTER_PIVOT = 1.5;
/** A concession clause ("although it was small, ...") counts half. */
const CONCESSIVE = new Set(["although", "though", "obwohl", "obgleich", "zwar"]);
/** Distance damping of a booster, VADER's. */
const BOOSTER_DISTANCE = [1, 0.95, 0.9];
const TOO_VALENCE = -1.5;
/** What a noun from the fallback lexicon counts (see nounKeepsValence). */
const NOUN_SHARE = 0.25;
/** Words after a German word that its negation may come ("gefällt mir nicht"); more when the word opens its clause. */
const LATE_WINDOW = 3;
const LATE_WINDOW_TOPICAL = 5;
/** Words not counted in that distance (keys). */
const LATE_UNCOUNTED = new Set(["sich", "uberhaupt", "gar"]);
/** German articles and possessives, which may come before a clause's topical word (keys). */
const ARTICLES = new Set([
  "der",
  "die",
  "das",
  "den",
  "dem",
  "des",
  "ein",
  "eine",
  "einen",
  "einem",
  "diese",
  "dieser",
  "dieses",
  "diesen",
  "mein",
  "meine",
  "meinen",
  "unser",
  "unsere",
]);
/** Negations that reach no further than the noun after them (keys). */
const NOUN_BOUND = new Set(["ohne"]);
/** Negations that belong to the word after them when there is one (keys). */
const LATE_NEVER = new Set(["kein", "keine", "keinen", "keinem", "keiner", "keines", "ohne", "weder"]);
/** The least a denied star rating counts against ("keine 5 Sterne"). */
const STAR_DENIED = 1.5;
/** The closing sentences that count as the verdict. */
const VERDICT_LAST = 2;

/** Per token: its contribution to the text's polarity (0 for most). */
export function tokenValences(seg: Segmented, language: TextLanguage): Float64Array {
  const pack = packFor(language);
  const { tokens } = seg;
  const n = tokens.length;
  const keys = tokens.map((t) => (t.word ? pack.key(t.lower) : ""));
  const out = new Float64Array(n);
  const consumed = new Uint8Array(n);
  // The words of a clause, in order (negation and boosters look only within a clause).
  const prevWord = (i: number, steps: number): number => {
    let j = i;
    for (let s = 0; s < steps; s++) {
      j--;
      while (j >= 0 && !tokens[j]!.word) j--;
      if (j < 0 || tokens[j]!.clause !== tokens[i]!.clause) return -1;
    }
    return j;
  };
  const nextWord = (i: number, steps: number): number => {
    let j = i;
    for (let s = 0; s < steps; s++) {
      j++;
      while (j < n && !tokens[j]!.word) j++;
      if (j >= n || tokens[j]!.clause !== tokens[i]!.clause) return -1;
    }
    return j;
  };

  // Counted once per text: a scan of the clause per praise word was quadratic in a clause's length, and a
  // review without punctuation is one clause of thousands of words.
  const irrealis = pack.irrealis;
  const irrealisIn = irrealis ? countPerClause(seg, irrealis) : null;
  /** Whether another word of token i's clause puts it in the subjunctive. */
  const subjunctive = (i: number): boolean =>
    irrealisIn !== null && irrealisIn[tokens[i]!.clause]! - (irrealis!.has(tokens[i]!.lower) ? 1 : 0) > 0;

  // An idiom may run past a comma where the pack says so ("hält nicht, was es verspricht"), never past its sentence.
  const sentenceOf = (j: number): number => seg.clauses[tokens[j]!.clause]!.sentence;
  const nextIdiomWord = (i: number): number => {
    if (!pack.idiomsSpanClauses) return nextWord(i, 1);
    let j = i + 1;
    while (j < n && !tokens[j]!.word) j++;
    // Past punctuation only: a clause opened by a word ("Preis | und Leistung") keeps its idioms to itself.
    if (j >= n || sentenceOf(j) !== sentenceOf(i)) return -1;
    return tokens[j]!.clause === tokens[i]!.clause || j > i + 1 ? j : -1;
  };
  /** Whether the words from j on (within the clause) are `phrase`; their indexes, or null. */
  const phraseAt = (j: number, phrase: readonly string[]): number[] | null => {
    const span: number[] = [];
    for (let w = 0, k = j; w < phrase.length; w++, k = nextWord(k, 1)) {
      if (k < 0 || consumed[k] || keys[k] !== phrase[w]) return null;
      span.push(k);
    }
    return span;
  };

  const nounBetween = (from: number, to: number): boolean => {
    for (let k = from + 1; k < to; k++) if (tokens[k]!.word && isCapitalised(tokens[k]!.text)) return true;
    return false;
  };

  const firstWordOfClause = (i: number): number => {
    let j = seg.clauses[tokens[i]!.clause]!.from;
    while (j < i && !tokens[j]!.word) j++;
    return j;
  };

  // Idioms first: their words get no valence of their own.
  const base = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    if (!tokens[i]!.word || consumed[i]) continue;
    for (const [words, v] of pack.idiomsByFirst.get(keys[i]!) ?? NO_IDIOMS) {
      let ok = true;
      const span = [i];
      for (let w = 1; w < words.length && ok; w++) {
        const j = nextIdiomWord(span[span.length - 1]!);
        if (j < 0 || keys[j] !== words[w]) ok = false;
        else span.push(j);
      }
      if (!ok) continue;
      for (const j of span) consumed[j] = 1;
      base[i] = v;
      break;
    }
  }

  // A stated rating ("nur 2 Sterne", "2 von 5 Sternen", "einen Stern Abzug") is read before the words around it.
  const star = new Uint8Array(n);
  if (pack.stars) {
    const { counts, nouns } = pack.stars;
    for (let i = 0; i < n; i++) {
      if (!tokens[i]!.word || consumed[i] || !nouns.has(keys[i]!)) continue;
      const c = prevWord(i, 1);
      let count = c >= 0 && !consumed[c] ? counts.get(keys[c]!) : undefined;
      if (count === undefined) continue;
      const span = [c, i];
      const von = prevWord(c, 1);
      const first = von >= 0 ? prevWord(von, 1) : -1;
      if (first >= 0 && keys[von] === "von" && !consumed[first] && counts.has(keys[first]!)) {
        count = counts.get(keys[first]!)!;
        span.push(von, first);
      }
      let v: number = DE_STAR_VALENCE[count]!;
      const next = nextWord(i, 1);
      if (next >= 0 && keys[next] === "abzug") {
        v = DE_STAR_DEDUCTION * Math.max(1, count);
        span.push(next);
      }
      for (const j of span) consumed[j] = 1;
      base[i] = v;
      star[i] = 1;
    }
  }

  // A word's own valence where it stands: German "laut" before a noun is "according to" ("laut Beschreibung"), not loud.
  const valenceAt = (i: number): number => {
    if (pack.prepositionsBeforeNoun.has(keys[i]!)) {
      const j = nextWord(i, 1);
      if (j >= 0 && isCapitalised(tokens[j]!.text)) return 0;
    }
    return pack.valence(tokens[i]!.lower);
  };

  const isBoosterHere = (i: number): boolean => {
    if (!pack.boosters.has(keys[i]!)) return false;
    // "super" alone is praise; "super schnell" boosts.
    const j = nextWord(i, 1);
    return j >= 0 && !consumed[j] && (pack.valence(tokens[j]!.lower) !== 0 || pack.boosters.has(keys[j]!) || pack.sizeWords.has(keys[j]!));
  };

  for (let i = 0; i < n; i++) {
    const t = tokens[i]!;
    if (!t.word) {
      out[i] = EMOJI_VALENCE.get(t.text) ?? 0;
      continue;
    }
    let v = base[i]!;
    const idiom = consumed[i] === 1;
    if (!idiom) {
      if (pack.isNegator(keys[i]!) || isBoosterHere(i)) continue;
      v = valenceAt(i);
      // An adjective before a noun of the opposite valence says how much, not how good ("große Probleme"): German
      // capitalises the noun, so this is read there only.
      if (v !== 0 && pack.nounKeepsValence && (t.sentenceStart || !isCapitalised(t.text))) {
        const j = nextWord(i, 1);
        if (j >= 0 && !consumed[j] && isCapitalised(tokens[j]!.text) && Math.sign(valenceAt(j)) === -Math.sign(v)) v = 0;
      }
      if (v !== 0 && pack.nounKeepsValence && !t.sentenceStart && isCapitalised(t.text) && !pack.nounKeepsValence(t.lower)) v *= NOUN_SHARE;
      if (v > 0 && pack.irrealis && !pack.stillPraise.has(keys[i]!) && subjunctive(i)) v = 0;
      const p = prevWord(i, 1);
      if (
        p >= 0 &&
        pack.too.has(keys[p]!) &&
        (pack.sizeWords.has(keys[i]!) || (pack.tooOfPraise && tooMuchPraise(pack, t.text, keys[i]!, v)))
      ) {
        v = Math.min(v, TOO_VALENCE);
      }
    } else if (v === 0) continue;
    if (v === 0) continue;

    // Boosters in the three words before.
    for (let d = 1; d <= 3; d++) {
      const j = prevWord(i, d);
      if (j < 0) break;
      if (consumed[j]) continue;
      const b = pack.boosters.get(keys[j]!);
      if (b !== undefined && isBoosterHere(j)) v += Math.sign(v) * b * BOOSTER_DISTANCE[d - 1]!;
    }
    // Negation: before (three words), or in German after (up to three words, unless it belongs to a later word).
    let negated = false;
    for (let d = 1; d <= 3 && !negated; d++) {
      const j = prevWord(i, d);
      if (j < 0) break;
      // "ohne" is a preposition: it negates up to its own noun ("ohne größere Probleme"), not past it ("ohne Aufzug passt").
      if (!consumed[j] && pack.isNegator(keys[j]!) && (!NOUN_BOUND.has(keys[j]!) || !nounBetween(j, i))) negated = true;
    }
    for (const phrase of negated ? [] : pack.earlyDenials) {
      const j = prevWord(i, phrase.length);
      if (j >= 0 && phraseAt(j, phrase)) negated = true;
    }
    if (!negated && !idiom && pack.lateDenials.length > 0) {
      const j = nextWord(i, 1);
      for (const phrase of j >= 0 ? pack.lateDenials : []) {
        const span = phraseAt(j, phrase);
        if (!span) continue;
        for (const k of span) consumed[k] = 1;
        negated = true;
        break;
      }
    }
    if (!negated && pack.lateNegation && !idiom && !pack.sentenceAdverbs.has(keys[i]!)) {
      // A word that opens its clause has its "nicht" at the clause's end ("Empfehlen kann ich es nicht").
      // So does a noun after the clause's article ("Das Problem habe ich hier nicht").
      const first = firstWordOfClause(i);
      const topical = i === first || (ARTICLES.has(keys[first]!) && nextWord(first, 1) === i);
      let lateWindow = topical ? LATE_WINDOW_TOPICAL : LATE_WINDOW;
      for (let d = 1; d <= lateWindow; d++) {
        const j = nextWord(i, d);
        if (j < 0) break;
        // A reflexive "sich" belongs to the verb ("lohnt sich laut Werkstatt nicht"), and
        // "überhaupt", "gar" to the negation ("stimmte die Menge überhaupt nicht"): not counted.
        if (LATE_UNCOUNTED.has(keys[j]!)) lateWindow++;
        if (!consumed[j] && valenceAt(j) !== 0 && !pack.isNegator(keys[j]!)) break;
        if (!consumed[j] && pack.isNegator(keys[j]!)) {
          // "kein" is the article of the noun after it ("dank dem Rahmen keine Blasen"), and negates a word
          // before it only when it ends the clause ("Probleme hatte ich bisher keine").
          if (LATE_NEVER.has(keys[j]!) && nextWord(j, 1) >= 0) break;
          const k = nextWord(j, 1);
          // "nicht gut" after it: the negation is that word's.
          const k2 = k >= 0 ? nextWord(j, 2) : -1;
          const claimed = [k, k2].some((x) => x >= 0 && !consumed[x] && pack.valence(tokens[x]!.lower) !== 0);
          if (!claimed) negated = true;
          break;
        }
      }
    }
    // "keine 5 Sterne", "nicht mal einen Stern": a denied rating is a complaint whatever the count.
    if (negated && star[i]) v = -Math.max(Math.abs(v), STAR_DENIED);
    else if (negated) v = v > 0 ? NEGATED_POSITIVE * Math.min(v, Math.max(1, NEGATED_SHIFT - v)) : v * NEGATED_NEGATIVE;
    out[i] = v;
  }

  // Contrast within each sentence: the last pivot word splits it.
  for (const s of seg.sentences) {
    let pivot = -1;
    for (let i = s.from; i < s.to; i++) {
      const t = tokens[i]!;
      if (t.word && CONTRAST_WORDS.has(keys[i]!) && !CONCESSIVE.has(keys[i]!) && i > s.from) pivot = i;
    }
    if (pivot >= 0) for (let i = s.from; i < s.to; i++) out[i]! *= i < pivot ? BEFORE_PIVOT : AFTER_PIVOT;
    // A concession ("although ...", "zwar ...") weighs its own clause half, once per concession word in it.
    // Counted first, then applied: a pass over the sentence per concession word was quadratic ("zwar gut zwar gut ...").
    const concessions = new Map<number, number>();
    for (let i = s.from; i < s.to; i++) {
      if (tokens[i]!.word && CONCESSIVE.has(keys[i]!)) concessions.set(tokens[i]!.clause, (concessions.get(tokens[i]!.clause) ?? 0) + 1);
    }
    if (concessions.size > 0) {
      for (let j = s.from; j < s.to; j++) {
        const k = concessions.get(tokens[j]!.clause);
        if (k !== undefined) out[j] = halved(out[j]!, k);
      }
    }
  }
  return out;
}

const NO_IDIOMS: LanguagePack["idioms"] = [];

/**
 * German "zu" before praise says too much of it ("zu weich", "zu hell"), except before a verb, where "zu" is
 * the infinitive's ("nur zu empfehlen", "leicht zu reinigen"), or a noun ("zu Weihnachten").
 */
function tooMuchPraise(pack: LanguagePack, text: string, key: string, v: number): boolean {
  return v > 0 && !isCapitalised(text) && !key.endsWith("en") && !pack.stillPraise.has(key);
}

/** Per clause of `seg`, how many of its tokens (lower case) are in `words`. */
export function countPerClause(seg: Segmented, words: ReadonlySet<string>): Uint32Array {
  // A text without words has no clause, and its tokens say clause 0.
  const counts = new Uint32Array(Math.max(1, seg.clauses.length));
  for (const t of seg.tokens) if (words.has(t.lower)) counts[t.clause]!++;
  return counts;
}

const MIN_NORMAL = 2 ** -1022;

/**
 * `x` multiplied by 0.5 `k` times, the same double as that loop gives: one multiplication by 2^-k is
 * exact when the result is a normal number; below that each halving rounds, so they are repeated
 * (until 0: a few dozen, a thousand at most).
 */
export function halved(x: number, k: number): number {
  if (k <= 1074) {
    const y = x * 2 ** -k;
    if (Math.abs(y) >= MIN_NORMAL || x === 0) return y;
  }
  let r = x;
  for (let s = 0; s < k && r !== 0; s++) r *= 0.5;
  return r;
}

/** Whether the sentence's first words (folded) are one of `phrases`. */
function opensWith(seg: Segmented, s: Segmented["sentences"][number], phrases: ReadonlyArray<readonly string[]>): boolean {
  const words: string[] = [];
  for (let i = s.from; i < s.to && words.length < 3; i++) if (seg.tokens[i]!.word) words.push(foldGerman(seg.tokens[i]!.lower));
  return phrases.some((p) => p.every((w, k) => words[k] === w));
}

function isCapitalised(word: string): boolean {
  const c = word[0]!;
  return c !== c.toLowerCase() && c === c.toUpperCase();
}

/** VADER's squash of a sum of valences into (-1, 1). */
export function squash(sum: number, alpha = 15): number {
  return sum / Math.sqrt(sum * sum + alpha);
}

/**
 * The whole text's polarity in [-1, 1]: the sum of valences, divided by the
 * square root of the number of sentences that carry any, then squashed. The
 * division keeps long, lukewarm reviews from outranking short, clear ones.
 * With `verdict`, the first sentence (when `opening`) and the last two weigh
 * more: a review states its verdict in its title or first line and again at
 * its end ("Fazit: ..."), and retells or describes in between.
 */
export function reviewScore(
  seg: Segmented,
  valences: Float64Array,
  verdict: VerdictWeights = { first: 1, last: 1 },
  opening = true,
): { sum: number; polarity: number } {
  let sum = 0;
  let carrying = 0;
  const count = seg.sentences.length;
  for (let k = 0; k < count; k++) {
    const s = seg.sentences[k]!;
    const closing = k >= count - VERDICT_LAST || (verdict.openers !== undefined && opensWith(seg, s, verdict.openers));
    const weight = k === 0 && opening ? verdict.first : closing ? verdict.last : 1;
    let any = false;
    for (let i = s.from; i < s.to; i++) {
      if (valences[i] !== 0) {
        sum += valences[i]! * weight;
        any = true;
      }
    }
    if (any) carrying++;
  }
  const scaled = sum / Math.sqrt(Math.max(1, carrying));
  return { sum, polarity: squash(scaled, 4) };
}
