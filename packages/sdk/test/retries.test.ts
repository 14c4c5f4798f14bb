import { afterEach, describe, expect, it } from "vitest";
import {
  APIConnectionError,
  APIConnectionTimeoutError,
  AuthenticationError,
  ConflictError,
  createClient,
  InternalServerError,
  InvalidInputError,
  RateLimitError,
} from "../src/index.js";
import { parseRetryAfter, retryDelay } from "../src/client.js";
import { productsAnswer, startLocalServer, type LocalServer, type Reply } from "./local-server.js";

let server: LocalServer | undefined;
afterEach(async () => server?.close());

// Short backoff so the tests run quickly; what is asserted is which attempts happen, not when.
const FAST = { retryDelayMs: 5, maxRetryDelayMs: 20 };

const submitted: Reply = {
  json: {
    data: {
      submitReview: {
        replayed: false,
        review: {
          id: "rev_1",
          productId: "p1",
          rating: 5,
          title: "T",
          body: "B",
          reviewer: { name: "Ana" },
          language: null,
          provenance: "ORGANIC",
          status: "PUBLISHED",
          reply: null,
          createdAt: "2026-11-27T00:00:00.000Z",
        },
        product: { id: "p1", name: "P1", rating: null },
      },
    },
  },
};
const review = { productId: "p1", rating: 5, title: "T", body: "B", reviewer: { name: "Ana" } };

describe("retries", () => {
  it("retries a read after 503 twice, then succeeds", async () => {
    server = await startLocalServer((req, i) => (i < 2 ? { status: 503, json: { errors: [{ message: "down" }] } } : productsAnswer(req)));
    const client = createClient({ endpoint: server.url, key: "pk_test", ...FAST });
    expect((await client.products.rating("p1"))?.id).toBe("p1");
    expect(server.received).toHaveLength(3);
  });

  it("gives up after maxRetries with InternalServerError carrying status and request id", async () => {
    server = await startLocalServer(() => ({ status: 502, json: { errors: [{ message: "bad gateway" }] } }));
    const client = createClient({ endpoint: server.url, key: "pk_test", maxRetries: 2, ...FAST });
    const err = await client.products.rating("p1").catch((e) => e);
    expect(err).toBeInstanceOf(InternalServerError);
    expect(err).toMatchObject({ status: 502, requestId: "req-3" });
    expect(server.received).toHaveLength(3);
  });

  it("retries a write after 500 with the same idempotency key, made once per call", async () => {
    server = await startLocalServer((_req, i) => (i === 0 ? { status: 500, json: { errors: [{ message: "boom" }] } } : submitted));
    const client = createClient({ endpoint: server.url, key: "pk_test", ...FAST });
    await client.reviews.submit(review);
    await client.reviews.submit(review);
    const keys = server.received.map((r) => r.variables.input.idempotencyKey);
    expect(keys).toHaveLength(3);
    expect(keys[0]).toMatch(/^[0-9a-f-]{36}$/);
    expect(keys[1]).toBe(keys[0]);
    expect(keys[2]).not.toBe(keys[0]);
  });

  it("retries a connection reset, then reports APIConnectionError when it persists", async () => {
    server = await startLocalServer(() => "reset");
    const client = createClient({ endpoint: server.url, key: "pk_test", maxRetries: 1, ...FAST });
    await expect(client.products.rating("p1")).rejects.toThrow(APIConnectionError);
    expect(server.received).toHaveLength(2);
  });

  it("reports a 200 that is not a GraphQL answer (a proxy page) as APIConnectionError, after retrying it", async () => {
    server = await startLocalServer(() => ({ json: { hello: "captive portal" } }));
    const client = createClient({ endpoint: server.url, key: "pk_test", maxRetries: 1, ...FAST });
    await expect(client.products.rating("p1")).rejects.toThrow(/without a GraphQL result/);
    expect(server.received).toHaveLength(2);
  });

  it("reports APIConnectionTimeoutError when the API does not answer within timeoutMs", async () => {
    server = await startLocalServer(() => "hang");
    const client = createClient({ endpoint: server.url, key: "pk_test", timeoutMs: 200, maxRetries: 0 });
    await expect(client.products.rating("p1")).rejects.toThrow(APIConnectionTimeoutError);
  });

  it("honours 429 Retry-After, then succeeds", async () => {
    server = await startLocalServer((req, i) =>
      i === 0
        ? {
            status: 429,
            headers: { "retry-after": "0" },
            json: { errors: [{ message: "slow down", extensions: { code: "RATE_LIMITED" } }] },
          }
        : productsAnswer(req),
    );
    const client = createClient({ endpoint: server.url, key: "pk_test", ...FAST });
    expect((await client.products.rating("p1"))?.id).toBe("p1");
    expect(server.received).toHaveLength(2);
  });

  it("does not wait out a Retry-After longer than 60 s: RateLimitError with retryAfterMs", async () => {
    server = await startLocalServer(() => ({
      status: 429,
      headers: { "retry-after": "120" },
      json: { errors: [{ message: "slow down", extensions: { code: "RATE_LIMITED" } }] },
    }));
    const client = createClient({ endpoint: server.url, key: "pk_test", ...FAST });
    const err = await client.products.rating("p1").catch((e) => e);
    expect(err).toBeInstanceOf(RateLimitError);
    expect(err).toMatchObject({ status: 429, code: "RATE_LIMITED", retryAfterMs: 120_000 });
    expect(server.received).toHaveLength(1);
  });

  it("does not retry client errors, and types them by GraphQL code", async () => {
    const errorFor = (code: string, extra = {}): Reply => ({ json: { errors: [{ message: code, extensions: { code, ...extra } }] } });
    const replies = [errorFor("UNAUTHENTICATED"), errorFor("INVALID_INPUT", { field: "title" }), errorFor("IDEMPOTENCY_KEY_REUSED")];
    server = await startLocalServer((_req, i) => replies[i]!);
    const client = createClient({ endpoint: server.url, key: "pk_test", ...FAST });
    const auth = await client.products.rating("p1").catch((e) => e);
    expect(auth).toBeInstanceOf(AuthenticationError);
    expect(auth).toMatchObject({ code: "UNAUTHENTICATED", status: 401, requestId: "req-1" });
    const invalid = await client.reviews.submit(review).catch((e) => e);
    expect(invalid).toBeInstanceOf(InvalidInputError);
    expect(invalid.field).toBe("title");
    await expect(client.reviews.submit(review)).rejects.toThrow(ConflictError);
    expect(server.received).toHaveLength(3);
  });
});

