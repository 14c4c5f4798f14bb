/**
 * The background work each API process takes its share of, from the durable
 * lease queues (db/lease-queue.ts): started by startStarling after the
 * database is open, stopped before it closes. Several processes run the same
 * workers side by side; a job is held by one at a time, and a dead process's
 * jobs are taken over when their leases run out.
 */
import type { Deps } from "./features/deps.js";
import { startInsightsWorker } from "./features/insights/insights.js";

export interface BackgroundWorkers {
  stop(): Promise<void>;
}

export function startBackgroundWorkers(deps: Deps, options: { available?: () => boolean; insightsIdleMs?: number } = {}): BackgroundWorkers {
  // Review texts analysed and counted off the request path (features/insights).
  const insights = startInsightsWorker(deps, { available: options.available, idleMs: options.insightsIdleMs });
  return {
    async stop() {
      await insights.stop();
    },
  };
}
