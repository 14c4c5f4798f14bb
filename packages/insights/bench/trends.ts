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
 * Splits, so that what is tuned is not what is reported as held out:
 *  - tuning: trials from seeds 1-3, false alarms raised in the first half of
 *    each product's timeline;
 *  - held-out: seeds 4-6, false alarms in the second half;
 *  - legacy: seed 14 over whole timelines (the figure the README reported
 *    first, on which the earlier defaults were chosen).
 * (A split by product would not hold anything out: 8 of the 10 products are
 * variants of one shoe family that share most of their reviews.)
 *
 * "Reachable" trials are those with at least two defect reviews in the first
 * 30 days: one complaint is indistinguishable from the one-off complaints
 * every product gets, so no detector that holds false alarms down finds the
 * others, and that count is the ceiling of any detector here.
 *
 *   npx tsx packages/insights/bench/trends.ts [--split tuning|held-out|legacy] [--rate whole|local] [--phrasing injector|fresh] [option=v1,v2 ...]
 *   e.g. npx tsx packages/insights/bench/trends.ts --split tuning threshold=4,4.5,5 minMentions=2
 */
import { type AnalyzedReview, type EmergingOptions, type EmergingTopic, analyzeReview, replayEmergingTopics } from "../src/index.js";
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

/**
 * A second set of defect reviews, written after the failure lexicon
 * (src/lexicon/failure.ts) as plain complaints, not to match it (about half
 * of them use one of its words): recall on these says whether the detector
 * depends on the phrasing of the set above.
 */
const EN_FRESH = [
  "Two weeks in and the zipper pull snapped clean off.",
  "The zip split open at the seam while I was walking the dog.",
  "Zipper teeth are already missing in two spots. Cheap hardware.",
  "Worn three times and the zipper is busted. Sending it back.",
  "The zipper won't zip anymore, the slider just spins.",
  "Zipper tore away from the fabric on the first wash.",
  "Had to cut myself out because the zipper jammed halfway.",
  "The zipper came apart at the bottom after {n} days.",
  "Cheap zipper. It stopped working after {n} days.",
  "Zipper is defective, the two sides no longer meet.",
];
const DE_FRESH = [
  "Der Reißverschluss ist nach {n} Tagen aufgegangen und lässt sich nicht mehr schließen.",
  "Reißverschluss nach dem ersten Waschen defekt.",
  "Beim zweiten Tragen ist der Reißverschluss ausgerissen.",
  "Der Reißverschluss verhakt sich ständig, total nervig.",
  "Qualität mangelhaft: der Reißverschluss hat sich vom Stoff gelöst.",
];

export type Phrasing = "injector" | "fresh";

function defectReview(rand: () => number, phrasing: Phrasing): { text: string; stars: number } {
  const german = rand() < 0.33;
  const pool = phrasing === "fresh" ? (german ? DE_FRESH : EN_FRESH) : german ? DE_DEFECT : EN_DEFECT;
  const text = pool[Math.floor(rand() * pool.length)]!.replace("{n}", String(2 + Math.floor(rand() * 12)));
  return { text, stars: rand() < 0.5 ? 1 : 2 };
}

export type TrendSplit = "tuning" | "held-out" | "legacy";

export const SPLITS: Record<TrendSplit, { seeds: number[]; half: "first" | "second" | "all" }> = {
  tuning: { seeds: [1, 2, 3], half: "first" },
  "held-out": { seeds: [4, 5, 6], half: "second" },
  legacy: { seeds: [14], half: "all" },
};

