import { spawn, type ChildProcess } from "node:child_process";
import { randomBytes } from "node:crypto";
import http from "node:http";
import type { AddressInfo } from "node:net";
import path from "node:path";
import { createInterface } from "node:readline";
import { inject, onTestFinished } from "vitest";
import { REPO_ROOT, loadConfig, type Config } from "../src/config.js";
import { connect, ensureIndexes } from "../src/db/connection.js";
import { bindModels, type Models } from "../src/features/models.js";
import { putProduct } from "../src/features/products/products.js";
import { createShop } from "../src/features/shops/shops.js";
import { createLogger, type Logger } from "../src/log.js";
import { startStarling, type Starling } from "../src/starling.js";
import { createDeps } from "../src/create-deps.js";
import type { Deps } from "../src/features/deps.js";

export const API_DIR = path.join(REPO_ROOT, "packages/api");

export function uniqueDbName(label: string): string {
  return `t_${label}_${randomBytes(4).toString("hex")}`;
}

export function testConfig(overrides: Partial<Config> = {}): Config {
  return {
    ...loadConfig({ NODE_ENV: "test" }),
    port: 0,
    mongodbUri: inject("mongoUri"),
    dbName: uniqueDbName("api"),
    logLevel: "error",
    // Tests send hundreds of requests from one address in seconds; the
    // rate-limit tests set their own small limits.
    rateRequestsPerMinutePerIp: 1_000_000,
    rateRequestsPerMinutePerKey: 1_000_000,
    rateCostPerMinutePerKey: 1_000_000_000,
    rateFormPerHourPerIp: 1_000_000,
    rateReviewsPerDayPerReviewer: 1_000_000,
    rateVotesPerHourPerIp: 1_000_000,
    ...overrides,
  };
}

/** Log lines kept in memory, so a test can assert what was logged. */
export function memoryLogger(): Logger & { lines: string[] } {
  const lines: string[] = [];
  return Object.assign(
    createLogger("debug", (l) => lines.push(l)),
    { lines },
  );
}

export interface TestApi {
  readonly starling: Starling;
  readonly url: string;
  readonly models: Models;
  /** A shop with its secret key (`key`) and publishable key; more can be made with `newShop`. */
  readonly shop: TestShop;
  newShop(name?: string): Promise<TestShop>;
  gql<T = any>(query: string, variables?: Record<string, unknown>, key?: string | null): Promise<GqlResult<T>>;
  /** What the API logged so far (JSON lines). */
  logLines(): string[];
  close(): Promise<void>;
}

export interface TestShop {
  id: string;
  key: string;
  publishableKey: string;
}

export interface GqlResult<T> {
  status: number;
  data?: T;
  errors?: { message: string; extensions?: { code?: string; field?: string } }[];
}

/** The real API, on a free port, over a database of its own on the test server. */
export async function startTestApi(overrides: Partial<Config> = {}): Promise<TestApi> {
  const config = testConfig(overrides);
  const log = memoryLogger();
  const starling = await startStarling({ config, log });
  const deps = starling.deps;
  const newShop = async (name = "Test shop") => {
    const { shop, secretKey, publishableKey } = await createShop(deps, { name });
    return { id: shop.id, key: secretKey, publishableKey };
  };
  const shop = await newShop();
  return {
    starling,
    url: starling.url,
    models: deps.models,
    shop,
    newShop,
    gql: (query, variables, key = shop.key) => gql(starling.url, query, variables, key),
    logLines: () => log.lines,
    async close() {
      // The API first, workers included: FerretDB's SQLite backend deletes a dropped database's file
      // under queries still reading it, and crashed with SIGBUS when a worker's poll met the drop.
      await starling.close();
      const conn = await connect(config.mongodbUri ?? inject("mongoUri"), config.dbName, 5_000);
      await conn.dropDatabase();
      await conn.close();
    },
  };
}

