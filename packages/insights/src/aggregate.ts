/**
 * What many reviews say, over a period: the aspects mentioned most with their
 * positive and negative shares, whether they are talked about more or less
 * than before, and example quotes. Pure functions over per-review results;
 * the caller passes published reviews only (moderation and erasure are the
 * API's: a review it leaves out is simply not counted).
 */
import { requireInput } from "./errors.js";
import { describesFailure } from "./lexicon/failure.js";
import type { AspectMention, ReviewInsight } from "./analyze.js";

/** A review's analysis with what aggregation needs to know about the review. */
export interface AnalyzedReview {
  reviewId: string;
  productId: string;
  /** Milliseconds since the epoch: when the review was written. */
  timeMs: number;
  insight: ReviewInsight;
  /** Stars, 1 to 5, when known: a failure complaint (ReviewMention.failure) needs 1 or 2. */
  rating?: number | null;
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

/** One review's mentions of one aspect, as every aggregate counts them. */
export interface ReviewMention {
  key: string;
  term: string;
  /** Net polarity over the review's mentions of the aspect (clamped to [-1, 1]). */
  polarity: number;
  /** signOf(polarity): positive, negative or neutral. */
  sign: 1 | -1 | 0;
  /**
   * The stream it counts towards in emerging topics: its sign, or 0 when the
   * review as a whole takes the other side; -1 for a neutral failure
   * complaint (see failure). A complaint inside a glowing
   * review ("I have wide feet with falling arches", 5 stars) is a nitpick,
   * not a sign of a defect; a defect shows in reviews that are negative (or
   * neutral) overall.
   */
  trendSign: 1 | -1 | 0;
  /**
   * A complaint that says the aspect failed: counted negative (trendSign),
   * in a review of 1 or 2 stars, with a failure word (lexicon/failure.ts)
   * in one of its quotes. One such complaint about an aspect the product's
   * reviews never mentioned may open an emerging topic by itself.
   */
  failure: boolean;
  /** The clearest of its quotes. */
  quote: Quote;
}

/** A review's mentions grouped by aspect key (a review counts once per aspect), in the order first mentioned. */
export function reviewMentions(r: AnalyzedReview, polarityThreshold: number): ReviewMention[] {
  const byKey = new Map<string, { term: string; polarity: number; best: AspectMention; failure: boolean }>();
  const lowRated = r.rating != null && r.rating <= 2;
  for (const a of r.insight.aspects) {
    const cur = byKey.get(a.key);
    const failure = lowRated && describesFailure(a.quote);
    if (!cur) byKey.set(a.key, { term: a.term, polarity: a.polarity, best: a, failure });
    else {
      cur.failure ||= failure;
      cur.polarity = Math.max(-1, Math.min(1, cur.polarity + a.polarity));
      if (Math.abs(a.polarity) > Math.abs(cur.best.polarity)) cur.best = a;
    }
  }
  // A review of 1 or 2 stars is never glowing, whatever its words add up to: its stars are the
  // reviewer's own verdict, and a praising title ("Schöne Jacke", which German weighs as the
  // verdict) over a broken zipper must not turn the complaint into a nitpick.
  const textOverall = signOf(r.insight.polarity, polarityThreshold);
  const overall = lowRated && textOverall === 1 ? 0 : textOverall;
  const out: ReviewMention[] = [];
  for (const [key, m] of byKey) {
    const sign = signOf(m.polarity, polarityThreshold);
    // A failure told flatly ("the buckle fell off after two days") in a 1- or 2-star review is a complaint all the same.
    const trendSign = m.failure && sign === 0 && overall !== 1 ? -1 : overall === -sign ? 0 : sign;
    out.push({
      key,
      term: m.term,
      polarity: m.polarity,
      sign,
      trendSign,
      failure: m.failure && trendSign < 0,
      quote: {
        reviewId: r.reviewId,
        productId: r.productId,
        quote: m.best.quote,
        polarity: m.polarity,
        field: m.best.field,
        start: m.best.start,
        end: m.best.end,
      },
    });
  }
  return out;
}

/**
 * Tells copies apart: a mention of a stream whose quote repeats, verbatim, one
 * already counted for the same stream on the same UTC day of the same
 * product. A copy is not new evidence: review data repeats a review on one
 * day (Amazon lists the same review once per variant of a product: 114 of
 * the 3 176 Amazon Fashion reviews; every negative topic the untouched
 * timelines raised was two copies of one review), and it is counted once
 * towards emerging topics. Returns true for a copy.
 */
export function copyFilter(): (productId: string, timeMs: number, stream: string, quote: string) => boolean {
  const seen = new Set<string>();
  return (productId, timeMs, stream, quote) => {
    const id = `${productId}\u0000${Math.floor(timeMs / 86_400_000)}\u0000${stream}\u0000${quote}`;
    if (seen.has(id)) return true;
    seen.add(id);
    return false;
  };
}

/** The spelling used most (ties: the first in alphabetical order). */
export function topTerm(terms: ReadonlyMap<string, number>): string {
  return [...terms].sort((x, y) => y[1] - x[1] || (x[0] < y[0] ? -1 : 1))[0]![0];
}

/** Clearest first for the given side (ties by review id): the order example quotes are shown in. */
export function byClarity(sign: number) {
  return (a: Quote, b: Quote) => sign * (b.polarity - a.polarity) || (a.reviewId < b.reviewId ? -1 : a.reviewId > b.reviewId ? 1 : 0);
}

/** An aspect's counts over a period while they are summed up, from reviews or from day buckets. */
export interface AspectTally {
  terms: Map<string, number>;
  mentions: number;
  positive: number;
  negative: number;
  /** Mentions in the period's first half. */
  early: number;
  quotes: Quote[];
}

/** The tally of `key` in `acc`, new if absent. */
export function tallyOf(acc: Map<string, AspectTally>, key: string): AspectTally {
  let a = acc.get(key);
  if (!a) acc.set(key, (a = { terms: new Map(), mentions: 0, positive: 0, negative: 0, early: 0, quotes: [] }));
  return a;
}

function checkPeriod(fn: string, period: Period): void {
  requireInput(
    Number.isFinite(period?.fromMs) && Number.isFinite(period?.toMs) && period.fromMs < period.toMs,
    fn,
    "a period with finite fromMs < toMs",
    JSON.stringify(period),
  );
}

/** The options of a summary, checked: summarizeInsights' and summarizeDayCounts'. */
export function summaryOptions(fn: string, period: Period, options: Partial<SummaryOptions>): SummaryOptions {
  checkPeriod(fn, period);
  const o = { ...DEFAULT_SUMMARY_OPTIONS, ...options };
  requireInput(
    Number.isInteger(o.limit) && o.limit >= 0 && Number.isInteger(o.quotes) && o.quotes >= 0,
    fn,
    "integer limit and quotes >= 0",
    `${o.limit}/${o.quotes}`,
  );
  return o;
}

/** The summary of a period from its tallies: aspects by mentions, with shares, direction and examples. */
export function summaryOf(
  period: Period,
  counts: { reviews: number; firstHalf: number; polaritySum: number },
  acc: ReadonlyMap<string, AspectTally>,
  o: SummaryOptions,
): InsightSummary {
  const aspects: AspectSummary[] = [];
  for (const [key, a] of acc) {
    if (a.mentions < o.minMentions) continue;
    const side = a.negative > a.positive ? -1 : 1;
    aspects.push({
      key,
      term: topTerm(a.terms),
      mentions: a.mentions,
      positive: a.positive,
      negative: a.negative,
      positiveShare: a.positive / a.mentions,
      negativeShare: a.negative / a.mentions,
      direction: directionOf(a.early, counts.firstHalf, a.mentions - a.early, counts.reviews - counts.firstHalf, o.directionZ),
      examples: a.quotes
        .filter((q) => signOf(q.polarity, o.polarityThreshold) === side)
        .sort(byClarity(side))
        .slice(0, o.quotes),
    });
  }
  aspects.sort((x, y) => y.mentions - x.mentions || (x.key < y.key ? -1 : 1));
  return {
    period,
    reviews: counts.reviews,
    polarity: counts.reviews ? counts.polaritySum / counts.reviews : 0,
    aspects: aspects.slice(0, o.limit),
  };
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
  const o = summaryOptions("summarizeInsights", period, options);
  const mid = period.fromMs + (period.toMs - period.fromMs) / 2;
  const inPeriod = reviews.filter((r) => r.timeMs >= period.fromMs && r.timeMs < period.toMs);
  // Deterministic regardless of input order.
  inPeriod.sort((a, b) => a.timeMs - b.timeMs || (a.reviewId < b.reviewId ? -1 : a.reviewId > b.reviewId ? 1 : 0));
  let firstHalf = 0;
  let polaritySum = 0;
  const acc = new Map<string, AspectTally>();
  for (const r of inPeriod) {
    const early = r.timeMs < mid;
    if (early) firstHalf++;
    polaritySum += r.insight.polarity;
    for (const m of reviewMentions(r, o.polarityThreshold)) {
      const a = tallyOf(acc, m.key);
      a.terms.set(m.term, (a.terms.get(m.term) ?? 0) + 1);
      a.mentions++;
      if (early) a.early++;
      if (m.sign > 0) a.positive++;
      else if (m.sign < 0) a.negative++;
      a.quotes.push(m.quote);
    }
  }
  return summaryOf(period, { reviews: inPeriod.length, firstHalf, polaritySum }, acc, o);
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
