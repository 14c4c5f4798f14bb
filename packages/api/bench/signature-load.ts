/**
 * A process's first review write in a shop with many reviews: what loading
 * the shop's near-duplicate index (SignatureIndexes, scoring.ts) costs it.
 * SIG_REVIEWS reviews (100 000) of one shop, each with its text signature and
 * page keys as storeNewReviews stores them, are seeded once into
 * .data/bench-signature-load-<n> (reused after). Then, SIG_RUNS times, a fresh
 * process state (createDeps: empty indexes) writes one review through the
 * write queue, then a second: the first pays for the index, the second not.
 * Figures: wall time, and FerretDB's and this process's CPU over each.
 *
 * Run: SIG_REVIEWS=100000 sh scripts/pnpm.sh -s --filter @starling/api exec tsx bench/signature-load.ts
 */
import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import path from "node:path";
import { performance } from "node:perf_hooks";
import { textSignature } from "@starling/scoring";
import { benchText, publishedReview, runBench } from "./bench-text.js";
import { REPO_ROOT } from "../src/config.js";
import { connect, ensureIndexes } from "../src/db/connection.js";
import { startEmbeddedFerretDB } from "../src/db/embedded-ferretdb.js";
import { createDeps } from "../src/create-deps.js";
import { bindModels } from "../src/features/models.js";
import { putProduct } from "../src/features/products/products.js";
import { withPageKeys } from "../src/features/reviews/review-pages.js";
import { packSignature } from "../src/features/scoring/scoring.js";
import { createShop } from "../src/features/shops/shops.js";

const N = Number(process.env.SIG_REVIEWS ?? 100_000);
const RUNS = Number(process.env.SIG_RUNS ?? 3);
const PRODUCTS = 1_000;
const SHOP = "shop_sigload";
const DATA_DIR = path.join(REPO_ROOT, `.data/bench-signature-load-${N}`);
const TICK_MS = 1_000 / Number(execFileSync("getconf", ["CLK_TCK"], { encoding: "utf8" }).trim());

function cpuMs(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
  const f = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  return (Number(f[11]) + Number(f[12])) * TICK_MS;
}

async function main() {
  const db = await startEmbeddedFerretDB({ binDir: path.join(REPO_ROOT, ".data/bin"), dataDir: DATA_DIR });
  const conn = await connect(db.uri, "bench_sigload", 30_000);
  const models = bindModels(conn);
  await ensureIndexes(models);
  try {
    const seeded = await models.Review.estimatedDocumentCount();
    if (seeded < N) {
      const seedDeps = createDeps(models, 5);
      if (!(await models.Shop.exists({ _id: SHOP }))) await createShop(seedDeps, { name: "Signature load", id: SHOP });
      for (let p = 0; p < PRODUCTS; p++) await putProduct(seedDeps, SHOP, { id: `p-${p}`, name: `p-${p}` });
      const now = Date.now();
      for (let i = seeded; i < N; i += 1_000) {
        const docs = Array.from({ length: Math.min(1_000, N - i) }, (_, k) => {
          const n = i + k;
          const body = benchText(n);
          const sig = textSignature(`Bench ${n}\n${body}`)!;
          return withPageKeys({
            ...publishedReview({
              _id: `rev_sig_${String(n).padStart(8, "0")}`,
              shopId: SHOP,
              productId: `p-${n % PRODUCTS}`,
              rating: 1 + (n % 5),
              title: `Bench ${n}`,
              body,
              reviewer: { name: `R ${n}`, externalId: `r-${n}` },
              createdAt: new Date(now - (N - n) * 60_000),
            }),
            signature: packSignature(sig),
          });
        });
        await models.Review.collection.insertMany(docs as never[]);
      }
      console.error(`seeded ${N} reviews`);
    }
    for (let run = 0; run < RUNS; run++) {
      const deps = createDeps(models, 5);
      const write = async (k: number) => {
        const t = performance.now();
        const [db0, me0] = [cpuMs(db.pid), cpuMs(process.pid)];
        const outcome = await deps.reviewWrites.add(
          publishedReview({
            _id: `rev_sigrun_${Date.now()}_${run}_${k}`,
            shopId: SHOP,
            productId: `p-${k}`,
            rating: 4,
            title: "Fresh",
            body: benchText(10_000_000 + run * 10 + k),
            reviewer: { name: "New", externalId: `new-${run}-${k}` },
            createdAt: new Date(),
          }),
        );
        if ("failed" in outcome) throw outcome.failed;
        return { ms: performance.now() - t, dbCpuMs: cpuMs(db.pid) - db0, apiCpuMs: cpuMs(process.pid) - me0 };
      };
      const first = await write(0);
      const second = await write(1);
      const round = (o: Record<string, number>) => Object.fromEntries(Object.entries(o).map(([k, v]) => [k, Math.round(v)]));
      console.log(JSON.stringify({ reviews: N, run, first: round(first), second: round(second) }));
    }
  } finally {
    await conn.close();
    await db.stop();
  }
}

runBench(main);
