/**
 * @starling/sdk: the typed client for Starling's GraphQL API.
 *
 * @example
 * import { createClient } from "@starling/sdk";
 * const starling = createClient({ endpoint: "http://127.0.0.1:4000", key: "pk_demo_local_only_not_secret" });
 * const mug = await starling.products.rating("camp-mug");
 * console.log(mug?.rating.average, mug?.rating.count); // 4.34 3
 */
import { Transport, type ClientOptions } from "./client.js";
import { createProducts, type ProductsResource } from "./resources/products.js";
import { createReviews, type ReviewsResource } from "./resources/reviews.js";
import { createQuestions, type QuestionsResource } from "./resources/questions.js";
import { createInsights, type InsightsResource } from "./resources/insights.js";

/** A Starling client: `products` for ratings, `reviews` for reading and writing reviews. */
export interface StarlingClient {
  readonly products: ProductsResource;
  readonly reviews: ReviewsResource;
  /** Product questions and answers, and helpful votes on reviews and answers. */
  readonly questions: QuestionsResource;
  /** What customers say: aspects, pros and cons, emerging topics (Product.insights, Shop.insights). */
  readonly insights: InsightsResource;
  /** The endpoint and key this client talks to (for widgets that embed the review form). */
  readonly endpoint: string;
  readonly key: string;
}

/**
 * Makes a client. Works in browsers and Node 18+ (built-in fetch); no dependencies.
 * @throws TypeError when `endpoint` is not an http(s) URL or `key` is not a Starling key
 */
export function createClient(options: ClientOptions): StarlingClient {
  const transport = new Transport(options);
  const products = createProducts(transport);
  return {
    products: { rating: products.rating, ratings: products.ratings },
    reviews: createReviews(transport, products.forget),
    questions: createQuestions(transport),
    insights: createInsights(transport),
    endpoint: options.endpoint.replace(/\/+$/, ""),
    key: options.key,
  };
}

export type { ClientOptions } from "./client.js";
export type { ProductsResource } from "./resources/products.js";
export type { InsightsOptions, InsightsResource } from "./resources/insights.js";
export type { ListReviewsOptions, ReviewPage, ReviewsResource, SubmitReviewResult } from "./resources/reviews.js";
export type { ProductRating, Provenance, RatingSummary, Review, ReviewOrder, ReviewStatus, SubmitReviewInput } from "./types.js";
export type { Answer, AnswerAuthorRole, HelpfulVotes, Question, RelatedReview } from "./types.js";
export type {
  AnswerQuestionInput,
  AskQuestionInput,
  ListQuestionsOptions,
  QuestionPage,
  QuestionsResource,
  VoteInput,
  VoteResult,
} from "./resources/questions.js";
export type { EmergingTopic, InsightAspect, InsightDirection, Insights, InsightsPeriod, TopicDirection } from "./types.js";
export {
  APIConnectionError,
  APIConnectionTimeoutError,
  APIError,
  AuthenticationError,
  BadRequestError,
  ConflictError,
  InternalServerError,
  InvalidInputError,
  NotFoundError,
  PermissionDeniedError,
  RateLimitError,
  StarlingError,
  type GraphQLErrorInfo,
} from "./errors.js";
export { productJsonLd, jsonLdScript, questionsJsonLd, type ProductJsonLdOptions } from "./json-ld.js";
export { renderQuestionsHtml, type QuestionsHtmlOptions } from "./widget/questions-html.js";
export { renderBadgeHtml, type BadgeOptions } from "./widget/badge-html.js";
export { renderInsightsHtml, type InsightsWidgetOptions } from "./widget/insights-html.js";
