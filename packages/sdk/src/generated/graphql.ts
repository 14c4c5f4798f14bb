/* eslint-disable */
/** Internal type. DO NOT USE DIRECTLY. */
type Exact<T extends { [key: string]: unknown }> = { [K in keyof T]: T[K] };
/** Internal type. DO NOT USE DIRECTLY. */
export type Incremental<T> = T | { [P in keyof T]?: P extends ' $fragmentName' | '__typename' ? T[P] : never };
import type { DocumentTypeDecoration } from '@graphql-typed-document-node/core';
/** Who answered, shown next to the answer. */
export type AnswerAuthorRole =
  /** Any customer, unverified. */
  | 'CUSTOMER'
  /** The shop itself (answered with its secret key). */
  | 'SHOP'
  /** A customer who bought the product: answered with a purchase invitation of it. */
  | 'VERIFIED_BUYER';

/** A new answer to a question. */
export type AnswerQuestionInput = {
  /** Who answers (with a secret key: the shop's staff member, shown as the shop's answer). */
  author: QaAuthorInput;
  /** The answer, 1 to 5000 characters. */
  body: string;
  /** A unique string per answer, sent again on every retry. */
  idempotencyKey?: string | null | undefined;
  /** A purchase invitation of the question's product (createInvitation): the answer is marked VERIFIED_BUYER. It is not used up. */
  invitationToken?: string | null | undefined;
  /** BCP 47 language tag of the text, e.g. "en" or "de". */
  language?: string | null | undefined;
  /** The question (q_…); it must be published. */
  questionId: string | number;
};

/** A new question about a product. */
export type AskQuestionInput = {
  /** Who asks. */
  author: QaAuthorInput;
  /** The question, 1 to 1000 characters. */
  body: string;
  /** A unique string per question, sent again on every retry: a retry returns the first question instead of storing a second. */
  idempotencyKey?: string | null | undefined;
  /** BCP 47 language tag of the text, e.g. "en" or "de". */
  language?: string | null | undefined;
  /** The shop's id of the product; it must exist. */
  productId: string | number;
};

/** Whether an aspect is talked about more or less: the share of reviews mentioning it in the period's second half against its first, beyond chance (two-proportion z-test at 5%). */
export type InsightDirection =
  /** Mentioned by a smaller share of reviews lately. */
  | 'FALLING'
  /** Mentioned by a larger share of reviews lately. */
  | 'RISING'
  /** No change beyond chance. */
  | 'STEADY';

/** Whole UTC days: from the day of `from` through the day of `to`. Default: the last 90 days through today; at most 366 days. */
export type InsightsPeriod = {
  /** First day (default: 90 days before `to`). */
  from?: string | null | undefined;
  /** Last day (default: now). */
  to?: string | null | undefined;
};

/** How a review reached the shop, shown next to it: EU consumer law requires shops to say whether and how they check that reviews come from real buyers. */
export type Provenance =
  /** Brought over from another platform or an earlier system by the shop. */
  | 'IMPORTED'
  /** The shop invited the customer (e.g. by email), without Starling checking the purchase. */
  | 'INVITED'
  /** Written by anyone, unprompted, e.g. in the review form on the product page. */
  | 'ORGANIC'
  /** Written through a single-use invitation tied to an order: the reviewer bought the product. */
  | 'VERIFIED_PURCHASE';

/** Who asks or answers. */
export type QaAuthorInput = {
  /** The shop's own id of the customer (secret key only); never shown, sent in the event so the shop can reach them. */
  externalId?: string | null | undefined;
  /** Display name, up to 100 characters. */
  name: string;
};

/** Where a question or an answer stands; moderated as reviews are. Only PUBLISHED ones show publicly. */
export type QuestionStatus =
  /** Waiting for the shop's approval (shops that pre-moderate). */
  | 'PENDING'
  /** Shown. */
  | 'PUBLISHED'
  /** Removed by the shop for a listed reason (RejectionReason); kept, and can be published again. */
  | 'REJECTED';

