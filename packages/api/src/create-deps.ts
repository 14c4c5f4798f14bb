/**
 * The composition root of the features: builds Deps, wiring its queues to the
 * feature operations they batch (storeNewReviews, loadReviewKeys, loadProducts, loadSummaries).
 * It lives outside features/ so that feature modules, which import the Deps
 * type from the leaf features/deps.ts, never import the operations back
 * through it.
 */
import type { Models } from "./features/models.js";
import { KeyedLock } from "./db/keyed-lock.js";
import { CoalescingQueue } from "./db/coalescing-queue.js";
import { BatchQueue } from "./db/batch-queue.js";
import { QuietTurns } from "./db/quiet-turns.js";
import { INSIGHTS_WRITE_PAUSE } from "./features/insights/insights.js";
import { LeaseQueue } from "./db/lease-queue.js";
import { createLogger, type Logger } from "./log.js";
import { createReadCaches, type Deps } from "./features/deps.js";
import { SignatureIndexes, packWholeState } from "./features/scoring/scoring.js";
import { loadProducts } from "./features/products/products.js";
import { MAX_WRITE_BATCH, loadReviewKeys, storeNewReviews } from "./features/reviews/reviews.js";
import { copySummaryChange, loadSummaries, mergeSummaryChange } from "./features/ratings/ratings.js";
import { Metrics } from "./metrics.js";
import { DEFAULT_SCORING_OPTIONS, type ScoringOptions } from "@starling/scoring";

/** How long a queue job's claim holds (see LeaseQueue). */
export const LEASE_MS = 60_000;

/** How a process scores and saves scoring states: production's defaults, or a benchmark server's variant (bench/servers/api-variant.ts). */
export interface DepsOptions {
  readonly scoringOptions?: ScoringOptions;
  readonly packScoringState?: Deps["packScoringState"];
}

/** Deps over a set of models, with fresh queues, caches and text index (one per process). */
export function createDeps(
  models: Models,
  priorStrength: number,
  log: Logger = createLogger("error"),
  options: { readonly now?: () => Date } & DepsOptions = {},
): Deps {
  const summaryLock = new KeyedLock();
  const queues = new Map<string, LeaseQueue<unknown>>();
  const now = options.now ?? (() => new Date());
  const reviewWritesQuiet = new QuietTurns(INSIGHTS_WRITE_PAUSE);
  const deps: Deps = {
    models,
    summaryLock,
    reviewWrites: new BatchQueue((docs) => storeNewReviews(deps, docs), MAX_WRITE_BATCH, reviewWritesQuiet),
    reviewWritesQuiet,
    reviewKeyReads: new BatchQueue((ids) => loadReviewKeys(deps, ids), MAX_WRITE_BATCH),
    productReads: new BatchQueue((keys) => loadProducts(deps, keys), 100),
    // A listing asks for up to 100 products and the shop's prior at once.
    summaryReads: new BatchQueue((ids) => loadSummaries(deps, ids), 202),
    shopSummaryWrites: new CoalescingQueue(summaryLock, mergeSummaryChange, copySummaryChange),
    priorStrength,
    signatures: new SignatureIndexes(),
    scoringOptions: options.scoringOptions ?? DEFAULT_SCORING_OPTIONS,
    packScoringState: options.packScoringState ?? packWholeState,
    log,
    cache: createReadCaches(log),
    metrics: new Metrics(),
    now,
    queue<P>(name: string): LeaseQueue<P> {
      let q = queues.get(name);
      // A lease of a minute: long enough for any one job (a webhook's 10 s timeout), short enough that a dead process's work resumes soon.
      if (!q) {
        queues.set(name, (q = new LeaseQueue(models, name, { leaseMs: LEASE_MS, now })));
        // Every durable queue's backlog shows in the metrics as soon as a feature uses it (webhooks, insights, …).
        const queue = q;
        deps.metrics.registerQueueDepth(metricsQueueName(name), () => queue.depth());
      }
      return q as LeaseQueue<P>;
    },
  };
  // The write batch queues, and the counts a crash left to complete (the sweep's backlog).
  deps.metrics.registerQueueDepth("review_writes", () => deps.reviewWrites.depth);
  deps.metrics.registerQueueDepth("review_key_reads", () => deps.reviewKeyReads.depth);
  deps.metrics.registerQueueDepth("product_reads", () => deps.productReads.depth);
  deps.metrics.registerQueueDepth("summary_reads", () => deps.summaryReads.depth);
  deps.metrics.registerQueueDepth("shop_summary_writes", () => deps.shopSummaryWrites.depth);
  deps.metrics.registerQueueDepth("pending_counts", () => models.PendingCount.estimatedDocumentCount());
  return deps;
}

/** A lease queue's name as a metrics label: lower-case snake_case. */
export function metricsQueueName(name: string): string {
  const label = name
    .toLowerCase()
    .replace(/[^a-z0-9_]+/g, "_")
    .replace(/^[^a-z]+/, "");
  return label.slice(0, 63) || "queue";
}
