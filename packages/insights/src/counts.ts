/**
 * Counts-based aggregation: what summarizeInsights and emergingTopics compute,
 * from per (product, UTC day) buckets of counts instead of the reviews
 * themselves, so a product with 100 000 reviews is answered from at most one
 * bucket per day of the period. The API maintains the buckets (one per
 * product and day, and one per shop and day merged from those); the functions
 * here build a bucket from a day's analysed reviews, merge buckets, and read
 * a period or the emerging topics out of them.
 *
 * Exactness against the review-based functions: the counts (mentions,
 * positive, negative, reviews, the most used term) are the same; direction is
 * the same when the period's midpoint falls on a day boundary (a day is in the
 * first half when it starts before the midpoint); example quotes are the same,
 * because a bucket keeps each aspect's `quotes` clearest quotes of each sign,
 * and the clearest of a period are among the clearest of its days. Emerging
 * topics are the same statistic at day granularity (a window is whole days;
 * see emergingFromDayCounts).
 */
import { poissonSurprise } from "@starling/scoring";
import {
  type AnalyzedReview,
  type AspectTally,
  type InsightSummary,
  type Period,
  type Quote,
  type SummaryOptions,
  DEFAULT_SUMMARY_OPTIONS,
  byClarity,
  copyFilter,
  reviewMentions,
  signOf,
  summaryOf,
  summaryOptions,
  tallyOf,
  topTerm,
} from "./aggregate.js";
import { type EmergingOptions, type EmergingTopic, describeEvidence, emergingOptions } from "./emerging.js";
import { requireInput } from "./errors.js";

export const DAY_MS = 86_400_000;

/** One aspect's counts in one bucket. */
export interface AspectDayCount {
  key: string;
  /** Spellings and how many mentioning reviews used each. */
  terms: Record<string, number>;
  mentions: number;
  positive: number;
  negative: number;
  /** The clearest positive and the clearest negative quotes (up to `quotes` of each). */
  quotes: Quote[];
  /**
   * The mentions of each sign that count towards emerging topics: not in a
   * review that takes the other side, copies counted once (see
   * reviewMentions, copyFilter). Absent from buckets written before them:
   * positive and negative stand in.
   */
  trendPositive?: number;
  trendNegative?: number;
  /** Of trendNegative, the failure complaints (ReviewMention.failure). Absent from buckets written before them: none. */
  trendFailure?: number;
}

/** A product's (or a shop's) published, analysed reviews of one UTC day, as counts. */
export interface DayCounts {
  /** Start of the UTC day, ms. */
  dayMs: number;
  reviews: number;
  polaritySum: number;
  aspects: AspectDayCount[];
}

export interface CountOptions {
  /** Quotes kept per aspect and sign in a bucket: at least the most a summary shows. */
  quotes: number;
  polarityThreshold: number;
}

export const DEFAULT_COUNT_OPTIONS: CountOptions = { quotes: 5, polarityThreshold: DEFAULT_SUMMARY_OPTIONS.polarityThreshold };

export function dayOf(ms: number): number {
  return Math.floor(ms / DAY_MS) * DAY_MS;
}

function keepClearest(quotes: Quote[], limit: number, threshold: number): Quote[] {
  const pos = quotes
    .filter((q) => signOf(q.polarity, threshold) > 0)
    .sort(byClarity(1))
    .slice(0, limit);
  const neg = quotes
    .filter((q) => signOf(q.polarity, threshold) < 0)
    .sort(byClarity(-1))
    .slice(0, limit);
  return [...pos, ...neg];
}

/**
 * The bucket of one day's reviews (all of one product, or of one shop). The
 * caller passes published reviews only; the day is taken from the first.
 */
