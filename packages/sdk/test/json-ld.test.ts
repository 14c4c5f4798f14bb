import { describe, expect, it } from "vitest";
import { jsonLdScript, productJsonLd, type ProductRating, type Review } from "../src/index.js";
import { ratingOf } from "./local-server.js";

const mug: ProductRating = { id: "camp-mug", name: "Enamel camp mug", shopId: "shop_1", rating: ratingOf(4.3432, 3) };
const review: Review = {
  id: "rev_1",
  productId: "camp-mug",
  rating: 5,
  title: "Great </script><script>alert(1)</script>",
  body: "Keeps coffee hot & tastes fine.",
  reviewer: { name: "Ana" },
  language: "en",
  provenance: "VERIFIED_PURCHASE",
  status: "PUBLISHED",
  reply: null,
  createdAt: "2026-03-04T10:00:00.000Z",
  helpfulVotes: { helpful: 0, notHelpful: 0, score: 0 },
};

describe("productJsonLd", () => {
  it("gives the aggregate rating Google's review snippets require", () => {
    const ld = productJsonLd({ product: mug, url: "https://shop.example/mug" });
    expect(ld).toEqual({
      "@context": "https://schema.org",
      "@type": "Product",
      name: "Enamel camp mug",
      sku: "camp-mug",
      url: "https://shop.example/mug",
      aggregateRating: {
        "@type": "AggregateRating",
        // the displayed (Bayesian) rating, rounded as the badge shows it
        ratingValue: 4.3,
        ratingCount: 3,
        reviewCount: 3,
        bestRating: 5,
        worstRating: 1,
      },
    });
  });

  it("adds each review with author, its rating on the 1-5 scale and the date", () => {
    const ld = productJsonLd({ product: mug, reviews: [review] });
    expect(ld.review).toEqual([
      {
        "@type": "Review",
        name: review.title,
        reviewBody: review.body,
        inLanguage: "en",
        datePublished: "2026-03-04",
        author: { "@type": "Person", name: "Ana" },
        reviewRating: { "@type": "Rating", ratingValue: 5, bestRating: 5, worstRating: 1 },
      },
    ]);
  });

  it("leaves out aggregateRating for a product without ratings (Google rejects a count of 0)", () => {
    const ld = productJsonLd({ product: { ...mug, rating: ratingOf(3.9, 0) } });
    expect(ld).not.toHaveProperty("aggregateRating");
    expect(ld).not.toHaveProperty("review");
  });
});

describe("jsonLdScript", () => {
  it("cannot be closed early by review text, and parses back to the same object", () => {
    const ld = productJsonLd({ product: mug, reviews: [review] });
    const html = jsonLdScript(ld);
    expect(html.startsWith('<script type="application/ld+json">')).toBe(true);
    expect(html.match(/<\/script>/g)).toHaveLength(1);
    const json = html.slice('<script type="application/ld+json">'.length, -"</script>".length);
    expect(JSON.parse(json)).toEqual(ld);
  });
});
