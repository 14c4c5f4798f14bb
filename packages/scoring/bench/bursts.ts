/**
 * The burst-injection protocol of SCORING.md §3.2 on real product timelines:
 * false-alarm days per product-year on the untouched timelines, recall and
 * delay for injected bursts of first-time reviewers giving extreme stars,
 * and how far each rating formula lets the burst move the displayed rating.
 */
import {
  type ProductState,
  type RatingPrior,
  type ReviewerState,
  type ScoringOptions,
  type TimelineReview,
  DEFAULT_SCORING_OPTIONS,
  bayesianRating,
  initialProductState,
  initialReviewerState,
  plainMean,
  scoreArrivalInPlace,
  trustWeightedRating,
} from "../src/index.js";
import { DAY_MS, seededRandom } from "./datasets.js";

/** A product's real reviews, each with its reviewer's state just before it (from the shop-wide replay). */
export interface ProductTimeline {
  readonly productId: string;
  readonly reviews: readonly TimelineReview[];
  readonly reviewerBefore: readonly ReviewerState[];
}

/** Splits a shop timeline into per-product timelines, remembering each reviewer's causal history. */
export function productTimelines(reviews: readonly TimelineReview[]): ProductTimeline[] {
  const reviewers = new Map<string, ReviewerState>();
  const byProduct = new Map<string, { reviews: TimelineReview[]; reviewerBefore: ReviewerState[] }>();
  for (const r of reviews) {
    let reviewer = reviewers.get(r.reviewerId);
    if (!reviewer) reviewers.set(r.reviewerId, (reviewer = initialReviewerState()));
    let p = byProduct.get(r.productId);
    if (!p) byProduct.set(r.productId, (p = { reviews: [], reviewerBefore: [] }));
    p.reviews.push(r);
    p.reviewerBefore.push({ ...reviewer });
    // Only the reviewer's own fields matter here; a throwaway product state is enough.
    scoreArrivalInPlace(initialProductState(), reviewer, r, r.timeMs);
  }
  return [...byProduct].map(([productId, p]) => ({ productId, ...p }));
}

interface Arrival {
  readonly review: TimelineReview;
  readonly reviewer: ReviewerState;
  readonly injected: boolean;
}

interface ReplayResult {
  /** Times (ms) of arrivals that raised an alarm. */
  readonly alarmTimes: number[];
  /** The product's state after the last arrival at or before cutoffMs. */
  readonly atCutoff: ProductState | null;
  /** Raw (stars, weight) of arrivals up to the cutoff, with the weights they ended with. */
  readonly finalWeights: Map<string, number>;
}

function replay(arrivals: readonly Arrival[], options: ScoringOptions, cutoffMs: number): ReplayResult {
  const product = initialProductState();
  const alarmTimes: number[] = [];
  let atCutoff: ProductState | null = null;
  const finalWeights = new Map<string, number>();
  for (const a of arrivals) {
    if (atCutoff === null && a.review.timeMs > cutoffMs) atCutoff = structuredClone(product);
    const s = scoreArrivalInPlace(product, { ...a.reviewer }, a.review, a.review.timeMs, null, options);
    if (s.alarms.length > 0) alarmTimes.push(a.review.timeMs);
    finalWeights.set(a.review.reviewId, s.trustWeightBp);
    for (const r of s.reweighted) finalWeights.set(r.reviewId, r.trustWeightBp);
  }
  return { alarmTimes, atCutoff: atCutoff ?? product, finalWeights };
}

function realArrivals(t: ProductTimeline): Arrival[] {
  return t.reviews.map((review, i) => ({ review, reviewer: t.reviewerBefore[i]!, injected: false }));
}

/** Distinct UTC days with at least one alarm. */
function alarmDays(times: readonly number[]): Set<number> {
  return new Set(times.map((t) => Math.floor(t / DAY_MS)));
}

export interface FalseAlarmResult {
  readonly products: number;
  readonly productYears: number;
  readonly alarmDays: number;
  readonly perProductYear: number;
}

/** Flagged days per product-year on the untouched timelines. */
export function falseAlarms(timelines: readonly ProductTimeline[], options: ScoringOptions = DEFAULT_SCORING_OPTIONS): FalseAlarmResult {
  let years = 0;
  let days = 0;
  for (const t of timelines) {
    const first = t.reviews[0]!.timeMs;
    const last = t.reviews[t.reviews.length - 1]!.timeMs;
    years += Math.max(DAY_MS, last - first) / (365.25 * DAY_MS);
    days += alarmDays(replay(realArrivals(t), options, Number.POSITIVE_INFINITY).alarmTimes).size;
  }
  return { products: timelines.length, productYears: years, alarmDays: days, perProductYear: days / years };
}

export interface InjectionResult {
  readonly burstSize: number;
  readonly stars: number;
  readonly trials: number;
  readonly recall: number;
  /** Median hours from the first injected review to the first alarm, over detected trials. */
  readonly medianDelayHours: number | null;
  /** Mean |Δ| of the displayed rating at the end of the burst, per formula. */
  readonly shiftPlainMean: number;
  readonly shiftBayes: number;
  readonly shiftTrustWeighted: number;
  /** Mean trust weight of the injected reviews at the end of the burst. */
  readonly injectedWeight: number;
}