export function dayCountsOf(reviews: readonly AnalyzedReview[], options: Partial<CountOptions> = {}): DayCounts {
  const o = { ...DEFAULT_COUNT_OPTIONS, ...options };
  requireInput(reviews.length > 0, "dayCountsOf", "at least one review", 0);
  const dayMs = dayOf(reviews[0]!.timeMs);
  const acc = new Map<string, AspectDayCount>();
  let polaritySum = 0;
  const isCopy = copyFilter();
  for (const r of reviews) {
    requireInput(dayOf(r.timeMs) === dayMs, "dayCountsOf", "reviews of one UTC day", new Date(r.timeMs).toISOString());
    polaritySum += r.insight.polarity;
    for (const m of reviewMentions(r, o.polarityThreshold)) {
      const a = dayCountOf(acc, m.key);
      a.terms[m.term] = (a.terms[m.term] ?? 0) + 1;
      a.mentions++;
      if (m.sign > 0) a.positive++;
      else if (m.sign < 0) a.negative++;
      if (m.trendSign !== 0 && !isCopy(r.productId, r.timeMs, `${m.trendSign}:${m.key}`, m.quote.quote)) {
        if (m.trendSign > 0) a.trendPositive!++;
        else a.trendNegative!++;
        if (m.failure) a.trendFailure!++;
      }
      a.quotes.push(m.quote);
    }
  }
  const aspects = [...acc.values()].sort((a, b) => (a.key < b.key ? -1 : 1));
  for (const a of aspects) a.quotes = keepClearest(a.quotes, o.quotes, o.polarityThreshold);
  return { dayMs, reviews: reviews.length, polaritySum, aspects };
}

function dayCountOf(acc: Map<string, AspectDayCount>, key: string): AspectDayCount {
  let a = acc.get(key);
  if (!a)
    acc.set(
      key,
      (a = { key, terms: {}, mentions: 0, positive: 0, negative: 0, quotes: [], trendPositive: 0, trendNegative: 0, trendFailure: 0 }),
    );
  return a;
}

/** Buckets of the same day (a shop's products) as one. */
export function mergeDayCounts(buckets: readonly DayCounts[], options: Partial<CountOptions> = {}): DayCounts {
  const o = { ...DEFAULT_COUNT_OPTIONS, ...options };
  requireInput(buckets.length > 0, "mergeDayCounts", "at least one bucket", 0);
  const dayMs = buckets[0]!.dayMs;
  const acc = new Map<string, AspectDayCount>();
  let reviews = 0;
  let polaritySum = 0;
  for (const b of buckets) {
    requireInput(b.dayMs === dayMs, "mergeDayCounts", "buckets of one day", b.dayMs);
    reviews += b.reviews;
    polaritySum += b.polaritySum;
    for (const x of b.aspects) {
      const a = dayCountOf(acc, x.key);
      for (const [t, n] of Object.entries(x.terms)) a.terms[t] = (a.terms[t] ?? 0) + n;
      a.mentions += x.mentions;
      a.positive += x.positive;
      a.negative += x.negative;
      a.trendPositive! += x.trendPositive ?? x.positive;
      a.trendNegative! += x.trendNegative ?? x.negative;
      a.trendFailure! += x.trendFailure ?? 0;
      a.quotes.push(...x.quotes);
    }
  }
  const aspects = [...acc.values()].sort((a, b) => (a.key < b.key ? -1 : 1));
  for (const a of aspects) a.quotes = keepClearest(a.quotes, o.quotes, o.polarityThreshold);
  return { dayMs, reviews, polaritySum, aspects };
}

/**
 * summarizeInsights over buckets: the buckets whose day starts in the period
 * (pass day-aligned periods). Reads each bucket once.
 *
 * @throws {InsightsInputError} for an empty or non-finite period or bad options
 */
export function summarizeDayCounts(days: readonly DayCounts[], period: Period, options: Partial<SummaryOptions> = {}): InsightSummary {
  const o = summaryOptions("summarizeDayCounts", period, options);
  const mid = period.fromMs + (period.toMs - period.fromMs) / 2;
  let reviews = 0;
  let firstHalf = 0;
  let polaritySum = 0;
  const acc = new Map<string, AspectTally>();
  for (const d of days) {
    if (d.dayMs < period.fromMs || d.dayMs >= period.toMs) continue;
    const early = d.dayMs < mid;
    reviews += d.reviews;
    if (early) firstHalf += d.reviews;
    polaritySum += d.polaritySum;
    for (const x of d.aspects) {
      const a = tallyOf(acc, x.key);
      for (const [t, n] of Object.entries(x.terms)) a.terms.set(t, (a.terms.get(t) ?? 0) + n);
      a.mentions += x.mentions;
      a.positive += x.positive;
      a.negative += x.negative;
      if (early) a.early += x.mentions;
      a.quotes.push(...x.quotes);
    }
  }
  return summaryOf(period, { reviews, firstHalf, polaritySum }, acc, o);
}

