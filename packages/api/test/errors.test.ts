/**
 * Bad input gets a clear error with a machine-readable code, and stores nothing.
 */
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { SUBMIT, gql, review, startTestApi, type TestApi } from "./helpers.js";

let api: TestApi;

beforeAll(async () => {
  api = await startTestApi();
  await api.gql(`mutation { putProduct(input: { id: "kettle", name: "Kettle" }) { id } }`);
  // One good review, so "changes nothing" is checked against a non-empty state.
  const ok = await api.gql(SUBMIT, { input: review("kettle", 4, { idempotencyKey: "first" }) });
  expect(ok.errors).toBeUndefined();
});
afterAll(() => api?.close());

async function snapshot() {
  return {
    reviews: await api.models.Review.find({}).sort({ _id: 1 }).lean(),
    summaries: await api.models.RatingSummary.find({}).sort({ _id: 1 }).lean(),
  };
}

const cases: [string, Record<string, unknown>, string, string | undefined][] = [
  ["rating 0", review("kettle", 0), "INVALID_INPUT", "rating"],
  ["rating 6", review("kettle", 6), "INVALID_INPUT", "rating"],
  ["rating 2.5", review("kettle", 2.5), "INVALID_INPUT", "rating"],
  ["rating as a string", review("kettle", "5" as unknown as number), "INVALID_INPUT", "rating"],
  ["rating missing", { ...review("kettle", 1), rating: undefined }, "INVALID_INPUT", "rating"],
  ["empty body", review("kettle", 3, { body: "" }), "INVALID_INPUT", "body"],
  ["blank body", review("kettle", 3, { body: " \n\t " }), "INVALID_INPUT", "body"],
  ["20 000-character body", review("kettle", 3, { body: "x".repeat(20_000) }), "INVALID_INPUT", "body"],
  ["empty title", review("kettle", 3, { title: "" }), "INVALID_INPUT", "title"],
  ["NUL in the title", review("kettle", 3, { title: "a\u0000b" }), "INVALID_INPUT", "title"],
  ["empty reviewer name", review("kettle", 3, { reviewer: { name: "" } }), "INVALID_INPUT", "reviewer.name"],
  ["bad language tag", review("kettle", 3, { language: "english please" }), "INVALID_INPUT", "language"],
  ["unknown product", review("teapot", 3), "PRODUCT_NOT_FOUND", "productId"],
  ["operator object as product id", review({ $gt: "" } as unknown as string, 3), "INVALID_INPUT", "productId"],
  ["same idempotency key, different payload", review("kettle", 1, { idempotencyKey: "first" }), "IDEMPOTENCY_KEY_REUSED", "idempotencyKey"],
];

describe("submitReview refuses bad input and stores nothing", () => {
  it.each(cases)("%s", async (_name, input, code, field) => {
    const before = await snapshot();
    const r = await api.gql(SUBMIT, { input });
    expect(r.data?.submitReview ?? null).toBeNull();
    expect(r.errors).toHaveLength(1);
    expect(r.errors![0]!.extensions).toMatchObject({ code, ...(field ? { field } : {}) });
    expect(r.errors![0]!.message.length).toBeGreaterThan(10);
    expect(await snapshot()).toEqual(before);
  });
});

describe("authentication", () => {
  const READ = `{ product(id: "kettle") { rating { count } } }`;

  it("needs a key, and a valid one", async () => {
    const before = await snapshot();
    for (const key of [null, "sk_not_a_real_key", "Basic abc"]) {
      const read = await api.gql(READ, {}, key);
      expect(read.errors?.[0]?.extensions?.code).toBe("UNAUTHENTICATED");
      const write = await api.gql(SUBMIT, { input: review("kettle", 5) }, key);
      expect(write.errors?.[0]?.extensions?.code).toBe("UNAUTHENTICATED");
    }
    expect(await snapshot()).toEqual(before);
  });

  it("never lets one shop's key read or write another shop's products", async () => {
    const other = await api.newShop("Other shop");
    const before = await snapshot();
    const read = await api.gql(READ, {}, other.key);
    expect(read.errors).toBeUndefined();
    expect(read.data.product).toBeNull();
    const write = await api.gql(SUBMIT, { input: review("kettle", 1) }, other.key);
    expect(write.errors?.[0]?.extensions?.code).toBe("PRODUCT_NOT_FOUND");
    const list = await api.gql(`{ products(ids: ["kettle"]) { id } }`, {}, other.key);
    expect(list.data.products).toEqual([null]);
    expect(await snapshot()).toEqual(before);
  });
});

