/**
 * BENCH_BUSY_STATES=1 (bench/run.ts): before the submission runs, the scoring
 * states of the products the scenario writes to are replaced by those of busy
 * products, replayed through each API's own scorer options: 60 days of an
 * arrival every two hours from reviewers who each review a few products a
 * month. A seed has no scoring states and a run adds about one review per
 * product, so without this every state stays a few arrivals long, where a busy
 * product's holds the full ring (and, with issue 18's mechanisms, the trail):
 * the state every review of it reads and rewrites.
 */
import { type ScoringOptions, type TimelineResult, type TimelineReview, scoreTimeline } from "@starling/scoring";
import type { Models } from "../src/features/models.js";
import type { Deps } from "../src/features/deps.js";
import { BENCH_SHOP } from "./seed.js";

const HOUR = 3_600_000;
const DAYS = 60;
const PER_DAY = 12;
const REVIEWERS = 3_000;
/** The ratings of a product's arrivals, in turn: mostly 4–5★, some at 1★. */
const STARS = [5, 4, 5, 1, 4, 5, 3, 5, 4, 2, 5, 1];

/**
 * 60 days of busy products, `products` of them, replayed through a scorer with
 * `options`: their states (and their reviewers'), as of now.
 */
export function busyStates(products: readonly string[], options: ScoringOptions): TimelineResult {
  const start = Date.now() - DAYS * 24 * HOUR;
  const timeline: TimelineReview[] = [];
  for (let i = 0; i < DAYS * PER_DAY; i++) {
    for (const [j, productId] of products.entries()) {
      timeline.push({
        reviewId: `rev_busy_${j}_${i}`.padEnd(36, "0"),
        reviewerId: `id:busy-${(i * 7 + j * 13) % REVIEWERS}`,
        productId,
        stars: STARS[(i + j) % STARS.length]!,
        // Products a minute apart, so no two arrivals of a product share a time.
        timeMs: start + (i * 24 * HOUR) / PER_DAY + (j % 60) * 60_000,
      });
    }
  }
  timeline.sort((a, b) => a.timeMs - b.timeMs);
  return scoreTimeline(timeline, { scoring: options });
}

/** `pack`: how the API writing to `models` saves its states (its Deps' packScoringState). */
export async function writeBusyStates(
  models: Models,
  products: readonly string[],
  options: ScoringOptions,
  pack: Deps["packScoringState"],
): Promise<void> {
  const replayed = busyStates(products, options);
  const states = products.map((productId) => {
    const id = `product:${BENCH_SHOP}:${productId}`;
    return { _id: id, state: pack(id, replayed.products.get(productId)) };
  });
  const collection = models.ScoringState.collection;
  await collection.deleteMany({ _id: { $in: states.map((s) => s._id) } } as never);
  for (let i = 0; i < states.length; i += 200) await collection.insertMany(states.slice(i, i + 200) as never[], { ordered: false });
}
