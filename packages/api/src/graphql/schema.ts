/**
 * The public GraphQL schema. Every type and field carries a description: the
 * playground is where developers learn the API.
 */
import { GraphQLError, type GraphQLSchema } from "graphql";
import { describeReason, type BurstEvidence, type BurstRecord, type ProductState } from "@starling/scoring";
import type { Product } from "../features/products/products.js";
import { findProducts, putProduct } from "../features/products/products.js";
import type { Rating } from "../features/ratings/ratings.js";
import {
  LIMITS,
  MAX_PAGE_SIZE,
  countReviews,
  listReviews,
  submitReview,
  type Review,
  type ReviewOrder,
} from "../features/reviews/reviews.js";
import type { Shop } from "../features/shops/shops.js";
import {
  SCOPES,
  issueKey,
  listKeys,
  requireScope,
  revokeKey,
  rotateKey,
  scopeName,
  type ApiKeyInfo,
  type KeyKind,
  type Scope,
} from "../features/shops/keys.js";
import { invalidInput, rateLimited } from "../errors.js";
import { listCost } from "./cost.js";
import { createBuilder } from "./builder.js";
import { addModerationSchema } from "../features/moderation/schema.js";
import { addInvitationSchema } from "../features/invitations/schema.js";
import { addPrivacySchema } from "../features/privacy/schema.js";
import type { ReviewStatus } from "../db/models.js";

const MAX_PRODUCTS_PER_REQUEST = 100;

/** What a discount reason code means, for people. */
const REASON_WORDS: Record<string, string> = {
  first_time_reviewer: "first review by the reviewer",
  reviewer_history: "the reviewer's history",
  reviewer_daily_volume: "many reviews by one reviewer in a day",
  extreme_rating: "an extreme rating from a reviewer with little history",
  rating_deviation: "far from the product's consensus",
  burst: "part of a sudden burst of reviews",
  duplicate_text: "text copied from another reviewer",
  verified_purchase: "purchase not verified",
  reviewer_total: "the reviewer's overall activity",
  early_review: "among the product's earliest reviews",
  reviewer_surprise: "the reviewer's unusual rating pattern",
  other: "other signals",
};

interface ReviewConnectionShape {
  edges: { cursor: string; node: Review }[];
  hasNextPage: boolean;
  totalCount: number;
}

