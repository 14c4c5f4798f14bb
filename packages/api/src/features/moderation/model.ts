import { collectionSchema, nullable, required, shopOwned } from "../../db/schema-options.js";
import type { ReviewStatus } from "../reviews/model.js";

/** One moderation action, kept for good: hiding reviews must be explainable afterwards. */
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

const moderationEventSchema = collectionSchema<ModerationEventDoc>("moderation_log", {
  ...shopOwned,
  reviewId: required(String),
  action: required(String),
  fromStatus: nullable(String),
  toStatus: nullable(String),
  reason: nullable(String),
  note: nullable(String),
  actor: required(String),
  at: required(Date),
});
moderationEventSchema.index({ shopId: 1, at: -1, _id: -1 }, { name: "shop_at" });

/** Its models by name (features/models.ts binds every feature's to a connection). */
export const moderationSchemas = { ModerationEvent: moderationEventSchema };
