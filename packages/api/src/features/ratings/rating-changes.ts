/**
 * rating.changed: a product's displayed rating moved. Announced once per
 * change of the value a shop shows (the trust-weighted mean rounded to one
 * decimal, "4.3"), not per review: a review that leaves "4.3" as it was
 * announces nothing, and many reviews landing together announce their net
 * move once. Each product's counts queue one check (ratingsMoved in
 * ratings.ts); the check compares the rating now with the last one announced
 * (rating_marks) and records the event when it differs.
 *
 * Only a product's own writes (reviews counted, moderated, re-weighted,
 * erased) queue its check; the shop-wide prior moving the product's rating by
 * itself is seen at the product's next write. `recompute` rebuilds summaries
 * without checks; their next write announces any move.
 */
import type { LeasedJob } from "../../db/lease-queue.js";
import type { RatingMarkDoc, RatingSummaryDoc } from "./model.js";
import { findByIds } from "../../db/find-by-ids.js";
import type { Deps } from "../deps.js";
import { recordEvents } from "../events/events.js";
import { RATING_CHECKS_QUEUE, productSummaryId, ratingFrom, shopSummaryId } from "./ratings.js";

export { RATING_CHECKS_QUEUE } from "./ratings.js";

export interface RatingCheck {
  readonly shopId: string;
  readonly productId: string;
}

/** The displayed value: the mean to one decimal, or null for a product without counted reviews. */
function displayedRating(deps: Deps, check: RatingCheck, byId: Map<string, RatingSummaryDoc>) {
  const rating = ratingFrom(
    byId.get(productSummaryId(check.shopId, check.productId)),
    byId.get(shopSummaryId(check.shopId)),
    deps.priorStrength,
  );
  return { value: rating.count > 0 ? Math.round(rating.mean * 10) / 10 : null, count: rating.count, mean: rating.mean };
}

/**
 * Compares each product once and records an event for each value that moved;
 * returns the values now shown. A round's checks together: their summaries,
 * their marks, their events and their new marks are one command each.
 */
async function compareAndAnnounce(deps: Deps, checks: readonly RatingCheck[]): Promise<(number | null)[]> {
  const ids = checks.map((c) => productSummaryId(c.shopId, c.productId));
  // Read fresh, not through the cache: other processes' writes must be seen.
  const [summaries, marks] = await Promise.all([
    findByIds(deps.models.RatingSummary, [...ids, ...checks.map((c) => shopSummaryId(c.shopId))]),
    findByIds(deps.models.RatingMark, ids),
  ]);
  const summaryById = new Map(summaries.map((d) => [d._id, d as RatingSummaryDoc]));
  const markById = new Map(marks.map((m) => [m._id, m as RatingMarkDoc]));
  const moved: { id: string; check: RatingCheck; seq: number; now: ReturnType<typeof displayedRating>; previous: number | null }[] = [];
  const values = checks.map((check, i) => {
    const now = displayedRating(deps, check, summaryById);
    const mark = markById.get(ids[i]!);
    if ((mark?.value ?? null) !== now.value)
      moved.push({ id: ids[i]!, check, seq: (mark?.seq ?? 0) + 1, now, previous: mark?.value ?? null });
    return now.value;
  });
  if (!moved.length) return values;
  // The id names this move: a check that dies after recording it and runs again records it once.
  await recordEvents(
    deps,
    moved.map(({ check, seq, now, previous }) => ({
      id: `rating.changed:${check.shopId}:${check.productId}:${seq}:${now.value ?? "none"}`,
      type: "rating.changed" as const,
      shopId: check.shopId,
      data: { productId: check.productId, rating: now.value, previousRating: previous, reviewCount: now.count },
    })),
  );
  await deps.models.RatingMark.collection.bulkWrite(
    moved.map(({ id, check, seq, now }) => ({
      replaceOne: {
        filter: { _id: id } as never,
        replacement: { shopId: check.shopId, productId: check.productId, seq, value: now.value, count: now.count, at: deps.now() } as never,
        upsert: true,
      },
    })),
    { ordered: false },
  );
  return values;
}

/**
 * A round of queued checks (runLeaseWorker with inRounds). Completed before a
 * last look: a write that landed while a check ran found its job still queued
 * and queued nothing, so the check looks again after completing and announces
 * that move too. The round succeeds or fails as one.
 */
export async function checkRatingChanges(deps: Deps, jobs: readonly LeasedJob<RatingCheck>[]): Promise<Map<string, unknown>> {
  let pending = jobs.map((j) => j.payload);
  let values = await compareAndAnnounce(deps, pending);
  await deps.queue<RatingCheck>(RATING_CHECKS_QUEUE).completeMany(jobs);
  for (let i = 0; i < 3 && pending.length; i++) {
    const again = await compareAndAnnounce(deps, pending);
    const changed = pending.flatMap((check, k) => (again[k] === values[k] ? [] : [{ check, value: again[k]! }]));
    pending = changed.map((c) => c.check);
    values = changed.map((c) => c.value);
  }
  return new Map();
}
