/**
 * The SDK as a shop gets it from npm: the tarball that `npm pack` made of
 * packages/sdk (the test run's setup packs it, as `npm publish` would) is
 * installed with npm into an empty project in a temporary folder, offline; the
 * shop's TypeScript (src/) is type-checked against the installed types with
 * tsc and compiled; the compiled code runs against a real Starling, from
 * ESM (import) and from CommonJS (require).
 */
import { execFile } from "node:child_process";
import { cp, mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { createRequire } from "node:module";
import os from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { RATING, review, startTestApi, SUBMIT, type TestApi } from "../../packages/api/test/helpers.js";

const REPO_ROOT = path.resolve(import.meta.dirname, "../..");
const TSC = createRequire(import.meta.url).resolve("typescript/bin/tsc");
const run = promisify(execFile);

let api: TestApi;
let tmp: string;
/** The shop's project: package.json, tsconfig.json, src/ of this example, and @starling/sdk installed from the tarball. */
let shop: string;
let installed: string;

beforeAll(async () => {
  api = await startTestApi();
  await api.gql(`mutation { putProduct(input: { id: "mug", name: "Enamel mug" }) { id } }`);
  for (const [i, stars] of [5, 4, 5].entries()) {
    const res = await api.gql(SUBMIT, { input: review("mug", stars, { idempotencyKey: `npm-${i}`, title: `Mug review ${i}` }) });
    expect(res.errors).toBeUndefined();
  }
  tmp = await mkdtemp(path.join(os.tmpdir(), "starling-npm-install-"));
  shop = path.join(tmp, "shop");
  await cp(path.join(import.meta.dirname, "src"), path.join(shop, "src"), { recursive: true });
  await cp(path.join(import.meta.dirname, "tsconfig.json"), path.join(shop, "tsconfig.json"));
  await writeFile(path.join(shop, "package.json"), JSON.stringify({ name: "shop", private: true, type: "module" }));
  // What a CommonJS project writes (a .cts file compiles to require()): type-checked against the .d.cts types, run on the .cjs build.
  await writeFile(
    path.join(shop, "src/commonjs.cts"),
    [
      `import { createClient, type ProductRating } from "@starling/sdk";`,
      `import { defineElements, renderBadgeHtml } from "@starling/sdk/widgets";`,
      `const starling = createClient({ endpoint: process.env.STARLING_URL ?? "", key: process.env.STARLING_KEY ?? "" });`,
      `starling.products.rating("mug").then((p: ProductRating | null) => console.log(p?.rating.count, typeof defineElements, typeof renderBadgeHtml));`,
      ``,
    ].join("\n"),
  );
  // Offline, with an empty cache of its own: nothing may come from a registry.
  await run("npm", ["install", "--offline", "--no-audit", "--no-fund", "--cache", path.join(tmp, "npm-cache"), inject("sdkTarball")], {
    cwd: shop,
  });
  installed = path.join(shop, "node_modules/@starling/sdk");
});

afterAll(async () => {
  await api?.close();
  if (tmp) await rm(tmp, { recursive: true, force: true });
});

/** tsc takes ~12 s on an idle 2-core machine; many times that while the whole suite runs beside it. */
const TSC_TIMEOUT = 240_000;

/** tsc on the shop's project, once: it type-checks src/ against the installed types and writes dist/. */
let compiling: Promise<{ stdout: string }> | undefined;
const compile = () => (compiling ??= run(process.execPath, [TSC, "-p", "."], { cwd: shop }));

const runShop = (args: string[], key: string) =>
  run(process.execPath, [path.join(shop, "dist/product-page.js"), ...args], {
    cwd: shop,
    env: { ...process.env, STARLING_URL: api.url, STARLING_KEY: key },
  });

describe("examples/npm-install: @starling/sdk from its tarball", () => {
  it("installs with no other package, with its licence, build and types but not its sources", async () => {
    expect((await readdir(path.join(shop, "node_modules"))).filter((f) => !f.startsWith("."))).toEqual(["@starling"]);
    expect(await readdir(path.join(shop, "node_modules/@starling"))).toEqual(["sdk"]);
    const pkg = JSON.parse(await readFile(path.join(installed, "package.json"), "utf8"));
    const source = JSON.parse(await readFile(path.join(REPO_ROOT, "packages/sdk/package.json"), "utf8"));
    expect(pkg).toMatchObject({ name: "@starling/sdk", version: source.version, license: "Apache-2.0", type: "module" });
    expect(pkg.private).toBeUndefined();
    expect(pkg.dependencies ?? {}).toEqual({});
    expect(pkg.peerDependencies).toBeUndefined();
    expect(await readFile(path.join(installed, "LICENSE"), "utf8")).toBe(await readFile(path.join(REPO_ROOT, "LICENSE"), "utf8"));
    expect((await readdir(installed)).sort()).toEqual(["LICENSE", "README.md", "dist", "package.json"]);
    const dist = await readdir(path.join(installed, "dist"));
    expect(dist).toEqual(
      expect.arrayContaining([
        "index.js",
        "index.d.ts",
        "index.cjs",
        "index.d.cts",
        "widgets.js",
        "widgets.d.ts",
        "widgets.cjs",
        "widgets.d.cts",
        "starling-widgets.js",
      ]),
    );
  });

  it(
    "type-checks the shop's TypeScript against the installed types (tsc, NodeNext)",
    async () => {
      const { stdout } = await compile();
      expect(stdout).toBe("");
      expect(await readdir(path.join(shop, "dist"))).toEqual(expect.arrayContaining(["product-page.js", "commonjs.cjs"]));
    },
    TSC_TIMEOUT,
  );

  it(
    "rejects wrong calls at compile time: the installed types are real, not any",
    async () => {
      await compile();
      const wrong = path.join(shop, "src/wrong.ts");
      await writeFile(
        wrong,
        [
          `import { createClient, renderBadgeHtml } from "@starling/sdk";`,
          `import { mountBadge } from "@starling/sdk/widgets";`,
          `const starling = createClient({ endpoint: "http://127.0.0.1:4000", key: "pk_x" });`,
          `const product = await starling.products.rating(42);`,
          `renderBadgeHtml(product, { lang: "fr" });`,
          `mountBadge(document.body, starling, "mug", { lang: "de", colour: "red" });`,
          `export const average: string | undefined = product?.rating.average;`,
          ``,
        ].join("\n"),
      );
      try {
        const failed = await run(process.execPath, [TSC, "-p", ".", "--noEmit"], { cwd: shop }).then(
          () => null,
          (e: { code: number; stdout: string }) => e,
        );
        expect(failed?.code).toBe(2);
        const errors = failed!.stdout.split("\n").filter((l) => l.startsWith("src/wrong.ts"));
        expect(errors.map((l) => /^src\/wrong\.ts\((\d+),\d+\): error (TS\d+)/.exec(l)?.slice(1).join(" "))).toEqual([
          "4 TS2345", // a number where a product id (string) belongs
          "5 TS2322", // a language the widgets do not speak
          "6 TS2353", // an option that does not exist
          "7 TS2322", // the average is a number
        ]);
      } finally {
        await rm(wrong);
      }
    },
    TSC_TIMEOUT,
  );

  it(
    "runs against a running Starling: the JSON-LD and the badge carry the database's rating",
    async () => {
      await compile();
      const { data } = await api.gql(RATING, { id: "mug" });
      const { count, average } = data.product.rating as { count: number; average: number };
      expect(count).toBe(3);
      const { stdout } = await runShop(["mug"], api.shop.publishableKey);
      const [head, badge, ...rest] = stdout.trimEnd().split("\n");
      expect(rest).toEqual([]);
      const ld = JSON.parse(/^<script type="application\/ld\+json">(.*)<\/script>$/.exec(head!)![1]!);
      expect(ld).toMatchObject({
        "@type": "Product",
        name: "Enamel mug",
        aggregateRating: { ratingValue: Math.round(average * 10) / 10, ratingCount: 3 },
      });
      expect(ld.review.map((r: { name: string }) => r.name)).toEqual(["Mug review 2", "Mug review 1", "Mug review 0"]);
      expect(badge).toMatch(/^<span class="starling-badge" data-starling-product="mug"><template shadowrootmode="open">/);
      expect(badge).toContain(`aria-label="${average.toFixed(1)} out of 5, 3 ratings · `);

      const missing = await runShop(["no-such-product"], api.shop.publishableKey);
      expect(missing.stdout).toBe("<!-- no product no-such-product at Starling -->\n");
    },
    TSC_TIMEOUT,
  );

  it(
    "reports the API's typed error from the installed package (instanceof works) and exits 1",
    async () => {
      await compile();
      const failed = await runShop(["mug"], "pk_wrong").catch((e) => e);
      expect(failed.code).toBe(1);
      expect(failed.stderr).toMatch(/^AuthenticationError UNAUTHENTICATED: .+ \(request [0-9a-f-]{36}\)\n$/);
    },
    TSC_TIMEOUT,
  );

  it(
    "works from CommonJS too: require() gets the CJS build and its own types, and talks to the API",
    async () => {
      await compile();
      const compiled = await readFile(path.join(shop, "dist/commonjs.cjs"), "utf8");
      expect(compiled).toContain(`require("@starling/sdk")`);
      const { stdout } = await run(process.execPath, [path.join(shop, "dist/commonjs.cjs")], {
        cwd: shop,
        env: { ...process.env, STARLING_URL: api.url, STARLING_KEY: api.shop.publishableKey },
      });
      expect(stdout).toBe("3 function function\n");
      const resolved = await run(
        process.execPath,
        ["-p", `[require.resolve("@starling/sdk"), require.resolve("@starling/sdk/starling-widgets.js")].join(" ")`],
        { cwd: shop },
      );
      expect(resolved.stdout.trim()).toBe(`${path.join(installed, "dist/index.cjs")} ${path.join(installed, "dist/starling-widgets.js")}`);
    },
    TSC_TIMEOUT,
  );
});
