/**
 * Rating summaries: maintained incrementally on every write, read by `_id`,
 * rebuilt from the reviews by `recompute`. The math is @starling/scoring's.
 */
import {
  bayesianRating,
  plainMean,
  priorFromHistogram,
  type BayesianRating,
  type StarHistogram,
} from "@starling/scoring";
import type { RatingSummaryDoc, ReviewDoc } from "../db/models.js";
import { isDuplicateKey } from "../errors.js";
import type { Deps } from "./deps.js";

export const productSummaryId = (shopId: string, productId: string) => `product:${shopId}:${productId}`;
export const shopSummaryId = (shopId: string) => `shop:${shopId}`;

export interface Rating extends BayesianRating {
  readonly count: number;
  readonly histogram: StarHistogram;
  readonly plainMean: number | null;
  /** How many reviews across the shop the prior was taken from. */
  readonly priorReviewCount: number;
  /** When the oldest and the newest of the counted reviews were written; null without reviews. */
  readonly period: { readonly from: Date; readonly to: Date } | null;
}

type Counts = Pick<
  RatingSummaryDoc,
  "count" | "ratingSum" | "h1" | "h2" | "h3" | "h4" | "h5" | "firstReviewAt" | "lastReviewAt"
>;

const ZERO: Counts = { count: 0, ratingSum: 0, h1: 0, h2: 0, h3: 0, h4: 0, h5: 0, firstReviewAt: null, lastReviewAt: null };

function histogramOf(c: Counts): StarHistogram {
  return [c.h1, c.h2, c.h3, c.h4, c.h5];
}

export function ratingFrom(product: Counts | undefined, shop: Counts | undefined, priorStrength: number): Rating {
  const h = histogramOf(product ?? ZERO);
  const shopHistogram = histogramOf(shop ?? ZERO);
  return {
    ...bayesianRating(h, priorFromHistogram(shopHistogram, priorStrength)),
    count: product?.count ?? 0,
    histogram: h,
    plainMean: plainMean(h),
    priorReviewCount: shop?.count ?? 0,
    period:
      product?.firstReviewAt && product.lastReviewAt ? { from: product.firstReviewAt, to: product.lastReviewAt } : null,
  };
}

/**
 * Ratings of several products of one shop: one `find` by `_id` for the
 * products' summaries and the shop's prior together, however many ids.
 */
export async function loadRatings(deps: Deps, shopId: string, productIds: readonly string[]): Promise<Rating[]> {
  const ids = [shopSummaryId(shopId), ...productIds.map((p) => productSummaryId(shopId, p))];
  const docs = await deps.models.RatingSummary.find({ _id: { $in: [...new Set(ids)] } }).lean<RatingSummaryDoc[]>();
  const byId = new Map(docs.map((d) => [d._id, d]));
  const shop = byId.get(shopSummaryId(shopId));
  return productIds.map((p) => ratingFrom(byId.get(productSummaryId(shopId, p)), shop, deps.priorStrength));
}

/**
 * Brings the summaries in line with one review: a published review is counted
 * once, any other status not at all. The review's `summaryApplied` flag is
 * flipped first (a conditional update: the claim), then the counts move, all
 * under the product summary's lock, so two retries or two moderators acting
 * on one review in this process cannot both count it. A crash between claim
 * and increment leaves a summary short, which `recompute` repairs.
 * Returns whether the counts changed.
 */
export async function syncReviewCount(deps: Deps, reviewId: string): Promise<boolean> {
  const first = await deps.models.Review.findById(reviewId, { shopId: 1, productId: 1 }).lean<ReviewDoc>();
  if (!first) return false;
  const productKey = productSummaryId(first.shopId, first.productId);
  return deps.summaryLock.run(productKey, async () => {
    const review = await deps.models.Review.findById(reviewId).lean<ReviewDoc>();
    if (!review) return false;
    const counted = review.status === "published";
    if (review.summaryApplied === counted) return false;
    const claim = await deps.models.Review.updateOne(
      { _id: review._id, summaryApplied: review.summaryApplied, status: review.status },
      { $set: { summaryApplied: counted } },
    );
    if (claim.modifiedCount !== 1) return false;
    const sign = counted ? 1 : -1;
    const change = {
      $inc: { count: sign, ratingSum: sign * review.rating, [`h${review.rating}`]: sign },
      // Adding a review can only widen the period; removing one may shrink it,
      // which only the remaining reviews can tell (see refreshPeriod).
      ...(counted ? { $min: { firstReviewAt: review.createdAt }, $max: { lastReviewAt: review.createdAt } } : {}),
    };
    await incrementSummary(deps, productKey, { shopId: review.shopId, productId: review.productId }, change);
    const shopKey = shopSummaryId(review.shopId);
    await deps.summaryLock.run(shopKey, () =>
      incrementSummary(deps, shopKey, { shopId: review.shopId, productId: null }, change),
    );
    if (!counted) {
      await refreshPeriod(deps, productKey, { shopId: review.shopId, productId: review.productId });
      await deps.summaryLock.run(shopKey, () => refreshPeriod(deps, shopKey, { shopId: review.shopId }));
    }
    return true;
  });
}

