import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { RATING, SUBMIT, review, startTestApi, type GqlResult, type TestApi } from "./helpers.js";

let api: TestApi;

beforeAll(async () => {
  api = await startTestApi();
  for (const [id, name] of [
    ["mug", "Camp mug"],
    ["shoe", "Trail shoe"],
    ["empty", "Nothing yet"],
  ]) {
    const r = await api.gql(`mutation($i: PutProductInput!) { putProduct(input: $i) { id name } }`, { i: { id, name } });
    expect(r.errors).toBeUndefined();
  }
});
afterAll(() => api?.close());

describe("submitting and reading back", () => {
  it("stores a review and returns it as written", async () => {
    const body = `Held up on a 3-week trek. <b>Not</b> "bold" & fine.\nSecond line.`;
    const r = await api.gql(SUBMIT, { input: review("shoe", 4, { body, language: "de-CH", idempotencyKey: "k-1" }) });
    expect(r.errors).toBeUndefined();
    expect(r.data.submitReview.replayed).toBe(false);
    expect(r.data.submitReview.review).toMatchObject({
      productId: "shoe",
      rating: 4,
      body,
      language: "de-CH",
      reviewer: { name: "Test Reviewer" },
    });
    expect(new Date(r.data.submitReview.review.createdAt).getTime()).toBeGreaterThan(Date.now() - 60_000);
    expect(await api.models.Review.countDocuments({ productId: "shoe" })).toBe(1);
  });

  it("summarises a product: count, histogram, plain mean and the Bayesian average from the shop's prior", async () => {
    for (const stars of [5, 5, 5]) {
      expect((await api.gql(SUBMIT, { input: review("mug", stars) })).errors).toBeUndefined();
    }
    const r = await api.gql(RATING, { id: "mug" });
    expect(r.errors).toBeUndefined();
    const rating = r.data.product.rating;
    expect(rating.count).toBe(3);
    expect(rating.plainMean).toBe(5);
    expect(rating.histogram).toEqual([
      { stars: 5, count: 3 },
      { stars: 4, count: 0 },
      { stars: 3, count: 0 },
      { stars: 2, count: 0 },
      { stars: 1, count: 0 },
    ]);
    // The shop has 4 reviews (three 5s here, one 4 on "shoe"): prior shares are
    // (n_k + 1)/(4 + 5) = (1, 1, 1, 2, 4)/9 with strength 5. Each review counts
    // with its trust weight w (first-time reviewers count less), so with
    // W = Σw the posterior mean is (5·W + 5·(5/9)(1 + 2 + 3 + 8 + 20)/5)/(W + 5),
    // i.e. (5W + 170/9)/(W + 5).
    expect(rating.prior).toEqual({ mean: (1 + 2 + 3 + 8 + 20) / 9, strength: 5, reviewCount: 4 });
    const weights = (await api.models.Review.find({ productId: "mug" }).lean()).map((d) => d.score!.trustWeightBp / 10_000);
    expect(weights).toHaveLength(3);
    for (const w of weights) expect(w).toBeGreaterThan(0);
    const W = weights.reduce((a, b) => a + b, 0);
    expect(rating.average).toBeCloseTo((5 * W + 170 / 9) / (W + 5), 10);
    expect(rating.average).toBeLessThan(rating.plainMean);
    expect(rating.credibleInterval.level).toBe(0.95);
    expect(rating.credibleInterval.low).toBeLessThan(rating.average);
    expect(rating.credibleInterval.high).toBeGreaterThan(rating.average);
    expect(rating.rankingScore).toBeGreaterThan(rating.credibleInterval.low);
    expect(rating.rankingScore).toBeLessThan(rating.average);
    const reviews = await api.models.Review.find({ productId: "mug" }).sort({ createdAt: 1 }).lean();
    expect(rating.period).toEqual({ from: reviews[0]!.createdAt.toISOString(), to: reviews[2]!.createdAt.toISOString() });
  });

  it("shows the shop's prior, and no plain mean, for a product without reviews", async () => {
    const r = await api.gql(RATING, { id: "empty" });
    expect(r.data.product.rating).toMatchObject({ count: 0, plainMean: null, period: null });
    expect(r.data.product.rating.average).toBeCloseTo(r.data.product.rating.prior.mean, 10);
  });

  it("returns null for a product the shop does not have", async () => {
    const r = await api.gql(RATING, { id: "nope" });
    expect(r.errors).toBeUndefined();
    expect(r.data.product).toBeNull();
  });

  it("reads many products' ratings in one request, in the order asked", async () => {
    const ids = Array.from({ length: 50 }, (_, i) => ["mug", "shoe", "empty", "missing"][i % 4]!);
    const r = await api.gql(`query($ids: [ID!]!) { products(ids: $ids) { id rating { count average } } }`, { ids });
    expect(r.errors).toBeUndefined();
    expect(r.data.products).toHaveLength(50);
    expect(r.data.products.map((p: { id: string } | null) => p?.id ?? null)).toEqual(ids.map((id) => (id === "missing" ? null : id)));
    expect(r.data.products[0].rating.count).toBe(3);
    expect(r.data.products[1].rating.count).toBe(1);
  });

  it("refuses more than 100 ids in one request", async () => {
    const ids = Array.from({ length: 101 }, (_, i) => `p${i}`);
    const r = await api.gql(`query($ids: [ID!]!) { products(ids: $ids) { id } }`, { ids });
    expect(r.errors?.[0]?.extensions).toMatchObject({ code: "INVALID_INPUT", field: "ids" });
  });
});

