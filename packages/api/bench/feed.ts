/**
 * The Google review feed's memory and speed on the embedded database: seeds a
 * shop with BENCH_FEED_REVIEWS published reviews (default 200 000, ~1 KB of
 * text each, over 200 products), then fetches its feed and reads it to the
 * end, sampling the process's RSS every 20 ms. It does so for a tenth of the
 * reviews first: a streamed feed peaks at the same RSS for both.
 *
 *   sh scripts/pnpm.sh -s --filter @starling/api bench:feed
 */
import path from "node:path";
import { rmSync } from "node:fs";
import { REPO_ROOT, loadConfig } from "../src/config.js";
import { startEmbeddedFerretDB } from "../src/db/embedded-ferretdb.js";
import { createLogger } from "../src/log.js";
import { startStarling } from "../src/starling.js";
import { createShop } from "../src/features/shops/shops.js";
import { putProduct } from "../src/features/products/products.js";
import { withPageKeys } from "../src/features/reviews/review-pages.js";
import type { Deps } from "../src/features/deps.js";

const TOTAL = Number(process.env.BENCH_FEED_REVIEWS ?? 200_000);
const PRODUCTS = 200;
const DATA_DIR = path.join(REPO_ROOT, ".data/bench-feed");
const mb = (b: number) => (b / 1024 / 1024).toFixed(0);

async function seed(deps: Deps, name: string, reviews: number): Promise<string> {
  const { shop } = await createShop(deps, { name });
  for (let p = 0; p < PRODUCTS; p++) {
    await putProduct(deps, shop.id, { id: `p-${p}`, name: `Product ${p}`, gtin: "4006381333931", brand: "Acme", url: `https://shop.example/p/${p}` });
  }
  const body = "This product did what it promised and arrived on time; the box was dented. ".repeat(13);
  for (let start = 0; start < reviews; start += 2_000) {
    const docs = [];
    for (let i = start; i < Math.min(reviews, start + 2_000); i++) {
      docs.push({
        ...withPageKeys({ _id: `${shop.id}-r${i}`, shopId: shop.id, productId: `p-${i % PRODUCTS}`, rating: 1 + (i % 5), createdAt: new Date(1_600_000_000_000 + i * 60_000) }),
        title: `Review number ${i}`,
        body,
        reviewer: { name: `Reviewer ${i}`, externalId: null, email: null },
        language: "en",
        provenance: "ORGANIC",
        source: "api",
        payloadHash: "x",
        status: "published",
        reply: null,
        summaryApplied: false,
        verification: null,
      });
    }
    await deps.models.Review.collection.insertMany(docs as never[]);
  }
  return shop.id;
}

async function measure(url: string): Promise<{ bytes: number; seconds: number; peakRss: number; startRss: number }> {
  global.gc?.();
  const startRss = process.memoryUsage().rss;
  let peakRss = startRss;
  const sampler = setInterval(() => (peakRss = Math.max(peakRss, process.memoryUsage().rss)), 20);
  const t = performance.now();
  const res = await fetch(url);
  if (res.status !== 200) throw new Error(`feed answered ${res.status}`);
  let bytes = 0;
  for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) bytes += chunk.length;
  const seconds = (performance.now() - t) / 1000;
  clearInterval(sampler);
  return { bytes, seconds, peakRss, startRss };
}

async function main() {
  rmSync(DATA_DIR, { recursive: true, force: true });
  const db = await startEmbeddedFerretDB({ binDir: path.join(REPO_ROOT, ".data/bin"), dataDir: DATA_DIR });
  const starling = await startStarling({
    config: { ...loadConfig({ NODE_ENV: "production", PORT: "0", LOG_LEVEL: "warn" }), mongodbUri: db.uri, dbName: "benchfeed" },
    log: createLogger("warn"),
  });
  try {
    for (const reviews of [Math.round(TOTAL / 10), TOTAL]) {
      const t = performance.now();
      const shopId = await seed(starling.deps, `Shop ${reviews}`, reviews);
      const seeded = (performance.now() - t) / 1000;
      const r = await measure(`${starling.url}/shops/${shopId}/feeds/google-product-reviews.xml`);
      console.log(
        `${reviews} reviews (seeded in ${seeded.toFixed(0)} s): feed ${mb(r.bytes)} MB in ${r.seconds.toFixed(1)} s ` +
          `(${Math.round(reviews / r.seconds)} reviews/s); RSS ${mb(r.startRss)} MB before, peak ${mb(r.peakRss)} MB (+${mb(r.peakRss - r.startRss)} MB)`,
      );
    }
  } finally {
    await starling.close();
    await db.stop();
    rmSync(DATA_DIR, { recursive: true, force: true });
  }
}

await main();