/** How to order reviews. */
export type ReviewOrder =
  /** Most stars first, newest first among equals. */
  | 'HIGHEST'
  /** Fewest stars first, newest first among equals. */
  | 'LOWEST'
  /** Most helpful first: by the lower bound of the Wilson interval on burst-weighted helpful votes (HelpfulVotes.score), newest first among equals. The order moves as votes arrive; a cursor continues after the review it names as it stood then, so a review whose score crossed it between pages may show twice or be passed over. */
  | 'MOST_HELPFUL'
  /** Most recent first. */
  | 'NEWEST';

/** Where a review stands. Only PUBLISHED reviews count in ratings and show publicly. */
export type ReviewStatus =
  /** Waiting for the shop's approval (shops that pre-moderate). */
  | 'PENDING'
  /** Shown and counted. */
  | 'PUBLISHED'
  /** Held back by fraud checks with their reasons; kept, and can be reinstated on appeal. */
  | 'QUARANTINED'
  /** Removed by the shop for a stated reason; kept, and can be reinstated on appeal. */
  | 'REJECTED';

/** Who wrote the review. */
export type ReviewerInput = {
  /** The shop's own id of the customer; never shown publicly, used to recognise repeat reviewers. */
  externalId?: string | null | undefined;
  /** Display name, up to 100 characters. */
  name: string;
};

/** A new review. */
export type SubmitReviewInput = {
  /** Text, 1 to 10000 characters. */
  body: string;
  /** Any unique string you make once per review and send again on every retry of it: a retry then returns the first review instead of storing a second. Reusing a key for a different review fails with IDEMPOTENCY_KEY_REUSED. */
  idempotencyKey?: string | null | undefined;
  /** The token of a purchase invitation (createInvitation): the review is marked VERIFIED_PURCHASE and the invitation is used up. It must be for this product and unexpired. With it, idempotencyKey is not needed: the invitation is the key. */
  invitationToken?: string | null | undefined;
  /** BCP 47 language tag of the text, e.g. "en" or "de-CH". */
  language?: string | null | undefined;
  /** The shop's id of the reviewed product; it must exist (see putProduct). */
  productId: string | number;
  /** How the review reached you; defaults to ORGANIC. INVITED and IMPORTED need a secret key; VERIFIED_PURCHASE comes only from a purchase invitation. */
  provenance?: Provenance | null | undefined;
  /** Stars, a whole number from 1 to 5. */
  rating: number;
  /** Who wrote it. */
  reviewer: ReviewerInput;
  /** Headline, 1 to 200 characters. */
  title: string;
};

/** Which side of an aspect is emerging. */
export type TopicDirection =
  /** Complaints about it are rising above the product's own baseline. */
  | 'NEGATIVE'
  /** Praise of it is rising above the product's own baseline. */
  | 'POSITIVE';

/** One voter's vote on one review or answer. */
export type VoteHelpfulInput = {
  /** True: helpful; false: not helpful. */
  helpful: boolean;
  /** Its id (rev_… or a_…). */
  itemId: string | number;
  /** A review or an answer. */
  itemType: VoteItemType;
  /** A random token (16 to 128 of A-Z a-z 0-9 - _) the voter's browser keeps; with the client's address it makes the voter, one vote per item. Neither is stored, only a hash. */
  voterToken: string;
};

/** What a helpful vote is about. */
export type VoteItemType =
  /** A published answer. */
  | 'ANSWER'
  /** A published review. */
  | 'REVIEW';

export type RatingFieldsFragment = { count: number, effectiveCount: number, average: number, plainMean: number | null, rankingScore: number, credibleInterval: { low: number, high: number, level: number }, histogram: Array<{ stars: number, count: number }>, prior: { mean: number, strength: number, reviewCount: number }, period: { from: string, to: string } | null, discounted: { count: number, reasons: Array<{ code: string, count: number, description: string }> } };

export type ReviewFieldsFragment = { id: string, productId: string, rating: number, title: string, body: string, language: string | null, provenance: Provenance, status: ReviewStatus, createdAt: string, reviewer: { name: string }, reply: { body: string, createdAt: string } | null, helpfulVotes: { helpful: number, notHelpful: number, score: number } };

