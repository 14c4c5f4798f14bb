/**
 * Aspect candidates: the nouns a review talks about, with their offsets.
 *
 * English: compromise's tagger (one parse per text), runs of nouns as one
 * term ("customer service", "front desk"), the head noun in its singular
 * (compromise's root). German: compromise knows no German, and de-compromise
 * tags too little to lean on, so German uses what the language gives away:
 * nouns are capitalised (a strong cue everywhere but at a sentence's start),
 * and compounds end in their head ("Akkulaufzeit" -> "laufzeit"), which a
 * vocabulary of product nouns recognises, in lower-case text too.
 */
import {
  DE_CONCEPTS,
  DE_NOT_ASPECTS,
  DE_SINGULAR,
  DE_VOCAB_FOLDED,
  DE_VOCAB_SPELLING,
  EN_COMPOUND_HEADS,
  EN_NOT_ASPECTS,
} from "./lexicon/aspects.js";
import { germanStem } from "./lexicon/de.js";
import { type ParsedTerm, parseEnglish, rootOf } from "./parse-en.js";
import type { Segmented } from "./text.js";
import { foldGerman } from "./text.js";

export interface AspectCandidate {
  /** Normalised: lower case, singular head ("customer service", "akkulaufzeit"). */
  term: string;
  /**
   * What mentions are grouped by: the English term, or for German the English
   * counterpart if known ("reißverschluss" -> "zipper"), else the stem ("Akkus" -> "akku").
   */
  key: string;
  /** For a German compound, its last known part ("laufzeit"); else null. */
  head: string | null;
  /** Character offsets of the words in the text. */
  start: number;
  end: number;
}

/** A noun that mostly carries a verdict ("Katastrophe", "love") is the opinion, not its target. */
const VERDICT_VALENCE = 2.2;

const SKIP_TAGS = [
  "Pronoun",
  "ProperNoun",
  "Value",
  "Date",
  "Duration",
  "Month",
  "WeekDay",
  "Possessive",
  "Person",
  "Place",
  "Organization",
  "Honorific",
  "Url",
  "Email",
];

/**
 * What an English term is grouped by: the term, less a leading "quality".
 * Before another noun, "quality" says how good the thing is ("poor quality
 * zipper", "high quality hotel": every such term in the Amazon and op-spam
 * texts), not what kind of thing it is, so "poor quality zipper" is counted
 * with "the zipper broke" (the term keeps the words as written).
 */
export function englishKey(term: string): string {
  return term.startsWith("quality ") ? term.slice("quality ".length) : term;
}

export function englishAspects(text: string, valence: (lower: string) => number): AspectCandidate[] {
  const out: AspectCandidate[] = [];
  let cursor = 0;
  type Term = ParsedTerm;
  for (const sentence of parseEnglish(text, { roots: false })) {
    let run: { term: Term; start: number; end: number }[] = [];
    const flush = (): void => {
      const words = run.slice(-3);
      run = [];
      if (words.length === 0) return;
      const head = words[words.length - 1]!;
      const headWord = (rootOf(head.term) ?? head.term.normal).toLowerCase();
      if (headWord.length < 3) return;
      if (Math.abs(valence(head.term.normal)) >= VERDICT_VALENCE) return;
      const mods = words
        .slice(0, -1)
        .map((w) => w.term.normal)
        .filter((w) => !EN_NOT_ASPECTS.has(w) && /^[a-z][a-z-]*$/.test(w));
      const excluded = EN_NOT_ASPECTS.has(headWord) || EN_NOT_ASPECTS.has(head.term.normal);
      if (excluded && !(mods.length > 0 && EN_COMPOUND_HEADS.has(headWord))) return;
      const term = [...mods, headWord].join(" ");
      if (!/^[a-z][a-z -]*[a-z]$/.test(term)) return;
      out.push({ term, key: englishKey(term), head: null, start: words[0]!.start, end: head.end });
    };
    for (const t of sentence) {
      const at = text.indexOf(t.text, cursor);
      const start = at >= 0 && at - cursor < 64 ? at : cursor;
      const end = start + t.text.length;
      cursor = at >= 0 ? end : cursor;
      // "lighter than", "cooler than": compromise's lexicon knows these as nouns (a
      // cigarette lighter, a cool box), but before "than" a lone -er word compares.
      if (t.normal === "than" && run.length === 1 && /er$/.test(run[0]!.term.normal)) run = [];
      const noun = t.tags.has("Noun") && !SKIP_TAGS.some((s) => t.tags.has(s)) && !t.tags.has("Adjective");
      if (noun && t.text.length > 0) run.push({ term: t, start, end });
      else flush();
      // Punctuation after a word ends a noun run ("shoes, socks").
      if (/[^\s]/.test(t.post)) flush();
    }
    flush();
  }
  return out;
}

