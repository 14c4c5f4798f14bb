/**
 * The hindsight sweep: the batch re-score (replayShopHistory: the shop's
 * history through the write-time scorer, then re-scored with what each
 * reviewer did afterwards) run live, in every API process, beside the write
 * path, applied where hindsight knows more than the write path did
 * (sweepTakesHindsight, packages/scoring): a first-time reviewer flagged at
 * write time whose later reviews show a person gets the weight back, and a
 * co-review group found only with hindsight (a ring's first products) loses
 * it. Hindsight about an account alone (it never wrote again) discounts
 * nobody: the batch as it is catches slow campaigns that way, but one-off
 * accounts are what most genuine customers are, and it would lower genuine
 * products' ratings nightly (packages/scoring/README.md, "The hindsight sweep").
 *
 * Unlike `recompute --rescore` (rescoreShop), it needs no pause in the writes:
 * - it never saves the replay's scoring states: the write path's states stay
 *   the truth for arrivals;
 * - it stores only the scores that changed materially (scoreMoved), each
 *   under the review's scoring locks (scoringLockKeys), after reading the
 *   review again: one whose score changed since the snapshot (a burst flagged
 *   at write time re-weighted it) or that is gone (erased) is left as it is,
 *   and the update itself is conditional on the score read, for another API
 *   process's re-weight;
 * - the summaries and the dashboard's counters move by the difference, as a
 *   burst's re-weights move them (reweightCountedReviews), so they stay exact;
 * - reviews stored after the snapshot keep their write-time scores until the
 *   next sweep;
 * - it gives way to this process's review writes (deps.reviewWritesQuiet, as
 *   the insights rounds do): a slice of at most SLICE_MS of applying per quiet turn.
 *
 * Scheduling: the durable `hindsight` lease queue, one job per shop (its id).
 * The write path notes each shop that took reviews (shopsReviewed): at most
 * one enqueue per shop and interval per process, remembered in memory, so a
 * review costs no database command for it. A noted job is due one interval
 * later; a claim that finds the shop's last sweep (HindsightSweepDoc) less
 * than an interval old puts the job back until then, and one that finds no
 * review since that sweep completes it (the shop is quiet; its next review
 * queues it again). After a sweep the job stays, due an interval after it, so
 * reviews that arrived meanwhile are swept next time even if no process notes
 * the shop again. A sweep that takes longer than the lease extends it; a dead
 * process's sweep is taken over when its lease ends, and run again whole (the
 * scores it stored are then found unchanged).
 */
import type { Deps } from "../deps.js";
import { reviewsChanged } from "../deps.js";
import type { ReviewDoc } from "../reviews/model.js";
import type { StoredScore, HindsightSweepDoc } from "./model.js";
import { ERASED_PAYLOAD } from "../reviews/review.js";
import { countdown, shopPrefix } from "../reviews/review-pages.js";
import { findByIds } from "../../db/find-by-ids.js";
import { runLeaseWorker, type DueJobWatch, type LeasedJob, type LeaseQueue, type LeaseWorker } from "../../db/lease-queue.js";
import { reweightCountedReviews, savePriorStrength, shopSummaryId } from "../ratings/ratings.js";
import { closeReplayThread, fittedPriorStrength, replayShopHistory, scoringLockKeys } from "./scoring.js";

export const HINDSIGHT_QUEUE = "hindsight";

/** How often a shop that takes reviews is swept, at most (STARLING_HINDSIGHT_SWEEP_MS). */
export const HINDSIGHT_SWEEP_MS = 86_400_000;

export interface HindsightJob {
  shopId: string;
}

/**
 * A review stored this long after the time it was created at (its batch
 * waited on locks or the database) may be missing from a snapshot begun
 * before it: the reviews created this long before a sweep began are compared
 * by id to tell whether the shop took any review since.
 */
