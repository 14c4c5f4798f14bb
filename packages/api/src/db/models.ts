/**
 * The collections, and only what MONGODB.md §5 calls portable: string `_id`s
 * for every hot lookup, unique and compound ±1 indexes with explicit names,
 * no transactions, no TTL or partial indexes.
 */
import mongoose, { Schema, type Connection, type Model } from "mongoose";

export interface ShopDoc {
  _id: string;
  name: string;
  createdAt: Date;
  /** "post": reviews publish at once and may be removed later; "pre": they wait for approval. */
  moderation: "post" | "pre";
  /** Signs invitation tokens (HMAC); never leaves the server. */
  inviteSecret: string | null;
  /** Browser origins (https://shop.example) from which the shop's secret keys may be used; none by default. */
  allowedOrigins?: string[];
}

/** An invitation to review one product of one order line: single use, expires. */
export interface InvitationDoc {
  _id: string;
  shopId: string;
  productId: string;
  orderRef: string;
  /** For the shop's own mailer; never returned by the API. */
  customerEmail: string | null;
  createdAt: Date;
  expiresAt: Date;
  usedAt: Date | null;
  reviewId: string | null;
}
export interface ApiKeyDoc {
  /** SHA-256 of the key. */
  _id: string;
  /** The key's public id, for listing, rotating and revoking it. */
  keyId: string;
  shopId: string;
  kind: "publishable" | "secret";
  scopes: string[];
  label: string | null;
  prefix: string;
  createdAt: Date;
  revokedAt: Date | null;
}
export interface ProductDoc {
  _id: string;
  shopId: string;
  productId: string;
  name: string;
  createdAt: Date;
  /** What Google's review feed identifies the product by (putProduct); absent until set. */
  gtin?: string | null;
  mpn?: string | null;
  sku?: string | null;
  brand?: string | null;
  /** The product's page on the shop's site: required for the product to appear in the review feed. */
  url?: string | null;
  /** Last putProduct: part of the review feed's ETag (features/feed). */
  updatedAt?: Date;
}
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
  /** MinHash signature of the text, for near-duplicate checks of later reviews; null for short texts. */
  signature?: { minHashes: number[]; bandKeys: number[] } | null;
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
  /** Helpful votes and the MOST_HELPFUL page keys, moved by every counted vote (features/votes). */
  votes?: VoteTotals | null;
  pageHelpful?: string;
  pageHelpfulStars?: string;
  /** An imported review's id on the platform it came from (`starling import`); its `_id` derives from it. */
  sourceId?: string | null;
  /** An imported review's verified-purchase flag as the old platform stated it (not checked by Starling). */
  verified?: boolean | null;
}

export interface StoredScore {
  suspicion: number;
  trustWeightBp: number;
  /** The code of the reason that weighed most, for the summary's "discounted because". */
  topReason: string | null;
  /** Each reason with its numbers and a sentence for humans. */
  reasons: (Record<string, unknown> & { code: string; text: string })[];
  by: "write" | "batch";
}

/** A product's or a reviewer's fraud-scoring state (@starling/scoring), kept between arrivals. */
export interface ScoringStateDoc {
  _id: string;
  state: Record<string, unknown>;
}

export type ReviewStatus = "published" | "pending" | "rejected" | "quarantined";

/** One moderation action, kept for good: hiding reviews must be explainable afterwards. */
/**
 * What is left of a review erased at its reviewer's request: its `_id` (a
 * hash of the shop and the review's idempotency key or invitation) and no
 * personal data. A retry of that key is refused instead of storing the
 * review again.
 */
export interface ErasedReviewDoc {
  _id: string;
  shopId: string;
  erasedAt: Date;
}

export interface ModerationEventDoc {
  _id: string;
  shopId: string;
  reviewId: string;
  action: "publish" | "reject" | "reinstate" | "quarantine" | "reply" | "settings" | "erase";
  fromStatus: ReviewStatus | null;
  toStatus: ReviewStatus | null;
  reason: string | null;
  note: string | null;
  /** The API key that acted (its public id), or "starling" for automatic actions. */
  actor: string;
  at: Date;
}
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

/** A job of a durable work queue (db/lease-queue.ts): only work not yet done. */
export interface LeaseJobDoc {
  /** `<queue>:<job id>`. */
  _id: string;
  queue: string;
  payload: unknown;
  /** Not claimed before this. */
  availableAt: Date;
  /** How many times it was claimed: the claim that holds it is `<_id>#<epoch>` in lease_claims. */
  epoch: number;
  owner: string | null;
  leaseUntil: Date | null;
  attempts: number;
  lastError: string | null;
  createdAt: Date;
}

/** One claim of a job at one epoch: inserting it is what wins the job (inserts are atomic on every backend). */
export interface LeaseClaimDoc {
  /** `<queue>:<job id>#<epoch>`. */
  _id: string;
  owner: string;
  at: Date;
}

// minimize: false keeps empty objects (a scoring state's empty reason map) as they are.
const common = { versionKey: false, strict: "throw", autoIndex: false, autoCreate: true, minimize: false } as const;

const shopSchema = new Schema<ShopDoc>(
  {
    _id: { type: String, required: true },
    name: { type: String, required: true },
    createdAt: { type: Date, required: true },
    moderation: { type: String, required: true, enum: ["post", "pre"], default: "post" },
    inviteSecret: { type: String, default: null },
    allowedOrigins: { type: [String], default: undefined },
  },
  { ...common, collection: "shops" },
);