export interface InjectionOptions {
  readonly burstSize: number;
  readonly stars: 1 | 5;
  readonly trialsPerProduct: number;
  readonly seed: number;
  /** "day": injected reviews at midnight of t0 or t0 + 1 day (YelpChi); "second": uniform over 48 h (MovieLens). */
  readonly resolution: "day" | "second";
  readonly prior: RatingPrior;
  readonly options?: ScoringOptions;
  /** Days the burst is spread over (the protocol's 2: within 48 h). Longer spreads test the CUSUM's slow campaigns. @default 2 */
  readonly spreadDays?: number;
  /** Earlier reviews each injected account has (0: throwaway accounts, the protocol's case). @default 0 */
  readonly injectedPriorReviews?: number;
}

/**
 * Injects `burstSize` first-time reviews of `stars` within 48 h at a random
 * time after the first quarter of each product's life, replays, and checks
 * for an alarm from a day before to two days after the burst start (the
 * reference script's rule).
 */
export function injectBursts(timelines: readonly ProductTimeline[], o: InjectionOptions): InjectionResult {
  const options = o.options ?? DEFAULT_SCORING_OPTIONS;
  const random = seededRandom(o.seed);
  let trials = 0;
  let hits = 0;
  const delays: number[] = [];
  let shiftPlain = 0;
  let shiftBayes = 0;
  let shiftTrust = 0;
  let injectedWeight = 0;
  for (const t of timelines) {
    const real = realArrivals(t);
    const times = t.reviews.map((r) => r.timeMs);
    for (let trial = 0; trial < o.trialsPerProduct; trial++) {
      const from = times[Math.floor(times.length / 4)]!;
      const to = times[times.length - 1]!;
      let startMs = from + Math.floor(random() * (to - from + 1));
      if (o.resolution === "day") startMs = Math.floor(startMs / DAY_MS) * DAY_MS;
      const injected: Arrival[] = [];
      for (let i = 0; i < o.burstSize; i++) {
        const spread = o.spreadDays ?? 2;
        const offset = o.resolution === "day" ? Math.floor(random() * spread) * DAY_MS : Math.floor(random() * spread * DAY_MS);
        injected.push({
          review: {
            reviewId: `inj${trial}_${i}`,
            productId: t.productId,
            reviewerId: `inj${trial}_${i}`,
            stars: o.stars,
            timeMs: startMs + offset,
          },
          reviewer: { ...initialReviewerState(), reviewCount: o.injectedPriorReviews ?? 0 },
          injected: true,
        });
      }
      injected.sort((a, b) => a.review.timeMs - b.review.timeMs);
      const firstInjected = injected[0]!.review.timeMs;
      // Injected reviews go after real ones at the same instant.
      const merged = [...real, ...injected].sort((a, b) => a.review.timeMs - b.review.timeMs || Number(a.injected) - Number(b.injected));
      const spreadMs = (o.spreadDays ?? 2) * DAY_MS;
      const cutoff = o.resolution === "day" ? Math.floor(startMs / DAY_MS) * DAY_MS + spreadMs - 1 : startMs + spreadMs;
      const attacked = replay(merged, options, cutoff);
      const clean = replay(real, options, cutoff);
      trials++;

      const windowFrom = o.resolution === "day" ? startMs - DAY_MS : startMs;
      const windowTo = o.resolution === "day" ? startMs + spreadMs + DAY_MS - 1 : startMs + spreadMs + DAY_MS;
      const alarms = attacked.alarmTimes.filter((a) => a >= windowFrom && a <= windowTo);
      if (alarms.length > 0) {
        hits++;
        delays.push((Math.max(alarms[0]!, firstInjected) - firstInjected) / 3_600_000);
      }

      const before = real.filter((a) => a.review.timeMs <= cutoff).map((a) => a.review.stars);
      const after = [...before, ...injected.map((a) => a.review.stars)];
      const histogram = (stars: number[]) => {
        const h: [number, number, number, number, number] = [0, 0, 0, 0, 0];
        for (const s of stars) h[s - 1]! += 1;
        return h;
      };
      shiftPlain += Math.abs(plainMean(histogram(after))! - plainMean(histogram(before))!);
      shiftBayes += Math.abs(bayesianRating(histogram(after), o.prior).mean - bayesianRating(histogram(before), o.prior).mean);
      // The displayed rating at the end of the burst, as the product's stored counts had it then.
      const attackedRating = trustWeightedRating(attacked.atCutoff!.counts, o.prior).mean;
      const cleanRating = trustWeightedRating(clean.atCutoff!.counts, o.prior).mean;
      shiftTrust += Math.abs(attackedRating - cleanRating);
      let w = 0;
      for (const a of injected) w += attacked.finalWeights.get(a.review.reviewId)! / 10_000;
      injectedWeight += w / injected.length;
    }
  }
  delays.sort((a, b) => a - b);
  return {
    burstSize: o.burstSize,
    stars: o.stars,
    trials,
    recall: hits / trials,
    medianDelayHours: delays.length ? delays[Math.floor(delays.length / 2)]! : null,
    shiftPlainMean: shiftPlain / trials,
    shiftBayes: shiftBayes / trials,
    shiftTrustWeighted: shiftTrust / trials,
    injectedWeight: injectedWeight / trials,
  };
}
