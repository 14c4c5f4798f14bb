/**
 * `starling insights analyze [FILE]` and `starling insights trends FILE`: the
 * pure @starling/insights package over JSONL, no database. src/bin.ts starts
 * this module without src/cli.ts, so neither the API's modules nor, on the
 * main thread of `analyze`, the insights package are loaded (start-up is the
 * part of a short file's run that nothing else shortens).
 *
 * The analysis runs on worker threads (src/analysis-threads.ts, which the API's
 * insights worker uses too), one per core (os.availableParallelism();
 * STARLING_INSIGHTS_THREADS=N to choose, 1 = on this thread, no worker), in
 * batches of lines; the main thread reads, writes and keeps the input's order.
 * A line that is not a valid review stops the run: every line before it is
 * written, then `starling: INVALID_INPUT: line N: …` on stderr, exit code 1.
 */
import { createReadStream } from "node:fs";
import { setFlagsFromString } from "node:v8";
import { availableParallelism } from "node:os";
import path from "node:path";
import { createInterface } from "node:readline";
import type { AnalyzedReview } from "@starling/insights";
import { AnalysisThreads, type BatchResult, type LineBatch, type TextAction } from "./analysis-threads.js";

/**
 * V8's inlining budget per optimised function, set before any analysis (default 920 bytes of bytecode). Each
 * worker is an isolate that compiles the parse again; profiled (perf), a third of the CPU beside the two
 * workers' was TurboFan compiling on V8's helper threads, the largest jobs our sweep and compromise's
 * tagger with everything inlined, recompiled after deopts. At 300: the helpers' CPU 5.2-5.7 s -> 3.5-3.6 s
 * over 6 400 reviews on two workers, the workers' own unchanged (the same output; it only changes what
 * V8 compiles). A compiler flag, read per compile job: safe to set at run time, unlike GC flags.
 */
const INLINE_BUDGET = "--max-inlined-bytecode-size-cumulative=300";

/** Lines per batch: large enough that a message costs nothing beside ~30 analyses, small enough to keep both cores busy to the end. */
const BATCH_LINES = 32;
/** Batches in flight per worker: one being analysed, one waiting, so a worker never idles on the main thread. */
const IN_FLIGHT_PER_WORKER = 2;

export const INSIGHTS_TEXT_USAGE =
  "usage: starling insights analyze [FILE]   (JSONL in, stdin without FILE; JSONL out)\n" +
  "       starling insights trends FILE\n" +
  "       starling insights backfill\n";

class BadLine extends Error {}

/** One JSONL line's review, checked: a bad line stops the run with its line number (nothing is guessed). */
function parseReviewLine(
  line: string,
  n: number,
  needTimeline: boolean,
): { id: string; text: string; title?: string; language?: "en" | "de"; rating?: number; productId?: string; timeMs?: number } {
  let v: Record<string, unknown>;
  try {
    v = JSON.parse(line) as Record<string, unknown>;
  } catch {
    throw new BadLine(`line ${n}: not JSON`);
  }
  const bad = (what: string) => new BadLine(`line ${n}: ${what}`);
  if (typeof v !== "object" || v === null || Array.isArray(v)) throw bad("expected a JSON object");
  if (typeof v.id !== "string") throw bad('"id" must be a string');
  if (typeof v.text !== "string") throw bad('"text" must be a string');
  if (v.title != null && typeof v.title !== "string") throw bad('"title" must be a string');
  if (v.language != null && v.language !== "en" && v.language !== "de") throw bad('"language" must be "en" or "de"');
  if (v.rating != null && !(Number.isInteger(v.rating) && (v.rating as number) >= 1 && (v.rating as number) <= 5))
    throw bad('"rating" must be 1 to 5');
  const out = {
    id: v.id,
    text: v.text,
    title: (v.title as string | undefined) ?? undefined,
    language: (v.language as "en" | "de" | undefined) ?? undefined,
    rating: (v.rating as number | undefined) ?? undefined,
  };
  if (!needTimeline) return out;
  if (typeof v.productId !== "string") throw bad('"productId" must be a string');
  const timeMs = typeof v.createdAt === "string" ? Date.parse(v.createdAt) : Number.NaN;
  if (!Number.isFinite(timeMs)) throw bad('"createdAt" must be an ISO 8601 date');
  return { ...out, productId: v.productId, timeMs };
}

/**
 * Makes process.env a plain copy of itself, on a thread that only analyses (a worker, or this one
 * with one thread). compromise reads process.env.DEBUG_TAGS each time it tags a term, ~300 times a
 * review, and Node's process.env answers each read in C++ (~0.4 µs, measured): 5 % of the analysis'
 * CPU. The copy has the same values; nothing on these threads changes the environment.
 */
export function plainEnv(): void {
  process.env = { ...process.env };
}

