/** The webhooks feature's collections: endpoints and their secrets, the messages sent, and the delivery log. */
import { Schema } from "mongoose";
import { collectionSchema, nullable, required, shopOwned } from "../../db/schema-options.js";

export interface WebhookSecretDoc {
  /** `whsec_` + base64 of 24 random bytes. */
  secret: string;
  createdAt: Date;
  /** Null for the current secret; a rotated-out one is still used to sign until then. */
  expiresAt: Date | null;
}

export interface WebhookEndpointDoc {
  _id: string;
  shopId: string;
  url: string;
  /** Event types (features/events EVENT_TYPES) this endpoint receives. */
  events: string[];
  description: string | null;
  enabled: boolean;
  /** Why Starling disabled it (its deliveries kept failing); null while enabled or disabled by the shop. */
  disabledReason: string | null;
  disabledAt: Date | null;
  /** The current secret first; rotated-out secrets until their overlap ends. */
  secrets: WebhookSecretDoc[];
  createdAt: Date;
  updatedAt: Date;
}

/** An event as sent to a shop's endpoints (the exact body signed), kept for redelivery. */
export interface WebhookMessageDoc {
  /** The event id, sent as `webhook-id`. */
  _id: string;
  shopId: string;
  type: string;
  body: string;
  /** The review the event is about, if any (erasing its reviewer drops the message). */
  reviewId: string | null;
  createdAt: Date;
  /** Set once a delivery job exists for every subscribed endpoint. */
  fannedOutAt: Date | null;
}

/** One attempt to deliver a message to an endpoint (the delivery log; bounded per endpoint). */
export interface WebhookAttemptDoc {
  _id: string;
  shopId: string;
  endpointId: string;
  /** `<eventId>:<endpointId>`. */
  deliveryId: string;
  eventId: string;
  eventType: string;
  attempt: number;
  manual: boolean;
  at: Date;
  ok: boolean;
  statusCode: number | null;
  error: string | null;
  durationMs: number;
  /** When the next attempt is due; null when none follows. */
  nextAttemptAt: Date | null;
}

const webhookEndpointSchema = collectionSchema<WebhookEndpointDoc>("webhook_endpoints", {
  ...shopOwned,
  url: required(String),
  events: required([String]),
  description: nullable(String),
  enabled: required(Boolean),
  disabledReason: nullable(String),
  disabledAt: nullable(Date),
  secrets: {
    type: [new Schema({ secret: required(String), createdAt: required(Date), expiresAt: nullable(Date) }, { _id: false })],
    required: true,
  },
  createdAt: required(Date),
  updatedAt: required(Date),
});
webhookEndpointSchema.index({ shopId: 1, createdAt: 1 }, { name: "shop_created" });

const webhookMessageSchema = collectionSchema<WebhookMessageDoc>("webhook_messages", {
  ...shopOwned,
  type: required(String),
  body: required(String),
  reviewId: nullable(String),
  createdAt: required(Date),
  fannedOutAt: nullable(Date),
});
webhookMessageSchema.index({ reviewId: 1 }, { name: "review" });
webhookMessageSchema.index({ createdAt: 1 }, { name: "created" });

const webhookAttemptSchema = collectionSchema<WebhookAttemptDoc>("webhook_attempts", {
  ...shopOwned,
  endpointId: required(String),
  deliveryId: required(String),
  eventId: required(String),
  eventType: required(String),
  attempt: required(Number),
  manual: required(Boolean),
  at: required(Date),
  ok: required(Boolean),
  statusCode: nullable(Number),
  error: nullable(String),
  durationMs: required(Number),
  nextAttemptAt: nullable(Date),
});
// An endpoint's log newest first, by keyset (db/time-cursor.ts).
webhookAttemptSchema.index({ endpointId: 1, at: -1, _id: -1 }, { name: "endpoint_at" });

/** Its models by name (features/models.ts binds every feature's to a connection). */
export const webhooksSchemas = {
  WebhookEndpoint: webhookEndpointSchema,
  WebhookMessage: webhookMessageSchema,
  WebhookAttempt: webhookAttemptSchema,
};
