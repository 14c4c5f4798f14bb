/**
 * A shop's webhook endpoints: where its events go, which ones, and the secret
 * that signs them. The secret is shown once, when it is made (create, rotate);
 * a rotated-out secret keeps signing beside the new one for an overlap, so the
 * shop can switch its receiver over without losing a delivery.
 */
import { randomBytes } from "node:crypto";
import type { WebhookEndpointDoc } from "./model.js";
import { StarlingError, invalidInput } from "../../errors.js";
import { WEBHOOK_RETRY_SCHEDULE_MS } from "../../config.js";
import type { Deps } from "../deps.js";
import { EVENT_TYPES, type EventType } from "../events/events.js";
import { optionalText } from "../validate.js";
import { newWebhookSecret } from "./signing.js";
import { checkTargetUrl } from "./ssrf.js";

/** How a process delivers webhooks; set from the configuration by startStarling (configureWebhooks). */
export interface WebhookSettings {
  /** STARLING_WEBHOOKS_ALLOW_PRIVATE. */
  readonly allowPrivate: boolean;
  /** Waits between attempts, ms; after the last one fails, the endpoint is disabled. */
  readonly retryScheduleMs: readonly number[];
  /** One attempt's limit, connection to last byte (10 s). */
  readonly timeoutMs: number;
  /** Most attempts kept in one endpoint's delivery log. */
  readonly logLimit: number;
}

export const DEFAULT_WEBHOOK_TIMEOUT_MS = 10_000;
export const DELIVERY_LOG_LIMIT = 1_000;
/** How long a rotated-out secret keeps signing, unless the rotation says otherwise. */
export const DEFAULT_SECRET_OVERLAP_HOURS = 24;
export const MAX_ENDPOINTS_PER_SHOP = 20;

const settingsByDeps = new WeakMap<Deps, WebhookSettings>();

export function configureWebhooks(deps: Deps, settings: Partial<WebhookSettings>): void {
  settingsByDeps.set(deps, { ...webhookSettings(deps), ...settings });
}

export function webhookSettings(deps: Deps): WebhookSettings {
  return (
    settingsByDeps.get(deps) ?? {
      allowPrivate: false,
      retryScheduleMs: WEBHOOK_RETRY_SCHEDULE_MS,
      timeoutMs: DEFAULT_WEBHOOK_TIMEOUT_MS,
      logLimit: DELIVERY_LOG_LIMIT,
    }
  );
}

/** An endpoint as the shop sees it: never its secrets. */
export interface WebhookEndpoint {
  readonly id: string;
  readonly url: string;
  readonly events: readonly EventType[];
  readonly description: string | null;
  readonly enabled: boolean;
  readonly disabledReason: string | null;
  readonly disabledAt: Date | null;
  /** When the previous secret stops signing; null outside a rotation's overlap. */
  readonly previousSecretExpiresAt: Date | null;
  readonly createdAt: Date;
  readonly updatedAt: Date;
}

export function toEndpoint(doc: WebhookEndpointDoc, now: Date): WebhookEndpoint {
  const previous = doc.secrets.slice(1).filter((s) => s.expiresAt && s.expiresAt > now);
  return {
    id: doc._id,
    url: doc.url,
    events: doc.events as EventType[],
    description: doc.description,
    enabled: doc.enabled,
    disabledReason: doc.disabledReason,
    disabledAt: doc.disabledAt,
    previousSecretExpiresAt: previous.length ? new Date(Math.max(...previous.map((s) => s.expiresAt!.getTime()))) : null,
    createdAt: doc.createdAt,
    updatedAt: doc.updatedAt,
  };
}

/** The secrets that sign a delivery now: the current one and any rotated-out one still in its overlap. */
export function signingSecrets(doc: Pick<WebhookEndpointDoc, "secrets">, now: Date): string[] {
  return doc.secrets.filter((s, i) => i === 0 || (s.expiresAt !== null && s.expiresAt > now)).map((s) => s.secret);
}

function eventList(events: unknown): EventType[] {
  if (!Array.isArray(events) || events.length === 0) throw invalidInput("events", "name at least one event type");
  const unknown = events.filter((e) => !(EVENT_TYPES as readonly unknown[]).includes(e));
  if (unknown.length)
    throw invalidInput("events", `unknown event types ${unknown.map(String).join(", ")}; known: ${EVENT_TYPES.join(", ")}`);
  return [...new Set(events as EventType[])];
}

async function loadEndpoint(deps: Deps, shopId: string, id: unknown): Promise<WebhookEndpointDoc> {
  const doc = typeof id === "string" ? await deps.models.WebhookEndpoint.findOne({ _id: id, shopId }).lean<WebhookEndpointDoc>() : null;
  if (!doc) throw new StarlingError("NOT_FOUND", `This shop has no webhook endpoint "${String(id)}".`, { field: "id" });
  return doc;
}

