/** The example as a user runs it: `node ratings.mjs <ids>` against a real Starling. */
import { execFile } from "node:child_process";
import path from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { review, startTestApi, SUBMIT, type TestApi } from "../../packages/api/test/helpers.js";

const SCRIPT = path.join(import.meta.dirname, "ratings.mjs");
let api: TestApi;

beforeAll(async () => {
  api = await startTestApi();
  await api.gql(`mutation { putProduct(input: { id: "mug", name: "Mug" }) { id } }`);
  for (const [i, stars] of [5, 5, 4].entries()) await api.gql(SUBMIT, { input: review("mug", stars, { idempotencyKey: `ns-${i}` }) });
});
afterAll(async () => api?.close());

const run = (args: string[], key: string) =>
  promisify(execFile)(process.execPath, [SCRIPT, ...args], { env: { ...process.env, STARLING_URL: api.url, STARLING_KEY: key } });

describe("examples/node-script", () => {
  it("prints each product's review count, rating, interval and plain mean", async () => {
    const { stdout } = await run(["mug", "nope"], api.shop.publishableKey);
    const lines = stdout.trim().split("\n");
    expect(lines[0]).toMatch(/^product\s+reviews rating\s+95% interval\s+plain mean$/);
    expect(lines[1]).toMatch(/^mug\s+3\s+\d\.\d\d\s+\d\.\d\d–\d\.\d\d\s+4\.67$/);
    expect(lines[2]).toMatch(/^nope\s+\(no such product\)$/);
  });

  it("prints the SDK's typed error and exits 1 for a wrong key", async () => {
    const err = await run(["mug"], "pk_wrong").catch((e) => e);
    expect(err.code).toBe(1);
    expect(err.stderr).toMatch(/^AuthenticationError UNAUTHENTICATED: .+ \(request [0-9a-f-]{36}\)\n$/);
  });
});