export interface TrendFigures {
  split: TrendSplit;
  products: number;
  /** Product-years the false alarms are counted over (the split's half of each timeline). */
  productYears: number;
  falseNegativeTopics: number;
  falsePositiveTopics: number;
  trials: number;
  detected: number;
  busyTrials: number;
  busyDetected: number;
  /** Trials with at least one defect review within 30 days of the start (all a detector can see), and how many were found. */
  observableTrials: number;
  observableDetected: number;
  /** Trials with at least two defect reviews within 30 days of the start, and how many of them were found. */
  reachableTrials: number;
  reachableDetected: number;
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

function timelines(): Map<string, AnalyzedReview[]> {
  const rows = loadAmazonRows();
  const counts = new Map<string, number>();
  for (const r of rows) counts.set(r.asin, (counts.get(r.asin) ?? 0) + 1);
  const analysed = (cache ??= rows
    .filter((r) => (counts.get(r.asin) ?? 0) >= 30)
    .map((r) => ({ reviewId: r.id, productId: r.asin, timeMs: r.timeMs, rating: r.stars, insight: analyzeReview({ body: r.text }) })));
  const byProduct = new Map<string, AnalyzedReview[]>();
  for (const r of analysed) (byProduct.get(r.productId) ?? byProduct.set(r.productId, []).get(r.productId)!).push(r);
  return byProduct;
}

/**
 * The product's usual rate the injection is a share of: over its whole
 * timeline (the reading, and the default), or over the 180 days
 * around the start (how busy the product is when the defect appears).
 */
export type UsualRate = "whole" | "local";

export function trendFigures(
  options: Partial<EmergingOptions> = {},
  split: TrendSplit = "legacy",
  trialsPerProduct = 10,
  { rate = "whole", phrasing = "injector" }: { rate?: UsualRate; phrasing?: Phrasing } = {},
): TrendFigures {
  const byProduct = timelines();
  const { seeds, half } = SPLITS[split];

  // Untouched timelines: the topics raised in the split's half of each one.
  let productYears = 0;
  const spans = new Map<string, { first: number; last: number; mid: number }>();
  for (const [productId, list] of byProduct) {
    const t = list.map((r) => r.timeMs);
    const first = Math.min(...t);
    const last = Math.max(...t);
    spans.set(productId, { first, last, mid: first + (last - first) / 2 });
    productYears += ((half === "all" ? 1 : 0.5) * (last - first)) / (365 * DAY);
  }
  const t0 = performance.now();
  const clean = replayEmergingTopics([...byProduct.values()].flat(), options).filter((x: EmergingTopic) => {
    const s = spans.get(x.productId)!;
    return half === "all" || (half === "first" ? x.detectedAtMs < s.mid : x.detectedAtMs >= s.mid);
  });
  const msPerReplay = performance.now() - t0;

  // Injected timelines.
  let trials = 0;
  let detected = 0;
  let busyTrials = 0;
  let busyDetected = 0;
  let reachableTrials = 0;
  let reachableDetected = 0;
  let observableTrials = 0;
  let observableDetected = 0;
  const delays: number[] = [];
  for (const seed of seeds) {
    const rand = seededRandom(seed);
    for (const [productId, list] of byProduct) {
      const { first, last } = spans.get(productId)!;
      const wholeRate = list.length / ((last - first) / DAY);
      /** At least 5 reviews in a typical 30 days: where several topic mentions can arrive in time at all. */
      const busy = wholeRate * 30 >= 5;
      for (let trial = 0; trial < trialsPerProduct; trial++) {
        // Start after the first 20% of the timeline (the grace period) and leave 60 days.
        const start = Math.floor((first + 0.2 * (last - first) + rand() * (0.8 * (last - first) - 60 * DAY)) / DAY) * DAY;
        const share = 0.2 + 0.2 * rand();
        const ratePerDay =
          rate === "whole" ? wholeRate : list.filter((r) => r.timeMs >= start - 90 * DAY && r.timeMs < start + 90 * DAY).length / 180;
        const injected: AnalyzedReview[] = [];
        // Poisson arrivals at share x the usual rate for 60 days.
        let t = start;
        for (; ratePerDay > 0; ) {
          t += (-Math.log(1 - rand()) / (share * ratePerDay)) * DAY;
          if (t >= start + 60 * DAY) break;
          const { text, stars } = defectReview(rand, phrasing);
          injected.push({
            reviewId: `inj-${seed}-${trial}-${injected.length}`,
            productId,
            timeMs: Math.floor(t / DAY) * DAY,
            rating: stars,
            insight: analyseInjected(text),
          });
        }
        const early = injected.filter((r) => r.timeMs <= start + 30 * DAY).length;
        const reachable = early >= 2;
        trials++;
        if (early >= 1) observableTrials++;
        if (busy) busyTrials++;
        if (reachable) reachableTrials++;
        const found = replayEmergingTopics([...list, ...injected], options).find(
          (x) => x.key === "zipper" && x.direction === "negative" && x.detectedAtMs >= start && x.detectedAtMs <= start + 30 * DAY,
        );
        if (found) {
          detected++;
          if (busy) busyDetected++;
          if (reachable) reachableDetected++;
          if (early >= 1) observableDetected++;
          delays.push((found.detectedAtMs - start) / DAY);
        }
      }
    }
  }
  delays.sort((a, b) => a - b);
  return {
    split,
    products: byProduct.size,
    productYears,
    falseNegativeTopics: clean.filter((x) => x.direction === "negative").length,
    falsePositiveTopics: clean.filter((x) => x.direction === "positive").length,
    trials,
    detected,
    busyTrials,
    busyDetected,
    reachableTrials,
    reachableDetected,
    observableTrials,
    observableDetected,
    medianDaysToDetect: delays.length ? delays[Math.floor(delays.length / 2)]! : Number.NaN,
    msPerReplay,
  };
}

const ratio = (a: number, b: number) => `${a}/${b} = ${(a / b).toFixed(2)}`;

/** One line of figures, as the README quotes them. */
export function describeTrendFigures(f: TrendFigures): string {
  return (
    `${f.split}: ${f.products} products, ${f.productYears.toFixed(1)} product-years; negative false alarms ${f.falseNegativeTopics} ` +
    `(${(f.falseNegativeTopics / f.productYears).toFixed(3)} per product-year), positive ${f.falsePositiveTopics} (${(f.falsePositiveTopics / f.productYears).toFixed(3)}); ` +
    `injected zipper topic found within 30 days ${ratio(f.detected, f.trials)}, median ${f.medianDaysToDetect} days; ` +
    `on products with >= 5 reviews a month ${ratio(f.busyDetected, f.busyTrials)}; ` +
    `of the trials with >= 1 defect review in 30 days ${ratio(f.observableDetected, f.observableTrials)}, ` +
    `with >= 2 ${ratio(f.reachableDetected, f.reachableTrials)}`
  );
}

if (import.meta.url === `file://${process.argv[1]}`) {
  if (!hasData()) throw new Error("the research data (../shared/data) is not there");
  const args = process.argv.slice(2);
  const at = args.indexOf("--split");
  const splits: TrendSplit[] = at >= 0 ? [args.splice(at, 2)[1] as TrendSplit] : ["tuning", "held-out", "legacy"];
  for (const s of splits) if (!(s in SPLITS)) throw new Error(`--split takes tuning, held-out or legacy, got ${s}`);
  const flag = (name: string, values: string[]) => {
    const i = args.indexOf(name);
    const v = i >= 0 ? args.splice(i, 2)[1] : values[0];
    if (!v || !values.includes(v)) throw new Error(`${name} takes ${values.join(" or ")}, got ${v}`);
    return v;
  };
  const rate = flag("--rate", ["whole", "local"]) as UsualRate;
  const phrasing = flag("--phrasing", ["injector", "fresh"]) as Phrasing;
  // Options to compare, e.g. threshold=4,4.5 minMentions=2: every combination, the defaults otherwise.
  let grid: Partial<EmergingOptions>[] = [{}];
  for (const a of args) {
    const [name, values] = a.split("=");
    if (!name || !values) throw new Error(`expected option=v1,v2, got ${a}`);
    grid = grid.flatMap((o) => values.split(",").map((v) => ({ ...o, [name]: Number(v) })));
  }
  for (const o of grid) {
    for (const split of splits) {
      console.log(
        `${JSON.stringify(o)} rate=${rate} phrasing=${phrasing} ${describeTrendFigures(trendFigures(o, split, 10, { rate, phrasing }))}`,
      );
    }
  }
}
