import { makeIdempotencyKey, type Transport } from "../client.js";
import { ProductReviewsDocument, SubmitReviewDocument } from "../generated/graphql.js";
import type { ProductRating, Review, ReviewOrder, SubmitReviewInput } from "../types.js";

/** Which reviews to list. */
export interface ListReviewsOptions {
  /** Page size, 1 to 100. @default 20 */
  first?: number;
  /** Start after this cursor (a page's `endCursor`). */
  after?: string | null;
  /** @default "NEWEST" */
  orderBy?: ReviewOrder;
  /** Only these star ratings, e.g. [1, 2]. */
  stars?: number[];
  /**
   * Only these reviews (at most 20; e.g. an insight's quotes' `reviewId`s), as
   * one page: `first` and `after` do not apply. Ids that are not this
   * product's published reviews are left out.
   */
  ids?: string[];
}

/**
 * One page of reviews. `for await (const review of page)` walks this page and
 * every page after it, fetching each when it is reached.
 */
export interface ReviewPage extends AsyncIterable<Review> {
  readonly reviews: Review[];
  /** Reviews matching the filter across all pages. */
  readonly totalCount: number;
  readonly hasNextPage: boolean;
  readonly endCursor: string | null;
  /** The page after this one, or null on the last page. */
  nextPage(): Promise<ReviewPage | null>;
}

/** What a submitted review gives back. */
export interface SubmitReviewResult {
  review: Review;
  /** True when this idempotency key was seen before: the first review is returned, nothing new was stored. */
  replayed: boolean;
  /** The product with its updated rating. The client's cached rating of it is dropped, so the next read asks again. */
  product: Omit<ProductRating, "shopId">;
}

export interface ReviewsResource {
  /**
   * One page of a product's reviews; null if the shop has no such product.
   * @example const page = await client.reviews.list("camp-mug", { first: 10, stars: [1, 2] })
   */
  list(productId: string, options?: ListReviewsOptions): Promise<ReviewPage | null>;
  /**
   * Every review of a product, page by page, as an async iterator.
   * @example for await (const review of client.reviews.iterate("camp-mug")) console.log(review.title)
   */
  iterate(productId: string, options?: ListReviewsOptions): AsyncIterable<Review>;
  /**
   * Stores a review. The idempotency key is made once per call and sent again
   * on every retry, so a retried call never stores two reviews.
   * @throws InvalidInputError with `field` ("rating", "title", "body", "reviewer.name", …)
   */
  submit(input: SubmitReviewInput, options?: { signal?: AbortSignal }): Promise<SubmitReviewResult>;
}

export function createReviews(transport: Transport, forget: (productId: string) => void): ReviewsResource {
  const list = async (productId: string, options: ListReviewsOptions = {}): Promise<ReviewPage | null> => {
    const data = await transport.request(ProductReviewsDocument, { id: productId, ...options });
    const connection = data.product?.reviews;
    if (!connection) return null;
    const { endCursor, hasNextPage } = connection.pageInfo;
    const page: ReviewPage = {
      reviews: connection.edges.map((e) => e.node),
      totalCount: connection.totalCount,
      hasNextPage,
      endCursor,
      nextPage: () => (hasNextPage && endCursor ? list(productId, { ...options, after: endCursor }) : Promise.resolve(null)),
      async *[Symbol.asyncIterator]() {
        for (let p: ReviewPage | null = page; p; p = await p.nextPage()) yield* p.reviews;
      },
    };
    return page;
  };
  return {
    list,
    async *iterate(productId, options) {
      const first = await list(productId, options);
      if (first) yield* first;
    },
    async submit(input, options = {}) {
      const idempotencyKey = input.idempotencyKey ?? makeIdempotencyKey();
      const data = await transport.request(
        SubmitReviewDocument,
        { input: { ...input, idempotencyKey } },
        { write: true, idempotencyKey, ...(options.signal ? { signal: options.signal } : {}) },
      );
      forget(input.productId);
      return data.submitReview!;
    },
  };
}
