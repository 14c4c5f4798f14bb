/**
 * Webhook delivery, in two durable steps on lease queues (db/lease-queue.ts),
 * so that with several API processes each step is done by one of them and a
 * dead process's work is taken over when its lease ends:
 *
 * 1. Fan-out claims an event from the `events` outbox, stores its body once
 *    (webhook_messages, what is signed and what redelivery sends), queues one
 *    delivery per enabled endpoint that subscribed to its type under the id
 *    `<eventId>:<endpointId>` (so a fan-out that runs twice queues each once),
 *    and completes the event.
 * 2. Delivery claims a job and POSTs the body, signed with every secret still
 *    in use. A 2xx completes it; anything else is retried on the schedule
 *    (WebhookSettings.retryScheduleMs), and once it is exhausted the endpoint
 *    is disabled with the reason shown to the shop. Every attempt goes to the
 *    delivery log (webhook_attempts), bounded per endpoint.
 *
 * Delivery is at least once: a process that stalls past its lease may send a
 * message twice, with the same `webhook-id`, which receivers dedupe on.
 */
import http from "node:http";
import https from "node:https";
import { randomBytes } from "node:crypto";
import type { ReviewDoc } from "../reviews/model.js";
import type { WebhookAttemptDoc, WebhookEndpointDoc, WebhookMessageDoc } from "./model.js";
import type { LeaseQueue, LeasedJob } from "../../db/lease-queue.js";
import { StarlingError } from "../../errors.js";
import { decodeTimeCursor, encodeTimeCursor, olderThan } from "../../db/time-cursor.js";
import type { Deps } from "../deps.js";
import { eventQueue, type DomainEvent } from "../events/events.js";
import { signingSecrets, webhookSettings, type WebhookSettings } from "./endpoints.js";
import { signatureHeader } from "./signing.js";
import { checkLiteralHost, guardedLookup } from "./ssrf.js";

export const DELIVERIES_QUEUE = "webhook_deliveries";

export interface DeliveryJob {
  readonly eventId: string;
  readonly endpointId: string;
  readonly shopId: string;
  /** The review the event is about (erasing its reviewer drops the job). */
  readonly reviewId: string | null;
  /** A redelivery the shop asked for: one attempt, no schedule, and it never disables the endpoint. */
  readonly manual?: boolean;
}

export function deliveryQueue(deps: Deps): LeaseQueue<DeliveryJob> {
  return deps.queue<DeliveryJob>(DELIVERIES_QUEUE);
}

/**
 * How long an event about a review may wait for that review (or its
 * moderation entry) to be stored. Events are recorded just before the write
 * they announce, so a fan-out can see one a moment early; an event whose write
 * never happened (the request failed and was not retried) is dropped after this.
 */
export const EVENT_SUBJECT_GRACE_MS = 120_000;
const SUBJECT_RETRY_MS = 2_000;

/** Whether what the event announces is stored: "yes", "not yet" (wait) or "never" (drop it). */
async function subjectStored(deps: Deps, event: DomainEvent, createdAt: Date): Promise<"yes" | "wait" | "drop"> {
  const reviewId = typeof event.data.reviewId === "string" ? event.data.reviewId : null;
  const moderationId = typeof event.data.moderationId === "string" ? event.data.moderationId : null;
  if (!reviewId && !moderationId) return "yes";
  const [review, erased, moderation] = await Promise.all([
    reviewId ? deps.models.Review.findById(reviewId, { _id: 1 }).lean<ReviewDoc>() : true,
    reviewId ? deps.models.ErasedReview.exists({ _id: reviewId }) : null,
    moderationId ? deps.models.ModerationEvent.exists({ _id: moderationId }) : true,
  ]);
  if (erased) return "drop";
  if (review && moderation) return "yes";
  return deps.now().getTime() - createdAt.getTime() < EVENT_SUBJECT_GRACE_MS ? "wait" : "drop";
}

/** The body every endpoint receives for an event: `{"type","timestamp","data"}`. */
export function messageBody(event: DomainEvent): string {
  return JSON.stringify({ type: event.type, timestamp: event.at, data: event.data });
}

/**
 * Step 1 for a round of events (runLeaseWorker with inRounds): their shops'
 * endpoints read in one query, the events no endpoint subscribed to (most, in
 * a shop without webhooks) completed together, the rest fanned out one by
 * one. Answers the events that failed.
 */
