/** The submission benchmark's review texts (bench/run.ts), shared with bench/insights-drain.ts; and what the insights benchmarks share. */
import type { ReviewDoc } from "../src/features/reviews/model.js";

const VOCABULARY = (
  "tent pole zip seam rain wind pack light heavy warm cold dry wet quick slow easy hard strap buckle hood pocket " +
  "fabric stitch colour size fit long short wide narrow trail camp night morning summer winter storm sun mud snow " +
  "price value worth return friend family trip week month year great good fine poor broke held lasted failed loved " +
  "liked hated used carried packed opened closed washed dried folded stored bought ordered arrived shipped box"
).split(" ");

/** A review text of 20 to 40 words drawn from a fixed vocabulary by `n`: other texts share few word triples, as real ones do. */
export function benchText(n: number): string {
  let x = (n + 1) * 2654435761;
  const next = () => {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    return (x >>> 0) / 2 ** 32;
  };
  const words = Array.from({ length: 20 + Math.floor(next() * 21) }, () => VOCABULARY[Math.floor(next() * VOCABULARY.length)]!);
  return `${words.join(" ")}.`;
}

/** Runs a benchmark's main and exits: console.log to a pipe is asynchronous, so once stdout has taken it all. */
export function runBench(main: () => Promise<void>): void {
  main().then(
    () => process.stdout.write("", () => process.exit(0)),
    (err: unknown) => {
      console.error(err);
      process.exit(1);
    },
  );
}

/** A published review stored as it is (no scoring, no signature), as the insights benchmarks write them before queueing their analyses. */
export function publishedReview(
  r: Pick<ReviewDoc, "_id" | "shopId" | "productId" | "rating" | "title" | "body" | "reviewer" | "createdAt">,
): ReviewDoc {
  return {
    ...r,
    language: null,
    provenance: "ORGANIC",
    source: "api",
    verification: null,
    payloadHash: "bench",
    status: "published",
    reply: null,
    score: null,
    signature: null,
    summaryApplied: false,
  };
}
