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
import { feedProductFilter } from "../feed/google-reviews.js";
import { productPrefix } from "../reviews/review-pages.js";

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
 * A product's reviews after `after` (a `pageNewest` key), every status: the
 * range of the product's page keys (a hash of the shop and product, see
 * reviews/review-pages.ts), which the review pages read too. The shop and
 * product conditions only restate what the range already means.
 */
export function exportReviewFilter(shopId: string, productId: string, after: string | null): Record<string, unknown> {
  const prefix = productPrefix(shopId, productId);
  // '/' follows '.': past every key of this product.
  return { pageNewest: { $gt: after ?? `${prefix}.`, $lt: `${prefix}/` }, shopId, productId };
}

/**
 * The shop's reviews, every status, as export lines, about EXPORT_BATCH at a
 * time, read as fast as the caller consumes them (the HTTP response's
 * back-pressure), so memory stays flat however many reviews there are.
 *
 * The reads are keyset walks that only ever touch this shop's documents: its
 * products by `_id` (`<shopId>:<productId>`, the feed's range), then each
 * product's reviews by `pageNewest`. Both are index ranges on MongoDB and on
 * the embedded FerretDB alike (`_id` and the page-key pushdown of
 * ferretdb/patches), so an export costs what the shop has, not what the
 * database holds: `find({shopId})`, the earlier read, is a scan of every
 * review of every shop on FerretDB (40 s of its CPU for a small shop in a
 * 206 000-review database). It is lossless because every review has both:
 * a review is only stored for a product the shop has (submitReview refuses
 * others, an import creates them first), products are never deleted, and
 * every review is stored with its page keys (reviews.ts and finishImport
 * store them through withPageKeys, which the review pages rely on too).
 */
export async function* exportLines(deps: Deps, shopId: string): AsyncGenerator<ExportLine[]> {
  let lines: ExportLine[] = [];
  let afterProduct: string | null = null;
  while (true) {
    const products: ProductDoc[] = await deps.models.Product.find(feedProductFilter(shopId, afterProduct), {
      _id: 1,
      productId: 1,
      name: 1,
    })
      .sort({ _id: 1 })
      .limit(EXPORT_BATCH)
      .lean<ProductDoc[]>();
    if (!products.length) break;
    afterProduct = products.at(-1)!._id;
    for (const product of products) {
      let after: string | null = null;
      while (true) {
        const reviews: ExportedReview[] = await deps.models.Review.find(exportReviewFilter(shopId, product.productId, after), {
          signature: 0,
          score: 0,
          pageStars: 0,
          pageHelpful: 0,
          pageHelpfulStars: 0,
          payloadHash: 0,
          votes: 0,
        })
          .sort({ pageNewest: 1 })
          .limit(EXPORT_BATCH)
          .lean<ExportedReview[]>();
        for (const r of reviews) lines.push(exportLineOf(r, product.name));
        if (lines.length >= EXPORT_BATCH) {
          yield lines;
          lines = [];
        }
        if (reviews.length < EXPORT_BATCH) break;
        after = reviews.at(-1)!.pageNewest;
      }
    }
    if (products.length < EXPORT_BATCH) break;
  }
  if (lines.length) yield lines;
}
