/**
 * The API's CPU per review for the scoring states, apart from the database and
 * HTTP: what scoreArrivals does with them per review (unpack the product's and
 * the reviewer's state, score, pack both), against busy products' states
 * (bench/busy-states.ts, as BENCH_BUSY_STATES=1 gives the API bench), for the
 * default scorer and for the bench's legacy-scoring server (LEGACY_SCORING_OPTIONS,
 * its states packed without issue 18's fields: bench/legacy-states.ts), each
 * scored in place as scoreArrivals does and through scoreArrival's copies of
 * both states (as it did before), in one process, alternating, each round from
 * the same states:
 * `npx tsx packages/api/bench/state-cpu.ts [reviews] [rounds] [products]` (default 20,000, 7, 1,000: the API bench's).
 * The submissions are the API bench's: product p-(n mod products), reviewer
 * bench-(n mod 500), stars 1 + n mod 5, 50 ms apart. Prints CPU µs per review
 * (best round, and the median of each round's default / legacy) and each
 * step's share. Not a test: nothing asserts a time.
 */
import { loadavg } from "node:os";
import {
  DEFAULT_SCORING_OPTIONS,
  LEGACY_SCORING_OPTIONS,
  type ProductState,
  type ReviewerState,
  type ScoringOptions,
  initialProductState,
  initialReviewerState,
  scoreArrival,
  scoreArrivalInPlace,
} from "@starling/scoring";
import type { BSON } from "mongodb";
import { packWholeState, unpackState } from "../src/features/scoring/scoring.js";
import { busyStates } from "./busy-states.js";
import { legacyPackState } from "./legacy-states.js";

const REVIEWS = Number(process.argv[2] ?? 20_000);
const ROUNDS = Number(process.argv[3] ?? 7);
const PRODUCTS = Number(process.argv[4] ?? 1000);

interface Variant {
  name: string;
  options: ScoringOptions;
  score: typeof scoreArrival;
  pack: (id: string, state: unknown) => BSON.Binary;
  /** The busy products' states, packed as this server stores them. */
  stored: Map<string, BSON.Binary>;
  cpuUs: number[];
  /** Wall µs per step over all rounds (one thread: about its CPU). */
  steps: { unpack: number; score: number; pack: number };
}

const products = Array.from({ length: PRODUCTS }, (_, i) => `p-${i}`);
const scorers = [
  ["default", DEFAULT_SCORING_OPTIONS, packWholeState],
  ["legacy", LEGACY_SCORING_OPTIONS, legacyPackState(LEGACY_SCORING_OPTIONS)],
] as const;
const variants: Variant[] = scorers.flatMap(([name, options, pack]) => {
  const replayed = busyStates(products, options);
  const stored = new Map(products.map((id) => [`product:${id}`, pack(`product:${id}`, replayed.products.get(id))]));
  return [
    ["in place", scoreArrivalInPlace],
    ["copied", scoreArrival],
  ].map(([how, score]) => ({
    name: `${name}, ${how}`,
    options,
    score: score as typeof scoreArrival,
    pack,
    stored,
    cpuUs: [],
    steps: { unpack: 0, score: 0, pack: 0 },
  }));
});
for (const v of variants.filter((_, i) => i % 2 === 0)) {
  const sizes = [...v.stored.values()].map((b) => b.length()).sort((a, b) => a - b);
  console.log(`${v.name.split(",")[0]}: busy product state ${(sizes[sizes.length >> 1]! / 1000).toFixed(1)} kB (median of ${PRODUCTS})`);
}

function run(v: Variant): void {
  const db = new Map(v.stored);
  const start = Date.now();
  const cpu = process.cpuUsage();
  for (let n = 0; n < REVIEWS; n++) {
    const productKey = `product:p-${n % PRODUCTS}`;
    const reviewerKey = `reviewer:id:bench-${n % 500}`;
    const t0 = performance.now();
    const product = (unpackState(db.get(productKey)) as ProductState | undefined) ?? initialProductState();
    const reviewer = (unpackState(db.get(reviewerKey)) as ReviewerState | undefined) ?? initialReviewerState();
    const t1 = performance.now();
    const at = Math.max(start + n * 50, product.arrival.lastMs ?? 0);
    const review = {
      reviewId: `rev_bench_${n}`.padEnd(36, "0"),
      reviewerId: reviewerKey.slice(9),
      productId: `p-${n % PRODUCTS}`,
      stars: 1 + (n % 5),
    };
    const result = v.score(product, reviewer, review, at, null, v.options);
    const t2 = performance.now();
    db.set(productKey, v.pack(productKey, result.product));
    db.set(reviewerKey, v.pack(reviewerKey, result.reviewer));
    const t3 = performance.now();
    v.steps.unpack += (t1 - t0) * 1000;
    v.steps.score += (t2 - t1) * 1000;
    v.steps.pack += (t3 - t2) * 1000;
  }
  const used = process.cpuUsage(cpu);
  v.cpuUs.push((used.user + used.system) / REVIEWS);
}

const loadBefore = loadavg()[0]!.toFixed(2);
for (let round = 0; round < ROUNDS; round++) for (const v of round % 2 ? [...variants].reverse() : variants) run(v);
const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
};
for (const v of variants) {
  const total = v.steps.unpack + v.steps.score + v.steps.pack;
  const share = (x: number) => `${((100 * x) / total).toFixed(0)} %`;
  console.log(
    `${v.name.padEnd(17)} CPU µs per review: best ${Math.min(...v.cpuUs).toFixed(1)}, median ${median(v.cpuUs).toFixed(1)} (rounds ${v.cpuUs.map((x) => x.toFixed(1)).join(" ")}); ` +
      `unpack ${share(v.steps.unpack)}, score ${share(v.steps.score)}, pack ${share(v.steps.pack)}`,
  );
}
for (const [d, l] of [
  [variants[0]!, variants[2]!],
  [variants[1]!, variants[3]!],
] as const) {
  console.log(
    `${d.name} / ${l.name}: median of rounds ${median(d.cpuUs.map((x, i) => x / l.cpuUs[i]!)).toFixed(3)}, best ${(Math.min(...d.cpuUs) / Math.min(...l.cpuUs)).toFixed(3)}`,
  );
}
console.log(`load ${loadBefore} → ${loadavg()[0]!.toFixed(2)}`);
