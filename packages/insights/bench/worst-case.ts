/**
 * What one hostile review costs the API's background analysis thread (issue
 * 14): texts shaped to hit the analysis' worst cases, each at the longest the
 * API accepts (LIMITS in packages/api/src/features/reviews/reviews.ts: a title
 * of 200 and a body of 10 000 characters, counted in code points), beside an
 * ordinary review of ~150 words. Anyone with a shop's publishable key can send
 * such a review, and every review is analysed.
 *
 *   npx tsx packages/insights/bench/worst-case.ts            (every shape)
 *   npx tsx packages/insights/bench/worst-case.ts de-one-clause-irrealis   (one, by name)
 *   npx tsx packages/insights/bench/worst-case.ts --list     (the shapes' names)
 *   npx tsx packages/insights/bench/worst-case.ts --jsonl    (the shapes as `insights analyze` input)
 *   WORST_SCALE=2 npx tsx packages/insights/bench/worst-case.ts             (bodies twice as long)
 *
 * CPU ms per review (user + system of this process, less sensitive to the
 * neighbours than wall time): the median of the timed runs after two warm-up
 * runs (after 30 runs of the ordinary reviews); runs repeat until 1 s of CPU or 15 runs (at least 6). The same text
 * each run, so the German valence memo is warm: an attacker's distinct texts
 * would cost the stemming on top. Needs no research data.
 */
import { loadavg } from "node:os";
import { type ReviewText, analyzeReview } from "../src/index.js";

/** The API's LIMITS (code points). */
const TITLE_MAX = 200;
const BODY_MAX = 10_000;
/** WORST_SCALE=2: bodies twice the API's limit (the analysis reads 20 000 UTF-16 units), to see how the cost grows. */
const SCALE = Number(process.env.WORST_SCALE ?? 1);

/** `unit` repeated up to exactly `max` code points (the last copy cut). */
function fill(unit: string | ((i: number) => string), max: number): string {
  const parts: string[] = [];
  let length = 0;
  for (let i = 0; length < max; i++) {
    const u = typeof unit === "string" ? unit : unit(i);
    parts.push(u);
    length += [...u].length;
  }
  return [...parts.join("")].slice(0, max).join("");
}

const SYLLABLES =
  "ba be bi bo bu da de di do du fa fe fi fo fu ga ge gi go gu ka ke ki ko ku la le li lo lu ma me mi mo mu na ne ni no nu pa pe pi po pu ra re ri ro ru sa se si so su ta te ti to tu wa we wi wo wu za ze zi zo zu".split(
    " ",
  );
/** A distinct made-up word per i, known to no lexicon or vocabulary ("Bafobu"). */
function pseudoWord(i: number, capital: boolean): string {
  const n = SYLLABLES.length;
  const w = `${SYLLABLES[i % n]}${SYLLABLES[Math.floor(i / n) % n]}${SYLLABLES[Math.floor(i / (n * n)) % n]}x`;
  return capital ? w[0]!.toUpperCase() + w.slice(1) : w;
}

const ORDINARY_EN =
  "I bought this jacket for a week of hiking in Scotland and it mostly lived up to the description. The fabric is soft and warm, and it kept me dry in two days of steady rain. The fit is true to size, although the sleeves are a little long for me. The hood adjusts well and does not block my view. My only real complaint is the zipper: it started catching after a few days and now needs both hands to close. Customer service answered quickly and offered a replacement, which arrived in three days. The pockets are deep enough for a phone and a map, and the inside pocket is a nice touch. For the price I expected better stitching around the cuffs, but nothing has come apart yet. Overall a comfortable, good looking jacket that I would buy again if the zipper holds up.";
