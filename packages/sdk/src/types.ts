/**
 * The SDK's public data types, derived from the generated operation types
 * (src/generated, from the API's schema.graphql), so a schema change that
 * breaks them breaks the type check.
 *
 * The API's schema declares most fields nullable (Pothos' default) although
 * the API always fills them; the SDK promises non-null for those, and keeps
 * null where the schema documents it: `plainMean` and `period` without
 * reviews, `language` when none was sent.
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

type Present<T> = T extends readonly (infer U)[]
  ? Present<NonNullable<U>>[]
  : T extends object
    ? { [K in keyof T]-?: Present<NonNullable<T[K]>> }
    : NonNullable<T>;

export type { Provenance, ReviewOrder, ReviewStatus };

/** A product's rating summary: the Bayesian average to display, its uncertainty, histogram, prior and period. */
export type RatingSummary = Omit<Present<RatingFieldsFragment>, "plainMean" | "period"> & {
  /** The plain mean of the stars; null without reviews. */
  plainMean: number | null;
  /** When the oldest and newest counted reviews were written (ISO 8601); null without reviews. */
  period: { from: string; to: string } | null;
};

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
 * approves reviews first) or QUARANTINED (held by fraud checks).
 */
export type Review = Omit<Present<ReviewFieldsFragment>, "language" | "reply"> & {
  /** BCP 47 tag of the text, if one was sent. */
  language: string | null;
  /** The shop's public answer, if it wrote one. */
  reply: { body: string; createdAt: string } | null;
};

/** A new review. `idempotencyKey` is made by the SDK; pass your own (e.g. an order line id) to dedupe across processes. */
export type SubmitReviewInput = Omit<GeneratedSubmitReviewInput, "productId" | "idempotencyKey"> & {
  productId: string;
  idempotencyKey?: string;
};

/** Helpful votes on a review or an answer; `score` is the Wilson lower bound that MOST_HELPFUL orders by. */
export type HelpfulVotes = Present<AnswerFieldsFragment["helpfulVotes"]>;

/** Who answered: the shop, a verified buyer (through a purchase invitation) or any customer. */
export type { AnswerAuthorRole };

/** An answer to a product question. Text is exactly as written: escape it when you render it. */
export type Answer = Omit<Present<AnswerFieldsFragment>, "language"> & { language: string | null };

/** A review suggested as an answer to a question (BM25 over the product's reviews). */
export interface RelatedReview {
  id: string;
  title: string;
  rating: number;
  reviewer: { name: string };
}

/** A customer's question about a product, with its published answers and up to three reviews that likely answer it. */
export type Question = Omit<Present<QuestionFieldsFragment>, "language"> & {
  language: string | null;
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
export type Insights = Present<InsightsFieldsFragment>;
/** One aspect of Insights. */
export type InsightAspect = Insights["aspects"][number];
/** One emerging topic of Insights. */
export type EmergingTopic = Insights["emerging"][number];