export async function fanOutEvents(deps: Deps, jobs: readonly LeasedJob<DomainEvent>[]): Promise<Map<string, unknown>> {
  const shops = [...new Set(jobs.map((j) => j.payload.shopId))];
  const enabled = await deps.models.WebhookEndpoint.find(
    { shopId: shops.length === 1 ? shops[0] : { $in: shops }, enabled: true },
    { _id: 1, shopId: 1, events: 1 },
  ).lean<WebhookEndpointDoc[]>();
  const failed = new Map<string, unknown>();
  const unheard: LeasedJob<DomainEvent>[] = [];
  for (const job of jobs) {
    const endpoints = enabled.filter((e) => e.shopId === job.payload.shopId && e.events.includes(job.payload.type));
    if (!endpoints.length) {
      unheard.push(job);
      continue;
    }
    await fanOutEvent(deps, job, endpoints).catch((error: unknown) => failed.set(job.id, error));
  }
  await eventQueue(deps)
    .completeMany(unheard)
    .catch((error: unknown) => {
      for (const job of unheard) failed.set(job.id, error);
    });
  return failed;
}

/** Step 1: one event to one delivery job per subscribed, enabled endpoint (`endpoints`: those, when the caller read them). */
export async function fanOutEvent(
  deps: Deps,
  job: LeasedJob<DomainEvent>,
  subscribed?: readonly Pick<WebhookEndpointDoc, "_id">[],
): Promise<void> {
  const queue = eventQueue(deps);
  const event = job.payload;
  const endpoints =
    subscribed ??
    (
      await deps.models.WebhookEndpoint.find({ shopId: event.shopId, enabled: true }, { _id: 1, events: 1 }).lean<WebhookEndpointDoc[]>()
    ).filter((e) => e.events.includes(event.type));
  if (!endpoints.length) return queue.complete(job);

  const message = await deps.models.WebhookMessage.findById(job.id).lean<WebhookMessageDoc>();
  // Recorded again after it was fanned out (a retried write): sent already.
  if (message?.fannedOutAt) return queue.complete(job);
  const subject = await subjectStored(deps, event, job.createdAt);
  if (subject === "wait")
    return queue.retryLater(job, new Date(deps.now().getTime() + SUBJECT_RETRY_MS), "waiting for the write it announces");
  if (subject === "drop") return queue.complete(job);

  const reviewId = typeof event.data.reviewId === "string" ? event.data.reviewId : null;
  if (!message) {
    await deps.models.WebhookMessage.collection
      .insertOne({
        _id: job.id,
        shopId: event.shopId,
        type: event.type,
        body: messageBody(event),
        reviewId,
        createdAt: deps.now(),
        fannedOutAt: null,
      } satisfies WebhookMessageDoc as never)
      .catch((err: { code?: number }) => {
        if (err.code !== 11000) throw err; // a process that died mid-fan-out stored it already
      });
  }
  await deliveryQueue(deps).enqueueMany(
    endpoints.map((e) => ({ id: `${job.id}:${e._id}`, payload: { eventId: job.id, endpointId: e._id, shopId: event.shopId, reviewId } })),
  );
  await deps.models.WebhookMessage.updateOne({ _id: job.id }, { $set: { fannedOutAt: deps.now() } });
  await queue.complete(job);
}

export interface AttemptResult {
  readonly ok: boolean;
  readonly statusCode: number | null;
  readonly error: string | null;
  readonly durationMs: number;
}

/** Most of a receiver's answer read (and thrown away): enough to see it finished. */
const MAX_RESPONSE_BYTES = 64 * 1024;

/**
 * One POST, at most `timeoutMs` from start to the last byte, redirects not
 * followed (a 3xx is a failure), to an address the SSRF guard checked.
 */
export function postWebhook(
  url: string,
  headers: Record<string, string>,
  body: string,
  settings: Pick<WebhookSettings, "allowPrivate" | "timeoutMs">,
): Promise<AttemptResult> {
  const started = performance.now();
  const done = (r: Omit<AttemptResult, "durationMs">): AttemptResult => ({ ...r, durationMs: Math.round(performance.now() - started) });
  return new Promise((resolve) => {
    let target: URL;
    try {
      target = new URL(url);
    } catch {
      return resolve(done({ ok: false, statusCode: null, error: "the endpoint's URL is not valid" }));
    }
    const literal = checkLiteralHost(target.hostname, settings);
    if (literal) return resolve(done({ ok: false, statusCode: null, error: literal }));
    const client = target.protocol === "https:" ? https : http;
    let settled = false;
    const finish = (r: Omit<AttemptResult, "durationMs">) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      resolve(done(r));
    };
    const req = client.request(
      target,
      {
        method: "POST",
        headers: {
          ...headers,
          "content-type": "application/json",
          "content-length": Buffer.byteLength(body),
          "user-agent": "Starling-Webhooks/1",
        },
        lookup: guardedLookup(settings),
        // A fresh connection per attempt: a pooled socket would skip the address check.
        agent: false,
      },
      (res) => {
        let read = 0;
        res.on("data", (chunk: Buffer) => {
          read += chunk.length;
          if (read > MAX_RESPONSE_BYTES) res.destroy();
        });
        const status = res.statusCode ?? 0;
        const outcome = () =>
          finish({
            ok: status >= 200 && status < 300,
            statusCode: status,
            error: status >= 200 && status < 300 ? null : `the endpoint answered ${status}`,
          });
        res.on("end", outcome);
        res.on("close", outcome);
        res.on("error", outcome);
      },
    );
    const timer = setTimeout(() => {
      finish({ ok: false, statusCode: null, error: `no complete answer within ${settings.timeoutMs / 1000} s` });
      req.destroy();
    }, settings.timeoutMs);
    req.on("error", (err: NodeJS.ErrnoException) =>
      finish({ ok: false, statusCode: null, error: `${err.code ? `${err.code}: ` : ""}${err.message}`.slice(0, 500) }),
    );
    req.end(body);
  });
}