/**
 * Emerging topics of one product as of `asOfMs`, from its day buckets: the
 * statistic of emergingTopics (emerging.ts) with whole days as the time unit.
 * For each stream (aspect × sign) with a mention in the last `windowDays` days
 * up to asOf's day: the window ends at the stream's latest mention day t and
 * spans windowDays days back; baseline = the product's buckets before it
 * (shrunk towards the prior share); for each start day s in the window with a
 * mention, k = mentions in [s, t] against expected = baseline share × the
 * product's reviews in [s, t]; the largest surprise is tested against the base
 * threshold plus log10 of the streams with at least minMentions in the window
 * (Bonferroni). No topic before minBaselineReviews reviews precede the window.
 */
export function emergingFromDayCounts(
  productId: string,
  days: readonly DayCounts[],
  asOfMs: number,
  options: Partial<EmergingOptions> & { quotes?: number } = {},
): EmergingTopic[] {
  const o = emergingOptions("emergingFromDayCounts", options, asOfMs);
  const asOfDay = dayOf(asOfMs);
  const sorted = days.filter((d) => d.dayMs <= asOfDay).sort((a, b) => a.dayMs - b.dayMs);
  // Per stream, its mention counts per day (and terms, quotes).
  interface Stream {
    key: string;
    sign: 1 | -1;
    perDay: Map<number, number>;
    /** Failure complaints per day (negative streams). */
    failures: Map<number, number>;
    terms: Map<string, number>;
    quotes: { q: Quote; day: number }[];
  }
  const streams = new Map<string, Stream>();
  /** The first day each aspect was mentioned at all (either side, or neither). */
  const firstDay = new Map<string, number>();
  for (const d of sorted) {
    for (const a of d.aspects) {
      if (a.mentions > 0 && !firstDay.has(a.key)) firstDay.set(a.key, d.dayMs);
      for (const sign of [1, -1] as const) {
        const n = sign > 0 ? (a.trendPositive ?? a.positive) : (a.trendNegative ?? a.negative);
        if (!n) continue;
        const id = `${sign}:${a.key}`;
        let s = streams.get(id);
        if (!s) streams.set(id, (s = { key: a.key, sign, perDay: new Map(), failures: new Map(), terms: new Map(), quotes: [] }));
        s.perDay.set(d.dayMs, n);
        if (sign < 0 && a.trendFailure) s.failures.set(d.dayMs, a.trendFailure);
        // Terms are counted over all mentions of the aspect (a bucket does not split them by sign).
        for (const [t, c] of Object.entries(a.terms)) s.terms.set(t, (s.terms.get(t) ?? 0) + c);
        for (const q of a.quotes) if (signOf(q.polarity, o.polarityThreshold) === sign) s.quotes.push({ q, day: d.dayMs });
      }
    }
  }
  const reviewsBetween = (from: number, to: number) => sorted.reduce((n, d) => (d.dayMs >= from && d.dayMs <= to ? n + d.reviews : n), 0);
  const mentionsBetween = (s: Stream, from: number, to: number) => {
    let n = 0;
    for (const [day, c] of s.perDay) if (day >= from && day <= to) n += c;
    return n;
  };
  const out: EmergingTopic[] = [];
  const list = [...streams.values()].sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : a.sign - b.sign));
  for (const s of list) {
    const t = Math.max(...s.perDay.keys());
    if (t <= asOfDay - o.windowDays * DAY_MS) continue;
    const windowFrom = t - (o.windowDays - 1) * DAY_MS;
    const baselineReviews = reviewsBetween(-Infinity, windowFrom - 1);
    if (baselineReviews < o.minBaselineReviews) continue;
    const baselineMentions = mentionsBetween(s, -Infinity, windowFrom - 1);
    const share = (baselineMentions + o.priorShare * o.priorReviews) / (baselineReviews + o.priorReviews);
    let best: { surprise: number; k: number; expected: number; since: number } | null = null;
    for (const day of [...s.perDay.keys()].filter((x) => x >= windowFrom).sort((a, b) => b - a)) {
      const k = mentionsBetween(s, day, t);
      if (k < o.minMentions) continue;
      const expected = share * reviewsBetween(day, t);
      const surprise = poissonSurprise(k, expected);
      if (!best || surprise > best.surprise) best = { surprise, k, expected, since: day };
    }
    let tested = 0;
    for (const x of list) if (mentionsBetween(x, windowFrom, t) >= o.minMentions) tested++;
    tested = Math.max(1, tested);
    const threshold = o.threshold + Math.log10(tested);
    let failure = false;
    if (!best || best.surprise < threshold) {
      // emerging.ts' other way in: a failure complaint on the aspect's first day.
      if (!(o.failureOpens && s.sign < 0 && firstDay.get(s.key) === t && s.failures.get(t))) continue;
      const k = s.perDay.get(t)!;
      const expected = share * reviewsBetween(t, t);
      best = { surprise: poissonSurprise(k, expected), k, expected, since: t };
      failure = true;
    }
    const term = topTerm(s.terms);
    const direction = s.sign < 0 ? "negative" : "positive";
    out.push({
      productId,
      key: s.key,
      term,
      direction,
      sinceMs: best.since,
      detectedAtMs: t,
      mentions: best.k,
      expected: best.expected,
      surprise: best.surprise,
      threshold,
      testedAspects: tested,
      evidence: describeEvidence({
        term,
        direction,
        sinceMs: best.since,
        mentions: best.k,
        expected: best.expected,
        baselineMentions,
        baselineReviews,
        surprise: best.surprise,
        threshold,
        tested,
        failure,
      }),
      examples: s.quotes
        .filter((x) => x.day >= best!.since && x.day <= t)
        .map((x) => x.q)
        .sort(byClarity(s.sign))
        .slice(0, options.quotes ?? 3),
    });
  }
  return out.sort((a, b) => b.surprise - a.surprise || (a.key < b.key ? -1 : 1));
}

