/**
 * A query's cost counts list sizes (graphql/cost.ts): over the limit it is
 * refused before execution, with its cost and the limit; under it, its cost is
 * spent from the key's budget per minute.
 */
import { getIntrospectionQuery, parse } from "graphql";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { HeavyQueryGate, LightFirst, MAX_QUERY_COST, QueryCosts, queryCost } from "../src/graphql/cost.js";
import { buildSchema } from "../src/graphql/schema.js";
import { overlapProbe, startTestApi, type TestApi } from "./helpers.js";

const cleanups: (() => Promise<unknown>)[] = [];
afterAll(async () => {
  for (const c of cleanups.reverse()) await c();
});

async function api(overrides: Parameters<typeof startTestApi>[0] = {}): Promise<TestApi> {
  const a = await startTestApi(overrides);
  cleanups.push(() => a.close());
  await a.gql(`mutation { putProduct(input: { id: "p0", name: "P" }) { id } }`);
  return a;
}

const IDS = Array.from({ length: 100 }, (_, i) => `p${i}`);
// The query: 100 products, 100 reviews each.
const NESTED = `query($ids: [ID!]!) { products(ids: $ids) { reviews(first: 100) { edges { node { title body } } } } }`;
// The README's listing page, with every rating field.
const LISTING = `query($ids: [ID!]!) { products(ids: $ids) { id name rating { count average credibleInterval { low high } rankingScore
  plainMean histogram { stars count } prior { mean strength reviewCount } period { from to } effectiveCount
  discounted { count reasons { code count description } } } } }`;
const REVIEW_PAGE = `{ product(id: "p0") { reviews(first: 100) { totalCount edges { cursor node { id productId rating title body
  reviewer { name } language provenance createdAt status verification { method } reply { body createdAt } } }
  pageInfo { hasNextPage endCursor } } } }`;

describe("the query cost limit", () => {
  let a: TestApi;
  beforeAll(async () => {
    a = await api();
  });

  it("refuses 100 products with 100 reviews each before execution, stating the cost and the limit", async () => {
    const r = await a.gql(NESTED, { ids: IDS });
    expect(r.status).toBe(400);
    expect(r.data ?? null).toBeNull();
    const error = r.errors?.[0] as { message: string; extensions: Record<string, unknown> };
    // 100 × (1 + 100 × (edges 1 + node 1 + title 1 + body 1)) + 1
    expect(error.extensions).toMatchObject({ code: "GRAPHQL_VALIDATION_FAILED", cost: 40_101, maxCost: MAX_QUERY_COST });
    expect(error.message).toContain(`limit of ${MAX_QUERY_COST} exceeded, found 40101`);
  });

  it("counts every level of nesting: the same with fewer products still costs per review", async () => {
    // 22 × 401 + 1 is over; 21 × 401 + 1 is under: the limit sits between.
    const over = await a.gql(NESTED, { ids: IDS.slice(0, 22) });
    expect(over.errors?.[0]?.extensions).toMatchObject({ code: "GRAPHQL_VALIDATION_FAILED", cost: 8_823 });
    const under = await a.gql(NESTED, { ids: IDS.slice(0, 21) });
    expect(under.errors).toBeUndefined();
    expect(under.data.products).toHaveLength(21);
  });

  it("counts a page of reviews by id as its ids (at most 20), not as `first`", async () => {
    const BY_IDS = `query($ids: [ID!]!, $r: [ID!]) { products(ids: $ids) { reviews(first: 100, ids: $r) { edges { node { id title body rating } } } } }`;
    // 100 × (1 + 3 × (edges 1 + node 1 + 4 fields)) + 1: through, where first: 100 alone would cost 60 101.
    const three = await a.gql(BY_IDS, { ids: IDS, r: ["rev_a", "rev_b", "rev_c"] });
    expect(three.errors).toBeUndefined();
    // 100 × (1 + 20 × 6) + 1, and 21 ids cost as 20 (the resolver refuses more than 20).
    for (const n of [20, 21]) {
      const r = await a.gql(BY_IDS, { ids: IDS, r: Array.from({ length: n }, (_, i) => `rev_${i}`) });
      expect(r.errors?.[0]?.extensions).toMatchObject({ code: "GRAPHQL_VALIDATION_FAILED", cost: 12_101 });
    }
  });

  it("lets the playground's introspection, a listing page of 100 products and a page of 100 reviews through", async () => {
    const introspection = await a.gql(getIntrospectionQuery({ descriptions: true, inputValueDeprecation: true }), {}, null);
    expect(introspection.errors).toBeUndefined();
    const listing = await a.gql(LISTING, { ids: IDS });
    expect(listing.errors).toBeUndefined();
    expect(listing.data.products[0].rating.histogram).toHaveLength(5);
    const reviews = await a.gql(REVIEW_PAGE);
    expect(reviews.errors).toBeUndefined();
    expect(reviews.data.product.reviews.totalCount).toBe(0);
  });
});

