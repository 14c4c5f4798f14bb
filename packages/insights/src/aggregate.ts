/**
 * What many reviews say, over a period: the aspects mentioned most with their
 * positive and negative shares, whether they are talked about more or less
 * than before, and example quotes. Pure functions over per-review results;
 * the caller passes published reviews only (moderation and erasure are the
 * API's: a review it leaves out is simply not counted).
 */
import { requireInput } from "./errors.js";
import type { AspectMention, ReviewInsight } from "./analyze.js";

/** A review's analysis with what aggregation needs to know about the review. */
export interface AnalyzedReview {
  reviewId: string;
  productId: string;
  /** Milliseconds since the epoch: when the review was written. */
  timeMs: number;
  insight: ReviewInsight;
}

export interface Period {
  /** Inclusive. */
  fromMs: number;
  /** Exclusive. */
  toMs: number;
}

export interface Quote {
  reviewId: string;
  productId: string;
  quote: string;
  polarity: number;
  field: AspectMention["field"];
  start: number;
  end: number;
}

export type Direction = "rising" | "falling" | "steady";

export interface AspectSummary {
  key: string;
  /** The spelling used most ("customer service", "akku"). */
  term: string;
  /** Reviews in the period that mention it (a review counts once per aspect). */
  mentions: number;
  positive: number;
  negative: number;
  /** positive / mentions and negative / mentions; the rest is neutral. */
  positiveShare: number;
  negativeShare: number;
  /** Share of the period's reviews mentioning it, second half against first half, beyond chance (two-proportion z-test). */
  direction: Direction;
  /** Up to `quotes` examples, the clearest first, from the side most mentions take. */
  examples: Quote[];
}

export interface SummaryOptions {
  /** Aspects returned, most mentioned first. */
  limit: number;
  /** Example quotes per aspect. */
  quotes: number;
  /** An aspect needs this many mentioning reviews to be listed. */
  minMentions: number;
  /** |polarity| above this counts as positive or negative (VADER's convention is 0.05). */
  polarityThreshold: number;
  /** |z| above this makes a direction (1.96: 5% two-sided). */
  directionZ: number;
}

export const DEFAULT_SUMMARY_OPTIONS: SummaryOptions = { limit: 10, quotes: 3, minMentions: 2, polarityThreshold: 0.05, directionZ: 1.96 };

export interface InsightSummary {
  period: Period;
  reviews: number;
  /** Mean review polarity over the period; 0 with no reviews. */
  polarity: number;
  aspects: AspectSummary[];
}

export function signOf(polarity: number, threshold: number): 1 | -1 | 0 {
  return polarity > threshold ? 1 : polarity < -threshold ? -1 : 0;
}

/** The mentions of one review grouped by aspect key: its net polarity per aspect and its clearest quote. */
export function mentionsByKey(insight: ReviewInsight): Map<string, { term: string; polarity: number; best: AspectMention }> {
  const out = new Map<string, { term: string; polarity: number; best: AspectMention }>();
  for (const a of insight.aspects) {
    const cur = out.get(a.key);
    if (!cur) out.set(a.key, { term: a.term, polarity: a.polarity, best: a });
    else {
      cur.polarity = Math.max(-1, Math.min(1, cur.polarity + a.polarity));
      if (Math.abs(a.polarity) > Math.abs(cur.best.polarity)) cur.best = a;
    }
  }
  return out;
}

function checkPeriod(fn: string, period: Period): void {
  requireInput(
    Number.isFinite(period?.fromMs) && Number.isFinite(period?.toMs) && period.fromMs < period.toMs,
    fn,
    "a period with finite fromMs < toMs",
    JSON.stringify(period),
  );
}

/**
 * Summarises reviews (of one product, or of a whole shop) over a period.
 * Reviews outside the period are ignored, so the caller may pass a superset.
 *
 * @throws {InsightsInputError} for an empty or non-finite period or bad options
 */
