/** The insights feature's collections: what review texts say, per review and per product and day. */
import type { Binary } from "mongodb";
import { type InferSchemaType, Schema } from "mongoose";
import { collectionSchema, nullable, required, schemaOptions, shopProductOwned } from "../../db/schema-options.js";

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

/**
 * Published, analysed reviews as counts, the way a day bucket and a roll-up
 * block both store them (what @starling/insights calls DayCounts, without its day).
 */
export interface StoredCounts {
  shopId: string;
  reviews: number;
  polaritySum: number;
  /**
   * The aspects' counts and quotes (AspectDayCount[]) as JSON text, deflated
   * (insights.ts packAspects): FerretDB decodes a nested document field by
   * field (90 buckets of 170 KB took 20–30 s to read nested, 1 s as one string
   * each), and its time on a document is its bytes.
   */
  packed?: Binary;
  /** Written before `packed`: the same as JSON text (a block `<owner>.v`, the owner's version: its random value). */
  data?: string;
  computedAt: Date;
}

/** A product's (productId set) or a shop's (productId null) published, analysed reviews of one UTC day, as counts. */
export interface InsightDayDoc extends StoredCounts {
  /** `<product or shop hash>.<yyyymmdd>`: a period is a list of ids. */
  _id: string;
  productId: string | null;
  day: Date;
  /** Product buckets only: `<shop hash>.<yyyymmdd>.<product hash>`, so a shop's day is a keyset range. */
  shopDayKey: string | null;
  /** Buckets written before `data`: the aspects nested. */
  aspects?: unknown[];
}

/**
 * A roll-up of 2^level consecutive UTC days of a product or a shop
 * (@starling/insights blockOf): `<owner hash>.<level>.<index>` holds all its
 * aspects' counts (what its parent block is built from; level 0 is the
 * insight_days bucket itself), and the same id + `.r` the cut made for reading
 * (trimDayCounts; levels 0 and up); a block of at most 100 aspects is its cut
 * alone, whole (`whole`). A period reads a few `.r` blocks by `_id`.
 */
export interface InsightBlockDoc extends StoredCounts {
  _id: string;
  /**
   * A cut (`<id>.r`) that is the whole block (all its aspects, quotes as the
   * block keeps them): a block of at most 100 aspects is one document, not
   * two (insights.ts blockWrites); its read trims it.
   */
  whole?: boolean;
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
export type InsightCursorDoc = InferSchemaType<typeof insightCursorSchema>;

const reviewInsightSchema = collectionSchema<ReviewInsightDoc>("review_insights", {
  ...shopProductOwned,
  dayKey: required(String),
  createdAt: required(Date),
  language: required(String),
  polarity: required(Number),
  aspects: { type: Schema.Types.Mixed, default: [] },
  erased: { type: Boolean, default: false },
  analyzedAt: required(Date),
  changedAt: required(Date),
});
reviewInsightSchema.index({ dayKey: 1 }, { name: "day_key" });

/** StoredCounts' fields, in both schemas. */
const storedCountsFields = {
  shopId: required(String),
  reviews: required(Number),
  polaritySum: required(Number),
  packed: { type: Buffer, default: undefined },
  data: { type: String, default: undefined },
  computedAt: required(Date),
} as const;

const insightDaySchema = collectionSchema<InsightDayDoc>("insight_days", {
  _id: required(String),
  ...storedCountsFields,
  productId: nullable(String),
  day: required(Date),
  shopDayKey: nullable(String),
  aspects: { type: Schema.Types.Mixed, default: undefined },
});
insightDaySchema.index({ shopDayKey: 1 }, { name: "shop_day_key" });

const insightBlockSchema = collectionSchema<InsightBlockDoc>("insight_blocks", {
  _id: required(String),
  ...storedCountsFields,
  whole: { type: Boolean, default: undefined },
});

const insightTopicSchema = collectionSchema<InsightTopicDoc>("insight_topics", {
  ...shopProductOwned,
  key: required(String),
  term: required(String),
  direction: required(String),
  since: required(Date),
  detectedAt: required(Date),
  lastSeenAt: required(Date),
  mentions: required(Number),
  expected: required(Number),
  evidence: required(String),
  examples: { type: Schema.Types.Mixed, default: [] },
  eventId: required(String),
  current: required(Boolean),
});
insightTopicSchema.index({ shopId: 1, lastSeenAt: -1 }, { name: "shop_seen" });

const insightCursorSchema = new Schema(
  {
    _id: required(String),
    after: required(String),
    scanned: required(Number),
    at: required(Date),
  },
  { ...schemaOptions, collection: "insight_cursors" },
);

/** Its models by name (features/models.ts binds every feature's to a connection). */
export const insightsSchemas = {
  ReviewInsight: reviewInsightSchema,
  InsightDay: insightDaySchema,
  InsightBlock: insightBlockSchema,
  InsightTopic: insightTopicSchema,
  InsightCursor: insightCursorSchema,
};