/** Step 2: one attempt of one delivery job. */
export async function deliverJob(deps: Deps, job: LeasedJob<DeliveryJob>): Promise<void> {
  const queue = deliveryQueue(deps);
  const settings = webhookSettings(deps);
  const { eventId, endpointId } = job.payload;
  const [endpoint, message] = await Promise.all([
    deps.models.WebhookEndpoint.findById(endpointId).lean<WebhookEndpointDoc>(),
    deps.models.WebhookMessage.findById(eventId).lean<WebhookMessageDoc>(),
  ]);
  // Deleted, disabled (a redelivery goes even to a disabled endpoint: to test a fix), or erased: nothing to send.
  if (!endpoint || !message || (!endpoint.enabled && !job.payload.manual)) return queue.complete(job);

  const now = deps.now();
  const timestamp = Math.floor(now.getTime() / 1000);
  const result = await postWebhook(
    endpoint.url,
    {
      "webhook-id": eventId,
      "webhook-timestamp": String(timestamp),
      "webhook-signature": signatureHeader(signingSecrets(endpoint, now), eventId, timestamp, message.body),
    },
    message.body,
    settings,
  );
  const schedule = settings.retryScheduleMs;
  const retryIn = !result.ok && !job.payload.manual ? schedule[job.attempts - 1] : undefined;
  const nextAttemptAt = retryIn === undefined ? null : new Date(deps.now().getTime() + retryIn);
  await logAttempt(deps, settings, {
    _id: `wha_${Date.now().toString(36)}${randomBytes(9).toString("base64url")}`,
    shopId: endpoint.shopId,
    endpointId,
    deliveryId: `${eventId}:${endpointId}`,
    eventId,
    eventType: message.type,
    attempt: job.attempts,
    manual: job.payload.manual ?? false,
    at: now,
    ok: result.ok,
    statusCode: result.statusCode,
    error: result.error,
    durationMs: result.durationMs,
    nextAttemptAt,
  });
  if (result.ok) {
    return queue.complete(job);
  }
  if (nextAttemptAt) return queue.retryLater(job, nextAttemptAt, result.error ?? "failed");
  if (!job.payload.manual) {
    const hours = Math.round(schedule.reduce((a, b) => a + b, 0) / 360_000) / 10;
    const reason = `Disabled at ${deps.now().toISOString()}: ${job.attempts} attempts over ${hours} h to deliver ${eventId} (${message.type}) failed; the last: ${result.error}. Fix the receiver, enable the endpoint again, and redeliver what it missed from the delivery log.`;
    await deps.models.WebhookEndpoint.updateOne(
      { _id: endpointId, enabled: true },
      { $set: { enabled: false, disabledReason: reason, disabledAt: deps.now(), updatedAt: deps.now() } },
    );
    deps.log.warn("webhook endpoint disabled after its retries ran out", { shopId: endpoint.shopId, endpointId, eventId });
  }
  await queue.complete(job);
}

/** Adds an attempt to the log and keeps the endpoint's log at most `logLimit` long (the oldest go). */
async function logAttempt(deps: Deps, settings: WebhookSettings, doc: WebhookAttemptDoc): Promise<void> {
  await deps.models.WebhookAttempt.collection.insertOne(doc as never);
  const [oldestKept] = await deps.models.WebhookAttempt.find({ endpointId: doc.endpointId }, { at: 1 })
    .sort({ at: -1, _id: -1 })
    .skip(settings.logLimit - 1)
    .limit(1)
    .lean<WebhookAttemptDoc[]>();
  if (oldestKept) {
    await deps.models.WebhookAttempt.deleteMany({
      endpointId: doc.endpointId,
      $or: [{ at: { $lt: oldestKept.at } }, { at: oldestKept.at, _id: { $lt: oldestKept._id } }],
    });
  }
}