export function summarizeInsights(
  reviews: readonly AnalyzedReview[],
  period: Period,
  options: Partial<SummaryOptions> = {},
): InsightSummary {
  checkPeriod("summarizeInsights", period);
  const o = { ...DEFAULT_SUMMARY_OPTIONS, ...options };
  requireInput(
    Number.isInteger(o.limit) && o.limit >= 0 && Number.isInteger(o.quotes) && o.quotes >= 0,
    "summarizeInsights",
    "integer limit and quotes >= 0",
    `${o.limit}/${o.quotes}`,
  );
  const mid = period.fromMs + (period.toMs - period.fromMs) / 2;
  const inPeriod = reviews.filter((r) => r.timeMs >= period.fromMs && r.timeMs < period.toMs);
  // Deterministic regardless of input order.
  inPeriod.sort((a, b) => a.timeMs - b.timeMs || (a.reviewId < b.reviewId ? -1 : a.reviewId > b.reviewId ? 1 : 0));
  let firstHalf = 0;
  let polaritySum = 0;
  interface Acc {
    key: string;
    terms: Map<string, number>;
    mentions: number;
    positive: number;
    negative: number;
    early: number;
    quotes: Quote[];
  }
  const acc = new Map<string, Acc>();
  for (const r of inPeriod) {
    const early = r.timeMs < mid;
    if (early) firstHalf++;
    polaritySum += r.insight.polarity;
    for (const [key, m] of mentionsByKey(r.insight)) {
      let a = acc.get(key);
      if (!a) acc.set(key, (a = { key, terms: new Map(), mentions: 0, positive: 0, negative: 0, early: 0, quotes: [] }));
      a.terms.set(m.term, (a.terms.get(m.term) ?? 0) + 1);
      a.mentions++;
      if (early) a.early++;
      const s = signOf(m.polarity, o.polarityThreshold);
      if (s > 0) a.positive++;
      else if (s < 0) a.negative++;
      a.quotes.push({
        reviewId: r.reviewId,
        productId: r.productId,
        quote: m.best.quote,
        polarity: m.polarity,
        field: m.best.field,
        start: m.best.start,
        end: m.best.end,
      });
    }
  }
  const secondHalf = inPeriod.length - firstHalf;
  const aspects: AspectSummary[] = [];
  for (const a of acc.values()) {
    if (a.mentions < o.minMentions) continue;
    const term = [...a.terms].sort((x, y) => y[1] - x[1] || (x[0] < y[0] ? -1 : 1))[0]![0];
    const side = a.negative > a.positive ? -1 : 1;
    const examples = a.quotes
      .filter((q) => signOf(q.polarity, o.polarityThreshold) === side)
      .sort((x, y) => side * (y.polarity - x.polarity) || (x.reviewId < y.reviewId ? -1 : 1))
      .slice(0, o.quotes);
    aspects.push({
      key: a.key,
      term,
      mentions: a.mentions,
      positive: a.positive,
      negative: a.negative,
      positiveShare: a.positive / a.mentions,
      negativeShare: a.negative / a.mentions,
      direction: directionOf(a.early, firstHalf, a.mentions - a.early, secondHalf, o.directionZ),
      examples,
    });
  }
  aspects.sort((x, y) => y.mentions - x.mentions || (x.key < y.key ? -1 : 1));
  return {
    period,
    reviews: inPeriod.length,
    polarity: inPeriod.length ? polaritySum / inPeriod.length : 0,
    aspects: aspects.slice(0, o.limit),
  };
}

/**
 * Rising when the share of reviews mentioning an aspect is higher in the
 * second half than in the first beyond chance (pooled two-proportion z-test),
 * falling when lower; steady otherwise or with an empty half.
 */
export function directionOf(k1: number, n1: number, k2: number, n2: number, z: number): Direction {
  if (n1 === 0 || n2 === 0) return "steady";
  const p = (k1 + k2) / (n1 + n2);
  const se = Math.sqrt(p * (1 - p) * (1 / n1 + 1 / n2));
  if (se === 0) return "steady";
  const score = (k2 / n2 - k1 / n1) / se;
  return score > z ? "rising" : score < -z ? "falling" : "steady";
}
