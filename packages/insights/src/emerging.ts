/**
 * Emerging topics: an aspect whose negative (or positive) mentions rise above
 * the product's own baseline beyond chance.
 *
 * The same idea as the burst detector in @starling/scoring (fraud/burst.ts),
 * applied per (product, aspect, polarity) stream, with its Poisson tail
 * surprise: for the window ending at a mention, scanned over every start at
 * an earlier mention within `windowDays` (the scan finds the day the rise
 * began), k observed mentions are set against the expected number,
 *
 *   expected = baseline share x reviews the product received in that span,
 *
 * so a product that simply sells more is not an emerging topic. The baseline
 * share comes from the product's reviews before the window (the window is
 * never part of its own baseline), shrunk towards a small prior share so an
 * aspect never mentioned before has a finite, small expectation. A stream is
 * flagged when -log10 P(X >= k) exceeds the threshold plus log10 of the
 * number of streams tested at that moment (Bonferroni over aspects: a product
 * with 40 aspects in play gets a higher bar than one with 2). The base
 * threshold is calibrated on real timelines for the false-alarm rate per
 * product-year (bench/trends.ts, README).
 */
import { poissonSurprise } from "@starling/scoring";
import type { AnalyzedReview, Quote } from "./aggregate.js";
import { byClarity, copyFilter, reviewMentions, topTerm } from "./aggregate.js";
import { requireInput } from "./errors.js";

const DAY_MS = 86_400_000;

export interface EmergingOptions {
  /** How far back a rise may have begun, in days. */
  windowDays: number;
  /** Fewer mentions in a window are never a topic. */
  minMentions: number;
  /** Reviews the product needs before the window (its grace period). */
  minBaselineReviews: number;
  /** The share of reviews an aspect-with-polarity is assumed to take before any are seen. */
  priorShare: number;
  /** How many reviews that prior is worth. */
  priorReviews: number;
  /** Base surprise threshold, -log10 of a chance probability, before the correction for the number of aspects. */
  threshold: number;
  /** |polarity| above this makes a mention negative or positive. */
  polarityThreshold: number;
  /**
   * Whether one failure complaint (ReviewMention.failure) about an aspect no
   * earlier day's review of the product mentioned opens a negative topic by
   * itself. At 20-40% of a product's usual rate a new defect often sends one
   * review in its first 30 days; a one-off complaint of an aspect the product
   * already has is still no topic.
   */
  failureOpens: boolean;
}

export const DEFAULT_EMERGING_OPTIONS: EmergingOptions = {
  windowDays: 30,
  minMentions: 2,
  minBaselineReviews: 20,
  priorShare: 0.002,
  priorReviews: 50,
  threshold: 4.25,
  polarityThreshold: 0.05,
  failureOpens: true,
};

export interface EmergingTopic {
  productId: string;
  key: string;
  term: string;
  direction: "negative" | "positive";
  /** Start of the day (UTC) of the first mention in the flagged window: when the rise began. */
  sinceMs: number;
  /** When it would have been found: the mention that pushed it over the threshold. */
  detectedAtMs: number;
  /** Mentions in the window. */
  mentions: number;
  /** Mentions expected in it from the product's own history and its review volume in the window. */
  expected: number;
  /** -log10 P(X >= mentions) under Poisson(expected). */
  surprise: number;
  /** The bar it cleared: base threshold + log10(aspects tested). */
  threshold: number;
  /** Streams (aspect x polarity) tested at that moment. */
  testedAspects: number;
  evidence: string;
  examples: Quote[];
}

interface Stream {
  key: string;
  sign: 1 | -1;
  terms: Map<string, number>;
  /** Mention times, ascending, with their quotes and whether each is a failure complaint. */
  times: number[];
  quotes: Quote[];
  failures: boolean[];
  /** Start of the first UTC day any review of the product mentioned the aspect (either side, or neither). */
  firstDayMs: number;
}

/** Count of sorted values < x. */
function below(sorted: readonly number[], x: number): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (sorted[mid]! < x) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/**
 * The options with the defaults filled in, checked, and `asOfMs` when given.
 *
 * @throws {InsightsInputError} for options no scan can run with or a non-finite asOfMs
 */
export function emergingOptions(fn: string, options: Partial<EmergingOptions>, asOfMs?: number): EmergingOptions {
  if (asOfMs !== undefined) requireInput(Number.isFinite(asOfMs), fn, "a finite asOfMs", asOfMs);
  const o = { ...DEFAULT_EMERGING_OPTIONS, ...options };
  requireInput(o.windowDays > 0 && Number.isFinite(o.windowDays), fn, "windowDays > 0", o.windowDays);
  requireInput(Number.isInteger(o.minMentions) && o.minMentions >= 1, fn, "an integer minMentions >= 1", o.minMentions);
  requireInput(
    o.priorShare > 0 && o.priorShare < 1 && o.priorReviews > 0,
    fn,
    "0 < priorShare < 1 and priorReviews > 0",
    `${o.priorShare}/${o.priorReviews}`,
  );
  requireInput(Number.isFinite(o.threshold) && o.threshold > 0, fn, "a threshold > 0", o.threshold);
  return o;
}

