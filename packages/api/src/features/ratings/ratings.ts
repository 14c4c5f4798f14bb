/**
 * Rating summaries: maintained incrementally on every write, read by `_id`,
 * rebuilt from the reviews by `recompute`. The math is @starling/scoring's.
 */
import { countQuietly, countReweights } from "../dashboard/counters.js";
import {
  FULL_WEIGHT_BP,
  DISCOUNTED_BELOW_BP,
  UNEXPLAINED_DISCOUNT,
  plainMean,
  priorFromHistogram,
  trustWeightedRating,
  type StarHistogram,
  type TrustWeightedRating,
} from "@starling/scoring";
import { randomUUID } from "node:crypto";
import { Double } from "mongodb";
import { reviewInsightChanged } from "../insights/insights.js";
import type { PendingCountDoc, RatingSummaryDoc } from "./model.js";
import type { ReviewDoc } from "../reviews/model.js";
import type { StoredScore } from "../scoring/model.js";
import { DatabaseUnavailableError } from "../../db/availability.js";
import { duplicateKeyFailures, isDuplicateKey } from "../../errors.js";
import { findByIds } from "../../db/find-by-ids.js";
import type { Deps } from "../deps.js";
import { copySummaryChange, mergeSummaryChange, type SummaryChange } from "./summary-change.js";

export { copySummaryChange, mergeSummaryChange, type SummaryChange } from "./summary-change.js";

export const productSummaryId = (shopId: string, productId: string) => `product:${shopId}:${productId}`;
export const shopSummaryId = (shopId: string) => `shop:${shopId}`;

export interface Rating extends TrustWeightedRating {
  readonly histogram: StarHistogram;
  /** How many reviews across the shop the prior was taken from. */
  readonly priorReviewCount: number;
  /** Discounted reviews by the reason that weighed most. */
  readonly discountReasons: Readonly<Record<string, number>>;
  /** When the oldest and the newest of the counted reviews were written; null without reviews. */
  readonly period: { readonly from: Date; readonly to: Date } | null;
}

type Counts = Pick<
  RatingSummaryDoc,
  | "count"
  | "ratingSum"
  | "h1"
  | "h2"
  | "h3"
  | "h4"
  | "h5"
  | "w1"
  | "w2"
  | "w3"
  | "w4"
  | "w5"
  | "wsq"
  | "discounted"
  | "discountReasons"
  | "firstReviewAt"
  | "lastReviewAt"
>;

/** No reviews counted. Shared: spread it with a fresh `discountReasons` before counting into it. */
export const ZERO: Counts = {
  count: 0,
  ratingSum: 0,
  h1: 0,
  h2: 0,
  h3: 0,
  h4: 0,
  h5: 0,
  w1: 0,
  w2: 0,
  w3: 0,
  w4: 0,
  w5: 0,
  wsq: 0,
  discounted: 0,
  discountReasons: {},
  firstReviewAt: null,
  lastReviewAt: null,
};

const PERIOD = new Set<string>(["firstReviewAt", "lastReviewAt"]);

/** A summary to store: without a period when it has none (see incrementSummary). */
function storable<T extends Counts>(c: T): T {
  const out = { ...c };
  if (!out.firstReviewAt) delete (out as Partial<Counts>).firstReviewAt;
  if (!out.lastReviewAt) delete (out as Partial<Counts>).lastReviewAt;
  return out;
}

function histogramOf(c: Counts): StarHistogram {
  return [c.h1, c.h2, c.h3, c.h4, c.h5];
}

/** A review's weight as counted: its score's, or full weight before it has been scored. */
export function weightOf(review: { score?: StoredScore | null }): number {
  return review.score?.trustWeightBp ?? FULL_WEIGHT_BP;
}

/** The summary increments for counting (sign 1) or uncounting (sign −1) one review with this score. */
function countChange(rating: number, score: StoredScore | null | undefined, sign: 1 | -1): Record<string, number> {
  const bp = weightOf({ score });
  const inc: Record<string, number> = {
    count: sign,
    ratingSum: sign * rating,
    [`h${rating}`]: sign,
    [`w${rating}`]: sign * bp,
    wsq: sign * bp * bp,
  };
  if (bp < DISCOUNTED_BELOW_BP) {
    inc.discounted = sign;
    inc[`discountReasons.${score?.topReason ?? UNEXPLAINED_DISCOUNT}`] = sign;
  }
  return inc;
}

export function ratingFrom(
  product: Counts | undefined,
  shop: (Counts & { priorStrength?: number | null }) | undefined,
  defaultPriorStrength: number,
): Rating {
  const c = product ?? ZERO;
  const h = histogramOf(c);
  const strength = shop?.priorStrength ?? defaultPriorStrength;
  const rating = trustWeightedRating(
    {
      count: c.count,
      histogram: [...h],
      weightedHistogramBp: [c.w1, c.w2, c.w3, c.w4, c.w5],
      weightSquaresBp2: c.wsq,
      discountedCount: c.discounted,
    },
    priorFromHistogram(histogramOf(shop ?? ZERO), strength),
  );
  return {
    ...rating,
    plainMean: plainMean(h),
    histogram: h,
    priorReviewCount: shop?.count ?? 0,
    discountReasons: Object.fromEntries(Object.entries(c.discountReasons ?? {}).filter(([, n]) => n > 0)),
    period: c.firstReviewAt && c.lastReviewAt ? { from: c.firstReviewAt, to: c.lastReviewAt } : null,
  };
}

