/**
 * `pnpm --filter @starling/api bench`: the read and write paths against
 * baselines, in one run, on this machine.
 *
 * Servers run pinned to core 0 (with the database), the load generator
 * (autocannon, 32 connections) to core 1. Each scenario runs for a few seconds
 * per round, scenarios interleaved, three rounds; the table shows medians.
 * Figures are for this machine and this run: compare the ratios, not the
 * absolute numbers. FerretDB on SQLite says nothing about MongoDB's speed;
 * its CPU is reported apart from the API's.
 *
 * BENCH_BASELINE_TREE=<checkout>: also runs that checkout's API (its own code
 * and node_modules, `src/cli.ts serve` as here) on its own database
 * `bench_baseline`, seeded by its own bench/seed.ts (bench/baseline-seed.ts),
 * in the same FerretDB: the database server is not what is compared, and
 * production runs MongoDB. Each read scenario runs against both, back to back,
 * the order swapped every round, and a second table prints this checkout's
 * figures over the baseline's. Issue 13 compares with PRE_REFACTOR (bench/caches.ts).
 *
 * Submissions (issue 14's goal: throughput and p99 within 5 % with insights on)
 * run against two APIs side by side, back to back, the order swapped every
 * round: Starling as it runs, and one whose insights worker is off
 * (bench/servers/api-variant.ts --insights-off), each on its own seeded database in the
 * same FerretDB (`bench` and `bench_insights_off`: the worker of one would
 * otherwise analyse the other's reviews during its run). Each run's API CPU is
 * split by thread from /proc/<pid>/task: the event loop's (the main thread),
 * the background analysis thread's (named "insights-worker", nice 19) and the
 * rest (V8's and libuv's helpers). After each run the insights queue is waited
 * for until empty (BENCH_DRAIN_SECONDS at most): how long the backlog takes to
 * drain once requests stop, and what it costs; the "off" database's analysis
 * jobs, which nothing handles, are dropped after its run.
 *
 * Issue 18's own share of the write path: a third API scores with
 * LEGACY_SCORING_OPTIONS (api-variant.ts --legacy-scoring: the scorer before
 * issue 18, its states stored without the fields only issue 18 reads, packed as
 * the default scorer's are, so that storage is no part of the difference:
 * bench/legacy-states.ts), insights off too, on its own database `bench_scoring_legacy`; it runs back to back
 * with the "insights off" API (the same code with the default scorer), the
 * order swapped every round, and a last table gives default / legacy.
 * BENCH_COUNT_COMMANDS=1: the write APIs reach the database through a proxy
 * that counts their commands (bench/command-count.ts), printed per review.
 */
import { execFileSync } from "node:child_process";
import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import autocannon from "autocannon";
import { REPO_ROOT } from "../src/config.js";
import { connect } from "../src/db/connection.js";
import { type Models, bindModels } from "../src/features/models.js";
import { INSIGHTS_QUEUE } from "../src/features/insights/insights.js";
import { createDeps } from "../src/create-deps.js";
import { recomputeSummaries } from "../src/features/ratings/ratings.js";
import { RATING_QUERY } from "./servers/rating-schema.js";
import { benchText } from "./bench-text.js";
import { BENCH_KEY, benchDataDir, productIds, seedBench } from "./seed.js";
import { type CommandCounter, countsSince, startCommandCounter } from "./command-count.js";
import { writeBusyStates } from "./busy-states.js";
import { legacyPackState } from "./legacy-states.js";
import { packWholeState } from "../src/features/scoring/scoring.js";
import { DEFAULT_SCORING_OPTIONS, LEGACY_SCORING_OPTIONS } from "@starling/scoring";
import { BSON } from "mongodb";
import { type BenchServer, pin, startBenchApi, startBenchDb, startBenchServer, stopBenchApi } from "./start.js";

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 5);
const CONNECTIONS = 32;
/** BENCH_ONLY=submit,GET: run only the scenarios whose names contain one of these (baselines always run). */
/** Tells this run's submissions from earlier runs' in the reused database. */
const RUN = `${Date.now().toString(36)}`;
const ONLY =
  process.env.BENCH_ONLY?.split(",")
    .map((s) => s.trim().toLowerCase())
    .filter(Boolean) ?? [];
const BASELINE_TREE = process.env.BENCH_BASELINE_TREE ? path.resolve(process.env.BENCH_BASELINE_TREE) : null;
/** The baseline checkout's API, as a server's name: its scenarios are the Starling ones with this name appended. */
const BASELINE = "baseline";
/** The submission scenario's twin: an API whose insights worker is off, on its own database. */
const INSIGHTS_OFF = "Starling, insights off";
const INSIGHTS_OFF_DB = "bench_insights_off";
/** Issue 18's own share: the insights-off API's twin with the scorer before issue 18, on its own database. */
const LEGACY_SCORING = "Starling, legacy scoring";
const LEGACY_SCORING_DB = "bench_scoring_legacy";
const COUNT_COMMANDS = process.env.BENCH_COUNT_COMMANDS === "1";
const DRAIN_SECONDS = Number(process.env.BENCH_DRAIN_SECONDS ?? 300);
/**
 * A write run starts once the database and the write APIs have been near idle
 * for a second (30 s at most). A 5 s run's last requests are still being
 * written when it ends; without this the next write run's CPU counts that
 * tail, so the second of a back-to-back pair pays for the first.
 * BENCH_SETTLE=0 starts each at once (as runs did before settling).
 */