describe("remembered costs", () => {
  const schema = buildSchema();
  const counted = () => {
    const walks = { n: 0 };
    const costs = new QueryCosts(schema, (...args) => {
      walks.n++;
      return queryCost(...args);
    });
    return { costs, walks };
  };

  it("walk a query once per document, operation and variables, and give what a walk gives", () => {
    const { costs, walks } = counted();
    const doc = parse(NESTED);
    const ask = (n: number) => costs.of({ document: doc, variableValues: { ids: IDS.slice(0, n) } });
    expect(ask(21)).toBe(21 * 401 + 1);
    expect(ask(21)).toBe(21 * 401 + 1);
    expect(walks.n).toBe(1);
    // Other variables, another cost: the limit still sees them.
    expect(ask(22)).toBe(22 * 401 + 1);
    expect(walks.n).toBe(2);
    // The same text parsed again is another document: walked, with the same result.
    expect(costs.of({ document: parse(NESTED), variableValues: { ids: IDS.slice(0, 21) } })).toBe(21 * 401 + 1);
    expect(walks.n).toBe(3);
  });

  it("walk every mutation and every query with long variables anew, and never remember invalid variables", () => {
    const { costs, walks } = counted();
    const mutation = parse(`mutation($i: PutProductInput!) { putProduct(input: $i) { id } }`);
    for (let i = 0; i < 2; i++) costs.of({ document: mutation, variableValues: { i: { id: "p1", name: "P" } } });
    expect(walks.n).toBe(2);
    const long = { ids: Array.from({ length: 100 }, (_, i) => `a-long-product-identifier-${i}`) };
    const doc = parse(NESTED);
    for (let i = 0; i < 2; i++) costs.of({ document: doc, variableValues: long });
    expect(walks.n).toBe(4);
    for (let i = 0; i < 2; i++) expect(() => costs.of({ document: doc, variableValues: { ids: null } })).toThrow();
    expect(walks.n).toBe(6);
  });
});

describe("the cost budget per key", () => {
  it("refuses a key's queries once their cost per minute is spent, with 429 and Retry-After; other keys go on", async () => {
    // Each listing costs 8 001: two fit in 20 000, the third does not, though
    // the key's request count (1 000 000 a minute) is far from its limit.
    const a = await api({ rateCostPerMinutePerKey: 20_000 });
    for (let i = 0; i < 2; i++) expect((await a.gql(LISTING, { ids: IDS })).errors).toBeUndefined();
    const res = await fetch(`${a.url}/graphql`, {
      method: "POST",
      headers: { "content-type": "application/json", authorization: `Bearer ${a.shop.key}` },
      body: JSON.stringify({ query: LISTING, variables: { ids: IDS } }),
    });
    expect(res.status).toBe(429);
    const retryAfter = Number(res.headers.get("retry-after"));
    expect(retryAfter).toBeGreaterThanOrEqual(1);
    expect(retryAfter).toBeLessThanOrEqual(60);
    const body = (await res.json()) as { data?: unknown; errors: { message: string; extensions: Record<string, unknown> }[] };
    expect(body.data ?? null).toBeNull();
    expect(body.errors[0]!.extensions).toMatchObject({ code: "RATE_LIMITED", retryAfter });
    expect(body.errors[0]!.message).toContain("query cost per minute per API key");

    // Until the minute is over, cheap queries of that key are refused too.
    expect((await a.gql(`{ product(id: "p0") { rating { count } } }`)).status).toBe(429);
    // Another key of the same shop has its own budget.
    expect((await a.gql(LISTING, { ids: IDS }, a.shop.publishableKey)).errors).toBeUndefined();
  });
});