export const SWEEP_LAG_MS = 120_000;
/** Most recent ids a sweep's mark keeps; a shop busier than that counts as reviewed since. */
const MAX_RECENT_IDS = 10_000;
/** Reviews applied under one hold of their locks, in one update command. */
const APPLY_CHUNK = 50;
/** Longest run of applying between two quiet turns. */
const SLICE_MS = 1_000;
/** A weight moved by less than this (basis points; 100 = 1 %) with the same top reason is left as stored. */
export const MIN_WEIGHT_CHANGE_BP = 100;

export function hindsightQueue(deps: Deps): LeaseQueue<HindsightJob> {
  return deps.queue<HindsightJob>(HINDSIGHT_QUEUE);
}

const intervals = new WeakMap<Deps, number>();

/** Sets this process's sweep interval (startBackgroundWorkers, from STARLING_HINDSIGHT_SWEEP_MS). */
export function configureHindsight(deps: Deps, settings: { intervalMs: number }): void {
  intervals.set(deps, settings.intervalMs);
}

export function hindsightInterval(deps: Deps): number {
  return intervals.get(deps) ?? HINDSIGHT_SWEEP_MS;
}

/** Per process: when each shop's sweep was last queued from here. */
const noted = new WeakMap<Deps, Map<string, number>>();

/**
 * The write path's note that these shops took reviews (storeNewReviews, after
 * the insert). Queues a shop's sweep at most once per interval from this
 * process, without waiting: a review pays a map look-up, not a command.
 */
export function shopsReviewed(deps: Deps, shopIds: Iterable<string>): void {
  let seen = noted.get(deps);
  if (!seen) noted.set(deps, (seen = new Map()));
  const interval = hindsightInterval(deps);
  const now = deps.now().getTime();
  for (const shopId of shopIds) {
    const last = seen.get(shopId);
    if (last !== undefined && now - last < interval) continue;
    seen.set(shopId, now);
    const memory = seen;
    hindsightQueue(deps)
      .enqueue(shopId, { shopId }, new Date(now + interval))
      .catch((error: unknown) => {
        // The next review of the shop tries again.
        if (memory.get(shopId) === now) memory.delete(shopId);
        deps.log.error("queueing a shop's hindsight sweep failed", { shopId, error });
      });
  }
}

/** Whether a score from the sweep differs from the stored one enough to store it: the weight by MIN_WEIGHT_CHANGE_BP, or the top reason. */
export function scoreMoved(stored: StoredScore | null | undefined, next: StoredScore): boolean {
  if (!stored) return true;
  return Math.abs(stored.trustWeightBp - next.trustWeightBp) >= MIN_WEIGHT_CHANGE_BP || stored.topReason !== next.topReason;
}

/** Whether a review's score is still the one a snapshot read. */
function sameScore(a: StoredScore | null | undefined, b: StoredScore | null | undefined): boolean {
  if (!a || !b) return !a && !b;
  return (
    a.by === b.by &&
    a.trustWeightBp === b.trustWeightBp &&
    a.suspicion === b.suspicion &&
    a.topReason === b.topReason &&
    a.reasons.length === b.reasons.length
  );
}

/** The update's filter: the review as the snapshot read its score (another process may have re-weighted it since). */
function scoreFilter(id: string, score: StoredScore | null | undefined): Record<string, unknown> {
  if (!score) return { _id: id, score: null };
  return {
    _id: id,
    "score.by": score.by,
    "score.trustWeightBp": score.trustWeightBp,
    "score.suspicion": score.suspicion,
    "score.topReason": score.topReason,
  };
}

export interface SweepReport {
  readonly shopId: string;
  readonly sweptAt: Date;
  /** Reviews replayed. */
  readonly reviews: number;
  /** Of them, scores that moved (scoreMoved). */
  readonly changed: number;
  /** Of those, stored; the rest had changed or gone since the snapshot. */
  readonly applied: number;
}

export interface SweepOptions {
  /** Stops the sweep between chunks (the worker stopping). */
  readonly signal?: AbortSignal;
  /** False once the sweep's job is no longer this process's (its lease taken over): it stops. */
  readonly held?: () => boolean;
  /** Runs between the snapshot and the first apply (tests interleave writes there). */
  readonly afterSnapshot?: () => Promise<void>;
}

