/**
 * Product questions and answers. Customers ask (the widget or the form page,
 * with the publishable key); customers, verified buyers (with an invitation
 * token of that product) and the shop (secret key) answer. Moderation is the
 * reviews': the shop's moderation mode decides whether a customer's question
 * or answer is published at once, and a moderator publishes or rejects one for
 * a listed reason (REJECTION_REASONS), each action in the moderation log.
 *
 * Storage follows the reviews (review-pages.ts): `_id`s derived from the
 * idempotency key (a retry collides on insert, the one atomic write on
 * FerretDB), and pages read as ranges of one string key, so a product's first
 * page of questions, and each question's answers, are index ranges on MongoDB
 * and on the embedded FerretDB however many questions the product has:
 *
 *   question.pageNewest = <product hash>.<countdown>.<question id>             (newest first)
 *   answer.pageKey      = <its question's pageNewest>.<time>.<answer id>       (oldest first)
 *
 * An answer's key begins with its question's, so the answers of a page of
 * questions lie in one key range, from the page's first question to its last:
 * one read for the whole page (answersForPage), not one per question.
 *
 * Events `question.created` and `answer.created` are recorded (deterministic
 * ids) before the write is acknowledged, on every retry too.
 */
import { createHash, randomUUID } from "node:crypto";
import type { Model } from "mongoose";
import type { AnswerDoc, AuthorRole, QuestionDoc } from "./model.js";
import type { InvitationDoc } from "../invitations/model.js";
import type { ReviewDoc } from "../reviews/model.js";
import { moderationMode } from "../shops/shops.js";
import { StarlingError, duplicateKeyFailures, invalidInput } from "../../errors.js";
import { questionsChanged, reviewPageGroup, type Deps } from "../deps.js";
import { findProducts } from "../products/products.js";
import { verifyInvitation, refuseExpired } from "../invitations/invitations.js";
import { recordEvent } from "../events/events.js";
import { REJECTION_REASONS } from "../moderation/moderation.js";
import { identifier, languageTag, optionalText, text } from "../validate.js";
import { findByIds } from "../../db/find-by-ids.js";
import { toReview, type Review } from "../reviews/review.js";
import { decodeKeyCursor, encodeKeyCursor, productPrefix, countdown } from "./page-keys.js";
import { toAnswer, toQuestion, type Answer, type QaStatus, type Question, type QuestionPageView } from "./question.js";

export { toAnswer, toQuestion, type Answer, type QaStatus, type Question, type QuestionPageView } from "./question.js";

export const QA_LIMITS = { question: 1_000, answer: 5_000, authorName: 100 } as const;
/** Page sizes: questions per page, answers shown per question. */
export const MAX_QUESTION_PAGE = 50;
export const MAX_ANSWERS_SHOWN = 20;
/** A cached first page (QuestionPageView) holds up to this many questions, and this many answers of each. */
export const CACHED_QUESTIONS = 20;
export const CACHED_ANSWERS = 5;
/**
 * The reviews searched for answers to a new question: the product's newest
 * published ones, up to this many (one index range), each read up to
 * MAX_INDEXED_CHARS. This bounds the cost of asking on a product with 100 000
 * reviews to one page read of 300 reviews and ~20 ms of BM25 (bench/questions.ts).
 */
export const MAX_SEARCHED_REVIEWS = 300;

const sha256 = (s: string) => createHash("sha256").update(s).digest("hex");

/** A submission's key: printable ASCII; a form's keys live apart from the shop's (as reviews', see reviewKeyOf). */
function submissionKey(source: "api" | "form", key: string | null | undefined): string {
  const k = key == null ? randomUUID() : optionalText("idempotencyKey", key, { max: 200 })!;
  if (!/^[\x21-\x7E]+$/.test(k)) throw invalidInput("idempotencyKey", "must be printable ASCII without spaces");
  return source === "form" ? `form ${k}` : k;
}

async function requireProduct(deps: Deps, shopId: string, productId: string): Promise<void> {
  const [product] = await findProducts(deps, shopId, [productId]);
  if (!product) {
    throw new StarlingError("PRODUCT_NOT_FOUND", `This shop has no product "${productId}"; create it with putProduct first.`, {
      field: "productId",
    });
  }
}

