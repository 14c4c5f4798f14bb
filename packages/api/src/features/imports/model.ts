/** The imports feature's collection: imported reviews waiting for the end of their import. */
import { Schema } from "mongoose";
import { schemaOptions } from "../../db/schema-options.js";
import type { ReviewDoc } from "../reviews/model.js";

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
  { ...schemaOptions, collection: "imports_pending" },
);
importPendingSchema.index({ shopId: 1 }, { name: "shop" });

/** Its models by name (features/models.ts binds every feature's to a connection). */
export const importsSchemas = { ImportPending: importPendingSchema };