const ORDINARY_DE =
  "Ich habe die Jacke für eine Wanderwoche in Schottland gekauft und sie hat die Beschreibung größtenteils erfüllt. Der Stoff ist weich und warm, und bei zwei Tagen Dauerregen bin ich trocken geblieben. Die Passform stimmt, allerdings sind die Ärmel für mich etwas zu lang. Die Kapuze lässt sich gut einstellen und nimmt nicht die Sicht. Mein einziger echter Kritikpunkt ist der Reißverschluss: Er hakt seit ein paar Tagen und lässt sich nur noch mit beiden Händen schließen. Der Kundenservice hat schnell geantwortet und Ersatz angeboten, der nach drei Tagen da war. Die Taschen sind tief genug für Handy und Karte, die Innentasche ist ein schönes Detail. Für den Preis hätte ich bessere Nähte an den Bündchen erwartet, aber bisher hat sich nichts gelöst. Insgesamt eine bequeme, gut aussehende Jacke, die ich wieder kaufen würde, wenn der Reißverschluss hält.";

/** Words that open no clause (no "and", "but", "und", "aber"): a text of them without punctuation is one clause. */
const EN_CLAUSE = "the zipper is great the fit is comfortable the price seems high for such a nice jacket with soft fabric ";
const DE_CLAUSE = "der Akku hält gut die Kamera ist toll das Display ist schön der Preis ist super ";

type Shape = { name: string; what: string; review: ReviewText };
const shape = (name: string, what: string, unit: string | ((i: number) => string), language?: "en" | "de"): Shape => ({
  name,
  what,
  review: { title: fill(unit, TITLE_MAX), body: fill(unit, BODY_MAX * SCALE), language: language ?? null },
});

const SHAPES: Shape[] = [
  {
    name: "ordinary-en",
    what: "an ordinary English review, ~150 words",
    review: { title: "Warm and dry, but the zipper", body: ORDINARY_EN },
  },
  {
    name: "ordinary-de",
    what: "an ordinary German review, ~140 words",
    review: { title: "Warm und trocken, nur der Reißverschluss", body: ORDINARY_DE, language: "de" },
  },
  shape("en-one-clause", "English words, no punctuation, no clause opener: one clause", EN_CLAUSE),
  shape("de-one-clause", "German words, no punctuation: one clause", DE_CLAUSE, "de"),
  shape("de-one-clause-irrealis", "as above with 'wäre' in it: every praise word checks its clause", `wäre ${DE_CLAUSE}`, "de"),
  shape("en-same-word", "'great ' repeated", "great "),
  shape("de-same-word", "'gut ' repeated", "gut ", "de"),
  shape(
    "de-same-word-irrealis",
    "'wäre ' then 'gut ' repeated: one clause, every word praise in the subjunctive",
    (i) => (i === 0 ? "wäre " : "gut "),
    "de",
  ),
  shape(
    "de-distinct-nouns",
    "distinct capitalised made-up words (German noun candidates), one clause",
    (i) => `${pseudoWord(i, true)} `,
    "de",
  ),
  shape(
    "de-distinct-nouns-gut",
    "as above, every third word 'gut' (the clause has a polarity)",
    (i) => (i % 3 === 2 ? "gut " : `${pseudoWord(i, true)} `),
    "de",
  ),
  shape("en-distinct-words", "distinct lower-case made-up words, one clause", (i) => `${pseudoWord(i, false)} `),
  shape("en-distinct-nouns-great", "'the <made-up> is great ' repeated, one clause", (i) => `the ${pseudoWord(i, false)} is great `),
  shape("long-word", "one word of 'a', no space (language given: detection would say und)", "a", "en"),
  shape("de-long-compound", "'akku' repeated as one word (a compound of known parts)", "akku", "de"),
  shape("de-long-compound-capital", "'Akku' then 'akku' repeated, one capitalised word", (i) => (i === 0 ? "Akku" : "akku"), "de"),
  shape("en-abbreviations", "'Mr. Dr. etc. ' repeated: full stops that end no sentence (compromise joins them)", "Mr. Dr. etc. ", "en"),
  shape("en-numbered", "'1. 2. 3. ' repeated: full stops after numbers, no letter", "1. 2. 3. ", "en"),
  shape("en-ellipsis", "'good... ' repeated", "good... ", "en"),
  shape("en-contractions", "\"don't it's can't we'll \" repeated: one sentence, two terms a word", "don't it's can't we'll ", "en"),
  shape("en-possessives", "\"John's shop's \" repeated", "John's shop's ", "en"),
  shape("en-many-sentences", "'Zipper. ' repeated: one-word sentences", "Zipper. "),
  shape("de-many-sentences", "'Akku. ' repeated: one-word sentences", "Akku. ", "de"),
  shape("de-many-clauses", "'Akku gut, ' repeated: one sentence of two-word clauses", "Akku gut, ", "de"),
  shape("de-zwar", "'zwar gut ' repeated: one clause of concessions", "zwar gut ", "de"),
  shape("en-though", "'though good ' repeated: one sentence of concessions", "though good "),
  shape("emoji", "'👍' repeated, no space (20 000 UTF-16 units)", "👍"),
  shape("emoji-spaced", "'👍 ' repeated", "👍 "),
  shape("combining", "'e' + combining acute repeated, no space", "e\u0301"),
  shape("emoji-en", "'great👍' repeated, language given (detection would say und)", "great👍", "en"),
  shape("combining-en", "'fine' with combining accents, repeated, language given", "fi\u0301ne\u0300 ", "en"),
  shape("punctuation-run", "'gut' then '*' repeated (no clause break)", (i) => (i === 0 ? "gut " : "*"), "de"),
  shape("mixed-en-de", "English and German words alternating, no punctuation", "the zipper ist gut der Akku is great "),
];

