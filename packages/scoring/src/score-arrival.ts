/// <reference path="./runtime.d.ts" />
/**
 * The write path: score one review as it arrives, against its product's and
 * its reviewer's stored state, and return the new states. Causal by
 * construction: only what is known at `now` is used.
 */
import { ScoringInputError, requireInput } from "./errors.js";
import {
  ARRIVAL_STREAMS,
  type ArrivalState,
  type BurstRecord,
  CO_REVIEW_BIT,
  type RecentArrival,
  detectBursts,
  firstTimeStreamOf,
  initialArrivalState,
  pushArrival,
  recordBurst,
} from "./fraud/burst.js";
import type { DuplicateMatch } from "./fraud/text-similarity.js";
import { DEFAULT_SCORING_OPTIONS, SUSPICION_WEIGHTS as W, type ScoringOptions } from "./options.js";
import { UNEXPLAINED_DISCOUNT, type ArrivalStream, type BurstEvidence, type Reason } from "./reasons.js";
import { DISCOUNTED_BELOW_BP, FULL_WEIGHT_BP, type RatingCounts, addToRatingCounts, emptyRatingCounts } from "./trust-weighted-rating.js";

/**
 * Everything the scorer keeps per product: plain JSON, stored in the
 * product's summary document and replaced on every write. Bounded: about
 * 32 recent arrivals, 3 stream baselines and 10 bursts (a few kB).
 */
export interface ProductState {
  readonly version: 1;
  /** The rating counts the displayed rating is computed from. */
  counts: RatingCounts;
  /** Discounted reviews (weight < 0.9) by the reason that weighed most: "how many were discounted and why". */
  discountReasons: Record<string, number>;
  arrival: ArrivalState;
}

/** Everything the scorer keeps per reviewer (per shop): a dozen numbers. */
export interface ReviewerState {
  readonly version: 1;
  reviewCount: number;
  /** Times of the first and last review, ms since the epoch; 0 before the first. */
  firstMs: number;
  lastMs: number;
  /** UTC day number of the last review and how many reviews fell on it. */
  day: number;
  reviewsThatDay: number;
  maxReviewsPerDay: number;
  extremeCount: number;
  /** Distinct UTC days with a review (history quality: spread over time, not all within days). Absent in states stored before issue 18. */
  activeDays?: number;
  /** The last few products reviewed, flattened [product hash, UTC day, ...], newest last (co-review; at most coReviewProducts pairs). */
  recentProducts?: number[];
  /** This reviewer's reviews that were flagged as part of a burst, campaign or group when they arrived: evidence carries on. */
  flaggedReviews?: number;
}

/** The review being scored; `stars` is an integer 1..5. */
export interface ArrivalReview {
  readonly reviewId: string;
  readonly reviewerId: string;
  readonly stars: number;
  /** True for a verified purchase, false when the shop says it was not, absent when unknown. */
  readonly verified?: boolean | undefined;
  /** The product reviewed; without it there is no co-review evidence. */
  readonly productId?: string | undefined;
}

/** An earlier review whose weight changed because it turned out to be inside a flagged window. */
export interface Reweight {
  readonly reviewId: string;
  readonly suspicion: number;
  readonly trustWeightBp: number;
  /** The reason to append to that review's reasons. */
  readonly reason: Reason;
}

export interface ArrivalScore {
  /** In [0, 1]; 1 − trust weight before the floor. */
  readonly suspicion: number;
  /** The weight the review is counted with, in basis points (500..10000 by default). */
  readonly trustWeightBp: number;
  /** What raised (or lowered) the suspicion, strongest first. */
  readonly reasons: Reason[];
  readonly product: ProductState;
  readonly reviewer: ReviewerState;
  /** The burst this arrival raised or extended, if any. */
  readonly burst: BurstRecord | null;
  /** Alarms raised at this arrival (empty most of the time). */
  readonly alarms: BurstEvidence[];
  /** Earlier reviews in a newly flagged window, with their new weights; the API updates them. */
  readonly reweighted: Reweight[];
}

