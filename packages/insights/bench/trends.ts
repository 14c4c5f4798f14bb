/**
 * Emerging topics on real timelines (Amazon Fashion 5-core, the products with
 * at least 30 reviews):
 *  - false alarms: replay each untouched timeline, count negative topics per
 *    product-year (and positive ones, for information);
 *  - detection: inject a new defect topic (1-2 star reviews about a zipper
 *    that fails, varied phrasing, about a third in German) at 20-40% of the
 *    product's usual review rate for 60 days from a random day, analyse the
 *    injected texts like any review, and count a detection when a negative
 *    "zipper" topic is found within 30 days of the start.
 *
 *   npx tsx packages/insights/bench/trends.ts
 */
import { type AnalyzedReview, type EmergingOptions, analyzeReview, replayEmergingTopics } from "../src/index.js";
import { hasData, loadAmazonRows, seededRandom } from "./data.js";

const DAY = 86_400_000;

const EN_DEFECT = [
  "The zipper broke after {n} days.",
  "Zipper got stuck on the second day and then split apart. Returned it.",
  "Cute jacket but the zipper is junk, it came off the track the first week.",
  "Returned it because the zipper kept separating at the bottom.",
  "Very disappointed, the zipper broke the first time I wore it.",
  "Poor quality zipper, it won't stay closed.",
  "Love the color, hate the zipper. It broke right away.",
  "The zipper is flimsy and stuck constantly. Not worth the money.",
  "Do not buy: the zipper fell apart within {n} days.",
  "Fits fine, but the zipper broke and now I can't wear it.",
];
const DE_DEFECT = [
  "Der Reißverschluss ist nach {n} Tagen kaputt gegangen.",
  "Reißverschluss klemmt ständig und geht nicht mehr zu. Schade.",
  "Schöne Farbe, aber der Reißverschluss ist Schrott.",
  "Leider ist der Reissverschluss schon nach einer Woche gerissen.",
  "Der Reißverschluss hakt dauernd, sehr ärgerlich. Geht zurück.",
];

function defectReview(rand: () => number): { text: string; stars: number } {
  const german = rand() < 0.33;
  const pool = german ? DE_DEFECT : EN_DEFECT;
  const text = pool[Math.floor(rand() * pool.length)]!.replace("{n}", String(2 + Math.floor(rand() * 12)));
  return { text, stars: rand() < 0.5 ? 1 : 2 };
}

export interface TrendFigures {
  products: number;
  productYears: number;
  falseNegativeTopics: number;
  falsePositiveTopics: number;
  trials: number;
  detected: number;
  busyTrials: number;
  busyDetected: number;
  medianDaysToDetect: number;
  msPerReplay: number;
}

let cache: AnalyzedReview[] | null = null;
const injectedCache = new Map<string, AnalyzedReview["insight"]>();
function analyseInjected(text: string): AnalyzedReview["insight"] {
  let r = injectedCache.get(text);
  if (!r) injectedCache.set(text, (r = analyzeReview({ body: text })));
  return r;
}