/** A retry of a submission erased at its author's request (features/privacy): never stored again. */
function qaErased(kind: "question" | "answer"): StarlingError {
  return new StarlingError(
    "QA_ERASED",
    `This ${kind} was erased at its author's request and will not be stored again; a new ${kind} needs a new idempotency key.`,
    { field: "idempotencyKey" },
  );
}

function reusedKey(): StarlingError {
  return new StarlingError(
    "IDEMPOTENCY_KEY_REUSED",
    "This idempotency key was already used for a different submission; use a new key for a new one.",
    { field: "idempotencyKey" },
  );
}

/** A question or an answer as stored: under its idempotency id, with a hash of what was submitted. */
type Submission = { _id: string; shopId: string; productId: string; payloadHash: string };

/**
 * A retry of a stored submission: the same payload gets the stored one back,
 * its event recorded again (the first attempt may have died between its
 * insert and its event); another payload under the same key is refused.
 */
async function replay<D extends Submission>(
  stored: D,
  payloadHash: string,
  created: (d: D) => Promise<void>,
): Promise<{ doc: D; replayed: boolean }> {
  if (stored.payloadHash !== payloadHash) throw reusedKey();
  await created(stored);
  return { doc: stored, replayed: true };
}

/**
 * What was stored under a new submission's `id` before: null when nothing was, else its replay
 * (replay: the same payload gets it back, another is refused). An id erased at its author's
 * request is refused (qaErased), so an erased question or answer is never stored again.
 */
async function storedBefore<D extends Submission>(
  deps: Deps,
  model: Model<D>,
  kind: "question" | "answer",
  id: string,
  payloadHash: string,
  created: (d: D) => Promise<void>,
): Promise<{ doc: D; replayed: boolean } | null> {
  const [existing, erased] = await Promise.all([model.findById(id).lean<D>(), deps.models.ErasedQa.exists({ _id: id })]);
  if (erased) throw qaErased(kind);
  return existing ? replay(existing, payloadHash, created) : null;
}

/**
 * Stores a new submission and records its event; when another attempt took
 * its `_id` (its idempotency key) meanwhile, answers as a retry of that one.
 */
async function storeOnce<D extends Submission>(
  deps: Deps,
  model: Model<D>,
  doc: D,
  created: (d: D) => Promise<void>,
): Promise<{ doc: D; replayed: boolean }> {
  try {
    await model.collection.insertOne(doc as never);
  } catch (err) {
    if (!duplicateKeyFailures(err)) throw err;
    const stored = await model.findById(doc._id).lean<D>();
    if (!stored) throw new Error(`${doc._id} was reported taken but is not there`);
    return replay(stored, doc.payloadHash, created);
  }
  questionsChanged(deps, doc);
  await created(doc);
  return { doc, replayed: false };
}

/** A question's or answer's author as stored (and hashed, in this key order): the name shown, and the shop's own customer id if its server gave one. */
function cleanAuthor(author: { name: string; externalId?: string | null }): { name: string; externalId: string | null } {
  return {
    name: text("author.name", author.name, { max: QA_LIMITS.authorName }),
    externalId: author.externalId == null ? null : identifier("author.externalId", author.externalId),
  };
}

/** What the caller checks before a new question or answer is stored (the API's per-author limits); a replay skips it. */
export interface SubmissionHooks {
  beforeStore?: (s: { productId: string; authorName: string }) => Promise<void>;
}

/** askQuestion and answerQuestion: a customer's submission to a shop in; what was stored, or the earlier copy a retry gets back, out. */
type SubmitQa<Input, Stored> = (
  deps: Deps,
  shopId: string,
  input: Input,
  hooks?: SubmissionHooks,
) => Promise<Stored & { replayed: boolean }>;

export interface AskInput {
  productId: string;
  body: string;
  author: { name: string; externalId?: string | null };
  language?: string | null;
  source: "api" | "form";
  idempotencyKey?: string | null;
}

/**
 * Stores a customer's question and picks up to three reviews that likely
 * answer it. A retry with the same key and text returns the first question
 * (`replayed`), before any limit (`beforeStore`) is consulted.
 */