export type ProductRatingsQueryVariables = Exact<{
  ids: Array<string | number> | string | number;
}>;


export type ProductRatingsQuery = { shop: { id: string } | null, products: Array<{ id: string, name: string, rating: { count: number, effectiveCount: number, average: number, plainMean: number | null, rankingScore: number, credibleInterval: { low: number, high: number, level: number }, histogram: Array<{ stars: number, count: number }>, prior: { mean: number, strength: number, reviewCount: number }, period: { from: string, to: string } | null, discounted: { count: number, reasons: Array<{ code: string, count: number, description: string }> } } } | null> };

export type ProductReviewsQueryVariables = Exact<{
  id: string | number;
  first?: number | null | undefined;
  after?: string | null | undefined;
  orderBy?: ReviewOrder | null | undefined;
  stars?: Array<number> | number | null | undefined;
  ids?: Array<string | number> | string | number | null | undefined;
}>;


export type ProductReviewsQuery = { product: { id: string, reviews: { totalCount: number, edges: Array<{ cursor: string, node: { id: string, productId: string, rating: number, title: string, body: string, language: string | null, provenance: Provenance, status: ReviewStatus, createdAt: string, reviewer: { name: string }, reply: { body: string, createdAt: string } | null, helpfulVotes: { helpful: number, notHelpful: number, score: number } } }>, pageInfo: { hasNextPage: boolean, endCursor: string | null } } | null } | null };

export type SubmitReviewMutationVariables = Exact<{
  input: SubmitReviewInput;
}>;


export type SubmitReviewMutation = { submitReview: { replayed: boolean, review: { id: string, productId: string, rating: number, title: string, body: string, language: string | null, provenance: Provenance, status: ReviewStatus, createdAt: string, reviewer: { name: string }, reply: { body: string, createdAt: string } | null, helpfulVotes: { helpful: number, notHelpful: number, score: number } }, product: { id: string, name: string, rating: { count: number, effectiveCount: number, average: number, plainMean: number | null, rankingScore: number, credibleInterval: { low: number, high: number, level: number }, histogram: Array<{ stars: number, count: number }>, prior: { mean: number, strength: number, reviewCount: number }, period: { from: string, to: string } | null, discounted: { count: number, reasons: Array<{ code: string, count: number, description: string }> } } } } | null };

export type AnswerFieldsFragment = { id: string, questionId: string, body: string, language: string | null, status: QuestionStatus, createdAt: string, author: { name: string, role: AnswerAuthorRole }, helpfulVotes: { helpful: number, notHelpful: number, score: number } };

export type QuestionFieldsFragment = { id: string, productId: string, body: string, language: string | null, status: QuestionStatus, createdAt: string, author: { name: string } };

export type ProductQuestionsQueryVariables = Exact<{
  id: string | number;
  first?: number | null | undefined;
  after?: string | null | undefined;
  answers?: number | null | undefined;
}>;


export type ProductQuestionsQuery = { product: { id: string, name: string, questions: { edges: Array<{ cursor: string, node: { id: string, productId: string, body: string, language: string | null, status: QuestionStatus, createdAt: string, answers: Array<{ id: string, questionId: string, body: string, language: string | null, status: QuestionStatus, createdAt: string, author: { name: string, role: AnswerAuthorRole }, helpfulVotes: { helpful: number, notHelpful: number, score: number } }> | null, relatedReviews: Array<{ id: string, title: string, rating: number, reviewer: { name: string } }> | null, author: { name: string } } }>, pageInfo: { hasNextPage: boolean, endCursor: string | null } } | null } | null };

export type AskQuestionMutationVariables = Exact<{
  input: AskQuestionInput;
}>;


export type AskQuestionMutation = { askQuestion: { replayed: boolean, question: { id: string, productId: string, body: string, language: string | null, status: QuestionStatus, createdAt: string, relatedReviews: Array<{ id: string, title: string, rating: number, reviewer: { name: string } }> | null, author: { name: string } } } | null };

export type AnswerQuestionMutationVariables = Exact<{
  input: AnswerQuestionInput;
}>;