/**
 * A vocabulary noun under a plural or case ending the singular table does not know: "Theaterstücken",
 * "Versen", "Romans", "Lektorate", "Bänden". Its parts, and the word without the ending as the term
 * (umlauts are folded, so "Bänden" ends in "band": then the vocabulary's own spelling).
 */
function splitInflected(lower: string): { parts: string[]; term: string } | null {
  const folded = foldGerman(lower);
  // Not "-er": "Drucker" is no "Druck" (the few -er plurals are in DE_SINGULAR: "Bücher", "Bilder").
  const m = /(?:en|es|n|e|s)$/.exec(folded);
  if (!m || folded.length - m[0].length < 3) return null;
  const stem = folded.slice(0, -m[0].length);
  const parts = splitCompound(stem);
  if (!parts) return null;
  const cut = lower.slice(0, -m[0].length);
  const term = foldGerman(cut) === stem ? cut : parts.length === 1 ? (DE_VOCAB_SPELLING.get(stem) ?? cut) : cut;
  return { parts, term };
}

function umlautClash(word: string, vocab: string): boolean {
  if (word.length !== vocab.length) return false;
  for (let i = 0; i < word.length; i++) {
    const v = vocab[i]!;
    if ((v === "ä" && word[i] === "a") || (v === "ö" && word[i] === "o") || (v === "ü" && word[i] === "u")) return true;
  }
  return false;
}

const VERB_PREFIXES = new Set(["miss", "ver", "zer", "ent"]);
/** No vocabulary word is longer: a longer piece of a word is looked up in no set (hashing a long string costs its length). */
const LONGEST_VOCAB = Math.max(...[...DE_VOCAB_FOLDED].map((w) => w.length));
const isVocab = (folded: string): boolean => folded.length <= LONGEST_VOCAB && DE_VOCAB_FOLDED.has(folded);

/** Splits a folded German word into known vocabulary parts from the end; null if its end is not known. */
export function splitCompound(folded: string): string[] | null {
  if (isVocab(folded)) return [folded];
  if (folded.includes("-")) {
    const last = folded.slice(folded.lastIndexOf("-") + 1);
    const rest = splitCompound(last);
    return rest ? [folded.slice(0, folded.lastIndexOf("-")), ...rest] : null;
  }
  // From the end: the longest known word the compound ends with, at least 3 letters of modifier before it,
  // then the same for the modifier, until it is a known word or has no known end (then it is one part).
  // A loop over prefixes of the word, not a recursion: "akkuakkuakku…" is thousands of parts deep.
  const firstVowel = folded.search(/[aeiouy]/);
  const parts: string[] = [];
  let rest = folded;
  for (;;) {
    if (parts.length > 0 && isVocab(rest)) break;
    let i = Math.max(3, rest.length - LONGEST_VOCAB);
    while (i <= rest.length - 3 && !DE_VOCAB_FOLDED.has(rest.slice(i))) i++;
    if (i > rest.length - 3) {
      if (parts.length === 0) return null;
      break;
    }
    let mod = rest.slice(0, i);
    // A verb's prefix, not a noun: "Misshandlung", "Verhandlung" are no kind of "Handlung"; and a
    // modifier without a vowel is no word ("schlicht" is not "sch" + "Licht"). (Every modifier is a
    // prefix of the word: it has a vowel when the word's first one is inside it.)
    if ((mod.length <= 4 && VERB_PREFIXES.has(mod)) || firstVowel < 0 || firstVowel >= i) {
      if (parts.length === 0) return null;
      break;
    }
    parts.push(rest.slice(i));
    // Linking "s" (Fugen-s): "Lieferungszeit".
    if (mod.endsWith("s") && mod.length > 3 && isVocab(mod.slice(0, -1))) mod = mod.slice(0, -1);
    rest = mod;
  }
  parts.push(rest);
  return parts.reverse();
}

