/**
 * Faults under load (issue 5): while clients submit reviews, the database
 * server is killed with SIGKILL and restarted, and then the API process is.
 * The clients do what the API asks of them: a submission that was not
 * acknowledged is retried with the same idempotency key until it is. After
 * recovery every acknowledged review must be stored exactly once, nothing
 * acknowledged lost, the outage answered with a retryable error rather than a
 * hang, and (for the database fault) the same API process serving again
 * without a restart.
 */
import { SUMMARY_TTL_MS } from "../src/features/deps.js";
import { spawn, type ChildProcess } from "node:child_process";
import { mkdtemp, readFile, readdir, rm } from "node:fs/promises";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import { createInterface } from "node:readline";
import { afterAll, describe, expect, inject, it } from "vitest";
import { REPO_ROOT } from "../src/config.js";
import { ensureFerretDBBinary } from "../src/db/embedded-ferretdb.js";
import type { RatingSummaryDoc } from "../src/features/ratings/model.js";
import { productSummaryId, recomputeSummaries, shopSummaryId } from "../src/features/ratings/ratings.js";
import { startStarling, type Starling } from "../src/starling.js";
import { RATING, SUBMIT, gql, memoryLogger, openModels, review, seedShop, spawnCli, testConfig, uniqueDbName } from "./helpers.js";

/** 4 clients × 50 reviews: enough concurrency that the kill lands mid-write, small enough for a busy 2-core machine. */
const CLIENTS = 4;
const REVIEWS_PER_CLIENT = 50;
/** The fault is injected once this many reviews are acknowledged: well inside the run. */
const FAULT_AFTER_ACKS = 60;
/** How long the database stays down: longer than the API's server-selection timeout, so requests meet the outage. */
const DB_OUTAGE_MS = 2_500;
/** An attempt still unanswered after this is a hang. Generous on purpose: this checks "answers at all", not speed. */
const HANG_MS = 20_000;
/** Bounds on the load, so a broken API fails the test instead of looping. */
const MAX_ATTEMPTS_PER_REVIEW = 200;
const LOAD_DEADLINE_MS = 120_000;
/** The retry pause after a refused or dropped connection (the API gives no Retry-After when it is down). */
const RECONNECT_PAUSE_MS = 200;

const API_ENV = {
  STARLING_DB_TIMEOUT_MS: "1000",
  // The load sends a few hundred requests from one address and one reviewer
  // name within seconds; the rate limits have tests of their own.
  STARLING_RATE_REQUESTS_PER_MINUTE_PER_IP: "1000000",
  STARLING_RATE_REQUESTS_PER_MINUTE_PER_KEY: "1000000",
  STARLING_RATE_REVIEWS_PER_DAY_PER_REVIEWER: "1000000",
  // Retries after 503 are expected here; logging each at info would only fill memory.
  LOG_LEVEL: "warn",
};
/**
 * For the kill tests: a count interrupted by a kill is completed after this (the
 * default, 30 s, only makes them slower). Not for a test that wants one
 * submission answered 200: with it, a count slower than half of it (the first
 * write after an outage, on a busy machine) is left to the sweep and its
 * request answered DATABASE_UNAVAILABLE, as designed (failed CI once).
 */
const SHORT_COUNT_GRACE = { STARLING_COUNT_GRACE_MS: "1000" };
/** How long interrupted counts may take to be completed by retries and the sweep (every 5 s): a bound, not an expectation. */
const COUNT_REPAIR_MS = 60_000;

const cleanups: (() => Promise<unknown>)[] = [];
afterAll(async () => {
  for (const c of cleanups.reverse()) await c();
});

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * A loopback port that is free now and outside the kernel's ephemeral range
 * (32768–60999 on Linux): while the database is down, the driver keeps
 * connecting to its port, and a port in the ephemeral range could be taken by
 * one of those very connections (a TCP self-connect), so the restart could not bind it.
 */
async function freeFixedPort(): Promise<number> {
  for (let i = 0; i < 100; i++) {
    const port = 20_000 + Math.floor(Math.random() * 10_000);
    const free = await new Promise<boolean>((resolve) => {
      const probe = net.createServer();
      probe.once("error", () => resolve(false));
      probe.listen(port, "127.0.0.1", () => probe.close(() => resolve(true)));
    });
    if (free) return port;
  }
  throw new Error("no free loopback port in 20000-29999");
}

