/**
 * Questions and answers in the schema: Product.questions (with each
 * question's answers and the reviews that likely answer it), askQuestion,
 * answerQuestion, and their moderation.
 */
import type { ArgBuilder, EnumRef, ObjectRef } from "@pothos/core";
import DataLoader from "dataloader";
import type { Builder, Types } from "../../graphql/builder.js";
import { inputFields, required, optional } from "../../graphql/builder.js";
import { authorInput, enumOf, expose, mutationOfInput, ofType, scalar, submissionPayload } from "../../graphql/builder.js";
import { listCost, pageCost } from "../../graphql/cost.js";
import { connectionType, type ConnectionShape } from "../../graphql/connection.js";
import { invalidInput, rateLimited } from "../../errors.js";
import { actingKey, type Context } from "../../graphql/context.js";
import type { Product } from "../products/products.js";
import type { Review } from "../reviews/review.js";
import { requireScope } from "../shops/keys.js";
import type { REJECTION_REASONS } from "../moderation/moderation.js";
import {
  MAX_ANSWERS_SHOWN,
  MAX_QUESTION_PAGE,
  QA_LIMITS,
  answerQuestion,
  CACHED_ANSWERS,
  CACHED_QUESTIONS,
  answersForPage,
  questionPageView,
  askQuestion,
  listQuestions,
  moderateQa,
  publishedReviews,
  type Answer,
  type QaStatus,
  type Question,
} from "./questions.js";

type QuestionConnectionShape = ConnectionShape<Question>;

/**
 * Who submits a question or answer: the shop's server (REVIEWS_WRITE), or a
 * customer through the widget or form page (FORM_SUBMIT), who may not link it
 * to the shop's customer id. With it, what askQuestion and answerQuestion both
 * take from it: the author, where it came from, and the customer's limits
 * (limitCustomer), checked before it is stored.
 */
async function submitter(ctx: Context, author: { name: string; externalId?: string | null }, kind: "question" | "answer") {
  const caller = await ctx.caller();
  const shop = requireScope(caller, ["reviews:write", "form:submit"]);
  const viaForm = !caller.scopes.has("reviews:write");
  if (viaForm && author.externalId != null) {
    throw invalidInput(
      "author.externalId",
      `only a secret key may link ${kind === "question" ? "a question" : "an answer"} to the shop's customer id`,
    );
  }
  const from = { author: { name: author.name, externalId: author.externalId }, source: viaForm ? "form" : "api" } as const;
  const hooks = { beforeStore: (s: { authorName: string }) => limitCustomer(ctx, shop.id, viaForm, s.authorName, kind) };
  return { shop, viaForm, from, hooks };
}

/** A customer's submission through the widget or form is limited as review-form submissions are (per address, and per name and address). */
async function limitCustomer(ctx: Context, shopId: string, viaForm: boolean, authorName: string, kind: string): Promise<void> {
  if (ctx.refusal) throw rateLimited(ctx.refusal);
  if (!viaForm) return;
  const refusal =
    (await ctx.rateLimits.formSubmission(ctx.ip, shopId)) ??
    (await ctx.rateLimits.reviewer(shopId, `form-${kind}:${ctx.ip}:${authorName.toLowerCase()}`));
  if (refusal) throw rateLimited(refusal);
}

