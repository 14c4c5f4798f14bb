/**
 * The hot-path cache, side by side: TtlCache as it is (lru-cache underneath)
 * against the Map-based TtlCache it replaced (read from git history at
 * PRE_REFACTOR, so the comparison needs a git clone). Same workload for both:
 * 50 000 keys, a read of a spread-out key per operation (a miss is loaded and
 * set), and one set every 20 operations (a write invalidating and reloading).
 *
 * Run: sh scripts/pnpm.sh -s --filter @starling/api bench:caches
 */
import { execFileSync } from "node:child_process";
import { mkdirSync, writeFileSync } from "node:fs";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { REPO_ROOT } from "../src/config.js";
import { TtlCache } from "../src/db/ttl-cache.js";

const PRE_REFACTOR = "9dc9294";
const KEYS = 50_000;
const OPS = Number(process.env.BENCH_OPS ?? 2_000_000);
const ROUNDS = 5;

interface Cache {
  get(k: string): unknown;
  set(k: string, v: object): void;
}

function workload(cache: Cache, keys: string[]): { nsPerOp: number; hits: number } {
  for (const k of keys) cache.set(k, { k });
  let hits = 0;
  const t = performance.now();
  for (let i = 0; i < OPS; i++) {
    const k = keys[(i * 7919) % KEYS]!;
    if (cache.get(k) !== undefined) hits++;
    else cache.set(k, { k });
    if (i % 20 === 0) cache.set(keys[(i * 31) % KEYS]!, { i });
  }
  return { nsPerOp: ((performance.now() - t) * 1e6) / OPS, hits };
}

async function main() {
  const dir = path.join(REPO_ROOT, ".data/bench-caches");
  mkdirSync(dir, { recursive: true });
  const oldFile = path.join(dir, "ttl-cache-before.ts");
  writeFileSync(oldFile, execFileSync("git", ["show", `${PRE_REFACTOR}:packages/api/src/db/ttl-cache.ts`], { cwd: REPO_ROOT }));
  const { TtlCache: OldTtlCache } = (await import(pathToFileURL(oldFile).href)) as { TtlCache: new (ttl: number, max: number) => Cache };
  const keys = Array.from({ length: KEYS }, (_, i) => `shop_${i}:product_${i * 7}`);
  const results: Record<string, number[]> = { "Map-based (before)": [], "lru-cache (now)": [] };
  for (let r = 0; r < ROUNDS; r++) {
    results["Map-based (before)"]!.push(workload(new OldTtlCache(60_000, KEYS), keys).nsPerOp);
    results["lru-cache (now)"]!.push(workload(new TtlCache<object>(60_000, KEYS), keys).nsPerOp);
  }
  for (const [name, xs] of Object.entries(results)) {
    const sorted = [...xs].sort((a, b) => a - b);
    console.log(
      `${name}: median ${sorted[Math.floor(sorted.length / 2)]!.toFixed(0)} ns per operation (${ROUNDS} rounds of ${OPS} operations)`,
    );
  }
}

await main();
