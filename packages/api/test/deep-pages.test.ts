/**
 * Every page of a product's reviews, in every order and star filter, is read
 * by a range of an index (features/reviews/review-pages.ts), on FerretDB too: the pages
 * put together are exactly a full sorted read, and a deep page's query is
 * planned as an index search, not a scan. The shop-wide lists (moderation log,
 * invitations) page by cursor too, and a cursor Starling did not issue is
 * INVALID_CURSOR, never an internal error.
 */
import mongoose from "mongoose";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import type { ReviewDoc } from "../src/features/reviews/model.js";
import { SUBMIT, review, startTestApi, type TestApi } from "./helpers.js";

let api: TestApi;
// Texts unlike each other, so that none is quarantined as a copy.
const words = (n: number) => Array.from({ length: n }, () => Math.random().toString(36).slice(2, 9)).join(" ");
const PRODUCT = "deep";
const REVIEWS = 140;

type Order = "NEWEST" | "HIGHEST" | "LOWEST";
const PAGE = `query($after: String, $order: ReviewOrder, $stars: [Int!], $status: [ReviewStatus!], $first: Int) {
  product(id: "${PRODUCT}") { reviews(first: $first, after: $after, orderBy: $order, stars: $stars, status: $status) {
    totalCount edges { cursor node { id rating createdAt } } pageInfo { hasNextPage endCursor } } } }`;

beforeAll(async () => {
  api = await startTestApi();
  await api.gql(`mutation { putProduct(input: { id: "${PRODUCT}", name: "Deep" }) { id } }`);
  await api.gql(`mutation { putProduct(input: { id: "other", name: "Other" }) { id } }`);
  // Few distinct times, out of arrival order: many reviews share a createdAt,
  // so ties are broken by id, across pages too.
  let n = 0;
  const t0 = Date.parse("2026-06-01T00:00:00Z");
  (api.starling.deps as { now: () => Date }).now = () => new Date(t0 + ((n++ * 7) % 23) * 60_000);
  for (let i = 0; i < REVIEWS; i += 20) {
    const batch = await Promise.all(
      Array.from({ length: Math.min(20, REVIEWS - i) }, (_, k) =>
        api.gql(SUBMIT, { input: review(PRODUCT, 1 + (((i + k) * 3) % 5), { body: words(12) }) }),
      ),
    );
    for (const r of batch) expect(r.errors).toBeUndefined();
  }
  await api.gql(SUBMIT, { input: review("other", 5) });
  // Some reviews leave the published list, so pages skip states they do not show.
  const some = await api.models.Review.find({ productId: PRODUCT }).sort({ _id: 1 }).limit(12).lean<ReviewDoc[]>();
  for (const r of some) {
    const rejected = await api.gql(`mutation($i: ModerateReviewInput!) { moderateReview(input: $i) { status } }`, {
      i: { reviewId: r._id, action: "REJECT", reason: "SPAM" },
    });
    expect(rejected.errors).toBeUndefined();
  }
}, 120_000);
afterAll(() => api?.close());

/** What a full read sorted in the order's terms gives: newest first, ties by id. */
async function fullSortedRead(order: Order, stars: number[] | null, status: ReviewDoc["status"] = "published"): Promise<string[]> {
  const docs = await api.models.Review.find({ productId: PRODUCT, status }).lean<ReviewDoc[]>();
  const byTime = (a: ReviewDoc, b: ReviewDoc) => b.createdAt.getTime() - a.createdAt.getTime() || (a._id < b._id ? -1 : 1);
  const byStars =
    order === "HIGHEST" ? (a: ReviewDoc, b: ReviewDoc) => b.rating - a.rating : (a: ReviewDoc, b: ReviewDoc) => a.rating - b.rating;
  return docs
    .filter((d) => !stars || stars.includes(d.rating))
    .sort((a, b) => (order === "NEWEST" ? 0 : byStars(a, b)) || byTime(a, b))
    .map((d) => d._id);
}

async function allPages(vars: Record<string, unknown>, first: number): Promise<{ ids: string[]; pages: number }> {
  const ids: string[] = [];
  let after: string | null = null;
  let pages = 0;
  for (;;) {
    const r: { data?: any; errors?: unknown } = await api.gql(PAGE, { ...vars, first, after });
    expect(r.errors).toBeUndefined();
    const conn: { edges: { node: { id: string } }[]; pageInfo: { hasNextPage: boolean; endCursor: string } } = r.data.product.reviews;
    ids.push(...conn.edges.map((e) => e.node.id));
    pages++;
    if (!conn.pageInfo.hasNextPage) break;
    expect(conn.edges).toHaveLength(first);
    after = conn.pageInfo.endCursor;
    expect(pages).toBeLessThan(200);
  }
  return { ids, pages };
}

