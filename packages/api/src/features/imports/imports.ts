/**
 * Bringing a shop's review history in (`starling import`, whose client is
 * src/client/).
 *
 * An import keeps its rows aside as they come (imports_pending, a document
 * per batch); then `finishImport` scores the shop's whole timeline, its
 * reviews and the arrivals, in createdAt order (the replay `recompute
 * --rescore` uses), moves the arrivals into `reviews` with their scores, and
 * rebuilds the shop's summaries once, per product. Scoring rows as they are sent would score a
 * file in file order at the moment of the import: five years arriving in a
 * minute would look like a burst, and a burst inside the history would be
 * scored against whatever happened to be imported before it. Moving them
 * scored costs one insert each; storing them first and scoring them later
 * would cost an update each too, several times slower on FerretDB.
 *
 * A batch waits as one document (its reviews as deflated BSON), not
 * a document per row: FerretDB's cost is mostly per document, so storing,
 * reading back and deleting 3 000 waiting rows took 0.27 ms of its CPU a row,
 * and about 0.04 ms as a dozen batches (3 000 amazon-fashion rows; the README's import figures).
 */
import { createHash } from "node:crypto";
import { deflateRawSync, inflateRawSync } from "node:zlib";
import { textSignature } from "@starling/scoring";
import { BSON } from "mongodb";
import type { ImportPendingDoc } from "./model.js";
import type { ProductDoc } from "../products/model.js";
import type { ReviewDoc } from "../reviews/model.js";
import { StarlingError, duplicateKeyFailures, invalidInput } from "../../errors.js";
import { findByIds } from "../../db/find-by-ids.js";
import { reviewsChanged, type Deps } from "../deps.js";
import { productKey } from "../products/products.js";
import { recomputeSummaries, type RebuiltReview } from "../ratings/ratings.js";
import { withPageKeys } from "../reviews/review-pages.js";
import { LIMITS, reviewIdOf } from "../reviews/reviews.js";
import { packSignature, scoreShopHistory } from "../scoring/scoring.js";
import { identifier, languageTag, optionalText, starRating, text } from "../validate.js";
import { dashboardCountsRebuild } from "../dashboard/counters.js";

/** One import line as the API receives it: the CLI checked the JSON types, this module checks the values. */
export interface ImportRow {
  sourceId?: string | null;
  productId?: string | null;
  productName?: string | null;
  rating?: number | null;
  title?: string | null;
  body?: string | null;
  reviewerName?: string | null;
  customerId?: string | null;
  createdAt?: string | null;
  verified?: boolean | null;
  language?: string | null;
  reply?: string | null;
  /** An export's own field: what was hidden stays hidden when an export is imported elsewhere. */
  status?: string | null;
}

/** Most rows one importReviews call takes; its query cost grows with the rows (graphql/cost.ts). */
export const MAX_IMPORT_ROWS = 500;
/** The longest shop reply an import keeps (the moderation reply's limit). */
export const REPLY_MAX = 5_000;
/** A review dated further ahead than this is refused: a clock or a format mix-up, not history. */
const FUTURE_SLACK_MS = 86_400_000;

export type ImportOutcome = "IMPORTED" | "ALREADY_PRESENT" | "REJECTED";

export interface ImportRowResult {
  readonly outcome: ImportOutcome;
  /** The review's Starling id (imported or already present). */
  readonly reviewId: string | null;
  readonly error: { readonly code: string; readonly field: string | null; readonly message: string } | null;
}

const STATUSES: Record<string, ReviewDoc["status"]> = {
  PUBLISHED: "published",
  PENDING: "pending",
  REJECTED: "rejected",
  QUARANTINED: "quarantined",
};

// ISO 8601 as exports write it: a date, or a date and time with a zone (a time without one is ambiguous).
const ISO_8601 = /^\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d{1,9})?)?(?:Z|[+-]\d{2}:?\d{2}))?$/i;

function required<T>(field: string, value: T | null | undefined): T {
  if (value === null || value === undefined) throw invalidInput(field, "is required");
  return value;
}

export function parseImportDate(field: string, value: string, now: Date): Date {
  if (!ISO_8601.test(value)) {
    throw invalidInput(field, 'must be an ISO 8601 date, or date and time with a zone, e.g. "2024-05-01" or "2024-05-01T12:30:00Z"');
  }
  // Date.parse reads the "YYYY-MM-DDTHH:MM…±HH:MM" form; a space separator and a zone without a colon are normalized first.
  const normal = value.replace(" ", "T").replace(/([+-]\d{2})(\d{2})$/, "$1:$2");
  const ms = Date.parse(normal);
  if (Number.isNaN(ms)) throw invalidInput(field, "is not a real date");
  if (ms > now.getTime() + FUTURE_SLACK_MS) throw invalidInput(field, "is in the future");
  return new Date(ms);
}