/**
 * Ratings of several products of one shop: the shop's prior and the products'
 * summaries from the cache, the missing ones in one query by `_id`, shared
 * with every other request missing summaries at the same moment (summaryReads).
 */
export async function loadRatings(deps: Deps, shopId: string, productIds: readonly string[]): Promise<Rating[]> {
  const shopKey = shopSummaryId(shopId);
  const byId = await deps.cache.summaries.getMany([shopKey, ...productIds.map((p) => productSummaryId(shopId, p))], async (missing) => {
    const docs = await Promise.all(missing.map((id) => deps.summaryReads.add(id)));
    return new Map(missing.map((id, i) => [id, docs[i]!]));
  });
  const shop = byId.get(shopKey) ?? undefined;
  return productIds.map((p) => memoizedRating(byId.get(productSummaryId(shopId, p)) ?? undefined, shop, deps.priorStrength));
}

/** Summaries by `_id`, in one query (the batch of deps.summaryReads). */
export async function loadSummaries(deps: Deps, ids: string[]): Promise<(RatingSummaryDoc | null)[]> {
  const byId = new Map((await findByIds(deps.models.RatingSummary, ids)).map((d) => [d._id, d]));
  return ids.map((id) => byId.get(id) ?? null);
}

/**
 * The rating of a cached summary, computed once per cached copy: a cached
 * document is never changed (a write drops it), so its rating cannot change either.
 */
const ratingsOf = new WeakMap<RatingSummaryDoc, WeakMap<RatingSummaryDoc | typeof NO_SHOP, Rating>>();
const NO_SHOP = {} as RatingSummaryDoc;
function memoizedRating(product: RatingSummaryDoc | undefined, shop: RatingSummaryDoc | undefined, defaultPriorStrength: number): Rating {
  if (!product) return ratingFrom(product, shop, defaultPriorStrength);
  let byShop = ratingsOf.get(product);
  if (!byShop) ratingsOf.set(product, (byShop = new WeakMap()));
  let rating = byShop.get(shop ?? NO_SHOP);
  if (!rating) byShop.set(shop ?? NO_SHOP, (rating = ratingFrom(product, shop, defaultPriorStrength)));
  return rating;
}

/**
 * Brings the summaries in line with one review: a published review is counted
 * once, any other status not at all. A pending count (PendingCountDoc) is
 * written first; then the review's `summaryApplied` flag is flipped (the
 * claim: an update by `_id` that returns the document as it was, so of two
 * processes flipping it only one sees the old value); then the counts move and
 * the pending count is deleted, all under the product summary's lock. A crash
 * after the claim leaves the pending count, which this function (on the next
 * call for the review: a retry of its key) or the sweep completes exactly once
 * (completePendingCount). Returns whether the counts changed.
 */
export async function syncReviewCount(deps: Deps, stored: Pick<ReviewDoc, "_id" | "shopId" | "productId">): Promise<boolean> {
  const reviewId = stored._id;
  const productKey = productSummaryId(stored.shopId, stored.productId);
  return deps.summaryLock.run(productKey, async () => {
    // An interrupted count of this review first: a new change waits for it.
    const pending = await deps.models.PendingCount.findById(reviewId).lean<PendingCountDoc>();
    if (pending && !(await completePendingCount(deps, pending))) return false;
    const review = await deps.models.Review.findById(reviewId).lean<ReviewDoc>();
    if (!review) return false;
    const counted = review.status === "published";
    if (review.summaryApplied === counted) return false;
    const sign = counted ? 1 : -1;
    const batch = await recordPendingCounts(deps, [review], sign);
    // Filtered by `_id` alone: any other condition makes FerretDB scan every review.
    const before = await deps.models.Review.collection.findOneAndUpdate(
      { _id: review._id } as never,
      { $set: { summaryApplied: counted } },
      // No projection: FerretDB does not implement one on findAndModify (MONGODB.md §3).
      { returnDocument: "before" },
    );
    if (!before || before.summaryApplied === counted) {
      await dropPendingCounts(deps, [review._id], batch.token);
      return false;
    }
    if (before.status !== review.status) {
      // Its status moved meanwhile (another process): undo, and leave the count to whoever moved it.
      await deps.models.Review.collection.updateOne({ _id: review._id } as never, { $set: { summaryApplied: before.summaryApplied } });
      await dropPendingCounts(deps, [review._id], batch.token);
      return false;
    }
    await applyCounts(deps, [review], sign, batch);
    // Before the pending count goes: a crash here leaves it, and its completion recounts the insights.
    await reviewInsightChanged(deps, review);
    await finishPendingCounts(deps, [review], batch.token);
    if (!counted) await refreshPeriods(deps, review);
    return true;
  });
}

