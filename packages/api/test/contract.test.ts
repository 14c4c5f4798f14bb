/**
 * The storage contract: every MongoDB behaviour Starling relies on, checked
 * directly against the server. It runs unchanged against the embedded
 * FerretDB and, with MONGODB_URI set, against a real MongoDB (or Atlas,
 * DocumentDB, Cosmos DB), so drift between them shows up here first.
 * Stay inside this list (MONGODB.md §5) or extend it with a check.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Models } from "../src/features/models.js";
import { isDuplicateKey } from "../src/errors.js";
import { openModels, uniqueDbName } from "./helpers.js";

let db: Awaited<ReturnType<typeof openModels>>;
let m: Models;

beforeAll(async () => {
  db = await openModels(uniqueDbName("contract"));
  m = db.models;
});
afterAll(async () => {
  await m.Review.db.dropDatabase();
  await db.close();
});

const at = (s: string) => new Date(`2026-01-01T00:00:${s}Z`);

function reviewDoc(id: string, over: Record<string, unknown> = {}) {
  return {
    _id: id,
    shopId: "s1",
    productId: "p1",
    rating: 3,
    title: "t",
    body: "b",
    reviewer: { name: "n", externalId: null },
    language: null,
    createdAt: at("00"),
    payloadHash: "h",
    summaryApplied: false,
    ...over,
  };
}

describe("storage contract", () => {
  it("creates the indexes by name", async () => {
    const names = (await m.Review.collection.indexes()).map((i) => i.name);
    expect(names).toEqual(expect.arrayContaining(["_id_", "product_newest", "page_newest", "page_stars"]));
    const unique = (await m.Product.collection.indexes()).find((i) => i.name === "shop_product");
    expect(unique?.unique).toBe(true);
  });

  it("rejects a second insert with the same string _id with code 11000, atomically under a race", async () => {
    const results = await Promise.allSettled(Array.from({ length: 10 }, () => m.Review.collection.insertOne(reviewDoc("dup") as never)));
    expect(results.filter((r) => r.status === "fulfilled")).toHaveLength(1);
    for (const r of results) if (r.status === "rejected") expect(isDuplicateKey(r.reason)).toBe(true);
    expect(await m.Review.countDocuments({ _id: "dup" })).toBe(1);
  });

  it("enforces a unique compound index with code 11000", async () => {
    const doc = { shopId: "s1", productId: "p1", name: "n", createdAt: at("00") };
    await m.Product.collection.insertOne({ _id: "a", ...doc } as never);
    const err = await m.Product.collection.insertOne({ _id: "b", ...doc } as never).catch((e: unknown) => e);
    expect(isDuplicateKey(err)).toBe(true);
  });

  it("upserts by _id with $inc and $setOnInsert, and increments sequentially without loss", async () => {
    for (let i = 0; i < 20; i++) {
      await m.RatingSummary.updateOne(
        { _id: "sum" },
        { $inc: { count: 1, ratingSum: 4, h4: 1 }, $setOnInsert: { shopId: "s1", productId: "p1" } },
        { upsert: true },
      );
    }
    const doc = await m.RatingSummary.findById("sum").lean();
    expect(doc).toMatchObject({ count: 20, ratingSum: 80, h4: 20, h1: 0, shopId: "s1", productId: "p1" });
  });

  it("keeps the earliest and latest dates with $min and $max", async () => {
    for (const s of ["05", "01", "09", "03"]) {
      await m.RatingSummary.updateOne(
        { _id: "period" },
        { $inc: { count: 1 }, $min: { firstReviewAt: at(s) }, $max: { lastReviewAt: at(s) }, $setOnInsert: { shopId: "s1" } },
        { upsert: true },
      );
    }
    const doc = await m.RatingSummary.findById("period").lean();
    expect([doc?.firstReviewAt?.toISOString(), doc?.lastReviewAt?.toISOString()]).toEqual([at("01").toISOString(), at("09").toISOString()]);
  });

  it("claims a document once with a conditional update, reporting modifiedCount", async () => {
    await m.Review.collection.insertOne(reviewDoc("claim") as never);
    const first = await m.Review.updateOne({ _id: "claim", summaryApplied: false }, { $set: { summaryApplied: true } });
    const second = await m.Review.updateOne({ _id: "claim", summaryApplied: false }, { $set: { summaryApplied: true } });
    expect([first.modifiedCount, second.modifiedCount]).toEqual([1, 0]);
  });

  it("finds by a list of _ids in one query", async () => {
    const found = await m.RatingSummary.find({ _id: { $in: ["sum", "missing"] } }).lean();
    expect(found.map((d) => d._id)).toEqual(["sum"]);
  });

  it("pages with a keyset $or filter and a compound sort", async () => {
    await m.Review.collection.insertMany([
      reviewDoc("k1", { productId: "kp", rating: 5, createdAt: at("01") }),
      reviewDoc("k2", { productId: "kp", rating: 5, createdAt: at("02") }),
      reviewDoc("k3", { productId: "kp", rating: 2, createdAt: at("02") }),
      reviewDoc("k4", { productId: "kp", rating: 5, createdAt: at("02") }),
    ] as never[]);
    const sort = { rating: -1, createdAt: -1, _id: -1 } as const;
    const all = await m.Review.find({ productId: "kp" }).sort(sort).lean();
    expect(all.map((d) => d._id)).toEqual(["k4", "k2", "k1", "k3"]);
    const after = all[1]!;
    const rest = await m.Review.find({
      $and: [
        { productId: "kp" },
        {
          $or: [
            { rating: { $lt: after.rating } },
            { rating: after.rating, createdAt: { $lt: after.createdAt } },
            { rating: after.rating, createdAt: after.createdAt, _id: { $lt: after._id } },
          ],
        },
      ],
    })
      .sort(sort)
      .limit(5)
      .lean();
    expect(rest.map((d) => d._id)).toEqual(["k1", "k3"]);
  });

  it("groups by a document of fields with $sum", async () => {
    const groups = await m.Review.aggregate<{ _id: { productId: string; rating: number }; n: number }>([
      { $match: { productId: "kp" } },
      { $group: { _id: { productId: "$productId", rating: "$rating" }, n: { $sum: 1 } } },
      { $sort: { "_id.rating": 1 } },
    ]);
    expect(groups).toEqual([
      { _id: { productId: "kp", rating: 2 }, n: 1 },
      { _id: { productId: "kp", rating: 5 }, n: 3 },
    ]);
  });

  it("replaces a document whole, upserting when asked", async () => {
    await m.RatingSummary.replaceOne(
      { _id: "rep" },
      { shopId: "s1", productId: null, count: 1, ratingSum: 1, h1: 1, h2: 0, h3: 0, h4: 0, h5: 0 },
      { upsert: true },
    );
    expect(await m.RatingSummary.findById("rep").lean()).toMatchObject({ productId: null, count: 1, h1: 1 });
  });

  it("round-trips text exactly and dates to the millisecond", async () => {
    const body = 'Ünïcödé 👍🏽 \u202Eevil\u202C <script>alert(1)</script> {"$gt": ""} \r\n\ttabs';
    const createdAt = new Date("2026-03-04T05:06:07.089Z");
    await m.Review.collection.insertOne(reviewDoc("text", { body, createdAt }) as never);
    const doc = await m.Review.findById("text").lean();
    expect(doc?.body).toBe(body);
    expect(doc?.createdAt.toISOString()).toBe(createdAt.toISOString());
  });
});
