/**
 * Cost per review on op-spam's hotel reviews (about 130 words each): the
 * whole analyzeReview, and the part of it that is the English parse (ours,
 * and compromise's stock parse, which it replaced, on the same texts in the
 * same process), beside VADER. Three passes; the best is reported, since the
 * machine is shared and the slower passes measure the neighbours. The CLI end
 * to end, on both cores: bench/cli.ts.
 *
 *   npx tsx packages/insights/bench/cost.ts
 */
import { loadavg } from "node:os";
import vader from "vader-sentiment";
import { analyzeReview } from "../src/index.js";
import { parseEnglish, parseEnglishStock } from "../src/parse-en.js";
import { hasData, loadGermanAmazonBooks, loadOpSpam } from "./data.js";

interface Cost {
  /** Best pass's wall ms per text. */
  wall: number;
  /** Best pass's CPU ms (user + system, this process) per text: less sensitive to the neighbours than the wall time. */
  cpu: number;
}

/** Three passes of each case, the cases taking turns (so each sees the same neighbours); the best pass of each. */
function best(cases: [string[], (t: string) => unknown][]): Cost[] {
  const out = cases.map(() => ({ wall: Number.POSITIVE_INFINITY, cpu: Number.POSITIVE_INFINITY }));
  for (let pass = 0; pass < 3; pass++) {
    cases.forEach(([texts, f], i) => {
      const c0 = process.cpuUsage();
      const t0 = performance.now();
      for (const t of texts) f(t);
      const wall = (performance.now() - t0) / texts.length;
      const c = process.cpuUsage(c0);
      out[i]!.wall = Math.min(out[i]!.wall, wall);
      out[i]!.cpu = Math.min(out[i]!.cpu, (c.user + c.system) / 1000 / texts.length);
    });
  }
  return out;
}

export function costTable(): string[] {
  if (!hasData()) return [];
  const texts = loadOpSpam()
    .map((r) => r.text)
    .slice(0, 400);
  const words = texts.reduce((a, t) => a + t.split(/\s+/).length, 0) / texts.length;
  for (const t of texts.slice(0, 50)) analyzeReview({ body: t }); // warm up
  for (const t of texts.slice(0, 50)) parseEnglishStock(t);
  const load0 = loadavg()[0]!;
  const german = texts.map(() =>
    "Der Reißverschluss ist nach zwei Wochen kaputt gegangen, aber die Passform ist super und der Stoff angenehm weich. ".repeat(6),
  );
  // Real German reviews when they can be fetched (see data.ts); their length differs, so the row says it.
  const books = (loadGermanAmazonBooks() ?? []).map((r) => r.text);
  const bookWords = books.reduce((a, t) => a + t.split(/\s+/).length, 0) / Math.max(1, books.length);
  for (const t of books) analyzeReview({ body: t, language: "de" });
  const [ours, parse, stock, de, v, real] = best([
    [texts, (t) => analyzeReview({ body: t })],
    [texts, (t) => parseEnglish(t)],
    [texts, (t) => parseEnglishStock(t)],
    [german, (t) => analyzeReview({ body: t })],
    [texts, (t) => vader.SentimentIntensityAnalyzer.polarity_scores(t)],
    [books, (t) => analyzeReview({ body: t, language: "de" })],
  ]);
  const row = (what: string, c: Cost) =>
    `| ${what} | ${c.wall.toFixed(2)} | ${(1000 / c.wall).toFixed(0)} | ${c.cpu.toFixed(2)} | ${(1000 / c.cpu).toFixed(0)} |`;
  return [
    `| what (${texts.length} op-spam reviews, ${words.toFixed(0)} words on average; one thread; load average ${load0.toFixed(1)} to ${loadavg()[0]!.toFixed(1)}) | wall ms per review | reviews/s | CPU ms per review | reviews per CPU s |`,
    "|---|---|---|---|---|",
    row("analyzeReview, English", ours!),
    row("of which the English parse (compromise's tagger, our rule selection; src/parse-en.ts)", parse!),
    row("compromise's stock parse (nlp + root), what it replaced: the same tags", stock!),
    row("analyzeReview, German (~110 words, no compromise)", de!),
    row("VADER alone (baseline, polarity only)", v!),
    ...(books.length
      ? [row(`analyzeReview, German, ${books.length} Amazon.de book reviews (${bookWords.toFixed(0)} words on average)`, real!)]
      : []),
  ];
}

if (import.meta.url === `file://${process.argv[1]}`) console.log(costTable().join("\n"));