/** After a review stopped counting: its summaries' periods may shrink. The caller holds the product lock. */
async function refreshPeriods(deps: Deps, review: Pick<ReviewDoc, "shopId" | "productId">): Promise<void> {
  await refreshPeriod(deps, productSummaryId(review.shopId, review.productId), { shopId: review.shopId, productId: review.productId });
  await deps.summaryLock.run(shopSummaryId(review.shopId), () =>
    refreshPeriod(deps, shopSummaryId(review.shopId), { shopId: review.shopId }),
  );
}

/**
 * Counts reviews just inserted with `summaryApplied: true` (the insert was
 * their claim), under `token` (recordPendingCounts wrote their pending counts
 * before the insert), then deletes those pending counts. The caller holds the
 * locks of their product summaries.
 */
export async function countNewReviews(
  deps: Deps,
  reviews: readonly Pick<ReviewDoc, "_id" | "shopId" | "productId" | "rating" | "score" | "createdAt">[],
  batch: PendingBatch,
): Promise<void> {
  if (!reviews.length) return;
  await applyCounts(deps, reviews, 1, batch);
  await finishPendingCounts(deps, reviews, batch.token);
}

/** Pending counts per process: who writes them, and the summary token keys to prune. */
interface Counting {
  /** This API process (per Deps, so tests can run two "processes" side by side). */
  readonly owner: string;
  graceMs: number;
  /** Per summary, countTokens keys no pending count refers to any more: the summary's next write unsets them. */
  readonly prune: Map<string, Set<string>>;
}

/**
 * How long another process's pending count is left to its owner before a
 * retry or the sweep here completes it. An owner gives up its own summary
 * write after half of this (PendingCountAbandoned), so the two never both count it.
 */
export const PENDING_COUNT_GRACE_MS = 30_000;
/** Summaries remembered for pruning, at most (past it, stale keys stay until `recompute`: harmless). */
const MAX_PRUNE_SUMMARIES = 50_000;

const countings = new WeakMap<Deps, Counting>();
function counting(deps: Deps): Counting {
  let c = countings.get(deps);
  if (!c) countings.set(deps, (c = { owner: randomUUID(), graceMs: PENDING_COUNT_GRACE_MS, prune: new Map() }));
  return c;
}

/** Sets the grace period of another process's pending counts (STARLING_COUNT_GRACE_MS). */
export function setPendingCountGrace(deps: Deps, graceMs: number): void {
  counting(deps).graceMs = graceMs;
}

/**
 * Writes a pending count for each review, before its insert or claim. One
 * replaces an earlier pending count of the same review only if that one is
 * this process's (its attempt is over: we hold the product lock) or past the
 * grace period; a young one of another process means that process is storing
 * this very review now, and this attempt answers DATABASE_UNAVAILABLE (a retry then replays).
 */
export async function recordPendingCounts(
  deps: Deps,
  reviews: readonly Pick<ReviewDoc, "_id" | "shopId" | "productId" | "rating" | "score" | "createdAt">[],
  sign: 1 | -1,
): Promise<PendingBatch> {
  const c = counting(deps);
  const at = new Date();
  const token = `t${randomUUID().replaceAll("-", "")}`;
  if (!reviews.length) return { token, at: at.getTime() };
  const stale = new Date(at.getTime() - c.graceMs);
  try {
    await deps.models.PendingCount.collection.bulkWrite(
      reviews.map((r) => ({
        replaceOne: {
          filter: { _id: r._id, $or: [{ owner: c.owner }, { at: { $lt: stale } }] } as never,
          replacement: {
            token,
            sign,
            shopId: r.shopId,
            productId: r.productId,
            rating: r.rating,
            score: r.score ?? null,
            createdAt: r.createdAt,
            owner: c.owner,
            at,
          } satisfies Omit<PendingCountDoc, "_id">,
          upsert: true,
        },
      })),
      { ordered: false },
    );
  } catch (err) {
    if (!duplicateKeyFailures(err) && !isDuplicateKey(err)) throw err;
    await dropPendingCounts(
      deps,
      reviews.map((r) => r._id),
      token,
    );
    throw new DatabaseUnavailableError("another API process is counting this review now");
  }
  return { token, at: at.getTime() };
}

/** The pending counts of one batch: their summaries' token key, and when they were written. */
export interface PendingBatch {
  readonly token: string;
  readonly at: number;
}

/** Deletes pending counts this attempt wrote and will not carry out. */
export async function dropPendingCounts(deps: Deps, reviewIds: readonly string[], token: string): Promise<void> {
  if (!reviewIds.length) return;
  await deps.models.PendingCount.collection.deleteMany({ _id: { $in: [...reviewIds] }, token } as never);
}

