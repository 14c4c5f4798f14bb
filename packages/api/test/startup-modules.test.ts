/**
 * What an API process loads when it starts, and what it leaves until needed:
 * the language detector's n-gram table (eld), compromise and the lexicons
 * (about 170 MB of RSS), and the bundled GraphiQL (9 MB of source, about 45 MB
 * of heap), so that an API that only serves requests, an export of a million
 * reviews among them, stays well under 200 MB (issue 15). Each is then loaded
 * by its first use: a review to analyse, a visit to the playground.
 *
 * Production runs the service as `start` does: built by tsup into
 * packages/api/dist, then plain Node with no TypeScript loader (tsx's loader
 * alone held about 35 MB of an idle API's RSS). The build must find what the
 * sources find from where they lie (the repository root, the dashboard's
 * files) and keep what they load lazily loadable.
 */
import { readFileSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, describe, expect, inject, it } from "vitest";
import { REPO_ROOT } from "../src/config.js";
import { API_DIR, SUBMIT, type Spawned, gql, openModels, review, seedShop, spawnCli, spawnInApi, uniqueDbName, until } from "./helpers.js";

const RECORDER = fileURLToPath(new URL("./fixtures/record-modules.mjs", import.meta.url));
const LANGUAGE_MODELS = /\/node_modules\/(eld|compromise)\//;
/** The analysis thread's module: the worker bundle built from source (src/worker-bundle.ts), or the module itself. */
const ANALYSIS_THREAD = /\/starling-workers\/[0-9a-f]+\.mjs$|\/insights-cli-worker\.(ts|js)$/;
const GRAPHIQL = /\/node_modules\/@graphql-yoga\/render-graphiql\//;

const cleanups: (() => Promise<unknown>)[] = [];
afterAll(async () => {
  for (const c of cleanups.reverse()) await c();
});

/** An API started by `spawnApi` with `env` (its database, a free port, production) that records the modules it loads. */
async function startRecorded(label: string, spawnApi: (env: Record<string, string>) => Spawned) {
  const dir = await mkdtemp(path.join(os.tmpdir(), `starling-${label}-`));
  cleanups.push(() => rm(dir, { recursive: true, force: true }));
  const modulesFile = path.join(dir, "modules.txt");
  const dbName = uniqueDbName(label);
  const { key } = await seedShop(inject("mongoUri"), dbName);
  const api = spawnApi({
    MONGODB_URI: inject("mongoUri"),
    STARLING_DB_NAME: dbName,
    PORT: "0",
    NODE_ENV: "production",
    NODE_OPTIONS: `--import ${RECORDER}`,
    STARLING_MODULES_FILE: modulesFile,
  });
  cleanups.push(async () => api.child.kill("SIGKILL"));
  const url = (await api.line(/^listening (\S+)/, 120_000))[1]!;
  const loaded = () => readFileSync(modulesFile, "utf8").split("\n").filter(Boolean);
  return { api, url, key, dbName, loaded, modulesFile };
}

/** A review to analyse: the insights worker loads the analysis and stores the review's insight. */
async function analyseOneReview(url: string, key: string, dbName: string): Promise<void> {
  const submitted = await gql<any>(url, SUBMIT, { input: review("tent", 5, { body: "The zipper broke after a week of camping." }) }, key);
  expect(submitted.errors).toBeUndefined();
  const reviewId = submitted.data.submitReview.review.id as string;
  const db = await openModels(dbName);
  cleanups.push(() => db.close());
  expect(await until(async () => (await db.models.ReviewInsight.findById(reviewId).lean()) !== null, 60_000)).toBe(true);
}

/** The playground renders, from the GraphiQL bundle loaded now. */
async function visitPlayground(url: string, loaded: () => string[]): Promise<void> {
  const page = await fetch(`${url}/graphql`, { headers: { accept: "text/html" } });
  expect(page.status).toBe(200);
  expect(await page.text()).toContain("Starling GraphQL playground");
  expect(loaded().some((u) => GRAPHIQL.test(u))).toBe(true);
}

