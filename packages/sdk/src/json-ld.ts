/**
 * schema.org `Product` + `AggregateRating` + `Review` JSON-LD, so a shop's
 * product page can get review stars in search results. Follows Google's
 * review-snippet rules (https://developers.google.com/search/docs/appearance/structured-data/review-snippet):
 * `ratingValue`, `ratingCount`/`reviewCount`, `bestRating` and `worstRating`
 * on the aggregate; `author`, `reviewRating` and `datePublished` on each review.
 */
import type { Answer, ProductRating, Question, Review } from "./types.js";

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

function answerLd(a: Answer): Record<string, unknown> {
  return {
    "@type": "Answer",
    text: a.body,
    dateCreated: a.createdAt,
    upvoteCount: a.helpfulVotes.helpful,
    author: a.author.role === "SHOP" ? { "@type": "Organization", name: a.author.name } : { "@type": "Person", name: a.author.name },
  };
}

function questionLd(q: Question, about?: string): Record<string, unknown> {
  return {
    "@type": "Question",
    name: q.body,
    text: q.body,
    ...(q.language ? { inLanguage: q.language } : {}),
    dateCreated: q.createdAt,
    author: { "@type": "Person", name: q.author.name },
    answerCount: q.answers.length,
    ...(about ? { about: { "@type": "Product", name: about } } : {}),
    // Starling marks no answer as accepted: customers' and the shop's answers are all suggestions.
    ...(q.answers.length ? { suggestedAnswer: q.answers.map(answerLd) } : {}),
  };
}

/**
 * schema.org markup for product questions and answers
 * (https://schema.org/QAPage, https://developers.google.com/search/docs/appearance/structured-data/qapage):
 * one question (a page about that question) is a `QAPage` whose `mainEntity`
 * is the `Question`; several (a product page's Q&A section) are `Question`s
 * in an `@graph`, each `about` the product, since Google's QAPage is for a
 * page about one question. Answers are `suggestedAnswer`s with their helpful
 * votes as `upvoteCount`; the shop's is authored by an `Organization`.
 */
export function questionsJsonLd(options: { questions: readonly Question[]; productName?: string }): Record<string, unknown> {
  const { questions, productName } = options;
  if (questions.length === 1)
    return { "@context": "https://schema.org", "@type": "QAPage", mainEntity: questionLd(questions[0]!, productName) };
  return { "@context": "https://schema.org", "@graph": questions.map((q) => questionLd(q, productName)) };
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
