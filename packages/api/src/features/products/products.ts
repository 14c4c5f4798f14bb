import type { Deps } from "../deps.js";
import type { ProductDoc } from "./model.js";
import { identifier, text } from "../validate.js";
import { upsertWinningRace } from "../../db/upsert.js";
import { invalidInput } from "../../errors.js";
import { findByIds } from "../../db/find-by-ids.js";
import { productIds, type ProductIdsInput } from "./product-ids.js";

export interface Product {
  readonly shopId: string;
  readonly id: string;
  readonly name: string;
  readonly createdAt: Date;
  readonly gtin: string | null;
  readonly mpn: string | null;
  readonly sku: string | null;
  readonly brand: string | null;
  readonly url: string | null;
}

export const productKey = (shopId: string, productId: string) => `${shopId}:${productId}`;

function toProduct({ shopId, productId, name, createdAt, gtin, mpn, sku, brand, url }: ProductDoc): Product {
  return {
    shopId,
    id: productId,
    name,
    createdAt,
    gtin: gtin ?? null,
    mpn: mpn ?? null,
    sku: sku ?? null,
    brand: brand ?? null,
    url: url ?? null,
  };
}

/**
 * Creates a product, or renames it if the shop already has one with this id.
 * The identifiers (gtin, mpn, sku, brand, url) are set when given, cleared
 * when null, and left as they are when left out.
 */
export async function putProduct(deps: Deps, shopId: string, input: { id: string; name: string } & ProductIdsInput): Promise<Product> {
  const id = identifier("id", input.id);
  const name = text("name", input.name, { max: 300 });
  const ids = productIds(input);
  const now = deps.now();
  // Two first writes of one product can both miss and both insert: the loser tries again.
  const doc = await upsertWinningRace(() =>
    deps.models.Product.findOneAndUpdate(
      { _id: productKey(shopId, id) },
      { $set: { name, ...ids, updatedAt: now }, $setOnInsert: { shopId, productId: id, createdAt: now } },
      { upsert: true, returnDocument: "after" },
    ).lean<ProductDoc>(),
  );
  deps.cache.products.delete(doc!._id);
  return toProduct(doc!);
}

/** The most products one request may ask for at once (a listing page). */
export const MAX_PRODUCTS_PER_REQUEST = 100;

/** The ids of a request for several products, refused when there are too many. */
export function requestedProductIds(ids: readonly string[]): string[] {
  if (ids.length > MAX_PRODUCTS_PER_REQUEST) {
    throw invalidInput("ids", `at most ${MAX_PRODUCTS_PER_REQUEST} ids per request (got ${ids.length})`);
  }
  return [...ids];
}

/** The shop's products with these ids, in the order asked, null where there is none. */
export async function findProducts(deps: Deps, shopId: string, ids: readonly string[]): Promise<(Product | null)[]> {
  const keys = ids.map((id) => productKey(shopId, id));
  // Misses from concurrent requests share a query (every submission looks up its product).
  const found = await deps.cache.products.getMany(keys, async (missing) => {
    const docs = await Promise.all(missing.map((k) => deps.productReads.add(k)));
    return new Map(missing.map((k, i) => [k, docs[i]!]));
  });
  return keys.map((k) => {
    const doc = found.get(k);
    return doc ? toProduct(doc) : null;
  });
}

/** Products by key, in one query (the batch of deps.productReads). */
export async function loadProducts(deps: Deps, keys: string[]): Promise<(ProductDoc | null)[]> {
  const byKey = new Map((await findByIds(deps.models.Product, keys)).map((d) => [d._id, d]));
  return keys.map((k) => byKey.get(k) ?? null);
}

/** A shop's products by id, a page at a time (the dashboard's product picker). */
export async function listShopProducts(deps: Deps, shopId: string, page: { first: number; after?: string | null }): Promise<Product[]> {
  const filter: Record<string, unknown> = { shopId };
  if (page.after != null) filter.productId = { $gt: page.after };
  const docs = await deps.models.Product.find(filter).sort({ productId: 1 }).limit(page.first).lean<ProductDoc[]>();
  return docs.map(toProduct);
}