export async function createWebhookEndpoint(
  deps: Deps,
  shopId: string,
  input: { url: unknown; events: unknown; description?: string | null },
): Promise<{ endpoint: WebhookEndpoint; secret: string }> {
  const events = eventList(input.events);
  const description = optionalText("description", input.description, { max: 200 });
  const url = await checkTargetUrl(input.url, webhookSettings(deps));
  if ((await deps.models.WebhookEndpoint.countDocuments({ shopId })) >= MAX_ENDPOINTS_PER_SHOP) {
    throw invalidInput("url", `a shop has at most ${MAX_ENDPOINTS_PER_SHOP} webhook endpoints; delete one first`);
  }
  const now = deps.now();
  const secret = newWebhookSecret();
  const doc: WebhookEndpointDoc = {
    _id: `we_${randomBytes(12).toString("base64url")}`,
    shopId,
    url,
    events,
    description,
    enabled: true,
    disabledReason: null,
    disabledAt: null,
    secrets: [{ secret, createdAt: now, expiresAt: null }],
    createdAt: now,
    updatedAt: now,
  };
  await deps.models.WebhookEndpoint.collection.insertOne(doc as never);
  return { endpoint: toEndpoint(doc, now), secret };
}

export async function listWebhookEndpoints(deps: Deps, shopId: string): Promise<WebhookEndpoint[]> {
  const now = deps.now();
  const docs = await deps.models.WebhookEndpoint.find({ shopId }).sort({ createdAt: 1, _id: 1 }).lean<WebhookEndpointDoc[]>();
  return docs.map((d) => toEndpoint(d, now));
}

export async function getWebhookEndpoint(deps: Deps, shopId: string, id: string): Promise<WebhookEndpoint> {
  return toEndpoint(await loadEndpoint(deps, shopId, id), deps.now());
}

/** Changes what is given; enabling an endpoint Starling disabled clears the reason. */
export async function updateWebhookEndpoint(
  deps: Deps,
  shopId: string,
  id: string,
  input: { url?: unknown; events?: unknown; description?: string | null; enabled?: boolean | null },
): Promise<WebhookEndpoint> {
  const doc = await loadEndpoint(deps, shopId, id);
  const set: Partial<WebhookEndpointDoc> = {};
  if (input.events != null) set.events = eventList(input.events);
  if (input.description !== undefined) set.description = optionalText("description", input.description, { max: 200 });
  if (input.url != null) set.url = await checkTargetUrl(input.url, webhookSettings(deps));
  if (input.enabled != null) {
    set.enabled = input.enabled;
    if (input.enabled) {
      set.disabledReason = null;
      set.disabledAt = null;
    } else if (doc.enabled) {
      set.disabledAt = deps.now();
      set.disabledReason = null;
    }
  }
  set.updatedAt = deps.now();
  await deps.models.WebhookEndpoint.updateOne({ _id: doc._id, shopId }, { $set: set });
  return toEndpoint({ ...doc, ...set }, deps.now());
}

/** Deletes an endpoint with its delivery log; its queued deliveries find it gone and are dropped. */
export async function deleteWebhookEndpoint(deps: Deps, shopId: string, id: string): Promise<WebhookEndpoint> {
  const doc = await loadEndpoint(deps, shopId, id);
  await deps.models.WebhookEndpoint.deleteOne({ _id: doc._id, shopId });
  await deps.models.WebhookAttempt.deleteMany({ endpointId: doc._id });
  return toEndpoint(doc, deps.now());
}

/**
 * A new secret; the current one keeps signing beside it for `overlapHours`
 * (0: it stops at once). Older rotated-out secrets stop now: at most two sign.
 */
export async function rotateWebhookSecret(
  deps: Deps,
  shopId: string,
  id: string,
  overlapHours: number | null | undefined,
): Promise<{ endpoint: WebhookEndpoint; secret: string }> {
  const hours = overlapHours ?? DEFAULT_SECRET_OVERLAP_HOURS;
  if (!Number.isFinite(hours) || hours < 0 || hours > 168) throw invalidInput("overlapHours", "must be from 0 to 168 hours");
  const doc = await loadEndpoint(deps, shopId, id);
  const now = deps.now();
  const secret = newWebhookSecret();
  const secrets = [{ secret, createdAt: now, expiresAt: null }];
  if (hours > 0) secrets.push({ ...doc.secrets[0]!, expiresAt: new Date(now.getTime() + hours * 3_600_000) } as never);
  // Two rotations at once: the last write wins, and the loser's secret never signs (its caller rotates again).
  await deps.models.WebhookEndpoint.updateOne({ _id: doc._id, shopId }, { $set: { secrets, updatedAt: now } });
  return { endpoint: toEndpoint({ ...doc, secrets, updatedAt: now }, now), secret };
}
