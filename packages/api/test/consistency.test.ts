/**
 * Summaries stay exact under concurrency and retries, and the recompute
 * command rebuilds exactly what the incremental path maintained.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { inject } from "vitest";
import { MongoBulkWriteError, MongoNetworkError, MongoServerError } from "mongodb";
import { RATING, SUBMIT, openModels, review, spawnCli, startTestApi, type TestApi } from "./helpers.js";
import { recomputeSummaries, setPendingCountGrace, sweepPendingCounts, syncReviewCount } from "../src/features/ratings/ratings.js";

let api: TestApi;

beforeAll(async () => {
  api = await startTestApi();
});
afterAll(() => api?.close());

async function putProducts(ids: string[], key = api.shop.key) {
  for (const id of ids) {
    const r = await api.gql(`mutation($i: PutProductInput!) { putProduct(input: $i) { id } }`, { i: { id, name: id } }, key);
    expect(r.errors).toBeUndefined();
  }
}

/** The summaries' counts, without the pending counts' bookkeeping keys (countTokens: not counts). */
async function summaries() {
  return api.models.RatingSummary.find({}, { countTokens: 0 }).sort({ _id: 1 }).lean();
}

/** Runs async jobs with at most `limit` in flight. */
async function pool<T>(jobs: (() => Promise<T>)[], limit: number): Promise<T[]> {
  const results: T[] = new Array(jobs.length);
  let next = 0;
  await Promise.all(
    Array.from({ length: limit }, async () => {
      while (next < jobs.length) {
        const i = next++;
        results[i] = await jobs[i]!();
      }
    }),
  );
  return results;
}

describe("idempotency", () => {
  it("stores one review when the same request races itself", async () => {
    await putProducts(["race"]);
    const input = review("race", 5, { idempotencyKey: "same-key-racing" });
    const results = await Promise.all(Array.from({ length: 8 }, () => api.gql(SUBMIT, { input })));
    for (const r of results) expect(r.errors).toBeUndefined();
    const ids = new Set(results.map((r) => r.data.submitReview.review.id));
    expect(ids.size).toBe(1);
    expect(results.filter((r) => !r.data.submitReview.replayed)).toHaveLength(1);
    expect(await api.models.Review.countDocuments({ productId: "race" })).toBe(1);
    const rating = await api.gql(RATING, { id: "race" });
    expect(rating.data.product.rating.count).toBe(1);
  });

  it("counts a review whose first attempt died before updating the summary when the client retries", async () => {
    await putProducts(["crashy"]);
    const input = review("crashy", 2, { idempotencyKey: "crash-then-retry" });
    const first = await api.gql(SUBMIT, { input });
    const id = first.data.submitReview.review.id;
    // Put the database in the state a crash after the insert and before the
    // counting leaves: the review stored, not yet counted. (Take it out of the
    // counts the way a rejection does, then make it published again.)
    await api.models.Review.updateOne({ _id: id }, { $set: { status: "rejected" } });
    await syncReviewCount(api.starling.deps, (await api.models.Review.findById(id).lean())!);
    await api.models.Review.updateOne({ _id: id }, { $set: { status: "published" } });
    expect((await api.models.Review.findById(id).lean())?.summaryApplied).toBe(false);
    expect((await api.gql(RATING, { id: "crashy" })).data.product.rating.count).toBe(0);

    const retry = await api.gql(SUBMIT, { input });
    expect(retry.data.submitReview).toMatchObject({ replayed: true, review: { id } });
    expect((await api.gql(RATING, { id: "crashy" })).data.product.rating.histogram[3]).toEqual({ stars: 2, count: 1 });
    // And only once: a further retry changes nothing.
    await api.gql(SUBMIT, { input });
    expect((await api.gql(RATING, { id: "crashy" })).data.product.rating.count).toBe(1);
  });
});

