/**
 * Burst detection on a product's arrival series, incrementally: a windowed
 * Poisson surprise (a scan over the last k arrivals) and a one-sided Poisson
 * CUSUM, each on all arrivals and on the first-time × extreme-star streams,
 * against an exponentially weighted baseline rate (SCORING.md §2, §5).
 *
 * The state is plain JSON of bounded size: a ring of the last
 * `recentCapacity` arrivals younger than `windowMs`, and per stream a decayed
 * count of the older ("settled") arrivals and the CUSUM statistic. The window
 * being tested is never part of its own baseline: an arrival joins the
 * baseline only when it leaves the ring.
 */
import type { ScoringOptions } from "../options.js";
import type { ArrivalStream, BurstEvidence } from "../reasons.js";
import { poissonSurprise, poissonSurpriseBound } from "./poisson.js";

export const ARRIVAL_STREAMS: readonly ArrivalStream[] = ["all", "first_time_5_star", "first_time_1_star"];

const DAY_MS = 86_400_000;

/** One recent arrival, kept while it may still be part of a flagged window. */
export interface RecentArrival {
  reviewId: string;
  timeMs: number;
  stars: number;
  firstTime: boolean;
  /** The trust weight the review is counted with now. */
  weightBp: number;
  /** Its suspicion log-odds, so a burst found later can add to it. */
  logOdds: number;
  /** The reason code that contributed most, for the product's discount tally. */
  topReason: string | null;
  /** Streams (bit i = ARRIVAL_STREAMS[i]) whose flagged windows have already been added to logOdds; bit CO_REVIEW_BIT: a co-review group. */
  flaggedMask: number;
  /** The reviewer's key, to tell co-reviewers apart ("" when unknown). */
  reviewerId: string;
  /**
   * The reviewer's other recent products when this review arrived, flattened
   * [product hash, UTC day, ...] (at most coReviewProducts pairs): what a later
   * co-reviewer of this product is compared with.
   */
  coProducts: number[];
}

/** flaggedMask bit for co-review group evidence (bits 0..2 are the streams). */
export const CO_REVIEW_BIT = 1 << 3;

/** Per stream: the settled baseline and the CUSUM. */
export interface StreamState {
  /** Σ exp(−(decayedAtMs − t)/τ) over settled arrivals. */
  decayedCount: number;
  decayedAtMs: number;
  /** Settled arrivals, undecayed (for the lifetime-rate floor). */
  settledCount: number;
  /** CUSUM statistic in nats, as of cusumAtMs; 0 when in control. */
  cusum: number;
  cusumAtMs: number;
  /** When the CUSUM last left 0 and how many arrivals it has counted since. */
  cusumStartMs: number;
  cusumCount: number;
  /**
   * The campaign this stream's last alarm flagged, while it stays open (until
   * campaignUntilMs): later arrivals of the stream continue it instead of
   * starting over. Null when none is open (or campaignCarryOver is off).
   */
  campaign: BurstEvidence | null;
  campaignUntilMs: number;
  /** Arrivals that continued the open campaign. */
  campaignMembers: number;
  /**
   * Alarms this stream has raised, decayed with alarmBudgetMs, as of
   * alarmLoadAtMs: each one raises the stream's thresholds (see
   * alarmThresholdNats). Absent in states stored before it existed.
   */
  alarmLoad?: number;
  alarmLoadAtMs?: number;
}

/** A flagged burst: the span and the strongest evidence per detector and stream. */
export interface BurstRecord {
  startMs: number;
  endMs: number;
  evidence: BurstEvidence[];
}

export interface ArrivalState {
  /**
   * Times of the first and last arrival, ms since the epoch; 0 before the
   * first (a number from the start, never null: V8 then keeps the field an
   * in-place double instead of allocating a number on every update).
   */
  firstMs: number;
  lastMs: number;
  arrivals: number;
  recent: RecentArrival[];
  /**
   * Arrivals that left the recent ring but may still belong to a slow
   * campaign's window (first-time streams, kept campaignRetentionMs) or to a
   * co-reviewing group (reviewers with other recent products, kept
   * coReviewWindowMs); at most trailCapacity, oldest first.
   */
  trail: RecentArrival[];
  streams: Record<ArrivalStream, StreamState>;
  /** The last few bursts, newest last (at most MAX_BURSTS). */
  bursts: BurstRecord[];
}

