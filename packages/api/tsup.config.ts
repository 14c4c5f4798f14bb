/**
 * The service's build (`build`; `start` and `demo` run it first, then the
 * built dist/cli.js): the API's sources and the workspace packages it imports
 * (@starling/scoring and @starling/insights, which ship TypeScript) bundled
 * into ES modules, its npm dependencies left to Node. A production process runs
 * no TypeScript loader: tsx's hooks thread alone held about 40 MB of RSS in an
 * idle API (README, Export). Dynamic imports stay separate chunks
 * (`splitting`), so the language models and GraphiQL are still loaded only on
 * first use. Old chunks are not cleaned away: a process started from an
 * earlier build still loads its lazy chunks after a rebuild (their names are
 * hashes of their contents). dist/ must stay two levels below the repository
 * root, as src/ is (REPO_ROOT in src/config.ts).
 */
import { defineConfig } from "tsup";

export default defineConfig({
  entry: ["src/bin.ts", "src/cli.ts", "src/insights-cli-worker.ts"],
  format: "esm",
  platform: "node",
  target: "node20",
  outDir: "dist",
  splitting: true,
  clean: false,
  noExternal: [/^@starling\//],
});
