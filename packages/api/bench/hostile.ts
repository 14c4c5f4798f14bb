/**
 * The hostile-client benchmark (issue #12, item 1), on the benchmark's data
 * (seed.ts: 500 000 reviews, "p-huge" with 100 000):
 *
 * 1. Expensive queries: 4 clients each send, back to back, the most expensive
 *    query the cost limit allows (21 products × 100 reviews each, cost 8 422 of
 *    8 500), while one client reads a plain rating of another product, one
 *    request at a time; prints the reader's p50 and p99. The per-key cost
 *    budget is raised out of the way (the worst case: it would otherwise
 *    refuse those clients after ~130 queries a minute per key).
 * 2. Deep pages: page 1 and page 50 of p-huge's reviews (100 a page, so not
 *    served by the first-page cache), NEWEST and HIGHEST, cold (the first
 *    request after the database and the API start) and warm (medians of
 *    many requests).
 *
 * API and database run pinned to core 0, the clients on core 1 (as bench/run.ts).
 * Run: sh scripts/pnpm.sh -s --filter @starling/api bench:hostile
 * Options: BENCH_SECONDS (load phase, default 20), BENCH_COLD_RUNS (default 3).
 */
import { cpus, loadavg } from "node:os";
import path from "node:path";
import { REPO_ROOT } from "../src/config.js";
import { connect } from "../src/db/connection.js";
import { bindModels } from "../src/features/models.js";
import { BENCH_KEY, productIds, seedBench } from "./seed.js";
import { pin, startBenchApi, startBenchDb, stopBenchApi } from "./start.js";

const SECONDS = Number(process.env.BENCH_SECONDS ?? 20);
const COLD_RUNS = Number(process.env.BENCH_COLD_RUNS ?? 3);
const READER_KEY = "pk_bench_local_only";
const DATA_DIR = path.join(REPO_ROOT, ".data/bench-ferretdb");

/** Every limit these clients meet, out of the way (the worst case: see above). */
const LIMITS = {
  STARLING_RATE_REQUESTS_PER_MINUTE_PER_KEY: "10000000",
  STARLING_RATE_COST_PER_MINUTE_PER_KEY: "1000000000",
};

async function post(
  url: string,
  key: string,
  query: string,
  variables: Record<string, unknown> = {},
): Promise<{ ms: number; body: any; status: number }> {
  const t = performance.now();
  const res = await fetch(url, {
    method: "POST",
    headers: { "content-type": "application/json", authorization: `Bearer ${key}` },
    body: JSON.stringify({ query, variables }),
  });
  const body = await res.json();
  return { ms: performance.now() - t, body, status: res.status };
}

const pct = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))]!;
};
const f = (ms: number) => ms.toFixed(1);

const RATING = `query($id: ID!) { product(id: $id) { id rating { count average } } }`;
const EXPENSIVE = `query($ids: [ID!]!) { products(ids: $ids) { reviews(first: 100) { edges { node { title body } } } } }`;
const PAGE = `query($after: String, $order: ReviewOrder) { product(id: "p-huge") { reviews(first: 100, after: $after, orderBy: $order) {
  edges { node { id rating title } } pageInfo { endCursor } } } }`;

async function expensiveLoad(url: string): Promise<void> {
  const ids = productIds();
  // Products with 40 reviews or more each, so every page of 100 is as full as the data allows.
  let next = 2;
  const expensiveIds = () => Array.from({ length: 21 }, () => ids[2 + (next++ % (ids.length - 2))]!);
  const probe = await post(url, BENCH_KEY, EXPENSIVE, { ids: expensiveIds() });
  if (probe.body.errors) throw new Error(`the expensive query was refused: ${JSON.stringify(probe.body.errors)}`);
  const over = await post(url, BENCH_KEY, EXPENSIVE, { ids: [...expensiveIds(), "p-huge"] });
  console.log(`20 products × 100 reviews: ${over.status} ${over.body.errors?.[0]?.message.slice(0, 60)}…`);

  // The same reader alone first: what this machine gives a rating read without the load.
  const alone: number[] = [];
  const aloneEnd = Date.now() + (SECONDS * 1000) / 2;
  for (let i = 0; Date.now() < aloneEnd; i++) alone.push((await post(url, READER_KEY, RATING, { id: `p-${(i * 37) % 9000}` })).ms);
  console.log(`plain rating reads alone: ${alone.length}, p50 ${f(pct(alone, 50))} ms, p99 ${f(pct(alone, 99))} ms`);

  const end = Date.now() + SECONDS * 1000;
  let expensiveDone = 0;
  let expensiveMs: number[] = [];
  const attackers = Array.from({ length: 4 }, async () => {
    while (Date.now() < end) {
      const r = await post(url, BENCH_KEY, EXPENSIVE, { ids: expensiveIds() });
      if (r.status !== 200 || r.body.errors) throw new Error(`expensive query failed: ${JSON.stringify(r.body).slice(0, 300)}`);
      expensiveMs.push(r.ms);
      expensiveDone++;
    }
  });
  const reads: number[] = [];
  const reader = (async () => {
    let i = 0;
    while (Date.now() < end) {
      const r = await post(url, READER_KEY, RATING, { id: `p-${(i++ * 37) % 9000}` });
      if (r.body.errors) throw new Error(`rating read failed: ${JSON.stringify(r.body.errors)}`);
      reads.push(r.ms);
    }
  })();
  await Promise.all([...attackers, reader]);
  console.log(
    `expensive queries (4 clients): ${expensiveDone} in ${SECONDS} s, p50 ${f(pct(expensiveMs, 50))} ms, p99 ${f(pct(expensiveMs, 99))} ms; ` +
      `plain rating reads meanwhile: ${reads.length}, p50 ${f(pct(reads, 50))} ms, p99 ${f(pct(reads, 99))} ms`,
  );
  expensiveMs = [];
}