/** Bursts kept per product; older ones live in the API's own history if it wants them. */
export const MAX_BURSTS = 10;

export function initialArrivalState(): ArrivalState {
  const stream = (): StreamState => ({
    decayedCount: 0,
    decayedAtMs: 0,
    settledCount: 0,
    cusum: 0,
    cusumAtMs: 0,
    cusumStartMs: 0,
    cusumCount: 0,
    campaign: null,
    campaignUntilMs: 0,
    campaignMembers: 0,
    alarmLoad: 0,
    alarmLoadAtMs: 0,
  });
  return {
    firstMs: 0,
    lastMs: 0,
    arrivals: 0,
    recent: [],
    trail: [],
    streams: { all: stream(), first_time_5_star: stream(), first_time_1_star: stream() },
    bursts: [],
  };
}

/** The first-time × extreme stream an arrival belongs to, if any. */
/**
 * Replaces reviewers' ids in a product's remembered arrivals (the ring and the
 * trail keep them to see accounts that review together) by the ids given:
 * erasure leaves no copy of a person, and the arrivals still count as they
 * did (one stand-in per person keeps two erased people apart). Returns how
 * many arrivals were changed.
 */
export function forgetReviewers(state: ArrivalState, standIns: ReadonlyMap<string, string>): number {
  let forgotten = 0;
  for (const list of [state.recent, state.trail]) {
    for (const arrival of list) {
      const standIn = standIns.get(arrival.reviewerId);
      if (standIn === undefined) continue;
      arrival.reviewerId = standIn;
      forgotten += 1;
    }
  }
  return forgotten;
}

export function firstTimeStreamOf(firstTime: boolean, stars: number): ArrivalStream | null {
  if (!firstTime) return null;
  if (stars === 5) return "first_time_5_star";
  if (stars === 1) return "first_time_1_star";
  return null;
}

function inStream(a: { firstTime: boolean; stars: number }, stream: ArrivalStream): boolean {
  return stream === "all" || firstTimeStreamOf(a.firstTime, a.stars) === stream;
}

function settle(state: ArrivalState, a: RecentArrival, tauMs: number): void {
  for (const stream of ARRIVAL_STREAMS) {
    if (!inStream(a, stream)) continue;
    const s = state.streams[stream];
    s.decayedCount = s.decayedCount * Math.exp(-(a.timeMs - s.decayedAtMs) / tauMs) + 1;
    s.decayedAtMs = a.timeMs;
    s.settledCount += 1;
  }
}

/**
 * How long an arrival that left the ring stays in the trail (0: not at all).
 * A first-time stream's arrival is kept only while its stream's CUSUM has not
 * restarted since it arrived: a CUSUM window starts where the statistic last
 * left zero, and that point only moves forward, so an earlier arrival can be
 * in no future window (and most arrivals of a quiet stream are never kept).
 */
function trailRetentionMs(state: ArrivalState, a: RecentArrival, options: ScoringOptions): number {
  let keep = 0;
  const stream = options.campaignCarryOver ? firstTimeStreamOf(a.firstTime, a.stars) : null;
  if (stream !== null && state.streams[stream].cusumStartMs <= a.timeMs) keep = options.campaignRetentionMs;
  // Co-review groups form at the extremes only (a 5★ is compared with 5★s, a 1★ with 1★s): a 2–4★ arrival is never looked up again.
  if (options.coReview && (a.stars === 5 || a.stars === 1) && (a.coProducts?.length ?? 0) > 0)
    keep = Math.max(keep, options.coReviewWindowMs);
  return keep;
}

