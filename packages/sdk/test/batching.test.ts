import { afterEach, describe, expect, it } from "vitest";
import { createClient } from "../src/index.js";
import { productsAnswer, startLocalServer, type LocalServer } from "./local-server.js";

let server: LocalServer | undefined;
afterEach(async () => server?.close());

describe("products.rating batching", () => {
  it("sends 50 calls made in the same tick as one request, and gives each caller its own product", async () => {
    server = await startLocalServer(productsAnswer);
    const client = createClient({ endpoint: server.url, key: "pk_test" });
    const ids = Array.from({ length: 50 }, (_, i) => `p${i + 1}`);
    const results = await Promise.all(ids.map((id) => client.products.rating(id)));
    expect(server.received).toHaveLength(1);
    expect(server.received[0]!.variables.ids).toEqual(ids);
    expect(results.map((p) => p?.id)).toEqual(ids);
    expect(results[9]!.rating.average).toBeCloseTo(3.1);
  });

  it("joins calls that follow an await in the same tick", async () => {
    server = await startLocalServer(productsAnswer);
    const client = createClient({ endpoint: server.url, key: "pk_test" });
    const first = client.products.rating("p1");
    await Promise.resolve();
    const second = client.products.rating("p2");
    await Promise.all([first, second]);
    expect(server.received).toHaveLength(1);
  });

  it("asks once for an id requested twice, and answers null for an unknown product", async () => {
    server = await startLocalServer(productsAnswer);
    const client = createClient({ endpoint: server.url, key: "pk_test" });
    const [a, b, missing] = await Promise.all([
      client.products.rating("p7"),
      client.products.rating("p7"),
      client.products.rating("missing-1"),
    ]);
    expect(server.received[0]!.variables.ids).toEqual(["p7", "missing-1"]);
    expect(a).toBe(b);
    expect(missing).toBeNull();
  });

  it("splits more than 100 ids into requests of at most 100 (the API's limit)", async () => {
    server = await startLocalServer(productsAnswer);
    const client = createClient({ endpoint: server.url, key: "pk_test" });
    const ids = Array.from({ length: 150 }, (_, i) => `p${i}`);
    const results = await client.products.ratings(ids);
    expect(server.received.map((r) => r.variables.ids.length)).toEqual([100, 50]);
    expect(results.map((p) => p?.id)).toEqual(ids);
  });

  it("rejects every caller of a failed batch with the API's error", async () => {
    server = await startLocalServer(() => ({ json: { errors: [{ message: "bad key", extensions: { code: "UNAUTHENTICATED" } }] } }));
    const client = createClient({ endpoint: server.url, key: "pk_test" });
    const outcomes = await Promise.allSettled([client.products.rating("p1"), client.products.rating("p2")]);
    expect(outcomes.map((o) => o.status)).toEqual(["rejected", "rejected"]);
    expect(server.received).toHaveLength(1);
  });

  it("rejects a product id that is not a string before sending anything", async () => {
    server = await startLocalServer(productsAnswer);
    const client = createClient({ endpoint: server.url, key: "pk_test" });
    await expect(client.products.rating(42 as unknown as string)).rejects.toThrow(TypeError);
    expect(server.received).toHaveLength(0);
  });
});
