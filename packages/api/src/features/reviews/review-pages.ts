/**
 * Pages of a product's reviews, in any order, each as cheap as the first.
 *
 * Every review carries two page keys, strings set once when it is stored (what
 * they are made of never changes):
 *
 *   pageNewest = <product>.<time>.<reviewId>
 *   pageStars  = <product>.<stars>.<time>.<reviewId>
 *
 * (and pageShopNewest = <shop>.<time>.<reviewId>, the shop's reviews newest
 * first, which no page reads: a process loads its near-duplicate index by it,
 * features/scoring)
 *
 * where <product> is a hash of the shop and product ids and <time> counts down
 * as reviews get newer, so ascending key order is newest first. A page is a
 * range of one key after the cursor (itself a key), read in key order with a
 * limit: on MongoDB through the `page_newest` / `page_stars` indexes, and on
 * the embedded FerretDB through the same indexes in SQLite, which our patch
 * lets such a range-and-sort reach (ferretdb/patches/README.md). Either way a
 * page reads about as many reviews as it shows, however deep it is; the old
 * `$or` keyset condition was a full scan and sort in FerretDB for every page.
 *
 * The keys hold only characters that sort the same in JSON text as in
 * MongoDB (hex, digits, '.', and the review id), which the pushdown needs.
 *
 * HIGHEST and LOWEST walk the star levels in order, one range of `pageStars`
 * each; NEWEST reads `pageNewest`, or, filtered to some star levels, merges
 * those levels' `pageStars` ranges. Status is checked on what the range
 * returns: nearly every review is published, so the scan stops soon after the
 * page is full (a moderator's view of a rare state reads more).
 */
import { createHash } from "node:crypto";
import { findByIds } from "../../db/find-by-ids.js";
import type { ReviewDoc } from "./model.js";
import { StarlingError, invalidInput } from "../../errors.js";
import { reviewPageGroup, type Deps } from "../deps.js";
import { toReview, type ReviewPage } from "./review.js";

export type { ReviewPage } from "./review.js";
import { starRating } from "../validate.js";
import { helpfulRank } from "../votes/wilson.js";

export type ReviewOrder = "NEWEST" | "HIGHEST" | "LOWEST" | "MOST_HELPFUL";

export const MAX_PAGE_SIZE = 100;

/** The most review ids one page may name (`Product.reviews(ids:)`): the insights widget's quotes of one aspect. */
export const MAX_REVIEW_IDS = 20;

// What a stored review id can look like (the page keys' last part): anything else cannot exist, so is not looked up.
const REVIEW_ID = /^[A-Za-z0-9_:.-]{1,200}$/;

/** The largest first page kept in the review page cache (the review widget asks for 5). */
export const CACHED_PAGE_SIZE = 20;

/** A time after every review: 13 digits of milliseconds reach the year 2286. */
const TIME_CEILING = 9_999_999_999_999;

/** The first part of a product's page keys (the review feed walks a product's reviews by it too). */
export function productPrefix(shopId: string, productId: string): string {
  return createHash("sha256").update(`${shopId}\u0000${productId}`).digest("hex").slice(0, 20);
}

/** The first part of a review's `pageShopNewest` key: the shop's (a hash of its id, as plain as productPrefix). */
export function shopPrefix(shopId: string): string {
  return createHash("sha256").update(`${shopId}\u0000`).digest("hex").slice(0, 20);
}

export function countdown(createdAt: Date): string {
  return String(TIME_CEILING - createdAt.getTime()).padStart(13, "0");
}

/** The page keys of a review about to be stored (see the top of this file). */
export function withPageKeys<T extends Pick<ReviewDoc, "_id" | "shopId" | "productId" | "rating" | "createdAt">>(
  doc: T,
): T & { pageNewest: string; pageStars: string; pageShopNewest: string; pageHelpful: string; pageHelpfulStars: string } {
  const p = productPrefix(doc.shopId, doc.productId);
  const t = countdown(doc.createdAt);
  return {
    ...doc,
    pageNewest: `${p}.${t}.${doc._id}`,
    pageStars: `${p}.${doc.rating}.${t}.${doc._id}`,
    pageShopNewest: `${shopPrefix(doc.shopId)}.${t}.${doc._id}`,
    ...helpfulPageKeys(doc, 0),
  };
}

/**
 * MOST_HELPFUL's keys, the only page keys that move: rewritten by every counted
 * helpful vote (features/votes) from the review's Wilson lower bound.
 *
 *   pageHelpful      = <product>.<rank>.<time>.<reviewId>
 *   pageHelpfulStars = <product>.<stars>.<rank>.<time>.<reviewId>
 *
 * <rank> is the bound in six digits counting down (helpfulRank), so ascending
 * key order is most helpful first, newest first among equals. Paging while
 * votes arrive: a cursor is the key of the last review shown, as it was then,
 * and the next page is what sorts after that key now. A review whose bound
 * moves across the cursor between two pages can therefore show twice (it fell
 * below) or not at all (it rose above), and nothing else is affected: no page
 * fails, repeats the cursor's own review or skips one that did not move.
 */