interface FerretDBProcess {
  readonly child: ChildProcess;
  readonly uri: string;
  readonly exited: Promise<void>;
}

/**
 * A FerretDB server of this test's own on a fixed port and data folder, so it
 * can be SIGKILLed and started again in place, as an operator would restart
 * a crashed database. stdin is a pipe only this process holds (-watch-stdin):
 * if the test run dies, the server exits too.
 */
async function startFerretDB(port: number, dataDir: string): Promise<FerretDBProcess> {
  const bin = await ensureFerretDBBinary(path.join(REPO_ROOT, ".data", "bin"));
  const child = spawn(bin, ["-listen", `127.0.0.1:${port}`, "-data-dir", dataDir, "-watch-stdin", "-log-level", "error"], {
    stdio: ["pipe", "pipe", "pipe"],
  });
  let stderr = "";
  child.stderr!.on("data", (d: Buffer) => (stderr += d.toString()));
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  const uri = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`FerretDB not ready within 30 s; stderr:\n${stderr}`)), 30_000);
    void exited.then(() => {
      clearTimeout(timer);
      reject(new Error(`FerretDB exited before it was ready; stderr:\n${stderr}`));
    });
    createInterface({ input: child.stdout! }).on("line", (line) => {
      if (!line.startsWith("ready ")) return;
      clearTimeout(timer);
      resolve(line.slice("ready ".length).trim());
    });
  });
  return { child, uri, exited };
}

/**
 * A database of the test's own with a shop in it: a FerretDB on a fixed port
 * and a temporary data folder (both dropped after the file), so the test can
 * kill it and start it again in place. `uri` stays the same across restarts.
 */
async function ownDatabase(label: string) {
  const dataDir = await mkdtemp(path.join(os.tmpdir(), `starling-${label}-`));
  cleanups.push(() => rm(dataDir, { recursive: true, force: true }));
  const port = await freeFixedPort();
  let db = await startFerretDB(port, dataDir);
  cleanups.push(async () => {
    db.child.kill("SIGTERM");
    await db.exited;
  });
  const dbName = uniqueDbName(label);
  const { shopId, key } = await seedShop(db.uri, dbName);
  return {
    dbName,
    shopId,
    key,
    get uri() {
      return db.uri;
    },
    /** SIGKILL, as a crash would: returns once the process is gone. */
    async kill() {
      db.child.kill("SIGKILL");
      await db.exited;
    },
    /** Starts it again on the same port and data, as an operator would after a crash. */
    async restart() {
      db = await startFerretDB(port, dataDir);
    },
  };
}

/** What the clients saw, counted per attempt. */
interface LoadReport {
  /** Idempotency key → id of the review the API acknowledged for it. */
  readonly acknowledged: Map<string, string>;
  /** Keys never acknowledged within the bounds (should stay empty). */
  readonly gaveUp: string[];
  attempts: number;
  /** Acknowledgements of a retry whose first attempt had already stored the review (`replayed: true`). */
  replays: number;
  /** 503 with DATABASE_UNAVAILABLE and a Retry-After header: the outage, said clearly. */
  databaseUnavailable: number;
  /** The API could not be reached or dropped the connection (refused, reset). */
  connectionErrors: number;
  /** Attempts not answered within HANG_MS. */
  hangs: number;
  /** Anything else: a status, code or body a client could not act on. */
  readonly unexpected: string[];
}

type Outcome =
  | { kind: "ack"; id: string; replayed: boolean }
  | { kind: "unavailable"; retryAfterS: number }
  | { kind: "connection" }
  | { kind: "hang" }
  | { kind: "unexpected"; detail: string };

