/** Reviewer data requests in the schema. */
import { GraphQLScalarType } from "graphql";
import { eraseReviewerData, exportReviewerData } from "./privacy.js";
import type { Builder } from "../../graphql/builder.js";

export function addPrivacySchema(builder: Builder): void {
  const ReviewerRefInput = builder.inputType("ReviewerRefInput", {
    description: "Identifies one of your customers: by your customer id, by email, or both.",
    fields: (t) => ({
      externalId: t.string({ description: "Your id of the customer (as sent in reviewer.externalId)." }),
      email: t.string({ description: "The email of a purchase invitation." }),
    }),
  });

  const ErasureMode = builder.enumType("ErasureMode", {
    description: "What happens to the reviews of a reviewer who asks to be forgotten.",
    values: {
      ANONYMISE: {
        value: "anonymise",
        description: 'Keep text and stars; remove name, customer id and email (shown as "Former customer").',
      },
      DELETE: { value: "delete", description: "Remove the reviews entirely (and from the rating)." },
    } as const,
  });

  const ErasureResult = builder.objectRef<{ reviews: number; invitations: number }>("ErasureResult").implement({
    description: "What an erasure changed.",
    fields: (t) => ({
      reviews: t.exposeInt("reviews", { description: "Reviews anonymised or deleted." }),
      invitations: t.exposeInt("invitations", { description: "Invitations whose email was removed." }),
    }),
  });

  const Json = builder.addScalarType("JSON", new GraphQLScalarType({ name: "JSON", description: "Arbitrary JSON, for data exports." }), {});

  builder.queryField("exportReviewerData", (t) =>
    t.field({
      type: Json,
      description:
        "Everything Starling holds about one of your customers (their reviews, including private fields such as email, and their invitations), as JSON, for a data-access request. Needs PRIVACY_MANAGE.",
      args: { reviewer: t.arg({ type: ReviewerRefInput, required: true, description: "The customer." }) },
      resolve: async (_r, { reviewer }, ctx) => exportReviewerData(ctx.deps, (await ctx.authorize("privacy:manage")).id, reviewer),
    }),
  );

  builder.mutationField("eraseReviewerData", (t) =>
    t.field({
      type: ErasureResult,
      description:
        "Erases one of your customers' personal data, anonymising or deleting their reviews. Logged without the personal data. Needs PRIVACY_MANAGE.",
      args: {
        reviewer: t.arg({ type: ReviewerRefInput, required: true, description: "The customer." }),
        mode: t.arg({ type: ErasureMode, required: true, description: "Anonymise or delete their reviews." }),
      },
      resolve: async (_r, args, ctx) => {
        const caller = await ctx.caller();
        await ctx.authorize("privacy:manage");
        return eraseReviewerData(ctx.deps, caller.shop.id, caller.keyId, args.reviewer, args.mode as "anonymise" | "delete");
      },
    }),
  );
}