/** Prunes the trail; returns an entry it dropped, if any, for reuse (see pushArrival). */
function pruneTrail(state: ArrivalState, timeMs: number, options: ScoringOptions): RecentArrival | undefined {
  const trail = state.trail;
  // Entries join in time order, so the head is the oldest: drop expired
  // entries from the head, O(1) each. An expired entry behind a live one
  // waits until it reaches the head or the trail is full (readers check
  // times and streams), which spares most arrivals the O(trail) pass.
  let drop = 0;
  while (drop < trail.length && trail[drop]!.timeMs < timeMs - trailRetentionMs(state, trail[drop]!, options)) drop++;
  let dropped = drop > 0 ? trail[0] : undefined;
  if (drop > 0) trail.splice(0, drop);
  if (trail.length <= options.trailCapacity) return dropped;
  let w = 0;
  for (let i = 0; i < trail.length; i++) {
    const a = trail[i]!;
    if (a.timeMs >= timeMs - trailRetentionMs(state, a, options)) trail[w++] = a;
    else dropped ??= a;
  }
  trail.length = w;
  if (trail.length > options.trailCapacity) {
    dropped ??= trail[0];
    trail.splice(0, trail.length - options.trailCapacity);
  }
  return dropped;
}

/**
 * Moves arrivals older than the window (or beyond capacity) from the ring into
 * the baselines, then appends the new arrival and returns its ring entry.
 * Arrival times must not decrease. A dropped entry object is reused for the
 * new one: on a busy product this saves one short-lived object per review,
 * which the garbage collector would otherwise promote and then sweep.
 */
export function pushArrival(
  state: ArrivalState,
  reviewId: string,
  timeMs: number,
  stars: number,
  firstTime: boolean,
  options: ScoringOptions,
  reviewerId = "",
  coProducts: number[] = [],
): RecentArrival {
  const tau = options.baselineTimeConstantMs;
  // States stored before the trail existed.
  if (state.trail === undefined) state.trail = [];
  let drop = 0;
  while (drop < state.recent.length && state.recent[drop]!.timeMs < timeMs - options.windowMs) drop++;
  const over = state.recent.length - drop + 1 - options.recentCapacity;
  if (over > 0) drop += over;
  let entry: RecentArrival | undefined;
  for (let i = 0; i < drop; i++) {
    const a = state.recent[i]!;
    settle(state, a, tau);
    if (trailRetentionMs(state, a, options) > 0) state.trail.push(a);
    else entry ??= a;
  }
  if (drop > 0) state.recent.splice(0, drop);
  // An entry that left the trail is reused too (nothing else holds one).
  if (state.trail.length > 0) {
    const dropped = pruneTrail(state, timeMs, options);
    entry ??= dropped;
  }
  if (entry === undefined)
    entry = { reviewId, timeMs, stars, firstTime, weightBp: 0, logOdds: 0, topReason: null, flaggedMask: 0, reviewerId, coProducts };
  else {
    entry.reviewId = reviewId;
    entry.timeMs = timeMs;
    entry.stars = stars;
    entry.firstTime = firstTime;
    entry.weightBp = 0;
    entry.logOdds = 0;
    entry.topReason = null;
    entry.flaggedMask = 0;
    entry.reviewerId = reviewerId;
    entry.coProducts = coProducts;
  }
  state.recent.push(entry);
  if (state.arrivals === 0) state.firstMs = timeMs;
  state.lastMs = timeMs;
  state.arrivals += 1;
  return entry;
}

/**
 * A stream's baseline rate per ms at nowMs, from settled arrivals only.
 *
 * The decayed count over the settled span [firstMs, now − window] is divided
 * by that span's total decay weight, τ·(e^{−W/τ} − e^{−age/τ}), which makes it
 * an honest rate for a young product too. Floors: a share of the lifetime rate
 * (a lull must not make the next normal day a burst) and, for the first-time
 * streams, a share of the all-arrivals rate.
 */
