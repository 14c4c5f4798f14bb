import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: "scoring",
          include: ["packages/scoring/test/**/*.test.ts"],
        },
      },
      {
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
    ],
  },
});