describe("pages of a product's reviews", () => {
  const cases: [Order, number[] | null][] = [];
  for (const order of ["NEWEST", "HIGHEST", "LOWEST"] as Order[]) {
    for (const stars of [null, [5], [1, 2], [2, 4, 5]]) cases.push([order, stars]);
  }

  it.each(cases)("in order %s with stars %j are complete, in order and without overlap", async (order, stars) => {
    const expected = await fullSortedRead(order, stars);
    expect(expected.length).toBeGreaterThan(10);
    const { ids, pages } = await allPages({ order, stars }, 7);
    expect(new Set(ids).size).toBe(ids.length);
    expect(ids).toEqual(expected);
    expect(pages).toBe(Math.max(1, Math.ceil(expected.length / 7)));
  });

  it("give a moderator the rejected reviews page by page too", async () => {
    const expected = await fullSortedRead("NEWEST", null, "rejected");
    expect(expected).toHaveLength(12);
    const { ids } = await allPages({ order: "NEWEST", status: ["REJECTED"] }, 5);
    expect(ids).toEqual(expected);
  });

  it("read a deep page through an index on the database, not a scan of the product's reviews", async () => {
    // The query a deep page sends, as the API sent it: caught from mongoose's debug hook.
    const first = await api.gql(PAGE, { order: "HIGHEST", first: 7 });
    const after = first.data.product.reviews.pageInfo.endCursor;
    const sent: { collection: string; filter: object; options: { sort?: object; limit?: number } }[] = [];
    mongoose.set("debug", (collection: string, method: string, filter: object, options: object) => {
      // Only the page's own query, which sorts: the process's background workers (the insights
      // analysis) may read reviews by id meanwhile, through the _id index, as they should.
      const sorted = (options as { sort?: object }).sort !== undefined;
      if (method === "find" && collection === "reviews" && sorted) sent.push({ collection, filter, options: options as never });
    });
    try {
      const deep = await api.gql(PAGE, { order: "HIGHEST", first: 7, after });
      expect(deep.errors).toBeUndefined();
    } finally {
      mongoose.set("debug", false);
    }
    expect(sent.length).toBeGreaterThan(0);
    for (const q of sent) {
      const plan = await api.models.Review.collection
        .find(q.filter as never, { sort: q.options.sort as never, limit: q.options.limit })
        .explain();
      const text = JSON.stringify(plan.queryPlanner);
      if (inject("backend") === "ferretdb") {
        // SQLite walks the page_stars index in order: no scan, no sort of its own.
        expect(text).toMatch(/SEARCH \S+ USING INDEX \S+_page_stars/);
        expect(text).not.toMatch(/\bSCAN\b|TEMP B-TREE/);
      } else {
        expect(text).toMatch(/page_stars/);
        expect(text).not.toMatch(/COLLSCAN|"stage":"SORT"/);
      }
    }
  });
});

