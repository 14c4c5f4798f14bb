/**
 * An analysis thread (src/analysis-threads.ts): analyses the batches it is
 * sent, one after another, and answers each in turn. Line batches come from
 * `starling insights analyze|trends` (src/insights-cli.ts), review batches from
 * the API's insights worker, whose thread runs in the background (lowest
 * priority, named; see analysis-threads.ts); replay batches (a shop's scoring
 * replay, features/scoring/replay-scoring.ts) from the API's replays.
 */
import { readlinkSync, writeFileSync } from "node:fs";
import { setPriority } from "node:os";
import { parentPort, workerData } from "node:worker_threads";
import { BACKGROUND_THREAD_NAME, type LineBatch, type ReviewBatch, type ReviewResult, type ThreadSettings } from "./analysis-threads.js";
import { analyzeBatch, plainEnv } from "./insights-cli.js";
import type { ReplayBatch } from "./features/scoring/replay-scoring.js";

/** The lowest priority there is (nice 19). */
const LOWEST_PRIORITY = 19;

/**
 * On Linux, this thread only: setpriority(PRIO_PROCESS, tid) sets one thread's nice value (threads are
 * tasks with their own), and its name shows in /proc/<pid>/task/<tid>/comm and `top -H`. Elsewhere
 * (no /proc/thread-self) nothing changes: os.setPriority would lower the whole process there.
 */
function runInBackground(): void {
  let tid: number;
  try {
    tid = Number(readlinkSync("/proc/thread-self").split("/").pop());
  } catch {
    return;
  }
  if (!Number.isInteger(tid) || tid <= 0) return;
  try {
    writeFileSync("/proc/thread-self/comm", BACKGROUND_THREAD_NAME);
  } catch {
    // The name is for people reading the process: the work runs the same without it.
  }
  try {
    setPriority(tid, LOWEST_PRIORITY);
  } catch {
    // Not allowed (a sandbox): the thread still keeps the analysis off the event loop.
  }
}

async function analyzeReviews(batch: ReviewBatch): Promise<ReviewResult[]> {
  const { analyzeReview } = await import("@starling/insights");
  return batch.reviews.map((review) => {
    try {
      return { insight: analyzeReview(review) };
    } catch (error) {
      return { error: error instanceof Error ? `${error.name}: ${error.message}` : String(error) };
    }
  });
}

plainEnv();
if ((workerData as ThreadSettings | undefined)?.background) runInBackground();

/** A batch's answer, by what it asks. */
async function answer(batch: LineBatch | ReviewBatch | ReplayBatch): Promise<unknown> {
  switch (batch.action) {
    case "reviews":
      return analyzeReviews(batch);
    case "replay":
      // Loaded by the first replay: an analysis thread never loads the scorer.
      return (await import("./features/scoring/replay-scoring.js")).answerReplay(batch);
    default:
      return analyzeBatch(batch);
  }
}

let queue = Promise.resolve();
parentPort!.on("message", (batch: LineBatch | ReviewBatch | ReplayBatch) => {
  // One batch at a time, answers in the order received (the first awaits the package's import).
  queue = queue.then(async () => parentPort!.postMessage(await answer(batch)));
});