async function submitOnce(url: string, key: string, input: Record<string, unknown>): Promise<Outcome> {
  let res: Response;
  let text: string;
  try {
    res = await fetch(`${url}/graphql`, {
      method: "POST",
      headers: { "content-type": "application/json", accept: "application/json", authorization: `Bearer ${key}` },
      body: JSON.stringify({ query: SUBMIT, variables: { input } }),
      signal: AbortSignal.timeout(HANG_MS),
    });
    text = await res.text();
  } catch (err) {
    if (err instanceof Error && err.name === "TimeoutError") return { kind: "hang" };
    // undici's "fetch failed": refused, reset, or the socket closed mid-answer.
    if (err instanceof TypeError) return { kind: "connection" };
    throw err;
  }
  let body: any;
  try {
    body = JSON.parse(text);
  } catch {
    return { kind: "unexpected", detail: `${res.status} ${text.slice(0, 200)}` };
  }
  const submitted = body?.data?.submitReview;
  if (res.status === 200 && submitted) return { kind: "ack", id: submitted.review.id, replayed: submitted.replayed };
  const code = body?.errors?.[0]?.extensions?.code;
  const retryAfter = Number(res.headers.get("retry-after"));
  if (res.status === 503 && code === "DATABASE_UNAVAILABLE" && retryAfter > 0) return { kind: "unavailable", retryAfterS: retryAfter };
  return { kind: "unexpected", detail: `${res.status} ${text.slice(0, 300)}` };
}

/**
 * CLIENTS loops, each submitting REVIEWS_PER_CLIENT reviews one after the
 * other, each with its own idempotency key, to whatever `target()` says is
 * the API now; every review is retried with the same key and payload until
 * acknowledged, pausing for Retry-After when the API gives one.
 */
function runLoad(label: string, target: () => { url: string; key: string }): { report: LoadReport; done: Promise<void> } {
  const report: LoadReport = {
    acknowledged: new Map(),
    gaveUp: [],
    attempts: 0,
    replays: 0,
    databaseUnavailable: 0,
    connectionErrors: 0,
    hangs: 0,
    unexpected: [],
  };
  const deadline = Date.now() + LOAD_DEADLINE_MS;
  const client = async (c: number) => {
    for (let i = 0; i < REVIEWS_PER_CLIENT; i++) {
      const idempotencyKey = `${label}-${c}-${i}`;
      const input = review("tent", 1 + ((c * REVIEWS_PER_CLIENT + i) % 5), { idempotencyKey });
      for (let attempt = 1; ; attempt++) {
        if (attempt > MAX_ATTEMPTS_PER_REVIEW || Date.now() > deadline) {
          report.gaveUp.push(idempotencyKey);
          break;
        }
        const { url, key } = target();
        report.attempts++;
        const out = await submitOnce(url, key, input);
        if (out.kind === "ack") {
          report.acknowledged.set(idempotencyKey, out.id);
          if (out.replayed) report.replays++;
          break;
        }
        if (out.kind === "unavailable") {
          report.databaseUnavailable++;
          await sleep(out.retryAfterS * 1000);
        } else if (out.kind === "connection") {
          report.connectionErrors++;
          await sleep(RECONNECT_PAUSE_MS);
        } else if (out.kind === "hang") {
          report.hangs++;
        } else {
          // Still retried, so the stored data can be checked too; the test fails on these anyway.
          report.unexpected.push(out.detail);
          await sleep(RECONNECT_PAUSE_MS);
        }
      }
    }
  };
  const done = Promise.all(Array.from({ length: CLIENTS }, (_, c) => client(c))).then(() => {});
  return { report, done };
}

/** Resolves once `report` holds `n` acknowledgements (or the load ended first). */
async function acknowledgements(report: LoadReport, n: number, load: Promise<void>): Promise<void> {
  let ended = false;
  void load.then(() => (ended = true));
  while (report.acknowledged.size < n && !ended) await sleep(10);
}

/**
 * The guarantee, read from the database directly: every acknowledged review
 * stored once, nothing stored that was not acknowledged, and the product's
 * and the shop's rating summaries counting every stored review exactly once
 * without `recompute` (a count interrupted by the fault is completed by a
 * retry of its key or by the sweep of pending counts): `recomputeSummaries`
 * afterwards finds nothing to repair.
 */
