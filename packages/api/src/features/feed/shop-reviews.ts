/**
 * A shop's reviews, product by product: the walk the Google feed and the
 * export (`starling export`) both make.
 *
 * Two keyset walks that only ever touch this shop's documents: its products
 * by `_id` (`<shopId>:<productId>`), then each product's reviews by
 * `pageNewest`. Both are index ranges on MongoDB and on the embedded FerretDB
 * alike (`_id` and the page-key pushdown of ferretdb/patches), so a walk costs
 * what the shop has, not what the database holds: `find({shopId})` is a scan
 * of every review of every shop on FerretDB. It misses no review because
 * every review has both: a review is only stored for a product the shop has
 * (submitReview refuses others, an import creates them first), products are
 * never deleted, and every review is stored with its page keys (reviews.ts and
 * finishImport store them through withPageKeys, which the review pages rely on too).
 */
import type { ProductDoc } from "../products/model.js";
import type { ReviewDoc } from "../reviews/model.js";
import type { Deps } from "../deps.js";
import { productPrefix } from "../reviews/review-pages.js";

/**
 * The shop's products after `after` (a product `_id`), in `_id` order: a range
 * on `_id` (`<shopId>:<productId>`), which both databases answer from the `_id` index.
 */
export function feedProductFilter(shopId: string, after: string | null): Record<string, unknown> {
  // ';' follows ':': past every product id of this shop.
  return { _id: { $gt: after ?? `${shopId}:`, $lt: `${shopId};` }, shopId };
}

/**
 * A product's reviews after `after` (a `pageNewest` key), of one status or of
 * every status: the range of the product's `pageNewest` keys (a hash of the
 * shop and product, see reviews/review-pages.ts), which the review pages read
 * too (answered from the `page_newest` index on FerretDB as on MongoDB). The
 * shop and product conditions only restate what the range already means.
 */
export function productReviewFilter(
  shopId: string,
  productId: string,
  after: string | null,
  status?: ReviewDoc["status"],
): Record<string, unknown> {
  const prefix = productPrefix(shopId, productId);
  // '/' follows '.': past every key of this product.
  return { pageNewest: { $gt: after ?? `${prefix}.`, $lt: `${prefix}/` }, shopId, productId, ...(status ? { status } : {}) };
}

/** The feed's reviews of a product: the published ones only. */
export function feedReviewFilter(shopId: string, productId: string, after: string | null): Record<string, unknown> {
  return productReviewFilter(shopId, productId, after, "published");
}

/** A product and a run of its reviews, oldest key first. */
export interface ProductReviews<P, R> {
  product: P;
  reviews: R[];
}

export interface ShopWalk<P> {
  /** The product fields to read (all when left out); `_id` and `productId` are needed by the walk. */
  productFields?: Record<string, 0 | 1>;
  /** The review fields to read, or to leave out; `pageNewest` is needed by the walk. */
  reviewFields: Record<string, 0 | 1>;
  /** Only reviews of this status (every status when left out). */
  status?: ReviewDoc["status"];
  /** Products and reviews read per query. */
  batch: number;
  /** Products whose reviews are not read at all (the feed's products without a URL). */
  skip?: (product: P) => boolean;
}

/**
 * The shop's reviews, product by product in `_id` order, each product's in
 * `pageNewest` order, `batch` at a time: one run per query, never an empty
 * one. Read as fast as the caller consumes them, so memory stays flat however
 * many reviews the shop has.
 */
export async function* shopReviewsByProduct<P extends Pick<ProductDoc, "_id" | "productId">, R extends { pageNewest: string }>(
  deps: Deps,
  shopId: string,
  walk: ShopWalk<P>,
): AsyncGenerator<ProductReviews<P, R>> {
  const { batch } = walk;
  let afterProduct: string | null = null;
  while (true) {
    const products: P[] = await deps.models.Product.find(feedProductFilter(shopId, afterProduct), walk.productFields)
      .sort({ _id: 1 })
      .limit(batch)
      .lean<P[]>();
    if (!products.length) break;
    afterProduct = products.at(-1)!._id;
    for (const product of products) {
      if (walk.skip?.(product)) continue;
      let after: string | null = null;
      while (true) {
        const reviews: R[] = await deps.models.Review.find(
          productReviewFilter(shopId, product.productId, after, walk.status),
          walk.reviewFields,
        )
          .sort({ pageNewest: 1 })
          .limit(batch)
          .lean<R[]>();
        if (!reviews.length) break;
        after = reviews.at(-1)!.pageNewest;
        yield { product, reviews };
        if (reviews.length < batch) break;
      }
    }
    if (products.length < batch) break;
  }
}