describe("malformed requests", () => {
  it("answers a GraphQL syntax error with GRAPHQL_PARSE_FAILED", async () => {
    const r = await api.gql("mutation { submitReview(input: {", {});
    expect(r.errors?.[0]?.extensions?.code).toBe("GRAPHQL_PARSE_FAILED");
  });

  it("answers an unknown field with GRAPHQL_VALIDATION_FAILED", async () => {
    const r = await api.gql(`{ product(id: "kettle") { price } }`);
    expect(r.errors?.[0]?.extensions?.code).toBe("GRAPHQL_VALIDATION_FAILED");
  });

  it("answers a body that is not JSON with a 400", async () => {
    const res = await fetch(`${api.url}/graphql`, {
      method: "POST",
      headers: { "content-type": "application/json", authorization: `Bearer ${api.shop.key}` },
      body: "{ not json",
    });
    expect(res.status).toBe(400);
    const body = (await res.json()) as { errors: { message: string }[] };
    expect(body.errors[0]!.message).toMatch(/JSON/i);
  });

  // The server reads POST bodies itself and hands Yoga the parsed object (http/server.ts
  // readBody); every other kind of body must still get Yoga's own answer.
  it.each([
    ["a JSON object with a query", "application/json; charset=utf-8", `{"query":"{ __typename }"}`, 200, null],
    ["the JSON type GraphQL over HTTP names", "application/graphql+json", `{"query":"{ __typename }"}`, 200, null],
    ["an empty JSON object", "application/json", "{}", 200, /query/i],
    ["a JSON array", "application/json", "[]", 400, /object|batch|array/i],
    ["JSON null", "application/json", "null", 400, /null/i],
    ["a JSON string", "application/json", `"{ __typename }"`, 400, /string/i],
    ["an empty body", "application/json", "", 400, /JSON/i],
    ["a form", "application/x-www-form-urlencoded", "query=%7B%20__typename%20%7D", 200, null],
    ["a bare GraphQL document", "application/graphql", "{ __typename }", 200, null],
  ] as const)("answers %s the way Yoga does", async (_label, contentType, body, status, message) => {
    const res = await fetch(`${api.url}/graphql`, {
      method: "POST",
      headers: { "content-type": contentType, authorization: `Bearer ${api.shop.key}` },
      body,
    });
    const answer = (await res.json()) as { data?: unknown; errors?: { message: string }[] };
    expect(res.status).toBe(status);
    if (message) expect(answer.errors?.[0]?.message).toMatch(message);
    else expect(answer).toEqual({ data: { __typename: "Query" } });
  });

  it("reads a DateTime written in the query itself, and refuses a bad one by its field", async () => {
    // graphql-jit compiles each document; it used to log "Scalar with variable inputs …
    // not supported" for DateTime literals (graphql-js's default parseLiteral).
    const logged = vi.spyOn(console, "error");
    try {
      const ok = await api.gql(
        `{ product(id: "kettle") { insights(period: { from: "2026-01-01T00:00:00Z", to: "2026-02-01T00:00:00Z" }) { reviews } } }`,
      );
      expect(ok.errors).toBeUndefined();
      expect(ok.data).toEqual({ product: { insights: { reviews: 0 } } });
      const bad = await api.gql(`{ product(id: "kettle") { insights(period: { from: "last Tuesday" }) { reviews } } }`);
      expect(bad.data ?? null).toBeNull();
      expect(bad.errors?.[0]?.extensions?.code).toBe("GRAPHQL_VALIDATION_FAILED");
      expect(bad.errors?.[0]?.message).toMatch(/DateTime must be an ISO 8601 string/);
      expect(logged.mock.calls.flat().join(" ")).not.toMatch(/Scalar with variable inputs/);
    } finally {
      logged.mockRestore();
    }
  });

  it("refuses a mutation sent by GET, so a link cannot write", async () => {
    const q = encodeURIComponent(`mutation { putProduct(input: { id: "x", name: "y" }) { id } }`);
    const res = await fetch(`${api.url}/graphql?query=${q}`, { headers: { authorization: `Bearer ${api.shop.key}` } });
    expect(res.status).toBe(405);
    expect(await api.models.Product.exists({ productId: "x" })).toBeNull();
  });

  it("tags every response with a request id", async () => {
    const res = await fetch(`${api.url}/graphql`, { method: "POST", headers: { "content-type": "application/json" }, body: "{}" });
    expect(res.headers.get("x-request-id")).toMatch(/^[0-9a-f-]{36}$/);
  });
});

describe("putProduct", () => {
  it("validates the product id and name", async () => {
    for (const [input, field] of [
      [{ id: "has space", name: "x" }, "id"],
      [{ id: "", name: "x" }, "id"],
      [{ id: "ok", name: "" }, "name"],
    ] as const) {
      const r = await gql(api.url, `mutation($i: PutProductInput!) { putProduct(input: $i) { id } }`, { i: input }, api.shop.key);
      expect(r.errors?.[0]?.extensions).toMatchObject({ code: "INVALID_INPUT", field });
    }
    expect(await api.models.Product.countDocuments({ shopId: api.shop.id })).toBe(1);
  });
});
