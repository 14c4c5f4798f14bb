/**
 * The SDK against the real API (real HTTP, real FerretDB): what a shop's
 * code gets back is what the database holds.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { RATING, review, startTestApi, SUBMIT, type TestApi } from "../../api/test/helpers.js";
import { AuthenticationError, createClient, InvalidInputError, type Review, type StarlingClient } from "../src/index.js";

let api: TestApi;
let client: StarlingClient;

beforeAll(async () => {
  api = await startTestApi();
  for (const id of ["mug", "shell"]) {
    await api.gql(`mutation($i: PutProductInput!) { putProduct(input: $i) { id } }`, { i: { id, name: `The ${id}` } });
  }
  for (const [i, stars] of [5, 4, 5, 2, 5, 3, 1].entries()) {
    const res = await api.gql(SUBMIT, { input: review("mug", stars, { idempotencyKey: `seed-${i}`, title: `Review ${i}` }) });
    expect(res.errors).toBeUndefined();
  }
  client = createClient({ endpoint: api.url, key: api.shop.publishableKey });
});
afterAll(async () => api?.close());

describe("client against the API", () => {
  it("reads the rating summary the API serves", async () => {
    const direct = await api.gql(RATING, { id: "mug" });
    const fraud = await api.gql(
      `{ product(id: "mug") { rating { effectiveCount discounted { count reasons { code count description } } } } }`,
    );
    const viaSdk = await client.products.rating("mug");
    expect(viaSdk).toEqual({
      id: "mug",
      name: "The mug",
      shopId: api.shop.id,
      rating: { ...direct.data.product.rating, ...fraud.data.product.rating },
    });
    expect(viaSdk!.rating.count).toBe(7);
  });

  it("reads several products at once, null for one the shop does not have", async () => {
    const ratings = await client.products.ratings(["shell", "nope", "mug"]);
    expect(ratings.map((p) => p && [p.id, p.rating.count])).toEqual([["shell", 0], null, ["mug", 7]]);
  });

  it("walks every review page by page with for await, newest first, none twice", async () => {
    const seen: Review[] = [];
    for await (const r of client.reviews.iterate("mug", { first: 3 })) seen.push(r);
    expect(seen.map((r) => r.title)).toEqual([6, 5, 4, 3, 2, 1, 0].map((i) => `Review ${i}`));
    expect(seen.every((r) => r.provenance === "ORGANIC" && r.reviewer.name === "Test Reviewer")).toBe(true);
  });

  it("filters a page by stars and counts the matches", async () => {
    const page = await client.reviews.list("mug", { stars: [5], first: 2 });
    expect(page!.totalCount).toBe(3);
    expect(page!.reviews.map((r) => r.rating)).toEqual([5, 5]);
    expect(page!.hasNextPage).toBe(true);
    const next = await page!.nextPage();
    expect(next!.reviews.map((r) => r.rating)).toEqual([5]);
    expect(await next!.nextPage()).toBeNull();
  });

  it("submits a review with the publishable key: stored once as ORGANIC from the form source, replayed on retry", async () => {
    const input = {
      productId: "shell",
      rating: 4,
      title: "Dry in a storm",
      body: "Kept me dry.",
      reviewer: { name: "Ana" },
      idempotencyKey: "sdk-int-1",
    };
    const first = await client.reviews.submit(input);
    const again = await client.reviews.submit(input);
    expect(first.replayed).toBe(false);
    expect(again).toMatchObject({ replayed: true, review: { id: first.review.id } });
    expect(first.product.rating.count).toBe(1);
    const stored = await api.models.Review.find({ productId: "shell" }).lean();
    expect(stored.map((d: any) => [d.title, d.provenance, d.source])).toEqual([["Dry in a storm", "ORGANIC", "form"]]);
    // The write dropped the cached summary: no stale 0 after one's own review.
    expect((await client.products.rating("shell"))!.rating.count).toBe(1);
  });

  it("reports an empty title as InvalidInputError on field title, storing nothing", async () => {
    const err = await client.reviews
      .submit({ productId: "shell", rating: 3, title: " ", body: "x", reviewer: { name: "Bo" } })
      .catch((e) => e);
    expect(err).toBeInstanceOf(InvalidInputError);
    expect(err).toMatchObject({ code: "INVALID_INPUT", field: "title" });
    expect(err.requestId).toMatch(/^[0-9a-f-]{36}$/);
    expect(await api.models.Review.countDocuments({ productId: "shell" })).toBe(1);
  });

  it("reports an unknown key as AuthenticationError with the request id", async () => {
    const stranger = createClient({ endpoint: api.url, key: "pk_not_a_real_key" });
    const err = await stranger.products.rating("mug").catch((e) => e);
    expect(err).toBeInstanceOf(AuthenticationError);
    expect(err).toMatchObject({ code: "UNAUTHENTICATED" });
    expect(err.requestId).toMatch(/^[0-9a-f-]{36}$/);
  });
});
