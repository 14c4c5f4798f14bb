import { rm } from "node:fs/promises";
import path from "node:path";
import { performance } from "node:perf_hooks";
import { DAY_MS, analyzeReview, dayCountsOf, dayOf, summarizeDayCounts, type AnalyzedReview, type DayCounts } from "@starling/insights";
import { loadOpSpam } from "../../insights/bench/data.js";
import { REPO_ROOT, loadConfig } from "../src/config.js";
import { startEmbeddedFerretDB } from "../src/db/embedded-ferretdb.js";
import { findByIds } from "../src/db/find-by-ids.js";
import { startStarling } from "../src/starling.js";
import { createLogger } from "../src/log.js";

const DATA_DIR = path.join(REPO_ROOT, ".data/scratch-ferretdb");
async function main() {
  await rm(DATA_DIR, { recursive: true, force: true });
  const db = await startEmbeddedFerretDB({ binDir: path.join(REPO_ROOT, ".data/bin"), dataDir: DATA_DIR });
  const config = { ...loadConfig({ NODE_ENV: "production" }), mongodbUri: db.uri, dbName: "scratch", port: 0, host: "127.0.0.1", logLevel: "warn" as const };
  const starling = await startStarling({ config, log: createLogger("warn") });
  const deps = starling.deps;
  try {
    const texts = loadOpSpam().map((r) => r.text).slice(0, 200);
    const analyses = texts.map((t) => analyzeReview({ title: "Stay", body: t }));
    const today = dayOf(Date.now());
    const byDay = new Map<number, AnalyzedReview[]>();
    for (let i = 0; i < 100_000; i++) {
      const dayMs = today - (i % 365) * DAY_MS;
      const r = { reviewId: `rev_huge_${i}`, productId: "p-huge", timeMs: dayMs + (i % 86_000) * 1_000, insight: analyses[i % analyses.length]! };
      let l = byDay.get(dayMs); if (!l) byDay.set(dayMs, (l = [])); l.push(r);
    }
    const buckets: DayCounts[] = [...byDay.values()].map((l) => dayCountsOf(l, { quotes: 3 }));
    const nested = buckets.map((b, i) => ({ _id: `n.${i}`, reviews: b.reviews, polaritySum: b.polaritySum, aspects: b.aspects }));
    const str = buckets.map((b, i) => ({ _id: `s.${i}`, data: JSON.stringify(b) }));
    await deps.models.InsightDay.collection.insertMany(nested as never[]);
    await deps.models.InsightDay.collection.insertMany(str as never[]);
    console.log("bucket bytes", JSON.stringify(buckets[0]).length, "aspects", buckets[0]!.aspects.length);
    for (const [label, prefix] of [["nested", "n"], ["string", "s"]] as const) {
      for (let rep = 0; rep < 3; rep++) {
        const ids = Array.from({ length: 90 }, (_, i) => `${prefix}.${i}`);
        let t = performance.now();
        const docs = await findByIds(deps.models.InsightDay, ids) as any[];
        const tFind = performance.now() - t;
        t = performance.now();
        const counts: DayCounts[] = docs.map((d, i) => (d.data ? JSON.parse(d.data) : { dayMs: buckets[i]!.dayMs, reviews: d.reviews, polaritySum: d.polaritySum, aspects: d.aspects }));
        const tParse = performance.now() - t;
        t = performance.now();
        summarizeDayCounts(counts, { fromMs: today - 89 * DAY_MS, toMs: today + DAY_MS }, { limit: 10, quotes: 3 });
        const tSum = performance.now() - t;
        console.log(label, "find", tFind.toFixed(0), "parse", tParse.toFixed(0), "summarize", tSum.toFixed(0));
      }
    }
    // one doc
    for (const prefix of ["n", "s"]) { const t = performance.now(); await deps.models.InsightDay.findById(`${prefix}.5`).lean(); console.log(prefix, "one doc", (performance.now() - t).toFixed(1)); }
  } finally { await starling.close(); await db.stop(); await rm(DATA_DIR, { recursive: true, force: true }); }
}
main().then(() => process.exit(0), (e) => { console.error(e); process.exit(1); });
