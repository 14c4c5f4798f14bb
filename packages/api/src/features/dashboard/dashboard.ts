/**
 * What the shop's dashboard reads (issue 16): aggregates from maintained
 * counters and summaries (never by sending reviews to the browser), the
 * shop-wide moderation queue, and a review search.
 */
import { FULL_WEIGHT_BP, plainMean, priorFromHistogram, type StarHistogram } from "@starling/scoring";
import type { DashboardCountsDoc } from "./model.js";
import type { ReviewDoc, ReviewStatus } from "../reviews/model.js";
import type { ShopDoc } from "../shops/model.js";
import { decodeTimeCursor, encodeTimeCursor, olderThan } from "../../db/time-cursor.js";
import { invalidInput } from "../../errors.js";
import type { Deps } from "../deps.js";
import type { PublicationRow } from "../moderation/moderation.js";
import { loadSummaries, shopSummaryId } from "../ratings/ratings.js";
import { toReview, type Review } from "../reviews/review.js";
import { loadCounts, productCountsId, shopCountsId } from "./counters.js";

export interface WeekPoint {
  /** Monday of the week, UTC. */
  readonly weekStart: Date;
  /** Reviews received that week (any status). */
  readonly received: number;
  /** Of those, published (counted). */
  readonly published: number;
  /** Of those published, verified purchases. */
  readonly verified: number;
  /** The trust-weighted Bayesian average (the displayed rating's formula) over everything published up to this week's end. */
  readonly displayedRating: number | null;
  /** The plain mean of the stars published up to this week's end. */
  readonly plainMean: number | null;
}

export interface Overview {
  readonly weeks: WeekPoint[];
  /** Published reviews per star level, 5 stars first. */
  readonly histogram: { stars: number; count: number }[];
  readonly publication: PublicationRow[];
  /** Verified purchases among published reviews; null without any. */
  readonly verifiedShare: number | null;
  readonly pending: number;
  readonly quarantined: number;
}

const STATUSES: readonly ReviewStatus[] = ["published", "pending", "rejected", "quarantined"];

/**
 * The weekly series of a counters document: cumulative, so each point is the
 * rating as it stood at the end of that week. The prior is the shop's today
 * (its fitted strength and star shares), so the curve shows what the reviews
 * did, not how the prior moved.
 */
function weekSeries(counts: DashboardCountsDoc | null, prior: { shares: StarHistogram; strength: number }): WeekPoint[] {
  const stored = counts?.weeks ?? {};
  const keys = Object.keys(stored).sort();
  if (!keys.length) return [];
  // Every week from the first to the last, quiet ones too (as zeroes), so a chart's x axis is time.
  // At most MAX_WEEKS points, the newest; older weeks still count in the cumulative rating.
  const weeks: string[] = [];
  const last = Date.parse(`${keys.at(-1)}T00:00:00Z`);
  const first = Math.max(Date.parse(`${keys[0]}T00:00:00Z`), last - (MAX_WEEKS - 1) * WEEK_MS);
  for (let t = first; t <= last; t += WEEK_MS) weeks.push(new Date(t).toISOString().slice(0, 10));
  const hist = [0, 0, 0, 0, 0];
  const weighted = [0, 0, 0, 0, 0];
  for (const key of keys) {
    if (key >= weeks[0]!) break;
    for (let s = 1; s <= 5; s++) {
      hist[s - 1]! += stored[key]![`p${s}`] ?? 0;
      weighted[s - 1]! += (stored[key]![`w${s}`] ?? 0) / FULL_WEIGHT_BP;
    }
  }
  return weeks.map((week) => {
    const w = stored[week] ?? {};
    let published = 0;
    for (let s = 1; s <= 5; s++) {
      const n = w[`p${s}`] ?? 0;
      hist[s - 1]! += n;
      weighted[s - 1]! += (w[`w${s}`] ?? 0) / FULL_WEIGHT_BP;
      published += n;
    }
    const total = weighted.reduce((a, b) => a + b, 0);
    const m = prior.strength;
    const any = hist.some((n) => n > 0);
    const displayed = any ? weighted.reduce((acc, n, i) => acc + (i + 1) * ((n + m * prior.shares[i]!) / (total + m)), 0) : null;
    return {
      weekStart: new Date(`${week}T00:00:00.000Z`),
      received: w.r ?? 0,
      published,
      verified: w.v ?? 0,
      displayedRating: displayed,
      plainMean: plainMean(hist as unknown as StarHistogram),
    };
  });
}

const WEEK_MS = 7 * 86_400_000;
/** Twenty years of weeks: a bound on the answer, whatever dates a shop imported. */
const MAX_WEEKS = 1_044;

function publicationOf(counts: DashboardCountsDoc | null): PublicationRow[] {
  return [5, 4, 3, 2, 1].map((stars) => {
    const row = { stars, received: 0, published: 0, pending: 0, rejected: 0, quarantined: 0 };
    for (const status of STATUSES) {
      const n = counts?.status?.[status]?.[String(stars)] ?? 0;
      row[status] = n;
      row.received += n;
    }
    return row;
  });
}

async function shopPrior(deps: Deps, shopId: string) {
  const [summary] = await loadSummaries(deps, [shopSummaryId(shopId)]);
  const h: StarHistogram = summary ? [summary.h1, summary.h2, summary.h3, summary.h4, summary.h5] : [0, 0, 0, 0, 0];
  return priorFromHistogram(h, summary?.priorStrength ?? deps.priorStrength);
}

