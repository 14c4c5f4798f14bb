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
import { findByIds } from "../../db/find-by-ids.js";
import type { Deps } from "../deps.js";
import { productKey } from "../products/products.js";

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

/** Reviews read from the database per round trip; the export holds about this many at a time. */
const EXPORT_BATCH = 1_000;
/** Product names remembered while exporting (a bounded map: a shop may have millions of products). */
const NAME_CACHE = 10_000;

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

/**
 * The shop's reviews, every status, as export lines, a batch at a time: the
 * database cursor is read only as fast as the caller consumes (the HTTP
 * response's back-pressure), so memory stays flat however many reviews there are.
 */
export async function* exportLines(deps: Deps, shopId: string): AsyncGenerator<ExportLine[]> {
  const names = new Map<string, string | null>();
  const cursor = deps.models.Review.find({ shopId }, { signature: 0, score: 0, pageNewest: 0, pageStars: 0, payloadHash: 0 })
    .lean<ReviewDoc[]>()
    .cursor({ batchSize: EXPORT_BATCH });
  let batch: ReviewDoc[] = [];
  const flush = async (): Promise<ExportLine[]> => {
    if (names.size > NAME_CACHE) names.clear();
    const missing = [...new Set(batch.map((r) => r.productId).filter((id) => !names.has(id)))];
    if (missing.length) {
      const found = new Map(
        (
          await findByIds(
            deps.models.Product,
            missing.map((id) => productKey(shopId, id)),
          )
        ).map((p: ProductDoc) => [p.productId, p.name]),
      );
      for (const id of missing) names.set(id, found.get(id) ?? null);
    }
    const lines = batch.map((r) => exportLineOf(r, names.get(r.productId) ?? null));
    batch = [];
    return lines;
  };
  try {
    for await (const doc of cursor) {
      batch.push(doc as ReviewDoc);
      if (batch.length >= EXPORT_BATCH) yield await flush();
    }
    if (batch.length) yield await flush();
  } finally {
    await cursor.close();
  }
}