/** Recomputes a summary's period from its published reviews: two sorted reads, only when a review stops counting. */
async function refreshPeriod(deps: Deps, summaryId: string, scope: { shopId: string; productId?: string }): Promise<void> {
  const filter = { ...scope, status: "published" as const };
  const [oldest] = await deps.models.Review.find(filter, { createdAt: 1 }).sort({ createdAt: 1 }).limit(1).lean<ReviewDoc[]>();
  const [newest] = await deps.models.Review.find(filter, { createdAt: 1 }).sort({ createdAt: -1 }).limit(1).lean<ReviewDoc[]>();
  await deps.models.RatingSummary.updateOne(
    { _id: summaryId },
    { $set: { firstReviewAt: oldest?.createdAt ?? null, lastReviewAt: newest?.createdAt ?? null } },
  );
}

async function incrementSummary(
  deps: Deps,
  _id: string,
  identity: { shopId: string; productId: string | null },
  change: { $inc: Record<string, number>; $min?: Record<string, Date>; $max?: Record<string, Date> },
): Promise<void> {
  const update = () => deps.models.RatingSummary.updateOne({ _id }, { ...change, $setOnInsert: identity }, { upsert: true });
  try {
    await update();
  } catch (err) {
    // Two first writes racing (another API process) can both miss and both
    // insert; the loser's E11000 means the document now exists, so increment it.
    if (!isDuplicateKey(err)) throw err;
    await update();
  }
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
  // Set every review's flag to what the rebuild will count (published ones),
  // so a later sync of a review this rebuild already counted changes nothing.
  await Review.updateMany({ status: "published", summaryApplied: false }, { $set: { summaryApplied: true } });
  await Review.updateMany({ status: { $ne: "published" }, summaryApplied: true }, { $set: { summaryApplied: false } });

  // One pass over the reviews, streamed: `$group` would do the counts, but
  // FerretDB's `$group` has no `$min`/`$max` for the period (MONGODB.md §2.3).
  const fresh = new Map<string, Counts & { shopId: string; productId: string | null }>();
  const add = (id: string, shopId: string, productId: string | null, rating: number, at: Date) => {
    const c = fresh.get(id) ?? { ...ZERO, shopId, productId };
    c.count += 1;
    c.ratingSum += rating;
    c[`h${rating}` as "h1"] += 1;
    if (!c.firstReviewAt || at < c.firstReviewAt) c.firstReviewAt = at;
    if (!c.lastReviewAt || at > c.lastReviewAt) c.lastReviewAt = at;
    fresh.set(id, c);
  };
  const reviews = Review.find({ status: "published" }, { shopId: 1, productId: 1, rating: 1, createdAt: 1 })
    .lean()
    .cursor({ batchSize: 1000 });
  for await (const r of reviews) {
    add(productSummaryId(r.shopId, r.productId), r.shopId, r.productId, r.rating, r.createdAt);
    add(shopSummaryId(r.shopId), r.shopId, null, r.rating, r.createdAt);
  }

  const stored = await RatingSummary.find({}).lean<RatingSummaryDoc[]>();
  const repaired: string[] = [];
  for (const doc of stored) {
    const want = fresh.get(doc._id) ?? { ...ZERO, shopId: doc.shopId, productId: doc.productId ?? null };
    fresh.delete(doc._id);
    if (sameCounts(doc, want)) continue;
    repaired.push(doc._id);
    await RatingSummary.replaceOne({ _id: doc._id }, want);
  }
  for (const [id, want] of fresh) {
    repaired.push(id);
    await RatingSummary.replaceOne({ _id: id }, want, { upsert: true });
  }
  return { summaries: stored.length + fresh.size, repaired: repaired.sort() };
}

function sameCounts(a: Counts, b: Counts): boolean {
  return (Object.keys(ZERO) as (keyof Counts)[]).every((k) => {
    const x = a[k] ?? null;
    const y = b[k] ?? null;
    return x instanceof Date && y instanceof Date ? x.getTime() === y.getTime() : x === y;
  });
}
