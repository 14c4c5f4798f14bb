/**
 * Size budgets on the deterministic build (made by the test run's setup):
 * the client under 6 KB and the widget script under 20 KB, minified and
 * gzipped. `sh scripts/pnpm.sh --filter @starling/sdk size` prints the figures.
 */
import { readFile } from "node:fs/promises";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { BUDGETS, measure } from "../scripts/size.mjs";

const DIST = path.resolve(import.meta.dirname, "../dist");

describe("bundle budgets", () => {
  it("keeps the client under 6 KB and the widget script under 20 KB, min+gzip", async () => {
    const sizes = await measure();
    expect(sizes.client.gzip).toBeLessThan(BUDGETS.client);
    expect(sizes.widgets.gzip).toBeLessThan(BUDGETS.widgets);
  });

  it("builds a client with no imports at all: zero runtime dependencies", async () => {
    for (const file of ["index.js", "index.cjs", "widgets.js"]) {
      const code = await readFile(path.join(DIST, file), "utf8");
      expect(code, file).not.toMatch(/\bfrom\s*["'](?!\.\/)/);
      expect(code, file).not.toMatch(/\brequire\(["'](?!\.\/)/);
    }
  });
});
