/**
 * What customers say: each review's text analysed off the request path
 * (@starling/insights), kept per review in `review_insights`, and counted per
 * product and UTC day (and per shop and day) in `insight_days`, from which a
 * period's aspects and a product's emerging topics are read without reading
 * its reviews.
 *
 * The work runs in the durable `insights` lease queue (db/lease-queue.ts),
 * shared by every API process; a worker handles the jobs it claims in one
 * round, each kind together (handleInsightsJobs):
 *
 * - `analyze` (job id = review id): enqueued with the review's insert, before
 *   it (storeNewReviews), so a crash anywhere after the acknowledgement leaves
 *   the job; a job whose review never got stored is dropped after a minute.
 *   The round that stores the analyses recounts their days (as `day` jobs
 *   would) before it completes them.
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
 *   products' buckets; queued to run SHOPDAY_DELAY_MS later, so a burst of
 *   the shop's reviews merges it once.
 * - A block of at most READ_ASPECTS aspects is one document (its cut, whole):
 *   blockWrites.
 * - Roll-ups: blocks of 2^level days (@starling/insights blockOf), each
 *   rebuilt from its two halves, up to level 8. A round's day (and shop-day)
 *   recounts roll up every block above all of their days in one pass
 *   (rollUpBlocks: halves from memory or one query, one bulk write), so a
 *   block under N changed days is rebuilt once. A `block` job (per owner,
 *   level and index) is what a roll-up's look-again queues when a half it read
 *   changed meanwhile. A period is read from the few blocks that tile it
 *   (periodBlocks), each cut to what a read needs (the most mentioned aspects,
 *   quotes on the first 20), so the read costs the same at 100 or 100 000
 *   reviews. Aspects are stored deflated (packAspects).
 * - `emerge` (per product): the product's emerging topics as of now, from its
 *   buckets; a topic not open before records one `insights.emerging_topic`
 *   event (recordEvent, deterministic id per product, aspect, direction and
 *   start day).
 */
import { createHash, randomUUID } from "node:crypto";
import { performance } from "node:perf_hooks";
import { deflateRawSync, inflateRawSync } from "node:zlib";
import { type AnyBulkWriteOperation, Binary } from "mongodb";
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
  blockOf,
  dayCountsOf,
  dayOf,
  emergingFromDayCounts,
  mergeDayCounts,
  periodBlocks,
  rollUpDayCounts,
  summarizeDayCounts,
  trimDayCounts,
} from "@starling/insights/light";
import type { InsightBlockDoc, InsightDayDoc, InsightTopicDoc, ReviewInsightDoc } from "./model.js";
import type { Models } from "../models.js";
import type { ReviewDoc } from "../reviews/model.js";
import type { DueJobWatch, LeasedJob, LeaseQueue, LeaseWorker } from "../../db/lease-queue.js";
import { inRounds, runLeaseWorker } from "../../db/lease-queue.js";
import { findByIds } from "../../db/find-by-ids.js";
import { invalidInput } from "../../errors.js";
import type { Deps } from "../deps.js";
import { recordEvent } from "../events/events.js";
import { ERASED_PAYLOAD } from "../reviews/review.js";
import { upsertWinningRace } from "../../db/upsert.js";
import { AnalysisThreads, type ReviewResult } from "../../analysis-threads.js";

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
/**
 * The highest level of block a read uses: periodBlocks tiles each half of a
 * period apart, and a half of at most 183 days holds no block of 256 (level
 * 8). Blocks above it are neither written nor kept (rollUp removes them), so a
 * review of a product rewrites 7 blocks, not 8, and the shop's largest is not
 * rewritten at all.
 */
export const TOP_LEVEL = Math.min(MAX_BLOCK_LEVEL, Math.floor(Math.log2(Math.ceil(MAX_PERIOD_DAYS / 2))));
/** An analysis job whose review is not there after this was for a review never stored (its insert failed). */
const MISSING_REVIEW_GRACE_MS = 60_000;
/** Emerge jobs wait this long, so a burst of day recomputes of one product becomes one check. */
const EMERGE_DELAY_MS = 500;
/** Block jobs wait this long, so a burst of recounts below one block becomes one roll-up. */
const BLOCK_DELAY_MS = 200;
/**
 * Shop-day jobs wait this long, so a burst of a shop's reviews recounts its
 * day once in this time rather than every round: a shop-day is merged from
 * all of that day's product buckets (hundreds in a busy shop, each read whole
 * twice on FerretDB), its bucket is the shop's largest, and its roll-up
 * rewrites the shop's blocks at every level (about 0.2 s of FerretDB's CPU
 * with 500 products' buckets of the day; at 2 s it came every round or two of
 * a backlog). A shop's insights lag its products' by this much at most.
 *
 * A delta instead (the shop's bucket moved by the changed product buckets
 * only) was weighed and not built, for the invariant above. Taking a
 * product's old share out needs that share (a second copy of every product
 * bucket, or every product's share kept in the shop's bucket: the merge's
 * whole input again), and a job run twice or after a crash must know what it
 * already applied (a version per product, written with the bucket), while day
 * jobs of a shop's products run side by side on FerretDB's unisolated
 * read-modify-write. Even then only the integer counts come out exact:
 * polaritySum is a float sum (old − x + y is not the recomputed sum), and a
 * bucket's quotes are the clearest few of all its products' (keepClearest)
 * under a cut of its aspects (storedAspects), which a product's removal cannot
 * undo without reading the others again. What it would save, measured with
 * `DRAIN_PRIOR=600 DRAIN_COMMANDS=0 DRAIN_BY_KIND=1 … bench:insights-drain`
 * (750 product buckets of the day, load 11-14): one shop-day merge cost
 * FerretDB 0.26 s of CPU, 1.7 ms a drained review against 11.3 ms for the
 * analyses' rounds and 2.1 ms for the topic checks (without DRAIN_BY_KIND,
 * the worker's own drain: 47 ms a review in all, load 15); at one merge per
 * 10 s that is 2.6 % of a core while a shop is busy, growing with the day's
 * products, which a delta would cut to the changed ones' share.
 */
const SHOPDAY_DELAY_MS = 10_000;

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
export async function enqueueAnalyses(deps: Deps, reviewIds: readonly string[], { backfill = false } = {}): Promise<void> {
  const enqueue = () =>
    insightsQueue(deps).enqueueMany(reviewIds.map((reviewId) => ({ id: reviewId, payload: { kind: "analyze", reviewId } })));
  // A backfill's reviews are old ones: the rounds need not give way to it.
  if (backfill) {
    await enqueue();
    return;
  }
  // New reviews arriving: this process's rounds wait for a pause in them
  // (INSIGHTS_WRITE_PAUSE). Inside storeNewReviews' batch this changes nothing
  // (the batch counts already); a caller outside one counts as a write too.
  deps.reviewWritesQuiet.begin();
  try {
    await enqueue();
  } finally {
    deps.reviewWritesQuiet.end();
  }
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
    const day = await recomputeProductDay(deps, doc.shopId, doc.productId, dayMs);
    const shopDay = await recomputeShopDay(deps, doc.shopId, dayMs);
    // Every roll-up above that day too, product's and shop's: each is built from the one below.
    await rollUpBlocks(deps, [
      { shopId: doc.shopId, owner: productHash(doc.shopId, doc.productId), fresh: [day.part] },
      { shopId: doc.shopId, owner: shopHash(doc.shopId), fresh: [shopDay.part] },
    ]);
    // A recount in flight elsewhere may have read the quote before: it sees the change and runs again.
    await enqueueDay(deps, doc.shopId, doc.productId, dayMs);
  }
}