export type AnswerQuestionMutation = { answerQuestion: { replayed: boolean, answer: { id: string, questionId: string, body: string, language: string | null, status: QuestionStatus, createdAt: string, author: { name: string, role: AnswerAuthorRole }, helpfulVotes: { helpful: number, notHelpful: number, score: number } } } | null };

export type VoteHelpfulMutationVariables = Exact<{
  input: VoteHelpfulInput;
}>;


export type VoteHelpfulMutation = { voteHelpful: { itemId: string, helpful: boolean, alreadyVoted: boolean, votes: { helpful: number, notHelpful: number, score: number } } | null };

export type InsightsFieldsFragment = { from: string, to: string, reviews: number, polarity: number, aspects: Array<{ key: string, term: string, mentions: number, positive: number, negative: number, positiveShare: number, negativeShare: number, direction: InsightDirection, examples: Array<{ reviewId: string, quote: string, polarity: number }> }>, emerging: Array<{ productId: string, key: string, term: string, direction: TopicDirection, since: string, mentions: number, expected: number, evidence: string, examples: Array<{ reviewId: string, quote: string, polarity: number }> }> };

export type ProductInsightsQueryVariables = Exact<{
  id: string | number;
  period?: InsightsPeriod | null | undefined;
  limit?: number | null | undefined;
}>;


export type ProductInsightsQuery = { product: { id: string, insights: { from: string, to: string, reviews: number, polarity: number, aspects: Array<{ key: string, term: string, mentions: number, positive: number, negative: number, positiveShare: number, negativeShare: number, direction: InsightDirection, examples: Array<{ reviewId: string, quote: string, polarity: number }> }>, emerging: Array<{ productId: string, key: string, term: string, direction: TopicDirection, since: string, mentions: number, expected: number, evidence: string, examples: Array<{ reviewId: string, quote: string, polarity: number }> }> } | null } | null };

export type ShopInsightsQueryVariables = Exact<{
  period?: InsightsPeriod | null | undefined;
  limit?: number | null | undefined;
}>;


export type ShopInsightsQuery = { shop: { id: string, insights: { from: string, to: string, reviews: number, polarity: number, aspects: Array<{ key: string, term: string, mentions: number, positive: number, negative: number, positiveShare: number, negativeShare: number, direction: InsightDirection, examples: Array<{ reviewId: string, quote: string, polarity: number }> }>, emerging: Array<{ productId: string, key: string, term: string, direction: TopicDirection, since: string, mentions: number, expected: number, evidence: string, examples: Array<{ reviewId: string, quote: string, polarity: number }> }> } | null } | null };

export class TypedDocumentString<TResult, TVariables>
  extends String
  implements DocumentTypeDecoration<TResult, TVariables>
{
  __apiType?: NonNullable<DocumentTypeDecoration<TResult, TVariables>['__apiType']>;
  private value: string;
  public __meta__?: Record<string, any> | undefined;

  constructor(value: string, __meta__?: Record<string, any> | undefined) {
    super(value);
    this.value = value;
    this.__meta__ = __meta__;
  }

  override toString(): string & DocumentTypeDecoration<TResult, TVariables> {
    return this.value;
  }
}
export const RatingFieldsFragmentDoc = new TypedDocumentString(`
    fragment RatingFields on Rating {
  count
  effectiveCount
  average
  plainMean
  rankingScore
  credibleInterval {
    low
    high
    level
  }
  histogram {
    stars
    count
  }
  prior {
    mean
    strength
    reviewCount
  }
  period {
    from
    to
  }
  discounted {
    count
    reasons {
      code
      count
      description
    }
  }
}
    `, {"fragmentName":"RatingFields"}) as unknown as TypedDocumentString<RatingFieldsFragment, unknown>;
export const ReviewFieldsFragmentDoc = new TypedDocumentString(`
    fragment ReviewFields on Review {
  id
  productId
  rating
  title
  body
  reviewer {
    name
  }
  language
  provenance
  status
  reply {
    body
    createdAt
  }
  createdAt
  helpfulVotes {
    helpful
    notHelpful
    score
  }
}
    `, {"fragmentName":"ReviewFields"}) as unknown as TypedDocumentString<ReviewFieldsFragment, unknown>;
