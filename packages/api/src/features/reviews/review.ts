/**
 * A review as the API shows it, and the small shapes around it that the
 * review operations, their pages, moderation and privacy share. A leaf: it
 * imports only the database types, so every review module can import it.
 */
import type { ReviewDoc } from "./model.js";

export interface Review {
  readonly id: string;
  readonly shopId: string;
  readonly productId: string;
  readonly rating: number;
  readonly title: string;
  readonly body: string;
  readonly reviewer: { readonly name: string; readonly externalId: string | null };
  readonly language: string | null;
  readonly provenance: ReviewDoc["provenance"];
  readonly status: ReviewDoc["status"];
  readonly reply: ReviewDoc["reply"];
  /** The fraud checks' verdict; for moderators (not shown publicly). */
  readonly score: ReviewDoc["score"] | null;
  /** How the purchase was verified, without the order reference (the shop's business). */
  readonly verification: { readonly method: "invitation" } | null;
  readonly createdAt: Date;
  /** Helpful votes (features/votes); null before the first. */
  readonly votes: ReviewDoc["votes"] | null;
}

export function toReview(doc: ReviewDoc): Review {
  return {
    id: doc._id,
    shopId: doc.shopId,
    productId: doc.productId,
    rating: doc.rating,
    title: doc.title,
    body: doc.body,
    reviewer: { name: doc.reviewer.name, externalId: doc.reviewer.externalId ?? null },
    language: doc.language ?? null,
    provenance: doc.provenance,
    status: doc.status,
    reply: doc.reply ?? null,
    verification: doc.verification ? { method: doc.verification.method } : null,
    score: doc.score ?? null,
    createdAt: doc.createdAt,
    votes: doc.votes ?? null,
  };
}

/** The payload hash of a review whose reviewer was erased: it was a hash of their data, and no payload matches it. */
export const ERASED_PAYLOAD = "erased";

/** What became of one submission in its batch. */
export type StoreOutcome = { stored: ReviewDoc } | { replay: true } | { failed: unknown };

/** One page of reviews, newest or by stars (see listReviews). */
export interface ReviewPage {
  readonly reviews: Review[];
  readonly cursors: string[];
  readonly hasNextPage: boolean;
}

/**
 * A review in an event (webhooks): ids and what the review shows publicly,
 * never the reviewer's email, the order reference or the fraud verdict. The
 * shop's own customer id is included: the shop gave it.
 */
export function reviewEventData(doc: ReviewDoc, status: ReviewDoc["status"] = doc.status): Record<string, unknown> {
  const { id, productId, rating, title, body, reviewer, language, provenance, createdAt } = toReview(doc);
  return {
    reviewId: id,
    productId,
    rating,
    title,
    body,
    reviewer: { name: reviewer.name, customerId: reviewer.externalId },
    language,
    provenance,
    status,
    createdAt: createdAt.toISOString(),
  };
}
