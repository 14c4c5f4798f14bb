/**
 * Hostile or oversized requests get a clear refusal before any work is done,
 * and the endpoint follows the GraphQL-over-HTTP spec.
 */
import { getIntrospectionQuery } from "graphql";
import { serverAudits } from "graphql-http";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { QUERY_LIMITS } from "../src/graphql/yoga.js";
import { MAX_BODY_BYTES } from "../src/http/server.js";
import { startTestApi, type TestApi } from "./helpers.js";

let api: TestApi;

beforeAll(async () => {
  api = await startTestApi();
  await api.gql(`mutation { putProduct(input: { id: "p", name: "P" }) { id } }`);
});
afterAll(() => api?.close());

describe("query limits", () => {
  it("let the playground's full introspection through", async () => {
    const r = await api.gql(getIntrospectionQuery({ descriptions: true, inputValueDeprecation: true }), {}, null);
    expect(r.errors).toBeUndefined();
    expect(r.data.__schema.types.length).toBeGreaterThan(10);
  });

  it("let a listing page of 100 products with full ratings through", async () => {
    const ids = Array.from({ length: 100 }, (_, i) => `p${i}`);
    const r = await api.gql(
      `query($ids: [ID!]!) { products(ids: $ids) { id name rating { count average plainMean rankingScore
        credibleInterval { low high level } histogram { stars count } prior { mean strength reviewCount } period { from to } } } }`,
      { ids },
    );
    expect(r.errors).toBeUndefined();
  });

  it("refuse too many aliases", async () => {
    const fields = Array.from({ length: QUERY_LIMITS.aliases + 5 }, (_, i) => `a${i}: shop { id }`).join(" ");
    const r = await api.gql(`{ ${fields} }`);
    expect(r.errors?.[0]?.message).toMatch(/Aliases limit of 15 exceeded/);
    expect(r.errors?.[0]?.extensions?.code).toBe("GRAPHQL_VALIDATION_FAILED");
  });

  it("refuse a query nested too deep", async () => {
    let q = "name";
    for (let i = 0; i < QUERY_LIMITS.depth + 5; i++) q = `ofType { ${q} }`;
    const r = await api.gql(`{ __type(name: "Product") { fields { type { ${q} } } } }`);
    expect(r.errors?.[0]?.message).toMatch(/Query depth limit of \d+ exceeded/);
  });

  it("refuse too many tokens", async () => {
    const r = await api.gql(`{ ${Array.from({ length: QUERY_LIMITS.tokens }, () => "shop { id }").join(" ")} }`);
    expect(r.errors?.[0]?.message).toMatch(/Token limit of 2000 exceeded/);
  });

  it("refuse a query that would cost too much", async () => {
    const review =
      "edges { cursor node { id rating title body language createdAt provenance reviewer { name } } } pageInfo { hasNextPage endCursor } totalCount";
    const heavy = Array.from(
      { length: 12 },
      (_, i) => `a${i}: product(id: "p") { reviews(first: 100) { ${review} } rating { histogram { stars count } } }`,
    ).join(" ");
    const r = await api.gql(`{ ${heavy} }`);
    expect(r.errors?.[0]?.message).toMatch(/Query Cost limit of \d+ exceeded/);
  });

  it("refuse a batch of operations in one request", async () => {
    const res = await fetch(`${api.url}/graphql`, {
      method: "POST",
      headers: { "content-type": "application/json", authorization: `Bearer ${api.shop.key}` },
      body: JSON.stringify([{ query: "{ shop { id } }" }, { query: "{ shop { id } }" }]),
    });
    expect(res.status).toBe(400);
  });

  it("refuse a body over the limit with 413, declared or chunked", async () => {
    const big = JSON.stringify({ query: "{ shop { id } }", variables: { pad: "x".repeat(MAX_BODY_BYTES) } });
    const declared = await fetch(`${api.url}/graphql`, { method: "POST", headers: { "content-type": "application/json" }, body: big });
    expect(declared.status).toBe(413);
    expect(((await declared.json()) as any).errors[0].extensions.code).toBe("REQUEST_TOO_LARGE");

    const stream = new ReadableStream({
      start(c) {
        for (let i = 0; i < 4; i++) c.enqueue(new TextEncoder().encode(big.slice((i * big.length) / 4, ((i + 1) * big.length) / 4)));
        c.close();
      },
    });
    const chunked = await fetch(`${api.url}/graphql`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: stream,
      duplex: "half",
    } as RequestInit);
    expect(chunked.status).toBe(413);
  });
});

describe("GraphQL over HTTP", () => {
  it("passes every graphql-http server audit, MUST and SHOULD (61 of 61, as the README says)", async () => {
    const results = await Promise.all(
      serverAudits({
        url: `${api.url}/graphql`,
        fetchFn: (input: RequestInfo | URL, init?: RequestInit) => {
          const headers = new Headers(init?.headers);
          headers.set("authorization", `Bearer ${api.shop.key}`);
          return fetch(input, { ...init, headers });
        },
      }).map(async (audit) => ({ ...(await audit.fn()), name: audit.name })),
    );
    const failed = results.filter((r) => r.status !== "ok").map((r) => `${r.name}: ${"reason" in r ? r.reason : ""}`);
    expect(failed).toEqual([]);
    expect(results.filter((r) => r.name.startsWith("SHOULD")).length).toBeGreaterThan(20);
    expect(results).toHaveLength(61);
  });
});
