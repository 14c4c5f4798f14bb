/**
 * The dashboard's overview on the benchmark's data (seed.ts: one shop with
 * 500 000 reviews), issue 16's target: p50 < 200 ms on the embedded database.
 * The API runs as `starling serve` pinned to core 0 with FerretDB (as
 * bench/hostile.ts); this client signs in as the dashboard does (secret key →
 * session cookie + CSRF token) and asks for `dashboardOverview` one request at
 * a time: cold (the first request after the API starts), then REQUESTS more.
 * The counters are rebuilt from the reviews first when the seed lacks them
 * (the seed writes reviews straight to the database, past the write path).
 *
 * Run: sh scripts/pnpm.sh -s --filter @starling/api bench:dashboard
 * Options: REQUESTS (default 300), BENCH_DATA_DIR (default .data/bench-ferretdb, or per BENCH_REVIEWS: seed.ts benchDataDir).
 */
import { REPO_ROOT } from "../src/config.js";
import { connect } from "../src/db/connection.js";
import { bindModels } from "../src/features/models.js";
import { createDeps } from "../src/create-deps.js";
import { loadCounts, rebuildDashboardCounts, shopCountsId } from "../src/features/dashboard/counters.js";
import { BENCH_KEY, BENCH_SHOP, REVIEWS, benchDataDir, seedBench } from "./seed.js";
import { type BenchApi, startBenchApi, startBenchDb, stopBenchApi } from "./start.js";

const REQUESTS = Number(process.env.REQUESTS ?? 300);
const DATA_DIR = process.env.BENCH_DATA_DIR ?? benchDataDir(REPO_ROOT);

const OVERVIEW = `{ dashboardOverview { weeks { weekStart received published verified displayedRating plainMean } histogram { stars count }
  publication { stars received published pending rejected quarantined publicationRate } verifiedShare pending quarantined } }`;

const pct = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))]!;
};

const db = await startBenchDb(DATA_DIR);
let api: BenchApi | null = null;
try {
  const conn = await connect(db.uri, "bench", 30_000);
  const models = bindModels(conn);
  const seeded = await seedBench(models);
  console.log(seeded.reused ? `reusing the seeded ${REVIEWS} reviews` : `seeded ${REVIEWS} reviews in ${seeded.seconds.toFixed(0)} s`);
  const deps = createDeps(models, 5);
  const counts = await loadCounts(deps, shopCountsId(BENCH_SHOP));
  const counted = Object.values(counts?.status ?? {}).reduce((a, byStars) => a + Object.values(byStars).reduce((x, y) => x + y, 0), 0);
  if (counted !== REVIEWS) {
    const t = Date.now();
    const docs = await rebuildDashboardCounts(deps);
    console.log(`rebuilt the dashboard's counters from the reviews (${docs} documents) in ${((Date.now() - t) / 1000).toFixed(0)} s`);
  }
  await conn.close();

  api = await startBenchApi(db.uri, "bench");
  const signIn = await fetch(`${api.url}/dashboard/session`, {
    method: "POST",
    headers: { "content-type": "application/json", origin: api.url },
    body: JSON.stringify({ key: BENCH_KEY }),
  });
  const session = (await signIn.json()) as { csrfToken: string };
  const cookie = signIn.headers.get("set-cookie")!.split(";")[0]!;
  const ask = async () => {
    const t = performance.now();
    const res = await fetch(api!.graphql, {
      method: "POST",
      headers: { "content-type": "application/json", cookie, "x-starling-csrf": session.csrfToken, origin: api!.url },
      body: JSON.stringify({ query: OVERVIEW }),
    });
    const body = (await res.json()) as {
      data?: { dashboardOverview: { weeks: unknown[]; publication: { received: number }[] } };
      errors?: unknown;
    };
    const ms = performance.now() - t;
    if (!body.data) throw new Error(`overview failed: ${JSON.stringify(body.errors)}`);
    return { ms, body: body.data.dashboardOverview };
  };
  const cold = await ask();
  const received = cold.body.publication.reduce((a, r) => a + r.received, 0);
  console.log(`overview of a shop with ${received} reviews (${cold.body.weeks.length} weeks): cold ${cold.ms.toFixed(1)} ms`);
  const times: number[] = [];
  for (let i = 0; i < REQUESTS; i++) times.push((await ask()).ms);
  console.log(
    `warm, ${REQUESTS} requests one at a time: p50 ${pct(times, 50).toFixed(1)} ms, p90 ${pct(times, 90).toFixed(1)} ms, p99 ${pct(times, 99).toFixed(1)} ms`,
  );
} finally {
  if (api) await stopBenchApi(api);
  await db.stop();
}