/** A secret key is kept only as its SHA-256, keyed by that hash so authentication is one `_id` lookup. */
const apiKeySchema = new Schema<ApiKeyDoc>(
  {
    _id: { type: String, required: true },
    keyId: { type: String, required: true },
    shopId: { type: String, required: true },
    kind: { type: String, required: true, enum: ["publishable", "secret"] },
    scopes: { type: [String], required: true },
    label: { type: String, default: null },
    /** The key's first characters, to tell keys apart in a list without revealing them. */
    prefix: { type: String, required: true },
    createdAt: { type: Date, required: true },
    revokedAt: { type: Date, default: null },
  },
  { ...common, collection: "api_keys" },
);
apiKeySchema.index({ keyId: 1 }, { name: "key_id", unique: true });
apiKeySchema.index({ shopId: 1, createdAt: 1 }, { name: "shop_created" });

/** `_id` is `<shopId>:<productId>`: product ids are the shop's own (SKUs), unique per shop only. */
const productSchema = new Schema<ProductDoc>(
  {
    _id: { type: String, required: true },
    shopId: { type: String, required: true },
    productId: { type: String, required: true },
    name: { type: String, required: true },
    createdAt: { type: Date, required: true },
    gtin: { type: String, default: null },
    mpn: { type: String, default: null },
    sku: { type: String, default: null },
    brand: { type: String, default: null },
    url: { type: String, default: null },
    updatedAt: { type: Date },
  },
  { ...common, collection: "products" },
);
productSchema.index({ shopId: 1, productId: 1 }, { name: "shop_product", unique: true });
// The review feed's ETag reads the shop's last product change (features/feed).
productSchema.index({ shopId: 1, updatedAt: -1 }, { name: "shop_updated" });

const reviewSchema = new Schema<ReviewDoc>(
  {
    /** Derived from the shop and the idempotency key, so a retry collides on `_id` on every backend. */
    _id: { type: String, required: true },
    shopId: { type: String, required: true },
    productId: { type: String, required: true },
    rating: { type: Number, required: true },
    title: { type: String, required: true },
    body: { type: String, required: true },
    reviewer: {
      name: { type: String, required: true },
      externalId: { type: String, default: null },
      email: { type: String, default: null },
    },
    verification: { type: { method: String, invitationId: String, orderRef: String }, default: null, _id: false },
    score: { type: Schema.Types.Mixed, default: null },
    signature: { type: Schema.Types.Mixed, default: null },
    language: { type: String, default: null },
    provenance: { type: String, required: true, enum: ["VERIFIED_PURCHASE", "INVITED", "ORGANIC", "IMPORTED"] },
    source: { type: String, required: true, enum: ["api", "form"] },
    createdAt: { type: Date, required: true },
    /** SHA-256 of the submitted payload: the same key with a different payload is refused. */
    payloadHash: { type: String, required: true },
    status: { type: String, required: true, enum: ["published", "pending", "rejected", "quarantined"] },
    reply: { type: { body: String, at: Date }, default: null, _id: false },
    /**
     * Whether this review is counted in the summaries. A new published review is
     * inserted with it set (the insert is the claim); later changes flip it by
     * `_id` before the counts move (syncReviewCount). Each claim is backed by a
     * PendingCount written before it, so a crash between the claim and the
     * `$inc` is completed by a retry or the sweep, not left short.
     */
    summaryApplied: { type: Boolean, required: true },
    pageNewest: { type: String },
    pageStars: { type: String },
    votes: { type: Schema.Types.Mixed, default: null },
    pageHelpful: { type: String },
    pageHelpfulStars: { type: String },
    sourceId: { type: String },
    verified: { type: Boolean },
  },
  { ...common, collection: "reviews" },
);
reviewSchema.index({ shopId: 1, productId: 1, createdAt: -1, _id: -1 }, { name: "product_newest" });
reviewSchema.index({ shopId: 1, status: 1, createdAt: -1 }, { name: "shop_status" });
// Review pages in every order, by range (features/reviews/review-pages.ts): served by an index on FerretDB too.
reviewSchema.index({ pageNewest: 1 }, { name: "page_newest" });
reviewSchema.index({ pageStars: 1 }, { name: "page_stars" });
reviewSchema.index({ pageHelpful: 1 }, { name: "page_helpful" });
reviewSchema.index({ pageHelpfulStars: 1 }, { name: "page_helpful_stars" });
// The shop's newest reviews: where a new API process loads the recent texts for the near-duplicate check.
reviewSchema.index({ shopId: 1, createdAt: -1 }, { name: "shop_newest" });

/**
 * Precomputed counts, maintained with `$inc` on every write: one per product
 * (`product:<shopId>:<productId>`) and one per shop (`shop:<shopId>`, the prior).
 * Reads never aggregate reviews.
 */
