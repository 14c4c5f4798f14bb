/** What erasure leaves behind: the ids of erased reviews, questions and answers, without personal data. */
import { type InferSchemaType, Schema } from "mongoose";
import { required, schemaOptions, shopOwned } from "../../db/schema-options.js";

/**
 * What is left of a review erased at its reviewer's request: its `_id` (a
 * hash of the shop and the review's idempotency key or invitation) and no
 * personal data. A retry of that key is refused instead of storing the
 * review again.
 */
export type ErasedReviewDoc = InferSchemaType<typeof erasedReviewSchema>;

const erasedReviewSchema = new Schema(
  {
    ...shopOwned,
    erasedAt: required(Date),
  },
  { ...schemaOptions, collection: "erased_reviews" },
);

/**
 * A question or answer erased at its author's request (features/privacy): its
 * `_id` (a hash of the shop and the submission's key, no personal data), so a
 * retry of the submission is refused (QA_ERASED) instead of storing it again.
 * Apart from erased reviews, which the review feed lists as deleted.
 */
export type ErasedQaDoc = InferSchemaType<typeof erasedQaSchema>;

const erasedQaSchema = new Schema({ ...shopOwned, erasedAt: required(Date) }, { ...schemaOptions, collection: "erased_qa" });

/** Its models by name (features/models.ts binds every feature's to a connection). */
export const privacySchemas = { ErasedReview: erasedReviewSchema, ErasedQa: erasedQaSchema };