// ---------------------------------------------------------------- roll-ups

/**
 * Roll-up blocks of whole UTC days: the block of level L and index k covers
 * the days [k·2^L, (k+1)·2^L) counted from the epoch (level 0 is one day,
 * level 8 is 256 days). Any run of days is the union of a few aligned blocks
 * (at most two per level), so a period of any length is read from a bounded
 * number of documents, not one per day.
 */
export const MAX_BLOCK_LEVEL = 8;

export interface DayBlock {
  level: number;
  index: number;
  /** First day's start, ms. */
  fromMs: number;
  /** The day after the last, ms. */
  toMs: number;
}

export function blockOf(dayMs: number, level: number): DayBlock {
  requireInput(Number.isInteger(level) && level >= 0 && level <= MAX_BLOCK_LEVEL, "blockOf", `a level 0..${MAX_BLOCK_LEVEL}`, level);
  requireInput(Number.isFinite(dayMs), "blockOf", "a finite dayMs", dayMs);
  const size = 2 ** level;
  const index = Math.floor(Math.floor(dayMs / DAY_MS) / size);
  return { level, index, fromMs: index * size * DAY_MS, toMs: (index + 1) * size * DAY_MS };
}

/** The block's two halves one level down (the days of a level-1 block). */
export function childBlocks(block: DayBlock): [DayBlock, DayBlock] {
  requireInput(block.level >= 1, "childBlocks", "a block of level >= 1", block.level);
  const level = block.level - 1;
  const size = 2 ** level * DAY_MS;
  const a = { level, index: block.index * 2, fromMs: block.fromMs, toMs: block.fromMs + size };
  return [a, { level, index: block.index * 2 + 1, fromMs: a.toMs, toMs: block.toMs }];
}