describe("the API's start", () => {
  it("loads neither the language models nor GraphiQL; the first review to analyse and the first playground visit do", async () => {
    const { url, key, dbName, loaded } = await startRecorded("startup-modules", (env) => spawnCli(["serve"], env));

    const atStart = loaded();
    // The recorder sees the API's own modules and the light part of @starling/insights it needs.
    expect(atStart.some((u) => u.endsWith("/packages/api/src/starling.ts"))).toBe(true);
    expect(atStart.some((u) => u.endsWith("/packages/insights/src/counts.ts"))).toBe(true);
    expect(atStart.filter((u) => LANGUAGE_MODELS.test(u) || GRAPHIQL.test(u))).toEqual([]);

    await analyseOneReview(url, key, dbName);
    // On the analysis thread (src/analysis-threads.ts): its module, into which the worker bundle built from source
    // has the language models bundled; the request thread never loads them.
    expect(loaded().filter((u) => ANALYSIS_THREAD.test(u) || LANGUAGE_MODELS.test(u))).not.toEqual([]);
    await visitPlayground(url, loaded);
  });

  it("by `start` runs the build, no source module and no tsx; it analyses a review, serves the playground and the dashboard, and stops on SIGTERM; its `recompute --rescore` scores on the built thread", async () => {
    // The script as the package manager runs it: sh, with the workspace's tools on the PATH.
    const { scripts } = JSON.parse(readFileSync(path.join(API_DIR, "package.json"), "utf8")) as { scripts: Record<string, string> };
    const { api, url, key, dbName, loaded, modulesFile } = await startRecorded("service-build", (env) =>
      spawnInApi("sh", ["-c", scripts.start!], {
        ...env,
        PATH: `${path.join(REPO_ROOT, "node_modules/.bin")}${path.delimiter}${process.env.PATH}`,
      }),
    );

    // The file also lists the build tool's modules (it runs first, under the same NODE_OPTIONS); none is a source module.
    const atStart = loaded();
    expect(atStart.some((u) => u.endsWith("/packages/api/dist/cli.js"))).toBe(true);
    expect(atStart.filter((u) => /\/packages\/\w+\/src\//.test(u) || /\/node_modules\/tsx\//.test(u))).toEqual([]);
    expect(atStart.filter((u) => GRAPHIQL.test(u))).toEqual([]);

    // The analysis is a chunk of the build of its own (the language models are bundled into it).
    await analyseOneReview(url, key, dbName);
    await visitPlayground(url, loaded);

    // The dashboard's page, found from the build's place as from the sources'.
    const dashboard = await fetch(`${url}/dashboard`);
    expect(dashboard.status).toBe(200);
    expect(await dashboard.text()).toMatch(/<script[^>]+src="\/dashboard\/assets\/[^"]+\.js"/);

    // `exec` in the script: the signal reaches the service itself, which stops gracefully.
    api.child.kill("SIGTERM");
    expect(await api.exited).toEqual({ code: 0, signal: null });

    // `recompute --rescore` from the build: the replay's scoring on its thread, which loads the built worker, no source.
    const before = loaded().length;
    const rescore = spawnInApi(process.execPath, ["dist/cli.js", "recompute", "--rescore"], {
      MONGODB_URI: inject("mongoUri"),
      STARLING_DB_NAME: dbName,
      NODE_OPTIONS: `--import ${RECORDER}`,
      STARLING_MODULES_FILE: modulesFile,
    });
    expect((await rescore.exited).code, rescore.stderr()).toBe(0);
    expect(rescore.stdout()).toMatch(/re-scored 1 reviews of 1 shops with hindsight/);
    const byRescore = loaded().slice(before);
    expect(byRescore.some((u) => u.endsWith("/packages/api/dist/insights-cli-worker.js"))).toBe(true);
    expect(byRescore.filter((u) => /\/packages\/\w+\/src\//.test(u) || /\/node_modules\/tsx\//.test(u))).toEqual([]);
  });
});