/** One shop's sweep (see the top of this file); marks the shop swept. */
export async function sweepShopHindsight(deps: Deps, shopId: string, options: SweepOptions = {}): Promise<SweepReport> {
  const sweptAt = deps.now();
  await deps.reviewWritesQuiet.turn(options.signal);
  // No second wait for a quiet turn before the scoring, as when it held the event loop for the whole
  // history: it runs on the replay thread now, and the write path's requests are answered meanwhile.
  const replay = await replayShopHistory(deps, shopId, [], { signal: options.signal });
  await options.afterSnapshot?.();
  const strength = fittedPriorStrength(deps, replay.stored);
  // Under the shop summary's lock: FerretDB's update is a read and a rewrite, and the shop's counts move meanwhile.
  await deps.summaryLock.run(shopSummaryId(shopId), () => savePriorStrength(deps, shopId, strength));

  // Only where hindsight knows more (sweepTakesHindsight): hindsight about an account alone, that
  // it never wrote again, is what most genuine customers look like too, so it discounts nobody live.
  const changed = replay.stored.filter((r) => replay.sweepTakes.has(r._id) && scoreMoved(r.score, replay.scores.get(r._id)!));
  let applied = 0;
  let sliceStart = performance.now();
  for (let i = 0; i < changed.length; i += APPLY_CHUNK) {
    if (performance.now() - sliceStart > SLICE_MS) {
      await deps.reviewWritesQuiet.turn(options.signal);
      sliceStart = performance.now();
    }
    if (options.signal?.aborted) throw new Error("the hindsight sweep stopped: the worker is stopping");
    if (options.held && !options.held()) throw new Error("the hindsight sweep stopped: its job was taken over");
    applied += await applyChunk(deps, changed.slice(i, i + APPLY_CHUNK), replay.scores);
  }
  const lagFrom = sweptAt.getTime() - SWEEP_LAG_MS;
  const recent = replay.stored.filter((r) => r.createdAt.getTime() >= lagFrom).map((r) => r._id);
  const mark: HindsightSweepDoc = {
    _id: shopId,
    sweptAt,
    recent: recent.length <= MAX_RECENT_IDS ? recent : null,
    reviews: replay.replayed.length,
    changed: changed.length,
    applied,
  };
  await deps.models.HindsightSweep.collection.replaceOne({ _id: shopId } as never, mark as never, { upsert: true });
  return { shopId, sweptAt, reviews: mark.reviews, changed: mark.changed, applied };
}

/** Stores the chunk's new scores that still apply, under the chunk's scoring locks; answers how many. */
async function applyChunk(deps: Deps, chunk: readonly ReviewDoc[], scores: ReadonlyMap<string, StoredScore>): Promise<number> {
  return deps.summaryLock.runAll(scoringLockKeys(chunk), async () => {
    const ids = chunk.map((r) => r._id);
    const current = new Map((await findByIds(deps.models.Review, ids)).map((r) => [r._id, r as ReviewDoc]));
    // Gone or erased, or re-weighted since the snapshot (a burst flagged at write time): left as it is.
    const still = chunk.filter((read) => {
      const now = current.get(read._id);
      return now && now.payloadHash !== ERASED_PAYLOAD && sameScore(now.score, read.score);
    });
    if (!still.length) return 0;
    // One command for the chunk, each update only from the score read (rescoreShop's chunks say why at most 50).
    const written = await deps.models.Review.collection.bulkWrite(
      still.map((read) => ({
        updateOne: { filter: scoreFilter(read._id, read.score) as never, update: { $set: { score: scores.get(read._id)! } } },
      })),
      { ordered: false },
    );
    let ours = still;
    if (written.matchedCount !== still.length) {
      // Another API process re-weighted some between our read and the update: ours are those holding our score.
      const after = new Map((await findByIds(deps.models.Review, ids)).map((r) => [r._id, r as ReviewDoc]));
      ours = still.filter((read) => sameScore(after.get(read._id)?.score, scores.get(read._id)));
    }
    const moves = ours.map((read) => ({ review: current.get(read._id)!, before: read.score, after: scores.get(read._id)! }));
    await reweightCountedReviews(deps, moves);
    for (const m of moves) reviewsChanged(deps, m.review);
    return moves.length;
  });
}

