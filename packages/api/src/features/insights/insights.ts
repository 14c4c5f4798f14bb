/**
 * What customers say: each review's text analysed off the request path
 * (@starling/insights), kept per review in `review_insights`, and counted per
 * product and UTC day (and per shop and day) in `insight_days`, from which a
 * period's aspects and a product's emerging topics are read without reading
 * its reviews.
 *
 * The work runs in the durable `insights` lease queue (db/lease-queue.ts),
 * shared by every API process:
 *
 * - `analyze` (job id = review id): enqueued with the review's insert, before
 *   it (storeNewReviews), so a crash anywhere after the acknowledgement leaves
 *   the job; a job whose review never got stored is dropped after a minute.
 * - `day` (per product and day): recomputes that bucket from its analyses and
 *   the reviews' current statuses. A bucket is never incremented, always
 *   recomputed from the truth, so a job run twice or after a crash gives the
 *   same counts: exact, not approximate. Changes that may alter a bucket
 *   (an analysis stored, a status moving in or out of "published" —
 *   syncReviewCount calls reviewInsightChanged under its pending-count
 *   protection, so a crash there is completed by the pending-count sweep —,
 *   an erasure) touch the analysis' `changedAt` and enqueue the day job. A day
 *   job in flight while such a change lands would miss it and the enqueue
 *   would be a no-op (the job exists), so after completing, the job looks
 *   again and enqueues itself anew if anything changed since it started.
 * - `shopday`: the same for the shop's bucket of the day, merged from its
 *   products' buckets.
 * - `block` (per product or shop, level and index): the roll-up of 2^level
 *   days (@starling/insights blockOf) recomputed from its two halves, then its
 *   parent's queued; a bucket's recount queues its level-1 block. A period is
 *   read from the few blocks that tile it (periodBlocks), each cut to what a
 *   read needs (the most mentioned aspects, quotes on the first 20), so the
 *   read costs the same at 100 or 100 000 reviews. The same look-again as
 *   the recounts.
 * - `emerge` (per product): the product's emerging topics as of now, from its
 *   buckets; a topic not open before records one `insights.emerging_topic`
 *   event (recordEvent, deterministic id per product, aspect, direction and
 *   start day).
 */
import { createHash, randomUUID } from "node:crypto";
import { performance } from "node:perf_hooks";
import {
  DAY_MS,
  DEFAULT_EMERGING_OPTIONS,
  MAX_BLOCK_LEVEL,
  type AnalyzedReview,
  type AspectDayCount,
  type DayCounts,
  type InsightSummary,
  type Quote,
  InsightsInputError,
  analyzeReview,
  blockOf,
  childBlocks,
  dayCountsOf,
  dayOf,
  emergingFromDayCounts,
  mergeDayCounts,
  periodBlocks,
  rollUpDayCounts,
  summarizeDayCounts,
  trimDayCounts,
} from "@starling/insights";
import type { InsightBlockDoc, InsightDayDoc, InsightTopicDoc, ReviewInsightDoc } from "./model.js";
import type { ReviewDoc } from "../reviews/model.js";
import type { LeasedJob, LeaseQueue, LeaseWorker } from "../../db/lease-queue.js";
import { runLeaseWorker } from "../../db/lease-queue.js";
import { findByIds } from "../../db/find-by-ids.js";
import { invalidInput } from "../../errors.js";
import type { Deps } from "../deps.js";
import { recordEvent } from "../events/events.js";
import { ERASED_PAYLOAD } from "../reviews/review.js";

export const INSIGHTS_QUEUE = "insights";

export type InsightsJob =
  | { kind: "analyze"; reviewId: string }
  | { kind: "day"; shopId: string; productId: string; dayMs: number }
  | { kind: "shopday"; shopId: string; dayMs: number }
  | { kind: "emerge"; shopId: string; productId: string }
  | { kind: "block"; shopId: string; owner: string; level: number; index: number };

/** Quotes a bucket keeps per aspect and sign; what a summary shows at most. */
export const QUOTES_PER_ASPECT = 3;
/** Most aspects one summary lists. */
export const MAX_ASPECTS = 20;
/**
 * Aspects a block keeps for reading (the most mentioned): a summary's counts
 * are exact while each aspect it lists is among these in every block read
 * (a day of the benchmark's 274 hotel reviews has 284 aspects; the 20th most
 * mentioned of 90 days is about the 25th of a day).
 */
export const READ_ASPECTS = 100;
/** Aspects whose quotes a stored bucket keeps in full (the rest keep their clearest of each sign, for emerging topics' examples). */
const QUOTED_ASPECTS = 2 * MAX_ASPECTS;
/** Default period: the last 90 days. Longest: 366. */
export const DEFAULT_PERIOD_DAYS = 90;
export const MAX_PERIOD_DAYS = 366;
/** An analysis job whose review is not there after this was for a review never stored (its insert failed). */
const MISSING_REVIEW_GRACE_MS = 60_000;
/** Emerge jobs wait this long, so a burst of day recomputes of one product becomes one check. */
const EMERGE_DELAY_MS = 500;
/** Block jobs wait this long, so a burst of recounts below one block becomes one roll-up. */
const BLOCK_DELAY_MS = 200;

