/**
 * CPU per review of the write-time scorer with issue 18's mechanisms off
 * (LEGACY_SCORING_OPTIONS) and on (DEFAULT_SCORING_OPTIONS), side by side in
 * one process, alternating, on the synthetic timeline `time-score` generates:
 * `npx tsx packages/scoring/bench/time-mechanisms.ts [count] [rounds]` (default 200,000 reviews, 3 rounds).
 * On a busy machine CPU time varies from run to run, so it also prints the
 * median of each round's after/before ratio (the two runs of a round are
 * back to back, under about the same load).
 * Not a test: nothing asserts a time.
 */
import { readFileSync } from "node:fs";
import { loadavg } from "node:os";
import path from "node:path";
import { parseReviewLine } from "../scripts/score-jsonl.js";
import { DEFAULT_SCORING_OPTIONS, LEGACY_SCORING_OPTIONS, scoreTimeline } from "../src/index.js";
import { repoRoot } from "./datasets.js";

const count = Number(process.argv[2] ?? 200_000);
const file = path.join(repoRoot, ".data/synthetic-1m.jsonl");
const lines = readFileSync(file, "utf8").split("\n", count);
const reviews = lines.filter((l) => l.trim()).map((l, i) => parseReviewLine(l, i + 1));
const cpu: Record<string, number[]> = { before: [], after: [] };
const rounds = Number(process.argv[3] ?? 3);
for (let round = 0; round < rounds; round++) {
  for (const [name, scoring] of [
    ["before", LEGACY_SCORING_OPTIONS],
    ["after", DEFAULT_SCORING_OPTIONS],
  ] as const) {
    const start = process.cpuUsage();
    scoreTimeline(reviews, { scoring });
    const used = process.cpuUsage(start);
    cpu[name]!.push((used.user + used.system) / 1000);
  }
}
const best = (xs: number[]) => Math.min(...xs);
for (const name of ["before", "after"]) {
  console.log(
    `${name.padEnd(6)} ${reviews.length} reviews: CPU ${cpu[name]!.map((ms) => `${(ms / 1000).toFixed(2)} s`).join(", ")}; best ${((best(cpu[name]!) * 1000) / reviews.length).toFixed(2)} µs per review`,
  );
}
const ratios = cpu.after!.map((a, i) => a / cpu.before![i]!).sort((a, b) => a - b);
const median = ratios.length % 2 ? ratios[(ratios.length - 1) / 2]! : (ratios[ratios.length / 2 - 1]! + ratios[ratios.length / 2]!) / 2;
console.log(
  `after / before: best of ${rounds} ${(best(cpu.after!) / best(cpu.before!)).toFixed(3)}, median of rounds ${median.toFixed(3)}; load ${loadavg()
    .map((x) => x.toFixed(2))
    .join(" ")}`,
);