export const askQuestion: SubmitQa<AskInput, { question: Question }> = async (deps, shopId, input, hooks = {}) => {
  const clean = {
    productId: identifier("productId", input.productId),
    body: text("body", input.body, { max: QA_LIMITS.question }),
    author: cleanAuthor(input.author),
    language: languageTag("language", input.language),
    source: input.source,
  };
  const id = `q_${sha256(`${shopId}\u0000${submissionKey(input.source, input.idempotencyKey)}`).slice(0, 32)}`;
  const payloadHash = sha256(JSON.stringify(clean));
  const earlier = await storedBefore(deps, deps.models.Question, "question", id, payloadHash, (q) => questionCreated(deps, q));
  if (earlier) return asQuestion(earlier);

  await requireProduct(deps, shopId, clean.productId);
  await hooks.beforeStore?.({ productId: clean.productId, authorName: clean.author.name });
  const createdAt = deps.now();
  const doc: QuestionDoc = {
    _id: id,
    shopId,
    ...clean,
    status: (await moderationMode(deps, shopId)) === "pre" ? "pending" : "published",
    createdAt,
    payloadHash,
    pageNewest: `${productPrefix(shopId, clean.productId)}.${countdown(createdAt)}.${id}`,
    relatedReviewIds: await relatedReviews(deps, shopId, clean.productId, clean.body),
  };
  return asQuestion(await storeOnce(deps, deps.models.Question, doc, (q) => questionCreated(deps, q)));
};

const asQuestion = ({ doc, replayed }: { doc: QuestionDoc; replayed: boolean }) => ({ question: toQuestion(doc), replayed });

/** A new question's or answer's event, one per submission (its id is the event's), at its creation. */
function submissionCreated(
  deps: Deps,
  type: "question.created" | "answer.created",
  d: Submission & { createdAt: Date },
  data: Record<string, unknown>,
) {
  return recordEvent(deps, `${type}:${d._id}`, { type, shopId: d.shopId, at: d.createdAt, data });
}

function questionCreated(deps: Deps, q: QuestionDoc): Promise<void> {
  // The shop's own customer id (if its server asked for them) lets the shop e-mail the asker; never the text's author name alone.
  const data = { questionId: q._id, productId: q.productId, status: q.status.toUpperCase(), customerId: q.author.externalId };
  return submissionCreated(deps, "question.created", q, data);
}

/**
 * Up to three published reviews of the product that likely answer the
 * question: BM25 over the newest MAX_SEARCHED_REVIEWS (one index range), each
 * scoring at least MIN_RELATED_SCORE.
 */
export async function relatedReviews(deps: Deps, shopId: string, productId: string, question: string): Promise<string[]> {
  const prefix = productPrefix(shopId, productId);
  const reviews = await deps.models.Review.find(
    { shopId, productId, status: "published", pageNewest: { $gt: `${prefix}.`, $lt: `${prefix}/` } },
    { _id: 1, title: 1, body: 1, language: 1 },
  )
    .sort({ pageNewest: 1 })
    .limit(MAX_SEARCHED_REVIEWS)
    .lean<Pick<ReviewDoc, "_id" | "title" | "body" | "language">[]>();
  if (reviews.length === 0) return [];
  const docs = reviews.map((r) => ({ id: r._id, text: `${r.title}\n${r.body}`, language: r.language }));
  // Loaded by the first question, not at start (see analysis in features/insights): the search detects
  // each text's language, and the detector's n-gram table alone is about 140 MB of RSS.
  const { MIN_RELATED_SCORE, relatedTexts } = await import("@starling/insights");
  return relatedTexts(question, docs, 3, MIN_RELATED_SCORE).map((h) => h.id);
}

export interface AnswerInput {
  questionId: string;
  body: string;
  author: { name: string; externalId?: string | null };
  language?: string | null;
  /** "shop": the shop's server answering as the shop (secret key). */
  role: "customer" | "shop";
  source: "api" | "form";
  /** A purchase invitation of the question's product: the answer is marked as a verified buyer's. */
  invitationToken?: string | null;
  idempotencyKey?: string | null;
}

