/**
 * The CPU of a shop's replay (replayShopHistory, scoring.ts): the history
 * through the write-time scorer, then re-scored with hindsight, and which of
 * those scores the hindsight sweep takes. Pure (no database, no Deps), so that
 * it runs on a worker thread (src/analysis-threads.ts, the thread the
 * insights analysis uses, started apart for it): on the event loop a shop of
 * 20 000 reviews held it 0.7–1.3 s in one go, and every request waited.
 *
 * What crosses to the thread and back is serialized in parts (node:v8, the
 * structured clone a message uses, so the values arrive exactly as a message
 * would carry them: undefined stays undefined, Maps stay Maps): one message's
 * clone is one synchronous hold of the event loop, ~50 ms to send 20 000
 * reviews' timeline and ~300 ms to take back their scores as one message.
 * In parts of PART_SIZE, each a few milliseconds, with a turn of the event loop
 * between two, so requests are answered meanwhile; the thread answers with the
 * parts as bytes, which cross as one copy.
 */
import { setImmediate as nextTurn } from "node:timers/promises";
import { deserialize, serialize } from "node:v8";
import { threadId } from "node:worker_threads";
import {
  describeReason,
  rescoreWithHindsight,
  scoreTimeline,
  sweepTakesHindsight,
  type ProductState,
  type Reason,
  type ReviewerState,
  type ScoredReview,
  type ScoringOptions,
  type TimelineResult,
  type TimelineReview,
} from "@starling/scoring";
import type { StoredScore } from "./model.js";

/**
 * A reason as stored, without whose text was copied (a copied text's
 * `otherReviewerId` is a customer id or email): nothing reads it back, and
 * stored it would be one more copy of a person for an erasure to find, made
 * even by another API process whose near-duplicate index predates the erasure.
 * The other review's id still says which text.
 */
function withoutReviewer(r: Reason): Record<string, unknown> {
  const stored = { ...(r as unknown as Record<string, unknown>) };
  delete stored.otherReviewerId;
  return stored;
}

export function storedScore(suspicion: number, trustWeightBp: number, reasons: readonly Reason[], by: StoredScore["by"]): StoredScore {
  let top: Reason | null = null;
  for (const r of reasons) if (r.weight > 0 && (!top || r.weight > top.weight)) top = r;
  return {
    suspicion,
    trustWeightBp,
    topReason: top?.code ?? null,
    reasons: reasons.map((r) => ({ ...withoutReviewer(r), code: r.code, text: describeReason(r) })),
    by,
  };
}

/** The replay's scoring, as replayShopHistory returns it. */
export interface ReplayScoring {
  /** Every replayed review's score with hindsight, by review id. */
  readonly scores: Map<string, StoredScore>;
  /** The write-time replay: its scores, and the scoring states it ends with. */
  readonly writeTime: TimelineResult;
  /** The reviews whose hindsight score the hindsight sweep applies (sweepTakesHindsight). */
  readonly sweepTakes: Set<string>;
}

/** Scores a shop's timeline (in arrival order) with these scorer options: the write-time replay, then hindsight. */
export function scoreReplay(timeline: readonly TimelineReview[], options: ScoringOptions): ReplayScoring {
  // The process's own scorer options, as the write path scores with them.
  const writeTime = scoreTimeline(timeline, { scoring: options });
  const hindsight = rescoreWithHindsight(timeline, writeTime, options);
  const scores = new Map(hindsight.map((h) => [h.reviewId, storedScore(h.suspicion, h.trustWeightBp, h.reasons, "batch")]));
  const sweepTakes = new Set(hindsight.filter((h, i) => sweepTakesHindsight(writeTime.reviews[i]!, h)).map((h) => h.reviewId));
  return { scores, writeTime, sweepTakes };
}

/** Items per serialized part: a part's clone or its reading back is a few milliseconds of the event loop. */
const PART_SIZE = 1_000;

/** Serialized parts, each PART_SIZE items; between two, the event loop takes a turn when `yieldBetween`. */
export async function packParts<T>(items: readonly T[], yieldBetween: boolean): Promise<Uint8Array[]> {
  const parts: Uint8Array[] = [];
  for (let i = 0; i < items.length; i += PART_SIZE) {
    if (yieldBetween && i > 0) await nextTurn();
    parts.push(serialize(items.slice(i, i + PART_SIZE)));
  }
  return parts;
}

/** The items of serialized parts, in order; between two, the event loop takes a turn when `yieldBetween`. */
export async function unpackParts<T>(parts: readonly Uint8Array[], yieldBetween: boolean): Promise<T[]> {
  const items: T[] = [];
  for (let i = 0; i < parts.length; i++) {
    if (yieldBetween && i > 0) await nextTurn();
    const part = parts[i]!;
    for (const item of deserialize(Buffer.from(part.buffer, part.byteOffset, part.byteLength)) as T[]) items.push(item);
  }
  return items;
}

/** A replay's scoring asked of the thread: the timeline in parts (packParts), and the scorer's options. */
export interface ReplayBatch {
  action: "replay";
  timeline: Uint8Array[];
  options: ScoringOptions;
}

/** The thread's answer: the scoring in parts, or why it failed; and which thread scored it. */
export type ReplayAnswer =
  | {
      scores: Uint8Array[];
      reviews: Uint8Array[];
      products: Uint8Array[];
      reviewers: Uint8Array[];
      sweepTakes: string[];
      threadId: number;
    }
  | { error: string; threadId: number };

/** The thread's side of a ReplayBatch (src/insights-cli-worker.ts). */
export async function answerReplay(batch: ReplayBatch): Promise<ReplayAnswer> {
  try {
    const timeline = await unpackParts<TimelineReview>(batch.timeline, false);
    const { scores, writeTime, sweepTakes } = scoreReplay(timeline, batch.options);
    return {
      scores: await packParts([...scores], false),
      reviews: await packParts(writeTime.reviews, false),
      products: await packParts([...writeTime.products], false),
      reviewers: await packParts([...writeTime.reviewers], false),
      sweepTakes: [...sweepTakes],
      threadId,
    };
  } catch (error) {
    return { error: error instanceof Error ? `${error.name}: ${error.message}` : String(error), threadId };
  }
}

/** What a replay's scoring answered, beside the scoring: which thread ran it (tests: not the event loop's). */
export interface ReplayScoringRun extends ReplayScoring {
  readonly threadId: number;
}

/** The main thread's side: the timeline sent in parts, the answer read back in parts, each part between turns of the event loop. */
export async function scoreReplayOn(
  run: (batch: ReplayBatch) => Promise<ReplayAnswer>,
  timeline: readonly TimelineReview[],
  options: ScoringOptions,
): Promise<ReplayScoringRun> {
  const answer = await run({ action: "replay", timeline: await packParts(timeline, true), options });
  if ("error" in answer) throw new Error(`scoring the shop's replay failed: ${answer.error}`);
  const [scores, reviews, products, reviewers] = [
    await unpackParts<[string, StoredScore]>(answer.scores, true),
    await unpackParts<ScoredReview>(answer.reviews, true),
    await unpackParts<[string, ProductState]>(answer.products, true),
    await unpackParts<[string, ReviewerState]>(answer.reviewers, true),
  ];
  return {
    scores: new Map(scores),
    writeTime: { reviews, products: new Map(products), reviewers: new Map(reviewers) },
    sweepTakes: new Set(answer.sweepTakes),
    threadId: answer.threadId,
  };
}