function cpuMs(): number {
  const c = process.cpuUsage();
  return (c.user + c.system) / 1000;
}

function measure(review: ReviewText): { ms: number; runs: number; aspects: number; bytes: number } {
  // Two warm-up runs: compromise's first runs on a text of a new shape cost up to four times the later ones (JIT).
  const out = analyzeReview(review);
  analyzeReview(review);
  const times: number[] = [];
  let total = 0;
  while (times.length < 6 || (total < 1000 && times.length < 15)) {
    const c0 = cpuMs();
    analyzeReview(review);
    const ms = cpuMs() - c0;
    times.push(ms);
    total += ms;
  }
  times.sort((a, b) => a - b);
  return { ms: times[Math.floor(times.length / 2)]!, runs: times.length, aspects: out.aspects.length, bytes: JSON.stringify(out).length };
}

const only = process.argv[2];
if (only === "--list") {
  console.log(SHAPES.map((s) => s.name).join("\n"));
  process.exit(0);
}
if (only === "--jsonl") {
  // The shapes as `insights analyze` input lines, to compare its output before and after a change.
  for (const s of SHAPES)
    console.log(JSON.stringify({ id: s.name, text: s.review.body, title: s.review.title, language: s.review.language ?? undefined }));
  process.exit(0);
}
const chosen = only ? SHAPES.filter((s) => s.name === only) : SHAPES;
if (chosen.length === 0) throw new Error(`no shape ${only}; shapes: ${SHAPES.map((s) => s.name).join(", ")}`);
// Warm: compile both languages' paths before anything is timed.
for (let i = 0; i < 30; i++) for (const s of SHAPES.slice(0, 2)) analyzeReview(s.review);
const load0 = loadavg()[0]!;
const rows: string[] = [];
for (const s of chosen) {
  const m = measure(s.review);
  const chars = [...(s.review.title ?? "")].length + [...s.review.body].length;
  rows.push(`| ${s.name} | ${s.what} | ${chars} | ${m.ms.toFixed(1)} | ${m.runs} | ${m.aspects} | ${m.bytes} |`);
  console.error(rows[rows.length - 1]);
}
console.log(
  `| shape (load average ${load0.toFixed(1)} to ${loadavg()[0]!.toFixed(1)}) | text | code points | CPU ms per review (median) | runs | aspects | output JSON chars |`,
);
console.log("|---|---|---|---|---|---|---|");
for (const r of rows) console.log(r);
