/**
 * Who is calling: a shop, and the kind and scopes of the key it called with.
 * A leaf (database types only): Deps caches callers, keys authenticates them,
 * shops make them.
 */
import type { Models } from "../models.js";
import type { ShopDoc } from "./model.js";

export interface Shop {
  readonly id: string;
  readonly name: string;
}

export const SCOPES = {
  "reviews:read": "read products, ratings and published reviews",
  "reviews:write": "submit reviews from the shop's server (imports, order systems)",
  "products:write": "create and rename products",
  "form:submit": "submit reviews through the customer review form",
  "keys:manage": "create, rotate, revoke and list the shop's keys",
  "reviews:moderate": "see unpublished reviews; publish, reject, reinstate and reply; read the moderation log and report",
  "shop:settings": "change the shop's settings (moderation mode)",
  "invitations:write": "invite buyers to review what they bought (verified purchases)",
  "privacy:manage": "export and erase a reviewer's personal data on request",
} as const;
export type Scope = keyof typeof SCOPES;
export type KeyKind = "publishable" | "secret";

export interface Caller {
  readonly shop: Shop;
  readonly keyId: string;
  readonly kind: KeyKind;
  readonly scopes: ReadonlySet<Scope>;
}

/** Takes only the models, so that this leaf needs no Deps. */
export async function findShop(deps: { readonly models: Models }, id: string): Promise<Shop | null> {
  const doc = await deps.models.Shop.findById(id).lean<ShopDoc>();
  return doc ? { id: doc._id, name: doc.name } : null;
}
