/**
 * The benchmark's data: 10 000 products and 500 000 reviews in one shop, with
 * one product of 100 000 reviews ("p-huge") and one of a single review
 * ("p-tiny"); 40 or 41 on the others. Written straight to the database with
 * their summaries (what `recompute` would build: every review at full weight),
 * because 500 000 submissions through the API would take the benchmark's
 * whole budget. Reused when already there.
 */
import path from "node:path";
import type { Models } from "../src/features/models.js";
import type { RatingSummaryDoc } from "../src/features/ratings/model.js";
import type { ReviewDoc } from "../src/features/reviews/model.js";
import { createDeps } from "../src/create-deps.js";
import { createShop } from "../src/features/shops/shops.js";
import { ZERO, productSummaryId, shopSummaryId } from "../src/features/ratings/ratings.js";
import { withPageKeys } from "../src/features/reviews/review-pages.js";

export const BENCH_SHOP = "shop_bench";
export const BENCH_KEY = "sk_bench_local_only";
/**
 * BENCH_REVIEWS (default 500 000) makes a smaller seed for iterating: the
 * products and the big one shrink with it (20 000 reviews: 1 002 products, one
 * of 2 000), never below the 1 002 products the submission scenario writes to.
 * A seed of another size lives in its own data dir (benchDataDir), so the
 * reuse check never takes one size for another.
 */
export const REVIEWS = Number(process.env.BENCH_REVIEWS ?? 500_000);
export const PRODUCTS = Math.max(1_002, Math.round(REVIEWS / 50));
// A fifth at the default; a tenth in a smaller seed (what the 20 000-review copies measured before used).
const HUGE = REVIEWS === 500_000 ? 100_000 : Math.round(REVIEWS / 10);

/** Where the benchmark's FerretDB keeps a seed of this size. */
export function benchDataDir(repoRoot: string): string {
  return path.join(repoRoot, REVIEWS === 500_000 ? ".data/bench-ferretdb" : `.data/bench-ferretdb-${REVIEWS}`);
}

export function productIds(): string[] {
  return ["p-huge", "p-tiny", ...Array.from({ length: PRODUCTS - 2 }, (_, i) => `p-${i}`)];
}

function progress(label: string, done: number, total: number) {
  const width = 30;
  const filled = Math.round((done / total) * width);
  process.stderr.write(`\r${label} [${"#".repeat(filled)}${" ".repeat(width - filled)}] ${done}/${total}`);
  if (done === total) process.stderr.write("\n");
}

export async function seedBench(models: Models): Promise<{ reused: boolean; seconds: number }> {
  const started = Date.now();
  // Reviews are written in order, summaries last: the last review (with page keys,
  // which older seeds lack) and the shop's summary mean a whole seed. Lookups by
  // _id, where counting the reviews would read all 500 000 on FerretDB.
  if (
    (await models.RatingSummary.exists({ _id: shopSummaryId(BENCH_SHOP) })) &&
    (await models.Review.exists({ _id: `rev_bench_${REVIEWS - 1}`, pageStars: { $exists: true } }))
  ) {
    return { reused: true, seconds: 0 };
  }
  await models.Review.db.dropDatabase();
  const { ensureIndexes } = await import("../src/db/connection.js");
  await ensureIndexes(models);
  await createShop(createDeps(models, 5), {
    id: BENCH_SHOP,
    name: "Bench shop",
    secretKey: BENCH_KEY,
    publishableKey: "pk_bench_local_only",
  });

  const ids = productIds();
  const now = new Date();
  for (let i = 0; i < ids.length; i += 2000) {
    await models.Product.collection.insertMany(
      ids
        .slice(i, i + 2000)
        .map((id) => ({ _id: `${BENCH_SHOP}:${id}`, shopId: BENCH_SHOP, productId: id, name: `Product ${id}`, createdAt: now })) as never[],
    );
    progress("products", Math.min(i + 2000, ids.length), ids.length);
  }

  // Review i belongs to: p-huge for the first 100 000, p-tiny once, then round-robin.
  const productOf = (i: number) => (i < HUGE ? "p-huge" : i === HUGE ? "p-tiny" : ids[2 + ((i - HUGE - 1) % (PRODUCTS - 2))]!);
  const summaries = new Map<string, RatingSummaryDoc>();
  const count = (id: string, productId: string | null, stars: number, at: Date) => {
    const s =
      summaries.get(id) ??
      ({
        _id: id,
        shopId: BENCH_SHOP,
        productId,
        ...ZERO,
        discountReasons: {},
        firstReviewAt: at,
        lastReviewAt: at,
      } as RatingSummaryDoc);
    s.count += 1;
    s.ratingSum += stars;
    (s as unknown as Record<string, number>)[`h${stars}`]! += 1;
    (s as unknown as Record<string, number>)[`w${stars}`]! += 10_000;
    s.wsq += 100_000_000;
    if (at < s.firstReviewAt!) s.firstReviewAt = at;
    if (at > s.lastReviewAt!) s.lastReviewAt = at;
    summaries.set(id, s);
  };
  const start = now.getTime() - 365 * 86_400_000;
  const batch = 5000;
  for (let i = 0; i < REVIEWS; i += batch) {
    const docs: ReviewDoc[] = [];
    for (let j = i; j < Math.min(i + batch, REVIEWS); j++) {
      const productId = productOf(j);
      const stars = 1 + ((j * 7 + (j >> 3)) % 5);
      const createdAt = new Date(start + Math.floor((j / REVIEWS) * 365 * 86_400_000));
      docs.push({
        _id: `rev_bench_${j}`,
        shopId: BENCH_SHOP,
        productId,
        rating: stars,
        title: `Review ${j}`,
        body: `Benchmark review ${j} of ${productId}.`,
        reviewer: { name: `Reviewer ${j % 50_000}`, externalId: `r-${j % 50_000}`, email: null },
        language: "en",
        provenance: "ORGANIC",
        source: "api",
        verification: null,
        score: null,
        signature: null,
        createdAt,
        payloadHash: "bench",
        status: "published",
        reply: null,
        summaryApplied: true,
      });
      count(productSummaryId(BENCH_SHOP, productId), productId, stars, createdAt);
      count(shopSummaryId(BENCH_SHOP), null, stars, createdAt);
    }
    await models.Review.collection.insertMany(docs.map(withPageKeys) as never[], { ordered: false });
    progress("reviews ", Math.min(i + batch, REVIEWS), REVIEWS);
  }
  const all = [...summaries.values()];
  for (let i = 0; i < all.length; i += 2000) await models.RatingSummary.collection.insertMany(all.slice(i, i + 2000) as never[]);
  return { reused: false, seconds: (Date.now() - started) / 1000 };
}