const ratingSummarySchema = new Schema<RatingSummaryDoc>(
  {
    _id: { type: String, required: true },
    shopId: { type: String, required: true },
    productId: { type: String, default: null },
    count: { type: Number, required: true, default: 0 },
    ratingSum: { type: Number, required: true, default: 0 },
    h1: { type: Number, required: true, default: 0 },
    h2: { type: Number, required: true, default: 0 },
    h3: { type: Number, required: true, default: 0 },
    h4: { type: Number, required: true, default: 0 },
    h5: { type: Number, required: true, default: 0 },
    w1: { type: Number, required: true, default: 0 },
    w2: { type: Number, required: true, default: 0 },
    w3: { type: Number, required: true, default: 0 },
    w4: { type: Number, required: true, default: 0 },
    w5: { type: Number, required: true, default: 0 },
    wsq: { type: Number, required: true, default: 0 },
    discounted: { type: Number, required: true, default: 0 },
    discountReasons: { type: Schema.Types.Mixed, default: {} },
    priorStrength: { type: Number, default: null },
    firstReviewAt: { type: Date, default: null },
    lastReviewAt: { type: Date, default: null },
    countTokens: { type: Schema.Types.Mixed },
  },
  { ...common, collection: "rating_summaries" },
);
ratingSummarySchema.index({ shopId: 1 }, { name: "shop" });

const pendingCountSchema = new Schema<PendingCountDoc>(
  {
    _id: { type: String, required: true },
    token: { type: String, required: true },
    sign: { type: Number, required: true },
    shopId: { type: String, required: true },
    productId: { type: String, required: true },
    rating: { type: Number, required: true },
    score: { type: Schema.Types.Mixed, default: null },
    createdAt: { type: Date, required: true },
    owner: { type: String, required: true },
    at: { type: Date, required: true },
  },
  { ...common, collection: "pending_counts" },
);
// The sweep takes the oldest first (on MongoDB by this index; FerretDB scans the small collection).
pendingCountSchema.index({ at: 1 }, { name: "oldest" });

const moderationEventSchema = new Schema<ModerationEventDoc>(
  {
    _id: { type: String, required: true },
    shopId: { type: String, required: true },
    reviewId: { type: String, required: true },
    action: { type: String, required: true },
    fromStatus: { type: String, default: null },
    toStatus: { type: String, default: null },
    reason: { type: String, default: null },
    note: { type: String, default: null },
    actor: { type: String, required: true },
    at: { type: Date, required: true },
  },
  { ...common, collection: "moderation_log" },
);
moderationEventSchema.index({ shopId: 1, at: -1, _id: -1 }, { name: "shop_at" });

const invitationSchema = new Schema<InvitationDoc>(
  {
    _id: { type: String, required: true },
    shopId: { type: String, required: true },
    productId: { type: String, required: true },
    orderRef: { type: String, required: true },
    customerEmail: { type: String, default: null },
    createdAt: { type: Date, required: true },
    expiresAt: { type: Date, required: true },
    usedAt: { type: Date, default: null },
    reviewId: { type: String, default: null },
  },
  { ...common, collection: "invitations" },
);
// The shop's invitations newest first, by keyset (db/time-cursor.ts).
invitationSchema.index({ shopId: 1, createdAt: -1, _id: -1 }, { name: "shop_created_id" });
// One invitation per order line and product, so one VERIFIED_PURCHASE review:
// an insert is atomic on every backend (FerretDB too, MONGODB.md §2.4), so
// this holds across API processes.
invitationSchema.index({ shopId: 1, productId: 1, orderRef: 1 }, { name: "shop_product_order", unique: true });

const erasedReviewSchema = new Schema<ErasedReviewDoc>(
  {
    _id: { type: String, required: true },
    shopId: { type: String, required: true },
    erasedAt: { type: Date, required: true },
  },
  { ...common, collection: "erased_reviews" },
);

const scoringStateSchema = new Schema<ScoringStateDoc>(
  { _id: { type: String, required: true }, state: { type: Schema.Types.Mixed, required: true } },
  { ...common, collection: "scoring_states" },
);

const leaseJobSchema = new Schema<LeaseJobDoc>(
  {
    _id: { type: String, required: true },
    queue: { type: String, required: true },
    payload: { type: Schema.Types.Mixed, required: true },
    availableAt: { type: Date, required: true },
    epoch: { type: Number, required: true },
    owner: { type: String, default: null },
    leaseUntil: { type: Date, default: null },
    attempts: { type: Number, required: true },
    lastError: { type: String, default: null },
    createdAt: { type: Date, required: true },
  },
  { ...common, collection: "lease_jobs" },
);
// Each queue's due jobs, oldest first (on MongoDB by this index; FerretDB scans the small collection).
leaseJobSchema.index({ queue: 1, availableAt: 1 }, { name: "queue_due" });

const leaseClaimSchema = new Schema<LeaseClaimDoc>(
  {
    _id: { type: String, required: true },
    owner: { type: String, required: true },
    at: { type: Date, required: true },
  },
  { ...common, collection: "lease_claims" },
);

/**
 * An imported review waiting for the end of its import (finishImport), which
 * scores the shop's history in createdAt order and then moves it into
 * `reviews` with its score: one insert per review instead of an insert and an
 * update (an update costs FerretDB a read, a rewrite and a write). `_id` is
 * the review's.
 */
export interface ImportPendingDoc {
  _id: string;
  shopId: string;
  /**
   * The review as Extended JSON text (rows stored by older versions hold the
   * document itself). Text, because FerretDB decodes a nested document field
   * by field, with its type schema, on every read, filter and delete: about
   * four times the CPU of one string of the same content.
   */
  review: string | ReviewDoc;
}

