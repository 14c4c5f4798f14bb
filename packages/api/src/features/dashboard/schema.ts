/**
 * The dashboard's reads in the schema (issue 16): the overview's aggregates,
 * a product's weekly timeline and its reviews that count less, the shop-wide
 * moderation queue, a review search, the shop's settings and products. Any
 * secret key with the scope may call them; the dashboard calls them with its
 * session cookie (features/dashboard/sessions.ts).
 */
import type { EnumRef, ObjectRef } from "@pothos/core";
import type { ReviewStatus } from "../reviews/model.js";
import { invalidInput } from "../../errors.js";
import { type Builder, expose, listOf, scalar, type Types } from "../../graphql/builder.js";
import { listCost, pageCost } from "../../graphql/cost.js";
import { staffPageArgs, staffPageCost, staffPageFirst } from "../../graphql/staff-page.js";
import { listShopProducts, type Product } from "../products/products.js";
import type { Review } from "../reviews/review.js";
import { pageSize } from "../validate.js";
import {
  discountedReviews,
  overview,
  productTimeline,
  reviewQueue,
  searchReviews,
  shopSettings,
  type Overview,
  type ReviewListPage,
  type ShopSettings,
  type WeekPoint,
} from "./dashboard.js";
import type { PublicationRow } from "../moderation/moderation.js";
import { publicationRowFields } from "../moderation/schema.js";

/** The weeks come from one counters document, however many there are: priced as a short list, not per week read. */
const WEEKS_COST = 10;

const PROVENANCES = ["VERIFIED_PURCHASE", "INVITED", "ORGANIC", "IMPORTED"] as const;

