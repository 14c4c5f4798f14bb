/**
 * The first page of a product's reviews is served from a per-process cache
 * (db/page-cache.ts). What a shop expects of it: a write through this process
 * shows at once, a write through another process within about a second.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createLogger } from "../src/log.js";
import { startStarling, type Starling } from "../src/starling.js";
import { SUBMIT, gql, review, startTestApi, testConfig, type TestApi } from "./helpers.js";

let api: TestApi;
let other: Starling;

// The widget's page size: a page the cache keeps.
const PAGE = `query { product(id: "lamp") { reviews(first: 5) { edges { node { id rating reviewer { name } reply { body } } } } } }`;
type Node = { id: string; rating: number; reviewer: { name: string }; reply: { body: string } | null };
const page = async (url = api.url) =>
  ((await gql<any>(url, PAGE, {}, api.shop.key)).data.product.reviews.edges as { node: Node }[]).map((e) => e.node);

async function submit(stars: number, extra: Record<string, unknown> = {}): Promise<string> {
  const r = await api.gql(SUBMIT, { input: review("lamp", stars, { body: `Lamp review ${Math.random()}`, ...extra }) });
  expect(r.errors).toBeUndefined();
  return r.data.submitReview.review.id;
}

beforeAll(async () => {
  api = await startTestApi();
  await api.gql(`mutation { putProduct(input: { id: "lamp", name: "Lamp" }) { id } }`);
  // A second API process on the same database, as behind a load balancer.
  other = await startStarling({
    config: testConfig({ dbName: api.starling.db.conn.name }),
    log: createLogger("error"),
  });
});
afterAll(async () => {
  await other?.close();
  await api?.close();
});

describe("the cached first page of reviews", () => {
  it("shows a new review, a rejection, a reply and an erasure at once in the process that made them", async () => {
    const first = await submit(4, { reviewer: { name: "Sam", externalId: "cust-1" } });
    expect((await page()).map((n) => n.id)).toEqual([first]);

    const second = await submit(2);
    expect((await page()).map((n) => n.id)).toEqual([second, first]);

    const rejected = await api.gql(`mutation($i: ModerateReviewInput!) { moderateReview(input: $i) { status } }`, {
      i: { reviewId: second, action: "REJECT", reason: "SPAM" },
    });
    expect(rejected.errors).toBeUndefined();
    expect((await page()).map((n) => n.id)).toEqual([first]);

    await api.gql(`mutation($id: ID!) { replyToReview(reviewId: $id, body: "Thank you!") { id } }`, { id: first });
    expect((await page())[0]!.reply).toEqual({ body: "Thank you!" });

    const erased = await api.gql(`mutation { eraseReviewerData(reviewer: { externalId: "cust-1" }, mode: ANONYMISE) { reviews } }`);
    expect(erased.errors, JSON.stringify(erased.errors)).toBeUndefined();
    expect(erased.data.eraseReviewerData.reviews).toBe(1);
    expect((await page())[0]!.reviewer.name).not.toBe("Sam");
  });

  it("shows a review written through another process within a few seconds", async () => {
    const before = (await page(other.url)).map((n) => n.id);
    const id = await submit(5);
    let seen: string[] = before;
    const deadline = Date.now() + 10_000;
    while (!seen.includes(id) && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 100));
      seen = (await page(other.url)).map((n) => n.id);
    }
    expect(seen[0]).toBe(id);
  });
});