/** Analyses a batch (on a worker, or on this thread with one thread): what the main thread writes or replays, in order. */
export async function analyzeBatch(batch: LineBatch): Promise<BatchResult> {
  const { analyzeReview } = await import("@starling/insights");
  const result: BatchResult = { out: "", timeline: [] };
  for (const [n, line] of batch.lines) {
    let r: ReturnType<typeof parseReviewLine>;
    try {
      r = parseReviewLine(line, n, batch.action === "trends");
    } catch (err) {
      if (!(err instanceof BadLine)) throw err;
      result.error = err.message;
      return result;
    }
    const insight = analyzeReview({ title: r.title ?? null, body: r.text, language: r.language ?? null });
    if (batch.action === "analyze") {
      result.out += `${JSON.stringify({ id: r.id, language: insight.language, polarity: insight.polarity, aspects: insight.aspects.map(({ term, polarity, quote }) => ({ term, polarity, quote })) })}\n`;
    } else {
      result.timeline.push({ reviewId: r.id, productId: r.productId!, timeMs: r.timeMs!, rating: r.rating ?? null, insight });
    }
  }
  return result;
}

/** How many threads analyse: STARLING_INSIGHTS_THREADS, else one per core. */
function threadCount(): number {
  const env = process.env.STARLING_INSIGHTS_THREADS;
  if (env !== undefined && env !== "") {
    const n = Number(env);
    if (!Number.isInteger(n) || n < 1 || n > 64) throw new BadLine(`STARLING_INSIGHTS_THREADS must be an integer from 1 to 64, got ${env}`);
    return n;
  }
  return Math.max(1, availableParallelism());
}

function write(text: string): Promise<void> {
  if (!text) return Promise.resolve();
  return new Promise((resolve, reject) => {
    process.stdout.write(text, (err) => (err ? reject(err) : resolve()));
  });
}

/** `insights analyze` and `insights trends`: returns the exit code. */
export async function insightsTextCommand(action: TextAction, rest: string[]): Promise<number> {
  if (rest.length > 1 || (action === "trends" && rest.length !== 1)) {
    process.stderr.write(INSIGHTS_TEXT_USAGE);
    return 2;
  }
  let threads: number;
  try {
    threads = threadCount();
  } catch (err) {
    process.stderr.write(`starling: ${(err as Error).message}\n`);
    return 2;
  }
  setFlagsFromString(INLINE_BUDGET);
  // Before the input is opened: readline drops the lines it reads while nothing iterates them yet.
  const pool = threads > 1 ? new AnalysisThreads({ size: threads }) : null;
  await pool?.prepare();
  // Relative to where the command was typed (pnpm --filter runs us in packages/api).
  if (pool === null) plainEnv();
  const input = rest[0] ? createReadStream(path.resolve(process.env.INIT_CWD ?? process.cwd(), rest[0])) : process.stdin;
  const lines = createInterface({ input, crlfDelay: Infinity });
  const analyze = (b: LineBatch) => (pool ? pool.run(b) : analyzeBatch(b));
  const pending: Promise<BatchResult>[] = [];
  const submit = (b: LineBatch): void => {
    const p = analyze(b);
    // Awaited in order below; this only keeps a failure of a later batch from counting as unhandled meanwhile.
    p.catch(() => {});
    pending.push(p);
  };
  const timeline: AnalyzedReview[] = [];
  let failed: string | undefined;
  // Writes (or keeps, for trends) the oldest batch's result once it is in: the output keeps the input's order.
  const settleOldest = async (): Promise<void> => {
    const r = await pending.shift()!;
    if (failed !== undefined) return;
    if (action === "analyze") await write(r.out);
    else for (const item of r.timeline) timeline.push(item);
    if (r.error !== undefined) failed = r.error;
  };
  try {
    let batch: LineBatch = { action, lines: [] };
    let n = 0;
    for await (const line of lines) {
      n++;
      if (line.trim() === "") continue;
      batch.lines.push([n, line]);
      if (batch.lines.length < BATCH_LINES) continue;
      submit(batch);
      batch = { action, lines: [] };
      while (pending.length >= threads * IN_FLIGHT_PER_WORKER && failed === undefined) await settleOldest();
      if (failed !== undefined) break;
    }
    if (failed === undefined && batch.lines.length > 0) submit(batch);
    while (pending.length > 0) await settleOldest();
  } finally {
    lines.close();
    await pool?.close();
  }
  if (failed !== undefined) {
    process.stderr.write(`starling: INVALID_INPUT: ${failed}\n`);
    return 1;
  }
  if (action === "trends") {
    const { replayEmergingTopics } = await import("@starling/insights");
    let out = "";
    for (const t of replayEmergingTopics(timeline)) {
      out += `${JSON.stringify({ productId: t.productId, term: t.term, direction: t.direction, since: new Date(t.sinceMs).toISOString().slice(0, 10), mentions: t.mentions, expected: t.expected, evidence: t.evidence })}\n`;
    }
    await write(out);
  }
  return 0;
}