function decompose(fromDay: number, toDay: number, out: DayBlock[]): void {
  let d = fromDay;
  while (d < toDay) {
    let level = MAX_BLOCK_LEVEL;
    while (level > 0 && (d % 2 ** level !== 0 || d + 2 ** level > toDay)) level--;
    const size = 2 ** level;
    out.push({ level, index: d / size, fromMs: d * DAY_MS, toMs: (d + size) * DAY_MS });
    d += size;
  }
}

/**
 * The blocks whose union is a day-aligned period, none straddling the day
 * where its second half begins (the day after the midpoint's day, or the
 * midpoint itself when it falls on a day boundary): each block lies wholly in
 * one half, so summarizeDayCounts, given each block as a bucket dated at its
 * first day, counts direction exactly as it does from the days.
 *
 * @throws {InsightsInputError} for a period that is empty or not day-aligned
 */
export function periodBlocks(period: Period): DayBlock[] {
  requireInput(
    Number.isFinite(period?.fromMs) &&
      Number.isFinite(period?.toMs) &&
      period.fromMs < period.toMs &&
      period.fromMs % DAY_MS === 0 &&
      period.toMs % DAY_MS === 0,
    "periodBlocks",
    "a day-aligned period with fromMs < toMs",
    JSON.stringify(period),
  );
  const a = period.fromMs / DAY_MS;
  const b = period.toMs / DAY_MS;
  const m = a + Math.ceil((b - a) / 2);
  const out: DayBlock[] = [];
  decompose(a, m, out);
  decompose(m, b, out);
  return out;
}

/**
 * Buckets of consecutive days (or blocks) as one bucket dated `startMs`: the
 * counts of all aspects, exact; quotes kept only for the `quotedAspects` most
 * mentioned (the clearest `quotes` of each sign among what the parts kept).
 */
export function rollUpDayCounts(
  parts: readonly DayCounts[],
  startMs: number,
  options: Partial<CountOptions> & { quotedAspects: number },
): DayCounts {
  requireInput(parts.length > 0, "rollUpDayCounts", "at least one bucket", 0);
  const merged = mergeDayCounts(
    parts.map((p) => ({ ...p, dayMs: startMs })),
    options,
  );
  return trimDayCounts(merged, { aspects: Number.POSITIVE_INFINITY, quotedAspects: options.quotedAspects });
}

/**
 * A bucket cut down for reading: its `aspects` most mentioned aspects (ties by
 * key), quotes on the `quotedAspects` first of them only. A summary that lists
 * at most `quotedAspects` aspects and reads such buckets gets the counts exactly
 * whenever every listed aspect is among the `aspects` most mentioned of each
 * bucket it is counted in (the others keep the clearest `otherQuotes` of each
 * sign, 0 by default); `cut` (the mentions of the most mentioned aspect
 * left out, 0 when none was) bounds what a left-out aspect could add.
 */
export function trimDayCounts(
  counts: DayCounts,
  limits: { aspects: number; quotedAspects: number; otherQuotes?: number; polarityThreshold?: number },
): DayCounts & { cut: number } {
  requireInput(
    limits.aspects >= 0 && Number.isInteger(limits.quotedAspects) && limits.quotedAspects >= 0,
    "trimDayCounts",
    "aspects and quotedAspects >= 0",
    `${limits.aspects}/${limits.quotedAspects}`,
  );
  const ranked = [...counts.aspects].sort((x, y) => y.mentions - x.mentions || (x.key < y.key ? -1 : 1));
  const other = limits.otherQuotes ?? 0;
  const threshold = limits.polarityThreshold ?? DEFAULT_COUNT_OPTIONS.polarityThreshold;
  const kept = ranked
    .slice(0, limits.aspects)
    .map((a, i) => (i < limits.quotedAspects ? a : { ...a, quotes: other ? keepClearest(a.quotes, other, threshold) : [] }));
  return { ...counts, aspects: kept, cut: ranked[kept.length]?.mentions ?? 0 };
}
