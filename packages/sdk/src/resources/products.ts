import { createBatcher } from "../batch.js";
import { createSwrCache } from "../cache.js";
import type { Transport } from "../client.js";
import { ProductRatingsDocument } from "../generated/graphql.js";
import type { ProductRating } from "../types.js";

/** The API's limit of ids per `products(ids:)` request. */
const MAX_IDS_PER_REQUEST = 100;

/** Ratings of products, batched and cached. */
export interface ProductsResource {
  /**
   * One product's rating summary, or null if the shop has no such product.
   * Calls made in the same tick go out as one request; answers are cached
   * (see `cacheTtlMs`, `staleWhileRevalidateMs`).
   * @example const p = await client.products.rating("camp-mug"); p?.rating.average // 4.34
   */
  rating(id: string): Promise<ProductRating | null>;
  /** Several products' ratings, in the order asked, null where there is none; one request (per 100 ids). */
  ratings(ids: readonly string[]): Promise<(ProductRating | null)[]>;
}

export function createProducts(transport: Transport): ProductsResource & { forget(id: string): void } {
  const batcher = createBatcher(async (ids) => {
    const data = await transport.request(ProductRatingsDocument, { ids });
    const shopId = data.shop!.id;
    return data.products.map((p) => (p ? { ...p, shopId } : null));
  }, MAX_IDS_PER_REQUEST);
  const { cacheTtlMs, staleWhileRevalidateMs, now } = transport.options;
  const cache = createSwrCache({ load: (id) => batcher.load(id), ttlMs: cacheTtlMs, staleWhileRevalidateMs, now });
  const rating = (id: string) => {
    if (typeof id !== "string" || id === "") {
      return Promise.reject(new TypeError(`products.rating requires a product id string, got ${JSON.stringify(id)}`));
    }
    return cache.get(id);
  };
  return {
    rating,
    ratings: (ids) => Promise.all(ids.map(rating)),
    forget: (id) => cache.delete(id),
  };
}
