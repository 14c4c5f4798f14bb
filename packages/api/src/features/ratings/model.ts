/** The ratings feature's collections: the rating summaries, the counts in flight, and the rating marks behind rating.changed. */
import { Schema } from "mongoose";
import { collectionSchema, nullable, required, shopOwned, shopProductOwned } from "../../db/schema-options.js";
import type { StoredScore } from "../scoring/model.js";

export interface RatingSummaryDoc {
  _id: string;
  shopId: string;
  productId: string | null;
  count: number;
  ratingSum: number;
  h1: number;
  h2: number;
  h3: number;
  h4: number;
  h5: number;
  /** Σ trust weight per star level, in basis points (integers, so incremental and rebuilt sums agree exactly). */
  w1: number;
  w2: number;
  w3: number;
  w4: number;
  w5: number;
  /** Σ weight², in basis points squared: Kish's effective sample size for the interval. */
  wsq: number;
  /** Counted reviews with a weight below 0.9, and by the reason that weighed most. */
  discounted: number;
  discountReasons: Record<string, number>;
  /** The fitted empirical-Bayes prior strength (shop summaries only; set by `recompute --rescore`). */
  priorStrength?: number | null;
  /** When the oldest and newest counted reviews were written: the period a rating covers. */
  firstReviewAt: Date | null;
  lastReviewAt: Date | null;
  /**
   * Which pending counts this summary has taken in (PendingCountDoc): a key per
   * batch or per completed review, set by the same update as the `$inc`, so a
   * completion after a crash can tell whether the count already happened. Pruned
   * by the next write once their pending counts are gone.
   */
  countTokens?: Record<string, true>;
}

/**
 * A count of a review not yet known to be in the summaries: written before the
 * review is inserted (or its counted state flips), deleted once its summaries
 * moved. What is left after a crash is completed by a retry of the review's key
 * or by the sweep (sweepPendingCounts), so a stored review is always counted
 * exactly once without `recompute`. A small collection: only counts in flight or
 * interrupted, so the sweep's scan stays cheap on FerretDB too (which uses no secondary index).
 * While a completion runs, the collection also holds its turn: a document with only an
 * `_id` ("claim:…", see completePendingCount), which the sweep's query never matches.
 */
export interface PendingCountDoc {
  /** The review's id: one pending change per review at a time. */
  _id: string;
  /** The summaries' countTokens key of the write that carries this count (one per batch). */
  token: string;
  /** 1 counts the review, −1 uncounts it. */
  sign: 1 | -1;
  shopId: string;
  productId: string;
  rating: number;
  /** The score the count uses (a later re-weight moves from it). */
  score: StoredScore | null;
  /** The review's createdAt (the summaries' period). */
  createdAt: Date;
  /** The API process that wrote it: another process leaves it alone for a grace period. */
  owner: string;
  at: Date;
}

/**
 * Precomputed counts, maintained with `$inc` on every write: one per product
 * (`product:<shopId>:<productId>`) and one per shop (`shop:<shopId>`, the prior).
 * Reads never aggregate reviews.
 */
const ratingSummarySchema = collectionSchema<RatingSummaryDoc>("rating_summaries", {
  ...shopOwned,
  productId: nullable(String),
  count: required(Number, 0),
  ratingSum: required(Number, 0),
  h1: required(Number, 0),
  h2: required(Number, 0),
  h3: required(Number, 0),
  h4: required(Number, 0),
  h5: required(Number, 0),
  w1: required(Number, 0),
  w2: required(Number, 0),
  w3: required(Number, 0),
  w4: required(Number, 0),
  w5: required(Number, 0),
  wsq: required(Number, 0),
  discounted: required(Number, 0),
  discountReasons: { type: Schema.Types.Mixed, default: {} },
  priorStrength: nullable(Number),
  firstReviewAt: nullable(Date),
  lastReviewAt: nullable(Date),
  countTokens: { type: Schema.Types.Mixed },
});
ratingSummarySchema.index({ shopId: 1 }, { name: "shop" });

const pendingCountSchema = collectionSchema<PendingCountDoc>("pending_counts", {
  _id: required(String),
  token: required(String),
  sign: required(Number),
  shopId: required(String),
  productId: required(String),
  rating: required(Number),
  score: nullable(Schema.Types.Mixed),
  createdAt: required(Date),
  owner: required(String),
  at: required(Date),
});
// The sweep takes the oldest first (on MongoDB by this index; FerretDB scans the small collection).
pendingCountSchema.index({ at: 1 }, { name: "oldest" });

/** The last displayed rating announced for a product (rating.changed). */
export interface RatingMarkDoc {
  /** The product summary's id. */
  _id: string;
  shopId: string;
  productId: string;
  seq: number;
  value: number | null;
  count: number;
  at: Date;
}

const ratingMarkSchema = collectionSchema<RatingMarkDoc>("rating_marks", {
  ...shopProductOwned,
  seq: required(Number),
  value: nullable(Number),
  count: required(Number),
  at: required(Date),
});

/** Its models by name (features/models.ts binds every feature's to a connection). */
export const ratingsSchemas = { RatingSummary: ratingSummarySchema, PendingCount: pendingCountSchema, RatingMark: ratingMarkSchema };