export function initialProductState(): ProductState {
  return { version: 1, counts: emptyRatingCounts(), discountReasons: {}, arrival: initialArrivalState() };
}

export function initialReviewerState(): ReviewerState {
  return {
    version: 1,
    reviewCount: 0,
    firstMs: 0,
    lastMs: 0,
    day: 0,
    reviewsThatDay: 0,
    maxReviewsPerDay: 0,
    extremeCount: 0,
    activeDays: 0,
    recentProducts: [],
    flaggedReviews: 0,
  };
}

/** How far a reviewer's earlier reviews look like a person's, at nowMs. */
export interface HistoryQuality {
  /** In [0, 1]: maturity × √(day spread) × variety; what the history's trust is multiplied by. */
  readonly quality: number;
  /**
   * What the history's trust is multiplied by: 1, except for a campaign-like
   * (uniform) history, where it is (1 + maturity) / 2. Narrower than
   * `quality` on purpose: on YelpChi's tuning half, multiplying every
   * history's trust by `quality` lowers the per-review AUC (0.724 → 0.717),
   * so a young account is caught through the burst streams instead (it
   * counts as new there, see `unprovenQuality`).
   */
  readonly trust: number;
  /** Account age over historyMatureMs, capped at 1. */
  readonly maturity: number;
  readonly extremeShare: number;
  readonly activeDays: number;
  readonly ageDays: number;
  /** Two or more earlier reviews, every one at an extreme of the scale: campaign-like ratings. */
  readonly uniform: boolean;
}

/**
 * History quality, not quantity (issue 18): a person's history is spread over
 * time (maturity) and over days (not all on one), with ratings that vary; an
 * account built days ago from reviews all at the extremes is a campaign's.
 * Uses only the reviewer state (bounded), so it is causal and O(1).
 */
export function historyQuality(reviewer: ReviewerState, nowMs: number, options: ScoringOptions = DEFAULT_SCORING_OPTIONS): HistoryQuality {
  const n = reviewer.reviewCount;
  const ageMs = Math.max(0, nowMs - reviewer.firstMs);
  const maturity = Math.min(1, ageMs / options.historyMatureMs);
  // 0 or absent with earlier reviews: a state from before activeDays was kept; assume one day each.
  const activeDays = reviewer.activeDays || n;
  const daySpread = n > 0 ? Math.min(1, activeDays / n) : 1;
  const extremeShare = n > 0 ? reviewer.extremeCount / n : 0;
  const uniform = n >= 2 && extremeShare === 1;
  const quality = maturity * Math.sqrt(daySpread) * (uniform ? 0.5 : 1);
  const trust = uniform ? 0.5 + 0.5 * maturity : 1;
  return { quality, trust, maturity, extremeShare, activeDays, ageDays: ageMs / DAY_MS, uniform };
}

