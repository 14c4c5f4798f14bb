/**
 * The recompute path: score a whole timeline of one shop's reviews in arrival
 * order with the same code the write path runs, keeping every state in
 * memory. Its results equal calling {@link scoreArrival} once per review with
 * the states stored in between (a test replays MovieLens and YelpChi both ways).
 */
import { type DuplicateMatch, SignatureIndex } from "./fraud/text-similarity.js";
import { DEFAULT_SCORING_OPTIONS, type ScoringOptions } from "./options.js";
import type { Reason } from "./reasons.js";
import {
  type ArrivalReview,
  type ArrivalScore,
  type ProductState,
  type ReviewerState,
  initialProductState,
  initialReviewerState,
  scoreArrivalInPlace,
} from "./score-arrival.js";

/** One review of a timeline: the write path's review, with its product (required here), arrival time (ms since the epoch) and text. */
export interface TimelineReview extends ArrivalReview {
  readonly productId: string;
  readonly timeMs: number;
  readonly text?: string | undefined;
}

/** A review's final score, after any later burst re-weighting. */
export interface ScoredReview {
  readonly reviewId: string;
  suspicion: number;
  trustWeightBp: number;
  reasons: Reason[];
}

export interface TimelineResult {
  /** In input order. */
  readonly reviews: ScoredReview[];
  readonly products: Map<string, ProductState>;
  readonly reviewers: Map<string, ReviewerState>;
}

export interface TimelineOptions {
  readonly scoring?: ScoringOptions;
  /** Near-duplicate store; pass one to share it across calls. @default a new SignatureIndex() */
  readonly signatures?: SignatureIndex;
  /** Called after each arrival with its write-time score (before later re-weighting). */
  readonly onScore?: (review: TimelineReview, score: ArrivalScore, index: number) => void;
}

/**
 * The near-duplicate check the write path does: signature, best earlier copy
 * by another author in the store, then the signature is stored.
 */
export function checkDuplicate(index: SignatureIndex, review: TimelineReview): DuplicateMatch | null {
  return index.checkAndAdd(review);
}

/**
 * Scores every review of a timeline, in the order given (arrival order; ties
 * keep their order). O(reviews × recentCapacity) time, memory O(products +
 * reviewers + reviews).
 */
export function scoreTimeline(reviews: Iterable<TimelineReview>, options: TimelineOptions = {}): TimelineResult {
  const scoring = options.scoring ?? DEFAULT_SCORING_OPTIONS;
  const signatures = options.signatures ?? new SignatureIndex();
  const products = new Map<string, ProductState>();
  const reviewers = new Map<string, ReviewerState>();
  const out: ScoredReview[] = [];
  let index = 0;
  for (const review of reviews) {
    let product = products.get(review.productId);
    if (product === undefined) products.set(review.productId, (product = initialProductState()));
    let reviewer = reviewers.get(review.reviewerId);
    if (reviewer === undefined) reviewers.set(review.reviewerId, (reviewer = initialReviewerState()));
    const duplicate = checkDuplicate(signatures, review);
    const score = scoreArrivalInPlace(product, reviewer, review, review.timeMs, duplicate, scoring);
    options.onScore?.(review, score, index);
    out.push({ reviewId: review.reviewId, suspicion: score.suspicion, trustWeightBp: score.trustWeightBp, reasons: score.reasons });
    for (const r of score.reweighted) {
      // Re-weights are rare (a burst flagged) and reach back one window of
      // the product's arrivals, so a backward scan finds them soon enough.
      let earlier: ScoredReview | undefined;
      for (let i = out.length - 2; i >= 0 && earlier === undefined; i--) if (out[i]!.reviewId === r.reviewId) earlier = out[i];
      if (earlier === undefined) continue;
      earlier.suspicion = r.suspicion;
      earlier.trustWeightBp = r.trustWeightBp;
      earlier.reasons.push(r.reason);
      earlier.reasons.sort((a, b) => b.weight - a.weight);
    }
    index++;
  }
  return { reviews: out, products, reviewers };
}