/**
 * Whether the shop took a review since its last sweep: a review created since
 * SWEEP_LAG_MS before the sweep began that the sweep did not read (a range of
 * the shop's `pageShopNewest` keys, newest first, ids only).
 */
export async function reviewedSince(deps: Deps, shopId: string, mark: Pick<HindsightSweepDoc, "sweptAt" | "recent">): Promise<boolean> {
  if (!mark.recent) return true;
  const read = new Set(mark.recent);
  const prefix = shopPrefix(shopId);
  const from = new Date(mark.sweptAt.getTime() - SWEEP_LAG_MS);
  // '/' follows '.': every key whose time is `from` or later.
  const since = deps.models.Review.collection
    .find({ pageShopNewest: { $gt: `${prefix}.`, $lt: `${prefix}.${countdown(from)}/` } } as never, { projection: { _id: 1 } })
    .sort({ pageShopNewest: 1 });
  for await (const r of since) if (!read.has(r._id as unknown as string)) return true;
  return false;
}

/**
 * A claimed sweep job: put back until the interval since the shop's last
 * sweep is over, completed if the shop took no review since, else the sweep,
 * after which the job waits for the next interval. Answers the sweep's report, or null.
 */
export async function handleHindsightJob(
  deps: Deps,
  job: LeasedJob<HindsightJob>,
  options: Omit<SweepOptions, "held"> = {},
): Promise<SweepReport | null> {
  const queue = hindsightQueue(deps);
  const interval = hindsightInterval(deps);
  const { shopId } = job.payload;
  const mark = await deps.models.HindsightSweep.findById(shopId).lean<HindsightSweepDoc>();
  if (mark) {
    const due = mark.sweptAt.getTime() + interval;
    if (due > deps.now().getTime()) {
      await queue.retryLater(job, new Date(due));
      return null;
    }
    if (!(await reviewedSince(deps, shopId, mark))) {
      await queue.complete(job);
      return null;
    }
  }
  let held = true;
  const keep = setInterval(
    () => {
      queue.extend(job).then(
        (still) => {
          if (!still) held = false;
        },
        (error: unknown) => deps.log.warn("extending a hindsight sweep's lease failed", { shopId, error }),
      );
    },
    Math.max(1_000, queue.leaseMs / 3),
  );
  keep.unref();
  try {
    const report = await sweepShopHindsight(deps, shopId, { ...options, held: () => held });
    await queue.retryLater(job, new Date(report.sweptAt.getTime() + interval));
    deps.log.info("hindsight sweep", { ...report });
    return report;
  } finally {
    clearInterval(keep);
  }
}

export interface HindsightWorkerOptions {
  readonly idleMs: number;
  readonly available?: () => boolean;
  readonly watch?: DueJobWatch;
  /** Hears each sweep's report (tests, metrics). */
  readonly onSweep?: (report: SweepReport) => void;
  readonly onError?: (error: unknown) => void;
}

/** This process's share of the sweeps: one shop at a time, claimed from the shared queue. */
export function startHindsightWorker(deps: Deps, options: HindsightWorkerOptions): LeaseWorker {
  const stopping = new AbortController();
  const worker = runLeaseWorker(
    hindsightQueue(deps),
    async (job) => {
      const report = await handleHindsightJob(deps, job, { signal: stopping.signal });
      if (report) options.onSweep?.(report);
    },
    {
      batch: 1,
      idleMs: options.idleMs,
      available: options.available,
      watch: options.watch,
      // Stopping ends a wait for a quiet turn at once (as the insights rounds').
      beforeRound: () => deps.reviewWritesQuiet.turn(stopping.signal),
      onError: options.onError,
    },
  );
  return {
    wake: () => worker.wake(),
    stop: async () => {
      stopping.abort();
      // A sweep scoring on the replay thread fails at once (its job is retried), rather than the stop waiting for its scoring.
      await Promise.all([worker.stop(), closeReplayThread(deps)]);
    },
  };
}