describe("listing reviews", () => {
  const LIST = /* GraphQL */ `
    query List($id: ID!, $first: Int, $after: String, $orderBy: ReviewOrder, $stars: [Int!]) {
      product(id: $id) {
        reviews(first: $first, after: $after, orderBy: $orderBy, stars: $stars) {
          totalCount
          edges { cursor node { id rating createdAt } }
          pageInfo { hasNextPage endCursor }
        }
      }
    }
  `;
  type Node = { id: string; rating: number; createdAt: string };

  let all: Node[] = [];

  beforeAll(async () => {
    await api.gql(`mutation { putProduct(input: { id: "lamp", name: "Lamp" }) { id } }`);
    // 23 reviews with repeated star values, so ties exercise the cursor's tie-breakers.
    const stars = Array.from({ length: 23 }, (_, i) => ((i * 7) % 5) + 1);
    for (const s of stars) await api.gql(SUBMIT, { input: review("lamp", s) });
    const r = await api.gql(LIST, { id: "lamp", first: 100 });
    all = r.data.product.reviews.edges.map((e: { node: Node }) => e.node);
    expect(all).toHaveLength(23);
  });

  async function walk(vars: Record<string, unknown>, pageSize: number): Promise<Node[]> {
    const seen: Node[] = [];
    let after: string | null = null;
    for (let page = 0; page < 50; page++) {
      const r: GqlResult<any> = await api.gql(LIST, { id: "lamp", first: pageSize, after, ...vars });
      expect(r.errors).toBeUndefined();
      const conn: any = r.data.product.reviews;
      seen.push(...conn.edges.map((e: { node: Node }) => e.node));
      if (!conn.pageInfo.hasNextPage) return seen;
      after = conn.pageInfo.endCursor;
    }
    throw new Error("pagination did not end");
  }

  const newestFirst = (a: Node, b: Node) => b.createdAt.localeCompare(a.createdAt) || b.id.localeCompare(a.id);

  it("orders newest first by default and pages through every review exactly once", async () => {
    const seen = await walk({}, 4);
    expect(seen.map((n) => n.id)).toEqual([...all].sort(newestFirst).map((n) => n.id));
    expect(new Set(seen.map((n) => n.id)).size).toBe(23);
  });

  it("orders by highest and lowest stars, newest first among equals", async () => {
    const highest = await walk({ orderBy: "HIGHEST" }, 5);
    expect(highest.map((n) => n.id)).toEqual([...all].sort((a, b) => b.rating - a.rating || newestFirst(a, b)).map((n) => n.id));
    const lowest = await walk({ orderBy: "LOWEST" }, 3);
    expect(lowest.map((n) => n.id)).toEqual([...all].sort((a, b) => a.rating - b.rating || newestFirst(a, b)).map((n) => n.id));
  });

  it("filters by stars, with a matching total count", async () => {
    const r = await api.gql(LIST, { id: "lamp", first: 100, stars: [1, 5] });
    const nodes: Node[] = r.data.product.reviews.edges.map((e: { node: Node }) => e.node);
    const expected = all.filter((n) => n.rating === 1 || n.rating === 5);
    expect(nodes.map((n) => n.id).sort()).toEqual(expected.map((n) => n.id).sort());
    expect(r.data.product.reviews.totalCount).toBe(expected.length);
    const paged = await walk({ stars: [1, 5], orderBy: "LOWEST" }, 2);
    expect(paged.map((n) => n.rating)).toEqual(expected.map((n) => n.rating).sort());
  });

  it("rejects a forged cursor, a cursor of another order and a page size out of range", async () => {
    const first = await api.gql(LIST, { id: "lamp", first: 2 });
    const cursor = first.data.product.reviews.pageInfo.endCursor;
    const forged = await api.gql(LIST, { id: "lamp", after: "not-a-cursor" });
    expect(forged.errors?.[0]?.extensions?.code).toBe("INVALID_CURSOR");
    const otherOrder = await api.gql(LIST, { id: "lamp", after: cursor, orderBy: "HIGHEST" });
    expect(otherOrder.errors?.[0]?.extensions?.code).toBe("INVALID_CURSOR");
    for (const first of [0, 101]) {
      const r = await api.gql(LIST, { id: "lamp", first });
      expect(r.errors?.[0]?.extensions).toMatchObject({ code: "INVALID_INPUT", field: "first" });
    }
    const stars = await api.gql(LIST, { id: "lamp", stars: [6] });
    expect(stars.errors?.[0]?.extensions).toMatchObject({ code: "INVALID_INPUT", field: "stars" });
  });
});

