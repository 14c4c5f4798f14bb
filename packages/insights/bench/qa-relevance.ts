/**
 * Precision of "reviews that likely answer this question" (product Q&A) on
 * our labelled set (qa-labelled.ts: 4 products, en and de, 35 questions):
 *
 *   sh scripts/pnpm.sh --filter @starling/insights run bench:qa
 *   (or: npx tsx packages/insights/bench/qa-relevance.ts)
 *
 * P@3 = relevant among the (up to) three suggestions, divided by 3, averaged
 * over questions; a question with no suggestion scores 0 (and a question with
 * no answer in the reviews scores 1 only when nothing is suggested).
 * "Shown precision" divides by what was shown instead of by 3: with one or
 * two relevant reviews per question, P@3 cannot reach 1, and the shown
 * precision is what a shopper sees. Beside BM25 with stemming: the same
 * BM25 on lower-cased words without stemming, stop words or compounds.
 */
import { Bm25Index, MIN_RELATED_SCORE, searchTerms, type SearchHit } from "../src/index.js";
import { LABELLED } from "./qa-labelled.js";

const plainWords = (text: string) => text.toLowerCase().match(/[\p{L}\p{N}]+/gu) ?? [];

interface Figures {
  p3: number;
  shown: number;
  hit1: number;
  emptyRight: number;
  questions: number;
}

export function qaFigures(variant: "bm25-stemmed" | "bm25-plain", language?: "en" | "de", minScore = MIN_RELATED_SCORE): Figures {
  let p3 = 0;
  let shownSum = 0;
  let shownN = 0;
  let hit1 = 0;
  let answerable = 0;
  let emptyRight = 0;
  let unanswerable = 0;
  let questions = 0;
  for (const product of LABELLED) {
    if (language && product.language !== language) continue;
    const index = new Bm25Index(
      product.reviews.map((r) => ({ id: r.id, text: r.text, language: product.language })),
      variant === "bm25-stemmed" ? searchTerms : plainWords,
    );
    for (const q of product.questions) {
      questions++;
      const hits: SearchHit[] = index.search(q.text, 3).filter((h) => h.score >= minScore);
      const relevant = new Set(q.relevant);
      const good = hits.filter((h) => relevant.has(h.id)).length;
      if (relevant.size === 0) {
        unanswerable++;
        if (hits.length === 0) emptyRight++;
        p3 += hits.length === 0 ? 1 : 0;
        continue;
      }
      answerable++;
      p3 += good / 3;
      if (hits.length) {
        shownSum += good / hits.length;
        shownN++;
      }
      if (hits[0] && relevant.has(hits[0].id)) hit1++;
    }
  }
  return {
    p3: p3 / questions,
    shown: shownN ? shownSum / shownN : 0,
    hit1: hit1 / answerable,
    emptyRight: unanswerable ? emptyRight / unanswerable : 0,
    questions,
  };
}

export function qaTable(): string[] {
  const rows = [
    "| variant | language | questions | P@3 | shown precision | top-1 relevant | no-answer questions left empty |",
    "|---|---|---|---|---|---|---|",
  ];
  for (const variant of ["bm25-stemmed", "bm25-plain"] as const) {
    for (const lang of [undefined, "en", "de"] as const) {
      const f = qaFigures(variant, lang);
      rows.push(
        `| ${variant} | ${lang ?? "all"} | ${f.questions} | ${f.p3.toFixed(3)} | ${f.shown.toFixed(3)} | ${f.hit1.toFixed(3)} | ${f.emptyRight.toFixed(2)} |`,
      );
    }
  }
  const zero = qaFigures("bm25-stemmed", undefined, 0);
  const all = LABELLED.flatMap((p) => p.questions);
  const ceiling = all.reduce((sum, q) => sum + (q.relevant.length ? Math.min(3, q.relevant.length) / 3 : 1), 0) / all.length;
  rows.push(`| (the most P@3 can be: all relevant shown) | all | ${all.length} | ${ceiling.toFixed(3)} | 1.000 | 1.000 | 1.00 |`);
  rows.push(
    `| bm25-stemmed, no score floor | all | ${zero.questions} | ${zero.p3.toFixed(3)} | ${zero.shown.toFixed(3)} | ${zero.hit1.toFixed(3)} | ${zero.emptyRight.toFixed(2)} |`,
  );
  return rows;
}

if (import.meta.url === `file://${process.argv[1]}`) console.log(qaTable().join("\n"));
