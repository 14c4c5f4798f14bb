/**
 * Every collection's mongoose model, bound to one connection: each feature
 * declares its collections in its own `model.ts` (its documents' types, its
 * schemas and their indexes), db/lease-queue.ts the work queue's. Adding a
 * collection to a feature means adding it to that feature's `…Schemas`; a new
 * feature's map is spread in here once.
 */
import type { Connection, InferSchemaType, Model } from "mongoose";
import { leaseQueueSchemas } from "../db/lease-queue.js";
import { dashboardSchemas } from "./dashboard/model.js";
import { importsSchemas } from "./imports/model.js";
import { insightsSchemas } from "./insights/model.js";
import { invitationsSchemas } from "./invitations/model.js";
import { moderationSchemas } from "./moderation/model.js";
import { privacySchemas } from "./privacy/model.js";
import { productsSchemas } from "./products/model.js";
import { questionsSchemas } from "./questions/model.js";
import { ratingsSchemas } from "./ratings/model.js";
import { reviewsSchemas } from "./reviews/model.js";
import { scoringSchemas } from "./scoring/model.js";
import { shopsSchemas } from "./shops/model.js";
import { votesSchemas } from "./votes/model.js";
import { webhooksSchemas } from "./webhooks/model.js";

/** Each model's name and schema (the order is the order ensureIndexes creates the collections in). */
const SCHEMAS = {
  ...shopsSchemas,
  ...productsSchemas,
  ...reviewsSchemas,
  ...ratingsSchemas,
  ...moderationSchemas,
  ...invitationsSchemas,
  ...scoringSchemas,
  ...privacySchemas,
  ...leaseQueueSchemas,
  ...questionsSchemas,
  ...votesSchemas,
  ...insightsSchemas,
  ...dashboardSchemas,
  ...webhooksSchemas,
  ...importsSchemas,
};

/** The models by name, each typed by its schema's document type (`Models["Review"]` is `Model<ReviewDoc>`). */
export type Models = { [Name in keyof typeof SCHEMAS]: Model<InferSchemaType<(typeof SCHEMAS)[Name]>> };

/** Binds the models to one connection, so tests can run databases side by side. */
export function bindModels(conn: Connection): Models {
  // Object.fromEntries forgets which name holds which schema; SCHEMAS's type above keeps it.
  return Object.fromEntries(Object.entries(SCHEMAS).map(([name, schema]) => [name, conn.model(name, schema)])) as unknown as Models;
}
