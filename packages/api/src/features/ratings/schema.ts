/** Ratings in the schema: the Rating summary and its parts, and Product.rating. */
import type { ObjectRef } from "@pothos/core";
import type { ReasonCode } from "@starling/scoring";
import { type Builder, expose, scalar, type Types } from "../../graphql/builder.js";
import { listCost } from "../../graphql/cost.js";
import type { Product } from "../products/products.js";
import { REASON_WORDS } from "../scoring/schema.js";
import type { Rating } from "./ratings.js";

export function addRatingSchema(builder: Builder, { ProductRef }: { ProductRef: ObjectRef<Types, Product> }): void {
  const StarCount = builder.objectRef<{ stars: number; count: number }>("StarCount").implement({
    description: "One bar of the star histogram.",
    fields: (t) =>
      expose(t, {
        stars: scalar.Int("The star level, 1 to 5."),
        count: scalar.Int("How many reviews gave this many stars."),
      }),
  });

  const Interval = builder.objectRef<{ low: number; high: number; level: number }>("CredibleInterval").implement({
    description: "A Bayesian credible interval: the true average lies between `low` and `high` with probability `level`.",
    fields: (t) =>
      expose(t, {
        low: scalar.Float("Lower end, in stars."),
        high: scalar.Float("Upper end, in stars."),
        level: scalar.Float("The probability the interval holds, e.g. 0.95."),
      }),
  });

  const Period = builder.objectRef<{ from: Date; to: Date }>("RatingPeriod").implement({
    description: "A span of time.",
    fields: (t) =>
      expose(t, {
        from: scalar.DateTime("When the oldest counted review was written."),
        to: scalar.DateTime("When the newest counted review was written."),
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
    fields: (t) =>
      expose(
        t,
        {
          code: scalar.String(
            "first_time_reviewer, reviewer_daily_volume, extreme_rating, rating_deviation, burst, duplicate_text, verified_purchase, …",
          ),
          count: scalar.Int("Reviews discounted mainly for this reason."),
        },
        {
          description: t.string({ description: "The reason in words.", resolve: (d) => REASON_WORDS[d.code as ReasonCode] ?? d.code }),
        },
      ),
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
        description:
          'Reviews that count less because fraud checks found them suspicious, and why: for the "how is this computed" disclosure.',
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

  builder.objectFields(ProductRef, (t) => ({
    rating: t.field({
      type: RatingRef,
      description: "The product's rating summary.",
      resolve: (p, _args, ctx) => ctx.ratings.load(p.id),
    }),
  }));
}
