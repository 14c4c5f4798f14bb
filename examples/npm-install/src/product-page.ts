/**
 * A shop's server code with @starling/sdk installed from npm: the two pieces
 * of HTML a product page gets from Starling, printed for a page template.
 *   - for the <head>: schema.org JSON-LD, so search results can show review stars;
 *   - for the page: the rating badge, rendered on the server (no JavaScript needed).
 *
 *   npx tsc && STARLING_URL=http://127.0.0.1:4000 STARLING_KEY=pk_… node dist/product-page.js camp-mug
 */
import { APIError, createClient, jsonLdScript, productJsonLd, renderBadgeHtml, type StarlingClient } from "@starling/sdk";
import type { Lang } from "@starling/sdk/widgets";

export interface ProductSnippets {
  /** A `<script type="application/ld+json">` element for the page's `<head>`. */
  head: string;
  /** The badge: stars, rating, number of ratings and their period, and how the rating is computed. */
  badge: string;
}

/** The page's snippets for one product, or null when the shop has no such product. */
export async function productSnippets(starling: StarlingClient, productId: string, lang: Lang = "en"): Promise<ProductSnippets | null> {
  // Both calls go out at once; the rating also goes into the client's cache for the next page view.
  const [product, page] = await Promise.all([starling.products.rating(productId), starling.reviews.list(productId, { first: 3 })]);
  if (!product) return null;
  // Google wants the reviews marked up to be visible: these three are the ones the page lists first.
  const head = jsonLdScript(productJsonLd({ product, reviews: page?.reviews ?? [] }));
  return { head, badge: renderBadgeHtml(product, { lang }) };
}

const starling = createClient({
  endpoint: process.env.STARLING_URL ?? "http://127.0.0.1:4000",
  key: process.env.STARLING_KEY ?? "pk_demo_local_only_not_secret",
});
const productId = process.argv[2] ?? "camp-mug";
try {
  const snippets = await productSnippets(starling, productId, process.env.LANG_UI === "de" ? "de" : "en");
  if (snippets) console.log(`${snippets.head}\n${snippets.badge}`);
  else console.log(`<!-- no product ${productId} at Starling -->`);
} catch (err) {
  if (!(err instanceof APIError)) throw err;
  // The request id is the API's; quote it when you report a problem.
  console.error(`${err.name} ${err.code ?? ""}: ${err.message} (request ${err.requestId})`);
  process.exitCode = 1;
}