/** The `after` cursor of page 50 (the end of page 49) in this order. */
async function cursorOfPage50(url: string, order: string): Promise<string> {
  let after: string | null = null;
  for (let page = 1; page < 50; page++) {
    const r = await post(url, READER_KEY, PAGE, { after, order });
    if (r.body.errors) throw new Error(JSON.stringify(r.body.errors));
    after = r.body.data.product.reviews.pageInfo.endCursor;
  }
  return after!;
}

async function main() {
  pin(process.pid, 1);
  let db = await startBenchDb(DATA_DIR);
  const conn = await connect(db.uri, "bench", 30_000);
  const seeded = await seedBench(bindModels(conn));
  await conn.close();
  console.error(seeded.reused ? "reusing the seeded benchmark database" : `seeded in ${seeded.seconds.toFixed(0)} s`);

  let api = await startBenchApi(db.uri, "bench", LIMITS);
  // Other work on the machine moves every figure: say how busy it was.
  const load = () => `load average (1 min) ${loadavg()[0]!.toFixed(1)} on ${cpus().length} cores`;
  console.log(`before: ${load()}`);
  await expensiveLoad(api.graphql);
  console.log(`after the expensive clients: ${load()}`);

  const orders = ["NEWEST", "HIGHEST"];
  const cursors: Record<string, string> = {};
  for (const o of orders) cursors[o] = await cursorOfPage50(api.graphql, o);

  // Warm: pages 1 and 50 alternately.
  for (const o of orders) {
    const one: number[] = [];
    const fifty: number[] = [];
    for (let i = 0; i < 100; i++) {
      one.push((await post(api.graphql, READER_KEY, PAGE, { order: o })).ms);
      fifty.push((await post(api.graphql, READER_KEY, PAGE, { order: o, after: cursors[o] })).ms);
    }
    console.log(
      `warm, ${o}: page 1 p50 ${f(pct(one, 50))} ms (p99 ${f(pct(one, 99))}); page 50 p50 ${f(pct(fifty, 50))} ms (p99 ${f(pct(fifty, 99))}); ratio ${(pct(fifty, 50) / pct(one, 50)).toFixed(2)}`,
    );
  }

  // Cold: the first request after a fresh start of the database and the API.
  for (const o of orders) {
    const cold: Record<"one" | "fifty", number[]> = { one: [], fifty: [] };
    for (let run = 0; run < COLD_RUNS; run++) {
      for (const which of ["one", "fifty"] as const) {
        await stopBenchApi(api);
        await db.stop();
        db = await startBenchDb(DATA_DIR);
        api = await startBenchApi(db.uri, "bench", LIMITS);
        const r = await post(api.graphql, READER_KEY, PAGE, which === "one" ? { order: o } : { order: o, after: cursors[o] });
        if (r.body.errors) throw new Error(JSON.stringify(r.body.errors));
        cold[which].push(r.ms);
      }
    }
    console.log(
      `cold, ${o}: page 1 ${cold.one.map(f).join(" / ")} ms; page 50 ${cold.fifty.map(f).join(" / ")} ms; ratio of medians ${(pct(cold.fifty, 50) / pct(cold.one, 50)).toFixed(2)}`,
    );
  }
  await stopBenchApi(api);
  await db.stop();
}

main().then(
  () => process.exit(0),
  (err) => {
    console.error(err);
    process.exit(1);
  },
);
