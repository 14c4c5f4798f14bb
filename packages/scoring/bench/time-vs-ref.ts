/**
 * CPU of the write-time scorer against another version of its source, in one
 * process, alternating which runs first each round, on the synthetic timeline
 * `time-score` generates. For a before/after of a change to the defaults
 * (time-mechanisms.ts compares option sets of the same code):
 *
 *   git archive main src | tar -x -C /tmp/scoring-main
 *   npx tsx packages/scoring/bench/time-vs-ref.ts /tmp/scoring-main/src [count] [rounds]
 *
 * Prints each round's CPU and the median of the rounds' this / reference
 * ratios. Not a test: nothing asserts a time.
 */
import { readFileSync } from "node:fs";
import { loadavg } from "node:os";
import path from "node:path";
import { parseReviewLine } from "../scripts/score-jsonl.js";
import * as mine from "../src/index.js";
import { repoRoot } from "./datasets.js";

const refDir = process.argv[2];
if (refDir === undefined) throw new Error("usage: time-vs-ref.ts <reference src dir> [count] [rounds]");
const ref = (await import(path.resolve(refDir, "index.ts"))) as typeof mine;
const count = Number(process.argv[3] ?? 200_000);
const rounds = Number(process.argv[4] ?? 9);
const lines = readFileSync(path.join(repoRoot, ".data/synthetic-1m.jsonl"), "utf8").split("\n", count);
const reviews = lines.filter((l) => l.trim()).map((l, i) => parseReviewLine(l, i + 1));
const cpu = { reference: [] as number[], this: [] as number[] };
for (let round = 0; round < rounds; round++) {
  const order = round % 2 === 0 ? (["this", "reference"] as const) : (["reference", "this"] as const);
  for (const name of order) {
    const start = process.cpuUsage();
    (name === "this" ? mine : ref).scoreTimeline(reviews);
    const used = process.cpuUsage(start);
    cpu[name].push((used.user + used.system) / 1000);
  }
}
const s = (xs: number[]) => xs.map((ms) => `${(ms / 1000).toFixed(2)} s`).join(", ");
console.log(`reference ${reviews.length} reviews: CPU ${s(cpu.reference)}`);
console.log(`this      ${reviews.length} reviews: CPU ${s(cpu.this)}`);
const ratios = cpu.this.map((t, i) => t / cpu.reference[i]!).sort((a, b) => a - b);
const median = ratios.length % 2 ? ratios[(ratios.length - 1) / 2]! : (ratios[ratios.length / 2 - 1]! + ratios[ratios.length / 2]!) / 2;
console.log(
  `this / reference: median of ${rounds} rounds ${median.toFixed(3)}; load ${loadavg()
    .map((x) => x.toFixed(2))
    .join(" ")}`,
);
