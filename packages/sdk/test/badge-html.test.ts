import { describe, expect, it } from "vitest";
import { renderBadgeHtml } from "../src/index.js";
import { ratingOf } from "./local-server.js";

const product = { id: 'x"><img src=x onerror=alert(1)>', name: "<b>Mug</b>", shopId: "shop_1", rating: ratingOf(4.3432, 48) };

describe("renderBadgeHtml", () => {
  it("shows the rating, the number of ratings and the period they cover", () => {
    const html = renderBadgeHtml(product);
    expect(html).toContain('<template shadowrootmode="open">');
    expect(html).toContain(">4.3<");
    expect(html).toContain("48 ratings · Jan 2026 – Oct 2026");
    expect(html).toContain('aria-label="4.3 out of 5, 48 ratings · Jan 2026 – Oct 2026"');
  });

  it("explains the Bayesian average, says all reviews count fully, and how reviews are checked", () => {
    const html = renderBadgeHtml(product);
    expect(html).toContain("How is this rating computed?");
    expect(html).toContain("counts as 5 extra reviews");
    expect(html).toContain("All 48 published reviews count fully: the fraud checks found nothing to discount.");
    expect(html).toContain("held back by fraud checks are not counted");
    expect(html).toContain("Only “Verified purchase” reviews are tied to an order");
  });

  it("says how many reviews count less and the main reasons, in English and German", () => {
    const discounted = {
      count: 3,
      reasons: [
        { code: "burst", count: 2, description: "part of a sudden burst of reviews" },
        { code: "new_code", count: 1, description: "something <new>" },
      ],
    };
    const suspicious = { ...product, rating: ratingOf(4.3432, 48, discounted) };
    expect(renderBadgeHtml(suspicious)).toContain(
      "3 of the 48 published reviews count less, because fraud checks found them suspicious (each in proportion to its trust; none is deleted). " +
        "Main reasons: part of a sudden burst of reviews (2), something &lt;new&gt; (1).",
    );
    expect(renderBadgeHtml(suspicious, { lang: "de" })).toContain(
      "Hauptgründe: Teil einer plötzlichen Häufung von Bewertungen (2), something &lt;new&gt; (1).",
    );
  });

  it("links to the shop's disclosure page when it knows Starling's URL", () => {
    expect(renderBadgeHtml(product)).not.toContain("/disclosure");
    expect(renderBadgeHtml(product, { endpoint: "https://reviews.example/" })).toContain(
      '<a href="https://reviews.example/shops/shop_1/disclosure" target="_blank" rel="noopener">How this shop collects, checks and moderates reviews</a>',
    );
  });

  it("speaks German", () => {
    const html = renderBadgeHtml(product, { lang: "de" });
    expect(html).toContain(">4,3<");
    expect(html).toContain("48 Bewertungen");
    expect(html).toContain("Wie wird diese Bewertung berechnet?");
  });

  it("escapes the product id it carries", () => {
    const html = renderBadgeHtml(product);
    expect(html).not.toContain("<img");
    expect(html).toContain('data-starling-product="x&quot;&gt;&lt;img src=x onerror=alert(1)&gt;"');
  });

  it("says there are no ratings yet for an unknown product, and shows no average without ratings", () => {
    expect(renderBadgeHtml(null)).toContain("No ratings yet");
    const unrated = renderBadgeHtml({ ...product, rating: ratingOf(3.9, 0) });
    expect(unrated).toContain("No ratings yet");
    expect(unrated).not.toContain("3.9");
  });
});