// ---------------------------------------------------------------- the work

type AnalyzeJob = LeasedJob<InsightsJob & { kind: "analyze" }>;

/**
 * Where the analysis runs (language detector, compromise, lexicons: about 170
 * MB of RSS, ~3-4 ms of CPU for a 150-word review): one background thread per
 * process (src/analysis-threads.ts), at the lowest priority on Linux, so it
 * takes only the CPU that requests and the database leave idle, and never the
 * event loop. Started by the first analysis job, not when the API starts: a
 * process that never analyses stays at the size of its requests. Closed when
 * the process' insights worker stops; a later job starts a new one.
 */
const analysisThreads = new WeakMap<Deps, AnalysisThreads>();

function analysisThread(deps: Deps): AnalysisThreads {
  let threads = analysisThreads.get(deps);
  if (!threads) analysisThreads.set(deps, (threads = new AnalysisThreads({ size: 1, background: true })));
  return threads;
}

/** Ends this process' analysis thread (what it was analysing fails, so those jobs are retried later). */
async function closeAnalysisThread(deps: Deps): Promise<void> {
  const threads = analysisThreads.get(deps);
  analysisThreads.delete(deps);
  await threads?.close();
}

/** This process' analysis thread, if one runs (tests end it to see that its work is not lost). */
export function runningAnalysisThread(deps: Deps): AnalysisThreads | undefined {
  return analysisThreads.get(deps);
}

/**
 * A round's analyses together: the reviews, earlier analyses and erasure
 * tombstones each read in one query, the texts analysed in one message to the
 * analysis thread, the analyses written in one bulk write (the worker's time
 * was mostly round trips). Returns the jobs done and the days whose buckets
 * they change: the round recounts those itself before it completes the jobs
 * (handleInsightsJobs), so a crash before that leaves the analyses to be
 * redone, and their recounts with them; a `day` job each (queued, claimed,
 * completed: five writes to the queue) cost FerretDB more than the recount's
 * reads. A failure of one analysis fails that job only; a thread that dies
 * fails the round's analyses, which are retried later like any failed job
 * (their leases keep them meanwhile); `failed` gets them.
 */
async function analyzeAll(
  deps: Deps,
  jobs: readonly AnalyzeJob[],
  queue: LeaseQueue<InsightsJob>,
  failed: Map<string, unknown>,
): Promise<{ done: AnalyzeJob[]; days: DayRef[] }> {
  const ids = jobs.map((j) => j.payload.reviewId);
  const [reviews, erasedBefore] = await Promise.all([
    findByIds(deps.models.Review, ids),
    deps.models.ReviewInsight.find({ _id: { $in: ids }, erased: true }, { _id: 1 }).lean<{ _id: string }[]>(),
  ]);
  const byId = new Map(reviews.map((r) => [r._id, r]));
  const erased = new Set(erasedBefore.map((d) => d._id));
  const done: AnalyzeJob[] = [];
  const toAnalyze: { job: AnalyzeJob; review: ReviewDoc }[] = [];
  for (const job of jobs) {
    const id = job.payload.reviewId;
    const review = byId.get(id);
    if (!review) {
      // Enqueued before the insert: not there yet, or never stored.
      if (Date.now() - job.createdAt.getTime() < MISSING_REVIEW_GRACE_MS)
        await queue.retryLater(job, new Date(Date.now() + 2_000), "review not stored yet");
      else done.push(job);
      continue;
    }
    if (review.payloadHash === ERASED_PAYLOAD || erased.has(id)) {
      done.push(job);
      continue;
    }
    toAnalyze.push({ job, review });
  }
  let results: ReviewResult[] = [];
  if (toAnalyze.length) {
    try {
      results = await analysisThread(deps).run({
        action: "reviews",
        reviews: toAnalyze.map(({ review }) => ({ title: review.title, body: review.body, language: languageOf(review.language) })),
      });
    } catch (error) {
      for (const { job } of toAnalyze) failed.set(job.id, error);
      toAnalyze.length = 0;
    }
  }
  const docs: ReviewInsightDoc[] = [];
  const days = new Map<string, DayRef>();
  toAnalyze.forEach(({ job, review }, i) => {
    const result = results[i]!;
    if ("error" in result) {
      failed.set(job.id, new Error(result.error));
      return;
    }
    const { insight } = result;
    const now = new Date();
    const dayMs = dayOf(review.createdAt.getTime());
    docs.push({
      _id: review._id,
      shopId: review.shopId,
      productId: review.productId,
      dayKey: `${productHash(review.shopId, review.productId)}.${ymd(dayMs)}.${review._id}`,
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
    });
    days.set(dayJob(review.shopId, review.productId, dayMs).id, { shopId: review.shopId, productId: review.productId, dayMs });
    done.push(job);
  });
  if (docs.length) {
    await deps.models.ReviewInsight.collection.bulkWrite(
      docs.map((doc) => ({ replaceOne: { filter: { _id: doc._id } as never, replacement: doc as never, upsert: true } })),
      { ordered: false },
    );
    // Erased while we analysed (the tombstone comes first in eraseReviewerData): undo.
    const tombstones = await deps.models.ErasedReview.find({ _id: { $in: docs.map((d) => d._id) } }, { _id: 1 }).lean<{ _id: string }[]>();
    if (tombstones.length)
      await deps.models.ReviewInsight.updateMany(
        { _id: { $in: tombstones.map((t) => t._id) } },
        { $set: { erased: true, aspects: [], polarity: 0, language: "und", changedAt: new Date() } },
      );
  }
  return { done, days: [...days.values()] };
}

function dayJob(shopId: string, productId: string, dayMs: number): { id: string; payload: InsightsJob } {
  return { id: `day.${productHash(shopId, productId)}.${ymd(dayMs)}`, payload: { kind: "day", shopId, productId, dayMs } };
}