/** The counts are in the summaries: delete their pending counts, and let the summaries' next writes drop the token. */
async function finishPendingCounts(
  deps: Deps,
  reviews: readonly Pick<ReviewDoc, "_id" | "shopId" | "productId">[],
  token: string,
  key = token,
): Promise<void> {
  // By `_id` (pushed down on FerretDB), then by token: a newer pending count of the same review stays.
  await dropPendingCounts(
    deps,
    reviews.map((r) => r._id),
    token,
  );
  const c = counting(deps);
  for (const r of reviews) {
    for (const id of [productSummaryId(r.shopId, r.productId), shopSummaryId(r.shopId)]) {
      let keys = c.prune.get(id);
      if (!keys) {
        if (c.prune.size >= MAX_PRUNE_SUMMARIES) continue;
        c.prune.set(id, (keys = new Set()));
      }
      keys.add(key);
    }
  }
}

/** The countTokens keys to unset with this summary's next write (taken: a failed write leaves them, harmlessly). */
function takePrunable(deps: Deps, summaryId: string): Record<string, ""> | undefined {
  const c = counting(deps);
  const keys = c.prune.get(summaryId);
  if (!keys) return undefined;
  c.prune.delete(summaryId);
  return Object.fromEntries([...keys].map((k) => [`countTokens.${k}`, ""]));
}

/** A count whose owner took too long: it leaves it to completePendingCount, so no two processes both count it. */
class PendingCountAbandoned extends DatabaseUnavailableError {}

/**
 * Completes a pending count, exactly once: if its review's flag says the count
 * was claimed, each summary that has not yet taken it in (no `countTokens`
 * key of its batch or of this completion) gets it, with its key, in one
 * update; then the pending count is deleted. Unclaimed (the attempt died
 * before its insert or claim), it is deleted. Another process's pending count
 * is left alone within the grace period (returns false). The caller holds the
 * product summary's lock.
 */
export async function completePendingCount(deps: Deps, entry: PendingCountDoc): Promise<boolean> {
  const c = counting(deps);
  if (entry.owner !== c.owner && Date.now() - entry.at.getTime() < c.graceMs) return false;
  const review = await deps.models.Review.findById(entry._id, { summaryApplied: 1 }).lean<ReviewDoc>();
  const claimed = review !== null && review.summaryApplied === (entry.sign === 1);
  const key = `${entry.token}_${entry._id}`;
  // Of several processes completing it at once (a sweep in each), one goes on:
  // only inserts are atomic on FerretDB (MONGODB.md §2.4), so the turn is an
  // insert, one per grace period, so a process that died holding it does not block it for good.
  const turn = `claim:${entry._id}:${entry.token}:${Math.floor(Date.now() / c.graceMs)}`;
  if (claimed) {
    try {
      await deps.models.PendingCount.collection.insertOne({ _id: turn } as never);
    } catch (err) {
      if (isDuplicateKey(err)) return false;
      throw err;
    }
    const change: SummaryChange =
      entry.sign === 1
        ? {
            $inc: countChange(entry.rating, entry.score, 1),
            $min: { firstReviewAt: entry.createdAt },
            $max: { lastReviewAt: entry.createdAt },
          }
        : { $inc: countChange(entry.rating, entry.score, -1) };
    change.$set = { [`countTokens.${key}`]: true };
    const productKey = productSummaryId(entry.shopId, entry.productId);
    const shopKey = shopSummaryId(entry.shopId);
    const product = await applyOnce(deps, productKey, { shopId: entry.shopId, productId: entry.productId }, change, [entry.token, key]);
    const shop = await deps.summaryLock.run(shopKey, () =>
      applyOnce(deps, shopKey, { shopId: entry.shopId, productId: null }, copySummaryChange(change), [entry.token, key]),
    );
    if (entry.sign === -1 && (product || shop)) await refreshPeriods(deps, entry);
    await reviewInsightChanged(deps, { _id: entry._id, shopId: entry.shopId, productId: entry.productId });
    deps.log.warn("completed an interrupted rating count", {
      reviewId: entry._id,
      sign: entry.sign,
      applied: { product, shop },
    });
  }
  await finishPendingCounts(deps, [entry], entry.token, key);
  if (claimed) await deps.models.PendingCount.collection.deleteOne({ _id: turn } as never);
  return true;
}

/**
 * Applies `change` to a summary unless it already holds one of `keys`; says
 * whether it applied. Conditional in the update itself, so on MongoDB it holds
 * across processes too. The caller holds the summary's lock.
 */
async function applyOnce(
  deps: Deps,
  summaryId: string,
  identity: { shopId: string; productId: string | null },
  change: SummaryChange,
  keys: readonly string[],
): Promise<boolean> {
  const collection = deps.models.RatingSummary.collection;
  deps.cache.summaries.delete(summaryId);
  const filter = { _id: summaryId, ...Object.fromEntries(keys.map((k) => [`countTokens.${k}`, { $exists: false }])) };
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const res = await collection.updateOne(filter as never, summaryUpdate(identity, change) as never, { upsert: true });
      return res.modifiedCount + res.upsertedCount > 0;
    } catch (err) {
      // The summary exists but holds a key (the upsert tried to insert a second one), or two first writes raced.
      if (!isDuplicateKey(err)) throw err;
      const doc = await collection.findOne({ _id: summaryId } as never, { projection: { countTokens: 1 } });
      if (doc && keys.some((k) => (doc as { countTokens?: Record<string, unknown> }).countTokens?.[k])) return false;
    }
  }
  throw new Error(`could not apply a pending count to ${summaryId}`);
}

