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
  },
  { ...common, collection: "products" },
);
productSchema.index({ shopId: 1, productId: 1 }, { name: "shop_product", unique: true });

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
  },
  { ...common, collection: "reviews" },
);
reviewSchema.index({ shopId: 1, productId: 1, createdAt: -1, _id: -1 }, { name: "product_newest" });
reviewSchema.index({ shopId: 1, status: 1, createdAt: -1 }, { name: "shop_status" });
// Review pages in every order, by range (features/reviews/review-pages.ts): served by an index on FerretDB too.
reviewSchema.index({ pageNewest: 1 }, { name: "page_newest" });
reviewSchema.index({ pageStars: 1 }, { name: "page_stars" });
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
      type: [new Schema({ secret: { type: String, required: true }, createdAt: { type: Date, required: true }, expiresAt: { type: Date, default: null } }, { _id: false })],
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

export interface Models {
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
  WebhookEndpoint: Model<WebhookEndpointDoc>;
  WebhookMessage: Model<WebhookMessageDoc>;
  WebhookAttempt: Model<WebhookAttemptDoc>;
  RatingMark: Model<RatingMarkDoc>;
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
    WebhookEndpoint: conn.model<WebhookEndpointDoc>("WebhookEndpoint", webhookEndpointSchema),
    WebhookMessage: conn.model<WebhookMessageDoc>("WebhookMessage", webhookMessageSchema),
    WebhookAttempt: conn.model<WebhookAttemptDoc>("WebhookAttempt", webhookAttemptSchema),
    RatingMark: conn.model<RatingMarkDoc>("RatingMark", ratingMarkSchema),
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
