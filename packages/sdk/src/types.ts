/**
 * The SDK's public data types, derived from the generated operation types
 * (src/generated, from the API's schema.graphql), so a schema change that
 * breaks them breaks the type check.
 *
 * The schema is non-null wherever the API always fills a field, so these are
 * the generated types as they are; null only where a value can be missing:
 * `plainMean` and `period` without reviews, `language` when none was sent, a
 * review's `reply` until the shop writes one.
 */
import type {
  AnswerAuthorRole,
  AnswerFieldsFragment,
  QuestionFieldsFragment,
  InsightDirection,
  InsightsFieldsFragment,
  TopicDirection,
  Provenance,
  RatingFieldsFragment,
  ReviewFieldsFragment,
  ReviewOrder,
  ReviewStatus,
  SubmitReviewInput as GeneratedSubmitReviewInput,
} from "./generated/graphql.js";

export type { Provenance, ReviewOrder, ReviewStatus };

/**
 * A product's rating summary: the Bayesian average to display, its uncertainty, histogram, prior and period.
 * `plainMean` (the plain mean of the stars) and `period` (when the oldest and newest counted reviews were
 * written, ISO 8601) are null without reviews.
 */
export type RatingSummary = RatingFieldsFragment;

/** A product with its rating summary. */
export interface ProductRating {
  id: string;
  name: string;
  /** The shop the product belongs to (the key's shop); its disclosure page is `<endpoint>/shops/<shopId>/disclosure`. */
  shopId: string;
  rating: RatingSummary;
}

/**
 * A review. Text is exactly as written: escape it when you render it. Lists
 * hold published reviews; a submitted one may be PENDING (a shop that
 * approves reviews first) or QUARANTINED (held by fraud checks). `language`
 * (BCP 47) is null when none was sent, `reply` (the shop's public answer) until
 * the shop writes one.
 */
export type Review = ReviewFieldsFragment;

/** A new review. `idempotencyKey` is made by the SDK; pass your own (e.g. an order line id) to dedupe across processes. */
export type SubmitReviewInput = Omit<GeneratedSubmitReviewInput, "productId" | "idempotencyKey"> & {
  productId: string;
  idempotencyKey?: string;
};

/** Helpful votes on a review or an answer; `score` is the Wilson lower bound that MOST_HELPFUL orders by. */
export type HelpfulVotes = AnswerFieldsFragment["helpfulVotes"];

/** Who answered: the shop, a verified buyer (through a purchase invitation) or any customer. */
export type { AnswerAuthorRole };

/** An answer to a product question. Text is exactly as written: escape it when you render it. `language`: null when none was sent. */
export type Answer = AnswerFieldsFragment;

/** A review suggested as an answer to a question (BM25 over the product's reviews). */
export interface RelatedReview {
  id: string;
  title: string;
  rating: number;
  reviewer: { name: string };
}

/** A customer's question about a product, with its published answers and up to three reviews that likely answer it. */
export type Question = QuestionFieldsFragment & {
  // Nullable in the schema (each checks the key's scope on its own); the client throws on any error, so they are lists here.
  answers: Answer[];
  relatedReviews: RelatedReview[];
};
export type { InsightDirection, TopicDirection };

/** Whole UTC days, from the day of `from` through the day of `to`. */
export interface InsightsPeriod {
  from?: string | Date | null;
  to?: string | Date | null;
}

/**
 * What customers say over a period (Product.insights, Shop.insights): the
 * aspects mentioned most in published reviews, with positive and negative
 * counts and shares, direction and quotes, and the topics emerging now.
 * Quotes are review text as written: escape them when you render them.
 */
export type Insights = InsightsFieldsFragment;
/** One aspect of Insights. */
export type InsightAspect = Insights["aspects"][number];
/** One emerging topic of Insights. */
export type EmergingTopic = Insights["emerging"][number];
