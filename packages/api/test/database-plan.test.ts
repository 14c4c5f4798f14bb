/**
 * Every hot read and write is keyed by `_id`; these check that the database
 * answers those through its `_id` index instead of scanning the collection
 * (FerretDB 1.24.2 scanned until our patch, ferretdb/patches/README.md).
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { inject } from "vitest";
import { openModels, uniqueDbName } from "./helpers.js";

describe("lookups by _id use the _id index", () => {
  let db: Awaited<ReturnType<typeof openModels>>;
  beforeAll(async () => {
    db = await openModels(uniqueDbName("plan"));
    await db.models.RatingSummary.collection.insertMany(
      Array.from({ length: 200 }, (_, i) => ({ _id: `product:s:${i}`, shopId: "s", productId: String(i), count: i })) as never[],
    );
  });
  afterAll(async () => {
    await db.models.RatingSummary.db.dropDatabase();
    await db.close();
  });

  // findByIds and a listing of 50 products ask for `_id: {$in: [...]}`; conditional
  // writes add a field beside `_id`. Both scanned until our second patch.
  it.each([
    ["one _id", { _id: "product:s:150" }],
    ["a list of _ids ($in)", { _id: { $in: ["product:s:3", "product:s:150", "product:s:77"] } }],
    ["_id with another condition", { _id: "product:s:150", count: { $gte: 100 } }],
  ])("finds by %s with an index search, not a scan", async (_label, filter) => {
    const plan = await db.models.RatingSummary.collection.find(filter as never).explain();
    const text = JSON.stringify(plan.queryPlanner);
    if (inject("backend") === "ferretdb") {
      // SQLite's own plan: "SEARCH <table> USING INDEX <table>__id_ (<expr>=?)", or "SCAN <table>".
      expect(text).toMatch(/SEARCH \S+ USING INDEX \S+__id_/);
      expect(text).not.toMatch(/\bSCAN\b/);
    } else {
      expect(text).toMatch(/IDHACK|EXPRESS_IXSCAN|IXSCAN/);
      expect(text).not.toMatch(/COLLSCAN/);
    }
  });

  it("still applies the whole filter to what the _id narrowing finds", async () => {
    const c = db.models.RatingSummary.collection;
    const ids = async (filter: object) => (await c.find(filter as never).toArray()).map((d) => d._id as unknown as string).sort();
    expect(await ids({ _id: { $in: ["product:s:3", "product:s:150", "product:s:missing"] } })).toEqual(["product:s:150", "product:s:3"]);
    expect(await ids({ _id: "product:s:150", count: { $lt: 100 } })).toEqual([]);
    expect(await ids({ _id: { $in: ["product:s:3", "product:s:150"] }, count: { $gte: 100 } })).toEqual(["product:s:150"]);
    // A list with something other than strings and ObjectIds is matched by MongoDB's own rules.
    expect(await ids({ _id: { $in: [/^product:s:19[0-3]$/, "product:s:5"] } })).toEqual([
      "product:s:190",
      "product:s:191",
      "product:s:192",
      "product:s:193",
      "product:s:5",
    ]);
    expect(await c.countDocuments({ _id: { $in: ["product:s:3", "product:s:4"] } } as never)).toBe(2);
    // A conditional write through the narrowing: it must not touch the document when the rest fails.
    const missed = await c.updateOne({ _id: "product:s:150", count: 0 } as never, { $set: { count: -1 } });
    expect(missed.matchedCount).toBe(0);
    const hit = await c.updateOne({ _id: "product:s:150", count: 150 } as never, { $set: { count: 151 } });
    expect(hit.modifiedCount).toBe(1);
    expect((await c.deleteMany({ _id: { $in: ["product:s:150", "product:s:152"] }, count: 151 } as never)).deletedCount).toBe(1);
    await c.insertOne({ _id: "product:s:150", shopId: "s", productId: "150", count: 150 } as never);
  });

  it("updates, upserts and deletes by _id touch only that document", async () => {
    const c = db.models.RatingSummary.collection;
    await c.updateOne({ _id: "product:s:199" } as never, { $inc: { count: 1 } });
    await c.updateOne({ _id: "product:s:new" } as never, { $inc: { count: 1 } }, { upsert: true });
    await c.deleteOne({ _id: "product:s:0" } as never);
    const docs = await c.find({}).toArray();
    const byId = new Map(docs.map((d) => [d._id as unknown as string, d.count as number]));
    expect(byId.get("product:s:199")).toBe(200);
    expect(byId.get("product:s:new")).toBe(1);
    expect(byId.has("product:s:0")).toBe(false);
    expect(docs).toHaveLength(200);
    expect(
      docs.filter(
        (d) => d.count !== Number(String(d._id).split(":")[2]) && !["product:s:199", "product:s:new"].includes(d._id as unknown as string),
      ),
    ).toEqual([]);
  });
});

// FerretDB 1.24.2 kept every matched statement's query (and its SQLite connection) open until the
// whole update command ended, while each statement's write needed one more connection of the pool
// of 100: a bulkWrite of about 100 replaceOne that match stalled that database for good (the
// insights worker's roll-ups on the demo; scoring.ts wrote in chunks of 50 for it). Our patch
// (ferretdb/patches/handler-msg-update.go.in) closes each statement's query when it is done.
describe("an update command of many statements", () => {
  let db: Awaited<ReturnType<typeof openModels>>;
  beforeAll(async () => {
    db = await openModels(uniqueDbName("bulk"));
    await db.models.InsightBlock.collection.insertMany(
      Array.from({ length: 300 }, (_, i) => ({ _id: `b${i}`, shopId: "s", reviews: i, polaritySum: 0, computedAt: new Date() })) as never[],
    );
  });
  afterAll(async () => {
    await db.models.InsightBlock.db.dropDatabase();
    await db.close();
  });

  it("replaces 250 existing documents in one command, and the database answers everything after it", async () => {
    const c = db.models.InsightBlock.collection;
    const ops = Array.from({ length: 250 }, (_, i) => ({
      replaceOne: { filter: { _id: `b${i}` } as never, replacement: { shopId: "s", reviews: -i, polaritySum: 1, computedAt: new Date() } },
    }));
    const res = await c.bulkWrite(ops, { ordered: false });
    expect(res.matchedCount).toBe(250);
    // Mixed with updates, upserts and statements that match nothing, twice at once (on different
    // documents: FerretDB's updates are read-modify-write, MONGODB.md §2.4).
    const mixed = (base: number) =>
      c.bulkWrite(
        Array.from({ length: 120 }, (_, i) =>
          i % 3 === 0
            ? { updateOne: { filter: { _id: `b${base + i}` } as never, update: { $inc: { polaritySum: 10 } } } }
            : i % 3 === 1
              ? { updateOne: { filter: { _id: `new${base}.${i}` } as never, update: { $set: { reviews: 1 } }, upsert: true } }
              : { updateOne: { filter: { _id: `missing${i}` } as never, update: { $set: { reviews: 1 } } } },
        ),
        { ordered: false },
      );
    const [a, b] = await Promise.all([mixed(0), mixed(120)]);
    expect([a.matchedCount, a.upsertedCount, b.matchedCount, b.upsertedCount]).toEqual([40, 40, 40, 40]);
    expect(await c.findOne({ _id: "b3" } as never)).toMatchObject({ reviews: -3, polaritySum: 11 });
    expect(await c.findOne({ _id: "b123" } as never)).toMatchObject({ reviews: -123, polaritySum: 11 });
    expect(await c.findOne({ _id: "b4" } as never)).toMatchObject({ reviews: -4, polaritySum: 1 });
    expect(await c.countDocuments({})).toBe(380);
  });
});
