/**
 * Webhooks in the schema: a shop's endpoints (create, list, update, delete,
 * rotate the secret), each endpoint's delivery log, and redelivery. All need
 * SHOP_SETTINGS, a scope only secret keys hold.
 */
import { type Builder, enumOf, expose, inputFields, ofType, optional, required, scalar } from "../../graphql/builder.js";
import { listCost } from "../../graphql/cost.js";
import { staffMutationById, staffMutationOfInput, staffPageArgs, staffPageCost, staffPageRead } from "../../graphql/staff-page.js";
import { EVENT_TYPES, type EventType } from "../events/events.js";
import {
  DEFAULT_SECRET_OVERLAP_HOURS,
  createWebhookEndpoint,
  deleteWebhookEndpoint,
  listWebhookEndpoints,
  rotateWebhookSecret,
  updateWebhookEndpoint,
  type WebhookEndpoint,
} from "./endpoints.js";
import { redeliverWebhook, webhookDeliveries, type WebhookAttempt } from "./delivery.js";

/** review.created → REVIEW_CREATED */
const enumName = (type: EventType) => type.replace(/[.]/g, "_").toUpperCase();

const EVENT_DESCRIPTIONS: Record<EventType, string> = {
  "review.created": "A review was stored (any status: published at once, pending approval, or quarantined).",
  "review.published": "A review became visible: at once (post-moderation), on approval, or reinstated.",
  "review.rejected": "The shop rejected a review (the reason is in the payload).",
  "burst.detected": "The fraud checks flagged a new burst of reviews on a product.",
  "rating.changed": "A product's displayed rating (the trust-weighted mean to one decimal) moved.",
  "insights.emerging_topic": "Review insights found a topic surging in a product's recent reviews.",
  "question.created": "A customer asked a question about a product.",
  "answer.created": "A question got an answer.",
};