export function insightsQueue(deps: Deps): LeaseQueue<InsightsJob> {
  return deps.queue<InsightsJob>(INSIGHTS_QUEUE);
}

function hash(s: string): string {
  return createHash("sha256").update(s).digest("hex").slice(0, 24);
}
/** Plain strings only (MONGODB.md; ferretdb/patches): keyset ranges over them are pushed down on our FerretDB. */
export function productHash(shopId: string, productId: string): string {
  return `p${hash(`${shopId}\u0000${productId}`)}`;
}
export function shopHash(shopId: string): string {
  return `s${hash(shopId)}`;
}
export function ymd(dayMs: number): string {
  return new Date(dayMs).toISOString().slice(0, 10).replaceAll("-", "");
}
function isoDay(ms: number): string {
  return new Date(ms).toISOString().slice(0, 10);
}

function languageOf(tag: string | null | undefined): "en" | "de" | "und" | null {
  if (tag == null) return null;
  const lang = tag.split("-")[0]!.toLowerCase();
  return lang === "en" || lang === "de" ? lang : "und";
}

// ---------------------------------------------------------------- producers

/** Queues the analysis of new reviews: called before their insert (storeNewReviews), so none is skipped by a crash. */
export async function enqueueAnalyses(deps: Deps, reviewIds: readonly string[]): Promise<void> {
  await insightsQueue(deps).enqueueMany(reviewIds.map((reviewId) => ({ id: reviewId, payload: { kind: "analyze", reviewId } })));
}

/** Wakes this process's insights worker (after an enqueue), if it runs one. */
export function wakeInsights(deps: Deps): void {
  workers.get(deps)?.wake();
}

async function enqueueDay(deps: Deps, shopId: string, productId: string, dayMs: number): Promise<void> {
  await insightsQueue(deps).enqueue(`day.${productHash(shopId, productId)}.${ymd(dayMs)}`, { kind: "day", shopId, productId, dayMs });
}

/**
 * A review's status may have moved in or out of "published" (syncReviewCount,
 * under its pending count: a crash before this is completed by the sweep).
 * Marks its analysis changed and queues its day's recount.
 */
export async function reviewInsightChanged(deps: Deps, review: Pick<ReviewDoc, "_id" | "shopId" | "productId">): Promise<void> {
  const insight = await deps.models.ReviewInsight.findById(review._id, { createdAt: 1 }).lean<ReviewInsightDoc>();
  // Not analysed yet: its analysis job counts it with the status it finds then.
  if (!insight) return;
  await deps.models.ReviewInsight.updateOne({ _id: review._id }, { $set: { changedAt: new Date() } });
  await enqueueDay(deps, review.shopId, review.productId, dayOf(insight.createdAt.getTime()));
  wakeInsights(deps);
}

/**
 * Erasure: the reviews' analyses (their quotes) are emptied and marked
 * erased, and their products' and shops' buckets recounted before this
 * returns, so no insight quotes them from then on; an analysis still queued
 * finds the erasure tombstone and stores nothing.
 */
export async function forgetReviewInsights(deps: Deps, reviewIds: readonly string[]): Promise<void> {
  for (const doc of await findByIds(deps.models.ReviewInsight, reviewIds)) {
    await deps.models.ReviewInsight.updateOne(
      { _id: doc._id },
      { $set: { erased: true, aspects: [], polarity: 0, language: "und", changedAt: new Date() } },
    );
    const dayMs = dayOf(doc.createdAt.getTime());
    await recomputeProductDay(deps, doc.shopId, doc.productId, dayMs);
    await recomputeShopDay(deps, doc.shopId, dayMs);
    // Every roll-up above that day too, product's and shop's: each is built from the one below.
    for (const owner of [productHash(doc.shopId, doc.productId), shopHash(doc.shopId)])
      for (let level = 1; level <= MAX_BLOCK_LEVEL; level++) {
        const b = blockOf(dayMs, level);
        await recomputeBlock(deps, doc.shopId, owner, level, b.index);
      }
    // A recount in flight elsewhere may have read the quote before: it sees the change and runs again.
    await enqueueDay(deps, doc.shopId, doc.productId, dayMs);
  }
}

// ---------------------------------------------------------------- the work

