/** Moderation in the schema: actions, the audit log, the publication report, the moderation mode. */
import { MAX_ALLOWED_ORIGINS, setAllowedOrigins } from "../shops/shops.js";
import type { EnumRef, ObjectRef } from "@pothos/core";
import type { ReviewStatus } from "../reviews/model.js";
import {
  REJECTION_REASONS,
  moderateReview,
  moderationLog,
  moderationLogCursor,
  publicationReport,
  reinstateReview,
  replyToReview,
  setModerationMode,
  type ModerationEvent,
  type PublicationRow,
} from "./moderation.js";
import type { Review } from "../reviews/reviews.js";
import type { Deps } from "../deps.js";
import { actingKey } from "../../graphql/context.js";
import {
  type Builder,
  enumOf,
  expose,
  inputFields,
  mutationOfInput,
  ofType,
  optional,
  required,
  scalar,
  type Types,
} from "../../graphql/builder.js";
import { staffPageArgs, staffPageCost, staffPageRead } from "../../graphql/staff-page.js";

export function addModerationSchema(
  builder: Builder,
  refs: { ReviewRef: ObjectRef<Types, Review>; ReviewStatusEnum: EnumRef<Types, ReviewStatus, ReviewStatus> },
): {
  ReasonEnum: EnumRef<Types, keyof typeof REJECTION_REASONS, keyof typeof REJECTION_REASONS>;
  ActionEnum: EnumRef<Types, "PUBLISH" | "REJECT", "PUBLISH" | "REJECT">;
} {
  const { ReviewRef, ReviewStatusEnum } = refs;

  const ReasonEnum = enumOf(
    builder,
    "RejectionReason",
    "Why a review may be removed. The list is fixed on purpose: there is no reason for a low rating, because hiding negative reviews is itself deceptive.",
    REJECTION_REASONS,
  );

  const ActionEnum = enumOf(builder, "ModerationAction", "What to do with a review.", {
    PUBLISH: "Publish a pending review.",
    REJECT: "Remove a review, for a reason from RejectionReason. It is kept and can be reinstated.",
  });

  const ModerationModeEnum = enumOf(
    builder,
    "ModerationMode",
    "When reviews are published.",
    {
      POST: "At once; the shop may remove one later, for a stated reason.",
      PRE: "After the shop approves it. Approval cannot depend on the stars.",
    },
    "lowercase",
  );

  const EventRef = builder.objectRef<ModerationEvent>("ModerationEvent").implement({
    description: "One entry of the moderation log. Entries are never changed or removed.",
    fields: (t) =>
      expose(
        t,
        {
          id: scalar.ID("The entry's id."),
          reviewId: scalar.String('The review acted on, or the question (q_…) or answer (a_…); "-" for shop settings.'),
          action: scalar.String("publish, reject, reinstate, quarantine, reply or settings."),
          fromStatus: ofType(ReviewStatusEnum, "The review's state before.", { nullable: true }),
          toStatus: ofType(ReviewStatusEnum, "The review's state after.", { nullable: true }),
          reason: scalar.String("The rejection reason, or FLAGGED for a quarantine.", { nullable: true }),
          note: scalar.String("The moderator's note, the reply's text, or the flags' reasons.", { nullable: true }),
          actor: scalar.String('The id of the API key that acted, or "starling" for automatic checks.'),
          at: scalar.DateTime("When."),
        },
        {
          cursor: t.string({
            description: "Pass as `moderationLog(after:)` to get the entries before this one.",
            resolve: (e) => moderationLogCursor(e),
          }),
        },
      ),
  });

  const ReportRow = builder.objectRef<PublicationRow>("PublicationReportRow").implement({
    description: "For one star level: reviews received and where they stand.",
    fields: (t) =>
      publicationRowFields(
        t,
        "published / received; null when none were received. Similar rates across star levels show the shop does not gate by stars.",
      ),
  });

  builder.queryField("moderationLog", (t) =>
    t.field({
      nullable: true,
      type: [EventRef],
      description:
        "The shop's moderation log, newest first, a page at a time: for the next page, pass the last entry's `cursor` as `after`. Needs REVIEWS_MODERATE.",
      extensions: { complexity: staffPageCost },
      args: {
        reviewId: t.arg.id({ required: false, description: "Only entries about this review." }),
        ...staffPageArgs(t.arg, { items: "entries", cursor: "this entry's `cursor`" }),
      },
      resolve: async (_r, args, ctx) => {
        const { shop, first, after } = await staffPageRead(ctx, "reviews:moderate", args);
        return moderationLog(ctx.deps, shop.id, { reviewId: args.reviewId == null ? null : String(args.reviewId), first, after });
      },
    }),
  );

  builder.queryField("publicationReport", (t) =>
    t.field({
      nullable: true,
      type: [ReportRow],
      description:
        "Publication rate per star level across the shop, 5 stars first: evidence that moderation does not depend on the rating. Needs REVIEWS_MODERATE.",
      resolve: async (_r, _a, ctx) => publicationReport(ctx.deps, (await ctx.authorize("reviews:moderate")).id),
    }),
  );

  const ModerateInput = builder.inputType("ModerateReviewInput", {
    description: "A moderation decision.",
    fields: (t) =>
      inputFields(t, {
        reviewId: required.ID("The review."),
        action: required.of(ActionEnum, "Publish or reject."),
        reason: optional.of(ReasonEnum, "Required to reject; not allowed to publish."),
        note: optional.String("A note for the log, up to 1000 characters."),
      }),
  });

  builder.mutationField("moderateReview", (t) =>
    mutationOfInput(t, {
      type: ReviewRef,
      description: "Publishes a pending review, or rejects a review for a stated reason. Logged. Needs REVIEWS_MODERATE.",
      inputType: ModerateInput,
      input: "The decision.",
      resolve: async (input, ctx) => {
        const { shopId, keyId } = await actingKey(ctx, "reviews:moderate");
        return moderateReview(ctx.deps, shopId, keyId, {
          reviewId: String(input.reviewId),
          action: input.action,
          reason: input.reason,
          note: input.note,
        });
      },
    }),
  );

  // reinstateReview and replyToReview: a logged action on one review, with the one text it takes.
  const reviewAction = <Text extends "note" | "body">(
    name: string,
    description: string,
    text: { name: Text; description: string },
    act: (deps: Deps, shopId: string, keyId: string, input: { reviewId: string } & Record<Text, string>) => Promise<Review>,
  ) =>
    builder.mutationField(name, (t) =>
      t.field({
        nullable: true,
        type: ReviewRef,
        description,
        args: {
          reviewId: t.arg.id({ required: true, description: "The review." }),
          [text.name]: t.arg.string({ required: true, description: text.description }),
        },
        resolve: async (_r, args, ctx) => {
          const { shopId, keyId } = await actingKey(ctx, "reviews:moderate");
          // A computed argument name: Pothos types it as any string's, so say which.
          const input = { reviewId: String(args.reviewId), [text.name]: args[text.name] } as { reviewId: string } & Record<Text, string>;
          return act(ctx.deps, shopId, keyId, input);
        },
      }),
    );
  reviewAction(
    "reinstateReview",
    "Publishes a rejected or quarantined review again, on appeal. Logged with the note. Needs REVIEWS_MODERATE.",
    { name: "note", description: "Why it is reinstated (the appeal), up to 1000 characters." },
    reinstateReview,
  );
  reviewAction(
    "replyToReview",
    "Sets the shop's public reply under a review (replacing an earlier one). Logged. Needs REVIEWS_MODERATE.",
    { name: "body", description: "The reply, 1 to 5000 characters." },
    replyToReview,
  );

  builder.mutationField("setModerationMode", (t) =>
    t.field({
      nullable: true,
      type: ModerationModeEnum,
      description: "Chooses whether reviews publish at once (POST) or after approval (PRE). Logged. Needs SHOP_SETTINGS.",
      args: { mode: t.arg({ type: ModerationModeEnum, required: true, description: "The new mode." }) },
      resolve: async (_r, args, ctx) => {
        const { shopId, keyId } = await actingKey(ctx, "shop:settings");
        await setModerationMode(ctx.deps, shopId, keyId, args.mode as "post" | "pre");
        return args.mode;
      },
    }),
  );

  builder.mutationField("setAllowedOrigins", (t) =>
    t.field({
      nullable: true,
      type: ["String"],
      description:
        'Replaces the browser origins (e.g. "https://admin.shop.example") from which the shop\'s secret keys may be used; by default none, and a secret key sent from a web page is refused with ORIGIN_NOT_ALLOWED. Publishable keys work from any origin. Returns the list now in force. Needs SHOP_SETTINGS.',
      args: {
        origins: t.arg.stringList({ required: true, description: `Exact origins, at most ${MAX_ALLOWED_ORIGINS}; [] allows none.` }),
      },
      resolve: async (_r, args, ctx) => setAllowedOrigins(ctx.deps, (await ctx.authorize("shop:settings")).id, args.origins),
    }),
  );
  return { ReasonEnum, ActionEnum };
}

/** A star level's publication counts: the moderation report's rows and the dashboard's (DashboardPublicationRow). */
export function publicationRowFields(t: PothosSchemaTypes.ObjectFieldBuilder<Types, PublicationRow>, rateDescription: string) {
  return {
    stars: t.exposeInt("stars", { description: "The star level." }),
    received: t.exposeInt("received", { description: "Reviews received with this many stars." }),
    published: t.exposeInt("published", { description: "Of those, published." }),
    pending: t.exposeInt("pending", { description: "Of those, waiting for approval." }),
    rejected: t.exposeInt("rejected", { description: "Of those, rejected by the shop." }),
    quarantined: t.exposeInt("quarantined", { description: "Of those, held back by fraud checks." }),
    publicationRate: t.float({
      nullable: true,
      description: rateDescription,
      resolve: (r) => (r.received ? r.published / r.received : null),
    }),
  };
}
