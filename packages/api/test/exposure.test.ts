/**
 * Issue 12, items 8 to 11: what a public API must not let through.
 * No library message reaches a client; CORS without credentials, and secret
 * keys refused from browser origins the shop has not allowed; scopes spelled
 * as the enum spells them; a 415 with a code; empty and invisible input
 * refused; the client address behind a proxy taken from the proxy's entry;
 * `If-None-Match: *` never a 304; a 304 spends the per-IP budget.
 */
import { withPageKeys } from "../src/features/reviews/review-pages.js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { clientIp } from "../src/http/server.js";
import { SUBMIT, review, startTestApi, type TestApi } from "./helpers.js";

const cleanups: (() => Promise<unknown>)[] = [];
afterAll(async () => {
  for (const c of cleanups.reverse()) await c();
});

async function api(overrides: Parameters<typeof startTestApi>[0] = {}): Promise<TestApi> {
  const a = await startTestApi(overrides);
  cleanups.push(() => a.close());
  return a;
}

function post(a: TestApi, body: unknown, headers: Record<string, string> = {}) {
  return fetch(`${a.url}/graphql`, {
    method: "POST",
    headers: { "content-type": "application/json", authorization: `Bearer ${a.shop.key}`, ...headers },
    body: JSON.stringify(body),
  });
}

describe("unexpected errors, in development too", () => {
  let a: TestApi;
  beforeAll(async () => {
    a = await api({ env: "development" });
    await a.gql(`mutation { putProduct(input: { id: "tent", name: "Tent" }) { id } }`);
  });

  it("reach the client as INTERNAL_SERVER_ERROR without the library's message, logged whole with the request id", async () => {
    // A date stored as text (a bad manual edit), on a review that is listed
    // (its page keys are right): serializing the date throws a TypeError.
    const { pageNewest, pageStars } = withPageKeys({
      _id: "corrupt",
      shopId: a.shop.id,
      productId: "tent",
      rating: 3,
      createdAt: new Date(),
    });
    await a.models.Review.collection.insertOne({
      pageNewest,
      pageStars,
      _id: "corrupt",
      shopId: a.shop.id,
      productId: "tent",
      rating: 3,
      title: "t",
      body: "b",
      reviewer: { name: "n", externalId: null },
      language: null,
      provenance: "ORGANIC",
      source: "api",
      createdAt: "yesterday-ish",
      payloadHash: "x",
      status: "published",
      reply: null,
      summaryApplied: true,
    } as never);
    const res = await post(a, { query: `{ product(id: "tent") { reviews { edges { node { createdAt } } } } }` });
    const text = await res.text();
    const requestId = res.headers.get("x-request-id");
    expect(requestId).toMatch(/^[0-9a-f-]{36}$/);
    const body = JSON.parse(text);
    expect(body.errors[0]).toMatchObject({ message: "Unexpected error.", extensions: { code: "INTERNAL_SERVER_ERROR" } });
    expect(text).not.toMatch(/getTime|toISOString|TypeError|stack|originalError|\.ts\b/);
    const line = a.logLines().find((l) => l.includes('"msg":"unexpected error"') && l.includes(requestId!));
    expect(line, a.logLines().join("\n")).toMatch(/toISOString is not a function/);
  });

  it("outside GraphQL (a page), answer JSON with a code, not Express's error page with its stack", async () => {
    // A shop whose name is not text (a bad manual edit): the disclosure page throws.
    await a.models.Shop.collection.insertOne({
      _id: "shop_broken",
      name: { not: "text" },
      createdAt: new Date(),
      moderation: "post",
    } as never);
    const res = await fetch(`${a.url}/shops/shop_broken/disclosure`);
    expect(res.status).toBe(500);
    const text = await res.text();
    expect(JSON.parse(text).errors[0].extensions.code).toBe("INTERNAL_SERVER_ERROR");
    expect(text).not.toMatch(/TypeError|is not a function|at .*\.(ts|js)|node_modules/);
    const requestId = res.headers.get("x-request-id")!;
    expect(a.logLines().some((l) => l.includes('"msg":"unexpected error"') && l.includes(requestId))).toBe(true);
  });
});