export function baselineRatePerMs(state: ArrivalState, stream: ArrivalStream, nowMs: number, options: ScoringOptions): number {
  const s = state.streams[stream];
  const tau = options.baselineTimeConstantMs;
  const age = state.arrivals > 0 ? nowMs - state.firstMs : 0;
  const settledSpan = Math.max(age - options.windowMs, options.minWindowMs);
  const decayWeight =
    tau * (Math.exp(-Math.min(options.windowMs, age) / tau) - Math.exp(-Math.max(age, options.windowMs + options.minWindowMs) / tau));
  const decayed = s.decayedCount * Math.exp(-(nowMs - s.decayedAtMs) / tau);
  const ewma = decayWeight > 0 ? decayed / decayWeight : 0;
  const lifetime = s.settledCount / settledSpan;
  let rate = Math.max(ewma, options.lifetimeRateFloorShare * lifetime);
  if (stream !== "all") {
    rate = Math.max(rate, options.firstTimeRateFloorShare * baselineRatePerMs(state, "all", nowMs, options));
  }
  // One arrival a year: a product with no settled history still has a finite baseline.
  return Math.max(rate, 1 / (365 * DAY_MS));
}

function inGrace(state: ArrivalState, nowMs: number, options: ScoringOptions): boolean {
  return nowMs - state.firstMs < options.graceMs || state.streams.all.settledCount < options.graceReviews;
}

function windowFacts(state: ArrivalState, stream: ArrivalStream, startMs: number): { firstTimerShare: number; meanStars: number } {
  let n = 0;
  let firstTimers = 0;
  let stars = 0;
  for (const a of state.recent) {
    if (a.timeMs < startMs || !inStream(a, stream)) continue;
    n++;
    if (a.firstTime) firstTimers++;
    stars += a.stars;
  }
  return { firstTimerShare: n ? firstTimers / n : 0, meanStars: n ? stars / n : 0 };
}

/**
 * Runs the detectors for the newest arrival (already pushed) on every stream
 * it belongs to, updating the CUSUMs. Returns the alarms raised, strongest
 * scan first; none during the new-product grace period.
 */
export function detectBursts(state: ArrivalState, options: ScoringOptions): BurstEvidence[] {
  const newest = state.recent[state.recent.length - 1]!;
  const nowMs = newest.timeMs;
  const grace = inGrace(state, nowMs, options);
  const alarms: BurstEvidence[] = [];
  for (const stream of ARRIVAL_STREAMS) {
    if (!inStream(newest, stream)) continue;
    const rate = baselineRatePerMs(state, stream, nowMs, options);
    const c = state.streams[stream];
    // Alpha spending: the stream's earlier alarms raise both detectors' thresholds.
    const load = alarmLoadAt(c, nowMs, options);
    const extraNats = load * options.alarmLoadNats;
    const threshold = (stream === "all" ? options.scanThresholdAll : options.scanThresholdFirstTime) + extraNats / Math.LN10;
    const minCount = stream === "first_time_1_star" ? options.minComplaintBurstCount : options.minBurstCount;

    // Scan: for the window ending now that starts at the k-th newest arrival
    // of the stream, the surprise of k arrivals; keep the most surprising.
    let k = 0;
    let best: { surprise: number; count: number; startMs: number; expected: number } | null = null;
    for (let i = state.recent.length - 1; i >= 0; i--) {
      const a = state.recent[i]!;
      if (!inStream(a, stream)) continue;
      k++;
      if (k < minCount) continue;
      const span = Math.min(options.windowMs, Math.max(options.minWindowMs, nowMs - a.timeMs));
      const expected = rate * span;
      // Most windows of a busy product are unremarkable; the O(1) bound
      // skips the tail sum for those.
      const bound = poissonSurpriseBound(k, expected);
      if (bound < threshold && (best === null || bound <= best.surprise)) continue;
      const surprise = poissonSurprise(k, expected);
      if (best === null || surprise > best.surprise) best = { surprise, count: k, startMs: nowMs - span, expected };
    }

    // CUSUM (Page 1954) in continuous time for λ1 = ρ·λ0: each arrival adds
    // ln ρ, elapsed time subtracts (λ1 − λ0)·Δt.
    const ratio = options.cusumRateRatio;
    const drained = Math.max(0, c.cusum - (ratio - 1) * rate * (nowMs - c.cusumAtMs));
    if (drained === 0) {
      c.cusumStartMs = nowMs;
      c.cusumCount = 0;
    }
    c.cusum = drained + Math.log(ratio);
    c.cusumAtMs = nowMs;
    c.cusumCount += 1;

    if (grace) continue;
    const before = alarms.length;
    if (best !== null && best.surprise >= threshold) {
      alarms.push({
        detector: "scan",
        stream,
        windowStartMs: best.startMs,
        windowEndMs: nowMs,
        count: best.count,
        baselineRatePerDay: rate * DAY_MS,
        expectedCount: best.expected,
        surprise: best.surprise,
        ...windowFacts(state, stream, best.startMs),
      });
    }
    if (c.cusum >= (stream === "all" ? options.cusumThreshold : options.cusumThresholdFirstTime) + extraNats) {
      const startMs = c.cusumStartMs;
      alarms.push({
        detector: "cusum",
        stream,
        windowStartMs: startMs,
        windowEndMs: nowMs,
        count: c.cusumCount,
        baselineRatePerDay: rate * DAY_MS,
        expectedCount: rate * Math.max(options.minWindowMs, nowMs - startMs),
        surprise: c.cusum,
        ...windowFacts(state, stream, startMs),
      });
      c.cusum = 0;
      c.cusumStartMs = nowMs;
      c.cusumCount = 0;
    }
    // Every alarming arrival spends, so a burst that keeps alarming spends
    // more than one that barely did (counting episodes instead, alarms a
    // window apart, gave 0.141 organic flag days on the tuning half, not 0.138).
    if (alarms.length > before && options.alarmLoadNats > 0) {
      c.alarmLoad = load + 1;
      c.alarmLoadAtMs = nowMs;
    }
  }
  return alarms;
}