export function addDashboardSchema(
  builder: Builder,
  refs: {
    ProductRef: ObjectRef<Types, Product>;
    ReviewRef: ObjectRef<Types, Review>;
    ReviewStatusEnum: EnumRef<Types, ReviewStatus, ReviewStatus>;
  },
): void {
  const { ProductRef, ReviewRef, ReviewStatusEnum } = refs;

  const WeekRef = builder.objectRef<WeekPoint>("DashboardWeek").implement({
    description: "One week (Monday to Sunday, UTC) of a shop's or a product's reviews, from maintained counters.",
    fields: (t) =>
      expose(t, {
        weekStart: scalar.DateTime("Monday 00:00 UTC of the week."),
        received: scalar.Int("Reviews received in the week, whatever became of them."),
        published: scalar.Int("Of those, published now."),
        verified: scalar.Int("Of the published, verified purchases."),
        displayedRating: scalar.Float(
          "The displayed rating's formula (trust-weighted, with the shop's prior of today) over everything published up to the week's end.",
          { nullable: true },
        ),
        plainMean: scalar.Float("The plain mean of the stars published up to the week's end.", { nullable: true }),
      }),
  });

  const PublicationRef = builder.objectRef<PublicationRow>("DashboardPublicationRow").implement({
    description: "For one star level: reviews received and where they stand now (from maintained counters).",
    fields: (t) => publicationRowFields(t, "published / received; null when none were received."),
  });

  const StarRef = builder.objectRef<{ stars: number; count: number }>("DashboardStarCount").implement({
    description: "One bar of a star histogram.",
    fields: (t) =>
      expose(t, {
        stars: scalar.Int("The star level."),
        count: scalar.Int("Published reviews with this many stars."),
      }),
  });

  const OverviewRef = builder.objectRef<Overview>("DashboardOverview").implement({
    description: "The shop at a glance, computed on the server from maintained counters and summaries; no review is read.",
    fields: (t) =>
      expose(t, {
        weeks: listOf(WeekRef, WEEKS_COST, "Week by week, oldest first."),
        histogram: listOf(StarRef, 5, "Published reviews per star level, 5 first."),
        publication: listOf(PublicationRef, 5, "Publication rate per star level, 5 first."),
        verifiedShare: scalar.Float("Verified purchases among published reviews; null without any.", { nullable: true }),
        pending: scalar.Int("Reviews waiting for approval."),
        quarantined: scalar.Int("Reviews held back by fraud checks."),
      }),
  });

  const ListPageRef = builder.objectRef<ReviewListPage>("DashboardReviewPage").implement({
    description: "A page of reviews, newest first.",
    fields: (t) => ({
      reviews: t.field({ type: [ReviewRef], description: "The reviews.", resolve: (p) => p.reviews }),
      endCursor: t.string({
        nullable: true,
        description: "Pass as `after` for the next page; null on an empty page.",
        resolve: (p) => p.cursors.at(-1) ?? null,
      }),
      hasNextPage: t.exposeBoolean("hasNextPage", { description: "Whether more reviews follow." }),
    }),
  });

  const SettingsRef = builder.objectRef<ShopSettings>("ShopSettings").implement({
    description: "The shop's settings as they stand.",
    fields: (t) => ({
      moderationMode: t.string({ description: '"POST" or "PRE" (see ModerationMode).', resolve: (s) => s.moderationMode.toUpperCase() }),
      allowedOrigins: t.exposeStringList("allowedOrigins", { description: "Origins its secret keys may be used from." }),
    }),
  });

  builder.queryFields((t) => ({
    dashboardOverview: t.field({
      nullable: true,
      type: OverviewRef,
      description:
        "The dashboard's overview of the shop: rating over time, reviews per week, histogram, publication rate per star, verified share. Needs REVIEWS_MODERATE.",
      resolve: async (_r, _a, ctx) => overview(ctx.deps, (await ctx.authorize("reviews:moderate")).id),
    }),
    reviewQueue: t.field({
      nullable: true,
      type: ListPageRef,
      description:
        "The shop-wide moderation queue, newest first: reviews in these states (default PENDING and QUARANTINED). Needs REVIEWS_MODERATE.",
      extensions: { complexity: staffPageCost },
      args: {
        status: t.arg({ required: false, type: [ReviewStatusEnum], description: "Which states (default PENDING, QUARANTINED)." }),
        ...staffPageArgs(t.arg, { cursor: "this cursor" }),
      },
      resolve: async (_r, args, ctx) => {
        const shop = await ctx.authorize("reviews:moderate");
        return reviewQueue(ctx.deps, shop.id, {
          statuses: (args.status ?? ["pending", "quarantined"]) as ReviewStatus[],
          first: pageSize(args.first),
          after: args.after,
        });
      },
    }),
    searchReviews: t.field({
      nullable: true,
      type: ListPageRef,
      description: "The shop's reviews matching every filter given, newest first. Needs REVIEWS_MODERATE.",
      extensions: { complexity: staffPageCost },
      args: {
        text: t.arg.string({
          required: false,
          description: "Words in the title or the text, as written (case-insensitive), up to 100 characters.",
        }),
        stars: t.arg.intList({ required: false, description: "Only these star levels." }),
        status: t.arg({ required: false, type: [ReviewStatusEnum], description: "Only these states." }),
        provenance: t.arg.stringList({ required: false, description: `Only these provenances: ${PROVENANCES.join(", ")}.` }),
        productId: t.arg.id({ required: false, description: "Only this product's reviews." }),
        from: t.arg({ required: false, type: "DateTime", description: "Received at or after." }),
        to: t.arg({ required: false, type: "DateTime", description: "Received at or before." }),
        ...staffPageArgs(t.arg, { cursor: "this cursor" }),
      },
      resolve: async (_r, args, ctx) => {
        const shop = await ctx.authorize("reviews:moderate");
        for (const p of args.provenance ?? []) {
          if (!(PROVENANCES as readonly string[]).includes(p)) throw invalidInput("provenance", `one of ${PROVENANCES.join(", ")}`);
        }
        return searchReviews(
          ctx.deps,
          shop.id,
          {
            text: args.text,
            stars: args.stars,
            statuses: args.status as ReviewStatus[] | null | undefined,
            provenances: args.provenance,
            productId: args.productId == null ? null : String(args.productId),
            from: args.from,
            to: args.to,
          },
          pageSize(args.first),
          args.after,
        );
      },
    }),
    shopSettings: t.field({
      nullable: true,
      type: SettingsRef,
      description: "The shop's moderation mode and allowed origins. Needs SHOP_SETTINGS.",
      resolve: async (_r, _a, ctx) => shopSettings(ctx.deps, (await ctx.authorize("shop:settings")).id),
    }),
    shopProducts: t.field({
      nullable: true,
      type: [ProductRef],
      description: "The shop's products by id, a page at a time (pass the last id as `after`). Needs REVIEWS_READ.",
      extensions: { complexity: staffPageCost },
      args: {
        first: staffPageFirst(t.arg),
        after: t.arg.id({ required: false, description: "Continue after this product id." }),
      },
      resolve: async (_r, args, ctx) => {
        const shop = await ctx.authorize("reviews:read");
        return listShopProducts(ctx.deps, shop.id, { first: pageSize(args.first), after: args.after == null ? null : String(args.after) });
      },
    }),
  }));

  builder.objectFields(ProductRef, (t) => ({
    timeline: t.field({
      type: [WeekRef],
      // Needs a scope of its own: a caller without it gets this field's error, not a null product.
      nullable: true,
      extensions: { complexity: listCost(WEEKS_COST) },
      description: "The product's reviews week by week, oldest first, from maintained counters. Needs REVIEWS_MODERATE.",
      resolve: async (p, _a, ctx) => productTimeline(ctx.deps, (await ctx.authorize("reviews:moderate")).id, p.id),
    }),
    discountedReviews: t.field({
      type: [ReviewRef],
      nullable: true,
      extensions: { complexity: pageCost(20) },
      description:
        "The product's most recent published reviews that count less than 0.9 of a full review; `trust.reasons` says why. Needs REVIEWS_MODERATE.",
      args: { first: t.arg.int({ required: false, defaultValue: 20, description: "How many, 1 to 500." }) },
      resolve: async (p, args, ctx) =>
        discountedReviews(ctx.deps, (await ctx.authorize("reviews:moderate")).id, p.id, pageSize(args.first)),
    }),
  }));
}
