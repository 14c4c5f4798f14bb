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
  const introspect = async () => {
    const res = await fetch(`${starling.url}/graphql`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ query: getIntrospectionQuery() }),
    });
    return (await res.json()) as { data: IntrospectionQuery };
  };

  it("describes every type, field, argument and enum value", async () => {
    const { data } = await introspect();
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

  it("is non-null where a value always exists, and a root field is nullable so its failure leaves the others' data", async () => {
    const { data } = await introspect();
    const types = new Map(data.__schema.types.map((t) => [t.name, t]));
    const typeOf = (type: string, field: string) => {
      const t = types.get(type);
      const f = t && "fields" in t ? t.fields.find((x) => x.name === field) : undefined;
      if (!f) throw new Error(`${type}.${field} is not in the schema`);
      return f.type;
    };
    // What every client reads and never finds missing.
    const alwaysThere = [
      ["Product", ["id", "name", "rating"]],
      ["Rating", ["count", "average", "effectiveCount", "credibleInterval", "histogram", "prior", "discounted"]],
      ["Review", ["id", "productId", "rating", "title", "body", "createdAt", "reviewer", "provenance", "status", "helpfulVotes"]],
      ["ReviewConnection", ["edges", "pageInfo", "totalCount"]],
      ["ReviewEdge", ["cursor", "node"]],
      ["PageInfo", ["hasNextPage"]],
      ["Question", ["id", "body", "author", "createdAt"]],
      ["Answer", ["id", "body", "author", "helpfulVotes"]],
      ["SubmitReviewPayload", ["review", "product", "replayed"]],
    ] as const;
    const nullable = alwaysThere.flatMap(([type, fields]) =>
      fields.filter((f) => typeOf(type, f).kind !== "NON_NULL").map((f) => `${type}.${f}`),
    );
    expect(nullable).toEqual([]);
    // A list of them holds no nulls either.
    const histogram = typeOf("Rating", "histogram");
    expect(histogram.kind === "NON_NULL" && histogram.ofType.kind === "LIST" && histogram.ofType.ofType.kind).toBe("NON_NULL");
    // Still nullable where a value can be missing.
    for (const [type, field] of [
      ["Rating", "plainMean"],
      ["Review", "language"],
      ["Review", "reply"],
      ["Query", "product"],
    ] as const)
      expect(typeOf(type, field).kind, `${type}.${field}`).not.toBe("NON_NULL");
    // Every root field can fail on its own (the key's scope, a refused input): nullable, so one refusal
    // does not null the whole answer. `products` is a list with a null per missing product, as before.
    const rootNonNull = (["Query", "Mutation"] as const).flatMap((type) => {
      const t = types.get(type)!;
      return "fields" in t
        ? t.fields.filter((f) => f.type.kind === "NON_NULL" && f.name !== "products").map((f) => `${type}.${f.name}`)
        : [];
    });
    expect(rootNonNull).toEqual([]);
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