/**
 * A stream's alarm load at nowMs: its earlier alarms, each decayed by
 * exp(−age / alarmBudgetMs). Alpha spending: every alarm adds alarmLoadNats
 * to the CUSUM's threshold (the in-control run length grows about e^h, so 4
 * nats make the next false alarm some 50 times rarer) and alarmLoadNats / ln 10
 * to the scan's (−log10 tail). A product whose streams are bursty by nature
 * (YelpChi has some that alarm every few months) spends its budget and then
 * needs more evidence; a product with a quiet history keeps the base
 * thresholds, where a first campaign is caught.
 */
export function alarmLoadAt(s: StreamState, nowMs: number, options: ScoringOptions): number {
  if (options.alarmLoadNats <= 0 || !s.alarmLoad) return 0;
  return s.alarmLoad * Math.exp(-(nowMs - (s.alarmLoadAtMs ?? nowMs)) / options.alarmBudgetMs);
}

/**
 * Folds alarms into the product's burst list: an alarm that overlaps the last
 * burst (or starts within a window of its end) extends it, otherwise it opens
 * a new one. Keeps the strongest evidence per detector × stream. Returns the
 * burst the alarms belong to, or null without alarms.
 */
export function recordBurst(state: ArrivalState, alarms: readonly BurstEvidence[], options: ScoringOptions): BurstRecord | null {
  if (alarms.length === 0) return null;
  const startMs = Math.min(...alarms.map((a) => a.windowStartMs));
  const endMs = Math.max(...alarms.map((a) => a.windowEndMs));
  let burst = state.bursts[state.bursts.length - 1];
  if (burst === undefined || startMs > burst.endMs + options.windowMs) {
    burst = { startMs, endMs, evidence: [] };
    state.bursts.push(burst);
    if (state.bursts.length > MAX_BURSTS) state.bursts.splice(0, state.bursts.length - MAX_BURSTS);
  } else {
    burst.startMs = Math.min(burst.startMs, startMs);
    burst.endMs = Math.max(burst.endMs, endMs);
  }
  for (const a of alarms) {
    const i = burst.evidence.findIndex((e) => e.detector === a.detector && e.stream === a.stream);
    if (i < 0) burst.evidence.push(a);
    else if (a.count > burst.evidence[i]!.count || (a.count === burst.evidence[i]!.count && a.surprise > burst.evidence[i]!.surprise))
      burst.evidence[i] = a;
  }
  return burst;
}
