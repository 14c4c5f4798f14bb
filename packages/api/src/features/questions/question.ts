/**
 * A question and an answer as the API shows them, and the cached view of a
 * product's first page of questions. A leaf (database types only), so Deps
 * can name the page cache's type without importing the operations.
 */
import type { AnswerDoc, AuthorRole, QuestionDoc } from "./model.js";
import type { Review } from "../reviews/review.js";
import { emptyTotals } from "../votes/wilson.js";

export type QaStatus = QuestionDoc["status"];

export interface Question {
  readonly id: string;
  readonly shopId: string;
  readonly productId: string;
  readonly body: string;
  readonly author: { readonly name: string };
  readonly language: string | null;
  readonly status: QaStatus;
  readonly createdAt: Date;
  readonly relatedReviewIds: readonly string[];
  /** Its page key, where its answers' keys begin (not in the schema). */
  readonly pageNewest: string;
  /** On a cached first page: its first answers and related reviews, read with the page. */
  readonly prefetched?: { readonly answers: readonly Answer[]; readonly reviews: readonly Review[] };
}

export interface Answer {
  readonly id: string;
  readonly shopId: string;
  readonly productId: string;
  readonly questionId: string;
  readonly body: string;
  readonly author: { readonly name: string; readonly role: AuthorRole };
  readonly language: string | null;
  readonly status: QaStatus;
  readonly createdAt: Date;
  readonly votes: NonNullable<AnswerDoc["votes"]>;
}

export function toQuestion(d: QuestionDoc): Question {
  return {
    id: d._id,
    shopId: d.shopId,
    productId: d.productId,
    body: d.body,
    author: { name: d.author.name },
    language: d.language ?? null,
    status: d.status,
    createdAt: d.createdAt,
    relatedReviewIds: d.relatedReviewIds ?? [],
    pageNewest: d.pageNewest,
  };
}

export function toAnswer(d: AnswerDoc): Answer {
  return {
    id: d._id,
    shopId: d.shopId,
    productId: d.productId,
    questionId: d.questionId,
    body: d.body,
    author: { name: d.author.name, role: d.author.role },
    language: d.language ?? null,
    status: d.status,
    createdAt: d.createdAt,
    votes: d.votes ?? emptyTotals(),
  };
}

/** A product's first page of published questions, each with its first published answers (up to CACHED_ANSWERS) and related reviews `prefetched`: what the widget shows, cached (deps.cache.questionPages). */
export interface QuestionPageView {
  readonly questions: Question[];
  readonly cursors: string[];
  readonly hasNextPage: boolean;
}