async function analyze(deps: Deps, job: LeasedJob<InsightsJob & { kind: "analyze" }>, queue: LeaseQueue<InsightsJob>): Promise<void> {
  const id = job.payload.reviewId;
  const review = await deps.models.Review.findById(id).lean<ReviewDoc>();
  if (!review) {
    // Enqueued before the insert: not there yet, or never stored.
    if (Date.now() - job.createdAt.getTime() < MISSING_REVIEW_GRACE_MS)
      await queue.retryLater(job, new Date(Date.now() + 2_000), "review not stored yet");
    else await queue.complete(job);
    return;
  }
  const previous = await deps.models.ReviewInsight.findById(id, { erased: 1 }).lean<ReviewInsightDoc>();
  if (review.payloadHash === ERASED_PAYLOAD || previous?.erased) return queue.complete(job);
  const insight = analyzeReview({ title: review.title, body: review.body, language: languageOf(review.language) });
  const now = new Date();
  const doc: ReviewInsightDoc = {
    _id: id,
    shopId: review.shopId,
    productId: review.productId,
    dayKey: `${productHash(review.shopId, review.productId)}.${ymd(dayOf(review.createdAt.getTime()))}.${id}`,
    createdAt: review.createdAt,
    language: insight.language,
    polarity: insight.polarity,
    aspects: insight.aspects.map(({ key, term, polarity, quote, field, start, end }) => ({
      key,
      term,
      polarity,
      quote,
      field,
      start,
      end,
    })),
    erased: false,
    analyzedAt: now,
    changedAt: now,
  };
  await deps.models.ReviewInsight.collection.replaceOne({ _id: id } as never, doc as never, { upsert: true });
  // Erased while we analysed (the tombstone comes first in eraseReviewerData): undo.
  if (await deps.models.ErasedReview.exists({ _id: id })) {
    await deps.models.ReviewInsight.updateOne(
      { _id: id },
      { $set: { erased: true, aspects: [], polarity: 0, language: "und", changedAt: new Date() } },
    );
  }
  await enqueueDay(deps, review.shopId, review.productId, dayOf(review.createdAt.getTime()));
  await queue.complete(job);
}

function toAnalyzed(doc: ReviewInsightDoc): AnalyzedReview {
  return {
    reviewId: doc._id,
    productId: doc.productId,
    timeMs: doc.createdAt.getTime(),
    insight: {
      language: doc.language,
      polarity: doc.polarity,
      aspects: doc.aspects.map((a) => ({ ...a, head: null, termStart: a.start, termEnd: a.start })),
    },
  };
}

type StoredQuote = [
  reviewId: string,
  productId: string,
  quote: string,
  polarity: number,
  field: Quote["field"],
  start: number,
  end: number,
];
type StoredAspect = [
  key: string,
  mentions: number,
  positive: number,
  negative: number,
  terms: Record<string, number>,
  quotes: StoredQuote[],
  // The counts towards emerging topics (AspectDayCount.trendPositive/trendNegative); absent in buckets stored before them.
  trend?: [positive: number, negative: number],
];

/**
 * Aspects as stored: one JSON string of arrays rather than nested documents,
 * because FerretDB decodes a nested document field by field (90 day buckets
 * of 170 KB took 20–30 s to read nested, 1 s as strings), and arrays rather
 * than objects, because the field names were half of every quote's bytes.
 */
export function encodeAspects(aspects: readonly AspectDayCount[]): string {
  return JSON.stringify(
    aspects.map(
      (a): StoredAspect => [
        a.key,
        a.mentions,
        a.positive,
        a.negative,
        a.terms,
        a.quotes.map((q) => [q.reviewId, q.productId, q.quote, q.polarity, q.field, q.start, q.end]),
        [a.trendPositive ?? a.positive, a.trendNegative ?? a.negative],
      ],
    ),
  );
}

export function decodeAspects(data: string): AspectDayCount[] {
  return (JSON.parse(data) as StoredAspect[]).map(([key, mentions, positive, negative, terms, quotes, trend]) => ({
    key,
    terms,
    mentions,
    positive,
    negative,
    ...(trend ? { trendPositive: trend[0], trendNegative: trend[1] } : {}),
    quotes: quotes.map(([reviewId, productId, quote, polarity, field, start, end]) => ({
      reviewId,
      productId,
      quote,
      polarity,
      field,
      start,
      end,
    })),
  }));
}

function toDayCounts(doc: InsightDayDoc): DayCounts {
  // Buckets written before `data` hold their aspects nested.
  const aspects = doc.data !== undefined ? decodeAspects(doc.data) : ((doc.aspects ?? []) as AspectDayCount[]);
  return { dayMs: doc.day.getTime(), reviews: doc.reviews, polaritySum: doc.polaritySum, aspects };
}

function blockCounts(doc: InsightBlockDoc, dayMs: number): DayCounts {
  return { dayMs, reviews: doc.reviews, polaritySum: doc.polaritySum, aspects: decodeAspects(doc.data) };
}

/** A bucket as stored: every aspect's counts; full quotes for the most mentioned, the clearest of each sign for the rest. */
function storedAspects(counts: DayCounts): string {
  return encodeAspects(trimDayCounts(counts, { aspects: Number.POSITIVE_INFINITY, quotedAspects: QUOTED_ASPECTS, otherQuotes: 1 }).aspects);
}

function blockId(owner: string, level: number, index: number): string {
  return `${owner}.${level}.${index}`;
}

/** Writes a block (level >= 1: all its counts, what its parent is built from) and its cut for reading (any level), or removes both. */
async function writeBlock(deps: Deps, shopId: string, owner: string, level: number, index: number, counts: DayCounts | null) {
  const id = blockId(owner, level, index);
  if (!counts) {
    await deps.models.InsightBlock.deleteMany({ _id: { $in: [id, `${id}.r`] } });
    return;
  }
  const now = new Date();
  const doc = (key: string, data: string): InsightBlockDoc => ({
    _id: key,
    shopId,
    reviews: counts.reviews,
    polaritySum: counts.polaritySum,
    data,
    computedAt: now,
  });
  const read = trimDayCounts(counts, { aspects: READ_ASPECTS, quotedAspects: MAX_ASPECTS });
  // Side by side (the worker's time is mostly round trips); the version only after both.
  await Promise.all([
    level > 0
      ? deps.models.InsightBlock.collection.replaceOne({ _id: id } as never, doc(id, storedAspects(counts)) as never, { upsert: true })
      : null,
    deps.models.InsightBlock.collection.replaceOne({ _id: `${id}.r` } as never, doc(`${id}.r`, encodeAspects(read.aspects)) as never, {
      upsert: true,
    }),
  ]);
  await bumpVersion(deps, shopId, owner);
}