async function checkStored(opts: { uri: string; dbName: string; shopId: string; report: LoadReport; apiUrl: string; key: string }) {
  const { report } = opts;
  const direct = await openModels(opts.dbName, opts.uri);
  try {
    const stored = await direct.models.Review.find({ shopId: opts.shopId }, { _id: 1, rating: 1 }).lean<
      { _id: string; rating: number }[]
    >();
    const storedIds = stored.map((d) => d._id);
    const storedSet = new Set(storedIds);
    const acknowledgedIds = [...report.acknowledged.values()];
    const lost = acknowledgedIds.filter((id) => !storedSet.has(id));
    const duplicates = storedIds.length - storedSet.size;
    const acknowledgedSet = new Set(acknowledgedIds);
    const unacknowledged = storedIds.filter((id) => !acknowledgedSet.has(id));

    const summaryId = productSummaryId(opts.shopId, "tent");
    const histogram = [1, 2, 3, 4, 5].map((s) => stored.filter((d) => d.rating === s).length);
    const summaries = async () => ({
      product: await direct.models.RatingSummary.findById(summaryId).lean<RatingSummaryDoc>(),
      shop: await direct.models.RatingSummary.findById(shopSummaryId(opts.shopId)).lean<RatingSummaryDoc>(),
    });
    const exact = (d: RatingSummaryDoc | null) => d?.count === stored.length && [d.h1, d.h2, d.h3, d.h4, d.h5].join() === histogram.join();
    // Interrupted counts are completed in the background: wait for that (bounded), never for a fixed time.
    const repairDeadline = Date.now() + COUNT_REPAIR_MS;
    let before = await summaries();
    while (!(exact(before.product) && exact(before.shop)) && Date.now() < repairDeadline) {
      await sleep(200);
      before = await summaries();
    }
    // Reviews claimed for counting, and counts still pending (none once completed).
    const claimed = await direct.models.Review.countDocuments({ shopId: opts.shopId, summaryApplied: true });
    const pendingLeft = await direct.models.PendingCount.countDocuments({ shopId: opts.shopId });
    const repair = await recomputeSummaries(direct.deps);
    const after = await direct.models.RatingSummary.findById(summaryId).lean<RatingSummaryDoc>();
    // The API caches summaries for up to SUMMARY_TTL_MS; a recompute run from
    // another process (as here) shows once that has passed.
    let viaApi = await gql<any>(opts.apiUrl, RATING, { id: "tent" }, opts.key);
    const deadline = Date.now() + SUMMARY_TTL_MS + 5_000;
    while (viaApi.data?.product?.rating?.count !== after?.count && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 200));
      viaApi = await gql<any>(opts.apiUrl, RATING, { id: "tent" }, opts.key);
    }

    const counts = {
      attempts: report.attempts,
      acknowledged: report.acknowledged.size,
      replays: report.replays,
      stored: storedIds.length,
      duplicates,
      lost: lost.length,
      storedButNotAcknowledged: unacknowledged.length,
      databaseUnavailable: report.databaseUnavailable,
      connectionErrors: report.connectionErrors,
      hangs: report.hangs,
      claimedForCounting: claimed,
      pendingCountsLeft: pendingLeft,
      summaryCountBeforeRecompute: before.product?.count ?? 0,
      shopCountBeforeRecompute: before.shop?.count ?? 0,
      summariesRepaired: repair.repaired.length,
    };
    // The counts the issue asks to show; printed so a run can be quoted.
    console.log(`fault counts: ${JSON.stringify(counts)}`);

    expect(report.unexpected, "answers a client could not act on").toEqual([]);
    expect(report.gaveUp, "reviews never acknowledged within the bounds").toEqual([]);
    expect(report.acknowledged.size).toBe(CLIENTS * REVIEWS_PER_CLIENT);
    expect(lost).toEqual([]);
    expect(duplicates).toBe(0);
    // One review per idempotency key: a retry whose first attempt was stored
    // did not add a second review under another id.
    expect(unacknowledged).toEqual([]);
    expect(storedIds.length).toBe(report.acknowledged.size);
    expect(report.hangs).toBe(0);
    // Counted exactly once without recompute: the incremental summaries are what a rebuild gives.
    expect(before.product?.count).toBe(stored.length);
    expect([before.product?.h1, before.product?.h2, before.product?.h3, before.product?.h4, before.product?.h5]).toEqual(histogram);
    expect(before.shop?.count).toBe(stored.length);
    expect(pendingLeft).toBe(0);
    expect(repair.repaired).toEqual([]);
    expect(after?.count).toBe(stored.length);
    expect([after?.h1, after?.h2, after?.h3, after?.h4, after?.h5]).toEqual(histogram);
    expect(viaApi.data.product.rating.count).toBe(stored.length);
    return counts;
  } finally {
    await direct.close();
  }
}

