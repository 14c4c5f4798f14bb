/** Reviewer data requests in the schema. */
import { GraphQLScalarType } from "graphql";
import { eraseReviewerData, exportReviewerData, type ErasureCounts } from "./privacy.js";
import { actingKey } from "../../graphql/context.js";
import { type Builder, enumOf, expose, inputFields, optional, scalar } from "../../graphql/builder.js";

export function addPrivacySchema(builder: Builder): void {
  const ReviewerRefInput = builder.inputType("ReviewerRefInput", {
    description: "Identifies one of your customers: by your customer id, by email, by the voter token of their browser, or several.",
    fields: (t) =>
      inputFields(t, {
        externalId: optional.String("Your id of the customer (as sent in reviewer.externalId or author.externalId)."),
        email: optional.String("The email of a purchase invitation."),
        voterToken: optional.String(
          "The helpful-vote token their browser keeps (the widget's, in localStorage `starling-voter`): finds their helpful votes, which hold only its hash.",
        ),
      }),
  });

  const ErasureMode = enumOf(
    builder,
    "ErasureMode",
    "What happens to the reviews of a reviewer who asks to be forgotten.",
    {
      ANONYMISE:
        'Keep text and stars; remove name, customer id and email (shown as "Former customer"). Questions and answers likewise; helpful votes keep counting, unlinked from the voter.',
      DELETE:
        "Remove the reviews entirely (and from the rating), the questions (with their answers) and answers, and the helpful votes (and from the helpful counts).",
    },
    "lowercase",
  );

  const ErasureResult = builder.objectRef<ErasureCounts>("ErasureResult").implement({
    description: "What an erasure changed.",
    fields: (t) =>
      expose(t, {
        reviews: scalar.Int("Reviews anonymised or deleted."),
        invitations: scalar.Int("Invitations whose email was removed."),
        questions: scalar.Int("Their questions anonymised or deleted (deleted with their answers)."),
        answers: scalar.Int("Their answers anonymised or deleted."),
        votes: scalar.Int("Their helpful votes unlinked from them (ANONYMISE) or removed from the helpful counts (DELETE)."),
      }),
  });

  const Json = builder.addScalarType("JSON", new GraphQLScalarType({ name: "JSON", description: "Arbitrary JSON, for data exports." }), {});

  builder.queryField("exportReviewerData", (t) =>
    t.field({
      nullable: true,
      type: Json,
      description:
        "Everything Starling holds about one of your customers (their reviews, including private fields such as email, their invitations, questions, answers and helpful votes), as JSON, for a data-access request. Needs PRIVACY_MANAGE.",
      args: { reviewer: t.arg({ type: ReviewerRefInput, required: true, description: "The customer." }) },
      resolve: async (_r, { reviewer }, ctx) => exportReviewerData(ctx.deps, (await ctx.authorize("privacy:manage")).id, reviewer),
    }),
  );

  builder.mutationField("eraseReviewerData", (t) =>
    t.field({
      nullable: true,
      type: ErasureResult,
      description:
        "Erases one of your customers' personal data, anonymising or deleting their reviews, questions and answers, and unlinking or removing their helpful votes. Logged without the personal data. Needs PRIVACY_MANAGE.",
      args: {
        reviewer: t.arg({ type: ReviewerRefInput, required: true, description: "The customer." }),
        mode: t.arg({ type: ErasureMode, required: true, description: "Anonymise or delete their reviews." }),
      },
      resolve: async (_r, args, ctx) => {
        const { shopId, keyId } = await actingKey(ctx, "privacy:manage");
        return eraseReviewerData(ctx.deps, shopId, keyId, args.reviewer, args.mode as "anonymise" | "delete");
      },
    }),
  );
}