/**
 * The owner's (product's or shop's) aggregate version, `<owner>.v` beside its
 * blocks: a new random value after every change a read could see (a block
 * written or removed, a topic stored or closed). Every process checks it
 * before answering from its cache, so none answers from a cache older than
 * the last change, erasures included.
 */
async function bumpVersion(deps: Deps, shopId: string, owner: string): Promise<void> {
  const id = `${owner}.v`;
  const doc: InsightBlockDoc = { _id: id, shopId, reviews: 0, polaritySum: 0, data: randomUUID(), computedAt: new Date() };
  await deps.models.InsightBlock.collection.replaceOne({ _id: id } as never, doc as never, { upsert: true });
  caches.get(deps)?.forget(owner);
}

/** Assembled answers of this process by owner, period and limit, with the version they were read at. */
class AnswerCache {
  private readonly entries = new Map<string, { owner: string; version: string; value: Insights }>();
  constructor(private readonly max: number) {}
  get(key: string, version: string): Insights | undefined {
    const e = this.entries.get(key);
    return e && e.version === version ? e.value : undefined;
  }
  set(key: string, owner: string, version: string, value: Insights): void {
    this.entries.delete(key);
    this.entries.set(key, { owner, version, value });
    // Oldest first out: a Map iterates in insertion order.
    while (this.entries.size > this.max) this.entries.delete(this.entries.keys().next().value!);
  }
  forget(owner: string): void {
    for (const [k, e] of this.entries) if (e.owner === owner) this.entries.delete(k);
  }
  clear(): void {
    this.entries.clear();
  }
}
const caches = new WeakMap<Deps, AnswerCache>();
/** Answers kept per process (each a summary of at most 20 aspects with quotes: a few KB). */
const CACHED_ANSWERS = 500;

/** Drops this process's cached answers (the benchmark's cold reads). */
export function clearInsightsCache(deps: Deps): void {
  caches.get(deps)?.clear();
}

async function cached(deps: Deps, owner: string, key: string, read: () => Promise<Insights>): Promise<Insights> {
  let cache = caches.get(deps);
  if (!cache) caches.set(deps, (cache = new AnswerCache(CACHED_ANSWERS)));
  // Read before the blocks: a change landing in between gives a newer version, so this answer is not served after it.
  const version =
    (await deps.models.InsightBlock.findById(`${owner}.v`, { data: 1 }).lean<Pick<InsightBlockDoc, "data">>())?.data ?? "none";
  const hit = cache.get(key, version);
  if (hit) return hit;
  const value = await read();
  cache.set(key, owner, version, value);
  return value;
}

/** The parts a block is built from: for level 1 its two days' buckets, above that its two halves. */
async function blockParts(deps: Deps, owner: string, level: number, index: number): Promise<{ id: string; at: Date; counts: DayCounts }[]> {
  const [a, b] = childBlocks({ ...blockOf(index * 2 ** level * DAY_MS, level) });
  if (level === 1) {
    const days = await findByIds(deps.models.InsightDay, [`${owner}.${ymd(a.fromMs)}`, `${owner}.${ymd(b.fromMs)}`]);
    return days.map((d) => ({ id: d._id, at: d.computedAt, counts: toDayCounts(d) }));
  }
  const halves = await findByIds(deps.models.InsightBlock, [blockId(owner, level - 1, a.index), blockId(owner, level - 1, b.index)]);
  return halves.map((d) => ({ id: d._id, at: d.computedAt, counts: blockCounts(d, d._id.endsWith(`.${a.index}`) ? a.fromMs : b.fromMs) }));
}

/** Recomputes one roll-up block (level >= 1) from its two halves. */
export async function recomputeBlock(deps: Deps, shopId: string, owner: string, level: number, index: number): Promise<string> {
  const parts = await blockParts(deps, owner, level, index);
  const seen = versionOf(parts.map((p) => [p.id, p.at]));
  const fromMs = index * 2 ** level * DAY_MS;
  await writeBlock(
    deps,
    shopId,
    owner,
    level,
    index,
    parts.length
      ? rollUpDayCounts(
          parts.map((p) => p.counts),
          fromMs,
          { quotes: QUOTES_PER_ASPECT, quotedAspects: QUOTED_ASPECTS },
        )
      : null,
  );
  return seen;
}

async function enqueueBlock(deps: Deps, shopId: string, owner: string, level: number, index: number): Promise<void> {
  await insightsQueue(deps).enqueue(
    `block.${blockId(owner, level, index)}`,
    { kind: "block", shopId, owner, level, index },
    new Date(Date.now() + BLOCK_DELAY_MS),
  );
}

