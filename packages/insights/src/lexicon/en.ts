/**
 * English polarity words: VADER's lexicon (Hutto & Gilbert 2014, MIT; copied
 * from the vader-sentiment package, Apache-2.0, by scripts/import-lexicons.ts
 * into vader-en.ts)
 * plus review vocabulary it lacks. Valences are on VADER's scale, -4..4.
 */
import { VADER_TSV } from "./vader-en.js";

/**
 * Shopping and travel words VADER (built on tweets) does not know or weighs
 * as generic English. Each was added for a reason visible in product reviews:
 * "it works", "returned it", "flimsy", "fell apart".
 */
const REVIEW_WORDS: Record<string, number> = {
  works: 1.3, worked: 1.0, working: 0.8, fits: 1.3, comfy: 2.0, sturdy: 1.6, durable: 1.6, soft: 1.0, stylish: 1.8,
  flattering: 2.0, spacious: 1.6, quiet: 0.8, luxurious: 2.0, roomy: 1.2, cozy: 1.8, plush: 1.4, well: 0.5,
  returned: -1.6, returning: -1.6, return: -0.8, refund: -1.5, cheap: -1.2, cheaply: -1.8, flimsy: -2.0, ripped: -2.0,
  tore: -2.0, tear: -1.0, tears: -1.0, faded: -1.4, fades: -1.4, scratchy: -1.5, smelly: -2.0, musty: -1.6, stained: -1.6,
  stains: -1.2, stain: -1.0, thin: -0.6, poorly: -1.8, unwearable: -2.6, wobbly: -1.5, leaks: -1.8, leaked: -1.8,
  peeling: -1.6, loose: -0.6, dated: -1.0, overpriced: -2.0, filthy: -2.8, mold: -2.0, moldy: -2.2, stinks: -2.4,
  noisy: -1.5, unhelpful: -1.8, worn: -0.8, refused: -1.8, charged: -0.8, overcharged: -2.2, mediocre: -1.6,
  misleading: -2.0, cramped: -1.6, outdated: -1.4, shabby: -2.0, tiny: -0.6, uncomfortable: -2.0, stiff: -0.8,
  unravel: -1.6, junk: -2.2, junky: -2.2, stuck: -1.2, snapped: -1.6, separating: -1.2, separated: -1.2, unraveled: -1.8, snagged: -1.4, pilling: -1.6, pills: -0.8, cracked: -1.8, defect: -2.0,
  slow: -1.0,
};

/** Words that make a following adjective a complaint: "too small", "too tight". */
export const EN_TOO = new Set(["too"]);
export const EN_SIZE_WORDS = new Set([
  "small", "big", "large", "tight", "loose", "short", "long", "expensive", "thin", "heavy", "narrow", "wide", "low", "high",
  "stiff", "hard", "thick", "bulky", "noisy", "loud", "hot", "cold", "much", "little", "snug", "baggy", "sheer",
]);

function vader(): Map<string, number> {
  const m = new Map<string, number>();
  for (const line of VADER_TSV.split("\n")) {
    const tab = line.lastIndexOf("\t");
    m.set(line.slice(0, tab), Number(line.slice(tab + 1)));
  }
  return m;
}
export const EN_LEXICON: ReadonlyMap<string, number> = new Map([...vader(), ...Object.entries(REVIEW_WORDS)]);

const INCR = 0.293;
const DECR = -0.293;
/** VADER's degree adverbs. */
export const EN_BOOSTERS: ReadonlyMap<string, number> = new Map([
  ...[
    "absolutely", "amazingly", "awfully", "completely", "considerably", "decidedly", "deeply", "enormously", "entirely",
    "especially", "exceptionally", "extremely", "fabulously", "fully", "greatly", "highly", "hugely", "incredibly",
    "intensely", "majorly", "more", "most", "particularly", "purely", "quite", "really", "remarkably", "so",
    "substantially", "thoroughly", "totally", "tremendously", "unbelievably", "unusually", "utterly", "very", "super",
  ].map((w): [string, number] => [w, INCR]),
  ...["almost", "barely", "hardly", "kinda", "less", "little", "marginally", "occasionally", "partly", "scarcely", "slightly", "somewhat", "sorta", "fairly", "pretty"].map(
    (w): [string, number] => [w, DECR],
  ),
]);

/** VADER's negations; any word ending in n't negates too. */
export const EN_NEGATORS = new Set([
  "aint", "arent", "cannot", "cant", "couldnt", "darent", "didnt", "doesnt", "dont", "hadnt", "hasnt", "havent", "isnt",
  "mightnt", "mustnt", "neither", "neednt", "never", "no", "none", "nope", "nor", "not", "nothing", "nowhere", "oughtnt",
  "shant", "shouldnt", "wasnt", "werent", "without", "wont", "wouldnt", "rarely", "seldom", "stopped",
]);

export function isEnglishNegator(lower: string): boolean {
  return EN_NEGATORS.has(lower) || lower.endsWith("n't");
}

/** Multi-word expressions VADER would score word by word, wrongly. Valence replaces the words'. */
export const EN_IDIOMS: ReadonlyArray<readonly [readonly string[], number]> = [
  [["fell", "apart"], -2.6],
  [["falls", "apart"], -2.6],
  [["falling", "apart"], -2.4],
  [["waste", "of", "money"], -2.8],
  [["sent", "it", "back"], -1.8],
  [["send", "it", "back"], -1.8],
  [["sent", "them", "back"], -1.8],
  [["send", "them", "back"], -1.8],
  [["not", "worth"], -2.0],
  [["runs", "small"], -0.8],
  [["run", "small"], -0.8],
  [["no", "problem"], 1.2],
  [["no", "problems"], 1.2],
  [["no", "complaints"], 1.6],
  [["no", "issues"], 1.2],
  [["highly", "recommend"], 2.6],
  [["would", "recommend"], 1.8],
  [["as", "described"], 1.0],
  [["as", "pictured"], 1.0],
  [["doesn't", "work"], -2.0],
  [["didn't", "work"], -2.0],
  [["does", "not", "work"], -2.0],
  [["did", "not", "work"], -2.0],
  [["don't", "work"], -2.0],
  [["stopped", "working"], -2.2],
  [["quit", "working"], -2.2],
  [["not", "as", "described"], -1.8],
  [["not", "as", "pictured"], -1.8],
  // "slow" is a complaint about delivery or service, not the name of a thing.
  [["slow", "cooker"], 0],
  [["slow", "cookers"], 0],
  [["slow", "motion"], 0],
];