/** A product id as a 32-bit FNV-1a hash: the reviewer state keeps numbers, not ids (bounded, and no ids copied around). */
export function productHash(productId: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < productId.length; i++) {
    h ^= productId.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

const DAY_MS = 86_400_000;

/**
 * Sorts reasons by weight, strongest first, keeping equal weights in their
 * order: what a stable `sort((a, b) => b.weight - a.weight)` gives. A review
 * has a handful of reasons; an insertion sort in place spares the builtin's
 * comparator calls and work array on every review (the `score` command
 * sorts a million lists).
 */
function sortByWeightDescending(reasons: Reason[]): void {
  for (let i = 1; i < reasons.length; i++) {
    const r = reasons[i]!;
    let j = i - 1;
    while (j >= 0 && reasons[j]!.weight < r.weight) {
      reasons[j + 1] = reasons[j]!;
      j--;
    }
    reasons[j + 1] = r;
  }
}

function streamBit(stream: ArrivalStream): number {
  return 1 << ARRIVAL_STREAMS.indexOf(stream);
}

function logistic(x: number): number {
  return 1 / (1 + Math.exp(-x));
}

/** Trust weight from suspicion: 1 − suspicion, floored, rounded to basis points. */
export function trustWeightBpOf(suspicion: number, options: ScoringOptions = DEFAULT_SCORING_OPTIONS): number {
  return Math.max(options.minWeightBp, Math.round((1 - suspicion) * FULL_WEIGHT_BP));
}

function burstWeight(a: { firstTime: boolean; stars: number }, alarm: BurstEvidence, options: ScoringOptions): number {
  if (alarm.stream !== "all") return firstTimeStreamOf(a.firstTime, a.stars) === alarm.stream ? W.burstFirstTimeStream : 0;
  const aligned = (a.stars === 5 && alarm.meanStars >= 4.5) || (a.stars === 1 && alarm.meanStars <= 1.5);
  return (a.firstTime ? options.burstAllFirstTimeWeight : W.burstAllOther) + (aligned ? W.burstAllAligned : 0);
}

function tallyDiscount(product: ProductState, weightBp: number, topReason: string | null, sign: 1 | -1): void {
  if (weightBp >= DISCOUNTED_BELOW_BP) return;
  const key = topReason ?? UNEXPLAINED_DISCOUNT;
  const n = (product.discountReasons[key] ?? 0) + sign;
  if (n === 0) delete product.discountReasons[key];
  else product.discountReasons[key] = n;
}

function topReasonOf(reasons: readonly Reason[]): string | null {
  let best: Reason | null = null;
  for (const r of reasons) if (r.weight > 0 && (best === null || r.weight > best.weight)) best = r;
  return best?.code ?? null;
}

/**
 * {@link scoreArrival} without copying: updates `product` and `reviewer` in
 * place. For the batch job and the CLI, where states live in memory.
 */
export function scoreArrivalInPlace(
  product: ProductState,
  reviewer: ReviewerState,
  review: ArrivalReview,
  now: Date | number,
  duplicate: DuplicateMatch | null = null,
  options: ScoringOptions = DEFAULT_SCORING_OPTIONS,
): ArrivalScore {
  const nowMs = typeof now === "number" ? now : now.getTime();
  const stars = review.stars;
  requireInput(Number.isInteger(stars) && stars >= 1 && stars <= 5, "scoreArrival", "an integer star rating 1..5", stars);
  requireInput(Number.isFinite(nowMs), "scoreArrival", "a valid time", now);
  if (product.arrival.arrivals > 0 && nowMs < product.arrival.lastMs) {
    throw new ScoringInputError(
      `scoreArrival requires arrivals in time order per product, got ${new Date(nowMs).toISOString()} after ${new Date(product.arrival.lastMs).toISOString()}`,
    );
  }

  const reasons: Reason[] = [];

  // Reviewer newness and history: with historyQuality, earlier reviews earn
  // trust only as far as they look like a person's, a campaign-like history
  // costs trust, and an unproven account counts as new in the burst streams.
  const prior = reviewer.reviewCount;
  const newReviewer = prior === 0;
  let firstTime = newReviewer;
  if (newReviewer) reasons.push({ code: "first_time_reviewer", weight: W.firstTimeReviewer });
  else if (!options.historyQuality)
    reasons.push({ code: "reviewer_history", priorReviews: prior, weight: W.historyOffset + W.historyPerLogReview * Math.log1p(prior) });
  else {
    const h = historyQuality(reviewer, nowMs, options);
    const history: Reason = {
      code: "reviewer_history",
      priorReviews: prior,
      weight: W.historyOffset + W.historyPerLogReview * Math.log1p(prior) * h.trust,
    };
    if (h.trust < 1) history.quality = h.trust;
    reasons.push(history);
    if (h.uniform && h.maturity < 1) {
      reasons.push({
        code: "history_pattern",
        priorReviews: prior,
        extremeShare: h.extremeShare,
        ageDays: h.ageDays,
        activeDays: h.activeDays,
        weight: W.campaignHistory * (1 - h.maturity),
      });
    }
    firstTime = h.quality < options.unprovenQuality;
  }
  const flaggedBefore = reviewer.flaggedReviews ?? 0;
  if (options.campaignCarryOver && flaggedBefore > 0) {
    reasons.push({
      code: "flagged_history",
      flaggedReviews: flaggedBefore,
      weight: W.flaggedHistoryPerReview * Math.min(3, flaggedBefore),
    });
  }
  const day = Math.floor(nowMs / DAY_MS);
  const reviewsToday = !newReviewer && reviewer.day === day ? reviewer.reviewsThatDay + 1 : 1;
  if (reviewsToday > 1) {
    reasons.push({ code: "reviewer_daily_volume", reviewsToday, weight: W.dailyVolumePerReview * Math.min(3, reviewsToday - 1) });
  }

  // Extremity and deviation from the product's trust-weighted consensus so far.
  if (stars === 1) reasons.push({ code: "extreme_rating", stars, weight: W.extremeOneStar });
  else if (stars === 5) reasons.push({ code: "extreme_rating", stars, weight: W.extremeFiveStar });
  else if (stars === 2) reasons.push({ code: "extreme_rating", stars, weight: W.twoStar });
  const wh = product.counts.weightedHistogramBp;
  const weightSum = wh[0] + wh[1] + wh[2] + wh[3] + wh[4];
  if (weightSum >= 3 * FULL_WEIGHT_BP) {
    const consensus = (wh[0] + 2 * wh[1] + 3 * wh[2] + 4 * wh[3] + 5 * wh[4]) / weightSum;
    const deviation = Math.abs(stars - consensus);
    if (deviation > 1)
      reasons.push({ code: "rating_deviation", stars, consensus, deviation, weight: W.deviationPerStar * (deviation - 1) });
  }

  if (duplicate !== null) {
    reasons.push({
      code: "duplicate_text",
      similarity: duplicate.similarity,
      otherReviewId: duplicate.reviewId,
      otherReviewerId: duplicate.reviewerId,
      otherProductId: duplicate.productId,
      weight: W.duplicateText,
    });
  }
  if (review.verified === true) reasons.push({ code: "verified_purchase", verified: true, weight: W.verified });
  else if (review.verified === false) reasons.push({ code: "verified_purchase", verified: false, weight: W.unverified });

  // Bursts: push the arrival, run the detectors, and if a window is flagged
  // add its evidence to this review and to the earlier reviews inside it.
  const pHash = options.coReview && review.productId !== undefined ? productHash(review.productId) : -1;
  const mine = pHash >= 0 ? recentOtherProducts(reviewer, pHash, day, options) : NO_PRODUCTS;
  const arrival = pushArrival(product.arrival, review.reviewId, nowMs, stars, firstTime, options, review.reviewerId, mine);
  const alarms = detectBursts(product.arrival, options);
  const reweighted: Reweight[] = [];
  for (const alarm of alarms) {
    const bit = streamBit(alarm.stream);
    if (arrival.flaggedMask & bit) continue;
    const weight = burstWeight(arrival, alarm, options);
    if (weight > 0) {
      arrival.flaggedMask |= bit;
      reasons.push({ code: "burst", weight, burst: alarm });
    }
  }
  // Most arrivals raise no alarm and belong to no first-time stream: nothing to open or continue.
  if (options.campaignCarryOver && (alarms.length > 0 || firstTimeStreamOf(arrival.firstTime, arrival.stars) !== null))
    continueCampaign(product.arrival, arrival, alarms, nowMs, reasons, options);
  const group = mine.length > 0 && (stars === 5 || stars === 1) ? coReviewGroup(product.arrival, arrival, mine, day, nowMs, options) : null;
  if (group !== null) {
    arrival.flaggedMask |= CO_REVIEW_BIT;
    reasons.push(group.reason);
  }
  let logOdds = W.base;
  for (const r of reasons) logOdds += r.weight;
  sortByWeightDescending(reasons);
  const suspicion = logistic(logOdds);
  const weightBp = trustWeightBpOf(suspicion, options);
  arrival.logOdds = logOdds;
  arrival.weightBp = weightBp;
  arrival.topReason = topReasonOf(reasons);
  addToRatingCounts(product.counts, stars, weightBp);
  tallyDiscount(product, weightBp, arrival.topReason, 1);

  // Campaign-level discounting: the whole window an alarm detected, including
  // arrivals that left the 48-hour ring for the trail (a slow campaign's).
  const trail = product.arrival.trail;
  for (const alarm of alarms) {
    const bit = streamBit(alarm.stream);
    // The trail keeps a first-time stream's arrivals whole, but of the
    // all-arrivals stream only that biased subset (first-time extremes):
    // re-weighting it would single them out of a window flagged for everyone.
    for (const list of alarm.stream === "all" ? [product.arrival.recent] : [trail, product.arrival.recent]) {
      for (const earlier of list) {
        if (earlier === arrival || earlier.timeMs < alarm.windowStartMs || earlier.flaggedMask & bit) continue;
        const weight = burstWeight(earlier, alarm, options);
        if (weight === 0) continue;
        reweight(product, earlier, bit, { code: "burst", weight, burst: alarm }, options, reweighted);
      }
    }
  }
  if (group !== null)
    for (const member of group.members)
      if (!(member.flaggedMask & CO_REVIEW_BIT)) reweight(product, member, CO_REVIEW_BIT, group.reason, options, reweighted);
  const burst = recordBurst(product.arrival, alarms, options);

  // The reviewer's history, for their next review.
  reviewer.reviewCount = prior + 1;
  if (prior === 0) reviewer.firstMs = nowMs;
  reviewer.lastMs = nowMs;
  reviewer.day = day;
  reviewer.reviewsThatDay = reviewsToday;
  reviewer.maxReviewsPerDay = Math.max(reviewer.maxReviewsPerDay, reviewsToday);
  if (stars === 1 || stars === 5) reviewer.extremeCount += 1;
  if (options.historyQuality && reviewsToday === 1) reviewer.activeDays = (reviewer.activeDays || prior) + 1;
  if (pHash >= 0) {
    let kept: number[];
    if (mine.length === 0) kept = [pHash, day];
    else {
      kept = mine.length >= 2 * options.coReviewProducts ? mine.slice(2) : mine.slice();
      kept.push(pHash, day);
    }
    reviewer.recentProducts = kept;
  }
  if (options.campaignCarryOver && arrival.flaggedMask !== 0) reviewer.flaggedReviews = flaggedBefore + 1;

  return { suspicion, trustWeightBp: weightBp, reasons, product, reviewer, burst, alarms, reweighted };
}

const NO_PRODUCTS: number[] = [];

/**
 * Adds a flagged window's (or group's) evidence to an earlier arrival and
 * moves its weight in the product's counts. A module function, not a closure
 * made per review: tsx (which runs the API) names every closure it creates,
 * which cost about 2% of the scorer's time.
 */
function reweight(
  product: ProductState,
  earlier: RecentArrival,
  bit: number,
  reason: Reason,
  options: ScoringOptions,
  reweighted: Reweight[],
): void {
  earlier.flaggedMask |= bit;
  addToRatingCounts(product.counts, earlier.stars, earlier.weightBp, -1);
  tallyDiscount(product, earlier.weightBp, earlier.topReason, -1);
  earlier.logOdds += reason.weight;
  const s = logistic(earlier.logOdds);
  earlier.weightBp = trustWeightBpOf(s, options);
  if (earlier.topReason === null || reason.weight >= W.burstAllFirstTime) earlier.topReason = reason.code;
  addToRatingCounts(product.counts, earlier.stars, earlier.weightBp);
  tallyDiscount(product, earlier.weightBp, earlier.topReason, 1);
  reweighted.push({ reviewId: earlier.reviewId, suspicion: s, trustWeightBp: earlier.weightBp, reason });
}

/**
 * How far back (ms before an arrival) a re-weight it causes can reach: the
 * scan window, or the trail's retention for a slow campaign or a co-review
 * group. A review older than this can no longer change.
 */
export function reweightReachMs(options: ScoringOptions = DEFAULT_SCORING_OPTIONS): number {
  return Math.max(
    options.windowMs,
    options.campaignCarryOver ? options.campaignRetentionMs : 0,
    options.coReview ? options.coReviewWindowMs : 0,
  );
}

/** The reviewer's remembered products other than pHash, within coReviewMemoryMs of day (flattened [hash, day, ...]). */
function recentOtherProducts(reviewer: ReviewerState, pHash: number, day: number, options: ScoringOptions): number[] {
  const list = reviewer.recentProducts;
  if (list === undefined || list.length === 0) return NO_PRODUCTS;
  const oldest = day - options.coReviewMemoryMs / DAY_MS;
  // Usually nothing is dropped: share the list (it is replaced, never changed in place).
  let keep = 0;
  for (let i = 0; i < list.length; i += 2) if (list[i] !== pHash && list[i + 1]! >= oldest) keep += 2;
  if (keep === list.length) return list;
  const out: number[] = [];
  for (let i = 0; i < list.length; i += 2) if (list[i] !== pHash && list[i + 1]! >= oldest) out.push(list[i]!, list[i + 1]!);
  return out;
}

/** How long a campaign stays open after its latest member: two of its mean gaps, within campaignMinGapMs..campaignMaxGapMs. */
function campaignGapMs(e: BurstEvidence, members: number, nowMs: number, options: ScoringOptions): number {
  return Math.min(
    options.campaignMaxGapMs,
    Math.max(options.campaignMinGapMs, (2 * (nowMs - e.windowStartMs)) / Math.max(1, e.count + members - 1)),
  );
}

/**
 * Campaign carry-over: an alarm on a first-time stream opens a campaign that
 * stays open for two of its mean gaps (3..14 days) after its latest member;
 * a later arrival of that stream while it is open continues it, without
 * waiting for the detector to climb from zero again.
 */
function continueCampaign(
  state: ArrivalState,
  arrival: RecentArrival,
  alarms: readonly BurstEvidence[],
  nowMs: number,
  reasons: Reason[],
  options: ScoringOptions,
): void {
  for (const alarm of alarms) {
    if (alarm.stream === "all") continue;
    // A scan alarm is a sudden burst, over within its window: only a CUSUM's (a sustained rise) opens a campaign that later arrivals continue.
    if (alarm.detector !== "cusum" && !options.campaignFromScan) continue;
    const s = state.streams[alarm.stream];
    const open = s.campaign !== null && s.campaign !== undefined && nowMs <= s.campaignUntilMs;
    s.campaign = open && s.campaign!.windowStartMs < alarm.windowStartMs ? { ...alarm, windowStartMs: s.campaign!.windowStartMs } : alarm;
    s.campaignMembers = 0;
    s.campaignUntilMs = nowMs + campaignGapMs(s.campaign, 0, nowMs, options);
  }
  const stream = firstTimeStreamOf(arrival.firstTime, arrival.stars);
  if (stream === null || arrival.flaggedMask & streamBit(stream)) return;
  const s = state.streams[stream];
  if (s.campaign === null || s.campaign === undefined || nowMs > s.campaignUntilMs) return;
  s.campaignMembers += 1;
  s.campaignUntilMs = nowMs + campaignGapMs(s.campaign, s.campaignMembers, nowMs, options);
  arrival.flaggedMask |= streamBit(stream);
  reasons.push({
    code: "campaign",
    weight: W.campaignContinued,
    burst: s.campaign,
    members: s.campaign.count + s.campaignMembers,
    lastMs: nowMs,
  });
}

/**
 * Co-review structure at write time (lockstep, as in CopyCatch): among the
 * product's kept arrivals within coReviewWindowMs that gave the same extreme
 * rating as this one, the other accounts that had also reviewed one of this
 * reviewer's recent products within that window of this reviewer. Bounded: (ring + trail) × coReviewProducts² comparisons.
 */
function coReviewGroup(
  state: ArrivalState,
  arrival: RecentArrival,
  mine: readonly number[],
  day: number,
  nowMs: number,
  options: ScoringOptions,
): { members: RecentArrival[]; reason: Reason } | null {
  const windowDays = options.coReviewWindowMs / DAY_MS;
  const members: RecentArrival[] = [];
  const accounts = new Set<string>();
  const shared = new Set<number>();
  let firstDay = day;
  for (let l = 0; l < 2; l++) {
    const list = l === 0 ? state.trail : state.recent;
    for (let k = 0; k < list.length; k++) {
      const other = list[k]!;
      // Lockstep pushes one way: only accounts at this review's extreme count.
      if (other.stars !== arrival.stars || nowMs - other.timeMs > options.coReviewWindowMs) continue;
      const theirs = other.coProducts;
      if (
        theirs === undefined ||
        theirs.length === 0 ||
        other === arrival ||
        other.reviewerId === arrival.reviewerId ||
        other.reviewerId === ""
      )
        continue;
      let hit = false;
      for (let i = 0; i < mine.length; i += 2) {
        for (let j = 0; j < theirs.length; j += 2) {
          if (mine[i] === theirs[j] && Math.abs(mine[i + 1]! - theirs[j + 1]!) <= windowDays) {
            hit = true;
            shared.add(mine[i]!);
            firstDay = Math.min(firstDay, mine[i + 1]!, theirs[j + 1]!);
          }
        }
      }
      if (hit) {
        members.push(other);
        accounts.add(other.reviewerId);
      }
    }
  }
  if (accounts.size + 1 < options.coReviewMinAccounts) return null;
  const n = accounts.size + 1;
  return {
    members,
    reason: {
      code: "co_review",
      accounts: n,
      products: shared.size + 1,
      windowDays,
      spanDays: day - firstDay + 1,
      weight: W.coReview + W.coReviewPerAccount * Math.min(3, n - options.coReviewMinAccounts),
    },
  };
}

/**
 * Scores one arriving review: its suspicion in [0, 1] with reasons, its trust
 * weight, and the product's and reviewer's new states. Pure: the inputs are
 * not modified; persist the returned states.
 *
 * Suspicion is the logistic of a sum of log-odds (SUSPICION_WEIGHTS):
 * reviewer newness and history, same-day volume, extremity, deviation from
 * the product's trust-weighted consensus, a copied text from another author
 * (`duplicate`, from {@link bestDuplicate}), verified purchase, and membership
 * of a flagged burst window. A newly flagged window also raises the
 * suspicion of the earlier reviews inside it (`reweighted`).
 *
 * O(recentCapacity) time; the states stay bounded (see ProductState).
 *
 * @param args as {@link scoreArrivalInPlace}: product, reviewer, review, now (the arrival time; arrivals per product must come in time order), duplicate, options
 * @throws {ScoringInputError} for stars outside 1..5, an invalid time, or a time before the product's last arrival
 * @example
 * const r = scoreArrival(initialProductState(), initialReviewerState(),
 *   { reviewId: "r1", reviewerId: "u1", stars: 5 }, new Date("2026-01-01T00:00:00Z"));
 * r.suspicion // 0.2689 (first-time reviewer −3.0 + 1.6, 5 stars + 0.4: logistic(−1)); r.trustWeightBp // 7311
 */
export function scoreArrival(...args: Parameters<typeof scoreArrivalInPlace>): ArrivalScore {
  // The same parameters as scoreArrivalInPlace (one signature, kept in one place); only the states are copied.
  const [product, reviewer, ...rest] = args;
  return scoreArrivalInPlace(structuredClone(product), structuredClone(reviewer), ...rest);
}
