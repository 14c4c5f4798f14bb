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
import { recordEvent } from "../events/events.js";
import { RATING_CHECKS_QUEUE, productSummaryId, ratingFrom, shopSummaryId } from "./ratings.js";

export { RATING_CHECKS_QUEUE } from "./ratings.js";

export interface RatingCheck {
  readonly shopId: string;
  readonly productId: string;
}

/** The displayed value: the mean to one decimal, or null for a product without counted reviews. */
async function displayedRating(deps: Deps, check: RatingCheck): Promise<{ value: number | null; count: number; mean: number }> {
  // Read fresh, not through the cache: other processes' writes must be seen.
  const docs = await findByIds(deps.models.RatingSummary, [productSummaryId(check.shopId, check.productId), shopSummaryId(check.shopId)]);
  const byId = new Map(docs.map((d) => [d._id, d as RatingSummaryDoc]));
  const rating = ratingFrom(
    byId.get(productSummaryId(check.shopId, check.productId)),
    byId.get(shopSummaryId(check.shopId)),
    deps.priorStrength,
  );
  return { value: rating.count > 0 ? Math.round(rating.mean * 10) / 10 : null, count: rating.count, mean: rating.mean };
}

/** Compares once and records the event if the value moved; returns the value now shown. */
async function compareAndAnnounce(deps: Deps, check: RatingCheck): Promise<number | null> {
  const id = productSummaryId(check.shopId, check.productId);
  const [now, mark] = await Promise.all([displayedRating(deps, check), deps.models.RatingMark.findById(id).lean<RatingMarkDoc>()]);
  if ((mark?.value ?? null) === now.value) return now.value;
  const seq = (mark?.seq ?? 0) + 1;
  // The id names this move: a check that dies after recording it and runs again records it once.
  await recordEvent(deps, `rating.changed:${check.shopId}:${check.productId}:${seq}:${now.value ?? "none"}`, {
    type: "rating.changed",
    shopId: check.shopId,
    data: { productId: check.productId, rating: now.value, previousRating: mark?.value ?? null, reviewCount: now.count },
  });
  await deps.models.RatingMark.collection.replaceOne(
    { _id: id } as never,
    { shopId: check.shopId, productId: check.productId, seq, value: now.value, count: now.count, at: deps.now() } as never,
    { upsert: true },
  );
  return now.value;
}

/**
 * One queued check. Completed before a last look: a write that landed while
 * the check ran found the job still queued and queued nothing, so the check
 * looks again after completing and announces that move too.
 */
export async function checkRatingChange(deps: Deps, job: LeasedJob<RatingCheck>): Promise<void> {
  let value = await compareAndAnnounce(deps, job.payload);
  await deps.queue<RatingCheck>(RATING_CHECKS_QUEUE).complete(job);
  for (let i = 0; i < 3; i++) {
    const again = await compareAndAnnounce(deps, job.payload);
    if (again === value) return;
    value = again;
  }
}
