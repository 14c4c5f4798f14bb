/**
 * How the benchmark's "legacy scoring" server (bench/servers/api-variant.ts)
 * saves scoring states: packed as production's are (packing is storage, not
 * issue 18), but first without the fields only issue 18's mechanisms read,
 * which LEGACY_SCORING_OPTIONS has off. That server then stores states of the
 * size the scorer before issue 18 wrote, so the benchmark's difference is the
 * mechanisms' whole cost, CPU and bytes, and not the storage's. Scores are the
 * same either way: the scorer takes an absent field for a state stored before
 * it existed, and with its mechanism off reads none. Production stores every
 * state whole (createDeps' default), whatever its options.
 */
import type { ProductState, RecentArrival, ReviewerState, ScoringOptions, StreamState } from "@starling/scoring";
import type { BSON } from "mongodb";
import { packState } from "../src/features/scoring/scoring.js";

/** Deps' packScoringState for a server scoring with `o`: each state without the fields of issue 18's mechanisms that `o` has off. */
export function legacyPackState(o: ScoringOptions): (id: string, state: unknown) => BSON.Binary {
  return (id, state) => packState(legacyState(id, state, o));
}

/** The state as `o` reads it: without the fields of issue 18's mechanisms that `o` has off. */
export function legacyState(id: string, state: unknown, o: ScoringOptions): unknown {
  const campaigns = o.campaignCarryOver;
  const alarmLoad = o.alarmLoadNats > 0;
  if (campaigns && alarmLoad && o.coReview && o.historyQuality) return state;
  if (id.startsWith("reviewer:")) {
    const r = state as ReviewerState;
    const { version, reviewCount, firstMs, lastMs, day, reviewsThatDay, maxReviewsPerDay, extremeCount } = r;
    return {
      ...{ version, reviewCount, firstMs, lastMs, day, reviewsThatDay, maxReviewsPerDay, extremeCount },
      ...(o.historyQuality ? { activeDays: r.activeDays } : {}),
      ...(o.coReview ? { recentProducts: r.recentProducts } : {}),
      ...(campaigns ? { flaggedReviews: r.flaggedReviews } : {}),
    };
  }
  const entry = (a: RecentArrival) => {
    const { reviewId, timeMs, stars, firstTime, weightBp, logOdds, topReason, flaggedMask } = a;
    const kept = { reviewId, timeMs, stars, firstTime, weightBp, logOdds, topReason, flaggedMask };
    return o.coReview ? { ...kept, reviewerId: a.reviewerId, coProducts: a.coProducts } : kept;
  };
  const stream = (s: StreamState) => {
    const { decayedCount, decayedAtMs, settledCount, cusum, cusumAtMs, cusumStartMs, cusumCount } = s;
    return {
      ...{ decayedCount, decayedAtMs, settledCount, cusum, cusumAtMs, cusumStartMs, cusumCount },
      ...(campaigns ? { campaign: s.campaign, campaignUntilMs: s.campaignUntilMs, campaignMembers: s.campaignMembers } : {}),
      ...(alarmLoad ? { alarmLoad: s.alarmLoad, alarmLoadAtMs: s.alarmLoadAtMs } : {}),
    };
  };
  const p = state as ProductState;
  const a = p.arrival;
  return {
    ...p,
    arrival: {
      firstMs: a.firstMs,
      lastMs: a.lastMs,
      arrivals: a.arrivals,
      recent: a.recent.map(entry),
      // Only campaigns and co-review groups keep arrivals past the ring.
      ...(campaigns || o.coReview ? { trail: a.trail.map(entry) } : {}),
      streams: {
        all: stream(a.streams.all),
        first_time_5_star: stream(a.streams.first_time_5_star),
        first_time_1_star: stream(a.streams.first_time_1_star),
      },
      bursts: a.bursts,
    },
  };
}