/** Stores an answer to a question of this shop; the shop's own answers are published at once. */
export const answerQuestion: SubmitQa<AnswerInput, { answer: Answer }> = async (deps, shopId, input, hooks = {}) => {
  const questionId = qaId("questionId", input.questionId, "q_");
  const clean = {
    questionId,
    body: text("body", input.body, { max: QA_LIMITS.answer }),
    author: cleanAuthor(input.author),
    language: languageTag("language", input.language),
    source: input.source,
    role: input.role,
  };
  if (input.role === "shop" && input.invitationToken != null) {
    throw invalidInput("invitationToken", "the shop answers as the shop; an invitation token marks a buyer's answer");
  }
  const question = await deps.models.Question.findOne({ _id: questionId, shopId }).lean<QuestionDoc>();
  if (!question) throw new StarlingError("NOT_FOUND", `This shop has no question "${questionId}".`, { field: "questionId" });
  let invitation: InvitationDoc | null = null;
  if (input.invitationToken != null) invitation = await verifyInvitation(deps, shopId, question.productId, input.invitationToken);

  const key = invitation
    ? `invitation:${invitation._id}:${submissionKey(input.source, input.idempotencyKey)}`
    : submissionKey(input.source, input.idempotencyKey);
  const id = `a_${sha256(`${shopId}\u0000${key}`).slice(0, 32)}`;
  const payloadHash = sha256(JSON.stringify({ ...clean, invitation: invitation?._id ?? null }));
  const earlier = await storedBefore(deps, deps.models.Answer, "answer", id, payloadHash, (a) => answerCreated(deps, a));
  if (earlier) return asAnswer(earlier);

  if (question.status !== "published") {
    throw new StarlingError("INVALID_TRANSITION", `This question is ${question.status}; only a published question can be answered.`, {
      field: "questionId",
      status: question.status.toUpperCase(),
    });
  }
  await hooks.beforeStore?.({ productId: question.productId, authorName: clean.author.name });
  // A buyer may answer after their review window: the invitation proves the purchase, but an expired one is refused as for reviews.
  if (invitation) refuseExpired(deps, invitation);
  const role: AuthorRole = input.role === "shop" ? "shop" : invitation ? "verified_buyer" : "customer";
  const createdAt = deps.now();
  const status: QaStatus = role === "shop" || (await moderationMode(deps, shopId)) !== "pre" ? "published" : "pending";
  const doc: AnswerDoc = {
    _id: id,
    shopId,
    productId: question.productId,
    questionId,
    body: clean.body,
    author: { name: clean.author.name, role, externalId: clean.author.externalId },
    verification: invitation ? { method: "invitation", invitationId: invitation._id } : null,
    language: clean.language,
    source: clean.source,
    status,
    createdAt,
    payloadHash,
    pageKey: `${question.pageNewest}.${String(createdAt.getTime()).padStart(13, "0")}.${id}`,
    votes: null,
  };
  return asAnswer(await storeOnce(deps, deps.models.Answer, doc, (a) => answerCreated(deps, a)));
};

const asAnswer = ({ doc, replayed }: { doc: AnswerDoc; replayed: boolean }) => ({ answer: toAnswer(doc), replayed });

function answerCreated(deps: Deps, a: AnswerDoc): Promise<void> {
  const data = {
    answerId: a._id,
    questionId: a.questionId,
    productId: a.productId,
    status: a.status.toUpperCase(),
    authorRole: a.author.role.toUpperCase(),
  };
  return submissionCreated(deps, "answer.created", a, data);
}

/** An id Starling issued for a question (`q_`) or answer (`a_`): anything else cannot name one. */
export function qaId(field: string, value: unknown, prefix: "q_" | "a_"): string {
  if (typeof value !== "string" || !new RegExp(`^${prefix}[0-9a-f]{32}$`).test(value)) {
    throw invalidInput(field, `must be an id Starling issued (${prefix}…)`);
  }
  return value;
}

export interface QuestionPage {
  readonly questions: Question[];
  readonly cursors: string[];
  readonly hasNextPage: boolean;
}

/** A product's questions, newest first, a page at a time (published only unless a moderator asks for others). */
export async function listQuestions(
  deps: Deps,
  shopId: string,
  productId: string,
  opts: { first: number; after?: string | null; statuses?: readonly QaStatus[] | null },
): Promise<QuestionPage> {
  if (!Number.isInteger(opts.first) || opts.first < 1 || opts.first > MAX_QUESTION_PAGE) {
    throw invalidInput("first", `must be a whole number from 1 to ${MAX_QUESTION_PAGE}`);
  }
  const prefix = productPrefix(shopId, productId);
  const from = opts.after ? decodeKeyCursor("questions", opts.after, prefix) : `${prefix}.`;
  const statuses: QaStatus[] = opts.statuses?.length ? [...new Set(opts.statuses)] : ["published"];
  const docs = await deps.models.Question.find({
    shopId,
    productId,
    status: statuses.length === 1 ? statuses[0] : { $in: statuses },
    pageNewest: { $gt: from, $lt: `${prefix}/` },
  })
    .sort({ pageNewest: 1 })
    .limit(opts.first + 1)
    .lean<QuestionDoc[]>();
  const page = docs.slice(0, opts.first);
  return {
    questions: page.map(toQuestion),
    cursors: page.map((d) => encodeKeyCursor("questions", d.pageNewest)),
    hasNextPage: docs.length > opts.first,
  };
}