const importPendingSchema = new Schema<ImportPendingDoc>(
  { _id: { type: String, required: true }, shopId: { type: String, required: true }, review: { type: Schema.Types.Mixed, required: true } },
  { ...common, collection: "imports_pending" },
);
importPendingSchema.index({ shopId: 1 }, { name: "shop" });

export interface Models extends QaModels {
  Shop: Model<ShopDoc>;
  ApiKey: Model<ApiKeyDoc>;
  Product: Model<ProductDoc>;
  Review: Model<ReviewDoc>;
  RatingSummary: Model<RatingSummaryDoc>;
  ModerationEvent: Model<ModerationEventDoc>;
  Invitation: Model<InvitationDoc>;
  ScoringState: Model<ScoringStateDoc>;
  PendingCount: Model<PendingCountDoc>;
  ErasedReview: Model<ErasedReviewDoc>;
  LeaseJob: Model<LeaseJobDoc>;
  LeaseClaim: Model<LeaseClaimDoc>;
  ReviewInsight: Model<ReviewInsightDoc>;
  InsightDay: Model<InsightDayDoc>;
  InsightBlock: Model<InsightBlockDoc>;
  InsightTopic: Model<InsightTopicDoc>;
  InsightCursor: Model<InsightCursorDoc>;
  DashboardSession: Model<DashboardSessionDoc>;
  DashboardLink: Model<DashboardLinkDoc>;
  DashboardCounts: Model<DashboardCountsDoc>;
  WebhookEndpoint: Model<WebhookEndpointDoc>;
  WebhookMessage: Model<WebhookMessageDoc>;
  WebhookAttempt: Model<WebhookAttemptDoc>;
  RatingMark: Model<RatingMarkDoc>;
  ImportPending: Model<ImportPendingDoc>;
}

/** Binds the models to one connection, so tests can run databases side by side. */
export function bindModels(conn: Connection): Models {
  return {
    Shop: conn.model<ShopDoc>("Shop", shopSchema),
    ApiKey: conn.model<ApiKeyDoc>("ApiKey", apiKeySchema),
    Product: conn.model<ProductDoc>("Product", productSchema),
    Review: conn.model<ReviewDoc>("Review", reviewSchema),
    RatingSummary: conn.model<RatingSummaryDoc>("RatingSummary", ratingSummarySchema),
    ModerationEvent: conn.model<ModerationEventDoc>("ModerationEvent", moderationEventSchema),
    Invitation: conn.model<InvitationDoc>("Invitation", invitationSchema),
    ScoringState: conn.model<ScoringStateDoc>("ScoringState", scoringStateSchema),
    PendingCount: conn.model<PendingCountDoc>("PendingCount", pendingCountSchema),
    ErasedReview: conn.model<ErasedReviewDoc>("ErasedReview", erasedReviewSchema),
    LeaseJob: conn.model<LeaseJobDoc>("LeaseJob", leaseJobSchema),
    LeaseClaim: conn.model<LeaseClaimDoc>("LeaseClaim", leaseClaimSchema),
    ...bindQaModels(conn),
    ReviewInsight: conn.model<ReviewInsightDoc>("ReviewInsight", reviewInsightSchema),
    InsightDay: conn.model<InsightDayDoc>("InsightDay", insightDaySchema),
    InsightBlock: conn.model<InsightBlockDoc>("InsightBlock", insightBlockSchema),
    InsightTopic: conn.model<InsightTopicDoc>("InsightTopic", insightTopicSchema),
    InsightCursor: conn.model<InsightCursorDoc>("InsightCursor", insightCursorSchema),
    DashboardSession: conn.model<DashboardSessionDoc>("DashboardSession", dashboardSessionSchema),
    DashboardLink: conn.model<DashboardLinkDoc>("DashboardLink", dashboardLinkSchema),
    DashboardCounts: conn.model<DashboardCountsDoc>("DashboardCounts", dashboardCountsSchema),
    WebhookEndpoint: conn.model<WebhookEndpointDoc>("WebhookEndpoint", webhookEndpointSchema),
    WebhookMessage: conn.model<WebhookMessageDoc>("WebhookMessage", webhookMessageSchema),
    WebhookAttempt: conn.model<WebhookAttemptDoc>("WebhookAttempt", webhookAttemptSchema),
    RatingMark: conn.model<RatingMarkDoc>("RatingMark", ratingMarkSchema),
    ImportPending: conn.model<ImportPendingDoc>("ImportPending", importPendingSchema),
  };
}

/** Creates collections and indexes, one index per call, before any data arrives (Cosmos DB needs that). */
export async function ensureIndexes(models: Models): Promise<void> {
  const db = Object.values(models)[0]!.db;
  const existing = new Set((await db.listCollections()).map((c: { name: string }) => c.name));
  for (const model of Object.values(models) as Model<unknown>[]) {
    if (!existing.has(model.collection.collectionName)) {
      await model.createCollection().catch((err: { code?: number }) => {
        if (err.code !== 48) throw err; // NamespaceExists: another process created it just now
      });
    }
    for (const [keys, options] of model.schema.indexes()) {
      await model.collection.createIndex(keys as Record<string, 1 | -1>, options as mongoose.mongo.CreateIndexesOptions);
    }
  }
}

