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
  detectBursts,
  firstTimeStreamOf,
  initialArrivalState,
  pushArrival,
  recordBurst,
} from "./fraud/burst.js";
import type { DuplicateMatch } from "./fraud/text-similarity.js";
import { DEFAULT_SCORING_OPTIONS, SUSPICION_WEIGHTS as W, type ScoringOptions } from "./options.js";
import type { ArrivalStream, BurstEvidence, Reason } from "./reasons.js";
import {
  DISCOUNTED_BELOW_BP,
  FULL_WEIGHT_BP,
  type RatingCounts,
  addToRatingCounts,
  emptyRatingCounts,
} from "./trust-weighted-rating.js";

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
}

/** The review being scored; `stars` is an integer 1..5. */
export interface ArrivalReview {
  readonly reviewId: string;
  readonly reviewerId: string;
  readonly stars: number;
  /** True for a verified purchase, false when the shop says it was not, absent when unknown. */
  readonly verified?: boolean | undefined;
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
  return { version: 1, reviewCount: 0, firstMs: 0, lastMs: 0, day: 0, reviewsThatDay: 0, maxReviewsPerDay: 0, extremeCount: 0 };
}

const DAY_MS = 86_400_000;

function byWeightDescending(a: Reason, b: Reason): number {
  return b.weight - a.weight;
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

function burstWeight(a: { firstTime: boolean; stars: number }, alarm: BurstEvidence): number {
  if (alarm.stream !== "all") return firstTimeStreamOf(a.firstTime, a.stars) === alarm.stream ? W.burstFirstTimeStream : 0;
  const aligned = (a.stars === 5 && alarm.meanStars >= 4.5) || (a.stars === 1 && alarm.meanStars <= 1.5);
  return (a.firstTime ? W.burstAllFirstTime : W.burstAllOther) + (aligned ? W.burstAllAligned : 0);
}

function tallyDiscount(product: ProductState, weightBp: number, topReason: string | null, sign: 1 | -1): void {
  if (weightBp >= DISCOUNTED_BELOW_BP) return;
  const key = topReason ?? "low_trust";
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

  // Reviewer newness and history.
  const prior = reviewer.reviewCount;
  const firstTime = prior === 0;
  if (firstTime) reasons.push({ code: "first_time_reviewer", weight: W.firstTimeReviewer });
  else reasons.push({ code: "reviewer_history", priorReviews: prior, weight: W.historyOffset + W.historyPerLogReview * Math.log1p(prior) });
  const day = Math.floor(nowMs / DAY_MS);
  const reviewsToday = !firstTime && reviewer.day === day ? reviewer.reviewsThatDay + 1 : 1;
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
    if (deviation > 1) reasons.push({ code: "rating_deviation", stars, consensus, deviation, weight: W.deviationPerStar * (deviation - 1) });
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
  const arrival = pushArrival(product.arrival, review.reviewId, nowMs, stars, firstTime, options);
  const alarms = detectBursts(product.arrival, options);
  const reweighted: Reweight[] = [];
  for (const alarm of alarms) {
    const bit = streamBit(alarm.stream);
    if (arrival.flaggedMask & bit) continue;
    const weight = burstWeight(arrival, alarm);
    if (weight > 0) {
      arrival.flaggedMask |= bit;
      reasons.push({ code: "burst", weight, burst: alarm });
    }
  }
  let logOdds = W.base;
  for (const r of reasons) logOdds += r.weight;
  if (reasons.length > 1) reasons.sort(byWeightDescending);
  const suspicion = logistic(logOdds);
  const weightBp = trustWeightBpOf(suspicion, options);
  arrival.logOdds = logOdds;
  arrival.weightBp = weightBp;
  arrival.topReason = topReasonOf(reasons);
  addToRatingCounts(product.counts, stars, weightBp);
  tallyDiscount(product, weightBp, arrival.topReason, 1);

  for (const alarm of alarms) {
    const bit = streamBit(alarm.stream);
    for (const earlier of product.arrival.recent) {
      if (earlier === arrival || earlier.timeMs < alarm.windowStartMs || earlier.flaggedMask & bit) continue;
      const weight = burstWeight(earlier, alarm);
      if (weight === 0) continue;
      earlier.flaggedMask |= bit;
      addToRatingCounts(product.counts, earlier.stars, earlier.weightBp, -1);
      tallyDiscount(product, earlier.weightBp, earlier.topReason, -1);
      earlier.logOdds += weight;
      const s = logistic(earlier.logOdds);
      earlier.weightBp = trustWeightBpOf(s, options);
      if (earlier.topReason === null || weight >= W.burstAllFirstTime) earlier.topReason = "burst";
      addToRatingCounts(product.counts, earlier.stars, earlier.weightBp);
      tallyDiscount(product, earlier.weightBp, earlier.topReason, 1);
      reweighted.push({ reviewId: earlier.reviewId, suspicion: s, trustWeightBp: earlier.weightBp, reason: { code: "burst", weight, burst: alarm } });
    }
  }
  const burst = recordBurst(product.arrival, alarms, options);

  // The reviewer's history, for their next review.
  reviewer.reviewCount = prior + 1;
  if (prior === 0) reviewer.firstMs = nowMs;
  reviewer.lastMs = nowMs;
  reviewer.day = day;
  reviewer.reviewsThatDay = reviewsToday;
  reviewer.maxReviewsPerDay = Math.max(reviewer.maxReviewsPerDay, reviewsToday);
  if (stars === 1 || stars === 5) reviewer.extremeCount += 1;

  return { suspicion, trustWeightBp: weightBp, reasons, product, reviewer, burst, alarms, reweighted };
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
 * @param now the review's arrival time; arrivals per product must come in time order
 * @throws {ScoringInputError} for stars outside 1..5, an invalid time, or a time before the product's last arrival
 * @example
 * const r = scoreArrival(initialProductState(), initialReviewerState(),
 *   { reviewId: "r1", reviewerId: "u1", stars: 5 }, new Date("2026-01-01T00:00:00Z"));
 * r.suspicion // 0.2689 (first-time reviewer −3.0 + 1.6, 5 stars + 0.4: logistic(−1)); r.trustWeightBp // 7311
 */
export function scoreArrival(
  product: ProductState,
  reviewer: ReviewerState,
  review: ArrivalReview,
  now: Date | number,
  duplicate: DuplicateMatch | null = null,
  options: ScoringOptions = DEFAULT_SCORING_OPTIONS,
): ArrivalScore {
  return scoreArrivalInPlace(structuredClone(product), structuredClone(reviewer), review, now, duplicate, options);
}
