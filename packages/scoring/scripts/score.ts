/**
 * `pnpm --filter @starling/scoring score <file.jsonl> [--out <file>]`: scores
 * a timeline of reviews (see score-jsonl.ts for the formats). Writes to
 * stdout, or to --out; a one-line summary goes to stderr.
 *
 * Two threads: a worker reads the file, parses and checks each line, numbers
 * products and reviewers, and runs the near-duplicate check (MinHash
 * signature and the shop's signature store: it depends on nothing the scorer
 * computes); the main thread scores in input order and writes. Only the main thread
 * holds scoring state, so the output is the same as scoreJsonl's in one
 * thread (a test compares them), whatever the timing.
 */
import { closeSync, openSync, readSync, writeSync } from "node:fs";
import path from "node:path";
import { Worker, isMainThread, parentPort, workerData } from "node:worker_threads";
import { type DuplicateMatch, SignatureIndex } from "../src/index.js";
import { InputLineError, JsonlScorer, ReviewLineReader, type ScoreJsonlSummary } from "./score-jsonl.js";

/**
 * Calls onLine(bytes, start, end) for each line of a file (without its
 * newline), read in 4 MB chunks and split on newline bytes, so a UTF-8
 * character is never cut; the bytes are valid only during the call.
 */
function forEachLine(file: string, onLine: (bytes: Buffer, start: number, end: number) => void): void {
  const fd = openSync(file, "r");
  const chunk = Buffer.alloc(4 << 20);
  let carry = Buffer.alloc(0);
  try {
    for (;;) {
      const n = readSync(fd, chunk, 0, chunk.length, null);
      if (n === 0) break;
      const data = carry.length ? Buffer.concat([carry, chunk.subarray(0, n)]) : chunk.subarray(0, n);
      let start = 0;
      for (let i = data.indexOf(10, start); i >= 0; i = data.indexOf(10, start)) {
        onLine(data, start, i);
        start = i + 1;
      }
      carry = Buffer.from(data.subarray(start));
    }
    if (carry.length) onLine(carry, 0, carry.length);
  } finally {
    closeSync(fd);
  }
}

/** Reviews per message from the parsing thread. */
const BATCH = 8192;
/** Batches the parser may run ahead of the scorer, so memory stays bounded when scoring is the slower side. */
const MAX_AHEAD = 16;

/** Reviews whose product states are fetched together before they are scored (see JsonlScorer.prefetch); a power of 2. */
const PREFETCH = 16;

/** What the parsing thread sends: a batch of parsed reviews, column-wise, or the error that stopped it. */
interface Batch {
  readonly kind: "batch";
  readonly count: number;
  /** Names first seen in this batch, in order: they get the next numbers. */
  readonly newProducts: string[];
  readonly newReviewers: string[];
  readonly reviewIds: string[];
  readonly lines: Int32Array;
  readonly products: Int32Array;
  readonly reviewers: Int32Array;
  readonly stars: Uint8Array;
  /** 0 unknown, 1 verified, 2 not verified. */
  readonly verified: Uint8Array;
  readonly times: Float64Array;
  /** The reviews (positions in the batch, ascending) whose text copies another author's, and their matches. */
  readonly duplicateAt: number[];
  readonly duplicates: DuplicateMatch[];
}
type ParserMessage = Batch | { readonly kind: "error"; readonly message: string } | { readonly kind: "end" };

function newBatch(): Batch {
  return {
    kind: "batch",
    count: 0,
    newProducts: [],
    newReviewers: [],
    reviewIds: [],
    lines: new Int32Array(BATCH),
    products: new Int32Array(BATCH),
    reviewers: new Int32Array(BATCH),
    stars: new Uint8Array(BATCH),
    verified: new Uint8Array(BATCH),
    times: new Float64Array(BATCH),
    duplicateAt: [],
    duplicates: [],
  };
}

/** The parsing thread. `scored[0]` counts the batches the main thread has finished. */
function parse(input: string, scored: Int32Array): void {
  const port = parentPort!;
  const signatures = new SignatureIndex();
  let batch = newBatch();
  let count = 0;
  let sent = 0;
  const reader = new ReviewLineReader(
    (name) => batch.newProducts.push(name),
    (name) => batch.newReviewers.push(name),
  );
  const productNames = reader.products.names;
  const reviewerNames = reader.reviewers.names;
  const send = () => {
    const b = { ...batch, count };
    // Moved, not copied: the arrays are fresh per batch.
    const columns = [b.lines, b.products, b.reviewers, b.stars, b.verified, b.times];
    port.postMessage(
      b,
      columns.map((c) => c.buffer as ArrayBuffer),
    );
    sent++;
    batch = newBatch();
    count = 0;
    for (let done = Atomics.load(scored, 0); sent - done > MAX_AHEAD; done = Atomics.load(scored, 0)) Atomics.wait(scored, 0, done, 1000);
  };
  let lineNumber = 0;
  try {
    forEachLine(input, (bytes, start, end) => {
      lineNumber++;
      if (!reader.read(bytes, start, end, lineNumber)) return;
      const i = count++;
      batch.lines[i] = lineNumber;
      batch.products[i] = reader.product;
      batch.reviewers[i] = reader.reviewer;
      batch.reviewIds.push(reader.reviewId);
      batch.stars[i] = reader.stars;
      batch.verified[i] = reader.verified === undefined ? 0 : reader.verified ? 1 : 2;
      batch.times[i] = reader.timeMs;
      if (reader.text !== undefined) {
        const duplicate = signatures.checkAndAdd({
          reviewId: reader.reviewId,
          reviewerId: reviewerNames[reader.reviewer]!,
          productId: productNames[reader.product]!,
          timeMs: reader.timeMs,
          text: reader.text,
        });
        if (duplicate !== null) {
          batch.duplicateAt.push(i);
          batch.duplicates.push(duplicate);
        }
      }
      if (count === BATCH) send();
    });
  } catch (err) {
    if (!(err instanceof InputLineError)) throw err;
    if (count > 0) send();
    port.postMessage({ kind: "error", message: err.message } satisfies ParserMessage);
    return;
  }
  if (count > 0) send();
  port.postMessage({ kind: "end" } satisfies ParserMessage);
}