// ---- Questions, answers and helpful votes (features/questions, features/votes; issue 17) ----

/** Who wrote a question or answer, as shown: a customer, the shop, or a buyer verified by an invitation. */
export type AuthorRole = "customer" | "shop" | "verified_buyer";

/** Helpful votes on a review or an answer, as shown and ordered (features/votes). */
export interface VoteTotals {
  helpful: number;
  notHelpful: number;
  /** Burst-weighted counts, in basis points of a vote (a vote in a flagged burst counts less). */
  helpfulBp: number;
  notHelpfulBp: number;
  /** Wilson lower bound on the helpful share, from the weighted counts (0 without votes). */
  lowerBound: number;
}

export interface QuestionDoc {
  /** `q_` + a hash of the shop and the submission's idempotency key: a retry collides. */
  _id: string;
  shopId: string;
  productId: string;
  body: string;
  /** `externalId` only from the shop's server (secret key), never shown. */
  author: { name: string; externalId: string | null };
  language: string | null;
  source: "api" | "form";
  status: "published" | "pending" | "rejected";
  createdAt: Date;
  payloadHash: string;
  /** `<product hash>.<countdown>.<id>`: the newest-first page key (features/questions). */
  pageNewest: string;
  /** Up to three published reviews of the product that likely answer it (BM25), chosen when asked. */
  relatedReviewIds: string[];
}

export interface AnswerDoc {
  /** `a_` + a hash of the shop and the submission's idempotency key. */
  _id: string;
  shopId: string;
  productId: string;
  questionId: string;
  body: string;
  author: { name: string; role: AuthorRole; externalId: string | null };
  /** The invitation that made the author a verified buyer; null otherwise. */
  verification: { method: "invitation"; invitationId: string } | null;
  language: string | null;
  source: "api" | "form";
  status: "published" | "pending" | "rejected";
  createdAt: Date;
  payloadHash: string;
  /** `<question id>.<time, ascending>.<id>`: a question's answers oldest first, by range. */
  pageKey: string;
  votes: VoteTotals | null;
}

/** One voter's vote on one item: `_id` is a hash of the item and the voter, so a second vote collides. */
export interface VoteDoc {
  _id: string;
  shopId: string;
  itemType: "review" | "answer";
  itemId: string;
  helpful: boolean;
  at: Date;
  /** Set once the item's tally took it in (features/votes: a retry or the vote-counts job completes a vote a crash left uncounted). */
  counted: boolean;
  /** A hash of the shop and the voter's browser token (votes.ts voterKey), for access and erasure requests; null once erased. */
  voter?: string | null;
  /** What the vote counts for in its item's weighted totals, in basis points (less inside a burst); set when counted. */
  weightBp?: number;
}

/** An item's vote-arrival state for burst detection (@starling/scoring's ArrivalState) and its totals. */
export interface VoteTallyDoc {
  /** `<itemType>:<itemId>`. */
  _id: string;
  shopId: string;
  totals: VoteTotals;
  arrivals: Record<string, unknown>;
}

const questionSchema = new Schema<QuestionDoc>(
  {
    _id: { type: String, required: true },
    shopId: { type: String, required: true },
    productId: { type: String, required: true },
    body: { type: String, required: true },
    author: { name: { type: String, required: true }, externalId: { type: String, default: null } },
    language: { type: String, default: null },
    source: { type: String, required: true, enum: ["api", "form"] },
    status: { type: String, required: true, enum: ["published", "pending", "rejected"] },
    createdAt: { type: Date, required: true },
    payloadHash: { type: String, required: true },
    pageNewest: { type: String, required: true },
    relatedReviewIds: { type: [String], default: [] },
  },
  { ...common, collection: "questions" },
);
// Pages by range on one key, as review pages (pushed down to SQLite on FerretDB).
questionSchema.index({ pageNewest: 1 }, { name: "question_page" });
questionSchema.index({ shopId: 1, status: 1, createdAt: -1 }, { name: "question_shop_status" });

const answerSchema = new Schema<AnswerDoc>(
  {
    _id: { type: String, required: true },
    shopId: { type: String, required: true },
    productId: { type: String, required: true },
    questionId: { type: String, required: true },
    body: { type: String, required: true },
    author: {
      name: { type: String, required: true },
      role: { type: String, required: true, enum: ["customer", "shop", "verified_buyer"] },
      externalId: { type: String, default: null },
    },
    verification: { type: { method: String, invitationId: String }, default: null, _id: false },
    language: { type: String, default: null },
    source: { type: String, required: true, enum: ["api", "form"] },
    status: { type: String, required: true, enum: ["published", "pending", "rejected"] },
    createdAt: { type: Date, required: true },
    payloadHash: { type: String, required: true },
    pageKey: { type: String, required: true },
    votes: { type: Schema.Types.Mixed, default: null },
  },
  { ...common, collection: "answers" },
);
answerSchema.index({ pageKey: 1 }, { name: "answer_page" });