describe("a batch of submissions the database refuses", () => {
  // The second and third are what the driver throws when the insert command
  // itself fails (a server shutting down, or gone): a bulk error with no
  // per-document errors, wrapping the command's.
  it.each([
    ["a refused insert", () => new Error("injected: insert refused"), "INTERNAL_SERVER_ERROR"],
    [
      "a failed insert command",
      () => new MongoBulkWriteError(new MongoServerError({ message: "interrupted at shutdown", code: 11600 }), {} as never),
      "INTERNAL_SERVER_ERROR",
    ],
    [
      "a lost connection",
      () => new MongoBulkWriteError(new MongoNetworkError("connect ECONNREFUSED 127.0.0.1:1") as never, {} as never),
      "DATABASE_UNAVAILABLE",
    ],
  ])(
    "after %s, fails every submission in it, a key sent twice included, stores none, and takes their retries once each",
    async (label, error, code) => {
      const product = `refused-${label.length}`;
      await putProducts([product]);
      const reviews = api.models.Review.collection;
      const insertMany = reviews.insertMany.bind(reviews);
      let refusals = 0;
      reviews.insertMany = (async () => {
        refusals++;
        throw error();
      }) as typeof reviews.insertMany;
      const inputs = [
        review(product, 5, { idempotencyKey: `${product}-a` }),
        review(product, 5, { idempotencyKey: `${product}-a` }),
        review(product, 1, { idempotencyKey: `${product}-b` }),
      ];
      try {
        const answers = await Promise.all(inputs.map((input) => api.gql(SUBMIT, { input })));
        for (const a of answers) expect(a.errors?.[0]?.extensions?.code).toBe(code);
      } finally {
        reviews.insertMany = insertMany;
      }
      expect(refusals).toBeGreaterThan(0);
      expect(await api.models.Review.countDocuments({ productId: product })).toBe(0);

      const retries = await Promise.all(inputs.map((input) => api.gql(SUBMIT, { input })));
      for (const r of retries) expect(r.errors).toBeUndefined();
      expect(retries.filter((r) => !r.data.submitReview.replayed)).toHaveLength(2);
      expect((await api.gql(RATING, { id: product })).data.product.rating.count).toBe(2);
    },
  );

  it("says in the log which stored reviews it could not count, and a retry of the key counts them once, without recompute", async () => {
    await putProducts(["uncounted"]);
    const summariesCollection = api.models.RatingSummary.collection;
    const [updateOne, bulkWrite] = [
      summariesCollection.updateOne.bind(summariesCollection),
      summariesCollection.bulkWrite.bind(summariesCollection),
    ];
    const refuse = async () => {
      throw new Error("injected: summary write refused");
    };
    summariesCollection.updateOne = refuse as never;
    summariesCollection.bulkWrite = refuse as never;
    let failed: Awaited<ReturnType<typeof api.gql>>;
    try {
      failed = await api.gql(SUBMIT, { input: review("uncounted", 4, { idempotencyKey: "uncounted-1" }) });
    } finally {
      summariesCollection.updateOne = updateOne;
      summariesCollection.bulkWrite = bulkWrite;
    }
    expect(failed.errors?.[0]?.extensions?.code).toBe("INTERNAL_SERVER_ERROR");
    const stored = await api.models.Review.find({ productId: "uncounted" }).lean();
    expect(stored).toHaveLength(1);
    expect(api.logLines().some((l) => l.includes("counting stored reviews failed") && l.includes(stored[0]!._id))).toBe(true);
    // The client retries, as the error asks: the stored review comes back, and is counted now.
    const retry = await api.gql(SUBMIT, { input: review("uncounted", 4, { idempotencyKey: "uncounted-1" }) });
    expect(retry.errors).toBeUndefined();
    expect(retry.data.submitReview).toMatchObject({ replayed: true, review: { id: stored[0]!._id } });
    const summaryId = `product:${api.shop.id}:uncounted`;
    const counted = await api.models.RatingSummary.findById(summaryId).lean();
    expect([counted?.count, counted?.h4, counted?.ratingSum]).toEqual([1, 1, 4]);
    expect(await api.models.PendingCount.countDocuments({ _id: stored[0]!._id })).toBe(0);
    // Once: another retry and a sweep change nothing, and recompute finds nothing to repair.
    await api.gql(SUBMIT, { input: review("uncounted", 4, { idempotencyKey: "uncounted-1" }) });
    await sweepPendingCounts(api.starling.deps);
    expect((await api.models.RatingSummary.findById(summaryId).lean())?.count).toBe(1);
    expect((await recomputeSummaries(api.starling.deps)).repaired).toEqual([]);
  });
});

describe("interrupted counts across API processes", () => {
  it("counts a stored but uncounted review once when several processes complete it at the same time", async () => {
    await putProducts(["shared"]);
    const summariesCollection = api.models.RatingSummary.collection;
    const [updateOne, bulkWrite] = [
      summariesCollection.updateOne.bind(summariesCollection),
      summariesCollection.bulkWrite.bind(summariesCollection),
    ];
    const refuse = async () => {
      throw new Error("injected: summary write refused");
    };
    summariesCollection.updateOne = refuse as never;
    summariesCollection.bulkWrite = refuse as never;
    try {
      await api.gql(SUBMIT, { input: review("shared", 3, { idempotencyKey: "shared-1" }) });
    } finally {
      summariesCollection.updateOne = updateOne;
      summariesCollection.bulkWrite = bulkWrite;
    }
    const [stored] = await api.models.Review.find({ productId: "shared" }).lean();
    expect(stored).toBeDefined();
    // Two more "processes": connections and Deps of their own, which may take over another's count after 1 s.
    const others = [await openModels(api.starling.db.conn.name), await openModels(api.starling.db.conn.name)];
    try {
      for (const o of others) setPendingCountGrace(o.deps, 1_000);
      const pending = await api.models.PendingCount.findById(stored!._id).lean();
      if (pending) {
        // Old enough for the others to take it over (a wait on a condition: the entry's age).
        while (Date.now() - pending.at.getTime() <= 1_000) await new Promise((r) => setTimeout(r, 50));
      }
      await Promise.all([
        sweepPendingCounts(others[0]!.deps),
        sweepPendingCounts(others[1]!.deps),
        sweepPendingCounts(api.starling.deps),
        sweepPendingCounts(others[0]!.deps),
        sweepPendingCounts(others[1]!.deps),
      ]);
    } finally {
      for (const o of others) await o.close();
    }
    const summary = await api.models.RatingSummary.findById(`product:${api.shop.id}:shared`).lean();
    expect([summary?.count, summary?.h3, summary?.ratingSum]).toEqual([1, 1, 3]);
    expect(await api.models.PendingCount.countDocuments({})).toBe(0);
    expect((await recomputeSummaries(api.starling.deps)).repaired).toEqual([]);
  });
});