describe("heavy queries take turns", () => {
  it("lets heavy queries run together only up to the gate's capacity, in arrival order", async () => {
    const gate = new HeavyQueryGate(8_000);
    const order: string[] = [];
    const run = (name: string, cost: number) => gate.enter(cost).then(() => order.push(name));
    await run("a", 5_000);
    const b = run("b", 5_000); // 5 000 + 5 000 > 8 500: waits for a
    const c = run("c", 1_500); // would fit beside a, but comes after b: waits too
    await new Promise((r) => setImmediate(r));
    expect(order).toEqual(["a"]);
    gate.leave(5_000);
    await b;
    await c;
    expect(order).toEqual(["a", "b", "c"]);
    gate.leave(5_000);
    gate.leave(1_500);
    // Empty again: a query as costly as the capacity goes at once.
    await run("d", 8_000);
    expect(order.at(-1)).toBe("d");
  });
});

describe("a heavy query's reads", () => {
  it("go to the database one product page at a time, while a light query's go together", async () => {
    const a = await api();
    for (const id of IDS.slice(0, 21)) {
      await a.gql(`mutation($id: ID!) { putProduct(input: { id: $id, name: "P" }) { id } }`, { id });
    }
    // Observe (not replace) the review reads: how many are at the database at once.
    const Review = a.models.Review;
    const find = Review.find.bind(Review);
    let inFlight = 0;
    let most = 0;
    Review.find = ((...args: Parameters<typeof find>) => {
      const query = find(...args);
      const exec = query.exec.bind(query);
      query.exec = (async () => {
        most = Math.max(most, ++inFlight);
        try {
          return await exec();
        } finally {
          inFlight--;
        }
      }) as typeof query.exec;
      return query;
    }) as typeof Review.find;
    try {
      // Cost 21 × 401 + 1: heavy. first: 100 is past the cached first page, so every page is read.
      const heavy = await a.gql(NESTED, { ids: IDS.slice(0, 21) });
      expect(heavy.errors).toBeUndefined();
      expect(most).toBe(1);
      most = 0;
      // Cost 2 × 401 + 1: light; its two pages are read together.
      const light = await a.gql(NESTED, { ids: IDS.slice(0, 2) });
      expect(light.errors).toBeUndefined();
      expect(most).toBe(2);
    } finally {
      Review.find = find as typeof Review.find;
    }
  });
});

describe("light requests first", () => {
  const settle = () => new Promise((r) => setImmediate(r));

  it("holds a heavy read while a light request is in flight, and lets it go once none is", async () => {
    const lf = new LightFirst({ quietMs: 0, maxWaitMs: 600_000 });
    // Nothing light in flight: at once.
    await lf.turn();
    expect(lf.waited).toBe(0);
    lf.begin();
    lf.begin();
    let went = false;
    const turn = lf.turn().then(() => {
      went = true;
    });
    lf.end();
    for (let i = 0; i < 5; i++) await settle();
    expect([went, lf.waiting, lf.waited]).toEqual([false, 1, 1]);
    lf.end();
    await turn;
    expect([went, lf.waiting, lf.inFlight]).toEqual([true, 0, 0]);
  });

  it("waits for a quiet moment after the last light request, not only for none in flight", async () => {
    let now = 1_000;
    const lf = new LightFirst({ quietMs: 5, maxWaitMs: 600_000, now: () => now });
    lf.begin();
    lf.end(); // at 1 000
    now = 1_002;
    let went = false;
    const turn = lf.turn().then(() => {
      went = true;
    });
    for (let i = 0; i < 5; i++) await settle();
    expect(went).toBe(false);
    now = 1_005;
    await turn;
    expect(went).toBe(true);
    // A request that turns out heavy stops counting as light without starting a quiet period.
    lf.begin();
    lf.cancel();
    now = 1_005.5;
    await lf.turn();
    expect(lf.waited).toBe(1);
  });

  it("ends a wait when its signal aborts, and a turn asked after that goes at once", async () => {
    const lf = new LightFirst({ quietMs: 0, maxWaitMs: 600_000 });
    lf.begin(); // never ends
    const stop = new AbortController();
    const turn = lf.turn(stop.signal);
    expect(lf.waiting).toBe(1);
    stop.abort();
    await turn;
    await lf.turn(stop.signal);
    expect([lf.waiting, lf.waited, lf.inFlight]).toEqual([0, 1, 1]);
  });

  it("never holds a heavy read longer than maxWaitMs, however busy", async () => {
    const lf = new LightFirst({ quietMs: 0, maxWaitMs: 1 });
    lf.begin(); // never ends
    await lf.turn();
    await lf.turn();
    expect([lf.waited, lf.waiting, lf.inFlight]).toEqual([2, 0, 1]);
  });

  it("a heavy query's every read waits while a light request is in flight; without one, they go at once", async () => {
    const a = await api();
    for (const id of IDS.slice(0, 21)) {
      await a.gql(`mutation($id: ID!) { putProduct(input: { id: $id, name: "P" }) { id } }`, { id });
    }
    const yielded = async () => Number(/^starling_heavy_reads_yielded (\d+)/m.exec(await a.starling.deps.metrics.text())?.[1]);

    // Alone: its reads go one after another, without waiting (the first may wait out the quiet moment after the set-up's requests).
    const before = await yielded();
    expect((await a.gql(NESTED, { ids: IDS.slice(0, 21) })).errors).toBeUndefined();
    expect((await yielded()) - before).toBeLessThanOrEqual(1);

    // A light request of another shop, held in flight at its key's look-up (not cached yet).
    const other = await a.newShop("Other shop");
    const ApiKey = a.models.ApiKey;
    const findById = ApiKey.findById.bind(ApiKey);
    let release!: () => void;
    const released = new Promise<void>((r) => {
      release = r;
    });
    let held = false;
    ApiKey.findById = ((...args: Parameters<typeof findById>) => {
      const query = findById(...args);
      if (held) return query;
      held = true;
      const exec = query.exec.bind(query);
      query.exec = (async () => {
        await released;
        return exec();
      }) as typeof query.exec;
      return query;
    }) as typeof ApiKey.findById;
    try {
      const light = a.gql(`{ product(id: "p0") { id rating { count } } }`, undefined, other.publishableKey);
      await expect.poll(() => held, { timeout: 30_000 }).toBe(true);
      const start = await yielded();
      // Heavy, while the light request is in flight: each of its 21 page reads waits its turn (at most LIGHT_FIRST.maxWaitMs).
      expect((await a.gql(NESTED, { ids: IDS.slice(0, 21) })).errors).toBeUndefined();
      expect((await yielded()) - start).toBe(21);
      release();
      expect((await light).errors).toBeUndefined();
    } finally {
      release();
      ApiKey.findById = findById as typeof ApiKey.findById;
    }
  });
});

