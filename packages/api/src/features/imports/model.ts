/** The imports feature's collection: imported reviews waiting for the end of their import. */
import { Schema } from "mongoose";
import { collectionSchema, shopOwned } from "../../db/schema-options.js";
import type { ReviewDoc } from "../reviews/model.js";

/**
 * Imported reviews waiting for the end of their import (finishImport), which
 * scores the shop's history in createdAt order and then moves it into
 * `reviews` with its score: one insert per review instead of an insert and an
 * update (an update costs FerretDB a read, a rewrite and a write). A batch
 * of them per document (`reviews`, see imports.ts: FerretDB's cost is per
 * document); a document stored by an older version holds one (`review`), and
 * its `_id` is the review's.
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
  review?: string | ReviewDoc;
  /** A batch's reviews as deflated BSON, `{reviews: [...]}` (imports.ts waitingBatch), and how many. */
  reviews?: Buffer;
  /** A batch's reviews as deflated Extended JSON, as an older version stored them. */
  rows?: Buffer;
  count?: number;
}

const importPendingSchema = collectionSchema<ImportPendingDoc>("imports_pending", {
  ...shopOwned,
  review: Schema.Types.Mixed,
  reviews: Buffer,
  rows: Buffer,
  count: Number,
});
importPendingSchema.index({ shopId: 1 }, { name: "shop" });

/** Its models by name (features/models.ts binds every feature's to a connection). */
export const importsSchemas = { ImportPending: importPendingSchema };