describe("concurrent writes", () => {
  it("keeps a product's summary exact under 50 concurrent reviews", async () => {
    await putProducts(["hot"]);
    const stars = Array.from({ length: 50 }, (_, i) => (i % 5) + 1);
    const results = await Promise.all(stars.map((s) => api.gql(SUBMIT, { input: review("hot", s) })));
    for (const r of results) expect(r.errors).toBeUndefined();
    const rating = (await api.gql(RATING, { id: "hot" })).data.product.rating;
    expect(rating.count).toBe(50);
    expect(rating.histogram.map((h: { count: number }) => h.count)).toEqual([10, 10, 10, 10, 10]);
    expect(rating.plainMean).toBe(3);
    const doc = await api.models.RatingSummary.findById(`product:${api.shop.id}:hot`).lean();
    expect(doc?.ratingSum).toBe(150);
  });
});

describe("recompute", () => {
  // 330 submissions and a `recompute` CLI (its start-up alone takes seconds): the timeout is a bound for a busy 2-core machine.
  it("rebuilds identical summaries after a few hundred random concurrent writes", async () => {
    const other = await api.newShop("Second shop");
    const products = ["r1", "r2", "r3", "r4", "r5", "r6"];
    await putProducts(products);
    await putProducts(products.slice(0, 3), other.key);

    // A seeded generator, so a failure can be replayed.
    let seed = 42;
    const rnd = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
    const expected = new Map<string, number[]>();
    const jobs: (() => Promise<void>)[] = [];
    for (let i = 0; i < 300; i++) {
      const useOther = rnd() < 0.3;
      const shop = useOther ? other : api.shop;
      const product = useOther ? products[Math.floor(rnd() * 3)]! : products[Math.floor(rnd() * products.length)]!;
      const stars = 1 + Math.floor(rnd() * 5);
      const key = `rand-${i}`;
      const h = expected.get(`${shop.id}:${product}`) ?? [0, 0, 0, 0, 0];
      h[stars - 1]!++;
      expected.set(`${shop.id}:${product}`, h);
      const retries = rnd() < 0.1 ? 2 : 1; // some requests are sent twice: they must count once
      for (let t = 0; t < retries; t++) {
        jobs.push(async () => {
          const r = await api.gql(SUBMIT, { input: review(product, stars, { idempotencyKey: key }) }, shop.key);
          expect(r.errors).toBeUndefined();
        });
      }
    }
    await pool(jobs, 12);

    const incremental = await summaries();
    for (const [key, h] of expected) {
      const doc = incremental.find((d) => d._id === `product:${key}`)!;
      expect([doc.h1, doc.h2, doc.h3, doc.h4, doc.h5], key).toEqual(h);
    }

    const cli = spawnCli(["recompute"], { MONGODB_URI: inject("mongoUri"), STARLING_DB_NAME: api.starling.db.conn.name });
    const { code } = await cli.exited;
    expect(code, cli.stderr()).toBe(0);
    expect(cli.stdout()).toContain("; 0 differed");
    expect(await summaries()).toEqual(incremental);
  }, 240_000);

  it("repairs summaries that drifted from the reviews, and says which", async () => {
    const before = await summaries();
    const drifted = before.find((d) => d.productId === "r1")!;
    await api.models.RatingSummary.updateOne({ _id: drifted._id }, { $inc: { count: 7, h5: 7, ratingSum: 35 } });
    await api.models.RatingSummary.deleteOne({ _id: before.find((d) => d.productId === "r2")!._id });

    const { recomputeSummaries } = await import("../src/features/ratings/ratings.js");
    const report = await recomputeSummaries(api.starling.deps);
    expect(report.repaired).toEqual([drifted._id, before.find((d) => d.productId === "r2")!._id].sort());
    expect(await summaries()).toEqual(before);
  });
});
