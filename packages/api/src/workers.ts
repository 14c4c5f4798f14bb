/**
 * The background workers of an API process, each on a durable lease queue
 * (db/lease-queue.ts) that every API process shares: whichever process claims
 * a job does it, and a dead process's jobs are taken over when their leases
 * end. startStarling starts them after the database is open and stops them
 * before it closes. A feature with background work adds its worker here.
 */
import { DueJobWatch, inRounds, runLeaseWorker, type LeaseWorker } from "./db/lease-queue.js";
import type { Deps } from "./features/deps.js";
import { eventQueue } from "./features/events/events.js";
import { startInsightsWorker } from "./features/insights/insights.js";
import { checkRatingChanges, RATING_CHECKS_QUEUE, type RatingCheck } from "./features/ratings/rating-changes.js";
import { configureWebhooks, type WebhookSettings } from "./features/webhooks/endpoints.js";
import { deliverJob, deliveryQueue, fanOutEvents, pruneMessages } from "./features/webhooks/delivery.js";
import { configureHindsight, startHindsightWorker } from "./features/scoring/hindsight.js";
import { VOTE_COUNTS_QUEUE, completeVoteCount, startVoteSweep, type VoteCountJob } from "./features/votes/votes.js";

export interface BackgroundWorkerOptions {
  /** False while the database is known down: workers wait instead of failing every round. */
  readonly available?: () => boolean;
  /** How often the process looks for due jobs for its idle workers (WORKER_IDLE_MS). */
  readonly idleMs?: number;
  /** False: no insights worker in this process (the benchmark's "insights off"); true by default. */
  readonly insights?: boolean;
  readonly webhooks?: Partial<WebhookSettings>;
  /** How often, at most, each shop that takes reviews is swept with hindsight (STARLING_HINDSIGHT_SWEEP_MS; a day by default). */
  readonly hindsightSweepMs?: number;
}

export interface BackgroundWorkers {
  stop(): Promise<void>;
}

/**
 * How often this process looks for due jobs for its idle workers (one look
 * for all of them, DueJobWatch): an event reaches its endpoints within about this.
 */
export const WORKER_IDLE_MS = 1_000;
const MESSAGE_PRUNE_MS = 3_600_000;

export function startBackgroundWorkers(deps: Deps, options: BackgroundWorkerOptions = {}): BackgroundWorkers {
  if (options.webhooks) configureWebhooks(deps, options.webhooks);
  if (options.hindsightSweepMs !== undefined) configureHindsight(deps, { intervalMs: options.hindsightSweepMs });
  const idleMs = options.idleMs ?? WORKER_IDLE_MS;
  const onError = (name: string) => (error: unknown) => deps.log.error(`background worker ${name} failed`, { error });
  const watch = new DueJobWatch(deps.models.LeaseJob, {
    intervalMs: idleMs,
    available: options.available,
    onError: onError("due job watch"),
  });
  const common = { idleMs, available: options.available, watch };
  const voteCounts = runLeaseWorker(deps.queue<VoteCountJob>(VOTE_COUNTS_QUEUE), (job) => completeVoteCount(deps, job), {
    ...common,
    batch: 20,
    onError: onError("vote counts"),
  });
  const workers: LeaseWorker[] = [
    // A round's events and rating checks handled together (inRounds): one command per step, not per job.
    runLeaseWorker(
      eventQueue(deps),
      inRounds((jobs) => fanOutEvents(deps, jobs)),
      { ...common, batch: 20, parallel: true, onError: onError("webhook fan-out") },
    ),
    // Deliveries wait on receivers (up to the timeout each): side by side.
    runLeaseWorker(deliveryQueue(deps), (job) => deliverJob(deps, job), {
      ...common,
      batch: 10,
      parallel: true,
      onError: onError("webhook delivery"),
    }),
    runLeaseWorker(
      deps.queue<RatingCheck>(RATING_CHECKS_QUEUE),
      inRounds<RatingCheck>((jobs) => checkRatingChanges(deps, jobs)),
      {
        ...common,
        batch: 20,
        parallel: true,
        onError: onError("rating checks"),
      },
    ),
    // Helpful votes a crash left stored but uncounted (features/votes: the sweep below queues them).
    voteCounts,
    // Each shop that took reviews re-scored with hindsight, at most once per interval, beside the writes (features/scoring/hindsight.ts).
    startHindsightWorker(deps, { ...common, onError: onError("hindsight sweep") }),
  ];
  const voteSweep = startVoteSweep(deps, { available: options.available, found: () => voteCounts.wake(), onError: onError("vote sweep") });
  // Review texts analysed and counted off the request path (features/insights).
  const insights = options.insights === false ? null : startInsightsWorker(deps, { available: options.available, idleMs, watch });
  const prune = setInterval(() => {
    if (options.available && !options.available()) return;
    pruneMessages(deps).catch(onError("webhook message pruning"));
  }, MESSAGE_PRUNE_MS);
  prune.unref();
  return {
    async stop() {
      clearInterval(prune);
      await Promise.all([...workers.map((w) => w.stop()), insights?.stop(), voteSweep.stop()]);
      await watch.stop();
    },
  };
}