/**
 * Completes pending counts left by crashed or failed attempts: this process's
 * at once, another's after the grace period; at most `limit` per call, oldest
 * first. Returns how many were completed.
 */
export async function sweepPendingCounts(deps: Deps, limit = 100): Promise<number> {
  const c = counting(deps);
  // A second old at least: a pending count of this process younger than that is most likely in flight (it would wait for its lock anyway).
  const entries = await deps.models.PendingCount.find({ at: { $lt: new Date(Date.now() - 1_000) } })
    .sort({ at: 1 })
    .limit(limit)
    .lean<PendingCountDoc[]>();
  let completed = 0;
  for (const found of entries) {
    if (found.owner !== c.owner && Date.now() - found.at.getTime() < c.graceMs) continue;
    const done = await deps.summaryLock.run(productSummaryId(found.shopId, found.productId), async () => {
      // Read again under the lock: its owner may have finished it meanwhile.
      const entry = await deps.models.PendingCount.findById(found._id).lean<PendingCountDoc>();
      if (!entry || entry.token !== found.token) return false;
      return completePendingCount(deps, entry);
    });
    if (done) completed++;
  }
  return completed;
}

/**
 * Runs sweepPendingCounts now (startup) and every `intervalMs`, skipping while
 * the database is known down. Returns a stop function that waits for a sweep in progress.
 */
export function startPendingCountSweeper(deps: Deps, opts: { intervalMs: number; available: () => boolean }): { stop(): Promise<void> } {
  let running: Promise<void> | null = null;
  let stopped = false;
  const tick = () => {
    if (running || stopped || !opts.available()) return;
    running = sweepPendingCounts(deps)
      .then(
        (n) => {
          if (n) deps.log.warn("completed interrupted rating counts", { completed: n });
        },
        (error: unknown) => deps.log.warn("completing interrupted rating counts failed; will try again", { error }),
      )
      .finally(() => (running = null));
  };
  tick();
  const timer = setInterval(tick, opts.intervalMs);
  timer.unref();
  return {
    async stop() {
      stopped = true;
      clearInterval(timer);
      await running;
    },
  };
}

/**
 * Moves the products' and the shops' summaries by these reviews: one update
 * per product, all in one command, and one change per shop through its
 * coalescing queue; each update also sets the batch's `token` key (see
 * completePendingCount). The caller holds the product summaries' locks.
 */
async function applyCounts(
  deps: Deps,
  reviews: readonly Pick<ReviewDoc, "shopId" | "productId" | "rating" | "score" | "createdAt">[],
  sign: 1 | -1,
  batch: PendingBatch,
): Promise<void> {
  // Past half the grace period, another process may complete these pending counts: leave them to that.
  if (Date.now() - batch.at > counting(deps).graceMs / 2) throw new PendingCountAbandoned("the count took too long; it is completed later");
  const token = batch.token;
  const products = new Map<string, { identity: { shopId: string; productId: string }; change: SummaryChange }>();
  const shops = new Map<string, SummaryChange>();
  const tokenSet = { [`countTokens.${token}`]: true as const };
  for (const review of reviews) {
    // Adding a review can only widen the period; removing one may shrink it,
    // which only the remaining reviews can tell (see refreshPeriod).
    const change: SummaryChange =
      sign === 1
        ? {
            $inc: countChange(review.rating, review.score, 1),
            $min: { firstReviewAt: review.createdAt },
            $max: { lastReviewAt: review.createdAt },
          }
        : { $inc: countChange(review.rating, review.score, -1) };
    change.$set = { ...tokenSet };
    const key = productSummaryId(review.shopId, review.productId);
    const product = products.get(key);
    if (product) mergeSummaryChange(product.change, change);
    else products.set(key, { identity: { shopId: review.shopId, productId: review.productId }, change: copySummaryChange(change) });
    const shop = shops.get(review.shopId);
    if (shop) mergeSummaryChange(shop, change);
    else shops.set(review.shopId, copySummaryChange(change));
  }
  for (const [id, p] of products) {
    const unset = takePrunable(deps, id);
    if (unset) p.change.$unset = unset;
  }
  await Promise.all([
    incrementSummaries(
      deps,
      [...products].map(([_id, p]) => ({ _id, ...p })),
    ),
    ...[...shops].map(([shopId, change]) => {
      const unset = takePrunable(deps, shopSummaryId(shopId));
      if (unset) change.$unset = unset;
      return incrementShopSummary(deps, shopId, change);
    }),
  ]);
}

/** The shop's summary moves with every review of the shop: its changes are coalesced (CoalescingQueue). */
function incrementShopSummary(deps: Deps, shopId: string, change: SummaryChange): Promise<void> {
  const key = shopSummaryId(shopId);
  return deps.shopSummaryWrites.add(key, change, (merged) => incrementSummary(deps, key, { shopId, productId: null }, merged));
}

