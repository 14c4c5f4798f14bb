/**
 * The Google review feed's memory and speed on the embedded database: seeds a
 * shop with BENCH_FEED_REVIEWS published reviews (default 200 000, ~1 KB of
 * text each, over 200 products), then fetches its feed and reads it to the
 * end, sampling the process's RSS every 20 ms. It does so for a tenth of the
 * reviews first: a streamed feed peaks at the same RSS for both. Also prints
 * where the CPU went: the API process (with the client reading the feed, in
 * the same process) and FerretDB.
 *
 *   sh scripts/pnpm.sh -s --filter @starling/api bench:feed
 */
import os from "node:os";
import path from "node:path";
import { readFileSync, rmSync } from "node:fs";
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
    await putProduct(deps, shop.id, {
      id: `p-${p}`,
      name: `Product ${p}`,
      gtin: "4006381333931",
      brand: "Acme",
      url: `https://shop.example/p/${p}`,
    });
  }
  const body = "This product did what it promised and arrived on time; the box was dented. ".repeat(13);
  for (let start = 0; start < reviews; start += 2_000) {
    const docs = [];
    for (let i = start; i < Math.min(reviews, start + 2_000); i++) {
      docs.push({
        ...withPageKeys({
          _id: `${shop.id}-r${i}`,
          shopId: shop.id,
          productId: `p-${i % PRODUCTS}`,
          rating: 1 + (i % 5),
          createdAt: new Date(1_600_000_000_000 + i * 60_000),
        }),
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

/** CPU seconds a process has used (Linux /proc; clock ticks of 10 ms). */
function cpuOf(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1]!.split(" ");
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

async function measure(
  url: string,
  dbPid: number,
): Promise<{ bytes: number; seconds: number; peakRss: number; startRss: number; apiCpu: number; dbCpu: number }> {
  global.gc?.();
  const cpu0 = process.cpuUsage();
  const db0 = cpuOf(dbPid);
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
  const cpu = process.cpuUsage(cpu0);
  return { bytes, seconds, peakRss, startRss, apiCpu: (cpu.user + cpu.system) / 1e6, dbCpu: cpuOf(dbPid) - db0 };
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
      const r = await measure(`${starling.url}/shops/${shopId}/feeds/google-product-reviews.xml`, db.pid);
      console.log(
        `${reviews} reviews (seeded in ${seeded.toFixed(0)} s): feed ${mb(r.bytes)} MB in ${r.seconds.toFixed(1)} s ` +
          `(${Math.round(reviews / r.seconds)} reviews/s); RSS ${mb(r.startRss)} MB before, peak ${mb(r.peakRss)} MB (+${mb(r.peakRss - r.startRss)} MB); ` +
          `CPU: API and its client ${r.apiCpu.toFixed(1)} s, FerretDB ${r.dbCpu.toFixed(1)} s; load ${os.loadavg()[0]!.toFixed(1)}`,
      );
    }
  } finally {
    await starling.close();
    await db.stop();
    rmSync(DATA_DIR, { recursive: true, force: true });
  }
}

await main();
