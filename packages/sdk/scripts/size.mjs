// Prints the SDK's bundle sizes, minified and gzipped, and fails (exit 1) over budget:
//   client (createClient and everything it pulls in) < 6 KB, widget script < 20 KB.
// Run: sh scripts/pnpm.sh --filter @starling/sdk size   (builds first)
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { gzipSync } from "node:zlib";

const root = path.dirname(path.dirname(fileURLToPath(import.meta.url)));
// esbuild comes with tsup (a root devDependency); borrow tsup's copy.
const require = createRequire(import.meta.url);
const esbuild = createRequire(require.resolve("tsup"))("esbuild");

export const BUDGETS = { client: 6 * 1024, widgets: 20 * 1024 };

async function minified(contents) {
  const out = await esbuild.build({
    stdin: { contents, resolveDir: root, loader: "ts" },
    bundle: true,
    minify: true,
    format: "esm",
    target: "es2020",
    write: false,
    logLevel: "silent",
  });
  return out.outputFiles[0].contents;
}

export async function measure() {
  const client = await minified('export { createClient } from "./src/index.ts";');
  const everything = await minified('export * from "./src/index.ts";');
  const widgets = readFileSync(path.join(root, "dist/starling-widgets.js"));
  const gz = (b) => gzipSync(b, { level: 9 }).length;
  return {
    client: { min: client.length, gzip: gz(client) },
    sdk: { min: everything.length, gzip: gz(everything) },
    widgets: { min: widgets.length, gzip: gz(widgets) },
  };
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const sizes = await measure();
  const kb = (n) => `${(n / 1024).toFixed(2)} KB`;
  const line = (name, s, budget) =>
    `${name.padEnd(40)} ${kb(s.min).padStart(9)} min  ${kb(s.gzip).padStart(8)} min+gzip${budget ? `  (budget ${kb(budget)})` : ""}`;
  console.log(line("client: createClient", sizes.client, BUDGETS.client));
  console.log(line("whole SDK entry (+ JSON-LD, badge HTML)", sizes.sdk));
  console.log(line("widget script: dist/starling-widgets.js", sizes.widgets, BUDGETS.widgets));
  if (sizes.client.gzip >= BUDGETS.client || sizes.widgets.gzip >= BUDGETS.widgets) {
    console.error("over budget");
    process.exit(1);
  }
}