async function productDayRows(deps: Deps, shopId: string, productId: string, dayMs: number): Promise<ReviewInsightDoc[]> {
  const prefix = `${productHash(shopId, productId)}.${ymd(dayMs)}.`;
  return deps.models.ReviewInsight.find({ dayKey: { $gt: prefix, $lt: `${prefix}~` } })
    .sort({ dayKey: 1 })
    .lean<ReviewInsightDoc[]>();
}

/** Recounts one product's bucket of one day from its analyses and the reviews' current statuses. */
export async function recomputeProductDay(deps: Deps, shopId: string, productId: string, dayMs: number): Promise<string> {
  const all = await productDayRows(deps, shopId, productId, dayMs);
  const seen = versionOf(all.map((r) => [r._id, r.changedAt]));
  const rows = all.filter((r) => !r.erased);
  const reviews = await findByIds(
    deps.models.Review,
    rows.map((r) => r._id),
  );
  const published = new Set(reviews.filter((r) => r.status === "published" && r.payloadHash !== ERASED_PAYLOAD).map((r) => r._id));
  const counted = rows.filter((r) => published.has(r._id)).map(toAnalyzed);
  await storeProductDay(deps, shopId, productId, dayMs, counted.length ? dayCountsOf(counted, { quotes: QUOTES_PER_ASPECT }) : null);
  return seen;
}

/** Writes a product's bucket of a day (and its cut for reading), or removes both when nothing counts. */
export async function storeProductDay(
  deps: Deps,
  shopId: string,
  productId: string,
  dayMs: number,
  counts: DayCounts | null,
): Promise<void> {
  const owner = productHash(shopId, productId);
  const id = `${owner}.${ymd(dayMs)}`;
  const day = blockOf(dayMs, 0).index;
  if (!counts) {
    await deps.models.InsightDay.deleteOne({ _id: id });
    await writeBlock(deps, shopId, owner, 0, day, null);
    return;
  }
  const doc: InsightDayDoc = {
    _id: id,
    shopId,
    productId,
    day: new Date(dayMs),
    shopDayKey: `${shopHash(shopId)}.${ymd(dayMs)}.${owner}`,
    reviews: counts.reviews,
    polaritySum: counts.polaritySum,
    data: storedAspects(counts),
    computedAt: new Date(),
  };
  await deps.models.InsightDay.collection.replaceOne({ _id: id } as never, doc as never, { upsert: true });
  await writeBlock(deps, shopId, owner, 0, day, counts);
}

/** What a recount read, to tell afterwards whether anything changed since (ids and their change times). */
function versionOf(entries: [string, Date][]): string {
  return entries
    .map(([id, at]) => `${id}@${at.getTime()}`)
    .sort()
    .join(",");
}

async function shopDayBuckets(deps: Deps, shopId: string, dayMs: number): Promise<InsightDayDoc[]> {
  const prefix = `${shopHash(shopId)}.${ymd(dayMs)}.`;
  return deps.models.InsightDay.find({ shopDayKey: { $gt: prefix, $lt: `${prefix}~` } })
    .sort({ shopDayKey: 1 })
    .lean<InsightDayDoc[]>();
}

/** Recounts a shop's bucket of one day from its products' buckets. */
export async function recomputeShopDay(deps: Deps, shopId: string, dayMs: number): Promise<string> {
  const buckets = await shopDayBuckets(deps, shopId, dayMs);
  const seen = versionOf(buckets.map((b) => [b._id, b.computedAt]));
  const owner = shopHash(shopId);
  const id = `${owner}.${ymd(dayMs)}`;
  const day = blockOf(dayMs, 0).index;
  if (!buckets.length) {
    await deps.models.InsightDay.deleteOne({ _id: id });
    await writeBlock(deps, shopId, owner, 0, day, null);
    return seen;
  }
  const merged = mergeDayCounts(buckets.map(toDayCounts), { quotes: QUOTES_PER_ASPECT });
  const doc: InsightDayDoc = {
    _id: id,
    shopId,
    productId: null,
    day: new Date(dayMs),
    shopDayKey: null,
    reviews: merged.reviews,
    polaritySum: merged.polaritySum,
    data: storedAspects(merged),
    computedAt: new Date(),
  };
  await deps.models.InsightDay.collection.replaceOne({ _id: id } as never, doc as never, { upsert: true });
  await writeBlock(deps, shopId, owner, 0, day, merged);
  return seen;
}

async function productBuckets(deps: Deps, shopId: string, productId: string): Promise<InsightDayDoc[]> {
  const p = productHash(shopId, productId);
  return deps.models.InsightDay.find({ _id: { $gt: `${p}.`, $lt: `${p}.~` } })
    .sort({ _id: 1 })
    .lean<InsightDayDoc[]>();
}

function topicId(shopId: string, productId: string, key: string, direction: string): string {
  return `${productHash(shopId, productId)}.${hash(`${key}\u0000${direction}`)}`;
}

/**
 * The product's emerging topics as of now, from its buckets. A topic that was
 * not open (current, or seen within the window) opens an episode and records
 * one event; the topics no longer found stop being current (a rejection that
 * removed the reviews behind one takes it out of the read).
 */