const SETTLE = process.env.BENCH_SETTLE !== "0";

/** Waits until `pids` together use under a tenth of a core for a second; how long that took, and their last second's use. */
async function settle(pids: number[]): Promise<{ waitedS: number; busy: number }> {
  const started = Date.now();
  let busy = Number.POSITIVE_INFINITY;
  while (busy >= 0.1 && Date.now() - started < 30_000) {
    const before = pids.map(cpuTicks);
    await new Promise((r) => setTimeout(r, 1000));
    busy = (pids.reduce((n, pid, i) => n + cpuTicks(pid) - before[i]!, 0) * TICK_US) / 1e6;
  }
  return { waitedS: (Date.now() - started) / 1000, busy };
}
const isApi = (server: string) => server === "Starling" || server === BASELINE || server === INSIGHTS_OFF || server === LEGACY_SCORING;
const TICK_US = 1_000_000 / Number(execFileSync("getconf", ["CLK_TCK"], { encoding: "utf8" }).trim());

function cpuTicks(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1]!.split(" ");
  return Number(fields[11]) + Number(fields[12]); // utime + stime
}

/** The name the API's analysis thread gives itself (src/analysis-threads.ts BACKGROUND_THREAD_NAME). */
const ANALYSIS_THREAD = "insights-worker";

/** A process' CPU ticks by thread: its main thread (the event loop), its analysis thread(s), and the rest (exited threads included). */
function threadTicks(pid: number): { main: number; analysis: number; rest: number } {
  const ticks = (stat: string) => {
    const f = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    return Number(f[11]) + Number(f[12]);
  };
  let main = 0;
  let analysis = 0;
  for (const tid of readdirSync(`/proc/${pid}/task`)) {
    let stat: string;
    try {
      stat = readFileSync(`/proc/${pid}/task/${tid}/stat`, "utf8");
    } catch {
      continue; // ended meanwhile: its time is in the process' total
    }
    if (Number(tid) === pid) main = ticks(stat);
    else if (stat.slice(stat.indexOf("(") + 1, stat.lastIndexOf(")")) === ANALYSIS_THREAD) analysis += ticks(stat);
  }
  return { main, analysis, rest: cpuTicks(pid) - main - analysis };
}

function rssMb(pid: number): number {
  const line = readFileSync(`/proc/${pid}/status`, "utf8")
    .split("\n")
    .find((l) => l.startsWith("VmRSS:"))!;
  return Number(line.split(/\s+/)[1]) / 1024;
}

interface Scenario {
  name: string;
  server: string;
  path?: string;
  method?: "GET" | "POST";
  body?: string;
  setupRequest?: (req: Record<string, unknown>) => Record<string, unknown>;
  writes?: boolean;
  /** Extra request headers, worked out just before each run against the server at `url` (an ETag that is current then). */
  headers?: (url: string) => Promise<Record<string, string>>;
  /** One request before the first round, timed apart: a first read that loads a cache. */
  warmUp?: boolean;
  /** Answers are meant to be 304 (a conditional GET); anything else counts as an error. */
  notModified?: boolean;
}

interface Run {
  rps: number;
  p50: number;
  p99: number;
  cpuUsPerReq: number;
  dbCpuUsPerReq: number | null;
  rssMb: number;
  errors: number;
  /** Answered 2xx: for the write scenario, the reviews acknowledged. */
  ok: number;
  /** Write scenarios: the API's CPU per request by thread, the insights backlog at the end and its drain. */
  threads?: { main: number; analysis: number; rest: number };
  backlog?: number;
  drain?: Drain;
  /** BENCH_COUNT_COMMANDS=1: the database commands of the run, per request, by name, and how many of them an idle API would have sent. */
  commands?: [string, number][];
  idleCommands?: number;
}

/** The insights queue after a write run, until empty: seconds, and the API's analysis thread's and the database's CPU meanwhile, per request of the run. */
interface Drain {
  seconds: number;
  done: boolean;
  analysisCpuUsPerReq: number;
  apiCpuUsPerReq: number;
  dbCpuUsPerReq: number;
}

const gqlBody = (query: string, variables: Record<string, unknown> = {}) => JSON.stringify({ query, variables });

/**
 * Waits until the insights queue of `models`' database is empty (BENCH_DRAIN_SECONDS at most): with `measure`,
 * how long that took and the API's (its analysis thread's) and the database's CPU meanwhile, per request of the run.
 */
