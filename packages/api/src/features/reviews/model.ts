/** The reviews feature's collection: reviews as stored, with the keys their pages are read by. */
import { Schema } from "mongoose";
import { collectionSchema, nullable, required, shopProductOwned } from "../../db/schema-options.js";
import type { StoredScore } from "../scoring/model.js";
import type { VoteTotals } from "../votes/model.js";

export interface ReviewDoc {
  _id: string;
  shopId: string;
  productId: string;
  rating: number;
  title: string;
  body: string;
  /** `email` comes from a purchase invitation; it is never returned by the API. */
  reviewer: { name: string; externalId: string | null; email?: string | null };
  language: string | null;
  /** How the review reached us, as shown to shoppers (see Provenance in the schema). */
  provenance: "VERIFIED_PURCHASE" | "INVITED" | "ORGANIC" | "IMPORTED";
  /** Which door it came through: the shop's server ("api") or the customer form ("form"). */
  source: "api" | "form";
  createdAt: Date;
  payloadHash: string;
  /** The fraud checks' verdict at write time (or from the last batch re-score); absent until scored. */
  score?: StoredScore | null;
  /** MinHash signature of the text, for near-duplicate checks of later reviews; null for short texts (see StoredTextSignature). */
  signature?: StoredTextSignature | null;
  /** How the purchase was verified; null when it was not. */
  verification: { method: "invitation"; invitationId: string; orderRef: string } | null;
  /** Only published reviews count in ratings and show publicly. */
  status: ReviewStatus;
  /** The shop's public answer, shown under the review. */
  reply: { body: string; at: Date } | null;
  /** Whether the summaries currently count this review; kept equal to `status === "published"`. */
  summaryApplied: boolean;
  /** The keys its product's review pages are read by, set when stored (features/reviews/review-pages.ts). */
  pageNewest?: string;
  pageStars?: string;
  /** The shop's newest first (`<shop>.<time>.<reviewId>`): what a process reads its near-duplicate index by (features/scoring). */
  pageShopNewest?: string;
  /** Helpful votes and the MOST_HELPFUL page keys, moved by every counted vote (features/votes). */
  votes?: VoteTotals | null;
  pageHelpful?: string;
  pageHelpfulStars?: string;
  /** An imported review's id on the platform it came from (`starling import`); its `_id` derives from it. */
  sourceId?: string | null;
  /** An imported review's verified-purchase flag as the old platform stated it (not checked by Starling). */
  verified?: boolean | null;
}

/**
 * A text signature as stored: packed in one binary field (scoring.ts
 * packSignature; the driver reads it back as a BSON Binary), or, in reviews
 * stored by older versions, its two arrays of numbers. Read either with
 * unpackSignature.
 */
export type StoredTextSignature = Uint8Array | { minHashes: number[]; bandKeys: number[] };

export type ReviewStatus = "published" | "pending" | "rejected" | "quarantined";

const reviewSchema = collectionSchema<ReviewDoc>("reviews", {
  /** Derived from the shop and the idempotency key, so a retry collides on `_id` on every backend. */
  ...shopProductOwned,
  rating: required(Number),
  title: required(String),
  body: required(String),
  reviewer: {
    name: required(String),
    externalId: nullable(String),
    email: nullable(String),
  },
  verification: { type: { method: String, invitationId: String, orderRef: String }, default: null, _id: false },
  score: nullable(Schema.Types.Mixed),
  signature: nullable(Schema.Types.Mixed),
  language: nullable(String),
  provenance: { type: String, required: true, enum: ["VERIFIED_PURCHASE", "INVITED", "ORGANIC", "IMPORTED"] },
  source: { type: String, required: true, enum: ["api", "form"] },
  createdAt: required(Date),
  /** SHA-256 of the submitted payload: the same key with a different payload is refused. */
  payloadHash: required(String),
  status: { type: String, required: true, enum: ["published", "pending", "rejected", "quarantined"] },
  reply: { type: { body: String, at: Date }, default: null, _id: false },
  /**
   * Whether this review is counted in the summaries. A new published review is
   * inserted with it set (the insert is the claim); later changes flip it by
   * `_id` before the counts move (syncReviewCount). Each claim is backed by a
   * PendingCount written before it, so a crash between the claim and the
   * `$inc` is completed by a retry or the sweep, not left short.
   */
  summaryApplied: required(Boolean),
  pageNewest: { type: String },
  pageStars: { type: String },
  pageShopNewest: { type: String },
  votes: nullable(Schema.Types.Mixed),
  pageHelpful: { type: String },
  pageHelpfulStars: { type: String },
  sourceId: { type: String },
  verified: { type: Boolean },
});
reviewSchema.index({ shopId: 1, productId: 1, createdAt: -1, _id: -1 }, { name: "product_newest" });
reviewSchema.index({ shopId: 1, status: 1, createdAt: -1 }, { name: "shop_status" });
// Review pages in every order, by range (features/reviews/review-pages.ts): served by an index on FerretDB too.
reviewSchema.index({ pageNewest: 1 }, { name: "page_newest" });
reviewSchema.index({ pageStars: 1 }, { name: "page_stars" });
reviewSchema.index({ pageHelpful: 1 }, { name: "page_helpful" });
reviewSchema.index({ pageHelpfulStars: 1 }, { name: "page_helpful_stars" });
// The shop's newest reviews: where a new API process loads the recent texts for
// the near-duplicate check, by range (scoring.ts, recentSignatures), which
// FerretDB answers from this index too; {shopId, createdAt} sorted was a scan
// and sort of every review of every shop there.
reviewSchema.index({ pageShopNewest: 1 }, { name: "page_shop_newest" });
// The shop's reviews newest first, any status: the dashboard's review search
// (dashboard.ts, searchReviews) walks it on MongoDB and stops at a page; without
// it MongoDB sorts all of the shop's reviews for each page.
reviewSchema.index({ shopId: 1, createdAt: -1 }, { name: "shop_newest" });

/** Its models by name (features/models.ts binds every feature's to a connection). */
export const reviewsSchemas = { Review: reviewSchema };
