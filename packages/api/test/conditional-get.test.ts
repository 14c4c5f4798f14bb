/**
 * Conditional GETs (GraphQL over HTTP allows GET for queries): an ETag on
 * every complete GET answer, 304 for a matching If-None-Match, and, while no
 * write to the shop went through, that 304 without running the query.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { putProduct } from "../src/features/products/products.js";
import { ANSWERED_FROM_MEMORY } from "../src/http/conditional-get.js";
import { SUBMIT, startTestApi, type TestApi } from "./helpers.js";

const QUERY = `query($id: ID!) { product(id: $id) { id name rating { count average } } }`;

describe("conditional GET of a rating", () => {
  let api: TestApi;
  const get = (headers: Record<string, string>, id = "lamp", query = QUERY) =>
    fetch(`${api.url}/graphql?query=${encodeURIComponent(query)}&variables=${encodeURIComponent(JSON.stringify({ id }))}`, {
      headers: { accept: "application/graphql-response+json", ...headers },
    });
  const review = (n: number) =>
    api.gql(SUBMIT, {
      input: {
        productId: "lamp",
        rating: 1 + (n % 5),
        title: `Lamp ${n}`,
        body: `Review number ${n} of the lamp.`,
        reviewer: { name: `R${n}` },
      },
    });

  beforeAll(async () => {
    // Long enough that no pause of a busy machine can expire a remembered answer mid-test.
    api = await startTestApi({ getAnswerMemoryMs: 600_000 });
    await putProduct(api.starling.deps, api.shop.id, { id: "lamp", name: "Lamp" });
    await review(1);
  });
  afterAll(() => api?.close());

  it("tags a publishable key's answer for shared caches, and confirms it with a 304 without running the query", async () => {
    const first = await get({ authorization: `Bearer ${api.shop.publishableKey}` });
    expect(first.status).toBe(200);
    const etag = first.headers.get("etag")!;
    expect(etag).toMatch(/^"[A-Za-z0-9_-]{32}"$/);
    expect(first.headers.get("cache-control")).toMatch(/^public, max-age=0, s-maxage=\d+/);
    expect(first.headers.get("vary")).toMatch(/Authorization/);
    expect((await first.json()).data.product.rating.count).toBe(1);

    // The database changes behind the API's back (another process's write):
    // an answer from memory still says 304, which proves the query did not run.
    await api.models.Product.updateOne({ _id: `${api.shop.id}:lamp` }, { $set: { name: "Renamed elsewhere" } });
    const again = await get({ authorization: `Bearer ${api.shop.publishableKey}`, "if-none-match": etag });
    expect(again.status).toBe(304);
    expect(again.headers.get("etag")).toBe(etag);
    expect(again.headers.get("server-timing")).toBe(ANSWERED_FROM_MEMORY);
    expect(await again.text()).toBe("");
  });

  it("runs the query again once a write to the shop went through this process, and gives a new ETag", async () => {
    const before = await get({ authorization: `Bearer ${api.shop.publishableKey}` });
    const etag = before.headers.get("etag")!;
    expect((await review(2)).errors).toBeUndefined();
    const after = await get({ authorization: `Bearer ${api.shop.publishableKey}`, "if-none-match": etag });
    expect(after.status).toBe(200);
    expect(after.headers.get("etag")).not.toBe(etag);
    expect((await after.json()).data.product.rating.count).toBe(2);
    // And the new answer is confirmed in turn.
    const confirmed = await get({ authorization: `Bearer ${api.shop.publishableKey}`, "if-none-match": after.headers.get("etag")! });
    expect(confirmed.status).toBe(304);
  });

  it("answers 304 after running the query when the remembered answer is gone but the body is the same", async () => {
    const first = await get({ authorization: `Bearer ${api.shop.key}` });
    const etag = first.headers.get("etag")!;
    // A write to another shop leaves this shop's answers current.
    const other = await api.newShop("Other");
    await putProduct(api.starling.deps, other.id, { id: "x", name: "X" });
    await api.gql(
      SUBMIT,
      { input: { productId: "x", rating: 5, title: "X", body: "Other shop's review.", reviewer: { name: "O" } } },
      other.key,
    );
    const still = await get({ authorization: `Bearer ${api.shop.key}`, "if-none-match": etag });
    expect(still.status).toBe(304);
    // A write to this shop that does not change this answer: the query runs, the hash matches, 304 all the same.
    await api.gql(`mutation { putProduct(input: { id: "other-product", name: "Other" }) { id } }`);
    const rerun = await get({ authorization: `Bearer ${api.shop.key}`, "if-none-match": etag });
    expect(rerun.status).toBe(304);
    expect(rerun.headers.get("server-timing")).toBeNull();
  });

  it("keeps a secret key's answers private, and tags neither errors nor POSTs", async () => {
    const secret = await get({ authorization: `Bearer ${api.shop.key}` });
    expect(secret.headers.get("cache-control")).toBe("private, no-cache");
    const missing = await get({ authorization: "Bearer pk_not_a_key" });
    expect(missing.headers.get("etag")).toBeNull();
    const post = await fetch(`${api.url}/graphql`, {
      method: "POST",
      headers: { "content-type": "application/json", authorization: `Bearer ${api.shop.key}` },
      body: JSON.stringify({ query: QUERY, variables: { id: "lamp" } }),
    });
    expect(post.status).toBe(200);
    expect(post.headers.get("etag")).toBeNull();
    // A different query or variables is a different answer.
    const other = await get({ authorization: `Bearer ${api.shop.key}`, "if-none-match": secret.headers.get("etag")! }, "nope");
    expect(other.status).toBe(200);
  });
});