async function drainInsights(models: Models, measure: { pid: number; dbPid: number | null; requests: number } | null): Promise<Drain> {
  const started = Date.now();
  const threads = measure ? threadTicks(measure.pid) : null;
  const db = measure?.dbPid ? cpuTicks(measure.dbPid) : 0;
  let done = false;
  while (!(done = (await models.LeaseJob.countDocuments({ queue: INSIGHTS_QUEUE })) === 0) && Date.now() - started < DRAIN_SECONDS * 1000)
    await new Promise((r) => setTimeout(r, 100));
  const seconds = (Date.now() - started) / 1000;
  if (!measure || !threads) return { seconds, done, analysisCpuUsPerReq: 0, apiCpuUsPerReq: 0, dbCpuUsPerReq: 0 };
  const after = threadTicks(measure.pid);
  const per = (ticks: number) => (ticks * TICK_US) / measure.requests;
  return {
    seconds,
    done,
    analysisCpuUsPerReq: per(after.analysis - threads.analysis),
    apiCpuUsPerReq: per(after.main + after.analysis + after.rest - threads.main - threads.analysis - threads.rest),
    dbCpuUsPerReq: measure.dbPid ? per(cpuTicks(measure.dbPid) - db) : 0,
  };
}

function printTable(head: string[], rows: string[][]): void {
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]) => `| ${cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join(" | ")} |`;
  console.log(line(head));
  console.log(`|${widths.map((w) => "-".repeat(w + 2)).join("|")}|`);
  for (const r of rows) console.log(line(r));
}