describe("faults under load", () => {
  it("keeps every acknowledged review exactly once when the database server is killed with SIGKILL and restarted", async () => {
    const db = await ownDatabase("faults_db");
    const { dbName, shopId, key } = db;

    const api = spawnCli(["serve"], { ...API_ENV, ...SHORT_COUNT_GRACE, MONGODB_URI: db.uri, STARLING_DB_NAME: dbName, PORT: "0" });
    cleanups.push(async () => api.child.kill("SIGKILL"));
    const url = (await api.line(/^listening (\S+)/))[1]!;

    const load = runLoad("dbkill", () => ({ url, key }));
    await acknowledgements(load.report, FAULT_AFTER_ACKS, load.done);
    expect(load.report.acknowledged.size, "the load ended before the fault").toBeLessThan(CLIENTS * REVIEWS_PER_CLIENT);
    await db.kill();
    await sleep(DB_OUTAGE_MS);
    await db.restart();
    await load.done;

    // Recovered without a restart: the process that met the outage is the one that served the rest.
    expect(api.child.exitCode).toBeNull();
    expect(api.child.signalCode).toBeNull();
    const counts = await checkStored({ uri: db.uri, dbName, shopId, report: load.report, apiUrl: url, key });
    // The outage was said, as a retryable 503, to the requests that met it;
    // the API itself never stopped answering.
    expect(counts.databaseUnavailable).toBeGreaterThan(0);
    expect(counts.connectionErrors).toBe(0);
    const ready = await fetch(`${url}/readyz`, { signal: AbortSignal.timeout(HANG_MS) });
    expect(ready.status).toBe(200);
  }, 180_000);

  it("keeps every acknowledged review exactly once when the API under load is killed with SIGKILL and restarted", async () => {
    const uri = inject("mongoUri");
    const dbName = uniqueDbName("faults_api");
    const { shopId, key } = await seedShop(uri, dbName);
    const env = { ...API_ENV, ...SHORT_COUNT_GRACE, MONGODB_URI: uri, STARLING_DB_NAME: dbName, PORT: "0" };

    const first = spawnCli(["serve"], env);
    cleanups.push(async () => first.child.kill("SIGKILL"));
    // The clients follow the API to its new address, as a load balancer would.
    let url = (await first.line(/^listening (\S+)/))[1]!;

    const load = runLoad("apikill", () => ({ url, key }));
    await acknowledgements(load.report, FAULT_AFTER_ACKS, load.done);
    expect(load.report.acknowledged.size, "the load ended before the fault").toBeLessThan(CLIENTS * REVIEWS_PER_CLIENT);
    first.child.kill("SIGKILL");
    await first.exited;
    const second = spawnCli(["serve"], env);
    cleanups.push(async () => second.child.kill("SIGKILL"));
    url = (await second.line(/^listening (\S+)/))[1]!;
    await load.done;

    const counts = await checkStored({ uri, dbName, shopId, report: load.report, apiUrl: url, key });
    // Requests in flight at the kill, and those sent before the restart,
    // failed at once with a connection error (none hung: checked above).
    expect(counts.connectionErrors).toBeGreaterThan(0);
  }, 180_000);
});

/** Polls `check` until it holds; fails with `what` after `timeoutMs` (a bound for a busy machine, not an expectation). */
async function eventually(what: string, check: () => Promise<boolean>, timeoutMs = 60_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!(await check().catch(() => false))) {
    if (Date.now() > end) throw new Error(`not within ${timeoutMs} ms: ${what}`);
    await sleep(100);
  }
}