/**
 * Moves a counted review's weight in the summaries from `before` to its new
 * score (a burst flagged after it arrived). The caller holds the product lock
 * and has already stored the new score.
 */
export async function reweightCountedReview(
  deps: Deps,
  review: Pick<ReviewDoc, "shopId" | "productId" | "rating" | "summaryApplied" | "provenance" | "createdAt">,
  before: StoredScore | null | undefined,
  after: StoredScore,
): Promise<void> {
  await reweightCountedReviews(deps, [{ review, before, after }]);
}

/**
 * reweightCountedReview for many reviews at once (the hindsight sweep's,
 * features/scoring/hindsight.ts): one update per product in one command, and
 * one change of each shop's summary. The caller holds every product's lock
 * and has already stored the new scores.
 */
export async function reweightCountedReviews(
  deps: Deps,
  changes: readonly {
    review: Pick<ReviewDoc, "shopId" | "productId" | "rating" | "summaryApplied" | "provenance" | "createdAt">;
    before: StoredScore | null | undefined;
    after: StoredScore;
  }[],
): Promise<void> {
  const counted = changes.filter((c) => c.review.summaryApplied);
  if (!counted.length) return;
  await countQuietly(
    deps,
    countReweights(
      deps,
      counted.map((c) => ({ review: c.review, beforeBp: weightOf({ score: c.before }), afterBp: weightOf({ score: c.after }) })),
    ),
  );
  const products = new Map<string, { identity: { shopId: string; productId: string }; inc: Record<string, number> }>();
  const shops = new Map<string, Record<string, number>>();
  for (const { review, before, after } of counted) {
    const id = productSummaryId(review.shopId, review.productId);
    let product = products.get(id);
    if (!product) products.set(id, (product = { identity: { shopId: review.shopId, productId: review.productId }, inc: {} }));
    let shop = shops.get(review.shopId);
    if (!shop) shops.set(review.shopId, (shop = {}));
    for (const [sign, score] of [
      [-1, before],
      [1, after],
    ] as const) {
      for (const [k, v] of Object.entries(countChange(review.rating, score, sign))) {
        product.inc[k] = (product.inc[k] ?? 0) + v;
        shop[k] = (shop[k] ?? 0) + v;
      }
    }
  }
  const nonZero = (inc: Record<string, number>) => Object.fromEntries(Object.entries(inc).filter(([, v]) => v !== 0));
  const moved = [...products].flatMap(([_id, p]) => {
    const $inc = nonZero(p.inc);
    return Object.keys($inc).length ? [{ _id, identity: p.identity, change: { $inc } }] : [];
  });
  await Promise.all([
    moved.length ? incrementSummaries(deps, moved) : undefined,
    ...[...shops].flatMap(([shopId, inc]) => {
      const $inc = nonZero(inc);
      return Object.keys($inc).length ? [incrementShopSummary(deps, shopId, { $inc })] : [];
    }),
  ]);
}

/** Recomputes a summary's period from its published reviews: two sorted reads, only when a review stops counting. */
async function refreshPeriod(deps: Deps, summaryId: string, scope: { shopId: string; productId?: string }): Promise<void> {
  deps.cache.summaries.delete(summaryId);
  const filter = { ...scope, status: "published" as const };
  const [oldest] = await deps.models.Review.find(filter, { createdAt: 1 }).sort({ createdAt: 1 }).limit(1).lean<ReviewDoc[]>();
  const [newest] = await deps.models.Review.find(filter, { createdAt: 1 }).sort({ createdAt: -1 }).limit(1).lean<ReviewDoc[]>();
  await deps.models.RatingSummary.collection.updateOne(
    { _id: summaryId } as never,
    oldest && newest
      ? { $set: { firstReviewAt: oldest.createdAt, lastReviewAt: newest.createdAt } }
      : { $unset: { firstReviewAt: "", lastReviewAt: "" } },
  );
}

/**
 * Stores the shop's fitted prior strength, creating the shop's summary (with
 * zero counts, for the rebuild to fill) when it has none yet: a shop whose
 * first reviews are imported has no summary before the import's rebuild, and
 * an update of nothing would lose the fit (its ratings would then depend on
 * whether some earlier write had created the summary).
 */
export async function savePriorStrength(deps: Deps, shopId: string, strength: number): Promise<void> {
  deps.cache.summaries.delete(shopSummaryId(shopId));
  await deps.models.RatingSummary.collection.updateOne(
    { _id: shopSummaryId(shopId) } as never,
    { $set: { priorStrength: strength }, $setOnInsert: { ...storable(ZERO), shopId, productId: null } } as never,
    { upsert: true },
  );
}

