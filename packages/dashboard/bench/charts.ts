/**
 * uPlot against Observable Plot, for the dashboard's charts (issue 16): the
 * gzipped size of a minified bundle that draws the overview's chart (two
 * lines over weekly points), and the time to draw it in Chromium, median of
 * RUNS draws after a warm-up. Run: npx tsx packages/dashboard/bench/charts.ts
 */
import { build } from "esbuild";
import { readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { gzipSync } from "node:zlib";
import { launchChromium } from "../../api/test/browser.js";

const here = path.dirname(fileURLToPath(import.meta.url));
const POINTS = Number(process.env.POINTS ?? 520); // ten years of weeks
const RUNS = Number(process.env.RUNS ?? 30);

const data = `
  const n = ${POINTS};
  const x = Array.from({ length: n }, (_, i) => 1.6e9 + i * 604800);
  const a = x.map((_, i) => 4 + Math.sin(i / 20) * 0.3);
  const b = x.map((_, i) => 4.2 + Math.cos(i / 17) * 0.4);
`;

const entries: Record<string, string> = {
  uplot: `import uPlot from "uplot";
    ${data}
    window.draw = () => { const el = document.createElement("div"); document.body.append(el);
      const u = new uPlot({ width: 720, height: 240, scales: { x: { time: true } }, series: [{}, { stroke: "blue" }, { stroke: "orange" }] }, [x, a, b], el);
      return () => { u.destroy(); el.remove(); }; };`,
  plot: `import * as Plot from "@observablehq/plot";
    ${data}
    window.draw = () => { const rows = x.map((t, i) => ({ t: new Date(t * 1000), a: a[i], b: b[i] }));
      const el = Plot.plot({ width: 720, height: 240, marks: [Plot.lineY(rows, { x: "t", y: "a", stroke: "blue" }), Plot.lineY(rows, { x: "t", y: "b", stroke: "orange" })] });
      document.body.append(el); return () => el.remove(); };`,
};

const browser = await launchChromium();
console.log(`| library | version | min+gzip | draw ${POINTS} weeks × 2 lines, median of ${RUNS} |`);
console.log("|---|---|---|---|");
for (const [name, source] of Object.entries(entries)) {
  const out = await build({
    stdin: { contents: source, resolveDir: here, loader: "ts" },
    bundle: true,
    minify: true,
    format: "iife",
    write: false,
    legalComments: "none",
    logLevel: "error",
  });
  const js = out.outputFiles[0]!.text;
  const gz = gzipSync(js, { level: 9 }).length;
  const page = await browser.newPage();
  await page.setContent("<!doctype html><body></body>");
  await page.addScriptTag({ content: js });
  const times = await page.evaluate(async (runs) => {
    const w = window as unknown as { draw: () => () => void };
    for (let i = 0; i < 5; i++) w.draw()();
    const t: number[] = [];
    for (let i = 0; i < runs; i++) {
      const start = performance.now();
      const done = w.draw();
      // uPlot draws in a microtask after construction; Plot draws synchronously. Let
      // microtasks run, then force layout, so both are timed through a drawn chart.
      for (let k = 0; k < 3; k++) await Promise.resolve();
      void document.body.offsetHeight;
      t.push(performance.now() - start);
      done();
    }
    return t.sort((x, y) => x - y);
  }, RUNS);
  await page.close();
  const pkg = name === "uplot" ? "uplot" : "@observablehq/plot";
  const version = (JSON.parse(readFileSync(path.join(here, "../package.json"), "utf8")) as { devDependencies: Record<string, string> })
    .devDependencies[pkg];
  console.log(`| ${pkg} | ${version} | ${(gz / 1024).toFixed(1)} KB | ${times[Math.floor(times.length / 2)]!.toFixed(1)} ms |`);
}
await browser.close();