/** The stored analysis as the pure functions take it; the review's stars decide whether a complaint is a failure one (aggregate.ts). */
function toAnalyzed(doc: ReviewInsightDoc, rating?: number): AnalyzedReview {
  return {
    reviewId: doc._id,
    productId: doc.productId,
    timeMs: doc.createdAt.getTime(),
    rating: rating ?? null,
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
  // The counts towards emerging topics (AspectDayCount.trendPositive/trendNegative/trendFailure); absent in buckets
  // stored before them, and failure absent in those stored before it.
  trend?: [positive: number, negative: number, failure?: number],
];

/**
 * Aspects as JSON text of arrays rather than nested documents, because
 * FerretDB decodes a nested document field by field (90 day buckets of 170 KB
 * took 20–30 s to read nested, 1 s as strings), and arrays rather than
 * objects, because the field names were half of every quote's bytes.
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
        [a.trendPositive ?? a.positive, a.trendNegative ?? a.negative, a.trendFailure ?? 0],
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
    ...(trend ? { trendPositive: trend[0], trendNegative: trend[1], trendFailure: trend[2] ?? 0 } : {}),
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

/**
 * Aspects as stored now: that JSON text deflated (raw, level 1), as binary.
 * FerretDB's time on a bucket or block is its bytes (it parses each document
 * whole, whatever the projection; a 67 KB roll-up took 8 ms to write and 2.8 ms
 * to read as text, 2.0 and 1.0 ms as its 16 KB deflated; 12 blocks of a
 * 90-day read 9 ms as 194 KB of text, 3.5 ms as 50 KB deflated), and JSON text
 * of quotes deflates about fourfold for 0.4 ms per 67 KB.
 */
export function packAspects(aspects: readonly AspectDayCount[]): Binary {
  return new Binary(deflateRawSync(encodeAspects(aspects), { level: 1 }));
}

/** What a bucket or block stores its aspects in: `packed` now; JSON text (`data`) or nested documents (`aspects`) before. */
export interface StoredAspects {
  packed?: Binary;
  data?: string;
  aspects?: unknown[];
}

/** The aspects of a stored bucket or block, whichever way it was written. */
export function storedAspectsOf(doc: StoredAspects): AspectDayCount[] {
  if (doc.packed) return decodeAspects(inflateRawSync(doc.packed.read(0, doc.packed.length())).toString("utf8"));
  if (doc.data !== undefined) return decodeAspects(doc.data);
  return (doc.aspects ?? []) as AspectDayCount[];
}

type DayDoc = InsightDayDoc;
type BlockDoc = InsightBlockDoc;

/** A bucket or block as counts dated `dayMs` (its first day). */
function countsOf(doc: DayDoc | BlockDoc, dayMs: number): DayCounts {
  return { dayMs, reviews: doc.reviews, polaritySum: doc.polaritySum, aspects: storedAspectsOf(doc) };
}

function toDayCounts(doc: DayDoc): DayCounts {
  return countsOf(doc, doc.day.getTime());
}

/** A bucket as stored: every aspect's counts; full quotes for the most mentioned, the clearest of each sign for the rest. */
function storedAspects(counts: DayCounts): Binary {
  return packAspects(trimDayCounts(counts, { aspects: Number.POSITIVE_INFINITY, quotedAspects: QUOTED_ASPECTS, otherQuotes: 1 }).aspects);
}

function blockId(owner: string, level: number, index: number): string {
  return `${owner}.${level}.${index}`;
}

/** A day bucket's id (level 0: it is the insight_days document) or a block's. */
function partId(owner: string, level: number, index: number): string {
  return level === 0 ? `${owner}.${ymd(index * DAY_MS)}` : blockId(owner, level, index);
}

/**
 * The writes of a block (level >= 1: all its counts, what its parent is built
 * from) and of its cut for reading (any level), or the removal of both. A
 * block of at most READ_ASPECTS aspects is written once, whole, as its cut
 * (`<id>.r`, marked `whole`: the read trims it as it would have been cut, the
 * parent's roll-up takes it as the block), and its id for the whole block goes
 * to `gone`, to be removed in one statement for all of them (it may hold the
 * block from when it was larger): every document written is a statement that
 * costs FerretDB about a millisecond of CPU, and a product's review rewrote
 * two documents at each of the 8 levels above its day.
 */
function blockWrites(
  shopId: string,
  owner: string,
  level: number,
  index: number,
  counts: DayCounts | null,
  now: Date,
  gone: string[],
): AnyBulkWriteOperation[] {
  const id = blockId(owner, level, index);
  if (!counts) return [{ deleteMany: { filter: { _id: { $in: [id, `${id}.r`] } } as never } }];
  const doc = (key: string, packed: Binary, whole?: true): BlockDoc => ({
    _id: key,
    shopId,
    reviews: counts.reviews,
    polaritySum: counts.polaritySum,
    packed,
    computedAt: now,
    ...(whole ? { whole } : {}),
  });
  const replace = (d: BlockDoc): AnyBulkWriteOperation => ({
    replaceOne: { filter: { _id: d._id } as never, replacement: d as never, upsert: true },
  });
  if (level > 0 && counts.aspects.length <= READ_ASPECTS) {
    gone.push(id);
    return [replace(doc(`${id}.r`, storedAspects(counts), true))];
  }
  const read = trimDayCounts(counts, { aspects: READ_ASPECTS, quotedAspects: MAX_ASPECTS });
  const cut = replace(doc(`${id}.r`, packAspects(read.aspects)));
  if (level === 0) return [cut];
  return [replace(doc(id, storedAspects(counts))), cut];
}

/** The removal of the whole-block documents of blocks now written whole as their cut (blockWrites' `gone`). */
function goneWrites(gone: readonly string[]): AnyBulkWriteOperation[] {
  return gone.length ? [{ deleteMany: { filter: { _id: { $in: [...gone] } } as never } }] : [];
}

/** A block as read: its cut trimmed as blockWrites cuts it, when it was stored whole as its cut. */
function readCut(doc: BlockDoc, dayMs: number): DayCounts {
  const counts = countsOf(doc, dayMs);
  return doc.whole ? trimDayCounts(counts, { aspects: READ_ASPECTS, quotedAspects: MAX_ASPECTS }) : counts;
}

/** A day bucket (level 0) or a block, as one half of the block above it. */
export interface RollUpPart {
  level: number;
  index: number;
  id: string;
  /** When it was written; null: there is none. */
  at: Date | null;
  /** A block read (level >= 1): when its cut `<id>.r` was written (it may be the whole block, blockWrites); null: none. */
  cutAt?: Date | null;
  counts: DayCounts | null;
}

/** What a roll-up read from the database (its look-again compares it with what is there afterwards). */
export interface RollUpRead {
  shopId: string;
  owner: string;
  parts: RollUpPart[];
}

/** One owner's (product's or shop's) share of a roll-up: day buckets just written (with their counts), blocks to rebuild from what is stored. */
export interface RollUpRequest {
  shopId: string;
  owner: string;
  fresh: readonly RollUpPart[];
  requested?: readonly { level: number; index: number }[];
}

/**
 * Recomputes the blocks above what changed, for any number of owners, up to
 * TOP_LEVEL, in one pass. A block is rebuilt from its two halves: a half
 * computed in this pass (or just written, `fresh`) is taken from memory; the
 * others, known before anything is computed (the halves of the blocks to
 * rebuild that are not rebuilt themselves), are read by `_id` in one query for
 * days and one for blocks. Everything is written in one bulk write, then each
 * owner's version is replaced (one more). N changed days below one block cost
 * one roll-up of it, not N, and a round of jobs costs a few round trips
 * whatever its levels and owners (the chain of one job per level, each
 * reading back the block below it, was most of the worker's time).
 */
export async function rollUpBlocks(deps: Deps, requests: readonly RollUpRequest[]): Promise<RollUpRead[]> {
  try {
    return await rollUp(deps, requests);
  } finally {
    // Also after a failure: the day buckets' cuts were written before this, and a read's cache must not outlive them.
    await bumpVersions(deps, requests);
  }
}

async function rollUp(deps: Deps, requests: readonly RollUpRequest[]): Promise<RollUpRead[]> {
  const now = new Date();
  const key = (owner: string, level: number, index: number) => `${owner}|${level}|${index}`;
  const known = new Map<string, RollUpPart>();
  // Per request, per level (1 …), the blocks to rebuild.
  const plans = requests.map((r) => {
    for (const p of r.fresh) known.set(key(r.owner, p.level, p.index), p);
    const targets: Set<number>[] = [];
    for (let level = 1; level <= TOP_LEVEL; level++) {
      const t = new Set<number>();
      for (const q of r.requested ?? []) if (q.level === level) t.add(q.index);
      for (const p of r.fresh) if (p.level === level - 1) t.add(Math.floor(p.index / 2));
      for (const i of targets[level - 1] ?? []) t.add(Math.floor(i / 2));
      targets[level] = t;
    }
    return { r, targets };
  });
  // The halves to read: those neither fresh nor rebuilt here.
  const missing: RollUpPart[] = [];
  const reads = new Map<string, RollUpPart[]>();
  for (const { r, targets } of plans) {
    const list: RollUpPart[] = [];
    for (let level = 1; level <= TOP_LEVEL; level++)
      for (const t of targets[level]!)
        for (const index of [2 * t, 2 * t + 1]) {
          const k = key(r.owner, level - 1, index);
          if (known.has(k) || (targets[level - 1]?.has(index) ?? false)) continue;
          const part: RollUpPart = { level: level - 1, index, id: partId(r.owner, level - 1, index), at: null, counts: null };
          known.set(k, part);
          list.push(part);
          missing.push(part);
        }
    reads.set(r.owner, list);
  }
  const [days, blocks] = await Promise.all([
    findByIds<DayDoc>(
      deps.models.InsightDay as never,
      missing.filter((p) => p.level === 0).map((p) => p.id),
    ),
    // A block is its whole document, or its cut when that is marked whole (blockWrites).
    findByIds<BlockDoc>(
      deps.models.InsightBlock as never,
      missing.filter((p) => p.level > 0).flatMap((p) => [p.id, `${p.id}.r`]),
    ),
  ]);
  const found = new Map<string, DayDoc | BlockDoc>([...days, ...blocks].map((d) => [d._id, d]));
  for (const p of missing) {
    const cut = p.level > 0 ? (found.get(`${p.id}.r`) as BlockDoc | undefined) : undefined;
    if (p.level > 0) p.cutAt = cut?.computedAt ?? null;
    const full = found.get(p.id);
    if (full) p.at = full.computedAt;
    // A cut that is not whole, without its block (being written, or removed), is not the block: no counts, and the
    // look-again (both times) queues this roll-up again once the writes are done.
    const doc = full ?? (cut?.whole ? cut : undefined);
    if (doc) p.counts = countsOf(doc, p.index * 2 ** p.level * DAY_MS);
  }
  const writes: AnyBulkWriteOperation[] = [];
  const gone: string[] = [];
  for (const { r, targets } of plans)
    for (let level = 1; level <= TOP_LEVEL; level++)
      for (const t of targets[level]!) {
        const parts = [2 * t, 2 * t + 1]
          .map((i) => known.get(key(r.owner, level - 1, i))!.counts)
          .filter((c): c is DayCounts => c !== null);
        const counts = parts.length
          ? rollUpDayCounts(parts, t * 2 ** level * DAY_MS, { quotes: QUOTES_PER_ASPECT, quotedAspects: QUOTED_ASPECTS })
          : null;
        known.set(key(r.owner, level, t), { level, index: t, id: blockId(r.owner, level, t), at: now, counts });
        writes.push(...blockWrites(r.shopId, r.owner, level, t, counts, now, gone));
      }
  // Blocks above TOP_LEVEL, written before it (with quotes an erasure must not leave): removed with the rest.
  for (const { r, targets } of plans)
    for (const t of targets[TOP_LEVEL]!)
      for (let level = TOP_LEVEL + 1; level <= MAX_BLOCK_LEVEL; level++) {
        const id = blockId(r.owner, level, Math.floor(t / 2 ** (level - TOP_LEVEL)));
        gone.push(id, `${id}.r`);
      }
  writes.push(...goneWrites(gone));
  if (writes.length) await upsertWinningRace(() => deps.models.InsightBlock.collection.bulkWrite(writes as never[], { ordered: false }));
  // Only ids and times are kept of what was read.
  return requests.map((r) => ({ shopId: r.shopId, owner: r.owner, parts: reads.get(r.owner)!.map((p) => ({ ...p, counts: null })) }));
}

/** Rebuilds one block (level >= 1) from its two halves as stored, and every block above it. */
export async function recomputeBlock(deps: Deps, shopId: string, owner: string, level: number, index: number): Promise<RollUpRead> {
  return (await rollUpBlocks(deps, [{ shopId, owner, fresh: [], requested: [{ level, index }] }]))[0]!;
}

/** Ids with their write times, by `_id` (the documents themselves stay in the database). */
async function writtenAt(model: Models["InsightDay"] | Models["InsightBlock"], ids: readonly string[]): Promise<Map<string, number>> {
  if (!ids.length) return new Map();
  const docs = await (model as Models["InsightBlock"])
    .find({ _id: { $in: [...new Set(ids)] } }, { computedAt: 1 })
    .lean<{ _id: string; computedAt: Date }[]>();
  return new Map(docs.map((d) => [d._id, d.computedAt.getTime()]));
}

/**
 * Roll-ups' look-again: a half they read that was written (or removed) since
 * was changed by someone whose own roll-up may have read these blocks before
 * they were written, so the block above that half is queued again (and
 * rebuilds everything above it).
 */
async function rollUpLookAgain(deps: Deps, rolled: readonly RollUpRead[]): Promise<void> {
  const parts = rolled.flatMap((r) => r.parts.map((p) => ({ r, p })));
  const [days, blocks] = await Promise.all([
    writtenAt(
      deps.models.InsightDay,
      parts.filter(({ p }) => p.level === 0).map(({ p }) => p.id),
    ),
    writtenAt(
      deps.models.InsightBlock,
      parts.filter(({ p }) => p.level > 0).flatMap(({ p }) => [p.id, `${p.id}.r`]),
    ),
  ]);
  const again = new Map<string, { shopId: string; owner: string; level: number; index: number }>();
  for (const { r, p } of parts) {
    const now = (p.level === 0 ? days : blocks).get(p.id) ?? null;
    const cutNow = p.level === 0 ? null : (blocks.get(`${p.id}.r`) ?? null);
    if (now === (p.at?.getTime() ?? null) && cutNow === (p.cutAt?.getTime() ?? null)) continue;
    const level = p.level + 1;
    const index = Math.floor(p.index / 2);
    again.set(blockId(r.owner, level, index), { shopId: r.shopId, owner: r.owner, level, index });
  }
  for (const b of again.values()) await enqueueBlock(deps, b.shopId, b.owner, b.level, b.index);
}

/**
 * An owner's (product's or shop's) aggregate version, `<owner>.v` beside its
 * blocks: a new random value after every change a read could see (a block
 * written or removed, a topic stored or closed). Every process checks it
 * before answering from its cache, so none answers from a cache older than
 * the last change, erasures included.
 */
async function bumpVersions(deps: Deps, owners: readonly { shopId: string; owner: string }[]): Promise<void> {
  if (!owners.length) return;
  const at = new Date();
  const writes = owners.map(({ shopId, owner }) => {
    const doc: InsightBlockDoc = { _id: `${owner}.v`, shopId, reviews: 0, polaritySum: 0, data: randomUUID(), computedAt: at };
    return { replaceOne: { filter: { _id: doc._id } as never, replacement: doc as never, upsert: true } };
  });
  // Every roll-up, the worker's and an erasure's alike, bumps the same owners' versions.
  await upsertWinningRace(() => deps.models.InsightBlock.collection.bulkWrite(writes, { ordered: false }));
  for (const { owner } of owners) caches.get(deps)?.forget(owner);
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

async function enqueueBlock(deps: Deps, shopId: string, owner: string, level: number, index: number): Promise<void> {
  await insightsQueue(deps).enqueue(
    `block.${blockId(owner, level, index)}`,
    { kind: "block", shopId, owner, level, index },
    new Date(Date.now() + BLOCK_DELAY_MS),
  );
}

function productDayPrefix(shopId: string, productId: string, dayMs: number): string {
  return `${productHash(shopId, productId)}.${ymd(dayMs)}.`;
}

async function productDayRows(deps: Deps, shopId: string, productId: string, dayMs: number): Promise<ReviewInsightDoc[]> {
  const prefix = productDayPrefix(shopId, productId, dayMs);
  return deps.models.ReviewInsight.find({ dayKey: { $gt: prefix, $lt: `${prefix}~` } })
    .sort({ dayKey: 1 })
    .lean<ReviewInsightDoc[]>();
}

/** What productDayRows' versionOf would say now, without reading the analyses themselves. */
async function productDaySeen(deps: Deps, shopId: string, productId: string, dayMs: number): Promise<string> {
  const prefix = productDayPrefix(shopId, productId, dayMs);
  const rows = await deps.models.ReviewInsight.find({ dayKey: { $gt: prefix, $lt: `${prefix}~` } }, { changedAt: 1 })
    .sort({ dayKey: 1 })
    .lean<Pick<ReviewInsightDoc, "_id" | "changedAt">[]>();
  return versionOf(rows.map((r) => [r._id, r.changedAt]));
}

/**
 * Recounts one product's bucket of one day from its analyses and the reviews'
 * current statuses. Returns what it read (for the look-again) and the bucket
 * as the half of its level-1 block (rollUpBlocks, which also replaces the
 * product's version).
 */
export async function recomputeProductDay(
  deps: Deps,
  shopId: string,
  productId: string,
  dayMs: number,
): Promise<{ seen: string; part: RollUpPart }> {
  return (await recomputeProductDays(deps, [{ shopId, productId, dayMs }]))[0]!;
}

/**
 * recomputeProductDay for several days together: each day's analyses read
 * (a keyset range each), their reviews' statuses in one query, the buckets and
 * their cuts written in one command each (storeProductDays).
 */
async function recomputeProductDays(deps: Deps, days: readonly DayRef[]): Promise<{ seen: string; part: RollUpPart }[]> {
  const all = await Promise.all(days.map((d) => productDayRows(deps, d.shopId, d.productId, d.dayMs)));
  const rows = all.map((list) => list.filter((r) => !r.erased));
  const reviews = await findByIds(
    deps.models.Review,
    rows.flatMap((list) => list.map((r) => r._id)),
  );
  const published = new Map(
    reviews.filter((r) => r.status === "published" && r.payloadHash !== ERASED_PAYLOAD).map((r) => [r._id, r.rating]),
  );
  const parts = await storeProductDays(
    deps,
    days.map((d, i) => {
      const counted = rows[i]!.filter((r) => published.has(r._id)).map((r) => toAnalyzed(r, published.get(r._id)));
      return { ...d, counts: counted.length ? dayCountsOf(counted, { quotes: QUOTES_PER_ASPECT }) : null };
    }),
  );
  return days.map((_, i) => ({ seen: versionOf(all[i]!.map((r) => [r._id, r.changedAt])), part: parts[i]! }));
}

/**
 * Writes a product's bucket of a day and its cut for reading, or removes both
 * when nothing counts. The blocks above it and the product's version are
 * rollUpBlocks' (given what this returns).
 */
export async function storeProductDay(
  deps: Deps,
  shopId: string,
  productId: string,
  dayMs: number,
  counts: DayCounts | null,
): Promise<RollUpPart> {
  return (await storeProductDays(deps, [{ shopId, productId, dayMs, counts }]))[0]!;
}

/** storeProductDay for several buckets, in one command for the buckets and one for their cuts. */
async function storeProductDays(deps: Deps, buckets: readonly (DayRef & { counts: DayCounts | null })[]): Promise<RollUpPart[]> {
  const now = new Date();
  const days = buckets.map(({ shopId, productId, dayMs, counts }): DayWrite => {
    const owner = productHash(shopId, productId);
    const id = `${owner}.${ymd(dayMs)}`;
    const doc: DayDoc | null = counts && {
      _id: id,
      shopId,
      productId,
      day: new Date(dayMs),
      shopDayKey: `${shopHash(shopId)}.${ymd(dayMs)}.${owner}`,
      reviews: counts.reviews,
      polaritySum: counts.polaritySum,
      packed: storedAspects(counts),
      computedAt: now,
    };
    return { shopId, owner, day: blockOf(dayMs, 0).index, id, doc, counts };
  });
  await writeDays(deps, days, now);
  return days.map(({ day, id, doc, counts }) => ({ level: 0, index: day, id, at: doc ? now : null, counts }));
}

/** A day bucket to write (`doc`), or to remove (null), with its counts for its cut. */
interface DayWrite {
  shopId: string;
  owner: string;
  /** Days since the epoch. */
  day: number;
  id: string;
  doc: DayDoc | null;
  counts: DayCounts | null;
}

/** Day buckets and their cuts for reading: one command for the buckets and one for the cuts, side by side (the worker's time is mostly round trips). */
async function writeDays(deps: Deps, days: readonly DayWrite[], now: Date): Promise<void> {
  if (!days.length) return;
  const buckets: AnyBulkWriteOperation[] = days.map(({ id, doc }) =>
    doc
      ? { replaceOne: { filter: { _id: id } as never, replacement: doc as never, upsert: true } }
      : { deleteOne: { filter: { _id: id } as never } },
  );
  const cuts = days.flatMap(({ shopId, owner, day, counts }) => blockWrites(shopId, owner, 0, day, counts, now, []));
  await Promise.all([
    upsertWinningRace(() => deps.models.InsightDay.collection.bulkWrite(buckets as never[], { ordered: false })),
    upsertWinningRace(() => deps.models.InsightBlock.collection.bulkWrite(cuts as never[], { ordered: false })),
  ]);
}

/** What a recount read, to tell afterwards whether anything changed since (ids and their change times). */
function versionOf(entries: [string, Date][]): string {
  return entries
    .map(([id, at]) => `${id}@${at.getTime()}`)
    .sort()
    .join(",");
}

function shopDayPrefix(shopId: string, dayMs: number): string {
  return `${shopHash(shopId)}.${ymd(dayMs)}.`;
}

async function shopDayBuckets(deps: Deps, shopId: string, dayMs: number): Promise<DayDoc[]> {
  const prefix = shopDayPrefix(shopId, dayMs);
  return deps.models.InsightDay.find({ shopDayKey: { $gt: prefix, $lt: `${prefix}~` } })
    .sort({ shopDayKey: 1 })
    .lean<DayDoc[]>();
}

async function shopDaySeen(deps: Deps, shopId: string, dayMs: number): Promise<string> {
  const prefix = shopDayPrefix(shopId, dayMs);
  const rows = await deps.models.InsightDay.find({ shopDayKey: { $gt: prefix, $lt: `${prefix}~` } }, { computedAt: 1 })
    .sort({ shopDayKey: 1 })
    .lean<Pick<InsightDayDoc, "_id" | "computedAt">[]>();
  return versionOf(rows.map((b) => [b._id, b.computedAt]));
}

/** Recounts a shop's bucket of one day from its products' buckets (the blocks above it: rollUpBlocks, given `part`). */
export async function recomputeShopDay(deps: Deps, shopId: string, dayMs: number): Promise<{ seen: string; part: RollUpPart }> {
  const buckets = await shopDayBuckets(deps, shopId, dayMs);
  const seen = versionOf(buckets.map((b) => [b._id, b.computedAt]));
  const owner = shopHash(shopId);
  const id = `${owner}.${ymd(dayMs)}`;
  const day = blockOf(dayMs, 0).index;
  const now = new Date();
  const merged = buckets.length ? mergeDayCounts(buckets.map(toDayCounts), { quotes: QUOTES_PER_ASPECT }) : null;
  const doc: DayDoc | null = merged && {
    _id: id,
    shopId,
    productId: null,
    day: new Date(dayMs),
    shopDayKey: null,
    reviews: merged.reviews,
    polaritySum: merged.polaritySum,
    packed: storedAspects(merged),
    computedAt: now,
  };
  await writeDays(deps, [{ shopId, owner, day, id, doc, counts: merged }], now);
  return { seen, part: { level: 0, index: day, id, at: doc ? now : null, counts: merged } };
}

async function productBuckets(deps: Deps, shopId: string, productId: string): Promise<DayDoc[]> {
  const p = productHash(shopId, productId);
  return deps.models.InsightDay.find({ _id: { $gt: `${p}.`, $lt: `${p}.~` } })
    .sort({ _id: 1 })
    .lean<DayDoc[]>();
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
    await upsertWinningRace(() => deps.models.InsightTopic.collection.replaceOne({ _id: id } as never, doc as never, { upsert: true }));
    out.push(doc);
  }
  let closed = 0;
  for (const o of open)
    if (o.current && !found.has(o._id)) {
      await deps.models.InsightTopic.updateOne({ _id: o._id }, { $set: { current: false } });
      closed++;
    }
  // The product's read and its shop's show current topics: new versions when a topic was written or closed (most
  // checks find none and close none, and two version writes a check were a third of its cost to the database).
  if (out.length || closed)
    await bumpVersions(deps, [
      { shopId, owner: p },
      { shopId, owner: shopHash(shopId) },
    ]);
  return { topics: out, seen };
}

type JobOf<K extends InsightsJob["kind"]> = LeasedJob<InsightsJob & { kind: K }>;

/** A product's day: what a `day` job recounts, and what a round's analyses change. */
interface DayRef {
  shopId: string;
  productId: string;
  dayMs: number;
}

/**
 * Day recounts together (the `day` jobs claimed and the days of the round's
 * analyses, each day once): each day's bucket, then one roll-up per product of
 * all its days recounted here. Completes `jobs` (the day jobs and the
 * analyses) once all is written.
 */
async function recountDays(
  deps: Deps,
  days: readonly DayRef[],
  jobs: readonly LeasedJob<InsightsJob>[],
  queue: LeaseQueue<InsightsJob>,
): Promise<void> {
  const unique = new Map(days.map((d) => [dayJob(d.shopId, d.productId, d.dayMs).id, d]));
  if (!unique.size) {
    await Promise.all(jobs.map((job) => queue.complete(job)));
    return;
  }
  const list = [...unique.values()];
  const recounts = (await recomputeProductDays(deps, list)).map((r, i) => ({ day: list[i]!, ...r }));
  const owners = new Map<string, { shopId: string; parts: RollUpPart[] }>();
  for (const r of recounts) {
    const owner = productHash(r.day.shopId, r.day.productId);
    let o = owners.get(owner);
    if (!o) owners.set(owner, (o = { shopId: r.day.shopId, parts: [] }));
    o.parts.push(r.part);
  }
  const rolled = await rollUpBlocks(
    deps,
    [...owners].map(([owner, o]) => ({ shopId: o.shopId, owner, fresh: o.parts })),
  );
  // The shops' buckets of these days, and one emerging-topic check per product however many of its days changed
  // (any day: an old one is the baseline of the next check; deduplicated while it waits).
  const next = new Map<string, { id: string; payload: InsightsJob; availableAt?: Date }>();
  for (const { day } of recounts) {
    const { shopId, productId, dayMs } = day;
    const shopday = `shopday.${shopHash(shopId)}.${ymd(dayMs)}`;
    next.set(shopday, { id: shopday, payload: { kind: "shopday", shopId, dayMs }, availableAt: new Date(Date.now() + SHOPDAY_DELAY_MS) });
    const emerge = `emerge.${productHash(shopId, productId)}`;
    next.set(emerge, { id: emerge, payload: { kind: "emerge", shopId, productId }, availableAt: new Date(Date.now() + EMERGE_DELAY_MS) });
  }
  await queue.enqueueMany([...next.values()]);
  await Promise.all(jobs.map((job) => queue.complete(job)));
  // Only a day whose job was claimed here looks again: a change that landed meanwhile found that job and queued
  // nothing. A day recounted for an analysis had no job of this round, so such a change queued one of its own.
  const claimed = new Set(jobs.filter((j) => j.payload.kind === "day").map((j) => j.id));
  await Promise.all([
    ...recounts
      .filter(({ day }) => claimed.has(dayJob(day.shopId, day.productId, day.dayMs).id))
      .map(async ({ day, seen }) => {
        const { shopId, productId, dayMs } = day;
        if ((await productDaySeen(deps, shopId, productId, dayMs)) !== seen) await enqueueDay(deps, shopId, productId, dayMs);
      }),
    rollUpLookAgain(deps, rolled),
  ]);
}

/** Shop-day recounts together: each shop's bucket of each day, then one roll-up per shop. */
async function recountShopDays(deps: Deps, jobs: readonly JobOf<"shopday">[], queue: LeaseQueue<InsightsJob>): Promise<void> {
  const recounts = await Promise.all(
    jobs.map(async (job) => ({ job, ...(await recomputeShopDay(deps, job.payload.shopId, job.payload.dayMs)) })),
  );
  const shops = new Map<string, RollUpPart[]>();
  for (const r of recounts) {
    const list = shops.get(r.job.payload.shopId);
    if (list) list.push(r.part);
    else shops.set(r.job.payload.shopId, [r.part]);
  }
  const rolled = await rollUpBlocks(
    deps,
    [...shops].map(([shopId, parts]) => ({ shopId, owner: shopHash(shopId), fresh: parts })),
  );
  await Promise.all(jobs.map((job) => queue.complete(job)));
  await Promise.all([
    ...recounts.map(async ({ job, seen }) => {
      if ((await shopDaySeen(deps, job.payload.shopId, job.payload.dayMs)) !== seen)
        await queue.enqueue(job.id, job.payload, new Date(Date.now() + SHOPDAY_DELAY_MS));
    }),
    rollUpLookAgain(deps, rolled),
  ]);
}

/** Blocks queued by a look-again (or before roll-ups went in one pass): one roll-up per owner of all of them. */
async function rollUpRequested(deps: Deps, jobs: readonly JobOf<"block">[], queue: LeaseQueue<InsightsJob>): Promise<void> {
  const owners = new Map<string, { shopId: string; blocks: { level: number; index: number }[] }>();
  for (const { payload: p } of jobs) {
    let o = owners.get(p.owner);
    if (!o) owners.set(p.owner, (o = { shopId: p.shopId, blocks: [] }));
    o.blocks.push({ level: p.level, index: p.index });
  }
  const rolled = await rollUpBlocks(
    deps,
    [...owners].map(([owner, o]) => ({ shopId: o.shopId, owner, fresh: [], requested: o.blocks })),
  );
  await Promise.all(jobs.map((job) => queue.complete(job)));
  await rollUpLookAgain(deps, rolled);
}

async function emerge(deps: Deps, job: JobOf<"emerge">, queue: LeaseQueue<InsightsJob>): Promise<void> {
  const p = job.payload;
  const { seen } = await checkEmergingTopics(deps, p.shopId, p.productId);
  await queue.complete(job);
  const now = await productBuckets(deps, p.shopId, p.productId);
  if (versionOf(now.map((b) => [b._id, b.computedAt])) !== seen) await queue.enqueue(job.id, p, new Date(Date.now() + EMERGE_DELAY_MS));
}

/**
 * One round of jobs (what a worker claimed at once), each kind together:
 * analyses first, then day recounts (of the day jobs and the analyses' days),
 * shop-day recounts and roll-ups, so N jobs below one block cost one roll-up
 * of it; emerging-topic checks last. Recounts complete and then look again: a
 * change that landed while they ran (its enqueue found the job still there
 * and did nothing) shows as a source that differs from what they read (a new
 * or changed analysis, a bucket or block written or removed since), and
 * queues the recount anew. A job completes only after its work is written, so
 * a crash anywhere leaves it to be taken over. Returns the jobs that failed
 * (by id, with the error), to be retried.
 */
export async function handleInsightsJobs(deps: Deps, jobs: readonly LeasedJob<InsightsJob>[]): Promise<Map<string, unknown>> {
  const queue = insightsQueue(deps);
  const failed = new Map<string, unknown>();
  const of = <K extends InsightsJob["kind"]>(kind: K) => jobs.filter((j) => j.payload.kind === kind) as JobOf<K>[];
  const together = async <J extends LeasedJob<InsightsJob>>(list: J[], work: (list: J[]) => Promise<void>) => {
    if (!list.length) return;
    try {
      await work(list);
    } catch (error) {
      for (const j of list) if (!failed.has(j.id)) failed.set(j.id, error);
    }
  };
  let analysed: { done: AnalyzeJob[]; days: DayRef[] } = { done: [], days: [] };
  await together(of("analyze"), async (list) => {
    analysed = await analyzeAll(deps, list, queue, failed);
  });
  const dayJobs = of("day");
  await together([...dayJobs, ...analysed.done], () =>
    recountDays(deps, [...dayJobs.map((j) => j.payload), ...analysed.days], [...dayJobs, ...analysed.done], queue),
  );
  await together(of("shopday"), (list) => recountShopDays(deps, list, queue));
  await together(of("block"), (list) => rollUpRequested(deps, list, queue));
  // Side by side, each failing alone: their completions go out as one command (LeaseQueue.complete).
  await Promise.all(of("emerge").map((job) => together([job], ([j]) => emerge(deps, j!, queue))));
  return failed;
}

/** One job (as handleInsightsJobs with a round of one); throws if it failed. */
export async function handleInsightsJob(deps: Deps, job: LeasedJob<InsightsJob>): Promise<void> {
  const failed = await handleInsightsJobs(deps, [job]);
  if (failed.has(job.id)) throw failed.get(job.id);
}

const workers = new WeakMap<Deps, LeaseWorker>();

export interface InsightsWorkerOptions {
  readonly batch?: number;
  readonly idleMs?: number;
  readonly available?: () => boolean;
  /** The process's look for due jobs (workers.ts): idle, the worker then waits for it instead of `idleMs`. */
  readonly watch?: DueJobWatch;
}

/** Longest pause after a round (see startInsightsWorker). */
const MAX_PAUSE_MS = 2_000;
/** Rounds wait until this process has had no review write waiting or in flight for this long. */
const QUIET_WRITES_MS = 500;
/** A round goes ahead after waiting this long however busy the writes are, so that a backlog never stops draining under constant load. */
const MAX_HOLD_MS = 30_000;

/**
 * Each round waits, before it claims, until this process's review writes have
 * paused: none waiting or in flight (deps.reviewWrites, which tells
 * deps.reviewWritesQuiet when it gets busy and idle) for QUIET_WRITES_MS, or
 * MAX_HOLD_MS at most. The analysis' CPU is the background thread's, at the lowest priority;
 * what cannot be lowered is the database's: a round's aggregates cost
 * FerretDB far more than its analyses cost the thread (bench:insights-drain:
 * ~35-70 ms of FerretDB CPU a review drained, against ~1.5 ms of analysis),
 * and their writes queue with the submissions' for SQLite's one writer, while
 * the CPU looks idle as both wait on the disk (a probe of the nice-19 thread's
 * CPU share found the bench's core idle about half the time under full
 * submission load, and rounds let through by it cost a quarter of the
 * submissions). The wait follows the writes' own begin and end (QuietTurns),
 * so a write batch however short is seen, and a waiting round wakes only
 * when the writes go idle, when the quiet interval after them is over, at
 * MAX_HOLD_MS, or when the worker stops.
 */
export const INSIGHTS_WRITE_PAUSE = { quietMs: QUIET_WRITES_MS, maxWaitMs: MAX_HOLD_MS } as const;

/** This process's share of the insights work: claims jobs with a lease, several processes side by side. */
export function startInsightsWorker(deps: Deps, options: InsightsWorkerOptions = {}): LeaseWorker {
  // Background work in the process that answers requests: each round waits for
  // a pause in the review writes (INSIGHTS_WRITE_PAUSE), the analyses run on the background thread,
  // and after each round the worker waits as long as the round took (at most
  // 2 s), so even a backlog drained on an idle machine leaves the event loop
  // and the database half of the time.
  const stopping = new AbortController();
  const handle = inRounds<InsightsJob>(async (jobs) => {
    const started = performance.now();
    try {
      return await handleInsightsJobs(deps, jobs);
    } finally {
      await new Promise((resolve) => setTimeout(resolve, Math.min(MAX_PAUSE_MS, performance.now() - started)));
    }
  });
  const worker = runLeaseWorker(insightsQueue(deps), handle, {
    batch: options.batch ?? 16,
    parallel: true,
    idleMs: options.idleMs ?? 1_000,
    available: options.available,
    watch: options.watch,
    // Stopping ends a round's wait at once: it claims nothing then (runLeaseWorker).
    beforeRound: () => deps.reviewWritesQuiet.turn(stopping.signal),
    onError: (error) => deps.log.error("an insights job failed; it is retried later", { error }),
  });
  workers.set(deps, worker);
  return {
    wake: () => worker.wake(),
    stop: async () => {
      stopping.abort();
      if (workers.get(deps) === worker) workers.delete(deps);
      // The thread first: a round waiting on it ends at once (its analyses are retried later) instead of after them.
      await Promise.all([worker.stop(), closeAnalysisThread(deps)]);
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
      await enqueueAnalyses(deps, missing, { backfill: true });
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
 * Buckets written before roll-ups existed (their aspects nested: neither
 * `packed` nor `data`) have no blocks, so no read sees them: their recounts
 * are queued, which writes them anew with their blocks. One pass over the
 * buckets by `_id`. (Buckets and blocks whose aspects are JSON text, as written
 * before they were packed, are read as they are.)
 */
async function rollUpLegacyBuckets(deps: Deps, slice: number): Promise<number> {
  const queue = insightsQueue(deps);
  let after = "#";
  let queued = 0;
  for (;;) {
    const days = await deps.models.InsightDay.find(
      { _id: { $gt: after }, packed: { $exists: false }, data: { $exists: false } },
      { _id: 1, shopId: 1, productId: 1, day: 1 },
    )
      .sort({ _id: 1 })
      .limit(slice)
      .lean<Pick<InsightDayDoc, "_id" | "shopId" | "productId" | "day">[]>();
    if (!days.length) break;
    for (const d of days) {
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

/** The cuts for reading of the few roll-up blocks that tile a period (at most two per level and half: a dozen for 90 days), by `_id` in one query. */
async function periodCuts(deps: Deps, owner: string, period: { fromMs: number; toMs: number }): Promise<DayCounts[]> {
  const blocks = periodBlocks(period);
  const ids = blocks.map((b) => `${blockId(owner, b.level, b.index)}.r`);
  const found = new Map((await findByIds<BlockDoc>(deps.models.InsightBlock as never, ids)).map((d) => [d._id, d]));
  const counts: DayCounts[] = [];
  blocks.forEach((b, i) => {
    const doc = found.get(ids[i]!);
    // Dated at its first day: a block lies wholly in one half of the period (periodBlocks), so direction counts as from the days.
    if (doc) counts.push(readCut(doc, b.fromMs));
  });
  return counts;
}

function summarize(counts: readonly DayCounts[], period: { fromMs: number; toMs: number }, limit: number): InsightSummary {
  try {
    return summarizeDayCounts(counts, period, { limit, quotes: QUOTES_PER_ASPECT });
  } catch (err) {
    if (err instanceof InsightsInputError) throw invalidInput("period", err.message);
    throw err;
  }
}

/**
 * An owner's (a product's or a shop's) insights over a period: the cuts of the
 * blocks that tile it side by side with its current topics (one round trip less
 * on every read that is not cached), or this process's answer while the
 * owner's version is unchanged.
 */
async function periodInsights(
  deps: Deps,
  owner: string,
  periodInput: InsightsPeriodInput | null | undefined,
  limit: number | null | undefined,
  emerging: (period: { fromMs: number; toMs: number }) => Promise<InsightTopicDoc[]>,
): Promise<Insights> {
  const period = insightsPeriod(periodInput, deps.now());
  const n = summaryLimit(limit);
  return cached(deps, owner, `${owner}.${period.fromMs}.${period.toMs}.${n}`, async () => {
    const [counts, topics] = await Promise.all([periodCuts(deps, owner, period), emerging(period)]);
    return { ...summarize(counts, period, n), emerging: topics };
  });
}

/** A product's insights over a period: a few blocks read, however many reviews it has. */
export async function productInsights(
  deps: Deps,
  shopId: string,
  productId: string,
  periodInput: InsightsPeriodInput | null | undefined,
  limit?: number | null,
): Promise<Insights> {
  const p = productHash(shopId, productId);
  return periodInsights(deps, p, periodInput, limit, async (period) => {
    const topics = await deps.models.InsightTopic.find({ _id: { $gt: `${p}.`, $lt: `${p}.~` } })
      .sort({ _id: 1 })
      .lean<InsightTopicDoc[]>();
    return topics.filter((t) => t.current && t.since.getTime() < period.toMs);
  });
}

/** The shop's insights over a period (all its products), with its products' current emerging topics. */
export async function shopInsights(
  deps: Deps,
  shopId: string,
  periodInput: InsightsPeriodInput | null | undefined,
  limit?: number | null,
): Promise<Insights> {
  return periodInsights(deps, shopHash(shopId), periodInput, limit, async (period) => {
    const topics = await deps.models.InsightTopic.find({ shopId, current: true }).lean<InsightTopicDoc[]>();
    return topics.filter((t) => t.since.getTime() < period.toMs).sort((a, b) => b.since.getTime() - a.since.getTime());
  });
}
