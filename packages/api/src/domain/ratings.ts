/**
 * Rating summaries: maintained incrementally on every write, read by `_id`,
 * rebuilt from the reviews by `recompute`. The math is @starling/scoring's.
 */
import {
  FULL_WEIGHT_BP,
  DISCOUNTED_BELOW_BP,
  plainMean,
  priorFromHistogram,
  trustWeightedRating,
  type StarHistogram,
  type TrustWeightedRating,
} from "@starling/scoring";
import { Double } from "mongodb";
import type { RatingSummaryDoc, ReviewDoc, StoredScore } from "../db/models.js";
import { duplicateKeyFailures, isDuplicateKey } from "../errors.js";
import { findByIds } from "../db/find-by-ids.js";
import type { Deps } from "./deps.js";

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

const ZERO: Counts = {
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
    inc[`discountReasons.${score?.topReason ?? "other"}`] = sign;
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
 * once, any other status not at all. The review's `summaryApplied` flag is
 * flipped first (the claim: an update by `_id` that returns the document as it
 * was, so of two processes flipping it only one sees the old value), then the
 * counts move, all under the product summary's lock, so two retries or two
 * moderators acting on one review in this process cannot both count it. A
 * crash between claim and increment leaves a summary short, which `recompute`
 * repairs. Returns whether the counts changed.
 */
export async function syncReviewCount(deps: Deps, stored: Pick<ReviewDoc, "_id" | "shopId" | "productId">): Promise<boolean> {
  const reviewId = stored._id;
  const productKey = productSummaryId(stored.shopId, stored.productId);
  return deps.summaryLock.run(productKey, async () => {
    const review = await deps.models.Review.findById(reviewId).lean<ReviewDoc>();
    if (!review) return false;
    const counted = review.status === "published";
    if (review.summaryApplied === counted) return false;
    // Filtered by `_id` alone: any other condition makes FerretDB scan every review.
    const before = await deps.models.Review.collection.findOneAndUpdate(
      { _id: review._id } as never,
      { $set: { summaryApplied: counted } },
      // No projection: FerretDB does not implement one on findAndModify (MONGODB.md §3).
      { returnDocument: "before" },
    );
    if (!before || before.summaryApplied === counted) return false;
    if (before.status !== review.status) {
      // Its status moved meanwhile (another process): undo, and leave the count to whoever moved it.
      await deps.models.Review.collection.updateOne({ _id: review._id } as never, { $set: { summaryApplied: before.summaryApplied } });
      return false;
    }
    await applyCounts(deps, [review], counted ? 1 : -1);
    if (!counted) {
      await refreshPeriod(deps, productKey, { shopId: review.shopId, productId: review.productId });
      await deps.summaryLock.run(shopSummaryId(review.shopId), () => refreshPeriod(deps, shopSummaryId(review.shopId), { shopId: review.shopId }));
    }
    return true;
  });
}

/**
 * Counts reviews just inserted with `summaryApplied: true` (the insert was
 * their claim). The caller holds the locks of their product summaries.
 */
export function countNewReviews(
  deps: Deps,
  reviews: readonly Pick<ReviewDoc, "shopId" | "productId" | "rating" | "score" | "createdAt">[],
): Promise<void> {
  return applyCounts(deps, reviews, 1);
}

/**
 * Moves the products' and the shops' summaries by these reviews: one update
 * per product, all in one command, and one change per shop through its
 * coalescing queue. The caller holds the product summaries' locks.
 */
async function applyCounts(
  deps: Deps,
  reviews: readonly Pick<ReviewDoc, "shopId" | "productId" | "rating" | "score" | "createdAt">[],
  sign: 1 | -1,
): Promise<void> {
  const products = new Map<string, { identity: { shopId: string; productId: string }; change: SummaryChange }>();
  const shops = new Map<string, SummaryChange>();
  for (const review of reviews) {
    // Adding a review can only widen the period; removing one may shrink it,
    // which only the remaining reviews can tell (see refreshPeriod).
    const change: SummaryChange =
      sign === 1
        ? { $inc: countChange(review.rating, review.score, 1), $min: { firstReviewAt: review.createdAt }, $max: { lastReviewAt: review.createdAt } }
        : { $inc: countChange(review.rating, review.score, -1) };
    const key = productSummaryId(review.shopId, review.productId);
    const product = products.get(key);
    if (product) mergeSummaryChange(product.change, change);
    else products.set(key, { identity: { shopId: review.shopId, productId: review.productId }, change: copySummaryChange(change) });
    const shop = shops.get(review.shopId);
    if (shop) mergeSummaryChange(shop, change);
    else shops.set(review.shopId, copySummaryChange(change));
  }
  await Promise.all([
    incrementSummaries(deps, [...products].map(([_id, p]) => ({ _id, ...p }))),
    ...[...shops].map(([shopId, change]) => incrementShopSummary(deps, shopId, change)),
  ]);
}

/** The shop's summary moves with every review of the shop: its changes are coalesced (CoalescingQueue). */
function incrementShopSummary(deps: Deps, shopId: string, change: SummaryChange): Promise<void> {
  const key = shopSummaryId(shopId);
  return deps.shopSummaryWrites.add(key, change, (merged) => incrementSummary(deps, key, { shopId, productId: null }, merged));
}

export interface SummaryChange {
  $inc: Record<string, number>;
  $min?: Record<string, Date>;
  $max?: Record<string, Date>;
}

export function mergeSummaryChange(into: SummaryChange, next: SummaryChange): void {
  for (const [k, v] of Object.entries(next.$inc)) into.$inc[k] = (into.$inc[k] ?? 0) + v;
  for (const [k, v] of Object.entries(next.$min ?? {})) {
    into.$min ??= {};
    const have = into.$min[k];
    if (!have || v < have) into.$min[k] = v;
  }
  for (const [k, v] of Object.entries(next.$max ?? {})) {
    into.$max ??= {};
    const have = into.$max[k];
    if (!have || v > have) into.$max[k] = v;
  }
}

export function copySummaryChange(c: SummaryChange): SummaryChange {
  return { $inc: { ...c.$inc }, ...(c.$min ? { $min: { ...c.$min } } : {}), ...(c.$max ? { $max: { ...c.$max } } : {}) };
}

/**
 * Moves a counted review's weight in the summaries from `before` to its new
 * score (a burst flagged after it arrived). The caller holds the product lock
 * and has already stored the new score.
 */
export async function reweightCountedReview(
  deps: Deps,
  review: Pick<ReviewDoc, "shopId" | "productId" | "rating" | "summaryApplied">,
  before: StoredScore | null | undefined,
  after: StoredScore,
): Promise<void> {
  if (!review.summaryApplied) return;
  const inc: Record<string, number> = {};
  for (const [k, v] of Object.entries(countChange(review.rating, before, -1))) inc[k] = (inc[k] ?? 0) + v;
  for (const [k, v] of Object.entries(countChange(review.rating, after, 1))) inc[k] = (inc[k] ?? 0) + v;
  const nonZero = Object.fromEntries(Object.entries(inc).filter(([, v]) => v !== 0));
  if (!Object.keys(nonZero).length) return;
  const change = { $inc: nonZero };
  await Promise.all([
    incrementSummary(deps, productSummaryId(review.shopId, review.productId), { shopId: review.shopId, productId: review.productId }, change),
    incrementShopSummary(deps, review.shopId, change),
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

/** The upsert that applies `change` to a summary, creating it complete if it is new. */
function summaryUpdate(identity: { shopId: string; productId: string | null }, change: SummaryChange): Record<string, unknown> {
  // Weighted sums grow past 2^31 (a full-weight review adds 10^8 to wsq), and
  // FerretDB wraps a 32-bit integer on $inc instead of widening it as MongoDB
  // does: send them as doubles (exact for integers up to 2^53). The raw
  // collection, because mongoose would cast them back to plain numbers.
  const $inc = Object.fromEntries(
    Object.entries(change.$inc).map(([k, v]) => [k, /^w[1-5]$|^wsq$/.test(k) ? new Double(v) : v]),
  );
  // A new summary gets every field (the raw collection applies no schema
  // defaults), except those this update sets, which may not appear twice.
  const $setOnInsert: Record<string, unknown> = { ...identity };
  for (const k of Object.keys(ZERO) as (keyof Counts)[]) {
    const touched = k in $inc || k in (change.$min ?? {}) || k in (change.$max ?? {});
    const reasonsTouched = k === "discountReasons" && Object.keys($inc).some((i) => i.startsWith("discountReasons."));
    // The period stays absent, not null: `$min` never replaces a null (null sorts before every date).
    if (!touched && !reasonsTouched && !PERIOD.has(k)) $setOnInsert[k] = k === "discountReasons" ? {} : ZERO[k];
  }
  return { ...change, $inc, $setOnInsert };
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
}


export interface RecomputeReport {
  readonly summaries: number;
  /** Summaries whose stored counts differed from the reviews (a crash, a bug, or a manual edit). */
  readonly repaired: string[];
}

/**
 * Rebuilds every summary from the reviews in one streamed pass, and rewrites
 * only the summaries that differ. Run it with writes paused: a
 * review counted incrementally while it runs may be counted twice or not at all
 * (running it again then repairs that).
 */
export async function recomputeSummaries(deps: Deps): Promise<RecomputeReport> {
  const { Review, RatingSummary } = deps.models;
  deps.cache.summaries.clear();
  // Set every review's flag to what the rebuild will count (published ones),
  // so a later sync of a review this rebuild already counted changes nothing.
  await Review.updateMany({ status: "published", summaryApplied: false }, { $set: { summaryApplied: true } });
  await Review.updateMany({ status: { $ne: "published" }, summaryApplied: true }, { $set: { summaryApplied: false } });

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
  const reviews = Review.find({ status: "published" }, { shopId: 1, productId: 1, rating: 1, createdAt: 1, score: 1 })
    .lean()
    .cursor({ batchSize: 1000 });
  for await (const r of reviews) {
    add(productSummaryId(r.shopId, r.productId), r.shopId, r.productId, r);
    add(shopSummaryId(r.shopId), r.shopId, null, r);
  }

  const stored = await RatingSummary.find({}).lean<RatingSummaryDoc[]>();
  const repaired: string[] = [];
  for (const doc of stored) {
    const rebuilt = fresh.get(doc._id) ?? { ...ZERO, shopId: doc.shopId, productId: doc.productId ?? null };
    // The fitted prior strength is not a count: keep it.
    const want = doc.priorStrength != null ? { ...rebuilt, priorStrength: doc.priorStrength } : rebuilt;
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
