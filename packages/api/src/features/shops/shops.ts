import { randomBytes } from "node:crypto";
import type { ShopDoc } from "./model.js";
import type { Deps } from "../deps.js";
import { issueKey } from "./keys.js";
import type { Shop } from "./caller.js";

export { findShop, type Shop } from "./caller.js";
import { StarlingError, invalidInput } from "../../errors.js";

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
  await deps.models.Shop.create({ _id: id, name: input.name, createdAt: deps.now(), reviewsShopKeyed: true });
  const secret = await issueKey(deps, id, { kind: "secret", label: "default secret key", key: input.secretKey });
  const publishable = await issueKey(deps, id, {
    kind: "publishable",
    label: "default publishable key",
    key: input.publishableKey,
  });
  return { shop: { id, name: input.name }, secretKey: secret.key, publishableKey: publishable.key };
}

/** At most this many origins per shop: a list of the shop's own sites, not a wildcard by enumeration. */
/** The shop's moderation mode (cached), which decides whether a new review, question or answer is published at once. */
export async function moderationMode(deps: Deps, shopId: string): Promise<ShopDoc["moderation"] | undefined> {
  let shop = deps.cache.shops.get(shopId);
  if (shop === undefined) {
    shop = await deps.models.Shop.findById(shopId, { moderation: 1 }).lean<ShopDoc>();
    deps.cache.shops.set(shopId, shop ? { moderation: shop.moderation } : null);
  }
  return shop?.moderation;
}

export const MAX_ALLOWED_ORIGINS = 20;

/**
 * Replaces the browser origins from which the shop's secret keys may be used
 * (an admin page that calls Starling with a secret key). Each is an exact
 * https origin ("https://admin.shop.example"; http only for localhost), as a
 * browser sends it in the Origin header; no wildcards.
 */
export async function setAllowedOrigins(deps: Deps, shopId: string, origins: readonly string[]): Promise<string[]> {
  if (origins.length > MAX_ALLOWED_ORIGINS) throw invalidInput("origins", `at most ${MAX_ALLOWED_ORIGINS} origins (got ${origins.length})`);
  const clean = [...new Set(origins.map((o) => canonicalOrigin(o)))];
  await deps.models.Shop.updateOne({ _id: shopId }, { $set: { allowedOrigins: clean } });
  deps.cache.origins.delete(shopId);
  return clean;
}

function canonicalOrigin(value: string): string {
  let url: URL | null = null;
  try {
    url = value.length <= 300 ? new URL(value) : null;
  } catch {
    url = null;
  }
  const local = url?.protocol === "http:" && /^(localhost|127\.0\.0\.1|\[::1\])$/.test(url.hostname);
  // A host name of letters, digits and hyphens (international names in their xn-- form): no wildcards.
  const plainHost = url !== null && (/^[a-z0-9-]+(\.[a-z0-9-]+)*$/.test(url.hostname) || url.hostname === "[::1]");
  if (
    !url ||
    !plainHost ||
    (url.protocol !== "https:" && !local) ||
    url.origin !== value.replace(/\/$/, "") ||
    url.username ||
    url.password
  ) {
    throw invalidInput(
      "origins",
      `${JSON.stringify(value.slice(0, 100))} is not an origin such as "https://admin.shop.example" (https, no path; http only for localhost)`,
    );
  }
  return url.origin;
}

/**
 * Refuses a secret key sent by a browser from an origin the shop has not
 * allowed: a secret key in a web page is readable by anyone who loads it.
 * `origin` is null for servers (no Origin header) and Starling's own pages.
 */
export async function checkSecretKeyOrigin(deps: Deps, shopId: string, origin: string | null): Promise<void> {
  if (origin === null) return;
  let allowed = deps.cache.origins.get(shopId);
  if (allowed === undefined) {
    const doc = await deps.models.Shop.findById(shopId, { allowedOrigins: 1 }).lean<ShopDoc>();
    allowed = doc?.allowedOrigins ?? [];
    deps.cache.origins.set(shopId, allowed);
  }
  if (!allowed.includes(origin)) {
    throw new StarlingError(
      "ORIGIN_NOT_ALLOWED",
      `A secret key was sent from the web page ${JSON.stringify(origin.slice(0, 100))}: secret keys stay on your server. Use a publishable key in pages, or allow this origin with setAllowedOrigins.`,
      { origin: origin.slice(0, 100) },
    );
  }
}