export interface WebhookAttempt {
  readonly id: string;
  readonly deliveryId: string;
  readonly endpointId: string;
  readonly eventId: string;
  readonly eventType: string;
  readonly attempt: number;
  readonly manual: boolean;
  readonly at: Date;
  readonly ok: boolean;
  readonly statusCode: number | null;
  readonly error: string | null;
  readonly durationMs: number;
  readonly nextAttemptAt: Date | null;
}

/** An endpoint's delivery log, newest first, a page at a time (`after`: an entry's cursor). */
export async function webhookDeliveries(
  deps: Deps,
  shopId: string,
  opts: { endpointId: string; first: number; after?: string | null },
): Promise<{ attempts: WebhookAttempt[]; cursor: (a: WebhookAttempt) => string }> {
  const endpoint = await deps.models.WebhookEndpoint.exists({ _id: opts.endpointId, shopId });
  if (!endpoint) throw new StarlingError("NOT_FOUND", `This shop has no webhook endpoint "${opts.endpointId}".`, { field: "endpointId" });
  const filter = { endpointId: opts.endpointId, shopId };
  const query = opts.after ? { $and: [filter, olderThan("at", decodeTimeCursor("webhookDeliveries", opts.after))] } : filter;
  const docs = await deps.models.WebhookAttempt.find(query).sort({ at: -1, _id: -1 }).limit(opts.first).lean<WebhookAttemptDoc[]>();
  return {
    attempts: docs.map(({ _id, shopId: _s, ...rest }) => ({ id: _id, ...rest })),
    cursor: (a) => encodeTimeCursor("webhookDeliveries", a.at, a.id),
  };
}

/**
 * Sends a delivery again now (`deliveryId` as in the log: `<eventId>:<endpointId>`),
 * with the same `webhook-id`: one attempt, logged as manual.
 */
export async function redeliverWebhook(deps: Deps, shopId: string, deliveryId: string): Promise<{ deliveryId: string }> {
  const split = typeof deliveryId === "string" ? deliveryId.lastIndexOf(":") : -1;
  const eventId = split > 0 ? deliveryId.slice(0, split) : "";
  const endpointId = split > 0 ? deliveryId.slice(split + 1) : "";
  const [endpoint, message] = await Promise.all([
    endpointId ? deps.models.WebhookEndpoint.exists({ _id: endpointId, shopId }) : null,
    eventId ? deps.models.WebhookMessage.findOne({ _id: eventId, shopId }, { _id: 1, reviewId: 1 }).lean<WebhookMessageDoc>() : null,
  ]);
  if (!endpoint || !message) {
    throw new StarlingError("NOT_FOUND", `This shop has no webhook delivery "${String(deliveryId)}" whose message is still kept.`, {
      field: "deliveryId",
    });
  }
  await deliveryQueue(deps).enqueue(`${deliveryId}:redeliver-${randomBytes(6).toString("base64url")}`, {
    eventId,
    endpointId,
    shopId,
    reviewId: message.reviewId ?? null,
    manual: true,
  });
  return { deliveryId };
}

/** How long a message is kept for redelivery. */
export const MESSAGE_RETENTION_MS = 30 * 86_400_000;

/** Drops messages past their retention (webhook_messages is indexed by createdAt). */
export async function pruneMessages(deps: Deps): Promise<void> {
  await deps.models.WebhookMessage.deleteMany({ createdAt: { $lt: new Date(deps.now().getTime() - MESSAGE_RETENTION_MS) } });
}

/**
 * Erasure (features/privacy): events about these reviews that are still
 * queued, their messages and their undelivered deliveries are dropped. The log
 * keeps only ids and outcomes, none of the review's content.
 */
export async function forgetReviewEvents(deps: Deps, reviewIds: readonly string[]): Promise<void> {
  if (!reviewIds.length) return;
  const ids = [...reviewIds];
  await deps.models.LeaseJob.deleteMany({ queue: eventQueue(deps).name, "payload.data.reviewId": { $in: ids } });
  await deps.models.LeaseJob.deleteMany({ queue: DELIVERIES_QUEUE, "payload.reviewId": { $in: ids } });
  await deps.models.WebhookMessage.deleteMany({ reviewId: { $in: ids } });
}

/** Drops these events (by id) wherever they still wait: the outbox, their deliveries and their messages (an erased question's `question.created`). */
export async function forgetEvents(deps: Deps, eventIds: readonly string[]): Promise<void> {
  if (!eventIds.length) return;
  const ids = [...eventIds];
  const queue = eventQueue(deps).name;
  await deps.models.LeaseJob.deleteMany({ _id: { $in: ids.map((id) => `${queue}:${id}`) } });
  await deps.models.LeaseJob.deleteMany({ queue: DELIVERIES_QUEUE, "payload.eventId": { $in: ids } });
  await deps.models.WebhookMessage.deleteMany({ _id: { $in: ids } });
}