const voteSchema = new Schema<VoteDoc>(
  {
    _id: { type: String, required: true },
    shopId: { type: String, required: true },
    itemType: { type: String, required: true, enum: ["review", "answer"] },
    itemId: { type: String, required: true },
    helpful: { type: Boolean, required: true },
    at: { type: Date, required: true },
    counted: { type: Boolean, required: true },
    voter: { type: String, default: null },
    weightBp: { type: Number },
  },
  { ...common, collection: "votes" },
);
voteSchema.index({ shopId: 1, itemId: 1 }, { name: "vote_item" });
// A voter's votes, for access and erasure requests (features/privacy).
voteSchema.index({ shopId: 1, voter: 1 }, { name: "vote_voter" });
// Votes not yet counted, by arrival (features/votes: the sweep after a crash reads a range of it).
voteSchema.index({ uncounted: 1 }, { name: "vote_uncounted" });

const voteTallySchema = new Schema<VoteTallyDoc>(
  {
    _id: { type: String, required: true },
    shopId: { type: String, required: true },
    totals: { type: Schema.Types.Mixed, required: true },
    arrivals: { type: Schema.Types.Mixed, required: true },
  },
  { ...common, collection: "vote_tallies" },
);

/**
 * A question or answer erased at its author's request (features/privacy): its
 * `_id` (a hash of the shop and the submission's key, no personal data), so a
 * retry of the submission is refused (QA_ERASED) instead of storing it again.
 * Apart from erased reviews, which the review feed lists as deleted.
 */
export interface ErasedQaDoc {
  _id: string;
  shopId: string;
  erasedAt: Date;
}

const erasedQaSchema = new Schema<ErasedQaDoc>(
  { _id: { type: String, required: true }, shopId: { type: String, required: true }, erasedAt: { type: Date, required: true } },
  { ...common, collection: "erased_qa" },
);

export interface QaModels {
  Question: Model<QuestionDoc>;
  Answer: Model<AnswerDoc>;
  Vote: Model<VoteDoc>;
  VoteTally: Model<VoteTallyDoc>;
  ErasedQa: Model<ErasedQaDoc>;
}

function bindQaModels(conn: Connection): QaModels {
  return {
    Question: conn.model<QuestionDoc>("Question", questionSchema),
    Answer: conn.model<AnswerDoc>("Answer", answerSchema),
    Vote: conn.model<VoteDoc>("Vote", voteSchema),
    VoteTally: conn.model<VoteTallyDoc>("VoteTally", voteTallySchema),
    ErasedQa: conn.model<ErasedQaDoc>("ErasedQa", erasedQaSchema),
  };
}

// ---- Insights (features/insights): what review texts say, per review and per product and day ----

/**
 * One review's analysis, beside the review rather than on it: the review
 * document is what every review page reads and caches, and on FerretDB an
 * update is a read-modify-write of the whole document (MONGODB.md §2.4), so a
 * worker writing here can never undo a moderation status written there. It
 * also makes erasure one update and a backfill's "analysed yet?" an `_id` look-up.
 */
export interface ReviewInsightDoc {
  /** The review's id. */
  _id: string;
  shopId: string;
  productId: string;
  /** `<product hash>.<yyyymmdd>.<review id>`: a product's day is a keyset range (pushed down on our FerretDB). */
  dayKey: string;
  /** When the review was written. */
  createdAt: Date;
  language: "en" | "de" | "und";
  polarity: number;
  aspects: { key: string; term: string; polarity: number; quote: string; field: "title" | "body"; start: number; end: number }[];
  /** The reviewer's data was erased: the analysis is gone and the review never counts again. */
  erased: boolean;
  analyzedAt: Date;
  /** Last change of this analysis or of its review's status (a day bucket computed before it is stale). */
  changedAt: Date;
}

/** A product's (productId set) or a shop's (productId null) published, analysed reviews of one UTC day, as counts. */
export interface InsightDayDoc {
  /** `<product or shop hash>.<yyyymmdd>`: a period is a list of ids. */
  _id: string;
  shopId: string;
  productId: string | null;
  day: Date;
  /** Product buckets only: `<shop hash>.<yyyymmdd>.<product hash>`, so a shop's day is a keyset range. */
  shopDayKey: string | null;
  reviews: number;
  polaritySum: number;
  /**
   * The aspects' counts and quotes (AspectDayCount[]) as JSON text: FerretDB
   * decodes a nested document field by field (90 buckets of 170 KB took 20–30 s
   * to read nested, 1 s as one string each).
   */
  data: string;
  /** Buckets written before `data`: the same, nested. */
  aspects?: unknown[];
  computedAt: Date;
}

/**
 * A roll-up of 2^level consecutive UTC days of a product or a shop
 * (@starling/insights blockOf): `<owner hash>.<level>.<index>` holds all its
 * aspects' counts (what its parent block is built from; level 0 is the
 * insight_days bucket itself), and the same id + `.r` the cut made for reading
 * (trimDayCounts; levels 0 and up). A period reads a few `.r` blocks by `_id`.
 */
export interface InsightBlockDoc {
  _id: string;
  shopId: string;
  reviews: number;
  polaritySum: number;
  /** AspectDayCount[] as JSON text (see InsightDayDoc.data). */
  data: string;
  computedAt: Date;
}

/** An emerging topic of a product, one per episode (its event is recorded once, when the episode opens). */
export interface InsightTopicDoc {
  _id: string;
  shopId: string;
  productId: string;
  key: string;
  term: string;
  direction: "negative" | "positive";
  since: Date;
  detectedAt: Date;
  /** The last check that still found it. */
  lastSeenAt: Date;
  mentions: number;
  expected: number;
  evidence: string;
  examples: unknown[];
  eventId: string;
  /** Found by the latest check (a topic whose reviews were rejected stops being current). */
  current: boolean;
}