describe("retryDelay", () => {
  const opts = { retryDelayMs: 500, maxRetryDelayMs: 8000 };
  it("doubles from 0.5 s up to 8 s, less at most 25 % jitter", () => {
    const err = new APIConnectionError("x");
    for (const [attempt, full] of [
      [0, 500],
      [1, 1000],
      [3, 4000],
      [4, 8000],
      [6, 8000],
    ] as const) {
      const d = retryDelay(err, attempt, opts)!;
      expect(d).toBeLessThanOrEqual(full);
      expect(d).toBeGreaterThanOrEqual(full * 0.75);
    }
  });

  it("reads Retry-After as seconds, as an HTTP date, and retry-after-ms", () => {
    expect(parseRetryAfter(new Headers({ "retry-after": "3" }))).toBe(3000);
    expect(parseRetryAfter(new Headers({ "retry-after-ms": "250" }))).toBe(250);
    const inTenSeconds = new Date(Date.now() + 10_000).toUTCString();
    expect(parseRetryAfter(new Headers({ "retry-after": inTenSeconds }))).toBeGreaterThan(8_000);
    expect(parseRetryAfter(new Headers({}))).toBeNull();
  });
});

describe("createClient", () => {
  it("rejects a missing endpoint or a key that is not a Starling key", () => {
    expect(() => createClient({ endpoint: "localhost:4000", key: "pk_x" })).toThrow(/endpoint/);
    expect(() => createClient({ endpoint: "http://127.0.0.1:4000", key: "secret" })).toThrow(/key/);
  });
});
