// Builds the dashboard into dist/: one hashed script and stylesheet, and the
// page that loads them. Run by `pnpm install` (postinstall), so `npm start`
// serves it with no build step at run time. Prints the gzipped size of the
// first load's JavaScript (issue 16's budget: 80 KB).
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
  metafile: true,
  legalComments: "none",
  logLevel: "warning",
});

const outputs = Object.keys(result.metafile.outputs).map((f) => path.relative(path.join(dist, "assets"), path.resolve(f)));
const js = outputs.find((f) => f.endsWith(".js"));
const css = outputs.find((f) => f.endsWith(".css"));
const html = readFileSync(path.join(here, "src/index.html"), "utf8")
  .replace("%SCRIPT%", `/dashboard/assets/${js}`)
  .replace("%STYLE%", `/dashboard/assets/${css}`);
writeFileSync(path.join(dist, "index.html"), html);
const gz = gzipSync(readFileSync(path.join(dist, "assets", js)), { level: 9 }).length;
writeFileSync(path.join(dist, "sizes.json"), JSON.stringify({ js, css, jsGzipBytes: gz }, null, 2));
console.log(`dashboard built: ${js} ${(gz / 1024).toFixed(1)} KB gzipped`);