export function addQuestionSchema(
  builder: Builder,
  refs: {
    ProductRef: ObjectRef<Types, Product>;
    ReviewRef: ObjectRef<Types, Review>;
    ReasonEnum: EnumRef<Types, keyof typeof REJECTION_REASONS, keyof typeof REJECTION_REASONS>;
    ActionEnum: EnumRef<Types, "PUBLISH" | "REJECT", "PUBLISH" | "REJECT">;
  },
): { AnswerRef: ObjectRef<Types, Answer> } {
  const { ProductRef, ReviewRef, ReasonEnum, ActionEnum } = refs;

  const StatusEnum = enumOf(
    builder,
    "QuestionStatus",
    "Where a question or an answer stands; moderated as reviews are. Only PUBLISHED ones show publicly.",
    {
      PUBLISHED: "Shown.",
      PENDING: "Waiting for the shop's approval (shops that pre-moderate).",
      REJECTED: "Removed by the shop for a listed reason (RejectionReason); kept, and can be published again.",
    },
    "lowercase",
  );

  // Question.answers and Product.questions: published ones for any reader, other states for moderators.
  const statusArg = (arg: ArgBuilder<Types>, items: string) =>
    arg({
      required: false,
      type: [StatusEnum],
      description: `${items} in these states (default: PUBLISHED); others need REVIEWS_MODERATE.`,
    });
  const readerOf = async (ctx: Context, status: readonly string[] | null | undefined) => {
    const statuses = (status ?? ["published"]) as QaStatus[];
    const published = statuses.every((s) => s === "published");
    return { statuses, published, shop: await ctx.authorize(published ? "reviews:read" : "reviews:moderate") };
  };

  const RoleEnum = enumOf(
    builder,
    "AnswerAuthorRole",
    "Who answered, shown next to the answer.",
    {
      SHOP: "The shop itself (answered with its secret key).",
      VERIFIED_BUYER: "A customer who bought the product: answered with a purchase invitation of it.",
      CUSTOMER: "Any customer, unverified.",
    },
    "lowercase",
  );

  const QuestionAuthor = builder.objectRef<Question["author"]>("QuestionAuthor").implement({
    description: "Who asked, as shown publicly.",
    fields: (t) => ({ name: t.exposeString("name", { description: "The asker's display name." }) }),
  });

  const AnswerAuthor = builder.objectRef<Answer["author"]>("AnswerAuthor").implement({
    description: "Who answered, as shown publicly.",
    fields: (t) =>
      expose(t, {
        name: scalar.String("The display name."),
        role: ofType(RoleEnum, "The shop, a verified buyer or a customer."),
      }),
  });

  const AnswerRef = builder.objectRef<Answer>("Answer").implement({
    description: "An answer to a product question. Text is stored exactly as written: escape it when you render it.",
    fields: (t) =>
      expose(t, {
        id: scalar.ID("Starling's id of the answer (a_…)."),
        questionId: scalar.ID("The question it answers."),
        body: scalar.String("The answer's text."),
        author: ofType(AnswerAuthor, "Who answered."),
        language: scalar.String("BCP 47 language tag, if one was sent.", { nullable: true }),
        status: ofType(StatusEnum, "Whether it is published."),
        createdAt: scalar.DateTime("When Starling received it."),
      }),
  });

  const QuestionRef = builder.objectRef<Question>("Question").implement({
    description: "A customer's question about a product. Text is stored exactly as written: escape it when you render it.",
    fields: (t) =>
      expose(
        t,
        {
          id: scalar.ID("Starling's id of the question (q_…)."),
          productId: scalar.ID("The shop's id of the product asked about."),
          body: scalar.String("The question."),
          author: ofType(QuestionAuthor, "Who asked."),
          language: scalar.String("BCP 47 language tag, if one was sent.", { nullable: true }),
          status: ofType(StatusEnum, "Whether it is published."),
          createdAt: scalar.DateTime("When Starling received it."),
        },
        {
          answers: t.field({
            type: [AnswerRef],
            // Checks its arguments and scope: a refusal nulls this list, not the question.
            nullable: true,
            extensions: { complexity: pageCost(5) },
            description: "The published answers, oldest first (each says who wrote it). Moderators may ask for other states.",
            args: {
              first: t.arg.int({ required: false, defaultValue: 5, description: `How many, 0 to ${MAX_ANSWERS_SHOWN}.` }),
              status: statusArg(t.arg, "Answers"),
            },
            resolve: async (q, args, ctx) => {
              const { statuses, published, shop } = await readerOf(ctx, args.status);
              const first = args.first ?? 5;
              // A cached first page read them with the questions.
              if (q.prefetched && first <= CACHED_ANSWERS && published) return q.prefetched.answers.slice(0, first);
              // The answers of every question on the page, in one read (answersForPage).
              return loadersOf(ctx).answers(shop.id, first, statuses).load(q);
            },
          }),
          relatedReviews: t.field({
            type: [ReviewRef],
            // Needs REVIEWS_READ, which a key that asked the question (FORM_SUBMIT) may lack.
            nullable: true,
            extensions: { complexity: listCost(3) },
            description:
              "Up to three published reviews of the product that likely answer the question (BM25 text relevance with English and German stemming, chosen when it was asked), best first.",
            resolve: async (q, _a, ctx) => {
              const shop = await ctx.authorize("reviews:read");
              if (q.prefetched) return [...q.prefetched.reviews];
              // Every question's suggestions on the page, in one read by _id.
              const found = await loadersOf(ctx).reviews(shop.id).loadMany(q.relatedReviewIds);
              return found.filter((r): r is Review => r !== null && !(r instanceof Error));
            },
          }),
        },
      ),
  });

  const QuestionConnection = connectionType<Question, QuestionConnectionShape>(builder, QuestionRef, {
    item: "question",
    items: "questions",
    connection: "One page of a product's questions, newest first.",
    edges: "The questions on this page, newest first.",
    pageInfoName: "QuestionPageInfo",
    pageInfo: "Where a page of questions stands in the whole list.",
    endCursor: "The cursor of this page's last question; null on an empty page.",
  });

  builder.objectFields(ProductRef, (t) => ({
    questions: t.field({
      type: QuestionConnection,
      // Checks its arguments and scope: a refusal nulls this page, not the product.
      nullable: true,
      extensions: { complexity: pageCost(10) },
      description: "Customers' questions about the product, newest first, a page at a time, each with its answers.",
      args: {
        first: t.arg.int({ required: false, defaultValue: 10, description: `Page size, 1 to ${MAX_QUESTION_PAGE}.` }),
        after: t.arg.string({ required: false, description: "Continue after this cursor (a previous page's `pageInfo.endCursor`)." }),
        status: statusArg(t.arg, "Questions"),
      },
      resolve: async (p, args, ctx) => {
        const { statuses, published, shop } = await readerOf(ctx, args.status);
        const first = args.first ?? 10;
        const shownOnProductPage = !args.after && published && first <= CACHED_QUESTIONS;
        const page = shownOnProductPage
          ? await questionPageView(ctx.deps, shop.id, p.id, first)
          : await listQuestions(ctx.deps, shop.id, p.id, { first, after: args.after, statuses });
        return { edges: page.questions.map((node, i) => ({ node, cursor: page.cursors[i]! })), hasNextPage: page.hasNextPage };
      },
    }),
  }));

  const AuthorInput = authorInput(
    builder,
    "QaAuthorInput",
    "Who asks or answers.",
    QA_LIMITS.authorName,
    "The shop's own id of the customer (secret key only); never shown, sent in the event so the shop can reach them.",
  );

  const AskInput = builder.inputType("AskQuestionInput", {
    description: "A new question about a product.",
    fields: (t) =>
      inputFields(t, {
        productId: required.ID("The shop's id of the product; it must exist."),
        body: required.Text("The question", QA_LIMITS.question),
        author: required.of(AuthorInput, "Who asks."),
        language: optional.String('BCP 47 language tag of the text, e.g. "en" or "de".'),
        idempotencyKey: optional.String(
          "A unique string per question, sent again on every retry: a retry returns the first question instead of storing a second.",
        ),
      }),
  });

  const AnswerInput = builder.inputType("AnswerQuestionInput", {
    description: "A new answer to a question.",
    fields: (t) =>
      inputFields(t, {
        questionId: required.ID("The question (q_…); it must be published."),
        body: required.Text("The answer", QA_LIMITS.answer),
        author: required.of(AuthorInput, "Who answers (with a secret key: the shop's staff member, shown as the shop's answer)."),
        language: optional.String('BCP 47 language tag of the text, e.g. "en" or "de".'),
        invitationToken: optional.String(
          "A purchase invitation of the question's product (createInvitation): the answer is marked VERIFIED_BUYER. It is not used up.",
        ),
        idempotencyKey: optional.String("A unique string per answer, sent again on every retry."),
      }),
  });

  const ModerateInput = builder.inputType("ModerateQaInput", {
    description: "A moderation decision on a question or an answer.",
    fields: (t) =>
      inputFields(t, {
        id: required.ID("The question (q_…) or answer (a_…)."),
        action: required.of(ActionEnum, "PUBLISH (a pending or rejected one) or REJECT."),
        reason: optional.of(ReasonEnum, "Required for REJECT."),
        note: optional.String("A note for the moderation log, up to 1000 characters."),
      }),
  });

  /** One moderation decision on a question or an answer, logged under the acting key. */
  const moderate = async (ctx: Context, kind: "question" | "answer", input: typeof ModerateInput.$inferInput) => {
    const { shopId, keyId } = await actingKey(ctx, "reviews:moderate");
    return moderateQa(ctx.deps, shopId, keyId, {
      kind,
      id: String(input.id),
      action: input.action,
      reason: input.reason,
      note: input.note,
    });
  };

  const AskPayload = submissionPayload(builder, "AskQuestionPayload", "The stored question.", {
    name: "question",
    type: QuestionRef,
    description: "The question as stored, with the reviews that likely answer it.",
  });

  const AnswerPayload = submissionPayload(builder, "AnswerQuestionPayload", "The stored answer.", {
    name: "answer",
    type: AnswerRef,
    description: "The answer as stored.",
  });

  builder.mutationFields((t) => ({
    askQuestion: mutationOfInput(t, {
      type: AskPayload,
      description:
        "Stores a customer's question about a product (published at once unless the shop pre-moderates) and finds up to three reviews that likely answer it. Needs FORM_SUBMIT (publishable key, the widget or form page) or REVIEWS_WRITE (secret key). Records the event question.created. Errors: INVALID_INPUT, PRODUCT_NOT_FOUND, IDEMPOTENCY_KEY_REUSED, RATE_LIMITED.",
      inputType: AskInput,
      input: "The question.",
      resolve: async (input, ctx) => {
        const { shop, from, hooks } = await submitter(ctx, input.author, "question");
        return askQuestion(ctx.deps, shop.id, { ...input, productId: String(input.productId), ...from }, hooks);
      },
    }),
    answerQuestion: mutationOfInput(t, {
      type: AnswerPayload,
      description:
        "Stores an answer to a published question. With a secret key (REVIEWS_WRITE) it is the shop's answer, marked SHOP and published at once; with a publishable key (FORM_SUBMIT) a customer's, marked VERIFIED_BUYER with a purchase invitation of the product, and moderated as reviews are. Records the event answer.created. Errors: INVALID_INPUT, NOT_FOUND, INVALID_TRANSITION (question not published), IDEMPOTENCY_KEY_REUSED, RATE_LIMITED, INVALID_INVITATION, INVITATION_EXPIRED.",
      inputType: AnswerInput,
      input: "The answer.",
      resolve: async (input, ctx) => {
        const { shop, viaForm, from, hooks } = await submitter(ctx, input.author, "answer");
        return answerQuestion(
          ctx.deps,
          shop.id,
          { ...input, questionId: String(input.questionId), ...from, role: viaForm ? "customer" : "shop" },
          hooks,
        );
      },
    }),
    moderateQuestion: mutationOfInput(t, {
      type: QuestionRef,
      description:
        "Publishes a pending (or rejected) question, or rejects one for a listed reason. Logged in the moderation log. Needs REVIEWS_MODERATE.",
      inputType: ModerateInput,
      input: "The decision.",
      resolve: (input, ctx) => moderate(ctx, "question", input) as Promise<Question>,
    }),
    moderateAnswer: mutationOfInput(t, {
      type: AnswerRef,
      description:
        "Publishes a pending (or rejected) answer, or rejects one for a listed reason. Logged in the moderation log. Needs REVIEWS_MODERATE.",
      inputType: ModerateInput,
      input: "The decision.",
      resolve: (input, ctx) => moderate(ctx, "answer", input) as Promise<Answer>,
    }),
  }));

  return { AnswerRef };
}