export function trendFigures(options: Partial<EmergingOptions> = {}, trialsPerProduct = 10): TrendFigures {
  const rows = loadAmazonRows();
  const counts = new Map<string, number>();
  for (const r of rows) counts.set(r.asin, (counts.get(r.asin) ?? 0) + 1);
  const analysed: AnalyzedReview[] = (cache ??= rows
    .filter((r) => (counts.get(r.asin) ?? 0) >= 30)
    .map((r) => ({ reviewId: r.id, productId: r.asin, timeMs: r.timeMs, insight: analyzeReview({ body: r.text }) })));
  const byProduct = new Map<string, AnalyzedReview[]>();
  for (const r of analysed) (byProduct.get(r.productId) ?? byProduct.set(r.productId, []).get(r.productId)!).push(r);

  // Untouched timelines.
  let productYears = 0;
  for (const list of byProduct.values()) {
    const t = list.map((r) => r.timeMs);
    productYears += (Math.max(...t) - Math.min(...t)) / (365 * DAY);
  }
  const t0 = performance.now();
  const clean = replayEmergingTopics(analysed, options);
  const msPerReplay = performance.now() - t0;

  // Injected timelines.
  const rand = seededRandom(14);
  let trials = 0;
  let detected = 0;
  /** Trials on products with at least 5 reviews in a typical 30 days: where 3 topic mentions can arrive in time at all. */
  let busyTrials = 0;
  let busyDetected = 0;
  const delays: number[] = [];
  for (const [productId, list] of byProduct) {
    const times = list.map((r) => r.timeMs).sort((a, b) => a - b);
    const first = times[0]!;
    const last = times[times.length - 1]!;
    const ratePerDay = list.length / ((last - first) / DAY);
    const busy = ratePerDay * 30 >= 5;
    for (let trial = 0; trial < trialsPerProduct; trial++) {
      // Start after the first 20% of the timeline (the grace period) and leave 60 days.
      const start = Math.floor((first + 0.2 * (last - first) + rand() * (0.8 * (last - first) - 60 * DAY)) / DAY) * DAY;
      const share = 0.2 + 0.2 * rand();
      const injected: AnalyzedReview[] = [];
      // Poisson arrivals at share x the usual rate for 60 days.
      let t = start;
      for (;;) {
        t += (-Math.log(1 - rand()) / (share * ratePerDay)) * DAY;
        if (t >= start + 60 * DAY) break;
        const { text } = defectReview(rand);
        injected.push({
          reviewId: `inj-${trial}-${injected.length}`,
          productId,
          timeMs: Math.floor(t / DAY) * DAY,
          insight: analyseInjected(text),
        });
      }
      trials++;
      if (busy) busyTrials++;
      const found = replayEmergingTopics([...list, ...injected], options).find(
        (x) => x.key === "zipper" && x.direction === "negative" && x.detectedAtMs >= start && x.detectedAtMs <= start + 30 * DAY,
      );
      if (found) {
        detected++;
        if (busy) busyDetected++;
        delays.push((found.detectedAtMs - start) / DAY);
      }
    }
  }
  delays.sort((a, b) => a - b);
  return {
    products: byProduct.size,
    productYears,
    falseNegativeTopics: clean.filter((x) => x.direction === "negative").length,
    falsePositiveTopics: clean.filter((x) => x.direction === "positive").length,
    trials,
    detected,
    busyTrials,
    busyDetected,
    medianDaysToDetect: delays.length ? delays[Math.floor(delays.length / 2)]! : Number.NaN,
    msPerReplay,
  };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  if (!hasData()) throw new Error("the research data (../shared/data) is not there");
  // Optional: thresholds to compare, e.g. `bench/trends.ts 2.5 3 4`; the default otherwise.
  const thresholds = process.argv.slice(2).map(Number);
  for (const threshold of thresholds.length ? thresholds : [undefined]) {
    const f = trendFigures(
      threshold === undefined ? {} : { threshold, ...(process.env.MIN_MENTIONS ? { minMentions: Number(process.env.MIN_MENTIONS) } : {}) },
    );
    console.log(
      `threshold ${threshold ?? "default"}: ${f.products} products, ${f.productYears.toFixed(1)} product-years; ` +
        `negative false alarms ${f.falseNegativeTopics} (${(f.falseNegativeTopics / f.productYears).toFixed(3)} per product-year), positive ${f.falsePositiveTopics}; ` +
        `injected zipper topic found within 30 days ${f.detected}/${f.trials} = ${(f.detected / f.trials).toFixed(2)}, median ${f.medianDaysToDetect} days; ` +
        `on products with >= 5 reviews a month ${f.busyDetected}/${f.busyTrials} = ${(f.busyDetected / f.busyTrials).toFixed(2)}; replay ${f.msPerReplay.toFixed(0)} ms`,
    );
  }
}
