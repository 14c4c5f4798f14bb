import { defineConfig } from "tsup";

export default defineConfig([
  {
    // The library: ESM + CJS + declarations, for bundlers and Node.
    entry: { index: "src/index.ts", widgets: "src/widgets.ts" },
    format: ["esm", "cjs"],
    dts: true,
    clean: false,
    target: "es2020",
    platform: "neutral",
  },
  {
    // One minified file for a <script> tag; exposes window.Starling.
    entry: { "starling-widgets": "src/widget/script.ts" },
    format: ["iife"],
    minify: true,
    target: "es2020",
    platform: "browser",
    outExtension: () => ({ js: ".js" }),
  },
]);
