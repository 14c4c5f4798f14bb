/**
 * A shop's reviews as export lines (`starling export`): every import field
 * under the same name, plus the review's Starling id, status and provenance.
 * A review that was not imported gives its Starling id as its sourceId, so
 * every export imports again (into this shop: already present; into another:
 * the same reviews).
 */
import type { DashboardCountsDoc } from "../dashboard/model.js";
import type { ProductDoc } from "../products/model.js";
import type { ReviewDoc } from "../reviews/model.js";
import { shopCountsId } from "../dashboard/counters.js";
import type { Deps } from "../deps.js";
import { shopReviewsByProduct } from "../feed/shop-reviews.js";

export interface ExportLine {
  sourceId: string;
  productId: string;
  productName?: string;
  rating: number;
  title?: string;
  body: string;
  reviewerName: string;
  customerId?: string;
  createdAt: string;
  verified: boolean;
  language?: string;
  reply?: string;
  id: string;
  status: "PUBLISHED" | "PENDING" | "REJECTED" | "QUARANTINED";
  provenance: ReviewDoc["provenance"];
}

/** Reviews (and products) read from the database per round trip; the export holds at most this many lines at a time. */
const EXPORT_BATCH = 1_000;

export function exportLineOf(doc: ReviewDoc, productName: string | null): ExportLine {
  // Optional fields are set in place, in the line's field order (which JSON.stringify keeps), rather than
  // spread in from a literal each: one object a review instead of up to six.
  const line = { sourceId: doc.sourceId ?? doc._id, productId: doc.productId } as ExportLine;
  if (productName) line.productName = productName;
  line.rating = doc.rating;
  if (doc.title) line.title = doc.title;
  line.body = doc.body;
  line.reviewerName = doc.reviewer.name;
  if (doc.reviewer.externalId) line.customerId = doc.reviewer.externalId;
  line.createdAt = doc.createdAt.toISOString();
  // An imported review keeps the old platform's flag; one written here is verified when Starling verified it.
  line.verified = doc.verified ?? doc.verification !== null;
  if (doc.language) line.language = doc.language;
  if (doc.reply?.body) line.reply = doc.reply.body;
  line.id = doc._id;
  line.status = doc.status.toUpperCase() as ExportLine["status"];
  line.provenance = doc.provenance;
  return line;
}

/**
 * How many reviews the shop has: the export's expected length, for a progress
 * bar (an estimate while writes go on), from the dashboard's maintained counters
 * (every status and star of the shop), 0 when the shop has none yet. One read
 * by _id: counting the reviews themselves made FerretDB decode each one before
 * the export's first line, as much work again as the export (about 1 ms a review).
 */
export async function countShopReviews(deps: Deps, shopId: string): Promise<number> {
  const counts = await deps.models.DashboardCounts.findById(shopCountsId(shopId), { status: 1 }).lean<Pick<DashboardCountsDoc, "status">>();
  let total = 0;
  for (const stars of Object.values(counts?.status ?? {})) for (const n of Object.values(stars)) total += n;
  return Math.max(0, total);
}

/** A review as the export reads it: what an export line is made of, and the key the walk goes on from. */
type ExportedReview = ReviewDoc & { pageNewest: string };

/**
 * The shop's reviews, every status, as export lines: one run per database
 * read (at most EXPORT_BATCH reviews of one product), read as fast as the
 * caller consumes them (the HTTP response's back-pressure), so memory stays
 * flat however many reviews there are. A run is handed on as soon as it is
 * read rather than gathered into EXPORT_BATCH lines: gathered lines lived
 * across several reads (a product has about 200 reviews in the export bench),
 * long enough for V8 to move them to the old generation, which grew between
 * full collections by what they left. The reads are the feed's walk
 * (feed/shop-reviews.ts): index ranges over this shop's products and reviews
 * only, so an export costs what the shop has, not what the database holds
 * (`find({shopId})`, the earlier read, was a scan of every review of every
 * shop on FerretDB: 40 s of its CPU for a small shop in a 206 000-review database).
 */
export async function* exportLines(deps: Deps, shopId: string): AsyncGenerator<ExportLine[]> {
  const runs = shopReviewsByProduct<Pick<ProductDoc, "_id" | "productId" | "name">, ExportedReview>(deps, shopId, {
    productFields: { _id: 1, productId: 1, name: 1 },
    reviewFields: {
      signature: 0,
      score: 0,
      pageStars: 0,
      pageShopNewest: 0,
      pageHelpful: 0,
      pageHelpfulStars: 0,
      payloadHash: 0,
      votes: 0,
    },
    batch: EXPORT_BATCH,
  });
  for await (const { product, reviews } of runs) yield reviews.map((r) => exportLineOf(r, product.name));
}