export const AnswerFieldsFragmentDoc = new TypedDocumentString(`
    fragment AnswerFields on Answer {
  id
  questionId
  body
  author {
    name
    role
  }
  language
  status
  createdAt
  helpfulVotes {
    helpful
    notHelpful
    score
  }
}
    `, {"fragmentName":"AnswerFields"}) as unknown as TypedDocumentString<AnswerFieldsFragment, unknown>;
export const QuestionFieldsFragmentDoc = new TypedDocumentString(`
    fragment QuestionFields on Question {
  id
  productId
  body
  author {
    name
  }
  language
  status
  createdAt
}
    `, {"fragmentName":"QuestionFields"}) as unknown as TypedDocumentString<QuestionFieldsFragment, unknown>;
export const InsightsFieldsFragmentDoc = new TypedDocumentString(`
    fragment InsightsFields on Insights {
  from
  to
  reviews
  polarity
  aspects {
    key
    term
    mentions
    positive
    negative
    positiveShare
    negativeShare
    direction
    examples {
      reviewId
      quote
      polarity
    }
  }
  emerging {
    productId
    key
    term
    direction
    since
    mentions
    expected
    evidence
    examples {
      reviewId
      quote
      polarity
    }
  }
}
    `, {"fragmentName":"InsightsFields"}) as unknown as TypedDocumentString<InsightsFieldsFragment, unknown>;
export const ProductRatingsDocument = new TypedDocumentString(`
    query ProductRatings($ids: [ID!]!) {
  shop {
    id
  }
  products(ids: $ids) {
    id
    name
    rating {
      ...RatingFields
    }
  }
}
    fragment RatingFields on Rating {
  count
  effectiveCount
  average
  plainMean
  rankingScore
  credibleInterval {
    low
    high
    level
  }
  histogram {
    stars
    count
  }
  prior {
    mean
    strength
    reviewCount
  }
  period {
    from
    to
  }
  discounted {
    count
    reasons {
      code
      count
      description
    }
  }
}`) as unknown as TypedDocumentString<ProductRatingsQuery, ProductRatingsQueryVariables>;
export const ProductReviewsDocument = new TypedDocumentString(`
    query ProductReviews($id: ID!, $first: Int, $after: String, $orderBy: ReviewOrder, $stars: [Int!], $ids: [ID!]) {
  product(id: $id) {
    id
    reviews(
      first: $first
      after: $after
      orderBy: $orderBy
      stars: $stars
      ids: $ids
    ) {
      totalCount
      edges {
        cursor
        node {
          ...ReviewFields
        }
      }
      pageInfo {
        hasNextPage
        endCursor
      }
    }
  }
}
    fragment ReviewFields on Review {
  id
  productId
  rating
  title
  body
  reviewer {
    name
  }
  language
  provenance
  status
  reply {
    body
    createdAt
  }
  createdAt
  helpfulVotes {
    helpful
    notHelpful
    score
  }
}`) as unknown as TypedDocumentString<ProductReviewsQuery, ProductReviewsQueryVariables>;
export const SubmitReviewDocument = new TypedDocumentString(`
    mutation SubmitReview($input: SubmitReviewInput!) {
  submitReview(input: $input) {
    replayed
    review {
      ...ReviewFields
    }
    product {
      id
      name
      rating {
        ...RatingFields
      }
    }
  }
}
    fragment RatingFields on Rating {
  count
  effectiveCount
  average
  plainMean
  rankingScore
  credibleInterval {
    low
    high
    level
  }
  histogram {
    stars
    count
  }
  prior {
    mean
    strength
    reviewCount
  }
  period {
    from
    to
  }
  discounted {
    count
    reasons {
      code
      count
      description
    }
  }
}
fragment ReviewFields on Review {
  id
  productId
  rating
  title
  body
  reviewer {
    name
  }
  language
  provenance
  status
  reply {
    body
    createdAt
  }
  createdAt
  helpfulVotes {
    helpful
    notHelpful
    score
  }
}`) as unknown as TypedDocumentString<SubmitReviewMutation, SubmitReviewMutationVariables>;
export const ProductQuestionsDocument = new TypedDocumentString(`
    query ProductQuestions($id: ID!, $first: Int, $after: String, $answers: Int) {
  product(id: $id) {
    id
    name
    questions(first: $first, after: $after) {
      edges {
        cursor
        node {
          ...QuestionFields
          answers(first: $answers) {
            ...AnswerFields
          }
          relatedReviews {
            id
            title
            rating
            reviewer {
              name
            }
          }
        }
      }
      pageInfo {
        hasNextPage
        endCursor
      }
    }
  }
}
    fragment AnswerFields on Answer {
  id
  questionId
  body
  author {
    name
    role
  }
  language
  status
  createdAt
  helpfulVotes {
    helpful
    notHelpful
    score
  }
}
fragment QuestionFields on Question {
  id
  productId
  body
  author {
    name
  }
  language
  status
  createdAt
}`) as unknown as TypedDocumentString<ProductQuestionsQuery, ProductQuestionsQueryVariables>;
export const AskQuestionDocument = new TypedDocumentString(`
    mutation AskQuestion($input: AskQuestionInput!) {
  askQuestion(input: $input) {
    replayed
    question {
      ...QuestionFields
      relatedReviews {
        id
        title
        rating
        reviewer {
          name
        }
      }
    }
  }
}
    fragment QuestionFields on Question {
  id
  productId
  body
  author {
    name
  }
  language
  status
  createdAt
}`) as unknown as TypedDocumentString<AskQuestionMutation, AskQuestionMutationVariables>;
export const AnswerQuestionDocument = new TypedDocumentString(`
    mutation AnswerQuestion($input: AnswerQuestionInput!) {
  answerQuestion(input: $input) {
    replayed
    answer {
      ...AnswerFields
    }
  }
}
    fragment AnswerFields on Answer {
  id
  questionId
  body
  author {
    name
    role
  }
  language
  status
  createdAt
  helpfulVotes {
    helpful
    notHelpful
    score
  }
}`) as unknown as TypedDocumentString<AnswerQuestionMutation, AnswerQuestionMutationVariables>;
export const VoteHelpfulDocument = new TypedDocumentString(`
    mutation VoteHelpful($input: VoteHelpfulInput!) {
  voteHelpful(input: $input) {
    itemId
    helpful
    alreadyVoted
    votes {
      helpful
      notHelpful
      score
    }
  }
}
    `) as unknown as TypedDocumentString<VoteHelpfulMutation, VoteHelpfulMutationVariables>;