export async function gql<T>(url: string, query: string, variables?: Record<string, unknown>, key?: string | null): Promise<GqlResult<T>> {
  const headers: Record<string, string> = { "content-type": "application/json", accept: "application/json" };
  if (key) headers.authorization = `Bearer ${key}`;
  const res = await fetch(`${url}/graphql`, { method: "POST", headers, body: JSON.stringify({ query, variables }) });
  const body = (await res.json()) as Omit<GqlResult<T>, "status">;
  return { status: res.status, ...body };
}

/** A direct connection to a test database (on the suite's server unless `uri` names another), bypassing the API. */
export async function openModels(
  dbName: string,
  uri: string = inject("mongoUri"),
): Promise<{ models: Models; deps: Deps; close(): Promise<void> }> {
  const conn = await connect(uri, dbName, 5_000);
  const models = bindModels(conn);
  await ensureIndexes(models);
  return {
    models,
    deps: createDeps(models, 5),
    close: () => conn.close(),
  };
}

/** A shop with one product ("tent"), made directly in `dbName` before an API process starts. */
export async function seedShop(uri: string, dbName: string): Promise<{ shopId: string; key: string }> {
  const conn = await connect(uri, dbName, 5_000);
  const models = bindModels(conn);
  const deps = createDeps(models, 5);
  const { shop, secretKey } = await createShop(deps, { name: "Process shop" });
  await putProduct(deps, shop.id, { id: "tent", name: "Tent" });
  await conn.close();
  return { shopId: shop.id, key: secretKey };
}

/** Polls `check` every 50 ms until it holds or `timeoutMs` passes; returns whether it held. */
export async function until(check: () => boolean | Promise<boolean>, timeoutMs: number): Promise<boolean> {
  const end = Date.now() + timeoutMs;
  while (Date.now() < end) {
    // One check at a time: a database count started on a timer would pile up on a busy machine.
    if (await check()) return true;
    await new Promise((r) => setTimeout(r, 50));
  }
  return check();
}

export const SUBMIT = /* GraphQL */ `
  mutation Submit($input: SubmitReviewInput!) {
    submitReview(input: $input) {
      replayed
      review { id productId rating title body reviewer { name } language createdAt }
    }
  }
`;

export const RATING = /* GraphQL */ `
  query Rating($id: ID!) {
    product(id: $id) {
      id
      rating {
        count average plainMean rankingScore
        credibleInterval { low high level }
        histogram { stars count }
        prior { mean strength reviewCount }
        period { from to }
      }
    }
  }
`;

export function review(productId: string, rating: number, extra: Record<string, unknown> = {}) {
  return {
    productId,
    rating,
    title: `A ${rating}-star review`,
    body: "Written by a test.",
    reviewer: { name: "Test Reviewer" },
    ...extra,
  };
}

export interface Spawned {
  child: ChildProcess;
  stdout: () => string;
  stderr: () => string;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  line(pattern: RegExp, timeoutMs?: number): Promise<RegExpExecArray>;
}

/** The Starling CLI in a child process (tsx), for what only a real process shows: kill -9, SIGTERM, exit codes. */
export function spawnCli(args: string[], env: Record<string, string | undefined>): Spawned {
  return spawnInApi(process.execPath, ["--import", "tsx", "src/bin.ts", ...args], env);
}