async function main() {
  pin(process.pid, 1);
  // MONGODB_URI: benchmark against that server (its database "bench"); else a FerretDB of its own.
  const external = process.env.MONGODB_URI;
  const db = external ? null : await startBenchDb(benchDataDir(REPO_ROOT));
  const uri = external ?? db!.uri;
  const conn = await connect(uri, "bench", 30_000);
  const models = bindModels(conn);
  const seeded = await seedBench(models);
  console.error(seeded.reused ? "reusing the seeded benchmark database" : `seeded in ${seeded.seconds.toFixed(0)} s`);
  const writesWanted = !ONLY.length || ONLY.some((o) => "starling: submit review (scoring on)".includes(o));
  // The insights-off and legacy-scoring twins' own databases, seeded the same way (once: reused after).
  const twinDb = async (name: string) => {
    const twinConn = await connect(uri, name, 30_000);
    const twinModels = bindModels(twinConn);
    const twinSeeded = await seedBench(twinModels);
    console.error(twinSeeded.reused ? `reusing ${name}` : `${name} seeded in ${twinSeeded.seconds.toFixed(0)} s`);
    return { conn: twinConn, models: twinModels };
  };
  const offDb = writesWanted ? await twinDb(INSIGHTS_OFF_DB) : null;
  const offConn = offDb?.conn ?? null;
  const offModels = offDb?.models ?? null;
  const legacyDb = writesWanted ? await twinDb(LEGACY_SCORING_DB) : null;
  /** The database a write scenario's server writes to. */
  const modelsOf = (server: string) => (server === INSIGHTS_OFF ? offModels! : server === LEGACY_SCORING ? legacyDb!.models : models);
  if (legacyDb && process.env.BENCH_BUSY_STATES === "1") {
    // The products the submission scenario writes to (p-0 … p-999), each database with its server's scorer.
    const written = Array.from({ length: 1000 }, (_, i) => `p-${i}`);
    const started = Date.now();
    for (const [m, options, pack] of [
      [models, DEFAULT_SCORING_OPTIONS, packWholeState],
      [offModels!, DEFAULT_SCORING_OPTIONS, packWholeState],
      [legacyDb.models, LEGACY_SCORING_OPTIONS, legacyPackState(LEGACY_SCORING_OPTIONS)],
    ] as const)
      await writeBusyStates(m, written, options, pack);
    console.error(`busy products' scoring states written in ${((Date.now() - started) / 1000).toFixed(0)} s`);
  }
  const counters = new Map<string, CommandCounter>();
  const apiUri = async (server: string) => {
    if (!COUNT_COMMANDS) return uri;
    const counter = await startCommandCounter(uri);
    counters.set(server, counter);
    return counter.uri;
  };

  const limits = {
    STARLING_RATE_REQUESTS_PER_MINUTE_PER_KEY: "10000000",
    // The default per-key cost budget (1 000 000 a minute) ends a listing round within seconds.
    STARLING_RATE_COST_PER_MINUTE_PER_KEY: "1000000000",
    STARLING_RATE_REVIEWS_PER_DAY_PER_REVIEWER: "1000000",
  };
  const starling = await startBenchApi(writesWanted ? await apiUri("Starling") : uri, "bench", limits);
  const servers: Record<string, BenchServer> = {
    "raw node:http": await startBenchServer(["bench/servers/raw-http.ts"]),
    "bare Yoga": await startBenchServer(["bench/servers/yoga-bare.ts"]),
    "Yoga in Express 5": await startBenchServer(["bench/servers/yoga-express.ts"]),
    "Apollo Server 5": await startBenchServer(["bench/servers/apollo.ts"]),
    Starling: { child: starling.child, url: starling.graphql },
  };
  if (writesWanted) {
    const off = await startBenchApi(await apiUri(INSIGHTS_OFF), INSIGHTS_OFF_DB, limits, { variant: ["--insights-off"] });
    servers[INSIGHTS_OFF] = { child: off.child, url: off.graphql };
    const legacy = await startBenchApi(await apiUri(LEGACY_SCORING), LEGACY_SCORING_DB, limits, {
      variant: ["--insights-off", "--legacy-scoring"],
    });
    servers[LEGACY_SCORING] = { child: legacy.child, url: legacy.graphql };
  }
  if (BASELINE_TREE) {
    const apiDir = path.join(BASELINE_TREE, "packages/api");
    let commit = "(not a git checkout)";
    try {
      commit = execFileSync("git", ["-C", BASELINE_TREE, "rev-parse", "--short", "HEAD"], { encoding: "utf8" }).trim();
    } catch {}
    console.error(`baseline: ${BASELINE_TREE} at ${commit}`);
    const seedScript = path.join(path.dirname(fileURLToPath(import.meta.url)), "baseline-seed.ts");
    execFileSync(process.execPath, ["--import", "tsx", seedScript, apiDir, uri, "bench_baseline"], { cwd: apiDir, stdio: "inherit" });
    const baseline = await startBenchApi(uri, "bench_baseline", limits, { apiDir });
    servers[BASELINE] = { child: baseline.child, url: baseline.graphql };
  }

  const ratingFields = "id name rating { count average plainMean credibleInterval { low high } }";
  // One request by hand first: a benchmark of error answers measures nothing.
  for (const name of Object.keys(servers).filter(isApi)) {
    const probe = await fetch(servers[name]!.url, {
      method: "POST",
      headers: { "content-type": "application/json", authorization: `Bearer ${BENCH_KEY}` },
      body: gqlBody(`{ product(id: "p-1") { ${ratingFields} } }`),
    });
    const probeBody = (await probe.json()) as { data?: { product?: { rating?: { count: number } } } };
    if (!probeBody.data?.product?.rating) throw new Error(`${name} did not answer the rating query: ${JSON.stringify(probeBody)}`);
  }
  // One submission by hand too: the first write of a shop in a process loads
  // the shop's recent review texts for the near-duplicate check, a one-off
  // cost reported here rather than folded into the write throughput.
  for (const name of writesWanted ? ["Starling", INSIGHTS_OFF, LEGACY_SCORING] : []) {
    const warmStarted = Date.now();
    const warm = await fetch(servers[name]!.url, {
      method: "POST",
      headers: { "content-type": "application/json", authorization: `Bearer ${BENCH_KEY}` },
      body: gqlBody(`mutation($i: SubmitReviewInput!) { submitReview(input: $i) { review { id } } }`, {
        i: { productId: "p-1", rating: 4, title: "Warm-up", body: "The first write of the run.", reviewer: { name: "Warm-up" } },
      }),
    });
    if (!warm.ok) throw new Error(`${name} did not take the warm-up review: ${await warm.text()}`);
    console.error(`${name}: first write (loads the shop's near-duplicate index): ${Date.now() - warmStarted} ms`);
  }
  // What each write API sends while it answers nothing (its workers' polls, the driver's heartbeats), per second:
  // taken off each run's count, so a slower run is not charged more commands per review for them.
  const idleCommandsPerSecond = new Map<string, number>();
  if (counters.size) {
    const before = new Map([...counters].map(([server, c]) => [server, new Map(c.counts)]));
    await new Promise((r) => setTimeout(r, 10_000));
    for (const [server, c] of counters)
      idleCommandsPerSecond.set(
        server,
        countsSince(c.counts, before.get(server)!, 10).reduce((n, [, x]) => n + x, 0),
      );
    console.error(`DB commands per second while idle: ${[...idleCommandsPerSecond].map(([k, v]) => `${k} ${v.toFixed(1)}`).join(", ")}`);
  }
  const one = `query($id: ID!) { product(id: $id) { ${ratingFields} } }`;
  const fifty = productIds().slice(2, 52);
  let submitted = 0;
  const scenarios: Scenario[] = [
    ...["raw node:http", "bare Yoga", "Yoga in Express 5", "Apollo Server 5"].map((server) => ({
      name: `${server}: rating from memory`,
      server,
      body: gqlBody(RATING_QUERY, { id: "p-1" }),
    })),
    { name: "Starling: 1 product rating, POST", server: "Starling", body: gqlBody(one, { id: "p-1" }) },
    {
      name: "Starling: 1 product rating, GET",
      server: "Starling",
      method: "GET",
      path: `?query=${encodeURIComponent(one)}&variables=${encodeURIComponent(JSON.stringify({ id: "p-1" }))}`,
    },
    {
      name: "Starling: 1 product rating, conditional GET (304)",
      server: "Starling",
      method: "GET",
      path: `?query=${encodeURIComponent(one)}&variables=${encodeURIComponent(JSON.stringify({ id: "p-1" }))}`,
      notModified: true,
      headers: async (server) => {
        const url = `${server}?query=${encodeURIComponent(one)}&variables=${encodeURIComponent(JSON.stringify({ id: "p-1" }))}`;
        const res = await fetch(url, { headers: { authorization: `Bearer ${BENCH_KEY}` } });
        await res.arrayBuffer();
        const etag = res.headers.get("etag");
        if (!etag) throw new Error(`${server}: the GET answer has no ETag`);
        return { "if-none-match": etag };
      },
    },
    { name: "Starling: product with 100 000 reviews", server: "Starling", body: gqlBody(one, { id: "p-huge" }) },
    { name: "Starling: product with 1 review", server: "Starling", body: gqlBody(one, { id: "p-tiny" }) },
    {
      name: "Starling: 50 products (listing)",
      server: "Starling",
      body: gqlBody(`query($ids: [ID!]!) { products(ids: $ids) { id rating { count average } } }`, { ids: fifty }),
    },
    {
      // Served from the review page cache; its refreshes (a scan on FerretDB) run meanwhile and count as db CPU.
      name: "Starling: first 20 reviews",
      server: "Starling",
      warmUp: true,
      body: gqlBody(`query($id: ID!) { product(id: $id) { reviews(first: 20) { edges { node { id rating title createdAt } } } } }`, {
        id: "p-1",
      }),
    },
    ...["Starling", INSIGHTS_OFF, LEGACY_SCORING].map((server) => ({
      name: `${server}: submit review (scoring on)`,
      server,
      writes: true,
      setupRequest: (req: Record<string, unknown>) => {
        const n = submitted++;
        return {
          ...req,
          body: gqlBody(`mutation($i: SubmitReviewInput!) { submitReview(input: $i) { review { id } } }`, {
            i: {
              productId: `p-${n % 1000}`,
              rating: 1 + (n % 5),
              title: `Bench ${RUN} ${n}`,
              body: benchText(n),
              reviewer: { name: `Bench ${n % 500}`, externalId: `bench-${n % 500}` },
              idempotencyKey: `bench-${process.pid}-${n}`,
            },
          }),
        };
      },
    })),
  ];

  const wanted = (s: Scenario) =>
    s.server === INSIGHTS_OFF || s.server === LEGACY_SCORING
      ? writesWanted
      : !isApi(s.server) || !ONLY.length || ONLY.some((o) => s.name.toLowerCase().includes(o));
  scenarios.splice(0, scenarios.length, ...scenarios.filter(wanted));
  // The baseline's twin of each read scenario (its writes would only change its database).
  const twin = new Map<Scenario, Scenario>(
    BASELINE_TREE
      ? scenarios
          .filter((s) => s.server === "Starling" && !s.writes)
          .map((s) => [s, { ...s, name: `${s.name} · ${BASELINE}`, server: BASELINE }])
      : [],
  );
  const results = new Map<string, Run[]>();
  const order = [
    ...scenarios.filter((s) => !s.writes).flatMap((s) => [s, ...(twin.has(s) ? [twin.get(s)!] : [])]),
    ...scenarios.filter((s) => s.writes),
  ];
  for (let round = 1; round <= ROUNDS; round++) {
    // Back to back with its twin, the baseline first every other round: a machine slowing down mid-run favours neither.
    // The same for the submissions with insights on and off.
    const writes = order.filter((s) => s.writes);
    const roundOrder = [
      ...(round % 2 === 0
        ? order.flatMap((s, i) => (s.writes ? [] : twin.has(s) ? [order[i + 1]!, s] : s.server === BASELINE ? [] : [s]))
        : order.filter((s) => !s.writes)),
      ...(round % 2 === 0 ? writes.reverse() : writes),
    ];
    for (const s of roundOrder) {
      const server = servers[s.server]!;
      const pid = server.child.pid!;
      // A write run starts with the insights backlog of the runs before it done, so it pays for its own reviews only.
      if (s.writes) await drainInsights(models, null);
      if (s.writes && SETTLE) {
        const pids = [...(db ? [db.pid] : []), ...writes.map((w) => servers[w.server]!.child.pid!)];
        const { waitedS, busy } = await settle(pids);
        console.error(`round ${round}: ${s.name}: settled in ${waitedS.toFixed(1)} s (last second ${busy.toFixed(2)} of a core)`);
      }
      const threadsBefore = s.writes ? threadTicks(pid) : null;
      const commandsBefore = new Map(counters.get(s.server)?.counts ?? []);
      const before = cpuTicks(pid);
      const dbBefore = isApi(s.server) && db ? cpuTicks(db.pid) : 0;
      const request = { method: s.method ?? "POST", path: s.path, body: s.body };
      if (s.warmUp && round === 1) {
        const started = Date.now();
        const res = await fetch(server.url, {
          method: "POST",
          headers: { "content-type": "application/json", authorization: `Bearer ${BENCH_KEY}` },
          body: s.body,
        });
        if (!res.ok) throw new Error(`${s.name}: the warm-up request failed: ${await res.text()}`);
        await res.arrayBuffer();
        console.error(`${s.name}: first request (loads the cache): ${Date.now() - started} ms`);
      }
      const extraHeaders = (await s.headers?.(server.url)) ?? {};
      const r = await autocannon({
        url: s.path ? `${server.url}${s.path}` : server.url,
        connections: CONNECTIONS,
        duration: SECONDS,
        method: request.method,
        headers: { "content-type": "application/json", authorization: `Bearer ${BENCH_KEY}`, ...extraHeaders },
        body: s.body,
        requests: s.setupRequest ? [{ setupRequest: s.setupRequest as never }] : undefined,
      });
      const total = r.requests.total || 1;
      const run: Run = {
        rps: r.requests.average,
        p50: r.latency.p50,
        p99: r.latency.p99,
        cpuUsPerReq: ((cpuTicks(pid) - before) * TICK_US) / total,
        dbCpuUsPerReq: isApi(s.server) && db ? ((cpuTicks(db.pid) - dbBefore) * TICK_US) / total : null,
        rssMb: rssMb(pid),
        errors: s.notModified ? r.errors + r.requests.total - r["3xx"] : r.errors + r.non2xx,
        ok: s.notModified ? r["3xx"] : r["2xx"],
      };
      if (threadsBefore) {
        const after = threadTicks(pid);
        const perReq = (k: keyof typeof after) => ((after[k] - threadsBefore[k]) * TICK_US) / total;
        run.threads = { main: perReq("main"), analysis: perReq("analysis"), rest: perReq("rest") };
        const counter = counters.get(s.server);
        if (counter) {
          run.commands = countsSince(counter.counts, commandsBefore, total);
          run.idleCommands = ((idleCommandsPerSecond.get(s.server) ?? 0) * SECONDS) / total;
        }
        const runModels = modelsOf(s.server);
        run.backlog = await runModels.LeaseJob.countDocuments({ queue: INSIGHTS_QUEUE });
        if (runModels !== models) {
          // Nothing handles them there: dropped, so each run's database looks the same.
          await runModels.LeaseJob.deleteMany({ queue: INSIGHTS_QUEUE });
        } else {
          run.drain = await drainInsights(models, { pid, dbPid: db?.pid ?? null, requests: total });
        }
      }
      results.set(s.name, [...(results.get(s.name) ?? []), run]);
      console.error(
        `round ${round}: ${s.name}: ${run.rps.toFixed(0)} req/s, p99 ${run.p99} ms, ${run.errors} errors` +
          (run.threads
            ? `; API CPU µs/review main ${run.threads.main.toFixed(0)}, analysis ${run.threads.analysis.toFixed(0)}, rest ${run.threads.rest.toFixed(0)}; ` +
              `DB ${run.dbCpuUsPerReq?.toFixed(0)}; insights jobs queued at the end ${run.backlog}` +
              (run.commands
                ? `; DB commands/review ${run.commands.reduce((n, [, c]) => n + c, 0).toFixed(2)}, ${run.idleCommands!.toFixed(2)} of them idle (${run.commands
                    .slice(0, 8)
                    .map(([k, c]) => `${k} ${c.toFixed(2)}`)
                    .join(", ")})`
                : "") +
              (run.drain
                ? `, ${run.drain.done ? "drained" : "NOT drained"} in ${run.drain.seconds.toFixed(1)} s (analysis ${run.drain.analysisCpuUsPerReq.toFixed(0)}, API ${run.drain.apiCpuUsPerReq.toFixed(0)}, DB ${run.drain.dbCpuUsPerReq.toFixed(0)} µs/review meanwhile)`
                : "")
            : ""),
      );
    }
  }

  const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
  const med = (name: string, key: keyof Run) => median(results.get(name)!.map((r) => (r[key] as number | null) ?? 0));
  const yoga = med("bare Yoga: rating from memory", "rps");
  const apollo = med("Apollo Server 5: rating from memory", "rps");
  const rows = order.map((s) => {
    const rps = med(s.name, "rps");
    return [
      s.name,
      rps.toFixed(0),
      med(s.name, "p50").toFixed(1),
      med(s.name, "p99").toFixed(1),
      med(s.name, "cpuUsPerReq").toFixed(0),
      isApi(s.server) && db ? med(s.name, "dbCpuUsPerReq").toFixed(0) : "",
      med(s.name, "rssMb").toFixed(0),
      (rps / yoga).toFixed(2),
      (rps / apollo).toFixed(2),
      String(results.get(s.name)!.reduce((n, r) => n + r.errors, 0)),
    ];
  });
  const head = [
    `scenario (median of ${ROUNDS} rounds)`,
    "req/s",
    "p50 ms",
    "p99 ms",
    "server CPU µs/req",
    "db CPU µs/req",
    "RSS MB",
    "× bare Yoga",
    "× Apollo",
    "errors",
  ];
  printTable(head, rows);

  // Issue 14's goal, side by side: submissions with the insights worker on and off.
  const on = scenarios.find((s) => s.writes && s.server === "Starling");
  const off = scenarios.find((s) => s.writes && s.server === INSIGHTS_OFF);
  const legacyRun = scenarios.find((s) => s.writes && s.server === LEGACY_SCORING);
  if (on && off) {
    const runs = (s: Scenario) => results.get(s.name)!;
    const medOf = (s: Scenario, f: (r: Run) => number) => median(runs(s).map(f));
    const row = (label: string, s: Scenario) => [
      label,
      medOf(s, (r) => r.rps).toFixed(1),
      medOf(s, (r) => r.p99).toFixed(0),
      medOf(s, (r) => r.cpuUsPerReq).toFixed(0),
      medOf(s, (r) => r.threads!.main).toFixed(0),
      medOf(s, (r) => r.threads!.analysis).toFixed(0),
      medOf(s, (r) => r.threads!.rest).toFixed(0),
      medOf(s, (r) => r.dbCpuUsPerReq ?? 0).toFixed(0),
      medOf(s, (r) => r.backlog!).toFixed(0),
      s === on
        ? runs(s)
            .map((r) => `${r.drain!.done ? "" : ">"}${r.drain!.seconds.toFixed(1)}`)
            .join(" ")
        : "",
      s === on ? medOf(s, (r) => r.drain!.analysisCpuUsPerReq).toFixed(0) : "",
      s === on ? medOf(s, (r) => r.drain!.dbCpuUsPerReq).toFixed(0) : "",
    ];
    console.log(`\nsubmissions, insights worker on and off (median of ${ROUNDS} rounds; CPU per acknowledged-or-not request):`);
    printTable(
      [
        "API",
        "reviews/s",
        "p99 ms",
        "API CPU µs/review",
        "main thread",
        "analysis thread",
        "other threads",
        "DB CPU µs/review",
        "insights jobs left",
        "drain s, each round",
        "analysis CPU while draining µs/review",
        "DB CPU while draining µs/review",
      ],
      [row("insights on", on), row("insights off", off), ...(legacyRun ? [row("insights off, legacy scoring", legacyRun)] : [])],
    );
    const each = (f: (r: Run) => number) =>
      runs(on)
        .map((r, i) => (f(r) / f(runs(off)[i]!)).toFixed(3))
        .join(" ");
    console.log(
      `on / off: reviews/s ${(medOf(on, (r) => r.rps) / medOf(off, (r) => r.rps)).toFixed(3)} (each round ${each((r) => r.rps)}), ` +
        `p99 ${(medOf(on, (r) => r.p99) / medOf(off, (r) => r.p99)).toFixed(3)} (each round ${each((r) => r.p99)})`,
    );
  }
  if (off && legacyRun) {
    printScoringShare(results.get(off.name)!, results.get(legacyRun.name)!);
    await printStateSizes([
      ["default (insights off)", offModels!],
      ["legacy", legacyDb!.models],
    ]);
  }

  if (twin.size) {
    // Ratios of medians; the CPU one also round by round, as the pairs ran back to back.
    const ratio = (s: Scenario, key: keyof Run) => med(s.name, key) / med(twin.get(s)!.name, key);
    const perRound = (s: Scenario) => results.get(s.name)!.map((r, i) => r.cpuUsPerReq / results.get(twin.get(s)!.name)![i]!.cpuUsPerReq);
    console.log(`\nthis checkout / baseline (${BASELINE_TREE}): req/s above 1, times and CPU below 1 are better`);
    printTable(
      ["scenario", "req/s", "p50", "p99", "server CPU µs/req", "db CPU µs/req", "server CPU, median of rounds", "server CPU, each round"],
      [...twin.keys()].map((s) => [
        s.name.replace(/^Starling: /, ""),
        ...(["rps", "p50", "p99", "cpuUsPerReq", "dbCpuUsPerReq"] as const).map((k) => ratio(s, k).toFixed(2)),
        median(perRound(s)).toFixed(2),
        perRound(s)
          .map((x) => x.toFixed(2))
          .join(" "),
      ]),
    );
  }

  // Memory under a long read load (BENCH_SOAK_SECONDS, 300 for issue 6's
  // five minutes): ratings of all 10 000 products in turn, so the read caches fill up.
  const soakSeconds = Number(process.env.BENCH_SOAK_SECONDS ?? 0);
  if (soakSeconds > 0) {
    const pid = servers.Starling!.child.pid!;
    const ids = productIds();
    let k = 0;
    const startRss = rssMb(pid);
    const samples = [startRss];
    const sampler = setInterval(() => samples.push(rssMb(pid)), 10_000);
    const r = await autocannon({
      url: servers.Starling!.url,
      connections: CONNECTIONS,
      duration: soakSeconds,
      method: "POST",
      headers: { "content-type": "application/json", authorization: `Bearer ${BENCH_KEY}` },
      requests: [
        { setupRequest: ((req: Record<string, unknown>) => ({ ...req, body: gqlBody(one, { id: ids[k++ % ids.length] }) })) as never },
      ],
    });
    clearInterval(sampler);
    const endRss = rssMb(pid);
    console.log(
      `\nsoak: ${soakSeconds} s of rating reads over all ${ids.length} products (POST, ${CONNECTIONS} connections): ${r.requests.total} requests, ` +
        `${r.requests.average.toFixed(0)} req/s, p99 ${r.latency.p99} ms, ${r.errors + r.non2xx} errors; API RSS ${startRss.toFixed(0)} MB at the start, ` +
        `${endRss.toFixed(0)} MB at the end, ${Math.max(...samples, endRss).toFixed(0)} MB at most; every 10 s: ${[...samples, endRss].map((m) => m.toFixed(0)).join(" ")}`,
    );
  }

  // Writes: every acknowledged submission stored once, summaries exact; with insights on, every stored review analysed.
  if (writesWanted) {
    for (const s of scenarios.filter((x) => x.writes)) {
      const m = modelsOf(s.server);
      const mine = { title: new RegExp(`^Bench ${RUN} `) };
      const stored = await m.Review.countDocuments(mine);
      const report = await recomputeSummaries(createDeps(m, 5));
      const acknowledged = (results.get(s.name) ?? []).reduce((n, r) => n + r.ok, 0);
      const quarantined = await m.Review.countDocuments({ ...mine, status: "quarantined" });
      const ids = (await m.Review.find(mine, { _id: 1 }).lean<{ _id: string }[]>()).map((r) => r._id);
      const analysed = await m.ReviewInsight.countDocuments({ _id: { $in: ids } });
      console.log(
        `\n${s.server}: submissions acknowledged: ${acknowledged}; stored: ${stored} (quarantined as copies: ${quarantined}); ` +
          `analysed: ${analysed}; summaries repaired by a recompute afterwards: ${report.repaired.length}`,
      );
    }
    console.log(`(sent ${submitted} in all, the rest cut off by the end of a run)`);
  }

  // Wait for them: a server writes its CPU profile (BENCH_CPU_PROF) as it exits.
  await Promise.all(Object.values(servers).map((server) => stopBenchApi(server, 10_000)));
  await conn.close();
  await offConn?.close();
  await legacyDb?.conn.close();
  for (const counter of counters.values()) counter.close();
  await db?.stop();
}

