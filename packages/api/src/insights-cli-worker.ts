/**
 * A worker thread of `starling insights analyze|trends` (src/insights-cli.ts):
 * analyses the batches it is sent, one after another, and answers each in turn.
 */
import { parentPort } from "node:worker_threads";
import { type LineBatch, analyzeBatch, plainEnv } from "./insights-cli.js";

plainEnv();

let queue = Promise.resolve();
parentPort!.on("message", (batch: LineBatch) => {
  // One batch at a time, answers in the order received (analyzeBatch awaits the package's import on the first one).
  queue = queue.then(async () => parentPort!.postMessage(await analyzeBatch(batch)));
});
