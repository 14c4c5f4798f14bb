// The displayed rating
export {
  type BayesianRating,
  type RatingPrior,
  type StarHistogram,
  STAR_LEVELS,
  bayesianRating,
  emptyHistogram,
  histogramTotal,
  plainMean,
  priorFromHistogram,
} from "./rating.js";
export {
  type RatingCounts,
  type TrustWeightedRating,
  DISCOUNTED_BELOW_BP,
  FULL_WEIGHT_BP,
  addToRatingCounts,
  emptyRatingCounts,
  ratingCountsOf,
  trustWeightedRating,
} from "./trust-weighted-rating.js";
export { type PriorStrengthFit, type PriorStrengthOptions, empiricalBayesPrior, fitPriorStrength } from "./prior-strength.js";

// Scoring reviews as they arrive (the write path)
export {
  type ArrivalReview,
  type ArrivalScore,
  type HistoryQuality,
  type ProductState,
  type ReviewerState,
  type Reweight,
  initialProductState,
  historyQuality,
  initialReviewerState,
  productHash,
  reweightReachMs,
  scoreArrival,
  scoreArrivalInPlace,
  trustWeightBpOf,
} from "./score-arrival.js";
export { type ScoringOptions, DEFAULT_SCORING_OPTIONS, LEGACY_SCORING_OPTIONS, SUSPICION_WEIGHTS } from "./options.js";

// Bursts
export {
  type ArrivalState,
  type BurstRecord,
  type RecentArrival,
  type StreamState,
  ARRIVAL_STREAMS,
  CO_REVIEW_BIT,
  MAX_BURSTS,
  baselineRatePerMs,
  detectBursts,
  forgetReviewers,
  initialArrivalState,
  pushArrival,
} from "./fraud/burst.js";
export { poissonSurprise } from "./fraud/poisson.js";

// Near-duplicate text
export {
  type DuplicateMatch,
  type StoredSignature,
  type TextSignature,
  BAND_COUNT,
  DUPLICATE_SIMILARITY,
  MIN_SHINGLES,
  SIGNATURE_SIZE,
  SignatureIndex,
  bestDuplicate,
  estimatedJaccard,
  exactJaccard,
  shingleHashes,
  textSignature,
  wordsOf,
} from "./fraud/text-similarity.js";

// Batch: the recompute job
export {
  type ScoredReview,
  type TimelineOptions,
  type TimelineResult,
  type TimelineReview,
  checkDuplicate,
  scoreTimeline,
} from "./timeline.js";

// Reasons and errors
export {
  type ArrivalStream,
  type BurstEvidence,
  type Reason,
  type ReasonCode,
  UNEXPLAINED_DISCOUNT,
  describeDuration,
  describeReason,
} from "./reasons.js";
export { ScoringInputError } from "./errors.js";
export {
  type CoReviewGroup,
  type HindsightScore,
  CO_REVIEW_MIN_ACCOUNTS,
  CO_REVIEW_MIN_SHARED,
  HINDSIGHT_WEIGHTS,
  coReviewGroups,
  rescoreWithHindsight,
  sweepScore,
  sweepScores,
  sweepTakesHindsight,
} from "./rescore.js";
