/** Scoring in the schema: a review's trust verdict, and the bursts flagged on a product (Product.bursts). */
import type { ObjectRef } from "@pothos/core";
import { type UNEXPLAINED_DISCOUNT, describeReason, type ReasonCode, type BurstEvidence, type BurstRecord } from "@starling/scoring";
import { productBursts } from "./bursts.js";
import { type Builder, expose, scalar, type Types } from "../../graphql/builder.js";
import { listCost } from "../../graphql/cost.js";
import type { Product } from "../products/products.js";
import type { Review } from "../reviews/review.js";

/** What a discount reason code means, for people. */
// Every code the scorer can give has its words (a missing one fails type-checking), and so has the fallback.
export const REASON_WORDS: Record<ReasonCode | typeof UNEXPLAINED_DISCOUNT, string> = {
  first_time_reviewer: "first review by the reviewer",
  reviewer_history: "the reviewer's history",
  history_pattern: "a reviewer history that looks like a campaign",
  flagged_history: "earlier reviews by the reviewer were flagged",
  campaign: "part of a slow campaign of reviews",
  co_review: "a group of accounts reviewing the same products together",
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

export function addScoringSchema(
  builder: Builder,
  { ProductRef }: { ProductRef: ObjectRef<Types, Product> },
): { TrustRef: ObjectRef<Types, NonNullable<Review["score"]>> } {
  const TrustReasonRef = builder.objectRef<{ code: string; text: string; weight?: unknown }>("TrustReason").implement({
    description: "One thing the fraud checks saw, with its numbers in words.",
    fields: (t) =>
      expose(
        t,
        {
          code: scalar.String("The signal."),
          text: scalar.String("A sentence for humans, with the numbers."),
        },
        {
          weight: t.float({
            description: "How much it raised (positive) or lowered (negative) the suspicion.",
            resolve: (r) => (typeof r.weight === "number" ? r.weight : 0),
          }),
        },
      ),
  });

  const TrustRef = builder.objectRef<NonNullable<Review["score"]>>("Trust").implement({
    description: "The fraud checks' verdict on a review.",
    fields: (t) => ({
      suspicion: t.exposeFloat("suspicion", { description: "0 (nothing suspicious) to 1." }),
      weight: t.float({ description: "The weight it counts with in the rating, 0.05 to 1.", resolve: (s) => s.trustWeightBp / 10_000 }),
      reasons: t.field({
        type: [TrustReasonRef],
        extensions: { complexity: listCost(Object.keys(REASON_WORDS).length) },
        description: "What raised or lowered the suspicion.",
        resolve: (s) => s.reasons,
      }),
      scoredBy: t.string({ description: '"write" (as it arrived) or "batch" (re-scored with hindsight).', resolve: (s) => s.by }),
    }),
  });

  const EvidenceRef = builder.objectRef<BurstEvidence>("BurstEvidence").implement({
    description: "What a burst detector saw.",
    fields: (t) =>
      expose(
        t,
        {
          detector: scalar.String('"scan" (windowed Poisson surprise) or "cusum" (slower, sustained campaigns).'),
          stream: scalar.String('"all" arrivals, or only "first_time_5_star" / "first_time_1_star" reviews from first-time reviewers.'),
        },
        {
          windowStart: t.field({ type: "DateTime", description: "Start of the window.", resolve: (e) => new Date(e.windowStartMs) }),
          windowEnd: t.field({ type: "DateTime", description: "End of the window.", resolve: (e) => new Date(e.windowEndMs) }),
          ...expose(t, {
            count: scalar.Int("Arrivals of the stream in the window."),
            baselineRatePerDay: scalar.Float("The product's usual rate for the stream, per day."),
            expectedCount: scalar.Float("Arrivals the baseline expects in the window."),
            surprise: scalar.Float("−log10 P(count or more | expected) for a scan; the CUSUM statistic for cusum."),
            firstTimerShare: scalar.Float("Share of the window's arrivals from first-time reviewers."),
          }),
          description: t.string({
            description: "The evidence in words.",
            resolve: (e) => describeReason({ code: "burst", weight: 0, burst: e }),
          }),
        },
      ),
  });

  const BurstRef = builder.objectRef<BurstRecord>("Burst").implement({
    description: "A window in which reviews arrived much faster than the product's own baseline.",
    fields: (t) => ({
      start: t.field({ type: "DateTime", description: "When it started.", resolve: (b) => new Date(b.startMs) }),
      end: t.field({ type: "DateTime", description: "When it ended (so far).", resolve: (b) => new Date(b.endMs) }),
      evidence: t.field({
        type: [EvidenceRef],
        extensions: { complexity: listCost(6) },
        description: "What the detectors saw.",
        resolve: (b) => b.evidence,
      }),
    }),
  });

  builder.objectFields(ProductRef, (t) => ({
    bursts: t.field({
      type: [BurstRef],
      // Checks the key's scope itself (a Product also arrives in a review's submission payload).
      nullable: true,
      extensions: { complexity: listCost(10) },
      description:
        "Recent bursts of reviews the fraud checks flagged on this product (up to 10, newest last), each with its evidence. Reviews in a burst count less.",
      resolve: async (p, _a, ctx) => productBursts(ctx.deps, (await ctx.authorize("reviews:read")).id, p.id),
    }),
  }));

  return { TrustRef };
}