/** The embedded FerretDB child of API process `pid`, from /proc (null when it has none). */
async function ferretDBChildOf(pid: number): Promise<number | null> {
  for (const task of await readdir(`/proc/${pid}/task`).catch(() => [] as string[])) {
    const children = await readFile(`/proc/${pid}/task/${task}/children`, "utf8").catch(() => "");
    for (const child of children.split(/\s+/).filter(Boolean)) {
      const cmdline = await readFile(`/proc/${child}/cmdline`, "utf8").catch(() => "");
      // A killed child stays a zombie until reaped; its cmdline is then empty.
      if (cmdline.includes("ferretdb")) return Number(child);
    }
  }
  return null;
}

async function submit(url: string, key: string, input: Record<string, unknown>) {
  const res = await fetch(`${url}/graphql`, {
    method: "POST",
    headers: { "content-type": "application/json", accept: "application/json", authorization: `Bearer ${key}` },
    body: JSON.stringify({ query: SUBMIT, variables: { input } }),
    signal: AbortSignal.timeout(HANG_MS),
  });
  return { status: res.status, retryAfter: res.headers.get("retry-after"), body: (await res.json()) as any };
}

/** The operations the driver started a server selection for, from its log (MONGODB_LOG_SERVER_SELECTION=debug): one line each. */
function selectionsIn(log: string): string[] {
  return log
    .split("\n")
    .filter((l) => l.includes("message: 'Server selection started'"))
    .map((l) => /operation: '(\w+)'/.exec(l)?.[1] ?? "unknown");
}

async function readyz(url: string): Promise<number> {
  return (await fetch(`${url}/readyz`, { signal: AbortSignal.timeout(HANG_MS) })).status;
}

