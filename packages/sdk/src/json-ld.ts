/**
 * schema.org `Product` + `AggregateRating` + `Review` JSON-LD, so a shop's
 * product page can get review stars in search results. Follows Google's
 * review-snippet rules (https://developers.google.com/search/docs/appearance/structured-data/review-snippet):
 * `ratingValue`, `ratingCount`/`reviewCount`, `bestRating` and `worstRating`
 * on the aggregate; `author`, `reviewRating` and `datePublished` on each review.
 */
import type { ProductRating, Review } from "./types.js";

/** What {@link productJsonLd} needs. */
export interface ProductJsonLdOptions {
  /** The product and its rating, as `client.products.rating(id)` returns it. */
  product: ProductRating;
  /** A few reviews shown on the page (Google wants the marked-up reviews to be visible). */
  reviews?: readonly Review[];
  /** The product page's canonical URL. */
  url?: string;
  image?: string | string[];
  description?: string;
  sku?: string;
  brand?: string;
}

/**
 * The JSON-LD object for a product page. `ratingValue` is the rating Starling
 * displays (the Bayesian average, one decimal), because Google requires the
 * marked-up rating to match the one users see. A product without ratings
 * gets no `aggregateRating` (Google rejects a count of 0).
 * @example productJsonLd({ product: mug }) // { "@type": "Product", name: "Enamel camp mug", aggregateRating: { ratingValue: 4.3, ratingCount: 3, … } }
 */
export function productJsonLd(options: ProductJsonLdOptions): Record<string, unknown> {
  const { product, reviews = [] } = options;
  const ld: Record<string, unknown> = {
    "@context": "https://schema.org",
    "@type": "Product",
    name: product.name,
    sku: options.sku ?? product.id,
  };
  if (options.url) ld.url = options.url;
  if (options.image) ld.image = options.image;
  if (options.description) ld.description = options.description;
  if (options.brand) ld.brand = { "@type": "Brand", name: options.brand };
  const { rating } = product;
  if (rating.count > 0) {
    ld.aggregateRating = {
      "@type": "AggregateRating",
      ratingValue: Math.round(rating.average * 10) / 10,
      ratingCount: rating.count,
      reviewCount: rating.count,
      bestRating: 5,
      worstRating: 1,
    };
  }
  if (reviews.length > 0) {
    ld.review = reviews.map((r) => ({
      "@type": "Review",
      name: r.title,
      reviewBody: r.body,
      ...(r.language ? { inLanguage: r.language } : {}),
      datePublished: r.createdAt.slice(0, 10),
      author: { "@type": "Person", name: r.reviewer.name },
      reviewRating: { "@type": "Rating", ratingValue: r.rating, bestRating: 5, worstRating: 1 },
    }));
  }
  return ld;
}

/**
 * A `<script type="application/ld+json">` element for the page's `<head>`.
 * `<`, `>` and `&` are written as JSON escapes, so review text such as
 * "</script>" cannot end the element early.
 */
export function jsonLdScript(jsonLd: Record<string, unknown>): string {
  const json = JSON.stringify(jsonLd).replace(/[<>&\u2028\u2029]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`);
  return `<script type="application/ld+json">${json}</script>`;
}