export const ProductInsightsDocument = new TypedDocumentString(`
    query ProductInsights($id: ID!, $period: InsightsPeriod, $limit: Int) {
  product(id: $id) {
    id
    insights(period: $period, limit: $limit) {
      ...InsightsFields
    }
  }
}
    fragment InsightsFields on Insights {
  from
  to
  reviews
  polarity
  aspects {
    key
    term
    mentions
    positive
    negative
    positiveShare
    negativeShare
    direction
    examples {
      reviewId
      quote
      polarity
    }
  }
  emerging {
    productId
    key
    term
    direction
    since
    mentions
    expected
    evidence
    examples {
      reviewId
      quote
      polarity
    }
  }
}`) as unknown as TypedDocumentString<ProductInsightsQuery, ProductInsightsQueryVariables>;
export const ShopInsightsDocument = new TypedDocumentString(`
    query ShopInsights($period: InsightsPeriod, $limit: Int) {
  shop {
    id
    insights(period: $period, limit: $limit) {
      ...InsightsFields
    }
  }
}
    fragment InsightsFields on Insights {
  from
  to
  reviews
  polarity
  aspects {
    key
    term
    mentions
    positive
    negative
    positiveShare
    negativeShare
    direction
    examples {
      reviewId
      quote
      polarity
    }
  }
  emerging {
    productId
    key
    term
    direction
    since
    mentions
    expected
    evidence
    examples {
      reviewId
      quote
      polarity
    }
  }
}`) as unknown as TypedDocumentString<ShopInsightsQuery, ShopInsightsQueryVariables>;