describe("database outages", () => {
  it("restarts its embedded FerretDB when it is killed with SIGKILL, and serves writes and reads again without an API restart", async () => {
    const dataDir = await mkdtemp(path.join(os.tmpdir(), "starling-embedded-"));
    cleanups.push(() => rm(dataDir, { recursive: true, force: true }));
    const dbName = uniqueDbName("embedded");
    const api = spawnCli(["serve"], {
      ...API_ENV,
      // The startup line names the embedded database's address (to seed a shop); and the supervisor's logs.
      LOG_LEVEL: "info",
      MONGODB_URI: undefined,
      STARLING_DATA_DIR: dataDir,
      STARLING_DB_NAME: dbName,
      PORT: "0",
    });
    cleanups.push(async () => {
      api.child.kill("SIGKILL");
      await api.exited;
    });
    const url = (await api.line(/^listening (\S+)/))[1]!;
    const uri = /embedded FerretDB at (mongodb:\/\/[^/]+\/)/.exec(api.stderr())?.[1];
    expect(uri, api.stderr()).toBeDefined();
    const { key } = await seedShop(uri!, dbName);
    expect((await submit(url, key, review("tent", 4, { idempotencyKey: "before-kill" }))).status).toBe(200);

    const first = await ferretDBChildOf(api.child.pid!);
    expect(first, "the API's embedded FerretDB process").not.toBeNull();
    process.kill(first!, "SIGKILL");
    // Ready again means: a new FerretDB process, and the API's database answering through it.
    let second: number | null = null;
    await eventually("a restarted FerretDB and /readyz ok", async () => {
      second = await ferretDBChildOf(api.child.pid!);
      return second !== null && second !== first && (await readyz(url)) === 200;
    });

    const written = await submit(url, key, review("tent", 2, { idempotencyKey: "after-restart" }));
    expect(written.status, JSON.stringify(written.body)).toBe(200);
    expect(written.body.data.submitReview.replayed).toBe(false);
    const read = await gql<any>(url, RATING, { id: "tent" }, key);
    expect(read.errors).toBeUndefined();
    expect(read.data.product.rating.count).toBe(2);
    // The same API process throughout, and the death and the restart are in its log.
    expect(api.child.exitCode).toBeNull();
    expect(api.stderr()).toContain("embedded FerretDB died; restarting it");
    expect(api.stderr()).toContain("embedded FerretDB restarted");
  }, 180_000);

  it("answers DATABASE_UNAVAILABLE with Retry-After without calling the database while it is known down, and serves again once it is back", async () => {
    const db = await ownDatabase("breaker");
    const { dbName, key } = db;
    const api = spawnCli(["serve"], {
      ...API_ENV,
      MONGODB_URI: db.uri,
      STARLING_DB_NAME: dbName,
      PORT: "0",
      // Each database call waits this long for a server when it is not known down.
      STARLING_DB_TIMEOUT_MS: "3000",
      // The driver logs every server selection it starts: how the test sees database calls.
      MONGODB_LOG_SERVER_SELECTION: "debug",
      MONGODB_LOG_PATH: "stderr",
    });
    cleanups.push(async () => {
      api.child.kill("SIGKILL");
      await api.exited;
    });
    const url = (await api.line(/^listening (\S+)/))[1]!;
    expect((await submit(url, key, review("tent", 5, { idempotencyKey: "warm" }))).status).toBe(200);
    // The warm-up's background jobs (analysis, events, rating checks, and the shop's day of
    // insights 10 s later) done first: what they would still call the database for is
    // theirs, not the request's.
    const direct = await openModels(dbName, db.uri);
    try {
      await eventually(
        "no background job due within a minute",
        async () => (await direct.models.LeaseJob.countDocuments({ availableAt: { $lte: new Date(Date.now() + 60_000) } })) === 0,
      );
    } finally {
      await direct.close();
    }

    await db.kill();
    // Known down: /readyz has met the outage (its ping failed), and the API says it now answers at once.
    await eventually(
      "the outage known",
      async () => (await readyz(url)) === 503 && api.stderr().includes("answering DATABASE_UNAVAILABLE at once"),
    );
    // The driver's log is on: the warm-up's own database calls are in it.
    expect(selectionsIn(api.stderr())).toContain("insert");
    const mark = api.stderr().length;
    const refused = await submit(url, key, review("tent", 1, { idempotencyKey: "during-outage" }));
    const selections = selectionsIn(api.stderr().slice(mark));

    expect(refused.status).toBe(503);
    expect(refused.body.errors[0].extensions.code).toBe("DATABASE_UNAVAILABLE");
    expect(refused.retryAfter).toBe("2");
    expect(refused.body.errors[0].extensions.retryAfter).toBe(2);
    // Answered without a database call: no server selection but the breaker's own
    // pings (runCommand: the probes for the server's return).
    expect(selections.filter((op) => op !== "runCommand")).toEqual([]);

    await db.restart();
    await eventually("/readyz ok after the database returned", async () => (await readyz(url)) === 200);
    const stored = await submit(url, key, review("tent", 1, { idempotencyKey: "during-outage" }));
    expect(stored.status, JSON.stringify(stored.body)).toBe(200);
    expect((await gql<any>(url, RATING, { id: "tent" }, key)).data.product.rating.count).toBe(2);
  }, 180_000);

  it("answers DATABASE_UNAVAILABLE, not INTERNAL_SERVER_ERROR, to a request waiting for the database when the API closes it during an outage", async () => {
    const db = await ownDatabase("closing");
    const { dbName, shopId, key } = db;
    // A long server selection timeout: the request is still waiting for a server when the client closes.
    const starling: Starling = await startStarling({
      config: testConfig({ mongodbUri: db.uri, dbName, dbTimeoutMs: 60_000 }),
      log: memoryLogger(),
    });
    cleanups.push(() => starling.close());
    const stored = await submit(starling.url, key, review("tent", 5, { idempotencyKey: "to-reject" }));
    expect(stored.status).toBe(200);
    const reviewId = stored.body.data.submitReview.review.id as string;

    // A moderation in flight when the outage starts: it has moved the review's
    // status and waits for the product summary's lock (held here) to move the counts.
    const lockKey = productSummaryId(shopId, "tent");
    let release!: () => void;
    const held = new Promise<void>((r) => (release = r));
    void starling.deps.summaryLock.run(lockKey, () => held);
    const tails = (starling.deps.summaryLock as unknown as { tails: Map<string, Promise<unknown>> }).tails;
    const heldTail = tails.get(lockKey);
    const answer = gql<any>(
      starling.url,
      `mutation($i: ModerateReviewInput!) { moderateReview(input: $i) { id status } }`,
      { i: { reviewId, action: "REJECT", reason: "SPAM" } },
      key,
    );
    // Queued behind the held lock (KeyedLock's queue, read only here).
    await eventually("the moderation waiting for the summary lock", async () => tails.get(lockKey) !== heldTail);

    await db.kill();
    // The driver's own view (its heartbeat, every 10 s): no server. A call now waits for one.
    const topology = (
      starling.db.conn.getClient() as unknown as {
        topology: { description: { servers: Map<string, { type: string }> }; waitQueue: Iterable<{ operationName?: string }> };
      }
    ).topology;
    await eventually("the server known unknown", async () => [...topology.description.servers.values()].every((d) => d.type === "Unknown"));
    release();
    // The driver's queue of operations waiting for a server (internal, read only here); the breaker's probes are runCommand.
    await eventually("the moderation waiting for a server", async () =>
      [...topology.waitQueue].some((w) => w.operationName !== undefined && w.operationName !== "runCommand"),
    );
    // What stopping does once the grace period is over: close the database client under the request.
    await starling.db.close();
    const refused = await answer;
    expect(refused.errors?.[0]?.extensions?.code, JSON.stringify(refused)).toBe("DATABASE_UNAVAILABLE");
    expect(refused.status).toBe(503);
  }, 120_000);

  it("counts a review stored just before the database was killed exactly once, without recompute and without a retry", async () => {
    const db = await ownDatabase("count_kill");
    const { dbName, shopId, key } = db;
    const log = memoryLogger();
    const starling = await startStarling({ config: testConfig({ mongodbUri: db.uri, dbName, dbTimeoutMs: 1_000 }), log });
    cleanups.push(() => starling.close());
    expect((await submit(starling.url, key, review("tent", 5, { idempotencyKey: "counted" }))).status).toBe(200);

    // The fault, at the worst moment: the review is inserted, and the database
    // dies (SIGKILL) as the first summary increment is sent.
    const summaries = starling.deps.models.RatingSummary.collection;
    const updateOne = summaries.updateOne.bind(summaries);
    let killed = false;
    summaries.updateOne = (async (...args: Parameters<typeof updateOne>) => {
      if (!killed) {
        killed = true;
        await db.kill();
      }
      return updateOne(...args);
    }) as typeof updateOne;
    let failed: Awaited<ReturnType<typeof submit>>;
    try {
      failed = await submit(starling.url, key, review("tent", 2, { idempotencyKey: "interrupted" }));
    } finally {
      summaries.updateOne = updateOne;
    }
    expect(killed).toBe(true);
    expect(failed.body.errors?.[0]?.extensions?.code, log.lines.filter((l) => l.includes("error")).join("\n")).toBe("DATABASE_UNAVAILABLE");

    await db.restart();
    const direct = await openModels(dbName, db.uri);
    try {
      const stored = await direct.models.Review.countDocuments({ shopId });
      expect(stored, "the review was stored before the kill").toBe(2);
      // Nobody retries: the API's sweep completes the interrupted count.
      const exact = async () => {
        const [product, shop] = await Promise.all([
          direct.models.RatingSummary.findById(productSummaryId(shopId, "tent")).lean<RatingSummaryDoc>(),
          direct.models.RatingSummary.findById(shopSummaryId(shopId)).lean<RatingSummaryDoc>(),
        ]);
        return product?.count === 2 && product.h2 === 1 && product.h5 === 1 && shop?.count === 2;
      };
      // The summary is updated first, then its pending count deleted: wait for both.
      await eventually(
        "the interrupted review counted",
        async () => (await exact()) && (await direct.models.PendingCount.countDocuments({})) === 0,
      );
      expect(log.lines.some((l) => l.includes("completed an interrupted rating count"))).toBe(true);
      // Exactly once: still 2 after more sweeps, and a rebuild finds nothing to repair.
      const { sweepPendingCounts } = await import("../src/features/ratings/ratings.js");
      await sweepPendingCounts(starling.deps);
      expect(await exact()).toBe(true);
      expect((await recomputeSummaries(direct.deps)).repaired).toEqual([]);
    } finally {
      await direct.close();
    }
  }, 120_000);
});