describe("reviews by id (ids), for the reviews an insight's quotes came from", () => {
  const BY_IDS = /* GraphQL */ `
    query ByIds($id: ID!, $ids: [ID!], $orderBy: ReviewOrder, $after: String) {
      product(id: $id) {
        reviews(ids: $ids, orderBy: $orderBy, after: $after) { totalCount edges { node { id rating } } pageInfo { hasNextPage } }
      }
    }
  `;
  const ids = async (productId: string, list: string[], extra: Record<string, unknown> = {}, key?: string) => {
    const r = await api.gql(BY_IDS, { id: productId, ids: list, ...extra }, key);
    expect(r.errors).toBeUndefined();
    return r.data.product.reviews as {
      totalCount: number;
      edges: { node: { id: string; rating: number } }[];
      pageInfo: { hasNextPage: boolean };
    };
  };
  const submit = async (productId: string, rating: number, key?: string) => {
    const r = await api.gql(SUBMIT, { input: review(productId, rating) }, key);
    expect(r.errors).toBeUndefined();
    return r.data.submitReview.review.id as string;
  };

  it("returns only this product's published reviews among the ids, in the order asked; nothing for other ids", async () => {
    await api.gql(`mutation { putProduct(input: { id: "tarp", name: "Tarp" }) { id } }`);
    const published = [await submit("tarp", 2), await submit("tarp", 5), await submit("tarp", 3)];
    const unasked = await submit("tarp", 4);
    const otherProduct = await submit("mug", 1);
    const rejected = await submit("tarp", 1);
    const mod = await api.gql(`mutation($i: ModerateReviewInput!) { moderateReview(input: $i) { status } }`, {
      i: { reviewId: rejected, action: "REJECT", reason: "SPAM" },
    });
    expect(mod.data.moderateReview.status).toBe("REJECTED");

    const asked = [...published, otherProduct, rejected, "rev_does_not_exist", "not an id at all"];
    const page = await ids("tarp", asked);
    // Newest first, as the full list orders them; the unasked review, the other product's and the rejected one are absent.
    expect(page.edges.map((e) => e.node.id)).toEqual([...published].reverse());
    expect(page.edges.map((e) => e.node.id)).not.toContain(unasked);
    expect(page.totalCount).toBe(3);
    expect(page.pageInfo.hasNextPage).toBe(false);
    const highest = await ids("tarp", published, { orderBy: "HIGHEST" });
    expect(highest.edges.map((e) => e.node.rating)).toEqual([5, 3, 2]);
    // The same answer through a publishable key (what the widget uses).
    expect((await ids("tarp", published, {}, api.shop.publishableKey)).totalCount).toBe(3);
    expect((await ids("tarp", [])).edges).toEqual([]);
  });

  it("refuses more than 20 ids, and a cursor with ids, with INVALID_INPUT", async () => {
    const over = await api.gql(BY_IDS, { id: "mug", ids: Array.from({ length: 21 }, (_, i) => `rev_${i}`) });
    expect(over.errors?.[0]?.extensions).toMatchObject({ code: "INVALID_INPUT", field: "ids" });
    expect(over.data?.product?.reviews ?? null).toBeNull();
    const twenty = await api.gql(BY_IDS, { id: "mug", ids: Array.from({ length: 20 }, (_, i) => `rev_${i}`) });
    expect(twenty.errors).toBeUndefined();
    const first = await api.gql(`{ product(id: "mug") { reviews(first: 1) { pageInfo { endCursor } } } }`);
    const after = await api.gql(BY_IDS, { id: "mug", ids: ["rev_1"], after: first.data.product.reviews.pageInfo.endCursor });
    expect(after.errors?.[0]?.extensions).toMatchObject({ code: "INVALID_INPUT", field: "after" });
  });

  it("shows nothing of another shop's review, even for a product with the same id", async () => {
    const other = await api.newShop("Other shop");
    await api.gql(`mutation { putProduct(input: { id: "tarp", name: "Their tarp" }) { id } }`, {}, other.key);
    const theirs = await submit("tarp", 1, other.key);
    expect((await ids("tarp", [theirs], {}, other.key)).totalCount).toBe(1);
    // Asked by this shop: the same answer as for an id that never existed.
    const page = await ids("tarp", [theirs]);
    expect(page).toEqual(await ids("tarp", ["rev_never_existed"]));
    expect(page).toMatchObject({ totalCount: 0, edges: [] });
  });
});