/** The upsert that applies `change` to a summary, creating it complete if it is new. */
function summaryUpdate(identity: { shopId: string; productId: string | null }, change: SummaryChange): Record<string, unknown> {
  // Weighted sums grow past 2^31 (a full-weight review adds 10^8 to wsq), and
  // FerretDB wraps a 32-bit integer on $inc instead of widening it as MongoDB
  // does: send them as doubles (exact for integers up to 2^53). The raw
  // collection, because mongoose would cast them back to plain numbers.
  const $inc = Object.fromEntries(Object.entries(change.$inc).map(([k, v]) => [k, /^w[1-5]$|^wsq$/.test(k) ? new Double(v) : v]));
  // A new summary gets every field (the raw collection applies no schema
  // defaults), except those this update sets, which may not appear twice.
  const $setOnInsert: Record<string, unknown> = { ...identity };
  for (const k of Object.keys(ZERO) as (keyof Counts)[]) {
    const touched = k in $inc || k in (change.$min ?? {}) || k in (change.$max ?? {});
    const reasonsTouched = k === "discountReasons" && Object.keys($inc).some((i) => i.startsWith("discountReasons."));
    // The period stays absent, not null: `$min` never replaces a null (null sorts before every date).
    if (!touched && !reasonsTouched && !PERIOD.has(k)) $setOnInsert[k] = k === "discountReasons" ? {} : ZERO[k];
  }
  const update: Record<string, unknown> = { ...change, $inc, $setOnInsert };
  // An empty operator is an error on MongoDB.
  if (!Object.keys(change.$set ?? {}).length) delete update.$set;
  if (!Object.keys(change.$unset ?? {}).length) delete update.$unset;
  return update;
}

function incrementSummary(
  deps: Deps,
  _id: string,
  identity: { shopId: string; productId: string | null },
  change: SummaryChange,
): Promise<void> {
  return incrementSummaries(deps, [{ _id, identity, change }]);
}

/**
 * Applies each change to its summary, in one command. The caller holds each
 * summary's lock (KeyedLock says why).
 */
async function incrementSummaries(
  deps: Deps,
  items: readonly { _id: string; identity: { shopId: string; productId: string | null }; change: SummaryChange }[],
): Promise<void> {
  if (!items.length) return;
  const collection = deps.models.RatingSummary.collection;
  const update = (item: (typeof items)[number]) =>
    collection.updateOne({ _id: item._id } as never, summaryUpdate(item.identity, item.change) as never, { upsert: true });
  for (const item of items) deps.cache.summaries.delete(item._id);
  let retry: typeof items = [];
  try {
    if (items.length === 1) await update(items[0]!);
    else {
      await collection.bulkWrite(
        items.map((item) => ({
          updateOne: { filter: { _id: item._id } as never, update: summaryUpdate(item.identity, item.change) as never, upsert: true },
        })),
        { ordered: false },
      );
    }
  } catch (err) {
    // Two first writes racing (another API process) can both miss and both
    // insert; the loser's E11000 means the document now exists, so increment it.
    const lost = duplicateKeyFailures(err);
    if (lost) retry = items.filter((_, i) => lost.has(i));
    else if (items.length === 1 && isDuplicateKey(err)) retry = items;
    else throw err;
  }
  for (const item of retry) await update(item);
  await ratingsMoved(
    deps,
    items.flatMap((i) => (i.identity.productId === null ? [] : [{ shopId: i.identity.shopId, productId: i.identity.productId }])),
  );
}

/** The queue of products whose counts moved, for rating.changed (rating-changes.ts checks each). */
export const RATING_CHECKS_QUEUE = "rating_checks";

/**
 * Queues a check of these products' displayed ratings (one pending check per
 * product however many writes land before it runs). After the counts are
 * stored, and never failing the write: a check lost to a crash here is made
 * by the product's next write, which compares with the last rating announced.
 */
async function ratingsMoved(deps: Deps, products: readonly { shopId: string; productId: string }[]): Promise<void> {
  if (!products.length) return;
  await deps
    .queue<{ shopId: string; productId: string }>(RATING_CHECKS_QUEUE)
    .enqueueMany(products.map((p) => ({ id: `${p.shopId}:${p.productId}`, payload: p })))
    .catch((error: unknown) => deps.log.error("queueing a rating check failed", { error }));
}

export interface RecomputeReport {
  readonly summaries: number;
  /** Summaries whose stored counts differed from the reviews (a crash, a bug, or a manual edit). */
  readonly repaired: string[];
}

/** A review as the rebuild reads it: what summaries and other per-review counters are made of. */
export type RebuiltReview = Pick<
  ReviewDoc,
  "_id" | "shopId" | "productId" | "rating" | "createdAt" | "score" | "status" | "summaryApplied" | "provenance"
>;

/**
 * Rebuilds every summary from the reviews in one streamed pass, and rewrites
 * only the summaries that differ. Run it with writes paused: a
 * review counted incrementally while it runs may be counted twice or not at all
 * (running it again then repairs that). On FerretDB each pass decodes every
 * review of the database (about a millisecond of its CPU per review; see the
 * README's import figures), so:
 * - `alsoVisit` sees every review of the pass: another rebuild (the
 *   dashboard's counters) needs no pass of its own;
 * - `reviews`, when the caller holds every review of the scope as stored (the
 *   end of an import, which has just read and written them), replaces the pass.
 */
