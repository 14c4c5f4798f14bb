/**
 * The playground is where developers meet the API: every part of the schema
 * is described, GraphiQL works offline, and its ready example shows a rating
 * in a real browser.
 */
import os from "node:os";
import path from "node:path";
import { getIntrospectionQuery, type IntrospectionQuery } from "graphql";
import type { Browser } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { demoPlayground, seedDemoShop } from "../src/demo/seed.js";
import { startStarling, type Starling } from "../src/starling.js";
import { launchChromium } from "./browser.js";
import { memoryLogger, testConfig } from "./helpers.js";

let starling: Starling;

beforeAll(async () => {
  starling = await startStarling({ config: testConfig(), log: memoryLogger(), beforeListen: (deps) => demoPlayground(deps) });
});
afterAll(async () => {
  await starling?.db.conn.dropDatabase();
  await starling?.close();
});

describe("schema", () => {
  it("describes every type, field, argument and enum value", async () => {
    const res = await fetch(`${starling.url}/graphql`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ query: getIntrospectionQuery() }),
    });
    const { data } = (await res.json()) as { data: IntrospectionQuery };
    const missing: string[] = [];
    const own = data.__schema.types.filter(
      (t) => !t.name.startsWith("__") && !["String", "Int", "Float", "Boolean", "ID"].includes(t.name),
    );
    expect(own.map((t) => t.name)).toEqual(expect.arrayContaining(["Product", "Rating", "Review", "SubmitReviewInput", "Mutation"]));
    for (const t of own) {
      if (!t.description) missing.push(t.name);
      if (t.kind === "OBJECT") {
        for (const f of t.fields) {
          if (!f.description) missing.push(`${t.name}.${f.name}`);
          for (const a of f.args) if (!a.description) missing.push(`${t.name}.${f.name}(${a.name})`);
        }
      }
      if (t.kind === "INPUT_OBJECT") for (const f of t.inputFields) if (!f.description) missing.push(`${t.name}.${f.name}`);
      if (t.kind === "ENUM") for (const v of t.enumValues) if (!v.description) missing.push(`${t.name}.${v.name}`);
    }
    expect(missing).toEqual([]);
  });
});

describe("demo shop", () => {
  it("is seeded once and reused as it is on the next start", async () => {
    const before = await starling.deps.models.Review.countDocuments({ shopId: "shop_demo" });
    expect(before).toBeGreaterThan(100);
    const again = await seedDemoShop(starling.deps);
    expect(again).toMatchObject({ reused: true, reviews: before });
    expect(await starling.deps.models.Review.countDocuments({ shopId: "shop_demo" })).toBe(before);
  });
});

describe("playground", () => {
  it("is served with its own assets, with no CDN to reach", async () => {
    const res = await fetch(`${starling.url}/graphql`, { headers: { accept: "text/html" } });
    expect(res.status).toBe(200);
    const html = await res.text();
    expect(html).toContain("<title>Starling GraphQL playground</title>");
    expect(html).not.toMatch(/<(script|link)[^>]+(src|href)="https?:/);
  });

  describe("in a real browser", () => {
    let browser: Browser;

    beforeAll(async () => {
      browser = await launchChromium();
    });
    afterAll(async () => {
      await browser?.close();
    });

    it("runs the ready example and shows the product's rating", async () => {
      const page = await browser.newPage();
      const failed: string[] = [];
      page.on("requestfailed", (r) => failed.push(r.url()));
      await page.goto(`${starling.url}/graphql`);
      const run = page.locator(".graphiql-execute-button");
      await run.waitFor({ timeout: 30_000 });
      await run.click();
      const result = page.locator(".result-window");
      await expect.poll(() => result.innerText(), { timeout: 30_000 }).toContain('"average"');
      // The editor renders spaces as non-breaking ones: compare with spacing folded.
      const text = (await result.innerText()).replace(/\s+/g, " ");
      expect(text).toContain('"name": "Enamel camp mug"');
      expect(text).toMatch(/"rating": \{ "count": 3, "average": [34]\.\d+/);
      expect(text).not.toContain("UNAUTHENTICATED");
      await page.screenshot({ path: path.join(os.tmpdir(), "starling-playground.png") });
      expect(failed).toEqual([]);
    });
  });
});