describe("forged cursors", () => {
  const b64 = (v: unknown) => Buffer.from(typeof v === "string" ? v : JSON.stringify(v)).toString("base64url");
  const forged: [string, string][] = [
    ["not base64", "%%%not a cursor"],
    ["base64 of garbage", b64("garbage")],
    ["an object", b64({ $gt: "" })],
    ["an operator in place of the key", b64(["NEWEST", { $gt: "" }])],
    ["the old cursor format", b64(["NEWEST", 5, Date.now(), "rev_x"])],
    ["a key of the wrong shape", b64(["NEWEST", "zzz.0.rev_x"])],
    ["a huge string", "A".repeat(5000)],
    ["an empty array", b64([])],
  ];

  it.each(forged)("%s is INVALID_CURSOR on review pages", async (_label, cursor) => {
    const r = await api.gql(PAGE, { after: cursor, first: 5 });
    expect(r.errors?.[0]?.extensions).toMatchObject({ code: "INVALID_CURSOR", field: "after" });
    expect(r.errors?.[0]?.message).not.toMatch(/Cast|mongo|BSON|INTERNAL/i);
  });

  it("a cursor of another product, or of another order, is INVALID_CURSOR", async () => {
    const other = await api.gql(`{ product(id: "other") { reviews(first: 1) { pageInfo { endCursor } } } }`);
    const cursor = other.data.product.reviews.pageInfo.endCursor;
    expect(cursor).toBeTruthy();
    const r = await api.gql(PAGE, { after: cursor, first: 5 });
    expect(r.errors?.[0]?.extensions?.code).toBe("INVALID_CURSOR");
    expect(r.errors?.[0]?.message).toMatch(/another product/);

    const newest = (await api.gql(PAGE, { first: 5 })).data.product.reviews.pageInfo.endCursor;
    const highest = await api.gql(PAGE, { after: newest, first: 5, order: "HIGHEST" });
    expect(highest.errors?.[0]?.extensions?.code).toBe("INVALID_CURSOR");
  });

  it.each(forged)("%s is INVALID_CURSOR on the moderation log and on invitations", async (_label, cursor) => {
    const log = await api.gql(`query($a: String) { moderationLog(first: 5, after: $a) { id } }`, { a: cursor });
    expect(log.errors?.[0]?.extensions).toMatchObject({ code: "INVALID_CURSOR", field: "after" });
    const inv = await api.gql(`query($a: String) { invitations(first: 5, after: $a) { id } }`, { a: cursor });
    expect(inv.errors?.[0]?.extensions).toMatchObject({ code: "INVALID_CURSOR", field: "after" });
  });
});

describe("shop-wide lists page by cursor", () => {
  it("pages through the whole moderation log, newest first, without overlap", async () => {
    // 12 rejections above, and 12 reinstatements here at one shared time: ties broken by id.
    const rejected = await api.models.Review.find({ productId: PRODUCT, status: "rejected" }).lean<ReviewDoc[]>();
    (api.starling.deps as { now: () => Date }).now = () => new Date("2026-07-01T00:00:00Z");
    for (const r of rejected) {
      const back = await api.gql(`mutation($id: ID!) { reinstateReview(reviewId: $id, note: "appeal") { status } }`, { id: r._id });
      expect(back.errors).toBeUndefined();
    }
    const all = await api.models.ModerationEvent.find({ shopId: api.shop.id }).lean();
    const expected = all.sort((a, b) => b.at.getTime() - a.at.getTime() || (a._id < b._id ? 1 : -1)).map((e) => e._id);
    expect(expected.length).toBeGreaterThanOrEqual(24);
    const seen: string[] = [];
    let after: string | null = null;
    for (let page = 0; page < 20; page++) {
      const r = await api.gql(`query($a: String) { moderationLog(first: 5, after: $a) { id cursor } }`, { a: after });
      expect(r.errors).toBeUndefined();
      const entries = r.data.moderationLog as { id: string; cursor: string }[];
      seen.push(...entries.map((e) => e.id));
      if (entries.length < 5) break;
      after = entries.at(-1)!.cursor;
    }
    expect(seen).toEqual(expected);
  });

  it("pages through all invitations, newest first, without overlap", async () => {
    let n = 0;
    (api.starling.deps as { now: () => Date }).now = () => new Date(Date.parse("2026-08-01T00:00:00Z") + (n++ % 4) * 1000);
    for (let i = 0; i < 13; i++) {
      const r = await api.gql(`mutation($i: CreateInvitationInput!) { createInvitation(input: $i) { token } }`, {
        i: { productId: PRODUCT, orderRef: `order-${i}` },
      });
      expect(r.errors).toBeUndefined();
    }
    const all = await api.models.Invitation.find({ shopId: api.shop.id }).lean();
    const expected = all.sort((a, b) => b.createdAt.getTime() - a.createdAt.getTime() || (a._id < b._id ? 1 : -1)).map((d) => d._id);
    const seen: string[] = [];
    let after: string | null = null;
    for (let page = 0; page < 20; page++) {
      const r = await api.gql(`query($a: String) { invitations(first: 4, after: $a) { id cursor createdAt } }`, { a: after });
      expect(r.errors).toBeUndefined();
      const list = r.data.invitations as { id: string; cursor: string }[];
      seen.push(...list.map((e) => e.id));
      if (list.length < 4) break;
      after = list.at(-1)!.cursor;
    }
    expect(seen).toEqual(expected);
    expect(seen).toHaveLength(13);
  });
});