export async function checkEmergingTopics(
  deps: Deps,
  shopId: string,
  productId: string,
): Promise<{ topics: InsightTopicDoc[]; seen: string }> {
  const now = deps.now();
  const buckets = await productBuckets(deps, shopId, productId);
  const seen = versionOf(buckets.map((b) => [b._id, b.computedAt]));
  const topics = emergingFromDayCounts(productId, buckets.map(toDayCounts), now.getTime(), { quotes: QUOTES_PER_ASPECT });
  const p = productHash(shopId, productId);
  const open = await deps.models.InsightTopic.find({ _id: { $gt: `${p}.`, $lt: `${p}.~` } })
    .sort({ _id: 1 })
    .lean<InsightTopicDoc[]>();
  const found = new Set<string>();
  const out: InsightTopicDoc[] = [];
  for (const t of topics) {
    const id = topicId(shopId, productId, t.key, t.direction);
    found.add(id);
    const before = open.find((o) => o._id === id);
    const continuing =
      before && (before.current || now.getTime() - before.lastSeenAt.getTime() <= DEFAULT_EMERGING_OPTIONS.windowDays * DAY_MS);
    const since = continuing ? before.since : new Date(t.sinceMs);
    const eventId = continuing ? before.eventId : `insights.emerging_topic:${p}.${hash(`${t.key}\u0000${t.direction}`)}.${ymd(t.sinceMs)}`;
    const doc: InsightTopicDoc = {
      _id: id,
      shopId,
      productId,
      key: t.key,
      term: t.term,
      direction: t.direction,
      since,
      detectedAt: continuing ? before.detectedAt : now,
      lastSeenAt: now,
      mentions: t.mentions,
      expected: t.expected,
      evidence: t.evidence,
      examples: t.examples,
      eventId,
      current: true,
    };
    if (!continuing) {
      // Before the topic is written: a crash between the two records it again under the same id, i.e. once.
      await recordEvent(deps, eventId, {
        type: "insights.emerging_topic",
        shopId,
        data: {
          productId,
          key: t.key,
          term: t.term,
          direction: t.direction,
          since: isoDay(t.sinceMs),
          mentions: t.mentions,
          expected: t.expected,
          evidence: t.evidence,
        },
      });
    }
    await deps.models.InsightTopic.collection.replaceOne({ _id: id } as never, doc as never, { upsert: true });
    out.push(doc);
  }
  for (const o of open)
    if (o.current && !found.has(o._id)) await deps.models.InsightTopic.updateOne({ _id: o._id }, { $set: { current: false } });
  // The product's read and its shop's show current topics.
  await bumpVersion(deps, shopId, p);
  await bumpVersion(deps, shopId, shopHash(shopId));
  return { topics: out, seen };
}

/**
 * One job. Recounts complete and then look again: a change that landed
 * while they ran (its enqueue found the job still there and did nothing)
 * shows as a source that differs from what they read (a new or changed
 * analysis, a bucket recomputed or gone), and queues the recount anew.
 */
export async function handleInsightsJob(deps: Deps, job: LeasedJob<InsightsJob>): Promise<void> {
  const queue = insightsQueue(deps);
  const p = job.payload;
  switch (p.kind) {
    case "analyze":
      return analyze(deps, job as LeasedJob<typeof p>, queue);
    case "day": {
      const seen = await recomputeProductDay(deps, p.shopId, p.productId, p.dayMs);
      await queue.enqueue(`shopday.${shopHash(p.shopId)}.${ymd(p.dayMs)}`, { kind: "shopday", shopId: p.shopId, dayMs: p.dayMs });
      await enqueueBlock(deps, p.shopId, productHash(p.shopId, p.productId), 1, blockOf(p.dayMs, 1).index);
      // Any day: an old one is the baseline of the next check. One check per product however many days changed (deduplicated while it waits).
      await queue.enqueue(
        `emerge.${productHash(p.shopId, p.productId)}`,
        { kind: "emerge", shopId: p.shopId, productId: p.productId },
        new Date(Date.now() + EMERGE_DELAY_MS),
      );
      await queue.complete(job);
      const now = await productDayRows(deps, p.shopId, p.productId, p.dayMs);
      if (versionOf(now.map((r) => [r._id, r.changedAt])) !== seen) await enqueueDay(deps, p.shopId, p.productId, p.dayMs);
      return;
    }
    case "shopday": {
      const seen = await recomputeShopDay(deps, p.shopId, p.dayMs);
      await enqueueBlock(deps, p.shopId, shopHash(p.shopId), 1, blockOf(p.dayMs, 1).index);
      await queue.complete(job);
      const now = await shopDayBuckets(deps, p.shopId, p.dayMs);
      if (versionOf(now.map((b) => [b._id, b.computedAt])) !== seen) await queue.enqueue(job.id, p);
      return;
    }
    case "block": {
      const seen = await recomputeBlock(deps, p.shopId, p.owner, p.level, p.index);
      await Promise.all([
        p.level < MAX_BLOCK_LEVEL ? enqueueBlock(deps, p.shopId, p.owner, p.level + 1, Math.floor(p.index / 2)) : null,
        queue.complete(job),
      ]);
      const now = await blockParts(deps, p.owner, p.level, p.index);
      if (versionOf(now.map((x) => [x.id, x.at])) !== seen) await enqueueBlock(deps, p.shopId, p.owner, p.level, p.index);
      return;
    }
    case "emerge": {
      const { seen } = await checkEmergingTopics(deps, p.shopId, p.productId);
      await queue.complete(job);
      const now = await productBuckets(deps, p.shopId, p.productId);
      if (versionOf(now.map((b) => [b._id, b.computedAt])) !== seen) await queue.enqueue(job.id, p, new Date(Date.now() + EMERGE_DELAY_MS));
      return;
    }
  }
}