export function helpfulPageKeys(
  doc: Pick<ReviewDoc, "_id" | "shopId" | "productId" | "rating" | "createdAt">,
  lowerBound: number,
): { pageHelpful: string; pageHelpfulStars: string } {
  const p = productPrefix(doc.shopId, doc.productId);
  const rest = `${helpfulRank(lowerBound)}.${countdown(doc.createdAt)}.${doc._id}`;
  return { pageHelpful: `${p}.${rest}`, pageHelpfulStars: `${p}.${doc.rating}.${rest}` };
}

// A key's shape: the product prefix, a star level for pageStars, the countdown, a review id.
const KEY = /^([0-9a-f]{20})\.(?:([1-5])\.)?(\d{13})\.([A-Za-z0-9_:.-]{1,200})$/;

/** A cursor is the order and the page key of the last review shown. */
function encodeCursor(order: ReviewOrder, key: string): string {
  return Buffer.from(JSON.stringify([order, key])).toString("base64url");
}

interface Position {
  /** The star level (HIGHEST, LOWEST) or null (NEWEST). */
  stars: number | null;
  /** "<countdown>.<reviewId>": the place within a star level, or among all reviews. */
  rest: string;
}

// MOST_HELPFUL's key (pageHelpful): the product prefix, then the rank, the countdown and the review id.
const HELPFUL_KEY = /^([0-9a-f]{20})\.(\d{6}\.\d{13}\.[A-Za-z0-9_:.-]{1,200})$/;

function decodeCursor(cursor: string, order: ReviewOrder, prefix: string): Position {
  const invalid = (why: string) => new StarlingError("INVALID_CURSOR", `This cursor ${why}.`, { field: "after" });
  let parsed: unknown = null;
  if (/^[A-Za-z0-9_-]{1,2000}$/.test(cursor)) {
    try {
      parsed = JSON.parse(Buffer.from(cursor, "base64url").toString("utf8"));
    } catch {
      parsed = null;
    }
  }
  if (!Array.isArray(parsed) || parsed.length !== 2 || typeof parsed[0] !== "string" || typeof parsed[1] !== "string") {
    throw invalid("is not one that Starling issued");
  }
  if (parsed[0] === "MOST_HELPFUL" || order === "MOST_HELPFUL") {
    const helpful = HELPFUL_KEY.exec(parsed[1]);
    if (parsed[0] !== "MOST_HELPFUL" || !helpful) {
      throw invalid(helpful ? `belongs to orderBy ${String(parsed[0])}, not ${order}` : "is not one that Starling issued");
    }
    if (order !== "MOST_HELPFUL") throw invalid(`belongs to orderBy MOST_HELPFUL, not ${order}`);
    if (helpful[1] !== prefix) throw invalid("belongs to another product's reviews");
    return { stars: null, rest: helpful[2]! };
  }
  const match = KEY.exec(parsed[1]);
  if (!match || (parsed[0] === "NEWEST") !== (match[2] === undefined) || !["NEWEST", "HIGHEST", "LOWEST"].includes(parsed[0])) {
    throw invalid("is not one that Starling issued");
  }
  if (parsed[0] !== order) throw invalid(`belongs to orderBy ${parsed[0]}, not ${order}`);
  if (match[1] !== prefix) throw invalid("belongs to another product's reviews");
  return { stars: match[2] === undefined ? null : Number(match[2]), rest: `${match[3]}.${match[4]}` };
}

type PagedDoc = ReviewDoc & { pageNewest: string; pageStars: string; pageHelpful: string; pageHelpfulStars: string };