/** Where a resumable insights backfill stopped. */
export interface InsightCursorDoc {
  _id: string;
  after: string;
  scanned: number;
  at: Date;
}

const reviewInsightSchema = new Schema<ReviewInsightDoc>(
  {
    _id: { type: String, required: true },
    shopId: { type: String, required: true },
    productId: { type: String, required: true },
    dayKey: { type: String, required: true },
    createdAt: { type: Date, required: true },
    language: { type: String, required: true },
    polarity: { type: Number, required: true },
    aspects: { type: Schema.Types.Mixed, default: [] },
    erased: { type: Boolean, default: false },
    analyzedAt: { type: Date, required: true },
    changedAt: { type: Date, required: true },
  },
  { ...common, collection: "review_insights" },
);
reviewInsightSchema.index({ dayKey: 1 }, { name: "day_key" });

const insightDaySchema = new Schema<InsightDayDoc>(
  {
    _id: { type: String, required: true },
    shopId: { type: String, required: true },
    productId: { type: String, default: null },
    day: { type: Date, required: true },
    shopDayKey: { type: String, default: null },
    reviews: { type: Number, required: true },
    polaritySum: { type: Number, required: true },
    data: { type: String, required: true },
    aspects: { type: Schema.Types.Mixed, default: undefined },
    computedAt: { type: Date, required: true },
  },
  { ...common, collection: "insight_days" },
);

const insightBlockSchema = new Schema<InsightBlockDoc>(
  {
    _id: { type: String, required: true },
    shopId: { type: String, required: true },
    reviews: { type: Number, required: true },
    polaritySum: { type: Number, required: true },
    data: { type: String, required: true },
    computedAt: { type: Date, required: true },
  },
  { ...common, collection: "insight_blocks" },
);
insightDaySchema.index({ shopDayKey: 1 }, { name: "shop_day_key" });

const insightTopicSchema = new Schema<InsightTopicDoc>(
  {
    _id: { type: String, required: true },
    shopId: { type: String, required: true },
    productId: { type: String, required: true },
    key: { type: String, required: true },
    term: { type: String, required: true },
    direction: { type: String, required: true },
    since: { type: Date, required: true },
    detectedAt: { type: Date, required: true },
    lastSeenAt: { type: Date, required: true },
    mentions: { type: Number, required: true },
    expected: { type: Number, required: true },
    evidence: { type: String, required: true },
    examples: { type: Schema.Types.Mixed, default: [] },
    eventId: { type: String, required: true },
    current: { type: Boolean, required: true },
  },
  { ...common, collection: "insight_topics" },
);
insightTopicSchema.index({ shopId: 1, lastSeenAt: -1 }, { name: "shop_seen" });

const insightCursorSchema = new Schema<InsightCursorDoc>(
  {
    _id: { type: String, required: true },
    after: { type: String, required: true },
    scanned: { type: Number, required: true },
    at: { type: Date, required: true },
  },
  { ...common, collection: "insight_cursors" },
);

// ---- The shop's dashboard (issue 16): sessions, one-time sign-in links, and its maintained counters.

/** A dashboard session. Stored by the SHA-256 of its id (the cookie's value), so a database leak signs no one in. */
export interface DashboardSessionDoc {
  _id: string;
  shopId: string;
  /** The API key signed in with (its public id): the moderation log's actor; the session ends with the key. Null for a CLI link. */
  keyId: string | null;
  /** What the session may do: the key's scopes, or every secret scope for an operator's link. */
  scopes: string[];
  createdAt: Date;
  expiresAt: Date;
}

/** A one-time sign-in link the operator CLI printed: by the SHA-256 of its token; single use, expires. */
export interface DashboardLinkDoc {
  _id: string;
  shopId: string;
  createdAt: Date;
  expiresAt: Date;
  usedAt: Date | null;
}

/**
 * Counters the dashboard reads instead of reviews: one document per shop
 * (`shop:<shopId>`) and per product (`product:<shopId>:<productId>`), moved by
 * every stored review and every status change (features/dashboard/counters.ts).
 * `status.<status>.<stars>` counts reviews received by where they stand now;
 * `weeks.<monday>` holds a week's received reviews (`r`), its counted
 * (published) ones per star (`p1`..`p5`), their trust weights in basis points
 * (`w1`..`w5`), and verified purchases published (`v`).
 */
export interface DashboardCountsDoc {
  _id: string;
  shopId: string;
  productId: string | null;
  status?: Record<string, Record<string, number>>;
  verified?: Record<string, number>;
  weeks?: Record<string, Record<string, number>>;
}

const dashboardSessionSchema = new Schema<DashboardSessionDoc>(
  {
    _id: { type: String, required: true },
    shopId: { type: String, required: true },
    keyId: { type: String, default: null },
    scopes: { type: [String], required: true },
    createdAt: { type: Date, required: true },
    expiresAt: { type: Date, required: true },
  },
  { ...common, collection: "dashboard_sessions" },
);