/** A row's review as it will be stored, or the typed error that says which field is wrong. */
function cleanRow(shopId: string, row: ImportRow, now: Date): { doc: ReviewDoc; productName: string | null } {
  const sourceId = text("sourceId", required("sourceId", row.sourceId), { max: 200 });
  const productId = identifier("productId", required("productId", row.productId));
  const productName = optionalText("productName", row.productName, { max: 300 });
  const rating = starRating("rating", required("rating", row.rating));
  // A title is optional in other platforms' exports; Starling stores none as "".
  const title = row.title == null || row.title === "" ? "" : text("title", row.title, { max: LIMITS.title });
  const body = text("body", required("body", row.body), { max: LIMITS.body });
  const reviewerName = text("reviewerName", required("reviewerName", row.reviewerName), { max: LIMITS.reviewerName });
  const customerId = row.customerId == null || row.customerId === "" ? null : identifier("customerId", row.customerId);
  const createdAt = parseImportDate("createdAt", required("createdAt", row.createdAt), now);
  const language = languageTag("language", row.language === "" ? null : row.language);
  const reply = row.reply == null || row.reply === "" ? null : text("reply", row.reply, { max: REPLY_MAX });
  const verified = row.verified ?? null;
  let status: ReviewDoc["status"] = "published";
  if (row.status != null) {
    const known = STATUSES[row.status.toUpperCase()];
    if (!known) throw invalidInput("status", `must be one of ${Object.keys(STATUSES).join(", ")}`);
    status = known;
  }
  const clean = {
    sourceId,
    productId,
    rating,
    title,
    body,
    reviewerName,
    customerId,
    createdAt: createdAt.toISOString(),
    language,
    reply,
    verified,
    status,
  };
  const signature = textSignature(`${title}\n${body}`);
  const doc: ReviewDoc = {
    _id: importedReviewId(shopId, sourceId),
    shopId,
    productId,
    rating,
    title,
    body,
    reviewer: { name: reviewerName, externalId: customerId },
    language,
    provenance: "IMPORTED",
    source: "api",
    createdAt,
    payloadHash: createHash("sha256").update(JSON.stringify(clean)).digest("hex"),
    // Scored with the shop's whole timeline by finishImport, and counted by its rebuild of the summaries.
    score: null,
    signature: signature ? packSignature(signature) : null,
    verification: null,
    status,
    reply: reply === null ? null : { body: reply, at: createdAt },
    summaryApplied: false,
    sourceId,
    verified,
  };
  return { doc, productName };
}

/**
 * An imported review's id: from the shop and its source id, behind "import "
 * (a shop's idempotency keys hold no space, the form's start "form "), so an
 * import can never take a key the shop's server or the form will use.
 */
export function importedReviewId(shopId: string, sourceId: string): string {
  return reviewIdOf(shopId, `import ${sourceId}`);
}

function rejected(err: unknown): ImportRowResult {
  if (err instanceof StarlingError) {
    const field = err.extensions.field;
    return {
      outcome: "REJECTED",
      reviewId: null,
      error: { code: err.code, field: typeof field === "string" ? field : null, message: err.message },
    };
  }
  throw err;
}

/**
 * Stores a batch of import rows for the shop: a result per row, in order.
 * Idempotent on (shop, sourceId): a row whose review is stored already, in
 * this shop, is ALREADY_PRESENT, as is a row whose sourceId is the Starling
 * id of one of the shop's own reviews (an export of reviews that were never
 * imported, imported back). Products the rows name and the shop lacks are
 * created (named by productName, else by their id); existing names are kept.
 * They wait, not shown and not counted, until finishImport: call it at the end.
 */