const workers = new WeakMap<Deps, LeaseWorker>();

export interface InsightsWorkerOptions {
  readonly batch?: number;
  readonly idleMs?: number;
  readonly available?: () => boolean;
}

/** This process's share of the insights work: claims jobs with a lease, several processes side by side. */
export function startInsightsWorker(deps: Deps, options: InsightsWorkerOptions = {}): LeaseWorker {
  // Background work in the process that answers requests: after each job it
  // waits as long as the job took (analysis is synchronous CPU, tens of ms), so
  // a backlog takes at most about half of the event loop and requests keep the rest.
  const throttled = async (job: LeasedJob<InsightsJob>) => {
    const started = performance.now();
    try {
      await handleInsightsJob(deps, job);
    } finally {
      await new Promise((resolve) => setTimeout(resolve, Math.min(1_000, performance.now() - started)));
    }
  };
  const worker = runLeaseWorker(insightsQueue(deps), throttled, {
    batch: options.batch ?? 16,
    idleMs: options.idleMs ?? 1_000,
    available: options.available,
    onError: (error) => deps.log.error("an insights job failed; it is retried later", { error }),
  });
  workers.set(deps, worker);
  return {
    wake: () => worker.wake(),
    stop: async () => {
      if (workers.get(deps) === worker) workers.delete(deps);
      await worker.stop();
    },
  };
}

// ---------------------------------------------------------------- backfill

export interface BackfillProgress {
  /** Reviews looked at so far (over all runs of this backfill). */
  scanned: number;
  /** All reviews (an estimate: the collection's count). */
  total: number;
  /** Analysis jobs queued by this run. */
  enqueued: number;
  /** Insights jobs waiting or running. */
  queued: number;
}

/**
 * Queues the analysis of every review that has none (reviews stored before
 * insights existed, or imported), in slices of `slice` reviews by id, waiting
 * while more than `maxQueued` insights jobs wait (the queue collection stays
 * small: FerretDB scans it on every claim). Resumable: the last id is kept in
 * `insight_cursors` after each slice, and a new run goes on from there; a run
 * that reaches the end removes it. Someone must run the workers (the API
 * processes, or the CLI's own).
 */
export async function backfillInsights(
  deps: Deps,
  options: {
    slice?: number;
    maxQueued?: number;
    onProgress?: (p: BackfillProgress) => void;
    stopAfterSlices?: number;
    pollMs?: number;
  } = {},
): Promise<BackfillProgress & { done: boolean }> {
  const slice = options.slice ?? 500;
  const maxQueued = options.maxQueued ?? 1_000;
  const queue = insightsQueue(deps);
  const cursor = await deps.models.InsightCursor.findById("backfill").lean();
  // "#" sorts before every review id and is a plain string, so the first range is pushed down too.
  let after = cursor?.after ?? "#";
  let scanned = cursor?.scanned ?? 0;
  let enqueued = 0;
  const total = await deps.models.Review.estimatedDocumentCount();
  for (let n = 0; ; n++) {
    if (options.stopAfterSlices !== undefined && n >= options.stopAfterSlices) {
      return { scanned, total, enqueued, queued: await queue.depth(), done: false };
    }
    while ((await queue.depth()) > maxQueued) await new Promise((r) => setTimeout(r, options.pollMs ?? 200));
    const reviews = await deps.models.Review.find({ _id: { $gt: after } }, { _id: 1, payloadHash: 1 })
      .sort({ _id: 1 })
      .limit(slice)
      .lean<Pick<ReviewDoc, "_id" | "payloadHash">[]>();
    if (!reviews.length) break;
    const analysed = new Set(
      (
        await findByIds(
          deps.models.ReviewInsight,
          reviews.map((r) => r._id),
        )
      ).map((d) => d._id),
    );
    const missing = reviews.filter((r) => !analysed.has(r._id) && r.payloadHash !== ERASED_PAYLOAD).map((r) => r._id);
    if (missing.length) {
      await enqueueAnalyses(deps, missing);
      wakeInsights(deps);
    }
    enqueued += missing.length;
    scanned += reviews.length;
    after = reviews.at(-1)!._id;
    await deps.models.InsightCursor.collection.replaceOne({ _id: "backfill" } as never, { after, scanned, at: new Date() } as never, {
      upsert: true,
    });
    options.onProgress?.({ scanned, total, enqueued, queued: await queue.depth() });
  }
  await deps.models.InsightCursor.deleteOne({ _id: "backfill" });
  await rollUpLegacyBuckets(deps, slice);
  return { scanned, total, enqueued, queued: await queue.depth(), done: true };
}

/**
 * Buckets written before roll-ups existed (their aspects nested, no `data`)
 * have no blocks, so no read sees them: their recounts are queued, which
 * writes them anew with their blocks. One pass over the buckets by `_id`.
 */
