/**
 * Worker threads that run the text analysis (@starling/insights) off the
 * thread that asks for it: for `starling insights analyze|trends`
 * (insights-cli.ts, one thread per core, JSONL line batches) and for the API's
 * insights worker (features/insights, one background thread, batches of
 * reviews); and the CPU of a shop's scoring replay (features/scoring/replay-scoring.ts:
 * the hindsight sweep, `recompute --rescore`, an import's end), on a thread of
 * its own at the process' priority. Each thread runs src/insights-cli-worker.ts and answers its
 * messages in the order sent; threads are started as the work needs them.
 *
 * `background`: the API's case. The thread lowers its own scheduling priority
 * to the lowest (nice 19) and names itself BACKGROUND_THREAD_NAME, so that on
 * a loaded machine it runs on the CPU the request path and the database leave
 * idle (nice 19 weighs 15 against nice 0's 1024 in Linux's scheduler: about
 * 1.5 % of a contended core) and the backlog drains when the load drops; a
 * benchmark or an operator (`top -H`) sees its CPU apart. On Linux a thread
 * has its own nice value (setpriority on its thread id); elsewhere it runs at
 * the process' priority, still off the event loop.
 */
import { fileURLToPath } from "node:url";
import { Worker } from "node:worker_threads";
import type { ReviewInsight, ReviewText } from "@starling/insights/light";
import type { AnalyzedReview } from "@starling/insights/light";
import type { ReplayAnswer, ReplayBatch } from "./features/scoring/replay-scoring.js";
import { workerBundle } from "./worker-bundle.js";

export type TextAction = "analyze" | "trends";

/** Non-empty input lines of the CLI, with their 1-based line numbers, sent to a thread together. */
export interface LineBatch {
  action: TextAction;
  lines: [number, string][];
}
export interface BatchResult {
  /** analyze: the output lines of the batch's reviews, up to any error. */
  out: string;
  /** trends: the batch's analysed reviews, up to any error. */
  timeline: AnalyzedReview[];
  /** The first bad line's message ("line 7: not JSON"); nothing after it was analysed. */
  error?: string;
}

/** The API's reviews to analyse, in one message. */
export interface ReviewBatch {
  action: "reviews";
  reviews: ReviewText[];
}
/** Each review's analysis, or why it failed (one review's failure fails that review only). */
export type ReviewResult = { insight: ReviewInsight } | { error: string };

/** What a thread is told when it starts (workerData). */
export interface ThreadSettings {
  background: boolean;
}

/** The name a background analysis thread gives itself (/proc/<pid>/task/<tid>/comm: at most 15 bytes). */
export const BACKGROUND_THREAD_NAME = "insights-worker";

type Waiting = { resolve: (r: unknown) => void; reject: (e: unknown) => void };

const WORKER_URL = new URL(import.meta.url.endsWith(".ts") ? "./insights-cli-worker.ts" : "./insights-cli-worker.js", import.meta.url);

export class AnalysisThreads {
  private readonly threads: { worker: Worker; waiting: Waiting[] }[] = [];
  private bundle: Promise<string | null> | undefined;
  private closed = false;

  constructor(private readonly options: { size: number; background?: boolean }) {}

  run(batch: LineBatch): Promise<BatchResult>;
  run(batch: ReviewBatch): Promise<ReviewResult[]>;
  run(batch: ReplayBatch): Promise<ReplayAnswer>;
  async run(batch: LineBatch | ReviewBatch | ReplayBatch): Promise<unknown> {
    const bundle = await this.prepare();
    if (this.closed) throw new Error("the analysis threads are closed");
    // From here on synchronous: runs that waited for the bundle together still start at most `size` threads.
    let t = this.threads.reduce<(typeof this.threads)[number] | undefined>(
      (a, b) => (a && a.waiting.length <= b.waiting.length ? a : b),
      undefined,
    );
    if ((t === undefined || t.waiting.length > 0) && this.threads.length < this.options.size) t = this.start(bundle);
    const target = t!;
    return new Promise((resolve, reject) => {
      target.waiting.push({ resolve, reject });
      // A thread that waits for nothing never keeps the process alive (a server that forgot to stop it still exits).
      target.worker.ref();
      target.worker.postMessage(batch);
    });
  }

  /** The worker module to load: from source, its bundle (src/worker-bundle.ts), built once; null to load it as it is. */
  prepare(): Promise<string | null> {
    this.bundle ??= WORKER_URL.pathname.endsWith(".ts") ? workerBundle(fileURLToPath(WORKER_URL)) : Promise.resolve(null);
    return this.bundle;
  }

  private start(bundle: string | null) {
    const workerData: ThreadSettings = { background: this.options.background ?? false };
    // From source (tsx), a thread gets no TypeScript loader on Node 20 (tsx registers its hooks on the main thread
    // only): it loads the bundle, or failing that registers tsx's hooks before it imports the worker module.
    const worker =
      bundle !== null
        ? new Worker(bundle, { workerData })
        : WORKER_URL.pathname.endsWith(".ts")
          ? new Worker(
              `import(${JSON.stringify(import.meta.resolve("tsx/esm/api"))}).then((t) => t.register()).then(() => import(${JSON.stringify(WORKER_URL.href)}))`,
              { eval: true, workerData },
            )
          : new Worker(WORKER_URL, { workerData });
    const entry = { worker, waiting: [] as Waiting[] };
    worker.on("message", (r: unknown) => {
      entry.waiting.shift()?.resolve(r);
      if (entry.waiting.length === 0) worker.unref();
    });
    // A thread that dies fails what it was given and leaves the pool; the next batch starts a new one.
    const fail = (err: unknown) => {
      const i = this.threads.indexOf(entry);
      if (i >= 0) this.threads.splice(i, 1);
      for (const p of entry.waiting.splice(0)) p.reject(err);
    };
    worker.on("error", fail);
    worker.on("exit", (code) => fail(new Error(`analysis thread exited with code ${code}`)));
    this.threads.push(entry);
    return entry;
  }

  /** Ends every thread (what they were analysing fails); later runs are refused. */
  async close(): Promise<void> {
    this.closed = true;
    await Promise.all(this.threads.map((t) => t.worker.terminate()));
  }

  /** The threads running now, with the batches each has not answered yet (tests end one mid-batch to see that its work is not lost). */
  get running(): readonly { worker: Worker; pending: number }[] {
    return this.threads.map((t) => ({ worker: t.worker, pending: t.waiting.length }));
  }
}