const COPULA_AFTER_INITIAL_NOUN = new Set(
  "ist sind war waren hat haben hatte hatten wird werden wurde wurden und oder stimmt stimmen passt passen sitzt hält halt kam kamen geht lässt lasst funktioniert macht riecht klingt sieht fühlt fuhlt"
    .split(" ")
    .map(foldGerman),
);

function germanLemma(lower: string): string {
  // "CD's", "Handy's": an apostrophe before a plural s.
  const bare = lower.replace(/'s$/, "");
  const folded = foldGerman(bare);
  const mapped = DE_SINGULAR.get(folded);
  if (mapped) return mapped;
  if (bare !== lower) return bare;
  // Loanword plurals: Akkus, Apps, E-Mails, Handys.
  if (/[aeiouy]s$|[^s]ps$|ls$/.test(lower) && lower.length > 4 && !/(?:ss|nis|eis|us)$/.test(lower)) return lower.slice(0, -1);
  return lower;
}

/**
 * Words that say the review is of a book, a play, a film or a recording (folded; MEDIA_HEADS also
 * as a compound's end: "Kriminalroman", "Theaterbühne"). There the capitalised words are mostly
 * what the story is about, its people, places and events ("Harold Fry erhält einen Brief"), so
 * only the aspect vocabulary's nouns are aspects (Schreibstil, Übersetzung, Sprecher, Ende).
 */
const MEDIA = new Set(
  "stück stücke stücks stückes stücken szene szenen inszenierung aufführung versen verse zuschauer publikum autor autorin autors schriftsteller schriftstellerin leser leserin geschichte geschichten handlung kapitel lektüre schreibstil erzählstil protagonist protagonistin figuren charaktere fortsetzung trilogie novelle lyrik gedicht gedichte"
    .split(" ")
    .map(foldGerman),
);
const MEDIA_HEADS =
  "buch bücher buches roman romans romane drama dramas komödie tragödie hörspiel hörspiels erzählung erzählungen theater theaters bühne"
    .split(" ")
    .map(foldGerman);
/** A device's manual or a notebook is no story. */
const NOT_MEDIA = new Set(["handbuch", "notizbuch"]);
function isMediaWord(folded: string): boolean {
  return MEDIA.has(folded) || (!NOT_MEDIA.has(folded) && MEDIA_HEADS.some((h) => folded.endsWith(h)));
}

/** The word before token i, folded ("" at the text's start); punctuation between them is skipped. */
function previousWord(tokens: Segmented["tokens"], i: number): string {
  let j = i - 1;
  while (j >= 0 && !tokens[j]!.word) j--;
  return j >= 0 ? foldGerman(tokens[j]!.lower) : "";
}

/**
 * "Bücher" are books in general, which a product review mentions too: an e-reader's "Bücher aus
 * der Onleihe", a shelf's "ohne Bücher". Alone they do not make it a book review (a review of a
 * book names it, its author or its story as well). "Romane" do: "Hemingways Romane" is a book review.
 */
const BOOKS_IN_GENERAL = /(?:bucher|buchern)$/;

const GREETINGS = new Set(["gruss", "grusse", "lg", "mfg", "vg"]);
function afterGreeting(tokens: Segmented["tokens"], i: number): boolean {
  return GREETINGS.has(previousWord(tokens, i));
}

/** "beim" and "zum" mostly take a verb as a noun: "beim Laufen", "zum Einstellen" (a thing: "beim Händler", "zum Preis"). */
const ACTIVITY_BEFORE = new Set(["beim", "zum"]);

/** Whether a German text leaves its nouns in lower case: almost no word inside a sentence is capitalised. */
function writtenInLowerCase(tokens: Segmented["tokens"]): boolean {
  let inside = 0;
  let capitalised = 0;
  for (const t of tokens) {
    if (!t.word || t.sentenceStart || /\d/.test(t.text)) continue;
    inside++;
    if (/^\p{Lu}/u.test(t.text)) capitalised++;
  }
  // German prose capitalises about a quarter of its words (its nouns); a text below a twentieth does not.
  return capitalised < 0.05 * inside;
}

export function germanAspects(seg: Segmented, valence: (lower: string) => number): AspectCandidate[] {
  const out: AspectCandidate[] = [];
  const { tokens } = seg;
  const media = tokens.some((t) => t.word && isMediaWord(foldGerman(t.lower)) && !BOOKS_IN_GENERAL.test(foldGerman(t.lower)));
  const lowerCaseText = writtenInLowerCase(tokens);
  for (let i = 0; i < tokens.length; i++) {
    const t = tokens[i]!;
    if (!t.word || /\d/.test(t.text)) continue;
    const folded = foldGerman(t.lower);
    if (DE_NOT_ASPECTS.has(folded) || (t.text.length < 3 && !DE_VOCAB_FOLDED.has(folded))) continue;
    // The name under a letter's closing ("Beste Grüße, Andreas") is the reviewer's.
    if (afterGreeting(tokens, i)) continue;
    const capital = /^\p{Lu}/u.test(t.text);
    // Endings are only stripped from nouns: "stimmen" is no "Stimme", "teilen" no "Teil".
    let known = splitCompound(folded) ?? splitCompound(foldGerman(germanLemma(t.lower)));
    // Folding is for "Qualitaet"; a plain vowel where the word has an umlaut is another word: "lange" (long) is no "Länge", "große" no "Größe".
    if (known?.length === 1 && umlautClash(t.lower, DE_VOCAB_SPELLING.get(known[0]!) ?? "")) known = null;
    const inflected = known || !capital ? null : splitInflected(t.lower);
    // Where nouns are capitalised, a lower-case word is none: "nachgemessen" is no "…essen", "einfacher" no "…fächer".
    if (known && known.length > 1 && !capital && !lowerCaseText) known = null;
    const parts = known ?? inflected?.parts ?? null;
    let noun = false;
    if (parts) noun = true;
    else if (capital && !t.sentenceStart) noun = true;
    else if (capital && t.sentenceStart) {
      // At a sentence's start only the word after tells: "Preis und Leistung stimmen", not "Tolle Jacke".
      let j = i + 1;
      while (j < tokens.length && !tokens[j]!.word && tokens[j]!.text !== ",") j++;
      const next = tokens[j];
      noun = next !== undefined && (next.text === "," || COPULA_AFTER_INITIAL_NOUN.has(foldGerman(next.lower)));
      // Unless the word is an opinion of its own: "Bequem, auch nach acht Stunden", "Stabil ist er" open with an adjective.
      if (noun && valence(t.lower) !== 0) noun = false;
    }
    // A capitalised verb after "beim" or "zum" is an activity, not a thing: "beim Renovieren", "zum Einstellen".
    if (noun && !parts && capital && /e[rl]?n$/.test(t.lower) && ACTIVITY_BEFORE.has(previousWord(tokens, i))) noun = false;
    // Lower case, outside the vocabulary, a word is no German noun; a verdict noun is the opinion itself.
    if (!noun) continue;
    if (Math.abs(valence(t.lower)) >= VERDICT_VALENCE) continue;
    if (media && !parts) continue;
    const term = inflected?.term ?? germanLemma(t.lower);
    out.push({
      term,
      key: DE_CONCEPTS.get(foldGerman(term)) ?? germanStem(term),
      head: parts && parts.length > 1 ? parts[parts.length - 1]! : null,
      start: t.start,
      end: t.end,
    });
  }
  return out;
}