/** Per request: the reads its questions' fields share (one per page instead of one per question). */
interface QaLoaders {
  answers(shopId: string, first: number, statuses: readonly QaStatus[]): DataLoader<Question, Answer[], string>;
  reviews(shopId: string): DataLoader<string, Review | null>;
}

const perRequest = new WeakMap<Context, QaLoaders>();

function loadersOf(ctx: Context): QaLoaders {
  let loaders = perRequest.get(ctx);
  if (loaders) return loaders;
  const answers = new Map<string, DataLoader<Question, Answer[], string>>();
  const reviews = new Map<string, DataLoader<string, Review | null>>();
  loaders = {
    answers(shopId, first, statuses) {
      const key = `${shopId} ${first} ${statuses.join(",")}`;
      let l = answers.get(key);
      if (!l) {
        l = new DataLoader<Question, Answer[], string>(
          async (questions) => {
            const found = await answersForPage(ctx.deps, shopId, questions, { first, statuses });
            return questions.map((q) => found.get(q.id) ?? []);
          },
          { cacheKeyFn: (q) => q.id },
        );
        answers.set(key, l);
      }
      return l;
    },
    reviews(shopId) {
      let l = reviews.get(shopId);
      if (!l) {
        l = new DataLoader<string, Review | null>(async (ids) => {
          const found = await publishedReviews(ctx.deps, shopId, ids);
          return ids.map((id) => found.get(id) ?? null);
        });
        reviews.set(shopId, l);
      }
      return l;
    },
  };
  perRequest.set(ctx, loaders);
  return loaders;
}
