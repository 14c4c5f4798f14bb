import { createHash, randomBytes } from "node:crypto";
import type { Deps } from "./deps.js";
import { StarlingError } from "../errors.js";
import type { ShopDoc } from "../db/models.js";

export interface Shop {
  readonly id: string;
  readonly name: string;
}

export const SECRET_KEY_PREFIX = "sk_";

export function hashKey(key: string): string {
  return createHash("sha256").update(key).digest("hex");
}

/**
 * Creates a shop and its first secret key. The key is returned once and kept
 * only as a hash. `id` and `secretKey` may be fixed (the demo shop does so, so
 * its playground example keeps working across restarts).
 */
export async function createShop(
  deps: Deps,
  input: { name: string; id?: string; secretKey?: string },
): Promise<{ shop: Shop; secretKey: string }> {
  const id = input.id ?? `shop_${randomBytes(9).toString("base64url")}`;
  const secretKey = input.secretKey ?? `${SECRET_KEY_PREFIX}${randomBytes(24).toString("base64url")}`;
  const now = deps.now();
  await deps.models.Shop.create({ _id: id, name: input.name, createdAt: now });
  await deps.models.ApiKey.create({ _id: hashKey(secretKey), shopId: id, prefix: secretKey.slice(0, 8), createdAt: now });
  return { shop: { id, name: input.name }, secretKey };
}

export async function findShop(deps: Deps, id: string): Promise<Shop | null> {
  const doc = await deps.models.Shop.findById(id).lean<ShopDoc>();
  return doc ? { id: doc._id, name: doc.name } : null;
}

/** Resolves an `Authorization: Bearer <key>` header to its shop, or fails with UNAUTHENTICATED. */
export async function authenticate(deps: Deps, authorization: string | null): Promise<Shop> {
  const match = authorization ? /^Bearer\s+(\S+)\s*$/i.exec(authorization) : null;
  if (!match) {
    throw new StarlingError("UNAUTHENTICATED", "Send your shop's secret API key as `Authorization: Bearer sk_…`.");
  }
  const key = await deps.models.ApiKey.findById(hashKey(match[1]!)).lean();
  const shop = key ? await findShop(deps, key.shopId) : null;
  if (!shop) throw new StarlingError("UNAUTHENTICATED", "This API key is not valid.");
  return shop;
}