/** Scores `input` with a parsing thread beside this one; resolves with the totals once every line is written. */
function scoreFile(input: string, write: (chunk: Uint8Array) => void): Promise<ScoreJsonlSummary> {
  const scored = new Int32Array(new SharedArrayBuffer(4));
  const worker = new Worker(new URL(import.meta.url), { workerData: { input, scored } });
  const scorer = new JsonlScorer(write);
  return new Promise((resolve, reject) => {
    let settled = false;
    const fail = (err: unknown) => {
      if (settled) return;
      settled = true;
      void worker.terminate();
      reject(err);
    };
    worker.on("error", fail);
    // Messages sent before the thread ended are delivered first; if no "end" came, it stopped early.
    worker.on("exit", (code) =>
      setImmediate(() => fail(new Error(`the parsing thread stopped (exit code ${code}) before the end of the input`))),
    );
    worker.on("message", (m: ParserMessage) => {
      if (settled) return;
      try {
        if (m.kind === "end") {
          settled = true;
          resolve(scorer.finish());
          return;
        }
        if (m.kind === "error") throw new InputLineError(m.message);
        for (const name of m.newProducts) scorer.addProduct(name);
        for (const name of m.newReviewers) scorer.addReviewer(name);
        let d = 0;
        for (let i = 0; i < m.count; i++) {
          if ((i & (PREFETCH - 1)) === 0) scorer.prefetch(m.products, m.reviewers, i, Math.min(m.count, i + PREFETCH));
          const v = m.verified[i];
          const duplicate = m.duplicateAt[d] === i ? m.duplicates[d++]! : null;
          scorer.add(
            m.lines[i]!,
            m.reviewIds[i]!,
            m.products[i]!,
            m.reviewers[i]!,
            m.stars[i]!,
            m.times[i]!,
            v === 0 ? undefined : v === 1,
            undefined,
            duplicate,
          );
        }
        Atomics.add(scored, 0, 1);
        Atomics.notify(scored, 0);
      } catch (err) {
        fail(err);
      }
    });
  });
}

async function main(argv: string[]): Promise<number> {
  const args = argv.filter((a) => a !== "--");
  const outAt = args.indexOf("--out");
  const outFile = outAt >= 0 ? args[outAt + 1] : undefined;
  const inputs = outAt < 0 ? args : args.filter((_, i) => i !== outAt && i !== outAt + 1);
  if (inputs.length !== 1 || (outAt >= 0 && !outFile)) {
    process.stderr.write("usage: score <reviews.jsonl> [--out <scores.jsonl>]\n");
    return 2;
  }
  // pnpm runs package scripts in the package directory; paths are meant from where the user typed them.
  const base = process.env.INIT_CWD ?? process.cwd();
  const input = path.resolve(base, inputs[0]!);
  const started = performance.now();
  // The scorer hands over UTF-8 bytes of whole lines: large runs are written
  // as they come, small ones (product lines) gathered into 1 MB blocks.
  const fd = outFile ? openSync(path.resolve(base, outFile), "w") : 1;
  const outFd = outFile ? fd : null;
  const block = Buffer.allocUnsafe(1 << 20);
  let used = 0;
  const writeAll = (bytes: Uint8Array, length: number) => {
    let offset = 0;
    while (offset < length) {
      try {
        offset += writeSync(fd, bytes, offset, length - offset);
      } catch (err) {
        // stdout may be a non-blocking pipe: wait a moment for the reader and retry.
        if ((err as NodeJS.ErrnoException).code !== "EAGAIN") throw err;
        Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 5);
      }
    }
  };
  const drain = () => {
    writeAll(block, used);
    used = 0;
  };
  const write = (bytes: Uint8Array) => {
    if (bytes.length > block.length / 4) {
      drain();
      writeAll(bytes, bytes.length);
    } else {
      if (used + bytes.length > block.length) drain();
      block.set(bytes, used);
      used += bytes.length;
    }
  };
  try {
    const summary = await scoreFile(input, write);
    drain();
    const seconds = (performance.now() - started) / 1000;
    process.stderr.write(
      `scored ${summary.reviews} reviews of ${summary.products} products in ${seconds.toFixed(2)} s: ${summary.discounted} discounted, ${summary.bursts} bursts\n`,
    );
    return 0;
  } catch (err) {
    if (err instanceof InputLineError) {
      process.stderr.write(`score: ${err.message}\n`);
      return 1;
    }
    throw err;
  } finally {
    if (outFd !== null) closeSync(outFd);
  }
}

if (isMainThread) process.exitCode = await main(process.argv.slice(2));
else {
  const data = workerData as { input: string; scored: Int32Array };
  parse(data.input, data.scored);
}
