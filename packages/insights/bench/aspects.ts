/**
 * Aspect extraction against labelled sets, beside a frequent-noun baseline
 * (Hu & Liu 2004: the nouns frequent in the corpus are the aspects).
 *
 * Sets: test/fixtures/en-aspects.jsonl (60 Amazon Fashion reviews, by id; the
 * texts stay in ../shared/data) and test/fixtures/de-reviews.jsonl (80 German
 * reviews written for Starling). Labelling rules are in the README. A found
 * term matches a gold term when, normalised (English: plural s dropped;
 * German: Snowball stem), they are equal or one is the other's last word(s)
 * ("tennis shoe" ~ "shoe"). Each gold term matches at most once.
 *
 *   npx tsx packages/insights/bench/aspects.ts
 */
import { readFileSync } from "node:fs";
import path from "node:path";
import nlp from "compromise";
import { analyzeReview } from "../src/index.js";
import { germanStem } from "../src/lexicon/de.js";
import { segment } from "../src/text.js";
import { hasData, here, loadAmazonRows, loadGermanSet } from "./data.js";

function norm(language: "en" | "de", term: string): string[] {
  return language === "en"
    ? term
        .toLowerCase()
        .split(/\s+/)
        .map((w) => w.replace(/(?<!s)s$/, ""))
    : [germanStem(term)];
}

function matches(language: "en" | "de", a: string, b: string): boolean {
  const x = norm(language, a);
  const y = norm(language, b);
  const [short, long] = x.length <= y.length ? [x, y] : [y, x];
  return short.join(" ") === long.slice(long.length - short.length).join(" ");
}

interface Counts {
  tp: number;
  found: number;
  gold: number;
}

function score(language: "en" | "de", found: string[], gold: string[], c: Counts): void {
  const unique = [...new Set(found.map((t) => norm(language, t).join(" ")))];
  const left = [...gold];
  c.found += unique.length;
  c.gold += gold.length;
  for (const f of unique) {
    const i = left.findIndex((g) => matches(language, f, g));
    if (i >= 0) {
      c.tp++;
      left.splice(i, 1);
    }
  }
}

function prf(c: Counts): { precision: number; recall: number; f1: number } {
  const precision = c.found ? c.tp / c.found : 0;
  const recall = c.gold ? c.tp / c.gold : 0;
  return { precision, recall, f1: precision + recall ? (2 * precision * recall) / (precision + recall) : 0 };
}

/** English nouns (compromise's tags, singular root) in at least `share` of the corpus's reviews. */
function frequentEnglishNouns(texts: string[], share: number): Set<string> {
  const df = new Map<string, number>();
  for (const t of texts) {
    const doc = nlp(t);
    doc.compute("root");
    const seen = new Set<string>();
    for (const s of doc.docs as { normal: string; root?: string; tags: Set<string> }[][]) {
      for (const w of s) if (w.tags.has("Noun") && !w.tags.has("Pronoun")) seen.add(w.root ?? w.normal);
    }
    for (const n of seen) df.set(n, (df.get(n) ?? 0) + 1);
  }
  return new Set([...df].filter(([, n]) => n >= share * texts.length).map(([w]) => w));
}

function englishNounsOf(text: string): string[] {
  const doc = nlp(text);
  doc.compute("root");
  const out: string[] = [];
  for (const s of doc.docs as { normal: string; root?: string; tags: Set<string> }[][])
    for (const w of s) if (w.tags.has("Noun") && !w.tags.has("Pronoun")) out.push(w.root ?? w.normal);
  return out;
}

/** German baseline: capitalised words not at a sentence's start, frequent (>= 2 reviews) in the set. */
function germanNounsOf(text: string): string[] {
  return segment(text)
    .tokens.filter((t) => t.word && !t.sentenceStart && /^\p{Lu}/u.test(t.text))
    .map((t) => t.text.toLowerCase());
}

export function aspectTable(): string[] {
  const lines = ["| set | reviews | gold terms | ours P / R / F1 | frequent-noun baseline P / R / F1 |", "|---|---|---|---|---|"];
  const fmt = (x: { precision: number; recall: number; f1: number }) =>
    `${x.precision.toFixed(2)} / ${x.recall.toFixed(2)} / ${x.f1.toFixed(2)}`;
  if (hasData()) {
    const rows = loadAmazonRows();
    const byId = new Map(rows.map((r) => [r.id, r.text]));
    const gold = readFileSync(path.join(here, "../test/fixtures/en-aspects.jsonl"), "utf8")
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l) as { id: string; aspects: string[] });
    const frequent = frequentEnglishNouns([...new Set(rows.map((r) => r.text))], 0.01);
    const ours: Counts = { tp: 0, found: 0, gold: 0 };
    const base: Counts = { tp: 0, found: 0, gold: 0 };
    for (const g of gold) {
      const text = byId.get(g.id)!;
      score(
        "en",
        analyzeReview({ body: text }).aspects.map((a) => a.term),
        g.aspects,
        ours,
      );
      score(
        "en",
        englishNounsOf(text).filter((n) => frequent.has(n)),
        g.aspects,
        base,
      );
    }
    lines.push(`| Amazon Fashion, English | ${gold.length} | ${ours.gold} | ${fmt(prf(ours))} | ${fmt(prf(base))} |`);
  }
  const de = loadGermanSet();
  const df = new Map<string, number>();
  for (const r of de) for (const n of new Set(germanNounsOf(r.text))) df.set(n, (df.get(n) ?? 0) + 1);
  const ours: Counts = { tp: 0, found: 0, gold: 0 };
  const base: Counts = { tp: 0, found: 0, gold: 0 };
  for (const r of de) {
    score(
      "de",
      analyzeReview({ body: r.text }).aspects.map((a) => a.term),
      r.aspects,
      ours,
    );
    score(
      "de",
      germanNounsOf(r.text).filter((n) => (df.get(n) ?? 0) >= 2),
      r.aspects,
      base,
    );
  }
  lines.push(`| German set (ours) | ${de.length} | ${ours.gold} | ${fmt(prf(ours))} | ${fmt(prf(base))} |`);
  return lines;
}

if (import.meta.url === `file://${process.argv[1]}`) console.log(aspectTable().join("\n"));
