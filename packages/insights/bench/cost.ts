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
import { hasData, loadOpSpam } from "./data.js";

function best(texts: string[], f: (t: string) => unknown): number {
  let min = Number.POSITIVE_INFINITY;
  for (let pass = 0; pass < 3; pass++) {
    const t0 = performance.now();
    for (const t of texts) f(t);
    min = Math.min(min, (performance.now() - t0) / texts.length);
  }
  return min;
}

export function costTable(): string[] {
  if (!hasData()) return [];
  const texts = loadOpSpam()
    .map((r) => r.text)
    .slice(0, 400);
  const words = texts.reduce((a, t) => a + t.split(/\s+/).length, 0) / texts.length;
  for (const t of texts.slice(0, 50)) analyzeReview({ body: t }); // warm up
  const ours = best(texts, (t) => analyzeReview({ body: t }));
  const load0 = loadavg()[0]!;
  const parse = best(texts, (t) => parseEnglish(t));
  const stock = best(texts, (t) => parseEnglishStock(t));
  const german = best(
    texts.map(() =>
      "Der Reißverschluss ist nach zwei Wochen kaputt gegangen, aber die Passform ist super und der Stoff angenehm weich. ".repeat(6),
    ),
    (t) => analyzeReview({ body: t }),
  );
  const v = best(texts, (t) => vader.SentimentIntensityAnalyzer.polarity_scores(t));
  return [
    `| what (${texts.length} op-spam reviews, ${words.toFixed(0)} words on average; one core; load average ${load0.toFixed(1)} to ${loadavg()[0]!.toFixed(1)}) | ms per review | reviews/s |`,
    "|---|---|---|",
    `| analyzeReview, English | ${ours.toFixed(2)} | ${(1000 / ours).toFixed(0)} |`,
    `| of which the English parse (compromise's tagger, our rule selection; src/parse-en.ts) | ${parse.toFixed(2)} | ${(1000 / parse).toFixed(0)} |`,
    `| compromise's stock parse (nlp + root), what it replaced: same tags | ${stock.toFixed(2)} | ${(1000 / stock).toFixed(0)} |`,
    `| analyzeReview, German (~110 words, no compromise) | ${german.toFixed(2)} | ${(1000 / german).toFixed(0)} |`,
    `| VADER alone (baseline, polarity only) | ${v.toFixed(2)} | ${(1000 / v).toFixed(0)} |`,
  ];
}

if (import.meta.url === `file://${process.argv[1]}`) console.log(costTable().join("\n"));