/**
 * Issue 18's goal, the write path's CPU per review within 10 % of before it:
 * the default scorer over the legacy one, both with insights off, medians and
 * round by round (each pair ran back to back).
 */
function printScoringShare(byDefault: Run[], legacy: Run[]): void {
  const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
  const totalCommands = (r: Run) => (r.commands?.reduce((n, [, c]) => n + c, 0) ?? Number.NaN) - (r.idleCommands ?? 0);
  const measures: [string, (r: Run) => number][] = [
    ["API CPU µs/review", (r) => r.cpuUsPerReq],
    ["DB CPU µs/review", (r) => r.dbCpuUsPerReq ?? Number.NaN],
    ["API + DB CPU µs/review", (r) => r.cpuUsPerReq + (r.dbCpuUsPerReq ?? Number.NaN)],
    ["reviews/s", (r) => r.rps],
    ["p99 ms", (r) => r.p99],
    ...(byDefault[0]?.commands ? [["DB commands/review, less idle", totalCommands] as [string, (r: Run) => number]] : []),
  ];
  console.log(
    `\nissue 18's own share: default scorer / legacy scorer (LEGACY_SCORING_OPTIONS), both insights off (${byDefault.length} rounds):`,
  );
  printTable(
    ["measure", "default, median", "legacy, median", "default / legacy", "default / legacy, each round"],
    measures.map(([label, f]) => [
      label,
      median(byDefault.map(f)).toFixed(label.startsWith("DB commands") ? 2 : 0),
      median(legacy.map(f)).toFixed(label.startsWith("DB commands") ? 2 : 0),
      (median(byDefault.map(f)) / median(legacy.map(f))).toFixed(3),
      byDefault.map((r, i) => (f(r) / f(legacy[i]!)).toFixed(3)).join(" "),
    ]),
  );
  if (byDefault[0]?.commands) {
    const names = [...new Set([...byDefault, ...legacy].flatMap((r) => r.commands!.map(([k]) => k)))];
    const per = (runs: Run[], name: string) => median(runs.map((r) => r.commands!.find(([k]) => k === name)?.[1] ?? 0));
    console.log("\nDB commands per review by name, medians (default / legacy; an idle API's included):");
    console.log(
      names
        .map((k) => [k, per(byDefault, k), per(legacy, k)] as const)
        .sort((a, b) => b[1] - a[1])
        .map(([k, d, l]) => `${k} ${d.toFixed(2)} / ${l.toFixed(2)}`)
        .join(", "),
    );
  }
}

/** The size of the stored scoring states (what every review's update of its product's and reviewer's state rewrites), by database. */
async function printStateSizes(dbs: [string, Models][]): Promise<void> {
  for (const [label, m] of dbs) {
    const docs = await m.ScoringState.collection.find({}).toArray();
    const sizes = (prefix: string) => docs.filter((d) => String(d._id).startsWith(prefix)).map((d) => BSON.calculateObjectSize(d));
    const describe = (xs: number[]) =>
      xs.length
        ? `${xs.length} states, mean ${(xs.reduce((a, b) => a + b, 0) / xs.length).toFixed(0)} B, max ${Math.max(...xs)} B`
        : "none";
    console.log(`scoring states, ${label}: products ${describe(sizes("product:"))}; reviewers ${describe(sizes("reviewer:"))}`);
  }
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    console.error(err);
    process.exit(1);
  },
);
