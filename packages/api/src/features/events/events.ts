/**
 * Domain events: what happened in a shop that another system may want to hear
 * (webhooks deliver them). An event is recorded in the durable `events` queue
 * (db/lease-queue.ts) before the write that causes it is acknowledged, under a
 * deterministic id, so a retry of the write records it once and a crash after
 * the acknowledgement loses none. Consumers (webhook fan-out) claim events from
 * that queue; with no consumer configured they wait there.
 */
import type { Deps } from "../deps.js";
import type { LeaseQueue } from "../../db/lease-queue.js";

/** Every event type, with the webhook name a shop subscribes to. */
export const EVENT_TYPES = [
  "review.created",
  "review.published",
  "review.rejected",
  "burst.detected",
  "rating.changed",
  "insights.emerging_topic",
  "question.created",
  "answer.created",
] as const;
export type EventType = (typeof EVENT_TYPES)[number];

export interface DomainEvent {
  readonly type: EventType;
  readonly shopId: string;
  /** When it happened, ISO 8601. */
  readonly at: string;
  /** Ids and public fields only: never a reviewer's email or a key (it leaves the service). */
  readonly data: Record<string, unknown>;
}

export const EVENTS_QUEUE = "events";

export function eventQueue(deps: Deps): LeaseQueue<DomainEvent> {
  return deps.queue<DomainEvent>(EVENTS_QUEUE);
}

/**
 * Records an event. `id` names the occurrence (e.g. `review.created:<reviewId>`):
 * recording the same id again changes nothing, so callers record on every retry.
 */
export async function recordEvent(
  deps: Deps,
  id: string,
  event: { type: EventType; shopId: string; data: Record<string, unknown>; at?: Date },
): Promise<void> {
  const { at, ...rest } = event;
  await eventQueue(deps).enqueue(id, { ...rest, at: (at ?? deps.now()).toISOString() });
}

/** Records several events in one command (a write batch's); each as recordEvent would. */
export async function recordEvents(
  deps: Deps,
  events: readonly { id: string; type: EventType; shopId: string; data: Record<string, unknown>; at?: Date }[],
): Promise<void> {
  await eventQueue(deps).enqueueMany(
    events.map(({ id, at, ...rest }) => ({ id, payload: { ...rest, at: (at ?? deps.now()).toISOString() } })),
  );
}
