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

/** Reviews (and products) read from the database per round trip; the export holds about this many lines at a time. */
const EXPORT_BATCH = 1_000;

export function exportLineOf(doc: ReviewDoc, productName: string | null): ExportLine {
  const line: ExportLine = {
    sourceId: doc.sourceId ?? doc._id,
    productId: doc.productId,
    ...(productName ? { productName } : {}),
    rating: doc.rating,
    ...(doc.title ? { title: doc.title } : {}),
    body: doc.body,
    reviewerName: doc.reviewer.name,
    ...(doc.reviewer.externalId ? { customerId: doc.reviewer.externalId } : {}),
    createdAt: doc.createdAt.toISOString(),
    // An imported review keeps the old platform's flag; one written here is verified when Starling verified it.
    verified: doc.verified ?? doc.verification !== null,
    ...(doc.language ? { language: doc.language } : {}),
    ...(doc.reply?.body ? { reply: doc.reply.body } : {}),
    id: doc._id,
    status: doc.status.toUpperCase() as ExportLine["status"],
    provenance: doc.provenance,
  };
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
 * The shop's reviews, every status, as export lines, about EXPORT_BATCH at a
 * time, read as fast as the caller consumes them (the HTTP response's
 * back-pressure), so memory stays flat however many reviews there are. The
 * reads are the feed's walk (feed/shop-reviews.ts): index ranges over this
 * shop's products and reviews only, so an export costs what the shop has, not
 * what the database holds (`find({shopId})`, the earlier read, was a scan of
 * every review of every shop on FerretDB: 40 s of its CPU for a small shop in
 * a 206 000-review database).
 */
export async function* exportLines(deps: Deps, shopId: string): AsyncGenerator<ExportLine[]> {
  let lines: ExportLine[] = [];
  const runs = shopReviewsByProduct<Pick<ProductDoc, "_id" | "productId" | "name">, ExportedReview>(deps, shopId, {
    productFields: { _id: 1, productId: 1, name: 1 },
    reviewFields: { signature: 0, score: 0, pageStars: 0, pageHelpful: 0, pageHelpfulStars: 0, payloadHash: 0, votes: 0 },
    batch: EXPORT_BATCH,
  });
  for await (const { product, reviews } of runs) {
    for (const r of reviews) lines.push(exportLineOf(r, product.name));
    if (lines.length >= EXPORT_BATCH) {
      yield lines;
      lines = [];
    }
  }
  if (lines.length) yield lines;
}