export async function importReviews(deps: Deps, shopId: string, rows: readonly ImportRow[]): Promise<ImportRowResult[]> {
  if (rows.length > MAX_IMPORT_ROWS) throw invalidInput("rows", `at most ${MAX_IMPORT_ROWS} rows per call (got ${rows.length})`);
  const now = deps.now();
  const results: (ImportRowResult | null)[] = rows.map(() => null);
  const cleaned = new Map<number, { doc: ReviewDoc; productName: string | null }>();
  rows.forEach((row, i) => {
    try {
      cleaned.set(i, cleanRow(shopId, row, now));
    } catch (err) {
      results[i] = rejected(err);
    }
  });

  // What the shop holds already: by the import's ids, and by source ids that are the shop's own review ids.
  // Rows waiting in imports_pending are not looked up: their batch's insert below fails on the duplicate _id and says so.
  // Only the ids and shops come back: a re-import (every row present) would otherwise read whole reviews.
  const ids = [...cleaned.values()].map((c) => c.doc._id);
  const sourceIds = [...cleaned.values()].map((c) => c.doc.sourceId!).filter((s) => s.startsWith("rev_"));
  const [present, erased] = await Promise.all([
    idsIn(deps.models.Review, [...ids, ...sourceIds], { _id: 1, shopId: 1 }).then((docs) => docs.filter((d) => d.shopId === shopId)),
    idsIn(deps.models.ErasedReview, ids, { _id: 1 }),
  ]);
  const presentIds = new Set(present.map((d) => d._id));
  const erasedIds = new Set(erased.map((d) => d._id));

  const fresh: { index: number; doc: ReviewDoc; productName: string | null }[] = [];
  const inBatch = new Map<string, number>();
  for (const [i, c] of cleaned) {
    const { doc } = c;
    if (erasedIds.has(doc._id)) {
      results[i] = rejected(
        new StarlingError("REVIEW_ERASED", "This review was erased at the reviewer's request and will not be imported again.", {
          field: "sourceId",
        }),
      );
    } else if (presentIds.has(doc._id) || presentIds.has(doc.sourceId!)) {
      results[i] = { outcome: "ALREADY_PRESENT", reviewId: presentIds.has(doc._id) ? doc._id : doc.sourceId!, error: null };
    } else if (inBatch.has(doc._id)) {
      // The same source review twice in one file: the first copy is the one stored.
      results[i] = { outcome: "ALREADY_PRESENT", reviewId: doc._id, error: null };
    } else {
      inBatch.set(doc._id, i);
      fresh.push({ index: i, ...c });
    }
  }

  if (fresh.length) {
    await createMissingProducts(deps, shopId, fresh);
    const [inserted] = await insertNew(deps.models.ImportPending, [
      waitingBatch(
        shopId,
        fresh.map((f) => f.doc),
      ),
    ]);
    fresh.forEach((f) => {
      // Not inserted: the same batch is waiting already (a rerun of a killed import, or racing it).
      results[f.index] = { outcome: inserted ? "IMPORTED" : "ALREADY_PRESENT", reviewId: f.doc._id, error: null };
    });
  }
  return results.map((r) => r!);
}

/**
 * The waiting document of a batch's new reviews. Its `_id` is a hash of the
 * reviews' ids, so the same rows sent again (the same file imported again
 * before its finishImport ran, or a rerun racing a killed run's last
 * request) collide on it and are already present. The same review in two
 * different batches waits twice and is stored once (finishImport keeps one
 * of each id); the import's summary then counts it imported twice.
 */
function waitingBatch(shopId: string, docs: readonly ReviewDoc[]): ImportPendingDoc {
  const ids = docs.map((d) => d._id);
  return {
    _id: `${shopId}:${createHash("sha256").update(ids.join("\n")).digest("hex").slice(0, 32)}`,
    shopId,
    count: docs.length,
    // Level 1: a batch of 500 rows deflates in about a millisecond, to about a third of its size.
    reviews: deflateRawSync(BSON.serialize({ reviews: docs }), { level: 1 }),
  };
}

/**
 * The reviews a waiting document holds: a batch as deflated BSON, or as
 * deflated Extended JSON (`rows`, stored by an older version: reading it
 * back took twice BSON's CPU, and four times once the text signature became
 * binary data, which Extended JSON writes as base64), or one review
 * (`review`, older still).
 */
function waitingReviews(p: ImportPendingDoc): ReviewDoc[] {
  if (p.reviews) return (BSON.deserialize(inflateRawSync(bytesOf(p.reviews))) as { reviews: ReviewDoc[] }).reviews;
  if (p.rows) return BSON.EJSON.parse(inflateRawSync(bytesOf(p.rows)).toString("utf8"), { relaxed: true }) as ReviewDoc[];
  return [typeof p.review === "string" ? (BSON.EJSON.parse(p.review, { relaxed: true }) as ReviewDoc) : p.review!];
}

/** Binary data as the driver reads it back (a BSON Binary) or as written (a Buffer): its bytes. */
function bytesOf(data: Buffer | BSON.Binary): Uint8Array {
  return data instanceof BSON.Binary ? data.buffer : data;
}

/** The documents of these ids (one `$in`, an index lookup; see db/find-by-ids.ts), with only the fields projected. */
function idsIn(
  model: { find(filter: never, projection: Record<string, 1>): { lean<R>(): Promise<R> } },
  ids: readonly string[],
  projection: Record<string, 1>,
): Promise<{ _id: string; shopId?: string }[]> {
  if (!ids.length) return Promise.resolve([]);
  return model.find({ _id: { $in: [...new Set(ids)] } } as never, projection).lean<{ _id: string; shopId?: string }[]>();
}

