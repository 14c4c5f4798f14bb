import { afterEach, describe, expect, it } from "vitest";
import { createClient } from "../src/index.js";
import { ratingOf, startLocalServer, type LocalServer } from "./local-server.js";

let server: LocalServer | undefined;
afterEach(async () => server?.close());

/** Serves product "p1" whose average is whatever `current.average` is now. */
async function changingApi(current: { average: number }) {
  server = await startLocalServer((req) => ({
    json: {
      data: {
        shop: { id: "shop_test" },
        products: req.variables.ids.map((id: string) => ({ id, name: id, rating: ratingOf(current.average, 4) })),
      },
    },
  }));
  return server;
}

describe("rating cache", () => {
  // The clock is the client's `now` option, so the test moves time instead of waiting.
  const clock = { ms: 1_000_000 };
  const options = (url: string) => ({
    endpoint: url,
    key: "pk_test",
    cacheTtlMs: 60_000,
    staleWhileRevalidateMs: 300_000,
    now: () => clock.ms,
  });

  it("serves a fresh summary from memory within the TTL", async () => {
    const current = { average: 4.1 };
    const api = await changingApi(current);
    const client = createClient(options(api.url));
    await client.products.rating("p1");
    current.average = 2.0;
    clock.ms += 59_000;
    expect((await client.products.rating("p1"))!.rating.average).toBe(4.1);
    expect(api.received).toHaveLength(1);
  });

  it("serves a stale summary at once and refreshes it in the background", async () => {
    const current = { average: 4.1 };
    const api = await changingApi(current);
    const client = createClient(options(api.url));
    await client.products.rating("p1");
    current.average = 2.0;
    clock.ms += 61_000;
    expect((await client.products.rating("p1"))!.rating.average).toBe(4.1);
    await expect.poll(() => api.received.length).toBe(2);
    await expect.poll(async () => (await client.products.rating("p1"))!.rating.average).toBe(2.0);
    expect(api.received).toHaveLength(2);
  });

  it("waits for a fresh summary once it is older than TTL + stale-while-revalidate", async () => {
    const current = { average: 4.1 };
    const api = await changingApi(current);
    const client = createClient(options(api.url));
    await client.products.rating("p1");
    current.average = 2.0;
    clock.ms += 60_000 + 300_000;
    expect((await client.products.rating("p1"))!.rating.average).toBe(2.0);
    expect(api.received).toHaveLength(2);
  });

  it("keeps the stale summary when the background refresh fails", async () => {
    let fail = false;
    server = await startLocalServer((req) =>
      fail
        ? { status: 500, json: { errors: [{ message: "down" }] } }
        : {
            json: {
              data: {
                shop: { id: "shop_test" },
                products: req.variables.ids.map((id: string) => ({ id, name: id, rating: ratingOf(4.1, 4) })),
              },
            },
          },
    );
    const client = createClient({ ...options(server.url), maxRetries: 0 });
    await client.products.rating("p1");
    fail = true;
    clock.ms += 61_000;
    expect((await client.products.rating("p1"))!.rating.average).toBe(4.1);
    await expect.poll(() => server!.received.length).toBe(2);
    expect((await client.products.rating("p1"))!.rating.average).toBe(4.1);
  });
});