export async function listReviews(
  deps: Deps,
  shopId: string,
  productId: string,
  opts: {
    first: number;
    after?: string | null;
    orderBy: ReviewOrder;
    stars?: readonly number[] | null;
    /** Published only unless asked (moderators see the others). */
    statuses?: readonly ReviewDoc["status"][] | null;
    /** Only these reviews (at most MAX_REVIEW_IDS), in one page. */
    ids?: readonly string[] | null;
  },
): Promise<ReviewPage> {
  if (!Number.isInteger(opts.first) || opts.first < 1 || opts.first > MAX_PAGE_SIZE) {
    throw invalidInput("first", `must be a whole number from 1 to ${MAX_PAGE_SIZE}`);
  }
  const statuses = opts.statuses?.length ? [...new Set(opts.statuses)] : ["published"];
  const stars = opts.stars ? [...new Set(opts.stars.map((s) => starRating("stars", s)))].sort() : null;
  if (stars && stars.length === 0) throw invalidInput("stars", "must name at least one star level, 1 to 5");
  const prefix = productPrefix(shopId, productId);
  if (opts.ids) return reviewsByIds(deps, shopId, productId, { ...opts, ids: opts.ids, statuses, stars });
  const position = opts.after ? decodeCursor(opts.after, opts.orderBy, prefix) : null;
  const base: Record<string, unknown> = { shopId, productId, status: statuses.length === 1 ? statuses[0] : { $in: statuses } };

  /** Up to `limit` reviews of one key's range (after `from`, exclusive), in key order. */
  const range = (
    field: "pageNewest" | "pageStars" | "pageHelpful" | "pageHelpfulStars",
    start: string,
    from: string | null,
    limit: number,
  ) =>
    deps.models.Review.find({ ...base, [field]: { $gt: from ?? start, $lt: `${start.slice(0, -1)}/` } })
      .sort({ [field]: 1 })
      .limit(limit)
      .lean<PagedDoc[]>();

  const load = async (): Promise<ReviewPage> => {
    const want = opts.first + 1;
    let docs: PagedDoc[];
    let keyOf: (d: PagedDoc) => string;
    const levels = stars ?? [1, 2, 3, 4, 5];
    /**
     * The first `want` by `key`: its one range when every star level is
     * wanted; otherwise each level's own range of `perLevel`, merged.
     */
    const byKey = async (key: "pageHelpful" | "pageNewest", perLevel: "pageHelpfulStars" | "pageStars"): Promise<PagedDoc[]> => {
      if (levels.length === 5) return range(key, `${prefix}.`, position && `${prefix}.${position.rest}`, want);
      const runs = await Promise.all(
        levels.map((s) => range(perLevel, `${prefix}.${s}.`, position && `${prefix}.${s}.${position.rest}`, want)),
      );
      return runs
        .flat()
        .sort((a, b) => (a[key] < b[key] ? -1 : a[key] > b[key] ? 1 : 0))
        .slice(0, want);
    };
    if (opts.orderBy === "MOST_HELPFUL") {
      keyOf = (d) => d.pageHelpful;
      // As NEWEST, with the helpful key.
      docs = await byKey("pageHelpful", "pageHelpfulStars");
    } else if (opts.orderBy === "NEWEST") {
      keyOf = (d) => d.pageNewest;
      docs = await byKey("pageNewest", "pageStars");
    } else {
      keyOf = (d) => d.pageStars;
      const order = opts.orderBy === "HIGHEST" ? [...levels].sort((a, b) => b - a) : [...levels].sort((a, b) => a - b);
      // Star levels in order, skipping those before the cursor's.
      const rank = (s: number) => (opts.orderBy === "HIGHEST" ? -s : s);
      docs = [];
      for (const s of order) {
        if (position && rank(s) < rank(position.stars!)) continue;
        const from = position && s === position.stars ? `${prefix}.${s}.${position.rest}` : null;
        docs.push(...(await range("pageStars", `${prefix}.${s}.`, from, want - docs.length)));
        if (docs.length >= want) break;
      }
    }
    const page = docs.slice(0, opts.first);
    return {
      reviews: page.map(toReview),
      cursors: page.map((d) => encodeCursor(opts.orderBy, keyOf(d))),
      hasNextPage: docs.length > opts.first,
    };
  };
  // What a product page shows, cached; later pages and moderators' views are not.
  const shownOnProductPage = !opts.after && !opts.statuses?.some((s) => s !== "published") && opts.first <= CACHED_PAGE_SIZE;
  if (!shownOnProductPage) return load();
  return deps.cache.reviewPages.get(reviewPageGroup(shopId, productId), `${opts.orderBy} ${opts.first} ${stars ?? ""}`, load);
}

/**
 * The reviews named by `ids` among the product's reviews in these states (and
 * star levels), in `orderBy`'s order, as one page (`first` and `after` do not
 * apply: at most MAX_REVIEW_IDS reviews): one `_id` lookup, however many
 * reviews the product has. An id of another shop, another product, or a review
 * not in these states is left out exactly as an id that never existed, so the
 * answer reveals nothing about other shops' reviews. Not cached: the
 * combinations are endless, and the lookup is as cheap as a cache miss.
 */
