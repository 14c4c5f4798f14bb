// A tiny shop on node:http that shows Starling's ratings and reviews:
//   /                 listing page: one rating badge per product (widget script; all badges in one request)
//   /products/<id>    product page: badge rendered on the server (no JS needed), JSON-LD for search
//                     results, the review list and the embedded review form (widgets)
// Settings (defaults fit `npm start`, the demo shop):
//   STARLING_URL=http://127.0.0.1:4000  STARLING_KEY=pk_demo_local_only_not_secret
//   HOST=127.0.0.1  PORT=4100  CATALOGUE=./catalogue.json  LANG_UI=en
import { readFileSync } from "node:fs";
import http from "node:http";
import { fileURLToPath } from "node:url";
import { createClient, jsonLdScript, productJsonLd, renderBadgeHtml } from "@starling/sdk";

const starlingUrl = process.env.STARLING_URL ?? "http://127.0.0.1:4000";
const key = process.env.STARLING_KEY ?? "pk_demo_local_only_not_secret";
const lang = process.env.LANG_UI === "de" ? "de" : "en";
const catalogue = JSON.parse(readFileSync(process.env.CATALOGUE ?? fileURLToPath(new URL("./catalogue.json", import.meta.url)), "utf8"));
const widgetScript = readFileSync(fileURLToPath(import.meta.resolve("@starling/sdk/starling-widgets.js")));

// Server-side reads: a short cache, so a shopper's reload shows a new review soon.
const starling = createClient({ endpoint: starlingUrl, key, cacheTtlMs: 5_000, staleWhileRevalidateMs: 60_000 });

const esc = (s) => String(s).replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

function layout(title, head, body) {
  return `<!doctype html>
<html lang="${lang}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${esc(title)} · Demo Outfitters</title>
${head}
<style>
  body { font: 16px/1.5 Georgia, serif; margin: 0 auto; max-width: 60rem; padding: 1rem; color: #222 }
  /* A shop's own aggressive styles: the widgets must not pick these up. */
  span, p, li, button { letter-spacing: .02em }
  .grid { display: grid; grid-template-columns: repeat(auto-fill, minmax(14rem, 1fr)); gap: 1rem; padding: 0; list-style: none }
  .card { border: 1px solid #ddd; border-radius: .5rem; padding: .8rem }
  .price { font-weight: bold }
  [data-starling="badge"] { display: block; min-height: 3em }  /* room for the badge (two lines) before it loads */
</style>
</head>
<body>
<header><a href="/">Demo Outfitters</a></header>
${body}
<script src="/starling-widgets.js" data-endpoint="${esc(starlingUrl)}" data-key="${esc(key)}" data-lang="${lang}" defer></script>
</body>
</html>`;
}

function listingPage() {
  const cards = catalogue
    .map(
      (p) => `<li class="card" data-product-card="${esc(p.id)}">
  <a href="/products/${encodeURIComponent(p.id)}">${esc(p.name)}</a>
  <div data-starling="badge" data-product="${esc(p.id)}"></div>
  <div class="price">€ ${esc(p.price)}</div>
</li>`,
    )
    .join("\n");
  return layout("All products", "", `<h1>All products</h1>\n<ul class="grid">\n${cards}\n</ul>`);
}

async function productPage(item) {
  let badge = "";
  let jsonLd = "";
  try {
    const product = await starling.products.rating(item.id);
    badge = renderBadgeHtml(product, { lang, endpoint: starlingUrl });
    if (product) {
      const page = await starling.reviews.list(item.id, { first: 3 });
      jsonLd = jsonLdScript(productJsonLd({ product, reviews: page?.reviews ?? [], description: item.description }));
    }
  } catch (err) {
    // The shop's page must render even when ratings cannot be had.
    console.warn(`[storefront] ratings unavailable for ${item.id}: ${err.message}`);
  }
  return layout(
    item.name,
    jsonLd,
    `<main>
<h1>${esc(item.name)}</h1>
<div class="rating" id="rating">${badge}</div>
<p>${esc(item.description ?? "")}</p>
<p class="price">€ ${esc(item.price)}</p>
<h2>Reviews</h2>
<div id="reviews" data-starling="reviews" data-product="${esc(item.id)}"></div>
<h2>Write a review</h2>
<div id="review-form" data-starling="form" data-product="${esc(item.id)}"></div>
</main>`,
  );
}

export function createStorefront() {
  return http.createServer(async (req, res) => {
    const path = new URL(req.url ?? "/", "http://x").pathname;
    const send = (status, type, body) => res.writeHead(status, { "content-type": type }).end(body);
    if (path === "/") return send(200, "text/html; charset=utf-8", listingPage());
    if (path === "/starling-widgets.js") return send(200, "text/javascript; charset=utf-8", widgetScript);
    const match = /^\/products\/([^/]+)$/.exec(path);
    const item = match && catalogue.find((p) => p.id === decodeURIComponent(match[1]));
    if (item) return send(200, "text/html; charset=utf-8", await productPage(item));
    send(404, "text/html; charset=utf-8", layout("Not found", "", "<h1>No such page</h1>"));
  });
}

const server = createStorefront();
server.listen(Number(process.env.PORT ?? 4100), process.env.HOST ?? "127.0.0.1", () => {
  const { address, port } = server.address();
  console.log(`Storefront: http://${address}:${port}/  (ratings from ${starlingUrl})`);
});