export function buildSchema(): GraphQLSchema {
  const builder = createBuilder();

  builder.scalarType("DateTime", {
    description: "A point in time, as an ISO 8601 string in UTC, e.g. 2026-11-27T08:15:00.000Z.",
    serialize: (d) => d.toISOString(),
    parseValue: (v) => {
      const d = typeof v === "string" ? new Date(v) : new Date(Number.NaN);
      if (Number.isNaN(d.getTime())) throw new GraphQLError("DateTime must be an ISO 8601 string");
      return d;
    },
  });

  const ShopRef = builder.objectRef<Shop>("Shop").implement({
    description: "A shop: the tenant that owns products and their reviews. Your API key says which shop you are.",
    fields: (t) => ({
      id: t.exposeID("id", { description: "Starling's id of the shop." }),
      name: t.exposeString("name", { description: "The shop's display name." }),
    }),
  });

  const StarCount = builder.objectRef<{ stars: number; count: number }>("StarCount").implement({
    description: "One bar of the star histogram.",
    fields: (t) => ({
      stars: t.exposeInt("stars", { description: "The star level, 1 to 5." }),
      count: t.exposeInt("count", { description: "How many reviews gave this many stars." }),
    }),
  });

  const Interval = builder.objectRef<{ low: number; high: number; level: number }>("CredibleInterval").implement({
    description: "A Bayesian credible interval: the true average lies between `low` and `high` with probability `level`.",
    fields: (t) => ({
      low: t.exposeFloat("low", { description: "Lower end, in stars." }),
      high: t.exposeFloat("high", { description: "Upper end, in stars." }),
      level: t.exposeFloat("level", { description: "The probability the interval holds, e.g. 0.95." }),
    }),
  });

  const Period = builder.objectRef<{ from: Date; to: Date }>("RatingPeriod").implement({
    description: "A span of time.",
    fields: (t) => ({
      from: t.field({ type: "DateTime", description: "When the oldest counted review was written.", resolve: (p) => p.from }),
      to: t.field({ type: "DateTime", description: "When the newest counted review was written.", resolve: (p) => p.to }),
    }),
  });

  const Prior = builder.objectRef<Rating>("RatingPrior").implement({
    description:
      "What the Bayesian average assumes before a product's own reviews: the shop's own star distribution, worth `strength` reviews.",
    fields: (t) => ({
      mean: t.exposeFloat("priorMean", { description: "The prior's average in stars; what a product with no reviews shows." }),
      strength: t.exposeFloat("priorStrength", { description: "How many reviews the prior counts as (m)." }),
      reviewCount: t.exposeInt("priorReviewCount", {
        description: "How many of the shop's reviews, across all its products, the prior was taken from.",
      }),
    }),
  });

  const DiscountReason = builder.objectRef<{ code: string; count: number }>("DiscountReason").implement({
    description: "One reason reviews were discounted, and how many it was the main reason for.",
    fields: (t) => ({
      code: t.exposeString("code", {
        description:
          "first_time_reviewer, reviewer_daily_volume, extreme_rating, rating_deviation, burst, duplicate_text, verified_purchase, …",
      }),
      count: t.exposeInt("count", { description: "Reviews discounted mainly for this reason." }),
      description: t.string({ description: "The reason in words.", resolve: (d) => REASON_WORDS[d.code] ?? d.code }),
    }),
  });

  const Discounted = builder.objectRef<Rating>("DiscountedReviews").implement({
    description: "Reviews counted with a trust weight below 0.9. None is deleted: each counts less, in proportion to its trust.",
    fields: (t) => ({
      count: t.exposeInt("discountedCount", { description: "How many reviews count less than 0.9 of a full review." }),
      reasons: t.field({
        type: [DiscountReason],
        extensions: { complexity: listCost(Object.keys(REASON_WORDS).length) },
        description: "By the reason that weighed most, most frequent first.",
        resolve: (r) =>
          Object.entries(r.discountReasons)
            .map(([code, count]) => ({ code, count }))
            .sort((a, b) => b.count - a.count || a.code.localeCompare(b.code)),
      }),
    }),
  });

  const RatingRef = builder.objectRef<Rating>("Rating").implement({
    description:
      "A product's rating summary. `average` is a Bayesian average: the shop's own star distribution is the prior " +
      "(worth `prior.strength` reviews), updated by the product's reviews, so three lucky 5-star reviews do not show 5.0. " +
      "Precomputed on every write; reading it never scans reviews.",
    fields: (t) => ({
      count: t.exposeInt("count", { description: "Number of reviews." }),
      average: t.exposeFloat("mean", { description: "The Bayesian average in stars (1-5): the number to display." }),
      credibleInterval: t.field({
        type: Interval,
        description: "95% credible interval of the average: narrow with many reviews, wide with few.",
        resolve: (r) => ({ low: r.interval[0], high: r.interval[1], level: 0.95 }),
      }),
      rankingScore: t.exposeFloat("lowerBound", {
        description:
          "One-sided 95% lower bound of the average: sort product lists by this, so a product with two 5-star reviews does not outrank one with 500 reviews at 4.8.",
      }),
      plainMean: t.exposeFloat("plainMean", {
        nullable: true,
        description: "The plain arithmetic mean of the stars, for reference; null without reviews.",
      }),
      histogram: t.field({
        type: [StarCount],
        extensions: { complexity: listCost(5) },
        description: "Reviews per star level, from 5 stars down to 1.",
        resolve: (r) => [5, 4, 3, 2, 1].map((stars) => ({ stars, count: r.histogram[stars - 1]! })),
      }),
      prior: t.field({ type: Prior, description: "The prior the average starts from.", resolve: (r) => r }),
      effectiveCount: t.exposeFloat("effectiveCount", {
        description:
          "How many full-weight reviews the evidence is worth (Kish's effective sample size of the trust weights); the interval's width follows it.",
      }),
      discounted: t.field({
        type: Discounted,
        description: "Reviews that count less because fraud checks found them suspicious, and why: for the \"how is this computed\" disclosure.",
        resolve: (r) => r,
      }),
      period: t.field({
        type: Period,
        nullable: true,
        description:
          "The period the counted reviews were written in; show it next to an advertised average (a German court, BGH I ZR 143/23, requires it). Null without reviews.",
        resolve: (r) => r.period,
      }),
    }),
  });

  const Reviewer = builder.objectRef<Review["reviewer"]>("Reviewer").implement({
    description: "Who wrote a review, as shown publicly.",
    fields: (t) => ({
      name: t.exposeString("name", { description: "The reviewer's display name." }),
    }),
  });

  const ProvenanceEnum = builder.enumType("Provenance", {
    description:
      "How a review reached the shop, shown next to it: EU consumer law requires shops to say whether and how they check that reviews come from real buyers.",
    values: {
      VERIFIED_PURCHASE: { description: "Written through a single-use invitation tied to an order: the reviewer bought the product." },
      INVITED: { description: "The shop invited the customer (e.g. by email), without Starling checking the purchase." },
      ORGANIC: { description: "Written by anyone, unprompted, e.g. in the review form on the product page." },
      IMPORTED: { description: "Brought over from another platform or an earlier system by the shop." },
    } as const,
  });

  const ReviewStatusEnum = builder.enumType("ReviewStatus", {
    description: "Where a review stands. Only PUBLISHED reviews count in ratings and show publicly.",
    values: {
      PUBLISHED: { value: "published", description: "Shown and counted." },
      PENDING: { value: "pending", description: "Waiting for the shop's approval (shops that pre-moderate)." },
      REJECTED: { value: "rejected", description: "Removed by the shop for a stated reason; kept, and can be reinstated on appeal." },
      QUARANTINED: { value: "quarantined", description: "Held back by fraud checks with their reasons; kept, and can be reinstated on appeal." },
    } as const,
  });

  const ReplyRef = builder.objectRef<{ body: string; at: Date }>("ShopReply").implement({
    description: "The shop's public answer to a review.",
    fields: (t) => ({
      body: t.exposeString("body", { description: "The reply's text." }),
      createdAt: t.field({ type: "DateTime", description: "When the shop replied.", resolve: (r) => r.at }),
    }),
  });

  const TrustReasonRef = builder.objectRef<{ code: string; text: string; weight?: unknown }>("TrustReason").implement({
    description: "One thing the fraud checks saw, with its numbers in words.",
    fields: (t) => ({
      code: t.exposeString("code", { description: "The signal." }),
      text: t.exposeString("text", { description: "A sentence for humans, with the numbers." }),
      weight: t.float({
        description: "How much it raised (positive) or lowered (negative) the suspicion.",
        resolve: (r) => (typeof r.weight === "number" ? r.weight : 0),
      }),
    }),
  });

  const TrustRef = builder.objectRef<NonNullable<Review["score"]>>("Trust").implement({
    description: "The fraud checks' verdict on a review.",
    fields: (t) => ({
      suspicion: t.exposeFloat("suspicion", { description: "0 (nothing suspicious) to 1." }),
      weight: t.float({ description: "The weight it counts with in the rating, 0.05 to 1.", resolve: (s) => s.trustWeightBp / 10_000 }),
      reasons: t.field({ type: [TrustReasonRef], extensions: { complexity: listCost(Object.keys(REASON_WORDS).length) }, description: "What raised or lowered the suspicion.", resolve: (s) => s.reasons }),
      scoredBy: t.string({ description: '"write" (as it arrived) or "batch" (re-scored with hindsight).', resolve: (s) => s.by }),
    }),
  });

  const VerificationRef = builder.objectRef<{ method: "invitation" }>("Verification").implement({
    description: "Evidence that a review comes from a buyer.",
    fields: (t) => ({
      method: t.string({
        description:
          'How: "invitation" — written through a single-use, signed invitation that the shop made for an order line of this product.',
        resolve: (v) => v.method,
      }),
    }),
  });

  const ReviewRef = builder.objectRef<Review>("Review").implement({
    description: "A customer's review of a product. Text is stored exactly as written: escape it when you render it.",
    fields: (t) => ({
      id: t.exposeID("id", { description: "Starling's id of the review." }),
      productId: t.exposeID("productId", { description: "The shop's id of the reviewed product." }),
      rating: t.exposeInt("rating", { description: "Stars given, 1 to 5." }),
      title: t.exposeString("title", { description: "The review's headline." }),
      body: t.exposeString("body", { description: "The review's text." }),
      reviewer: t.field({ type: Reviewer, description: "Who wrote it.", resolve: (r) => r.reviewer }),
      language: t.exposeString("language", {
        nullable: true,
        description: "BCP 47 language tag of the text, if the shop sent one.",
      }),
      provenance: t.field({
        type: ProvenanceEnum,
        description: "How the review reached the shop (verified purchase, invited, organic, imported).",
        resolve: (r) => r.provenance,
      }),
      createdAt: t.field({ type: "DateTime", description: "When Starling received it.", resolve: (r) => r.createdAt }),
      status: t.field({ type: ReviewStatusEnum, description: "Whether it is published, and if not, why.", resolve: (r) => r.status }),
      trust: t.field({
        type: TrustRef,
        nullable: true,
        description:
          "What the fraud checks made of this review: for moderators (REVIEWS_MODERATE); null for other keys, and before it was scored.",
        resolve: async (r, _a, ctx) => ((await ctx.caller()).scopes.has("reviews:moderate") ? (r.score ?? null) : null),
      }),
      verification: t.field({
        type: VerificationRef,
        nullable: true,
        description: "How Starling verified that the reviewer bought the product; null when it did not.",
        resolve: (r) => r.verification,
      }),
      reply: t.field({
        type: ReplyRef,
        nullable: true,
        description: "The shop's public reply, if any.",
        resolve: (r) => r.reply,
      }),
    }),
  });

  const ReviewEdge = builder.objectRef<{ cursor: string; node: Review }>("ReviewEdge").implement({
    description: "A review and its cursor.",
    fields: (t) => ({
      cursor: t.exposeString("cursor", { description: "Pass as `after` to get the reviews that follow this one." }),
      node: t.field({ type: ReviewRef, description: "The review.", resolve: (e) => e.node }),
    }),
  });

  const PageInfo = builder.objectRef<ReviewConnectionShape>("PageInfo").implement({
    description: "Where a page stands in the whole list (Relay cursor connections).",
    fields: (t) => ({
      hasNextPage: t.exposeBoolean("hasNextPage", { description: "Whether more reviews follow this page." }),
      endCursor: t.string({
        nullable: true,
        description: "The cursor of this page's last review, to ask for the next page; null on an empty page.",
        resolve: (c) => c.edges.at(-1)?.cursor ?? null,
      }),
    }),
  });

  const ReviewConnection = builder.objectRef<ReviewConnectionShape>("ReviewConnection").implement({
    description: "One page of a product's reviews.",
    fields: (t) => ({
      edges: t.field({ type: [ReviewEdge], description: "The reviews on this page, in order.", resolve: (c) => c.edges }),
      pageInfo: t.field({ type: PageInfo, description: "Pagination state.", resolve: (c) => c }),
      totalCount: t.exposeInt("totalCount", {
        description: "How many reviews match the filter in all pages (from the precomputed histogram).",
      }),
    }),
  });

  const ReviewOrderEnum = builder.enumType("ReviewOrder", {
    description: "How to order reviews.",
    values: {
      NEWEST: { description: "Most recent first." },
      HIGHEST: { description: "Most stars first, newest first among equals." },
      LOWEST: { description: "Fewest stars first, newest first among equals." },
    } as const,
  });

  const EvidenceRef = builder.objectRef<BurstEvidence>("BurstEvidence").implement({
    description: "What a burst detector saw.",
    fields: (t) => ({
      detector: t.exposeString("detector", { description: '"scan" (windowed Poisson surprise) or "cusum" (slower, sustained campaigns).' }),
      stream: t.exposeString("stream", {
        description: '"all" arrivals, or only "first_time_5_star" / "first_time_1_star" reviews from first-time reviewers.',
      }),
      windowStart: t.field({ type: "DateTime", description: "Start of the window.", resolve: (e) => new Date(e.windowStartMs) }),
      windowEnd: t.field({ type: "DateTime", description: "End of the window.", resolve: (e) => new Date(e.windowEndMs) }),
      count: t.exposeInt("count", { description: "Arrivals of the stream in the window." }),
      baselineRatePerDay: t.exposeFloat("baselineRatePerDay", { description: "The product's usual rate for the stream, per day." }),
      expectedCount: t.exposeFloat("expectedCount", { description: "Arrivals the baseline expects in the window." }),
      surprise: t.exposeFloat("surprise", { description: "−log10 P(count or more | expected) for a scan; the CUSUM statistic for cusum." }),
      firstTimerShare: t.exposeFloat("firstTimerShare", { description: "Share of the window's arrivals from first-time reviewers." }),
      description: t.string({ description: "The evidence in words.", resolve: (e) => describeReason({ code: "burst", weight: 0, burst: e }) }),
    }),
  });

  const BurstRef = builder.objectRef<BurstRecord>("Burst").implement({
    description: "A window in which reviews arrived much faster than the product's own baseline.",
    fields: (t) => ({
      start: t.field({ type: "DateTime", description: "When it started.", resolve: (b) => new Date(b.startMs) }),
      end: t.field({ type: "DateTime", description: "When it ended (so far).", resolve: (b) => new Date(b.endMs) }),
      evidence: t.field({ type: [EvidenceRef], extensions: { complexity: listCost(6) }, description: "What the detectors saw.", resolve: (b) => b.evidence }),
    }),
  });

  const ProductRef = builder.objectRef<Product>("Product").implement({
    description: "A product of the shop, identified by the shop's own id (e.g. its SKU).",
    fields: (t) => ({
      id: t.exposeID("id", { description: "The shop's id of the product." }),
      name: t.exposeString("name", { description: "The product's name." }),
      rating: t.field({
        type: RatingRef,
        description: "The product's rating summary.",
        resolve: (p, _args, ctx) => ctx.ratings.load(p.id),
      }),
      bursts: t.field({
        type: [BurstRef],
        extensions: { complexity: listCost(10) },
        description:
          "Recent bursts of reviews the fraud checks flagged on this product (up to 10, newest last), each with its evidence. Reviews in a burst count less.",
        resolve: async (p, _a, ctx) => {
          const shop = await ctx.authorize("reviews:read");
          const doc = await ctx.deps.models.ScoringState.findById(`product:${shop.id}:${p.id}`).lean();
          return ((doc?.state as ProductState | undefined)?.arrival.bursts ?? []).map((b) => ({ ...b }));
        },
      }),
      reviews: t.field({
        type: ReviewConnection,
        // A page of `first` reviews: the connection's fields count once per review.
        extensions: { complexity: listCost((a) => (typeof a.first === "number" ? a.first : 20)) },
        description: "The product's reviews, a page at a time.",
        args: {
          first: t.arg.int({ defaultValue: 20, description: `Page size, 1 to ${MAX_PAGE_SIZE}.` }),
          after: t.arg.string({ description: "Continue after this cursor (a previous page's `pageInfo.endCursor`)." }),
          orderBy: t.arg({ type: ReviewOrderEnum, defaultValue: "NEWEST", description: "Order of the reviews." }),
          stars: t.arg.intList({ description: "Only reviews with these star ratings, e.g. [1, 2]." }),
          status: t.arg({
            type: [ReviewStatusEnum],
            description: "Reviews in these states (default: PUBLISHED). Anything but PUBLISHED needs the REVIEWS_MODERATE scope.",
          }),
        },
        resolve: async (p, args, ctx) => {
          // An empty filter would match nothing: say so rather than answer an empty page.
          if (args.stars?.length === 0) throw invalidInput("stars", "give at least one star rating from 1 to 5, or leave stars out for all");
          const statuses = (args.status ?? ["published"]) as ReviewStatus[];
          const publishedOnly = statuses.every((s) => s === "published");
          const shop = await ctx.authorize(publishedOnly ? "reviews:read" : "reviews:moderate");
          const orderBy = args.orderBy as ReviewOrder;
          const page = await listReviews(ctx.deps, shop.id, p.id, {
            first: args.first ?? 20,
            after: args.after,
            orderBy,
            stars: args.stars,
            statuses,
          });
          const stars = args.stars ? new Set(args.stars) : null;
          // Published counts come from the precomputed histogram; other states
          // are a moderator's view, rare enough to count.
          const totalCount = publishedOnly
            ? (await ctx.ratings.load(p.id)).histogram.reduce((sum, n, i) => (stars && !stars.has(i + 1) ? sum : sum + n), 0)
            : await countReviews(ctx.deps, shop.id, p.id, statuses, args.stars);
          return {
            edges: page.reviews.map((node, i) => ({ node, cursor: page.cursors[i]! })),
            hasNextPage: page.hasNextPage,
            totalCount,
          };
        },
      }),
    }),
  });

  const KeyKindEnum = builder.enumType("ApiKeyKind", {
    description: "What kind of key: where it may be kept decides what it may do.",
    values: {
      PUBLISHABLE: { value: "publishable", description: "May sit in a web page: reads, and the customer review form." },
      SECRET: { value: "secret", description: "Stays on the shop's server: writes and key management." },
    } as const,
  });

  const ScopeEnum = builder.enumType("ApiKeyScope", {
    description: "One permission a key can hold.",
    values: Object.fromEntries(
      Object.entries(SCOPES).map(([scope, description]) => [scopeName(scope as Scope), { value: scope, description }]),
    ) as Record<string, { value: Scope; description: string }>,
  });

  const ApiKeyRef = builder.objectRef<ApiKeyInfo>("ApiKey").implement({
    description: "One of the shop's API keys. The key itself is shown only once, when it is made.",
    fields: (t) => ({
      id: t.exposeID("id", { description: "The key's public id, to rotate or revoke it." }),
      kind: t.field({ type: KeyKindEnum, description: "Publishable or secret.", resolve: (k) => k.kind }),
      label: t.exposeString("label", { nullable: true, description: "Your note about what the key is for." }),
      scopes: t.field({ type: [ScopeEnum], description: "What the key may do.", resolve: (k) => [...k.scopes] }),
      prefix: t.exposeString("prefix", { description: "The key's first characters, to recognise it." }),
      createdAt: t.field({ type: "DateTime", description: "When it was made.", resolve: (k) => k.createdAt }),
      revokedAt: t.field({
        type: "DateTime",
        nullable: true,
        description: "When it was revoked (it no longer works); null while active.",
        resolve: (k) => k.revokedAt,
      }),
    }),
  });

  const NewApiKey = builder.objectRef<{ key: string; info: ApiKeyInfo }>("NewApiKey").implement({
    description: "A key just made: keep `key` now, Starling stores only its hash and cannot show it again.",
    fields: (t) => ({
      key: t.exposeString("key", { description: "The key itself, for `Authorization: Bearer <key>`." }),
      apiKey: t.field({ type: ApiKeyRef, description: "Its details.", resolve: (k) => k.info }),
    }),
  });

  builder.queryType({
    description: "Reads. Every query needs `Authorization: Bearer <key>`: a publishable key is enough for products, ratings and reviews.",
    fields: (t) => ({
      apiKeys: t.field({
        type: [ApiKeyRef],
        description: "Your shop's API keys, active and revoked. Needs the KEYS_MANAGE scope.",
        resolve: async (_r, _a, ctx) => listKeys(ctx.deps, (await ctx.authorize("keys:manage")).id),
      }),
      shop: t.field({ type: ShopRef, description: "The shop your API key belongs to.", resolve: async (_r, _a, ctx) => (await ctx.caller()).shop }),
      product: t.field({
        type: ProductRef,
        nullable: true,
        description: "One of your shop's products by its id; null if there is none.",
        args: { id: t.arg.id({ required: true, description: "The shop's id of the product." }) },
        resolve: async (_r, args, ctx) =>
          (await findProducts(ctx.deps, (await ctx.authorize("reviews:read")).id, [String(args.id)]))[0] ?? null,
      }),
      products: t.field({
        type: [ProductRef],
        extensions: { complexity: listCost((a) => (Array.isArray(a.ids) ? a.ids.length : 1)) },
        nullable: { list: false, items: true },
        description: `Several products at once, in the order asked (null where there is none): a listing page's ratings in one request. At most ${MAX_PRODUCTS_PER_REQUEST} ids.`,
        args: { ids: t.arg.idList({ required: true, description: "The shop's ids of the products." }) },
        resolve: async (_r, args, ctx) => {
          if (args.ids.length > MAX_PRODUCTS_PER_REQUEST) {
            throw invalidInput("ids", `at most ${MAX_PRODUCTS_PER_REQUEST} ids per request (got ${args.ids.length})`);
          }
          return findProducts(ctx.deps, (await ctx.authorize("reviews:read")).id, args.ids.map(String));
        },
      }),
    }),
  });

  const PutProductInput = builder.inputType("PutProductInput", {
    description: "A product to create, or to rename if it exists.",
    fields: (t) => ({
      id: t.id({ required: true, description: "The shop's id of the product (e.g. its SKU): letters, digits and . _ : / # @ + -." }),
      name: t.string({ required: true, description: "The product's name." }),
    }),
  });

  const ReviewerInput = builder.inputType("ReviewerInput", {
    description: "Who wrote the review.",
    fields: (t) => ({
      name: t.string({ required: true, description: `Display name, up to ${LIMITS.reviewerName} characters.` }),
      externalId: t.string({
        description: "The shop's own id of the customer; never shown publicly, used to recognise repeat reviewers.",
      }),
    }),
  });

  const SubmitReviewInput = builder.inputType("SubmitReviewInput", {
    description: "A new review.",
    fields: (t) => ({
      productId: t.id({ required: true, description: "The shop's id of the reviewed product; it must exist (see putProduct)." }),
      rating: t.int({ required: true, description: "Stars, a whole number from 1 to 5." }),
      title: t.string({ required: true, description: `Headline, 1 to ${LIMITS.title} characters.` }),
      body: t.string({ required: true, description: `Text, 1 to ${LIMITS.body} characters.` }),
      reviewer: t.field({ type: ReviewerInput, required: true, description: "Who wrote it." }),
      language: t.string({ description: 'BCP 47 language tag of the text, e.g. "en" or "de-CH".' }),
      provenance: t.field({
        type: ProvenanceEnum,
        description:
          "How the review reached you; defaults to ORGANIC. INVITED and IMPORTED need a secret key; VERIFIED_PURCHASE comes only from a purchase invitation.",
      }),
      invitationToken: t.string({
        description:
          "The token of a purchase invitation (createInvitation): the review is marked VERIFIED_PURCHASE and the invitation is used up. It must be for this product and unexpired. With it, idempotencyKey is not needed: the invitation is the key.",
      }),
      idempotencyKey: t.string({
        description:
          "Any unique string you make once per review and send again on every retry of it: a retry then returns the first review instead of storing a second. Reusing a key for a different review fails with IDEMPOTENCY_KEY_REUSED.",
      }),
    }),
  });

  const SubmitReviewPayload = builder
    .objectRef<{ review: Review; replayed: boolean }>("SubmitReviewPayload")
    .implement({
      description: "The stored review.",
      fields: (t) => ({
        review: t.field({ type: ReviewRef, description: "The review as stored.", resolve: (p) => p.review }),
        replayed: t.exposeBoolean("replayed", {
          description: "True when this idempotency key had been used before: nothing new was stored.",
        }),
        product: t.field({
          type: ProductRef,
          description: "The reviewed product, to read its updated rating in the same round trip.",
          resolve: async (p, _a, ctx) => (await findProducts(ctx.deps, p.review.shopId, [p.review.productId]))[0]!,
        }),
      }),
    });

  const CreateApiKeyInput = builder.inputType("CreateApiKeyInput", {
    description: "A new API key.",
    fields: (t) => ({
      kind: t.field({ type: KeyKindEnum, required: true, description: "Publishable (for web pages) or secret (for servers)." }),
      label: t.string({ description: "A note about what the key is for, up to 100 characters." }),
      scopes: t.field({
        type: [ScopeEnum],
        description: "What it may do; defaults to everything its kind may hold. A publishable key holds at most REVIEWS_READ and FORM_SUBMIT.",
      }),
    }),
  });

  builder.mutationType({
    description: "Writes. Mutations need a key with the scope each one names.",
    fields: (t) => ({
      createApiKey: t.field({
        type: NewApiKey,
        description: "Makes a new key for your shop. Needs KEYS_MANAGE.",
        args: { input: t.arg({ type: CreateApiKeyInput, required: true, description: "The key to make." }) },
        resolve: async (_r, { input }, ctx) =>
          issueKey(ctx.deps, (await ctx.authorize("keys:manage")).id, {
            kind: input.kind as KeyKind,
            label: input.label,
            scopes: input.scopes as Scope[] | null | undefined,
          }),
      }),
      rotateApiKey: t.field({
        type: NewApiKey,
        description: "Replaces a key with a new one of the same kind, label and scopes; the old key stops working at once. Needs KEYS_MANAGE.",
        args: { id: t.arg.id({ required: true, description: "The id of the key to replace." }) },
        resolve: async (_r, { id }, ctx) => rotateKey(ctx.deps, (await ctx.authorize("keys:manage")).id, String(id)),
      }),
      revokeApiKey: t.field({
        type: ApiKeyRef,
        description:
          "Stops a key from working, for good. The shop's last working key with KEYS_MANAGE cannot be revoked (LAST_KEY): make another first, or rotate it. Needs KEYS_MANAGE.",
        args: { id: t.arg.id({ required: true, description: "The id of the key to revoke." }) },
        resolve: async (_r, { id }, ctx) => revokeKey(ctx.deps, (await ctx.authorize("keys:manage")).id, String(id)),
      }),
      putProduct: t.field({
        type: ProductRef,
        description: "Creates a product, or renames it if your shop already has one with this id. Needs PRODUCTS_WRITE.",
        args: { input: t.arg({ type: PutProductInput, required: true, description: "The product." }) },
        resolve: async (_r, { input }, ctx) =>
          putProduct(ctx.deps, (await ctx.authorize("products:write")).id, { id: String(input.id), name: input.name }),
      }),
      submitReview: t.field({
        type: SubmitReviewPayload,
        description:
          "Stores a review and updates the product's rating. Needs REVIEWS_WRITE (secret key) or FORM_SUBMIT (publishable key, for the customer form). Safe to retry with the same idempotencyKey. Errors carry extensions.code: UNAUTHENTICATED, FORBIDDEN, INVALID_INPUT (with extensions.field), PRODUCT_NOT_FOUND, IDEMPOTENCY_KEY_REUSED, RATE_LIMITED, INVALID_INVITATION, INVITATION_EXPIRED or INVITATION_USED.",
        args: { input: t.arg({ type: SubmitReviewInput, required: true, description: "The review." }) },
        resolve: async (_r, { input }, ctx) => {
          const caller = await ctx.caller();
          const shop = requireScope(caller, ["reviews:write", "form:submit"]);
          // A key that may sit in a web page speaks for a customer, not for the
          // shop: it cannot vouch for who the customer is or where a review came from.
          const viaForm = !caller.scopes.has("reviews:write");
          if (viaForm && input.reviewer.externalId != null) {
            throw invalidInput("reviewer.externalId", "only a secret key may link a review to the shop's customer id");
          }
          if (viaForm && input.provenance != null && input.provenance !== "ORGANIC") {
            throw invalidInput("provenance", "reviews through the customer form are ORGANIC (or verified through an invitation)");
          }
          return submitReview(
            ctx.deps,
            shop.id,
            {
              ...input,
              productId: String(input.productId),
              reviewer: { name: input.reviewer.name, externalId: input.reviewer.externalId },
              provenance: input.provenance ?? "ORGANIC",
              source: viaForm ? "form" : "api",
            },
            {
              // Counted only for valid submissions, so a customer fixing a
              // field error in the form does not use up their allowance.
              beforeStore: async (review) => {
                // Over the request limit (server.ts): a retry was answered already; a new review waits.
                if (ctx.refusal) throw rateLimited(ctx.refusal);
                // A form reviewer is known only by address and name; the
                // shop's server vouches for its customer ids, and its
                // submissions without one (imports) are not one reviewer's.
                const reviewer =
                  review.reviewer.externalId ?? (viaForm ? `form:${ctx.ip}:${review.reviewer.name.toLowerCase()}` : null);
                const refusal =
                  (viaForm ? await ctx.rateLimits.formSubmission(ctx.ip, shop.id) : null) ??
                  (reviewer ? await ctx.rateLimits.reviewer(shop.id, reviewer) : null);
                if (refusal) throw rateLimited(refusal);
              },
            },
          );
        },
      }),
    }),
  });

  addModerationSchema(builder, { ReviewRef, ReviewStatusEnum });
  addInvitationSchema(builder);
  addPrivacySchema(builder);

  return builder.toSchema();
}