/**
 * One product's reviews as mention streams, time-ordered: per aspect and
 * sign, the mentions that count towards a topic (reviewMentions' trendSign;
 * a copy on the same day counted once, see copyFilter).
 */
function streamsOf(reviews: readonly AnalyzedReview[], o: EmergingOptions): { times: number[]; streams: Stream[] } {
  const sorted = [...reviews].sort((a, b) => a.timeMs - b.timeMs || (a.reviewId < b.reviewId ? -1 : a.reviewId > b.reviewId ? 1 : 0));
  const byKey = new Map<string, Stream>();
  const firstDay = new Map<string, number>();
  const isCopy = copyFilter();
  for (const r of sorted) {
    for (const m of reviewMentions(r, o.polarityThreshold)) {
      if (!firstDay.has(m.key)) firstDay.set(m.key, dayStart(r.timeMs));
      const sign = m.trendSign;
      if (sign === 0) continue;
      const id = `${sign}:${m.key}`;
      if (isCopy(r.productId, r.timeMs, id, m.quote.quote)) continue;
      let s = byKey.get(id);
      if (!s)
        byKey.set(id, (s = { key: m.key, sign, terms: new Map(), times: [], quotes: [], failures: [], firstDayMs: firstDay.get(m.key)! }));
      s.terms.set(m.term, (s.terms.get(m.term) ?? 0) + 1);
      s.times.push(r.timeMs);
      s.quotes.push(m.quote);
      s.failures.push(m.failure);
    }
  }
  const streams = [...byKey.values()].sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : a.sign - b.sign));
  return { times: sorted.map((r) => r.timeMs), streams };
}

interface Evaluation {
  flagged: boolean;
  surprise: number;
  threshold: number;
  tested: number;
  mentions: number;
  expected: number;
  startIndex: number;
  endIndex: number;
  baselineMentions: number;
  baselineReviews: number;
  /** Flagged as one failure complaint about an aspect new to the product, not by the surprise. */
  failure: boolean;
}

/** Streams with at least minMentions in (t - window, t]: the aspects in play at t. */
function testedAt(streams: readonly Stream[], t: number, o: EmergingOptions): number {
  const from = t - o.windowDays * DAY_MS;
  let n = 0;
  for (const s of streams) if (below(s.times, t + 1) - below(s.times, from + 1) >= o.minMentions) n++;
  return Math.max(1, n);
}

/** The scan for one stream with the window ending at its mention `end` (an index into s.times). */
function evaluate(times: readonly number[], streams: readonly Stream[], s: Stream, end: number, o: EmergingOptions): Evaluation | null {
  const t = s.times[end]!;
  const windowStart = t - o.windowDays * DAY_MS;
  const baselineReviews = below(times, windowStart + 1);
  if (baselineReviews < o.minBaselineReviews) return null;
  const baselineMentions = below(s.times, windowStart + 1);
  const share = (baselineMentions + o.priorShare * o.priorReviews) / (baselineReviews + o.priorReviews);
  const reviewsThrough = below(times, t + 1);
  let best: Evaluation | null = null;
  for (let j = end; j >= baselineMentions; j--) {
    const k = end - j + 1;
    if (k < o.minMentions) continue;
    const span = reviewsThrough - below(times, s.times[j]!);
    const expected = share * span;
    const surprise = poissonSurprise(k, expected);
    if (best === null || surprise > best.surprise) {
      best = {
        flagged: false,
        surprise,
        threshold: 0,
        tested: 0,
        mentions: k,
        expected,
        startIndex: j,
        endIndex: end,
        baselineMentions,
        baselineReviews,
        failure: false,
      };
    }
  }
  const tested = testedAt(streams, t, o);
  const threshold = o.threshold + Math.log10(tested);
  if (best !== null && best.surprise >= threshold) return { ...best, flagged: true, tested, threshold };
  const day = dayStart(t);
  if (o.failureOpens && s.sign < 0 && s.firstDayMs === day) {
    // The aspect's first day: its mentions that day, one of them a failure complaint.
    const from = below(s.times, day);
    if (s.failures.slice(from, end + 1).includes(true)) {
      const k = end - from + 1;
      const expected = share * (reviewsThrough - below(times, s.times[from]!));
      return {
        flagged: true,
        surprise: poissonSurprise(k, expected),
        threshold,
        tested,
        mentions: k,
        expected,
        startIndex: from,
        endIndex: end,
        baselineMentions,
        baselineReviews,
        failure: true,
      };
    }
  }
  return best === null ? null : { ...best, tested, threshold };
}

function dayStart(ms: number): number {
  return Math.floor(ms / DAY_MS) * DAY_MS;
}

/** What a topic's evidence says: observed against expected, its baseline, and the bar it cleared. */
export interface TopicEvidence {
  term: string;
  direction: "negative" | "positive";
  sinceMs: number;
  mentions: number;
  expected: number;
  baselineMentions: number;
  baselineReviews: number;
  surprise: number;
  threshold: number;
  tested: number;
  /** Opened by a failure complaint about an aspect new to the product rather than by the surprise. */
  failure: boolean;
}