describe("CORS and secret keys in browsers", () => {
  let a: TestApi;
  beforeAll(async () => {
    a = await api();
  });

  it("never sends Access-Control-Allow-Credentials (bearer keys, no cookies)", async () => {
    const origin = "https://shop.example";
    const preflight = await fetch(`${a.url}/graphql`, {
      method: "OPTIONS",
      headers: { origin, "access-control-request-method": "POST", "access-control-request-headers": "authorization, content-type" },
    });
    expect(preflight.headers.get("access-control-allow-origin")).toBe(origin);
    expect(preflight.headers.get("access-control-allow-credentials")).toBeNull();
    const read = await post(a, { query: "{ shop { id } }" }, { origin, authorization: `Bearer ${a.shop.publishableKey}` });
    expect(read.status).toBe(200);
    expect(read.headers.get("access-control-allow-origin")).toBe(origin);
    expect(read.headers.get("access-control-allow-credentials")).toBeNull();
    expect(((await read.json()) as any).data.shop.id).toBe(a.shop.id);
  });

  it("refuses a secret key sent from a browser origin the shop has not allowed, and changes nothing", async () => {
    const write = { query: `mutation { putProduct(input: { id: "from-page", name: "x" }) { id } }` };
    const refused = await post(a, write, { origin: "https://evil.example" });
    const body = (await refused.json()) as any;
    expect(body.errors[0].extensions).toMatchObject({ code: "ORIGIN_NOT_ALLOWED", origin: "https://evil.example" });
    expect(body.errors[0].message).toMatch(/publishable key/);
    expect(await a.models.Product.exists({ productId: "from-page" })).toBeNull();
    // From a server (no Origin) the same key works, and the shop allows its admin site.
    const set = await a.gql(`mutation { setAllowedOrigins(origins: ["https://admin.shop.example"]) }`);
    expect(set.data).toEqual({ setAllowedOrigins: ["https://admin.shop.example"] });
    const allowed = await post(a, write, { origin: "https://admin.shop.example" });
    expect(((await allowed.json()) as any).data.putProduct.id).toBe("from-page");
    const stillRefused = await post(a, { query: "{ shop { id } }" }, { origin: "https://evil.example" });
    expect(((await stillRefused.json()) as any).errors[0].extensions.code).toBe("ORIGIN_NOT_ALLOWED");
    // Starling's own pages (the playground) are same-origin.
    const own = await post(a, { query: "{ shop { id } }" }, { origin: a.url });
    expect(((await own.json()) as any).data.shop.id).toBe(a.shop.id);
  });

  it("takes only exact https origins as the setting", async () => {
    for (const bad of ["*", "https://*.shop.example", "http://shop.example", "https://shop.example/admin", "javascript:alert(1)"]) {
      const r = await a.gql(`mutation($o: [String!]!) { setAllowedOrigins(origins: $o) }`, { o: [bad] });
      expect(r.errors?.[0]?.extensions, bad).toMatchObject({ code: "INVALID_INPUT", field: "origins" });
    }
    expect(await a.models.Shop.findById(a.shop.id).lean()).toMatchObject({ allowedOrigins: ["https://admin.shop.example"] });
  });
});

describe("smaller edges", () => {
  let a: TestApi;
  beforeAll(async () => {
    a = await api();
    await a.gql(`mutation { putProduct(input: { id: "mug", name: "Mug" }) { id } }`);
  });

  it("FORBIDDEN names the scope as the ApiKeyScope enum spells it, in the message and in requiredScopes", async () => {
    const r = await a.gql(`{ product(id: "mug") { reviews(status: [PENDING]) { totalCount } } }`, {}, a.shop.publishableKey);
    expect(r.errors?.[0]?.extensions).toMatchObject({ code: "FORBIDDEN", requiredScopes: ["REVIEWS_MODERATE"] });
    expect(r.errors?.[0]?.message).toContain("REVIEWS_MODERATE");
    expect(r.errors?.[0]?.message).not.toContain("reviews:moderate");
    const enumValues = await a.gql(`{ __type(name: "ApiKeyScope") { enumValues { name } } }`);
    expect(enumValues.data.__type.enumValues.map((v: { name: string }) => v.name)).toContain("REVIEWS_MODERATE");
  });

  it("answers a body of a type GraphQL does not read with 415, a JSON body and a code", async () => {
    const res = await fetch(`${a.url}/graphql`, {
      method: "POST",
      headers: { "content-type": "text/plain", authorization: `Bearer ${a.shop.key}` },
      body: "{ shop { id } }",
    });
    expect(res.status).toBe(415);
    expect(res.headers.get("content-type")).toMatch(/^application\/json/);
    expect(((await res.json()) as any).errors[0].extensions.code).toBe("UNSUPPORTED_MEDIA_TYPE");
  });

  it("refuses stars: [] with INVALID_INPUT instead of an empty page", async () => {
    const r = await a.gql(`{ product(id: "mug") { reviews(stars: []) { totalCount } } }`);
    expect(r.errors?.[0]?.extensions).toMatchObject({ code: "INVALID_INPUT", field: "stars" });
  });

  it.each([
    ["zero-width spaces", "\u200B\u200B"],
    ["word joiner", "\u2060"],
    ["byte order mark", "\uFEFF"],
    ["a mix with spaces and a soft hyphen", " \u200B \u00AD\u2060\uFEFF "],
    ["Hangul fillers", "\u3164\u115F"],
  ])("refuses a reviewer name and a title made only of invisible characters (%s)", async (_label, invisible) => {
    const before = await a.models.Review.countDocuments();
    const name = await a.gql(SUBMIT, { input: review("mug", 5, { reviewer: { name: invisible } }) });
    expect(name.errors?.[0]?.extensions).toMatchObject({ code: "INVALID_INPUT", field: "reviewer.name" });
    const title = await a.gql(SUBMIT, { input: review("mug", 5, { title: invisible }) });
    expect(title.errors?.[0]?.extensions).toMatchObject({ code: "INVALID_INPUT", field: "title" });
    expect(await a.models.Review.countDocuments()).toBe(before);
  });

  it("still takes names with invisible characters between visible ones (joiners in emoji and scripts)", async () => {
    const r = await a.gql(SUBMIT, { input: review("mug", 5, { reviewer: { name: "Ana\u200D👩‍🔧" }, title: "Gut\u00ADe Tasse" }) });
    expect(r.errors).toBeUndefined();
  });
});

