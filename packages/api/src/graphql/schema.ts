/**
 * The public GraphQL schema, assembled from the features' parts on one
 * builder (graphql/builder.ts). Every type and field carries a description:
 * the playground is where developers learn the API. The order of the add*
 * calls is the order of Query's and Mutation's fields.
 */
import { GraphQLError, type GraphQLSchema, Kind } from "graphql";
import { createBuilder } from "./builder.js";
import { addShopSchema } from "../features/shops/schema.js";
import { addProductSchema } from "../features/products/schema.js";
import { addRatingSchema } from "../features/ratings/schema.js";
import { addScoringSchema } from "../features/scoring/schema.js";
import { addReviewSchema } from "../features/reviews/schema.js";
import { addModerationSchema } from "../features/moderation/schema.js";
import { addInvitationSchema } from "../features/invitations/schema.js";
import { addPrivacySchema } from "../features/privacy/schema.js";
import { addQuestionSchema } from "../features/questions/schema.js";
import { addVoteSchema } from "../features/votes/schema.js";
import { addInsightsSchema } from "../features/insights/schema.js";
import { addDashboardSchema } from "../features/dashboard/schema.js";
import { addImportSchema } from "../features/imports/schema.js";
import { addWebhookSchema } from "../features/webhooks/schema.js";

export function buildSchema(): GraphQLSchema {
  const builder = createBuilder();

  builder.scalarType("DateTime", {
    description: "A point in time, as an ISO 8601 string in UTC, e.g. 2026-11-27T08:15:00.000Z.",
    serialize: (d) => d.toISOString(),
    parseValue: parseDateTime,
    // Written out with one parameter: graphql-js's default takes the variables too, and
    // graphql-jit logs "Scalar with variable inputs … not supported" for any such scalar
    // written literally in a query.
    parseLiteral: (ast) => parseDateTime(ast.kind === Kind.STRING ? ast.value : undefined),
  });

  builder.queryType({
    description: "Reads. Every query needs `Authorization: Bearer <key>`: a publishable key is enough for products, ratings and reviews.",
  });
  builder.mutationType({
    description: "Writes. Mutations need a key with the scope each one names.",
  });

  const { ShopRef } = addShopSchema(builder);
  const { ProductRef } = addProductSchema(builder);
  addRatingSchema(builder, { ProductRef });
  const { TrustRef } = addScoringSchema(builder, { ProductRef });
  const { ReviewRef, ReviewStatusEnum } = addReviewSchema(builder, { ProductRef, TrustRef });
  const { ReasonEnum, ActionEnum } = addModerationSchema(builder, { ReviewRef, ReviewStatusEnum });
  addInvitationSchema(builder);
  addPrivacySchema(builder);
  const { AnswerRef } = addQuestionSchema(builder, { ProductRef, ReviewRef, ReasonEnum, ActionEnum });
  addVoteSchema(builder, { ReviewRef, AnswerRef });
  addInsightsSchema(builder, { ProductRef, ShopRef });
  addDashboardSchema(builder, { ProductRef, ReviewRef, ReviewStatusEnum });
  addImportSchema(builder);
  addWebhookSchema(builder);

  return builder.toSchema();
}

function parseDateTime(value: unknown): Date {
  const d = typeof value === "string" ? new Date(value) : new Date(Number.NaN);
  if (Number.isNaN(d.getTime())) throw new GraphQLError("DateTime must be an ISO 8601 string");
  return d;
}