const dashboardLinkSchema = new Schema<DashboardLinkDoc>(
  {
    _id: { type: String, required: true },
    shopId: { type: String, required: true },
    createdAt: { type: Date, required: true },
    expiresAt: { type: Date, required: true },
    usedAt: { type: Date, default: null },
  },
  { ...common, collection: "dashboard_links" },
);

const dashboardCountsSchema = new Schema<DashboardCountsDoc>(
  {
    _id: { type: String, required: true },
    shopId: { type: String, required: true },
    productId: { type: String, default: null },
    status: { type: Schema.Types.Mixed },
    verified: { type: Schema.Types.Mixed },
    weeks: { type: Schema.Types.Mixed },
  },
  { ...common, collection: "dashboard_counts" },
);

// ── Webhooks (features/webhooks) and the rating marks behind rating.changed ──

export interface WebhookSecretDoc {
  /** `whsec_` + base64 of 24 random bytes. */
  secret: string;
  createdAt: Date;
  /** Null for the current secret; a rotated-out one is still used to sign until then. */
  expiresAt: Date | null;
}

export interface WebhookEndpointDoc {
  _id: string;
  shopId: string;
  url: string;
  /** Event types (features/events EVENT_TYPES) this endpoint receives. */
  events: string[];
  description: string | null;
  enabled: boolean;
  /** Why Starling disabled it (its deliveries kept failing); null while enabled or disabled by the shop. */
  disabledReason: string | null;
  disabledAt: Date | null;
  /** The current secret first; rotated-out secrets until their overlap ends. */
  secrets: WebhookSecretDoc[];
  createdAt: Date;
  updatedAt: Date;
}

/** An event as sent to a shop's endpoints (the exact body signed), kept for redelivery. */
export interface WebhookMessageDoc {
  /** The event id, sent as `webhook-id`. */
  _id: string;
  shopId: string;
  type: string;
  body: string;
  /** The review the event is about, if any (erasing its reviewer drops the message). */
  reviewId: string | null;
  createdAt: Date;
  /** Set once a delivery job exists for every subscribed endpoint. */
  fannedOutAt: Date | null;
}

/** One attempt to deliver a message to an endpoint (the delivery log; bounded per endpoint). */
export interface WebhookAttemptDoc {
  _id: string;
  shopId: string;
  endpointId: string;
  /** `<eventId>:<endpointId>`. */
  deliveryId: string;
  eventId: string;
  eventType: string;
  attempt: number;
  manual: boolean;
  at: Date;
  ok: boolean;
  statusCode: number | null;
  error: string | null;
  durationMs: number;
  /** When the next attempt is due; null when none follows. */
  nextAttemptAt: Date | null;
}

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

const webhookEndpointSchema = new Schema<WebhookEndpointDoc>(
  {
    _id: { type: String, required: true },
    shopId: { type: String, required: true },
    url: { type: String, required: true },
    events: { type: [String], required: true },
    description: { type: String, default: null },
    enabled: { type: Boolean, required: true },
    disabledReason: { type: String, default: null },
    disabledAt: { type: Date, default: null },
    secrets: {
      type: [
        new Schema(
          { secret: { type: String, required: true }, createdAt: { type: Date, required: true }, expiresAt: { type: Date, default: null } },
          { _id: false },
        ),
      ],
      required: true,
    },
    createdAt: { type: Date, required: true },
    updatedAt: { type: Date, required: true },
  },
  { ...common, collection: "webhook_endpoints" },
);
webhookEndpointSchema.index({ shopId: 1, createdAt: 1 }, { name: "shop_created" });

const webhookMessageSchema = new Schema<WebhookMessageDoc>(
  {
    _id: { type: String, required: true },
    shopId: { type: String, required: true },
    type: { type: String, required: true },
    body: { type: String, required: true },
    reviewId: { type: String, default: null },
    createdAt: { type: Date, required: true },
    fannedOutAt: { type: Date, default: null },
  },
  { ...common, collection: "webhook_messages" },
);
webhookMessageSchema.index({ reviewId: 1 }, { name: "review" });
webhookMessageSchema.index({ createdAt: 1 }, { name: "created" });

const webhookAttemptSchema = new Schema<WebhookAttemptDoc>(
  {
    _id: { type: String, required: true },
    shopId: { type: String, required: true },
    endpointId: { type: String, required: true },
    deliveryId: { type: String, required: true },
    eventId: { type: String, required: true },
    eventType: { type: String, required: true },
    attempt: { type: Number, required: true },
    manual: { type: Boolean, required: true },
    at: { type: Date, required: true },
    ok: { type: Boolean, required: true },
    statusCode: { type: Number, default: null },
    error: { type: String, default: null },
    durationMs: { type: Number, required: true },
    nextAttemptAt: { type: Date, default: null },
  },
  { ...common, collection: "webhook_attempts" },
);
// An endpoint's log newest first, by keyset (db/time-cursor.ts).
webhookAttemptSchema.index({ endpointId: 1, at: -1, _id: -1 }, { name: "endpoint_at" });

const ratingMarkSchema = new Schema<RatingMarkDoc>(
  {
    _id: { type: String, required: true },
    shopId: { type: String, required: true },
    productId: { type: String, required: true },
    seq: { type: Number, required: true },
    value: { type: Number, default: null },
    count: { type: Number, required: true },
    at: { type: Date, required: true },
  },
  { ...common, collection: "rating_marks" },
);