/** `command` with `args` in packages/api, its output watched line by line (spawnCli; the service as `start` runs it). */
export function spawnInApi(command: string, args: string[], env: Record<string, string | undefined>): Spawned {
  const child = spawn(command, args, {
    cwd: API_DIR,
    // An undefined value removes the variable (e.g. MONGODB_URI, for the embedded database).
    env: Object.fromEntries(Object.entries({ ...process.env, LOG_LEVEL: "info", ...env }).filter(([, v]) => v !== undefined)),
    stdio: ["ignore", "pipe", "pipe"],
  });
  let out = "";
  let err = "";
  child.stderr!.on("data", (d: Buffer) => (err += d.toString()));
  const lines = createInterface({ input: child.stdout! });
  const waiting: { pattern: RegExp; resolve: (m: RegExpExecArray) => void }[] = [];
  lines.on("line", (l) => {
    out += `${l}\n`;
    for (const w of [...waiting]) {
      const m = w.pattern.exec(l);
      if (m) {
        waiting.splice(waiting.indexOf(w), 1);
        w.resolve(m);
      }
    }
  });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once("exit", (code, signal) => resolve({ code, signal })),
  );
  return {
    child,
    stdout: () => out,
    stderr: () => err,
    exited,
    line(pattern, timeoutMs = 60_000) {
      const seen = out
        .split("\n")
        .map((l) => pattern.exec(l))
        .find(Boolean);
      if (seen) return Promise.resolve(seen);
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`no line ${pattern} within ${timeoutMs} ms; stderr:\n${err}`)), timeoutMs);
        waiting.push({ pattern, resolve: (m) => (clearTimeout(timer), resolve(m)) });
        void exited.then(({ code }) => {
          clearTimeout(timer);
          reject(new Error(`process exited (${code}) before printing ${pattern}; stderr:\n${err}`));
        });
      });
    },
  };
}

/**
 * A webhook receiver on 127.0.0.1 registered as an endpoint of the API's shop for `events`
 * (the API needs `webhooksAllowPrivate`); closed when the test finishes. Events are read here,
 * as a shop receives them: the fan-out takes them off their queue, so reading the queue races it.
 */
export async function receiveWebhooks(api: TestApi, events: string[]): Promise<{ type: string; data: Record<string, unknown> }[]> {
  const received: { type: string; data: Record<string, unknown> }[] = [];
  const hook = http.createServer((req, res) => {
    let body = "";
    req.on("data", (c: Buffer) => (body += c.toString()));
    req.on("end", () => void (received.push(JSON.parse(body)), res.writeHead(200).end()));
  });
  await new Promise<void>((resolve) => hook.listen(0, "127.0.0.1", resolve));
  onTestFinished(() => void hook.close());
  const created = await api.gql(
    `mutation($input: CreateWebhookEndpointInput!) { createWebhookEndpoint(input: $input) { endpoint { id } } }`,
    { input: { url: `http://127.0.0.1:${(hook.address() as AddressInfo).port}/hook`, events } },
  );
  if (created.errors) throw new Error(`webhook endpoint not created: ${JSON.stringify(created.errors)}`);
  return received;
}

/**
 * Observes (never replaces) database calls to see how many are in flight at once: `queries`
 * wraps a model's query method (its `exec`), `calls` an async method such as a raw collection's.
 * `most` is the largest number seen at the same moment; `restore()` puts every method back.
 */
export function overlapProbe() {
  let now = 0;
  const undo: (() => void)[] = [];
  const counted = async <T>(run: () => Promise<T>): Promise<T> => {
    probe.most = Math.max(probe.most, ++now);
    try {
      return await run();
    } finally {
      now--;
    }
  };
  const patch = (target: any, method: string, wrap: (original: any) => any) => {
    const original = target[method];
    target[method] = wrap(original);
    undo.push(() => {
      target[method] = original;
    });
  };
  const probe = {
    most: 0,
    queries(model: unknown, method: string) {
      patch(model, method, (original) => (...args: unknown[]) => {
        const query = original.apply(model, args);
        const exec = query.exec.bind(query);
        query.exec = (...x: unknown[]) => counted(() => exec(...x));
        return query;
      });
    },
    calls(target: unknown, method: string) {
      patch(
        target,
        method,
        (original) =>
          (...args: unknown[]) =>
            counted(() => original.apply(target, args)),
      );
    },
    restore() {
      for (const u of undo.splice(0)) u();
    },
  };
  return probe;
}