export async function recomputeSummaries(
  deps: Deps,
  scope: { shopId?: string } = {},
  options: {
    readonly alsoVisit?: readonly ((review: RebuiltReview) => void)[];
    readonly reviews?: Iterable<RebuiltReview>;
  } = {},
): Promise<RecomputeReport> {
  const alsoVisit = options.alsoVisit ?? [];
  const { Review, RatingSummary } = deps.models;
  // One shop's summaries (the end of an import), or every shop's.
  const inScope = scope.shopId === undefined ? {} : { shopId: scope.shopId };
  deps.cache.summaries.clear();
  // The rebuild counts every published review: an interrupted count completed
  // later would count its review a second time.
  await deps.models.PendingCount.deleteMany(inScope);

  // One pass over the reviews, streamed: `$group` would do the counts, but
  // FerretDB's `$group` has no `$min`/`$max` for the period (MONGODB.md §2.3).
  const fresh = new Map<string, Counts & { shopId: string; productId: string | null }>();
  const add = (id: string, shopId: string, productId: string | null, r: Pick<ReviewDoc, "rating" | "createdAt" | "score">) => {
    const c = fresh.get(id) ?? { ...ZERO, discountReasons: {}, shopId, productId };
    for (const [k, v] of Object.entries(countChange(r.rating, r.score, 1))) {
      if (k.startsWith("discountReasons.")) {
        const code = k.slice("discountReasons.".length);
        c.discountReasons[code] = (c.discountReasons[code] ?? 0) + v;
      } else {
        const counts = c as unknown as Record<string, number>;
        counts[k] = (counts[k] ?? 0) + v;
      }
    }
    const at = r.createdAt;
    if (!c.firstReviewAt || at < c.firstReviewAt) c.firstReviewAt = at;
    if (!c.lastReviewAt || at > c.lastReviewAt) c.lastReviewAt = at;
    fresh.set(id, c);
  };
  // Each review's flag is set to what the rebuild counts (published ones), so a
  // later sync of a review this rebuild already counted changes nothing.
  const flag = { counted: [] as string[], uncounted: [] as string[] };
  const reviews =
    options.reviews ??
    Review.find(inScope, {
      shopId: 1,
      productId: 1,
      rating: 1,
      createdAt: 1,
      score: 1,
      status: 1,
      summaryApplied: 1,
      provenance: 1,
    })
      .lean<RebuiltReview[]>()
      .cursor({ batchSize: 1000 });
  for await (const r of reviews as AsyncIterable<RebuiltReview> | Iterable<RebuiltReview>) {
    const published = r.status === "published";
    if (published) {
      add(productSummaryId(r.shopId, r.productId), r.shopId, r.productId, r);
      add(shopSummaryId(r.shopId), r.shopId, null, r);
    }
    if (published !== Boolean(r.summaryApplied)) (published ? flag.counted : flag.uncounted).push(r._id);
    for (const visit of alsoVisit) visit(r);
  }
  // By _id, a thousand at a time: two filtered updateMany would be two more passes over every review.
  for (const [ids, summaryApplied] of [
    [flag.counted, true],
    [flag.uncounted, false],
  ] as const) {
    for (let i = 0; i < ids.length; i += 1000) {
      await Review.updateMany({ _id: { $in: ids.slice(i, i + 1000) } }, { $set: { summaryApplied } });
    }
  }

  const stored = await RatingSummary.find(inScope).lean<RatingSummaryDoc[]>();
  const repaired: string[] = [];
  for (const doc of stored) {
    const rebuilt = fresh.get(doc._id) ?? { ...ZERO, shopId: doc.shopId, productId: doc.productId ?? null };
    // The fitted prior strength is not a count: keep it. So are the pending
    // counts' keys (harmless once their pending counts are gone; the next write prunes them).
    const want = {
      ...rebuilt,
      ...(doc.priorStrength != null ? { priorStrength: doc.priorStrength } : {}),
      ...(doc.countTokens ? { countTokens: doc.countTokens } : {}),
    };
    fresh.delete(doc._id);
    if (sameCounts(doc, want)) continue;
    repaired.push(doc._id);
    await RatingSummary.collection.replaceOne({ _id: doc._id } as never, storable(want) as never);
  }
  for (const [id, want] of fresh) {
    repaired.push(id);
    await RatingSummary.collection.replaceOne({ _id: id } as never, storable(want) as never, { upsert: true });
  }
  deps.cache.summaries.clear();
  return { summaries: stored.length + fresh.size, repaired: repaired.sort() };
}

function sameCounts(a: Counts, b: Counts): boolean {
  return (Object.keys(ZERO) as (keyof Counts)[]).every((k) => {
    if (k === "discountReasons") return sameReasons(a.discountReasons ?? {}, b.discountReasons ?? {});
    const x = a[k] ?? null;
    const y = b[k] ?? null;
    return x instanceof Date && y instanceof Date ? x.getTime() === y.getTime() : x === y;
  });
}

/** Reason counts, ignoring reasons at zero (a decrement leaves the key behind). */
function sameReasons(a: Record<string, number>, b: Record<string, number>): boolean {
  const keys = new Set([...Object.keys(a), ...Object.keys(b)]);
  return [...keys].every((k) => (a[k] ?? 0) === (b[k] ?? 0));
}