async function rollUpLegacyBuckets(deps: Deps, slice: number): Promise<number> {
  const queue = insightsQueue(deps);
  let after = "#";
  let queued = 0;
  for (;;) {
    const days = await deps.models.InsightDay.find({ _id: { $gt: after } }, { _id: 1, shopId: 1, productId: 1, day: 1, data: 1 })
      .sort({ _id: 1 })
      .limit(slice)
      .lean<Pick<InsightDayDoc, "_id" | "shopId" | "productId" | "day" | "data">[]>();
    if (!days.length) break;
    for (const d of days) {
      if (d.data !== undefined) continue;
      const dayMs = d.day.getTime();
      if (d.productId !== null) await enqueueDay(deps, d.shopId, d.productId, dayMs);
      else await queue.enqueue(`shopday.${shopHash(d.shopId)}.${ymd(dayMs)}`, { kind: "shopday", shopId: d.shopId, dayMs });
      queued++;
    }
    after = days.at(-1)!._id;
  }
  if (queued) wakeInsights(deps);
  return queued;
}

// ---------------------------------------------------------------- reads

export interface InsightsPeriodInput {
  from?: Date | null;
  to?: Date | null;
}

/** Whole UTC days: from the day of `from` through the day of `to` (default: the last 90 days through today). */
export function insightsPeriod(input: InsightsPeriodInput | null | undefined, now: Date): { fromMs: number; toMs: number } {
  const to = input?.to ?? now;
  const toMs = dayOf(to.getTime() - 1) + DAY_MS;
  const fromMs = input?.from ? dayOf(input.from.getTime()) : toMs - DEFAULT_PERIOD_DAYS * DAY_MS;
  if (!(fromMs < toMs)) throw invalidInput("period", "from must be before to");
  if (toMs - fromMs > MAX_PERIOD_DAYS * DAY_MS) throw invalidInput("period", `at most ${MAX_PERIOD_DAYS} days`);
  return { fromMs, toMs };
}

export interface Insights extends InsightSummary {
  emerging: InsightTopicDoc[];
}

function summaryLimit(limit: number | null | undefined): number {
  const n = limit ?? 10;
  if (!Number.isInteger(n) || n < 1 || n > MAX_ASPECTS) throw invalidInput("limit", `must be 1 to ${MAX_ASPECTS}`);
  return n;
}

/** A period's summary from the few roll-up blocks that tile it (at most two per level and half: about a dozen for 90 days), by `_id`. */
async function summarize(deps: Deps, owner: string, period: { fromMs: number; toMs: number }, limit: number): Promise<InsightSummary> {
  const blocks = periodBlocks(period);
  const ids = blocks.map((b) => `${blockId(owner, b.level, b.index)}.r`);
  const found = new Map((await findByIds(deps.models.InsightBlock, ids)).map((d) => [d._id, d]));
  const counts: DayCounts[] = [];
  blocks.forEach((b, i) => {
    const doc = found.get(ids[i]!);
    // Dated at its first day: a block lies wholly in one half of the period (periodBlocks), so direction counts as from the days.
    if (doc) counts.push(blockCounts(doc, b.fromMs));
  });
  try {
    return summarizeDayCounts(counts, period, { limit, quotes: QUOTES_PER_ASPECT });
  } catch (err) {
    if (err instanceof InsightsInputError) throw invalidInput("period", err.message);
    throw err;
  }
}

/** A product's insights over a period: one bucket per day read, however many reviews it has. */
export async function productInsights(
  deps: Deps,
  shopId: string,
  productId: string,
  periodInput: InsightsPeriodInput | null | undefined,
  limit?: number | null,
): Promise<Insights> {
  const period = insightsPeriod(periodInput, deps.now());
  const n = summaryLimit(limit);
  const p = productHash(shopId, productId);
  return cached(deps, p, `${p}.${period.fromMs}.${period.toMs}.${n}`, async () => {
    const summary = await summarize(deps, p, period, n);
    const topics = await deps.models.InsightTopic.find({ _id: { $gt: `${p}.`, $lt: `${p}.~` } })
      .sort({ _id: 1 })
      .lean<InsightTopicDoc[]>();
    return { ...summary, emerging: topics.filter((t) => t.current && t.since.getTime() < period.toMs) };
  });
}

/** The shop's insights over a period (all its products), with its products' current emerging topics. */
export async function shopInsights(
  deps: Deps,
  shopId: string,
  periodInput: InsightsPeriodInput | null | undefined,
  limit?: number | null,
): Promise<Insights> {
  const period = insightsPeriod(periodInput, deps.now());
  const n = summaryLimit(limit);
  const s = shopHash(shopId);
  return cached(deps, s, `${s}.${period.fromMs}.${period.toMs}.${n}`, async () => {
    const summary = await summarize(deps, s, period, n);
    const topics = await deps.models.InsightTopic.find({ shopId, current: true }).lean<InsightTopicDoc[]>();
    return {
      ...summary,
      emerging: topics.filter((t) => t.since.getTime() < period.toMs).sort((a, b) => b.since.getTime() - a.since.getTime()),
    };
  });
}