async function reviewsByIds(
  deps: Deps,
  shopId: string,
  productId: string,
  opts: {
    after?: string | null;
    orderBy: ReviewOrder;
    ids: readonly string[];
    statuses: readonly string[];
    stars: readonly number[] | null;
  },
): Promise<ReviewPage> {
  if (opts.ids.length > MAX_REVIEW_IDS) throw invalidInput("ids", `must name at most ${MAX_REVIEW_IDS} reviews`);
  if (opts.after) throw invalidInput("after", "does not apply with ids: the reviews they name are one page");
  const docs = (await findByIds(
    deps.models.Review,
    opts.ids.filter((id) => REVIEW_ID.test(id)),
  )) as unknown as PagedDoc[];
  // Each order's own page key sorts as the order does (HIGHEST: most stars first, then newest).
  const keyOf = (d: PagedDoc) => (opts.orderBy === "MOST_HELPFUL" ? d.pageHelpful : opts.orderBy === "NEWEST" ? d.pageNewest : d.pageStars);
  const sortKey = (d: PagedDoc) => (opts.orderBy === "HIGHEST" ? `${6 - d.rating}${d.pageNewest}` : keyOf(d));
  const page = docs
    .filter(
      (d) =>
        d.shopId === shopId &&
        d.productId === productId &&
        opts.statuses.includes(d.status) &&
        (!opts.stars || opts.stars.includes(d.rating)) &&
        typeof keyOf(d) === "string",
    )
    .sort((a, b) => (sortKey(a) < sortKey(b) ? -1 : sortKey(a) > sortKey(b) ? 1 : 0));
  return {
    reviews: page.map(toReview),
    // The cursors the full list issues for these reviews: a client may continue the product's list after one.
    cursors: page.map((d) => encodeCursor(opts.orderBy, keyOf(d))),
    hasNextPage: false,
  };
}

/** How many of a product's reviews are in these states (and star levels): a moderator's count, not a hot path. */
export async function countReviews(
  deps: Deps,
  shopId: string,
  productId: string,
  statuses: readonly ReviewDoc["status"][],
  stars?: readonly number[] | null,
): Promise<number> {
  const filter: Record<string, unknown> = { shopId, productId, status: { $in: [...statuses] } };
  if (stars) filter.rating = { $in: stars.map((s) => starRating("stars", s)) };
  return deps.models.Review.countDocuments(filter);
}

/**
 * Gives page keys to reviews stored before they existed (an older data
 * folder), so they show in review pages; run by `recompute`. A no-op once done.
 */
/**
 * Gives a shop's reviews stored by an older Starling, before reviews had a
 * shop key, their `pageShopNewest`, once per shop: the shop is marked
 * (`reviewsShopKeyed`) when all have it, and a shop made since is marked at
 * creation. The near-duplicate index (scoring.ts) is read by that key, so
 * without this a new process's index would leave those reviews out until
 * someone ran `recompute`. The first load after an upgrade pays one read of
 * the shop's reviews without the key; later ones, a read of the shop by id.
 * A review stored meanwhile by an older process still running beside a new
 * one gets no key: run `recompute` after such a mixed deployment.
 */
export async function keyShopReviews(deps: Deps, shopId: string): Promise<number> {
  const shop = await deps.models.Shop.findById(shopId, { reviewsShopKeyed: 1 }).lean<{ reviewsShopKeyed?: boolean }>();
  if (!shop || shop.reviewsShopKeyed) return 0;
  const missing = await deps.models.Review.find(
    { shopId, pageShopNewest: { $exists: false } },
    { _id: 1, shopId: 1, productId: 1, rating: 1, createdAt: 1 },
  ).lean<ReviewDoc[]>();
  // In chunks, as rescoreShop writes (scoring.ts).
  for (let i = 0; i < missing.length; i += 50) {
    await deps.models.Review.bulkWrite(
      missing.slice(i, i + 50).map((d) => ({
        updateOne: { filter: { _id: d._id }, update: { $set: { pageShopNewest: withPageKeys(d).pageShopNewest } } },
      })),
    );
  }
  await deps.models.Shop.updateOne({ _id: shopId }, { $set: { reviewsShopKeyed: true } });
  return missing.length;
}

export async function addMissingPageKeys(deps: Deps): Promise<number> {
  const missing = await deps.models.Review.find(
    { $or: [{ pageStars: { $exists: false } }, { pageHelpfulStars: { $exists: false } }, { pageShopNewest: { $exists: false } }] },
    { _id: 1, shopId: 1, productId: 1, rating: 1, createdAt: 1, votes: 1 },
  ).lean<ReviewDoc[]>();
  for (const d of missing) {
    const { pageNewest, pageStars, pageShopNewest } = withPageKeys(d);
    const helpful = helpfulPageKeys(d, d.votes?.lowerBound ?? 0);
    await deps.models.Review.collection.updateOne({ _id: d._id } as never, { $set: { pageNewest, pageStars, pageShopNewest, ...helpful } });
  }
  return missing.length;
}