describe("light requests in flight", () => {
  it("are counted until their answer, whatever it is, so a heavy query never waits for one that ended", async () => {
    const a = await api();
    const inFlight = async () => Number(/^starling_light_requests_in_flight (\d+)/m.exec(await a.starling.deps.metrics.text())?.[1]);
    const post = (body: string, contentType = "application/json", key = a.shop.key) =>
      fetch(`${a.url}/graphql`, { method: "POST", headers: { "content-type": contentType, authorization: `Bearer ${key}` }, body });
    // An answer, a body that is not JSON, a syntax error, a validation error, an unknown key,
    // a refusal over the cost limit, a 415: none is answered with a server error.
    const statuses = [
      (await a.gql(`{ product(id: "p0") { id } }`)).status,
      (await post("{ product(id: ")).status,
      (await post(JSON.stringify({ query: "{ product(id: " }))).status,
      (await post(JSON.stringify({ query: "{ nope }" }))).status,
      (await post(JSON.stringify({ query: "{ shop { id } }" }), "application/json", "sk_unknown")).status,
      (await a.gql(NESTED, { ids: IDS })).status,
      (await post("x", "text/plain")).status,
    ];
    expect(statuses.every((status) => status < 500)).toBe(true);
    expect(statuses.at(-1)).toBe(415);
    await expect.poll(inFlight, { timeout: 30_000 }).toBe(0);
  });
});

describe("a plain rating read", () => {
  it("reads the product and its rating together, one wait for the database instead of two in a row", async () => {
    const a = await api();
    // The same query text twice: its second run finds the query's selection remembered (selectsField).
    for (const id of ["together", "again"]) {
      await a.gql(`mutation($id: ID!) { putProduct(input: { id: $id, name: "T" }) { id } }`, { id });
      const m = a.models;
      const reads = overlapProbe();
      for (const [model, method] of [
        [m.Product, "findById"],
        [m.Product, "find"],
        [m.RatingSummary, "findById"],
        [m.RatingSummary, "find"],
      ] as const)
        reads.queries(model, method);
      try {
        // Neither is cached in this process: putProduct drops the product's cached copy, and its summary was never read.
        const r = await a.gql(`query($id: ID!) { product(id: $id) { id rating { count average } } }`, { id }, a.shop.publishableKey);
        expect(r.errors).toBeUndefined();
        expect(r.data).toMatchObject({ product: { id, rating: { count: 0 } } });
      } finally {
        reads.restore();
      }
      expect(reads.most).toBeGreaterThanOrEqual(2);
    }
  });
});
