/**
 * Reviews in the schema: the Review type and its parts, a product's pages of
 * reviews (Product.reviews) and submitReview.
 */
import type { EnumRef, ObjectRef } from "@pothos/core";
import type { Builder, Types } from "../../graphql/builder.js";
import { inputFields, required, optional } from "../../graphql/builder.js";
import { authorInput, enumOf, expose, mutationOfInput, ofType, scalar, submissionPayload } from "../../graphql/builder.js";
import { connectionType, type ConnectionShape } from "../../graphql/connection.js";
import { listCost } from "../../graphql/cost.js";
import type { ReviewStatus } from "./model.js";
import { rateLimited } from "../../errors.js";
import type { Product } from "../products/products.js";
import { findProducts } from "../products/products.js";
import type { Review } from "./review.js";
import {
  LIMITS,
  MAX_PAGE_SIZE,
  MAX_REVIEW_IDS,
  countReviews,
  listReviews,
  requireSomeStars,
  submitReview,
  submissionSource,
  type ReviewOrder,
} from "./reviews.js";

interface ReviewConnectionShape extends ConnectionShape<Review> {
  totalCount: number;
}

export function addReviewSchema(
  builder: Builder,
  { ProductRef, TrustRef }: { ProductRef: ObjectRef<Types, Product>; TrustRef: ObjectRef<Types, NonNullable<Review["score"]>> },
): { ReviewRef: ObjectRef<Types, Review>; ReviewStatusEnum: EnumRef<Types, ReviewStatus, ReviewStatus> } {
  const Reviewer = builder.objectRef<Review["reviewer"]>("Reviewer").implement({
    description: "Who wrote a review, as shown publicly.",
    fields: (t) =>
      expose(t, {
        name: scalar.String("The reviewer's display name."),
      }),
  });

  const ProvenanceEnum = enumOf(
    builder,
    "Provenance",
    "How a review reached the shop, shown next to it: EU consumer law requires shops to say whether and how they check that reviews come from real buyers.",
    {
      VERIFIED_PURCHASE: "Written through a single-use invitation tied to an order: the reviewer bought the product.",
      INVITED: "The shop invited the customer (e.g. by email), without Starling checking the purchase.",
      ORGANIC: "Written by anyone, unprompted, e.g. in the review form on the product page.",
      IMPORTED: "Brought over from another platform or an earlier system by the shop.",
    },
  );

  const ReviewStatusEnum = enumOf(
    builder,
    "ReviewStatus",
    "Where a review stands. Only PUBLISHED reviews count in ratings and show publicly.",
    {
      PUBLISHED: "Shown and counted.",
      PENDING: "Waiting for the shop's approval (shops that pre-moderate).",
      REJECTED: "Removed by the shop for a stated reason; kept, and can be reinstated on appeal.",
      QUARANTINED: "Held back by fraud checks with their reasons; kept, and can be reinstated on appeal.",
    },
    "lowercase",
  );

  const ReplyRef = builder.objectRef<{ body: string; at: Date }>("ShopReply").implement({
    description: "The shop's public answer to a review.",
    fields: (t) => ({
      body: t.exposeString("body", { description: "The reply's text." }),
      createdAt: t.field({ type: "DateTime", description: "When the shop replied.", resolve: (r) => r.at }),
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
    fields: (t) =>
      expose(
        t,
        {
          id: scalar.ID("Starling's id of the review."),
          productId: scalar.ID("The shop's id of the reviewed product."),
          rating: scalar.Int("Stars given, 1 to 5."),
          title: scalar.String("The review's headline."),
          body: scalar.String("The review's text."),
          reviewer: ofType(Reviewer, "Who wrote it."),
          language: scalar.String("BCP 47 language tag of the text, if the shop sent one.", { nullable: true }),
          provenance: ofType(ProvenanceEnum, "How the review reached the shop (verified purchase, invited, organic, imported)."),
          createdAt: scalar.DateTime("When Starling received it."),
          status: ofType(ReviewStatusEnum, "Whether it is published, and if not, why."),
        },
        {
          trust: t.field({
            type: TrustRef,
            nullable: true,
            description:
              "What the fraud checks made of this review: for moderators (REVIEWS_MODERATE); null for other keys, and before it was scored.",
            resolve: async (r, _a, ctx) => ((await ctx.caller()).scopes.has("reviews:moderate") ? (r.score ?? null) : null),
          }),
          ...expose(t, {
            verification: ofType(VerificationRef, "How Starling verified that the reviewer bought the product; null when it did not.", {
              nullable: true,
            }),
            reply: ofType(ReplyRef, "The shop's public reply, if any.", { nullable: true }),
          }),
        },
      ),
  });

  const ReviewConnection = connectionType<Review, ReviewConnectionShape>(builder, ReviewRef, {
    item: "review",
    items: "reviews",
    connection: "One page of a product's reviews.",
    edges: "The reviews on this page, in order.",
    pageInfoName: "PageInfo",
    pageInfo: "Where a page stands in the whole list (Relay cursor connections).",
    endCursor: "The cursor of this page's last review, to ask for the next page; null on an empty page.",
  });
  builder.objectFields(ReviewConnection, (t) => ({
    totalCount: t.exposeInt("totalCount", {
      description: "How many reviews match the filter in all pages (from the precomputed histogram).",
    }),
  }));

  const ReviewOrderEnum = enumOf(builder, "ReviewOrder", "How to order reviews.", {
    NEWEST: "Most recent first.",
    HIGHEST: "Most stars first, newest first among equals.",
    LOWEST: "Fewest stars first, newest first among equals.",
    MOST_HELPFUL:
      "Most helpful first: by the lower bound of the Wilson interval on burst-weighted helpful votes (HelpfulVotes.score), newest first among equals. The order moves as votes arrive; a cursor continues after the review it names as it stood then, so a review whose score crossed it between pages may show twice or be passed over.",
  });

  builder.objectFields(ProductRef, (t) => ({
    reviews: t.field({
      type: ReviewConnection,
      // Checks its arguments and scope (a bad cursor, other states than published): a refusal nulls this page, not the product.
      nullable: true,
      // A page of `first` reviews, or of the reviews `ids` names: the connection's fields count once per review.
      extensions: {
        complexity: listCost((a) =>
          Array.isArray(a.ids) ? Math.min(a.ids.length, MAX_REVIEW_IDS) : typeof a.first === "number" ? a.first : 20,
        ),
      },
      description: "The product's reviews, a page at a time.",
      args: {
        first: t.arg.int({ required: false, defaultValue: 20, description: `Page size, 1 to ${MAX_PAGE_SIZE}.` }),
        after: t.arg.string({ required: false, description: "Continue after this cursor (a previous page's `pageInfo.endCursor`)." }),
        orderBy: t.arg({ required: false, type: ReviewOrderEnum, defaultValue: "NEWEST", description: "Order of the reviews." }),
        stars: t.arg.intList({ required: false, description: "Only reviews with these star ratings, e.g. [1, 2]." }),
        ids: t.arg.idList({
          required: false,
          description: `Only the reviews with these ids (at most ${MAX_REVIEW_IDS}), e.g. the reviews an insight's quotes came from, as one page: \`first\` and \`after\` do not apply. An id that is not one of this product's reviews in the states asked is left out.`,
        }),
        status: t.arg({
          required: false,
          type: [ReviewStatusEnum],
          description: "Reviews in these states (default: PUBLISHED). Anything but PUBLISHED needs the REVIEWS_MODERATE scope.",
        }),
      },
      resolve: async (p, args, ctx) => {
        requireSomeStars(args.stars);
        const statuses = (args.status ?? ["published"]) as ReviewStatus[];
        const publishedOnly = statuses.every((s) => s === "published");
        const shop = await ctx.authorize(publishedOnly ? "reviews:read" : "reviews:moderate");
        const orderBy = args.orderBy as ReviewOrder;
        const page = await ctx.readInTurn(() =>
          listReviews(ctx.deps, shop.id, p.id, {
            first: args.first ?? 20,
            after: args.after,
            orderBy,
            stars: args.stars,
            statuses,
            ids: args.ids?.map(String),
          }),
        );
        const stars = args.stars ? new Set(args.stars) : null;
        // Published counts come from the precomputed histogram; other states
        // are a moderator's view, rare enough to count.
        const totalCount = args.ids
          ? page.reviews.length
          : publishedOnly
            ? (await ctx.ratings.load(p.id)).histogram.reduce((sum, n, i) => (stars && !stars.has(i + 1) ? sum : sum + n), 0)
            : await countReviews(ctx.deps, shop.id, p.id, statuses, args.stars);
        return {
          edges: page.reviews.map((node, i) => ({ node, cursor: page.cursors[i]! })),
          hasNextPage: page.hasNextPage,
          totalCount,
        };
      },
    }),
  }));

  const ReviewerInput = authorInput(
    builder,
    "ReviewerInput",
    "Who wrote the review.",
    LIMITS.reviewerName,
    "The shop's own id of the customer; never shown publicly, used to recognise repeat reviewers.",
  );

  const SubmitReviewInput = builder.inputType("SubmitReviewInput", {
    description: "A new review.",
    fields: (t) =>
      inputFields(t, {
        productId: required.ID("The shop's id of the reviewed product; it must exist (see putProduct)."),
        rating: required.Int("Stars, a whole number from 1 to 5."),
        title: required.Text("Headline", LIMITS.title),
        body: required.Text("Text", LIMITS.body),
        reviewer: required.of(ReviewerInput, "Who wrote it."),
        language: optional.String('BCP 47 language tag of the text, e.g. "en" or "de-CH".'),
        provenance: optional.of(
          ProvenanceEnum,
          "How the review reached you; defaults to ORGANIC. INVITED and IMPORTED need a secret key; VERIFIED_PURCHASE comes only from a purchase invitation.",
        ),
        invitationToken: optional.String(
          "The token of a purchase invitation (createInvitation): the review is marked VERIFIED_PURCHASE and the invitation is used up. It must be for this product and unexpired. With it, idempotencyKey is not needed: the invitation is the key.",
        ),
        idempotencyKey: optional.String(
          "Any unique string you make once per review and send again on every retry of it: a retry then returns the first review instead of storing a second. Reusing a key for a different review fails with IDEMPOTENCY_KEY_REUSED.",
        ),
      }),
  });

  const SubmitReviewPayload = submissionPayload(builder, "SubmitReviewPayload", "The stored review.", {
    name: "review",
    type: ReviewRef,
    description: "The review as stored.",
  });
  builder.objectFields(SubmitReviewPayload, (t) => ({
    product: t.field({
      type: ProductRef,
      description: "The reviewed product, to read its updated rating in the same round trip.",
      resolve: async (p, _a, ctx) => (await findProducts(ctx.deps, p.review.shopId, [p.review.productId]))[0]!,
    }),
  }));

  builder.mutationFields((t) => ({
    submitReview: mutationOfInput(t, {
      type: SubmitReviewPayload,
      description:
        "Stores a review and updates the product's rating. Needs REVIEWS_WRITE (secret key) or FORM_SUBMIT (publishable key, for the customer form). Safe to retry with the same idempotencyKey. Errors carry extensions.code: UNAUTHENTICATED, FORBIDDEN, INVALID_INPUT (with extensions.field), PRODUCT_NOT_FOUND, IDEMPOTENCY_KEY_REUSED, RATE_LIMITED, INVALID_INVITATION, INVITATION_EXPIRED or INVITATION_USED.",
      inputType: SubmitReviewInput,
      input: "The review.",
      resolve: async (input, ctx) => {
        const { shop, source } = submissionSource(await ctx.caller(), input);
        const viaForm = source === "form";
        return submitReview(
          ctx.deps,
          shop.id,
          {
            ...input,
            productId: String(input.productId),
            reviewer: { name: input.reviewer.name, externalId: input.reviewer.externalId },
            provenance: input.provenance ?? "ORGANIC",
            source,
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
              const reviewer = review.reviewer.externalId ?? (viaForm ? `form:${ctx.ip}:${review.reviewer.name.toLowerCase()}` : null);
              const refusal =
                (viaForm ? await ctx.rateLimits.formSubmission(ctx.ip, shop.id) : null) ??
                (reviewer ? await ctx.rateLimits.reviewer(shop.id, reviewer) : null);
              if (refusal) throw rateLimited(refusal);
            },
          },
        );
      },
    }),
  }));

  return { ReviewRef, ReviewStatusEnum };
}
