import { createRequire } from "node:module";
import { defineConfig } from "vitest/config";

const require = createRequire(import.meta.url);

export default defineConfig({
  resolve: {
    // graphql 16 has no "exports" map: Node (and so Yoga and Pothos) loads its
    // CommonJS build while Vite would pick the "module" build for our sources,
    // making two GraphQLError classes. One copy, as in production.
    alias: [{ find: /^graphql$/, replacement: require.resolve("graphql", { paths: ["packages/api"] }) }],
  },
  test: {
    projects: [
      {
        extends: true,
        test: {
          name: "scoring",
          include: ["packages/scoring/test/**/*.test.ts"],
          // Some tests score whole timelines (seconds of CPU); on a busy 2-core
          // CI machine vitest's default 5 s fails them without any fault.
          testTimeout: 60_000,
        },
      },
      {
        extends: true,
        test: {
          name: "insights",
          include: ["packages/insights/test/**/*.test.ts"],
          // The benchmark-data tests analyse a few thousand reviews on a shared 2-core machine.
          testTimeout: 300_000,
        },
      },
      {
        extends: true,
        test: {
          name: "api",
          include: ["packages/api/test/**/*.test.ts"],
          // One FerretDB (or the MONGODB_URI server) for the whole run; each test
          // file works in a database of its own.
          globalSetup: ["packages/api/test/global-setup.ts"],
          testTimeout: 60_000,
          hookTimeout: 180_000,
        },
      },
      {
        extends: true,
        test: {
          name: "sdk",
          include: ["packages/sdk/test/**/*.test.ts", "examples/*/*.test.ts"],
          // The api's FerretDB for the end-to-end tests (they start the real
          // API); then one build of the SDK, which the examples and the
          // browser load as a shop would.
          globalSetup: ["packages/api/test/global-setup.ts", "packages/sdk/test/build-setup.ts"],
          testTimeout: 60_000,
          hookTimeout: 180_000,
          // expect.poll waits for a condition (a widget's reload, a background
          // refresh) and returns as soon as it holds; its 1 s default failed the
          // storefront's form test while the whole suite shared 2 busy cores.
          expect: { poll: { timeout: 30_000 } },
        },
      },
    ],
  },
});