export function addWebhookSchema(builder: Builder): void {
  const EventTypeEnum = enumOf(
    builder,
    "WebhookEventType",
    "An event a webhook endpoint can receive; the payload's `type` is the dotted name (REVIEW_CREATED is review.created).",
    Object.fromEntries(EVENT_TYPES.map((type) => [enumName(type), [type, `${type}: ${EVENT_DESCRIPTIONS[type]}`] as const])),
  );

  const EndpointRef = builder.objectRef<WebhookEndpoint>("WebhookEndpoint").implement({
    description: "Where the shop's events are POSTed, signed by the Standard Webhooks scheme. The secret is shown only when it is made.",
    fields: (t) =>
      expose(
        t,
        {
          id: scalar.ID("The endpoint's id."),
          url: scalar.String("The http or https URL events are POSTed to."),
        },
        {
          events: t.field({ type: [EventTypeEnum], description: "The events it receives.", resolve: (e) => [...e.events] }),
          ...expose(t, {
            description: scalar.String("Your note about it.", { nullable: true }),
            enabled: scalar.Boolean("Whether events are delivered to it."),
            disabledReason: scalar.String(
              "Why Starling disabled it (a delivery failed through every retry, about three days); null otherwise. Enable it again with updateWebhookEndpoint.",
              { nullable: true },
            ),
            disabledAt: scalar.DateTime("When it was disabled.", { nullable: true }),
            previousSecretExpiresAt: scalar.DateTime(
              "After a rotation: until when the previous secret still signs beside the new one (two signatures are sent); null otherwise.",
              { nullable: true },
            ),
            createdAt: scalar.DateTime("When it was made."),
            updatedAt: scalar.DateTime("When it last changed."),
          }),
        },
      ),
  });

  const NewSecretRef = builder.objectRef<{ endpoint: WebhookEndpoint; secret: string }>("WebhookEndpointWithSecret").implement({
    description: "An endpoint and its new signing secret: keep the secret now, it is not shown again.",
    fields: (t) =>
      expose(t, {
        endpoint: ofType(EndpointRef, "The endpoint."),
        secret: scalar.String("`whsec_` and the base64 key that signs its deliveries (HMAC-SHA256)."),
      }),
  });

  const AttemptRef = builder.objectRef<WebhookAttempt & { cursor: string }>("WebhookDeliveryAttempt").implement({
    description: "One attempt to deliver an event to an endpoint.",
    fields: (t) =>
      expose(
        t,
        {
          id: scalar.ID("The attempt's id."),
          deliveryId: scalar.ID("The delivery (one event to one endpoint) it belongs to: pass it to redeliverWebhook."),
          eventId: scalar.ID("The event, sent as the `webhook-id` header."),
        },
        {
          eventType: t.field({ type: EventTypeEnum, description: "The event's type.", resolve: (a) => a.eventType as EventType }),
          ...expose(t, {
            attempt: scalar.Int("Which attempt of the delivery, from 1."),
            manual: scalar.Boolean("A redelivery the shop asked for."),
            at: scalar.DateTime("When it was sent."),
            ok: scalar.Boolean("The endpoint answered 2xx."),
            statusCode: scalar.Int("The HTTP status it answered; null if none came (refused, unreachable, timed out).", { nullable: true }),
            error: scalar.String("What went wrong; null on success.", { nullable: true }),
            durationMs: scalar.Int("How long the attempt took, in ms."),
            nextAttemptAt: scalar.DateTime("When the next attempt is due; null when none follows.", { nullable: true }),
            cursor: scalar.String("Pass as `webhookDeliveries(after:)` for the attempts before this one."),
          }),
        },
      ),
  });

  const CreateInput = builder.inputType("CreateWebhookEndpointInput", {
    description: "A new webhook endpoint.",
    fields: (t) =>
      inputFields(
        t,
        {
          url: required.String("An http or https URL on a public address (private, loopback and metadata addresses are refused)."),
        },
        {
          events: t.field({ type: [EventTypeEnum], required: true, description: "The events to receive, at least one." }),
          description: t.string({ required: false, description: "A note, up to 200 characters." }),
        },
      ),
  });

  const UpdateInput = builder.inputType("UpdateWebhookEndpointInput", {
    description: "What to change; what is left out stays.",
    fields: (t) =>
      inputFields(
        t,
        {
          url: optional.String("A new URL (checked as on creation)."),
        },
        {
          events: t.field({ required: false, type: [EventTypeEnum], description: "The events to receive, at least one." }),
          description: t.string({ required: false, description: "A note, up to 200 characters." }),
          enabled: t.boolean({ required: false, description: "false stops deliveries; true resumes them (and clears a disabledReason)." }),
        },
      ),
  });

  builder.queryFields((t) => ({
    webhookEndpoints: t.field({
      nullable: true,
      type: [EndpointRef],
      extensions: { complexity: listCost(20) },
      description: "Your shop's webhook endpoints, oldest first. Needs SHOP_SETTINGS.",
      resolve: async (_r, _a, ctx) => listWebhookEndpoints(ctx.deps, (await ctx.authorize("shop:settings")).id),
    }),
    webhookDeliveries: t.field({
      nullable: true,
      type: [AttemptRef],
      extensions: { complexity: staffPageCost },
      description:
        "An endpoint's delivery log, newest first, a page at a time (the last 1000 attempts are kept): for the next page, pass the last entry's `cursor` as `after`. Needs SHOP_SETTINGS.",
      args: {
        endpointId: t.arg.id({ required: true, description: "The endpoint." }),
        ...staffPageArgs(t.arg, { items: "attempts", cursor: "this attempt's `cursor`" }),
      },
      resolve: async (_r, args, ctx) => {
        const { shop, first, after } = await staffPageRead(ctx, "shop:settings", args);
        const page = await webhookDeliveries(ctx.deps, shop.id, { endpointId: String(args.endpointId), first, after });
        return page.attempts.map((a) => ({ ...a, cursor: page.cursor(a) }));
      },
    }),
  }));

  builder.mutationFields((t) => ({
    createWebhookEndpoint: staffMutationOfInput(t, {
      type: NewSecretRef,
      scope: "shop:settings",
      description: "Adds an endpoint; returns its signing secret, once. Needs SHOP_SETTINGS.",
      inputType: CreateInput,
      input: "The endpoint.",
      run: (deps, shopId, input) =>
        createWebhookEndpoint(deps, shopId, {
          url: input.url,
          events: input.events,
          description: input.description,
        }),
    }),
    updateWebhookEndpoint: t.field({
      nullable: true,
      type: EndpointRef,
      description: "Changes an endpoint's URL, events, note, or whether it is enabled. Needs SHOP_SETTINGS.",
      args: {
        id: t.arg.id({ required: true, description: "The endpoint." }),
        input: t.arg({ type: UpdateInput, required: true, description: "What to change." }),
      },
      resolve: async (_r, { id, input }, ctx) =>
        updateWebhookEndpoint(ctx.deps, (await ctx.authorize("shop:settings")).id, String(id), {
          url: input.url ?? undefined,
          events: input.events ?? undefined,
          description: input.description,
          enabled: input.enabled,
        }),
    }),
    deleteWebhookEndpoint: staffMutationById(t, {
      type: EndpointRef,
      scope: "shop:settings",
      description:
        "Deletes an endpoint and its delivery log; deliveries still queued for it are dropped. Returns what was deleted. Needs SHOP_SETTINGS.",
      id: "The endpoint.",
      run: deleteWebhookEndpoint,
    }),
    rotateWebhookSecret: t.field({
      nullable: true,
      type: NewSecretRef,
      description: `Gives an endpoint a new secret, returned once. The previous one keeps signing beside it for \`overlapHours\` (default ${DEFAULT_SECRET_OVERLAP_HOURS}; 0 stops it at once): deliveries carry both signatures meanwhile. Needs SHOP_SETTINGS.`,
      args: {
        id: t.arg.id({ required: true, description: "The endpoint." }),
        overlapHours: t.arg.float({ required: false, description: "How long the previous secret still signs, 0 to 168 hours." }),
      },
      resolve: async (_r, { id, overlapHours }, ctx) =>
        rotateWebhookSecret(ctx.deps, (await ctx.authorize("shop:settings")).id, String(id), overlapHours),
    }),
    redeliverWebhook: t.field({
      nullable: true,
      type: "ID",
      description:
        "Sends a delivery again now, with the same `webhook-id` (receivers dedupe on it): one attempt, in the log as manual, also to a disabled endpoint. Returns the delivery's id. Needs SHOP_SETTINGS.",
      args: { deliveryId: t.arg.id({ required: true, description: "The delivery, as in the log (`deliveryId`)." }) },
      resolve: async (_r, { deliveryId }, ctx) =>
        (await redeliverWebhook(ctx.deps, (await ctx.authorize("shop:settings")).id, String(deliveryId))).deliveryId,
    }),
  }));
}