describe("conditional GETs", () => {
  let a: TestApi;
  const QUERY = `{ product(id: "lamp") { id name } }`;
  const get = (headers: Record<string, string> = {}) =>
    fetch(`${a.url}/graphql?query=${encodeURIComponent(QUERY)}`, {
      headers: { accept: "application/graphql-response+json", authorization: `Bearer ${a.shop.publishableKey}`, ...headers },
    });
  beforeAll(async () => {
    a = await api({ getAnswerMemoryMs: 600_000, rateRequestsPerMinutePerIp: 4 });
    await a.gql(`mutation { putProduct(input: { id: "lamp", name: "Lamp" }) { id } }`); // 1 of the 4
  });

  it("If-None-Match: * gets the answer, never a 304 for a remembered one; and every 304 spends the per-IP budget", async () => {
    const first = await get(); // 2 of 4
    expect(first.status).toBe(200);
    const etag = first.headers.get("etag")!;
    expect(etag).toBeTruthy();
    const star = await get({ "if-none-match": "*" }); // 3 of 4
    expect(star.status).toBe(200);
    expect(((await star.json()) as any).data.product.name).toBe("Lamp");
    const confirmed = await get({ "if-none-match": etag }); // 4 of 4: a 304, counted
    expect(confirmed.status).toBe(304);
    const over = await get({ "if-none-match": etag });
    expect(over.status).toBe(429);
  });
});

describe("the client address behind a proxy", () => {
  const req = (xff: string | string[] | undefined, socket = "10.0.0.2") =>
    ({
      headers: xff === undefined ? {} : { "x-forwarded-for": xff },
      socket: { remoteAddress: socket },
    }) as never;

  it("is the entry the proxy appended, not the client-written left-most one", () => {
    expect(clientIp(req("6.6.6.6, 203.0.113.7"), 1)).toBe("203.0.113.7");
    expect(clientIp(req("6.6.6.6, 203.0.113.7, 10.0.0.9"), 2)).toBe("203.0.113.7");
    expect(clientIp(req(["6.6.6.6", "203.0.113.7"]), 1)).toBe("203.0.113.7");
    // Fewer entries than proxies: not through all of them; the socket is what is known.
    expect(clientIp(req("203.0.113.7"), 2)).toBe("10.0.0.2");
    // Without a trusted proxy the header is ignored.
    expect(clientIp(req("6.6.6.6"), 0)).toBe("10.0.0.2");
  });

  it("cannot be varied by the client to escape the per-IP limit", async () => {
    const a = await api({ trustProxyHops: 1, rateRequestsPerMinutePerIp: 3 });
    const statuses: number[] = [];
    for (let i = 0; i < 5; i++) {
      // The client writes a new address each time; the proxy appends the one it saw.
      const res = await post(a, { query: "{ shop { id } }" }, { "x-forwarded-for": `198.51.100.${i}, 203.0.113.7` });
      statuses.push(res.status);
    }
    expect(statuses).toEqual([200, 200, 200, 429, 429]);
    // Another real client (another proxy-appended address) has its own budget.
    expect((await post(a, { query: "{ shop { id } }" }, { "x-forwarded-for": "203.0.113.8" })).status).toBe(200);
  });
});
