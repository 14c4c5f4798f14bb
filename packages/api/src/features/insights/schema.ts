/** Insights in the schema: Product.insights and Shop.insights (what customers say, over a period). */
import type { ObjectRef } from "@pothos/core";
import type { AspectSummary, Quote } from "@starling/insights/light";
import { type Builder, enumOf, expose, inputFields, ofType, optional, scalar, type Types } from "../../graphql/builder.js";
import { listCost } from "../../graphql/cost.js";
import type { InsightTopicDoc } from "./model.js";
import type { Product } from "../products/products.js";
import type { Shop } from "../shops/shops.js";
import { MAX_ASPECTS, QUOTES_PER_ASPECT, productInsights, shopInsights, type Insights } from "./insights.js";

/** Topics listed at most (a product rarely has more than a few at once). */
const MAX_TOPICS = 20;

export function addInsightsSchema(
  builder: Builder,
  { ProductRef, ShopRef }: { ProductRef: ObjectRef<Types, Product>; ShopRef: ObjectRef<Types, Shop> },
): void {
  const DirectionEnum = enumOf(
    builder,
    "InsightDirection",
    "Whether an aspect is talked about more or less: the share of reviews mentioning it in the period's second half against its first, beyond chance (two-proportion z-test at 5%).",
    {
      RISING: "Mentioned by a larger share of reviews lately.",
      FALLING: "Mentioned by a smaller share of reviews lately.",
      STEADY: "No change beyond chance.",
    },
    "lowercase",
  );
  const TopicDirectionEnum = enumOf(
    builder,
    "TopicDirection",
    "Which side of an aspect is emerging.",
    {
      NEGATIVE: "Complaints about it are rising above the product's own baseline.",
      POSITIVE: "Praise of it is rising above the product's own baseline.",
    },
    "lowercase",
  );

  const QuoteRef = builder.objectRef<Quote>("InsightQuote").implement({
    description: "Words from a published review, the clause an aspect was mentioned in.",
    fields: (t) =>
      expose(t, {
        reviewId: scalar.ID("The review it is quoted from."),
        quote: scalar.String("The clause, verbatim."),
        polarity: scalar.Float("What the clause says about the aspect, -1 (negative) to 1 (positive)."),
      }),
  });

  const AspectRef = builder.objectRef<AspectSummary>("InsightAspect").implement({
    description: "A thing customers talk about (the zipper, the fit, customer service), over the period.",
    fields: (t) =>
      expose(
        t,
        {
          key: scalar.String('What mentions are grouped by, the same across languages ("zipper" for "Reißverschluss" too).'),
          term: scalar.String("The spelling used most."),
          mentions: scalar.Int("Published reviews in the period that mention it."),
          positive: scalar.Int("Of those, reviews positive about it."),
          negative: scalar.Int("Of those, reviews negative about it."),
          positiveShare: scalar.Float("positive / mentions."),
          negativeShare: scalar.Float("negative / mentions."),
          direction: ofType(DirectionEnum, "Talked about more, less, or as much as before."),
        },
        {
          examples: t.field({
            type: [QuoteRef],
            extensions: { complexity: listCost(QUOTES_PER_ASPECT) },
            description: `Up to ${QUOTES_PER_ASPECT} quotes from the side most mentions take, the clearest first.`,
            resolve: (a) => a.examples,
          }),
        },
      ),
  });

  const TopicRef = builder.objectRef<InsightTopicDoc>("EmergingTopic").implement({
    description:
      "An aspect whose negative (or positive) mentions rose above the product's own baseline beyond chance, as of the latest check.",
    fields: (t) =>
      expose(
        t,
        {
          productId: scalar.ID("The product."),
          key: scalar.String("The aspect."),
          term: scalar.String("Its spelling used most."),
          direction: ofType(TopicDirectionEnum, "Complaints or praise."),
          since: scalar.DateTime("The day (UTC) the rise began."),
          mentions: scalar.Int("Mentions since then."),
          expected: scalar.Float("Mentions expected since then from the product's own history and its review volume."),
          evidence: scalar.String("The numbers in a sentence."),
        },
        {
          examples: t.field({
            type: [QuoteRef],
            extensions: { complexity: listCost(QUOTES_PER_ASPECT) },
            description: "Quotes from the reviews behind it.",
            resolve: (x) => x.examples as Quote[],
          }),
        },
      ),
  });

  const InsightsRef = builder.objectRef<Insights>("Insights").implement({
    description:
      "What customers say over a period: from published reviews only, counted per day as they are analysed (a review is analysed within seconds of being stored).",
    fields: (t) => ({
      from: t.field({
        type: "DateTime",
        description: "Start of the period (a UTC day's start), inclusive.",
        resolve: (x) => new Date(x.period.fromMs),
      }),
      to: t.field({
        type: "DateTime",
        description: "End of the period (a UTC day's start), exclusive.",
        resolve: (x) => new Date(x.period.toMs),
      }),
      ...expose(t, {
        reviews: scalar.Int("Published, analysed reviews written in the period."),
        polarity: scalar.Float("Their mean polarity, -1 to 1 (0 without reviews)."),
      }),
      aspects: t.field({
        type: [AspectRef],
        extensions: { complexity: listCost(MAX_ASPECTS) },
        description: "The aspects mentioned most (at least twice), most mentioned first.",
        resolve: (x) => x.aspects,
      }),
      emerging: t.field({
        type: [TopicRef],
        extensions: { complexity: listCost(MAX_TOPICS) },
        description: "Topics emerging now (a negative one also raises an insights.emerging_topic event).",
        resolve: (x) => x.emerging.slice(0, MAX_TOPICS),
      }),
    }),
  });

  const PeriodInput = builder.inputType("InsightsPeriod", {
    description:
      "Whole UTC days: from the day of `from` through the day of `to`. Default: the last 90 days through today; at most 366 days.",
    fields: (t) =>
      inputFields(t, {
        from: optional.DateTime("First day (default: 90 days before `to`)."),
        to: optional.DateTime("Last day (default: now)."),
      }),
  });

  // The same on a product's and on a shop's insights.
  const periodArgs = builder.args((t) => ({
    period: t.field({ type: PeriodInput, required: false, description: "The period (default: the last 90 days)." }),
    limit: t.int({ required: false, description: `Aspects listed, 1 to ${MAX_ASPECTS} (default 10).` }),
  }));

  builder.objectField(ProductRef, "insights", (t) =>
    t.field({
      type: InsightsRef,
      // Checks its arguments: a bad period nulls this field, not the product.
      nullable: true,
      description:
        "What customers say about the product over a period: aspects with their positive and negative shares, direction and quotes, and emerging topics.",
      args: periodArgs,
      resolve: (product, a, ctx) => productInsights(ctx.deps, product.shopId, product.id, a.period, a.limit),
    }),
  );

  builder.objectField(ShopRef, "insights", (t) =>
    t.field({
      type: InsightsRef,
      nullable: true,
      description: "What customers say about all of the shop's products over a period, with every product's emerging topics.",
      args: periodArgs,
      resolve: async (shop, a, ctx) => {
        await ctx.authorize("reviews:read");
        return shopInsights(ctx.deps, shop.id, a.period, a.limit);
      },
    }),
  );
}
