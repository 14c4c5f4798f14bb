// Builds the dashboard into dist/: a hashed entry script and stylesheet, the
// page that loads them, and chunks that only some pages load (the import
// page and its CSV parser). Run by `pnpm install` (postinstall), so `npm start`
// serves it with no build step at run time. Prints the gzipped size of the
// first load's JavaScript: the entry and every chunk it imports statically
// (issue 16's budget: 80 KB); lazily loaded chunks are listed apart.
import { build } from "esbuild";
import { mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { gzipSync } from "node:zlib";

const here = path.dirname(fileURLToPath(import.meta.url));
const dist = path.join(here, "dist");
rmSync(dist, { recursive: true, force: true });
mkdirSync(path.join(dist, "assets"), { recursive: true });

const result = await build({
  entryPoints: [path.join(here, "src/main.ts")],
  bundle: true,
  minify: true,
  format: "esm",
  target: "es2020",
  outdir: path.join(dist, "assets"),
  entryNames: "[name]-[hash]",
  chunkNames: "[name]-[hash]",
  splitting: true,
  metafile: true,
  legalComments: "none",
  logLevel: "warning",
});

const assets = path.join(dist, "assets");
const rel = (f) => path.relative(assets, path.resolve(f));
const outputs = result.metafile.outputs;
const entry = Object.keys(outputs).find((f) => outputs[f].entryPoint && f.endsWith(".js"));
const js = rel(entry);
const css = rel(outputs[entry].cssBundle ?? Object.keys(outputs).find((f) => f.endsWith(".css")));
// The first load: the entry and, transitively, what it imports statically.
const first = new Set();
const visit = (f) => {
  if (first.has(f)) return;
  first.add(f);
  for (const i of outputs[f].imports) if (i.kind === "import-statement" && outputs[i.path]) visit(i.path);
};
visit(entry);
const gzip = (f) => gzipSync(readFileSync(path.resolve(f)), { level: 9 }).length;
const html = readFileSync(path.join(here, "src/index.html"), "utf8")
  .replace("%SCRIPT%", `/dashboard/assets/${js}`)
  .replace("%STYLE%", `/dashboard/assets/${css}`);
writeFileSync(path.join(dist, "index.html"), html);
const gz = [...first].reduce((sum, f) => sum + gzip(f), 0);
const lazy = Object.fromEntries(
  Object.keys(outputs)
    .filter((f) => f.endsWith(".js") && !first.has(f))
    .map((f) => [rel(f), gzip(f)]),
);
writeFileSync(
  path.join(dist, "sizes.json"),
  JSON.stringify({ js, css, firstLoad: [...first].map(rel), jsGzipBytes: gz, lazyGzipBytes: lazy }, null, 2),
);
console.log(
  `dashboard built: ${js} first load ${(gz / 1024).toFixed(1)} KB gzipped; loaded later: ${
    Object.entries(lazy)
      .map(([f, b]) => `${f} ${(b / 1024).toFixed(1)} KB`)
      .join(", ") || "nothing"
  }`,
);