/**
 * The answers of a page of questions, oldest first, up to `first` each: one
 * read of the key range from the page's first question to its last (an index
 * range), holding at most `(questions + 1) × first` answers. Answers of
 * questions in that range that are not on the page (not published) are read
 * and dropped. Only when the read is full, so that a question with many
 * answers may have crowded out later ones, do the questions still short of
 * `first` get a range of their own each.
 */
export async function answersForPage(
  deps: Deps,
  shopId: string,
  questions: readonly Pick<Question, "id" | "pageNewest">[],
  opts: { first: number; statuses?: readonly QaStatus[] | null },
): Promise<Map<string, Answer[]>> {
  if (!Number.isInteger(opts.first) || opts.first < 0 || opts.first > MAX_ANSWERS_SHOWN) {
    throw invalidInput("first", `must be a whole number from 0 to ${MAX_ANSWERS_SHOWN}`);
  }
  const out = new Map<string, Answer[]>(questions.map((q) => [q.id, []]));
  if (opts.first === 0 || questions.length === 0) return out;
  const statuses: QaStatus[] = opts.statuses?.length ? [...new Set(opts.statuses)] : ["published"];
  const status = statuses.length === 1 ? statuses[0] : { $in: statuses };
  const keys = questions.map((q) => q.pageNewest).sort();
  const range = (from: string, to: string, limit: number) =>
    deps.models.Answer.find({ shopId, status, pageKey: { $gt: `${from}.`, $lt: `${to}/` } })
      .sort({ pageKey: 1 })
      .limit(limit)
      .lean<AnswerDoc[]>();
  const cap = (questions.length + 1) * opts.first;
  const docs = await range(keys[0]!, keys.at(-1)!, cap);
  for (const d of docs) {
    const list = out.get(d.questionId);
    if (list && list.length < opts.first) list.push(toAnswer(d));
  }
  if (docs.length === cap) {
    const lastKey = docs.at(-1)!.pageKey;
    await Promise.all(
      questions
        .filter((q) => out.get(q.id)!.length < opts.first && `${q.pageNewest}/` > lastKey)
        .map(async (q) => out.set(q.id, (await range(q.pageNewest, q.pageNewest, opts.first)).map(toAnswer))),
    );
  }
  return out;
}

/**
 * What a product page shows: the first page of published questions (up to
 * CACHED_QUESTIONS), each with its first CACHED_ANSWERS published answers and
 * its related reviews, read together (three reads) and cached per product
 * like the first pages of reviews (PageCache: fresh for a second, refreshed
 * in the background, dropped by every write to the product's questions,
 * answers, answer votes or reviews in this process).
 */
export async function questionPageView(deps: Deps, shopId: string, productId: string, first: number): Promise<QuestionPageView> {
  if (!Number.isInteger(first) || first < 1 || first > CACHED_QUESTIONS)
    throw invalidInput("first", `must be a whole number from 1 to ${CACHED_QUESTIONS}`);
  return deps.cache.questionPages.get(reviewPageGroup(shopId, productId), String(first), async () => {
    const page = await listQuestions(deps, shopId, productId, { first });
    const [answers, reviews] = await Promise.all([
      answersForPage(deps, shopId, page.questions, { first: CACHED_ANSWERS }),
      publishedReviews(deps, shopId, [...new Set(page.questions.flatMap((q) => q.relatedReviewIds))]),
    ]);
    return {
      ...page,
      questions: page.questions.map((q) => ({
        ...q,
        prefetched: { answers: answers.get(q.id) ?? [], reviews: q.relatedReviewIds.flatMap((id) => reviews.get(id) ?? []) },
      })),
    };
  });
}

