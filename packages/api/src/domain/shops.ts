import { randomBytes } from "node:crypto";
import type { ShopDoc } from "../db/models.js";
import type { Deps } from "./deps.js";
import { issueKey } from "./keys.js";

export interface Shop {
  readonly id: string;
  readonly name: string;
}

/**
 * Creates a shop with one secret and one publishable key, returned once.
 * `id` and the keys may be fixed (the demo shop does so, so its examples keep
 * working across restarts).
 */
export async function createShop(
  deps: Deps,
  input: { name: string; id?: string; secretKey?: string; publishableKey?: string },
): Promise<{ shop: Shop; secretKey: string; publishableKey: string }> {
  const id = input.id ?? `shop_${randomBytes(9).toString("base64url")}`;
  await deps.models.Shop.create({ _id: id, name: input.name, createdAt: deps.now() });
  const secret = await issueKey(deps, id, { kind: "secret", label: "default secret key", key: input.secretKey });
  const publishable = await issueKey(deps, id, {
    kind: "publishable",
    label: "default publishable key",
    key: input.publishableKey,
  });
  return { shop: { id, name: input.name }, secretKey: secret.key, publishableKey: publishable.key };
}

export async function findShop(deps: Deps, id: string): Promise<Shop | null> {
  const doc = await deps.models.Shop.findById(id).lean<ShopDoc>();
  return doc ? { id: doc._id, name: doc.name } : null;
}
