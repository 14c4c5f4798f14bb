/** Imports in the schema: importReviews (a batch of rows, a result per row) and finishImport. */
import { type Builder, enumOf, expose, inputFields, ofType, optional, scalar } from "../../graphql/builder.js";
import { listCost } from "../../graphql/cost.js";
import { MAX_IMPORT_ROWS, REPLY_MAX, finishImport, importReviews, type ImportRowResult } from "./imports.js";
import { LIMITS } from "../reviews/reviews.js";

export function addImportSchema(builder: Builder): void {
  // Every field is nullable here and checked per row by importReviews: a
  // missing field then rejects its row, not the whole batch (GraphQL would
  // refuse the request for one null in a non-null input field).
  const ImportReviewRow = builder.inputType("ImportReviewRow", {
    description:
      "One review from another platform or an earlier system, as `starling import` sends it. Fields marked required are checked per row: a row without them is REJECTED with INVALID_INPUT and the field's name.",
    fields: (t) =>
      inputFields(
        t,
        {
          sourceId: optional.String(
            "Required. The review's id where it comes from, unique per source review: importing it again is idempotent on it (up to 200 characters).",
          ),
          productId: optional.String("Required. The shop's id of the product; a product the shop lacks is created."),
          productName: optional.String("The product's name, used when the import creates the product (existing names are kept)."),
        },
        {
          // A Float, so that 4.5 rejects its row (INVALID_INPUT) instead of failing the batch as an Int would.
          rating: t.float({ required: false, description: "Required. Stars, a whole number from 1 to 5." }),
          title: t.string({ required: false, description: `Headline, up to ${LIMITS.title} characters; none is stored as "".` }),
          body: t.string({ required: false, description: `Required. Text, 1 to ${LIMITS.body} characters.` }),
          reviewerName: t.string({ required: false, description: `Required. Display name, up to ${LIMITS.reviewerName} characters.` }),
          customerId: t.string({
            required: false,
            description: "The shop's id of the customer (never shown publicly), to recognise repeat reviewers.",
          }),
          createdAt: t.string({
            required: false,
            description:
              'Required. When the review was written, ISO 8601 ("2024-05-01" or "2024-05-01T12:30:00Z"): kept as the review\'s date.',
          }),
          verified: t.boolean({
            required: false,
            description: "Whether the old platform marked it a verified purchase (kept and exported; Starling did not check it).",
          }),
          language: t.string({ required: false, description: 'BCP 47 language tag of the text, e.g. "en" or "de".' }),
          reply: t.string({ required: false, description: `The shop's public reply, up to ${REPLY_MAX} characters.` }),
          status: t.string({
            required: false,
            description: "PUBLISHED (the default), PENDING, REJECTED or QUARANTINED: an export's status, so hidden reviews stay hidden.",
          }),
        },
      ),
  });

  const ImportOutcomeEnum = enumOf(builder, "ImportOutcome", "What became of one import row.", {
    IMPORTED: "Stored now.",
    ALREADY_PRESENT: "The shop has this review already (same sourceId, or the sourceId is one of its own review ids): nothing changed.",
    REJECTED: "Not stored: `error` says why.",
  });

  const ImportRowError = builder.objectRef<NonNullable<ImportRowResult["error"]>>("ImportRowError").implement({
    description: "Why a row was rejected.",
    fields: (t) =>
      expose(t, {
        code: scalar.String("An error code of the API's table, e.g. INVALID_INPUT."),
        field: scalar.String("The row's field at fault, if one is.", { nullable: true }),
        message: scalar.String("What is wrong, for people."),
      }),
  });

  const ImportRowResultRef = builder.objectRef<ImportRowResult>("ImportRowResult").implement({
    description: "The result of one row, in the order the rows were sent.",
    fields: (t) =>
      expose(t, {
        outcome: ofType(ImportOutcomeEnum, "Imported, already present, or rejected."),
        reviewId: scalar.ID("Starling's id of the review (not for a rejected row).", { nullable: true }),
        error: ofType(ImportRowError, "Why the row was rejected.", { nullable: true }),
      }),
  });

  const FinishImportResult = builder.objectRef<{ reviews: number; products: number }>("FinishImportResult").implement({
    description: "What finishImport rebuilt.",
    fields: (t) =>
      expose(t, {
        reviews: scalar.Int("The shop's reviews scored, in createdAt order."),
        products: scalar.Int("Product summaries rebuilt."),
      }),
  });

  builder.mutationFields((t) => ({
    importReviews: t.field({
      nullable: true,
      type: [ImportRowResultRef],
      // A result per row: the cost grows with the rows sent (500 rows with every result field: 3 501).
      extensions: { complexity: listCost((a) => (Array.isArray(a.rows) ? a.rows.length : MAX_IMPORT_ROWS)) },
      description: `Stores up to ${MAX_IMPORT_ROWS} reviews from another platform with provenance IMPORTED and their own dates, and answers a result per row, in order. Idempotent on (shop, sourceId): send a batch again after a failure or a kill. Reviews are scored and counted by finishImport, once at the end. Needs REVIEWS_WRITE and PRODUCTS_WRITE (a secret key).`,
      args: { rows: t.arg({ type: [ImportReviewRow], required: true, description: "The rows." }) },
      resolve: async (_r, { rows }, ctx) => {
        await ctx.authorize("products:write");
        const shop = await ctx.authorize("reviews:write");
        return importReviews(ctx.deps, shop.id, rows);
      },
    }),
    finishImport: t.field({
      nullable: true,
      type: FinishImportResult,
      description:
        "The end of an import: scores the shop's reviews as history (each product's arrivals in createdAt order, so a burst inside the history is found where it happened and years imported in a minute are no burst) and rebuilds each product's rating summary once. Safe to run again. Needs REVIEWS_WRITE.",
      resolve: async (_r, _a, ctx) => finishImport(ctx.deps, (await ctx.authorize("reviews:write")).id),
    }),
  }));
}