/** The published reviews among these ids (a question's suggested answers; one may since have been removed). */
export async function publishedReviews(deps: Deps, shopId: string, ids: readonly string[]): Promise<Map<string, Review>> {
  if (ids.length === 0) return new Map();
  const docs = await findByIds(deps.models.Review, ids);
  return new Map(docs.filter((d) => d.shopId === shopId && d.status === "published").map((d) => [d._id, toReview(d as ReviewDoc)]));
}

export async function findQuestion(deps: Deps, shopId: string, id: unknown): Promise<Question | null> {
  const questionId = qaId("id", id, "q_");
  const doc = await deps.models.Question.findOne({ _id: questionId, shopId }).lean<QuestionDoc>();
  return doc ? toQuestion(doc) : null;
}

/** The moderation log's record of a Q&A action: `reviewId` names the question or answer (`q_…`, `a_…`). */
async function logAction(
  deps: Deps,
  entry: {
    shopId: string;
    itemId: string;
    action: "publish" | "reject";
    from: QaStatus;
    to: QaStatus;
    reason: string | null;
    note: string | null;
    actor: string;
  },
): Promise<void> {
  await deps.models.ModerationEvent.collection.insertOne({
    _id: `mod_${sha256(`${entry.itemId}\u0000${randomUUID()}`).slice(0, 24)}`,
    shopId: entry.shopId,
    reviewId: entry.itemId,
    action: entry.action,
    fromStatus: entry.from,
    toStatus: entry.to,
    reason: entry.reason,
    note: entry.note,
    actor: entry.actor,
    at: deps.now(),
  } as never);
}

/**
 * Publishes (from pending, or back from rejected on appeal) or rejects (for
 * a listed reason) a question or an answer, as reviews are moderated: a
 * conditional update on the status read, so two moderators cannot both act on
 * the old state, and an entry in the moderation log.
 */
export async function moderateQa(
  deps: Deps,
  shopId: string,
  actor: string,
  input: { kind: "question" | "answer"; id: unknown; action: "PUBLISH" | "REJECT"; reason?: string | null; note?: string | null },
): Promise<Question | Answer> {
  const field = input.kind === "question" ? "questionId" : "answerId";
  const id = qaId(field, input.id, input.kind === "question" ? "q_" : "a_");
  const note = optionalText("note", input.note, { max: 1000 });
  if (input.action === "PUBLISH" && input.reason != null) throw invalidInput("reason", "publishing needs no reason");
  if (input.action === "REJECT" && (input.reason == null || !(input.reason in REJECTION_REASONS))) {
    throw invalidInput("reason", `rejecting needs one of the reasons ${Object.keys(REJECTION_REASONS).join(", ")}`);
  }
  const model = (input.kind === "question" ? deps.models.Question : deps.models.Answer) as unknown as typeof deps.models.Answer;
  const doc = await model.findOne({ _id: id, shopId }).lean<AnswerDoc | QuestionDoc>();
  if (!doc) throw new StarlingError("NOT_FOUND", `This shop has no ${input.kind} "${id}".`, { field });
  const to: QaStatus = input.action === "PUBLISH" ? "published" : "rejected";
  const from = input.action === "PUBLISH" ? ["pending", "rejected"] : ["pending", "published"];
  if (!from.includes(doc.status)) {
    throw new StarlingError(
      "INVALID_TRANSITION",
      `A ${doc.status} ${input.kind} cannot be ${to}; that needs one that is ${from.join(" or ")}.`,
      {
        field,
        status: doc.status.toUpperCase(),
      },
    );
  }
  const moved = await deps.summaryLock.run(`qa:${id}`, () => model.updateOne({ _id: id, status: doc.status }, { $set: { status: to } }));
  if (moved.modifiedCount !== 1)
    throw new StarlingError("INVALID_TRANSITION", `The ${input.kind} changed while you acted on it; read it again.`, { field });
  questionsChanged(deps, doc);
  await logAction(deps, {
    shopId,
    itemId: id,
    action: input.action === "PUBLISH" ? "publish" : "reject",
    from: doc.status,
    to,
    reason: input.reason ?? null,
    note,
    actor,
  });
  return input.kind === "question" ? toQuestion({ ...(doc as QuestionDoc), status: to }) : toAnswer({ ...(doc as AnswerDoc), status: to });
}
