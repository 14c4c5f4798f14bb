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

  it("finds one document by _id with an index search, not a scan", async () => {
    const plan = await db.models.RatingSummary.collection.find({ _id: "product:s:150" } as never).explain();
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
    expect(docs.filter((d) => d.count !== Number(String(d._id).split(":")[2]) && !["product:s:199", "product:s:new"].includes(d._id as unknown as string))).toEqual([]);
  });
});
