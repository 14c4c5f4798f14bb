/** The shop's dashboard's collections (issue 16): sessions, one-time sign-in links, and its maintained counters. */
import { Schema } from "mongoose";
import { collectionSchema, nullable, required, shopOwned } from "../../db/schema-options.js";

/** A dashboard session. Stored by the SHA-256 of its id (the cookie's value), so a database leak signs no one in. */
export interface DashboardSessionDoc {
  _id: string;
  shopId: string;
  /** The API key signed in with (its public id): the moderation log's actor; the session ends with the key. Null for a CLI link. */
  keyId: string | null;
  /** What the session may do: the key's scopes, or every secret scope for an operator's link. */
  scopes: string[];
  createdAt: Date;
  expiresAt: Date;
}

/** A one-time sign-in link the operator CLI printed: by the SHA-256 of its token; single use, expires. */
export interface DashboardLinkDoc {
  _id: string;
  shopId: string;
  createdAt: Date;
  expiresAt: Date;
  usedAt: Date | null;
}

/**
 * Counters the dashboard reads instead of reviews: one document per shop
 * (`shop:<shopId>`) and per product (`product:<shopId>:<productId>`), moved by
 * every stored review and every status change (features/dashboard/counters.ts).
 * `status.<status>.<stars>` counts reviews received by where they stand now;
 * `weeks.<monday>` holds a week's received reviews (`r`), its counted
 * (published) ones per star (`p1`..`p5`), their trust weights in basis points
 * (`w1`..`w5`), and verified purchases published (`v`).
 */
export interface DashboardCountsDoc {
  _id: string;
  shopId: string;
  productId: string | null;
  status?: Record<string, Record<string, number>>;
  verified?: Record<string, number>;
  weeks?: Record<string, Record<string, number>>;
}

/** When a session or a sign-in link was made, and when it stops working. */
const lifetime = { createdAt: required(Date), expiresAt: required(Date) } as const;

const dashboardSessionSchema = collectionSchema<DashboardSessionDoc>("dashboard_sessions", {
  ...shopOwned,
  keyId: nullable(String),
  scopes: required([String]),
  ...lifetime,
});

const dashboardLinkSchema = collectionSchema<DashboardLinkDoc>("dashboard_links", { ...shopOwned, ...lifetime, usedAt: nullable(Date) });

const dashboardCountsSchema = collectionSchema<DashboardCountsDoc>("dashboard_counts", {
  ...shopOwned,
  productId: nullable(String),
  status: { type: Schema.Types.Mixed },
  verified: { type: Schema.Types.Mixed },
  weeks: { type: Schema.Types.Mixed },
});

/** Its models by name (features/models.ts binds every feature's to a connection). */
export const dashboardSchemas = {
  DashboardSession: dashboardSessionSchema,
  DashboardLink: dashboardLinkSchema,
  DashboardCounts: dashboardCountsSchema,
};