/** The overview: two reads by `_id` (the shop's counters and its rating summary), whatever the number of reviews. */
export async function overview(deps: Deps, shopId: string): Promise<Overview> {
  const [counts, prior] = await Promise.all([loadCounts(deps, shopCountsId(shopId)), shopPrior(deps, shopId)]);
  const publication = publicationOf(counts);
  const published = publication.reduce((a, r) => a + r.published, 0);
  const verifiedPublished = counts?.verified?.published ?? 0;
  return {
    weeks: weekSeries(counts, prior),
    histogram: publication.map((r) => ({ stars: r.stars, count: r.published })),
    publication,
    verifiedShare: published ? verifiedPublished / published : null,
    pending: publication.reduce((a, r) => a + r.pending, 0),
    quarantined: publication.reduce((a, r) => a + r.quarantined, 0),
  };
}

/** A product's weekly series, with the shop's prior (as its displayed rating has). */
export async function productTimeline(deps: Deps, shopId: string, productId: string): Promise<WeekPoint[]> {
  const [counts, prior] = await Promise.all([loadCounts(deps, productCountsId(shopId, productId)), shopPrior(deps, shopId)]);
  return weekSeries(counts, prior);
}

export interface ReviewListPage {
  readonly reviews: Review[];
  readonly cursors: string[];
  readonly hasNextPage: boolean;
}

async function page(
  deps: Deps,
  list: string,
  filter: Record<string, unknown>,
  first: number,
  after: string | null | undefined,
): Promise<ReviewListPage> {
  const query = after ? { $and: [filter, olderThan("createdAt", decodeTimeCursor(list, after))] } : filter;
  const docs = await deps.models.Review.find(query)
    .sort({ createdAt: -1, _id: -1 })
    .limit(first + 1)
    .lean<ReviewDoc[]>();
  const shown = docs.slice(0, first);
  return {
    reviews: shown.map(toReview),
    cursors: shown.map((d) => encodeTimeCursor(list, d.createdAt, d._id)),
    hasNextPage: docs.length > first,
  };
}

/** The shop-wide moderation queue, newest first: reviews in these states (index shop_status). */
export async function reviewQueue(
  deps: Deps,
  shopId: string,
  opts: { statuses: readonly ReviewStatus[]; first: number; after?: string | null },
): Promise<ReviewListPage> {
  if (!opts.statuses.length) throw invalidInput("status", "name at least one status");
  return page(deps, "reviewQueue", { shopId, status: { $in: [...opts.statuses] } }, opts.first, opts.after);
}

export interface ReviewSearch {
  readonly text?: string | null;
  readonly stars?: readonly number[] | null;
  readonly statuses?: readonly ReviewStatus[] | null;
  readonly provenances?: readonly string[] | null;
  readonly productId?: string | null;
  readonly from?: Date | null;
  readonly to?: Date | null;
}

export const MAX_SEARCH_TEXT = 100;

/**
 * Reviews matching every filter given, newest first. The text is matched as
 * written (case-insensitive) in the title or the body; it is escaped, never a
 * pattern. A scan of the shop's reviews in time order that stops at a page.
 */
export async function searchReviews(
  deps: Deps,
  shopId: string,
  search: ReviewSearch,
  first: number,
  after?: string | null,
): Promise<ReviewListPage> {
  const filter: Record<string, unknown> = { shopId };
  const text = search.text?.trim();
  if (text) {
    if (text.length > MAX_SEARCH_TEXT) throw invalidInput("text", `at most ${MAX_SEARCH_TEXT} characters`);
    const pattern = new RegExp(text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&"), "i");
    filter.$or = [{ title: pattern }, { body: pattern }];
  }
  if (search.stars?.length) {
    if (search.stars.some((s) => !Number.isInteger(s) || s < 1 || s > 5)) throw invalidInput("stars", "star levels are 1 to 5");
    filter.rating = { $in: [...search.stars] };
  }
  if (search.statuses?.length) filter.status = { $in: [...search.statuses] };
  if (search.provenances?.length) filter.provenance = { $in: [...search.provenances] };
  if (search.productId) filter.productId = search.productId;
  if (search.from || search.to) {
    if (search.from && search.to && search.from > search.to) throw invalidInput("from", "`from` is after `to`");
    filter.createdAt = { ...(search.from ? { $gte: search.from } : {}), ...(search.to ? { $lte: search.to } : {}) };
  }
  return page(deps, "searchReviews", filter, first, after);
}

/** Below this trust weight a review "counts less" (the summaries' discounted threshold). */
const COUNTS_LESS_BP = 9_000;

/** A product's most recent reviews that count less than a full review, with their reasons (index product_newest, bounded). */
export async function discountedReviews(deps: Deps, shopId: string, productId: string, first: number): Promise<Review[]> {
  const docs = await deps.models.Review.find({ shopId, productId, status: "published", "score.trustWeightBp": { $lt: COUNTS_LESS_BP } })
    .sort({ createdAt: -1, _id: -1 })
    .limit(first)
    .lean<ReviewDoc[]>();
  return docs.map(toReview);
}

export interface ShopSettings {
  readonly moderationMode: "post" | "pre";
  readonly allowedOrigins: string[];
}

export async function shopSettings(deps: Deps, shopId: string): Promise<ShopSettings> {
  const doc = await deps.models.Shop.findById(shopId, { moderation: 1, allowedOrigins: 1 }).lean<ShopDoc>();
  return { moderationMode: doc?.moderation ?? "post", allowedOrigins: doc?.allowedOrigins ?? [] };
}