/** The evidence sentence of a topic (emergingTopics' and emergingFromDayCounts'). */
export function describeEvidence(e: TopicEvidence): string {
  const since = new Date(e.sinceMs).toISOString().slice(0, 10);
  const expected = e.expected < 0.1 ? e.expected.toPrecision(2) : e.expected.toFixed(2);
  if (e.failure) {
    return (
      `${e.mentions} ${e.direction} mention${e.mentions === 1 ? "" : "s"} of "${e.term}" on ${since} where ${expected} were expected, ` +
      `describing a failure in a 1- or 2-star review; none of the product's ${e.baselineReviews} earlier reviews mentioned it`
    );
  }
  return (
    `${e.mentions} ${e.direction} mentions of "${e.term}" since ${since} where ${expected} were expected ` +
    `(${e.baselineMentions} in the product's ${e.baselineReviews} earlier reviews, scaled to its review volume since); ` +
    `chance ${formatP(e.surprise)}, below the bar of ${formatP(e.threshold)} set for ${e.tested} aspect${e.tested === 1 ? "" : "s"} tested`
  );
}

function topicOf(productId: string, s: Stream, e: Evaluation, quotes: number): EmergingTopic {
  const term = topTerm(s.terms);
  const direction = s.sign < 0 ? "negative" : "positive";
  const sinceMs = dayStart(s.times[e.startIndex]!);
  return {
    productId,
    key: s.key,
    term,
    direction,
    sinceMs,
    detectedAtMs: s.times[e.endIndex]!,
    mentions: e.mentions,
    expected: e.expected,
    surprise: e.surprise,
    threshold: e.threshold,
    testedAspects: e.tested,
    evidence: describeEvidence({ ...e, term, direction, sinceMs }),
    examples: s.quotes
      .slice(e.startIndex, e.endIndex + 1)
      .sort(byClarity(s.sign))
      .slice(0, quotes),
  };
}

function formatP(surprise: number): string {
  return `p = ${(10 ** -surprise).toExponential(1)}`;
}

function byProduct(reviews: readonly AnalyzedReview[]): Map<string, AnalyzedReview[]> {
  const m = new Map<string, AnalyzedReview[]>();
  for (const r of reviews) {
    let list = m.get(r.productId);
    if (!list) m.set(r.productId, (list = []));
    list.push(r);
  }
  return new Map([...m].sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0)));
}

/**
 * Topics emerging as of `asOfMs`: per product, the streams whose latest
 * mention (no later than asOfMs, within the window) flags. What the API
 * asks on a read or a daily run.
 *
 * @throws {InsightsInputError} for a non-finite asOfMs or bad options
 */
export function emergingTopics(
  reviews: readonly AnalyzedReview[],
  asOfMs: number,
  options: Partial<EmergingOptions> & { quotes?: number } = {},
): EmergingTopic[] {
  const o = emergingOptions("emergingTopics", options, asOfMs);
  const out: EmergingTopic[] = [];
  for (const [productId, list] of byProduct(reviews.filter((r) => r.timeMs <= asOfMs))) {
    const { times, streams } = streamsOf(list, o);
    for (const s of streams) {
      const end = s.times.length - 1;
      if (end < 0 || s.times[end]! <= asOfMs - o.windowDays * DAY_MS) continue;
      const e = evaluate(times, streams, s, end, o);
      if (e?.flagged) out.push(topicOf(productId, s, e, options.quotes ?? 3));
    }
  }
  return out.sort((a, b) => b.surprise - a.surprise || (a.key < b.key ? -1 : 1));
}

/**
 * Replays each product's timeline and returns every emerging topic once, at
 * the first mention that would have flagged it: what a daily run would have
 * reported over the whole history. An episode ends when a later mention of
 * the stream no longer flags or none comes within the window.
 */
export function replayEmergingTopics(
  reviews: readonly AnalyzedReview[],
  options: Partial<EmergingOptions> & { quotes?: number } = {},
): EmergingTopic[] {
  const o = emergingOptions("replayEmergingTopics", options);
  const out: EmergingTopic[] = [];
  for (const [productId, list] of byProduct(reviews)) {
    const { times, streams } = streamsOf(list, o);
    for (const s of streams) {
      let active = false;
      for (let end = 0; end < s.times.length; end++) {
        if (end > 0 && s.times[end]! - s.times[end - 1]! > o.windowDays * DAY_MS) active = false;
        const e = evaluate(times, streams, s, end, o);
        const flagged = e?.flagged === true;
        if (flagged && !active) out.push(topicOf(productId, s, e!, options.quotes ?? 3));
        active = flagged;
      }
    }
  }
  return out.sort((a, b) => a.detectedAtMs - b.detectedAtMs || (a.productId < b.productId ? -1 : 1) || (a.key < b.key ? -1 : 1));
}
