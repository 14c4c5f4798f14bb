/**
 * What an API process loads when it starts, and what it leaves until needed:
 * the language detector's n-gram table (eld), compromise and the lexicons
 * (about 170 MB of RSS), and the bundled GraphiQL (9 MB of source, about 45 MB
 * of heap), so that an API that only serves requests, an export of a million
 * reviews among them, stays well under 200 MB (issue 15). Each is then loaded
 * by its first use: a review to analyse, a visit to the playground.
 */
import { readFileSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, describe, expect, inject, it } from "vitest";
import { SUBMIT, gql, openModels, review, seedShop, spawnCli, uniqueDbName, until } from "./helpers.js";

const RECORDER = fileURLToPath(new URL("./fixtures/record-modules.mjs", import.meta.url));
const LANGUAGE_MODELS = /\/node_modules\/(eld|compromise)\//;
const GRAPHIQL = /\/node_modules\/@graphql-yoga\/render-graphiql\//;

const cleanups: (() => Promise<unknown>)[] = [];
afterAll(async () => {
  for (const c of cleanups.reverse()) await c();
});

describe("the API's start", () => {
  it("loads neither the language models nor GraphiQL; the first review to analyse and the first playground visit do", async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), "starling-modules-"));
    cleanups.push(() => rm(dir, { recursive: true, force: true }));
    const modulesFile = path.join(dir, "modules.txt");
    const loaded = () => readFileSync(modulesFile, "utf8").split("\n").filter(Boolean);

    const dbName = uniqueDbName("startup-modules");
    const { key } = await seedShop(inject("mongoUri"), dbName);
    const api = spawnCli(["serve"], {
      MONGODB_URI: inject("mongoUri"),
      STARLING_DB_NAME: dbName,
      PORT: "0",
      NODE_ENV: "production",
      NODE_OPTIONS: `--import ${RECORDER}`,
      STARLING_MODULES_FILE: modulesFile,
    });
    cleanups.push(async () => api.child.kill("SIGKILL"));
    const url = (await api.line(/^listening (\S+)/))[1]!;

    const atStart = loaded();
    // The recorder sees the API's own modules and the light part of @starling/insights it needs.
    expect(atStart.some((u) => u.endsWith("/packages/api/src/starling.ts"))).toBe(true);
    expect(atStart.some((u) => u.endsWith("/packages/insights/src/counts.ts"))).toBe(true);
    expect(atStart.filter((u) => LANGUAGE_MODELS.test(u) || GRAPHIQL.test(u))).toEqual([]);

    // A review to analyse: the insights worker loads the analysis and stores the review's insight.
    const submitted = await gql<any>(url, SUBMIT, { input: review("tent", 5, { body: "The zipper broke after a week of camping." }) }, key);
    const reviewId = submitted.data.submitReview.review.id as string;
    const db = await openModels(dbName);
    cleanups.push(() => db.close());
    expect(await until(async () => (await db.models.ReviewInsight.findById(reviewId).lean()) !== null, 60_000)).toBe(true);
    expect(loaded().some((u) => LANGUAGE_MODELS.test(u))).toBe(true);

    // The playground still renders, from the bundle loaded now.
    const page = await fetch(`${url}/graphql`, { headers: { accept: "text/html" } });
    expect(page.status).toBe(200);
    expect(await page.text()).toContain("Starling GraphQL playground");
    expect(loaded().some((u) => GRAPHIQL.test(u))).toBe(true);
  });
});