async function createMissingProducts(
  deps: Deps,
  shopId: string,
  rows: readonly { doc: ReviewDoc; productName: string | null }[],
): Promise<void> {
  const names = new Map<string, string>();
  // The first name a row gives for the product, else its id.
  for (const r of rows) if (r.productName && !names.has(r.doc.productId)) names.set(r.doc.productId, r.productName);
  for (const r of rows) if (!names.has(r.doc.productId)) names.set(r.doc.productId, r.doc.productId);
  const keys = [...names.keys()].map((id) => productKey(shopId, id));
  const existing = new Set((await findByIds(deps.models.Product, keys)).map((p) => p.productId));
  const missing: ProductDoc[] = [...names]
    .filter(([id]) => !existing.has(id))
    .map(([id, name]) => ({ _id: productKey(shopId, id), shopId, productId: id, name, createdAt: deps.now() }));
  if (!missing.length) return;
  try {
    await deps.models.Product.collection.insertMany(missing as never[], { ordered: false });
  } catch (err) {
    // Created meanwhile (the shop's putProduct, or a parallel import): theirs is kept.
    if (!duplicateKeyFailures(err)) throw err;
  }
  for (const p of missing) deps.cache.products.delete(p._id);
}

/** Inserts the rows in one command; says which were new (false: that `_id` was stored already). */
async function insertNew<T>(
  model: { collection: { insertMany(docs: never[], o: { ordered: false }): Promise<unknown> } },
  rows: readonly T[],
): Promise<boolean[]> {
  try {
    await model.collection.insertMany(rows as never[], { ordered: false });
    return rows.map(() => true);
  } catch (err) {
    const taken = duplicateKeyFailures(err);
    if (!taken) throw err;
    return rows.map((_, i) => !taken.has(i));
  }
}

/** Imported reviews moved into `reviews` per round trip. */
const MOVE_BATCH = 1_000;

/**
 * The end of an import: scores the shop's history (its reviews and the
 * import's waiting rows, each product's arrivals in createdAt order, with
 * hindsight; see scoreShopHistory), moves the waiting rows into `reviews`
 * with their scores, then rebuilds the shop's summaries, each product's and
 * the shop's, from its reviews. The reviews the shop had keep their scores
 * (the replay only sets the states later arrivals are scored against).
 *
 * Each step can be cut off and run again to the same end: the waiting
 * batches are deleted only once every review they hold is stored, a review
 * stored already is not inserted again (the replay reads it as stored), and
 * the replay of the same reviews gives the same scores. Batches that arrive
 * while it runs (another import of the shop) wait for the next finishImport.
 * Like `recompute`, it is meant for a shop not taking reviews at that
 * moment: a review submitted meanwhile may be scored against the old states,
 * or counted twice until the next `recompute`.
 */
export async function finishImport(deps: Deps, shopId: string): Promise<{ reviews: number; products: number; moved: number }> {
  const batches = await deps.models.ImportPending.find({ shopId }).lean<ImportPendingDoc[]>();
  // One of each review: the same review may wait in two batches (see waitingBatch).
  const waiting = [...new Map(batches.flatMap(waitingReviews).map((r) => [r._id, r])).values()];
  const { scores, stored } = await scoreShopHistory(deps, shopId, waiting);
  // Every review of the shop once, as stored after the move: the summaries are rebuilt from these, not from another pass.
  const reviews = new Map<string, RebuiltReview>(stored.map((r) => [r._id, r]));
  // Stored already (a finishImport cut off after some inserts): not sent again, which FerretDB would answer one review at a time.
  const moving = waiting.filter((doc) => !reviews.has(doc._id));
  let moved = 0;
  for (let i = 0; i < moving.length; i += MOVE_BATCH) {
    // Counted by the rebuild below, so stored as counted (the rebuild then updates none of them).
    const chunk = moving
      .slice(i, i + MOVE_BATCH)
      .map((doc) => withPageKeys({ ...doc, score: scores.get(doc._id) ?? null, summaryApplied: doc.status === "published" }));
    const inserted = await insertNew(deps.models.Review, chunk);
    moved += inserted.filter(Boolean).length;
    for (const doc of chunk) reviews.set(doc._id, doc);
    for (const doc of new Map(chunk.map((d) => [d.productId, d])).values()) reviewsChanged(deps, doc);
  }
  if (batches.length) await deps.models.ImportPending.collection.deleteMany({ _id: { $in: batches.map((b) => b._id) } } as never);
  // The dashboard's charts count the imported history too.
  const counters = dashboardCountsRebuild(deps, { shopId });
  const report = await recomputeSummaries(deps, { shopId }, { alsoVisit: [counters.add], reviews: reviews.values() });
  await counters.save();
  // Imported texts join the near-duplicate check of later reviews.
  deps.signatures.forget(shopId);
  deps.cache.reviewPages.clear();
  return { reviews: scores.size, products: Math.max(0, report.summaries - 1), moved };
}
