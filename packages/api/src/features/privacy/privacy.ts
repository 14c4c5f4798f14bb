/**
 * A reviewer's right of access and to erasure (GDPR arts. 15 and 17): a shop
 * finds everything Starling holds about one of its customers by the
 * customer's id or email (and, for helpful votes, the voter token their
 * browser keeps), exports it, and erases it. Erasure either keeps the
 * review's text and stars without anything that identifies the reviewer
 * (anonymise), or removes the reviews entirely (delete), as the shop chooses;
 * their questions, answers and helpful votes go the same way (see eraseQaData).
 */
import { countQuietly, countStatusMoves } from "../dashboard/counters.js";
import { randomBytes, randomUUID } from "node:crypto";
import { forgetReviewers, type ProductState } from "@starling/scoring";
import { unpackState } from "../scoring/scoring.js";
import type { AnswerDoc, QuestionDoc } from "../questions/model.js";
import type { InvitationDoc } from "../invitations/model.js";
import type { Models } from "../models.js";
import type { ReviewDoc } from "../reviews/model.js";
import type { VoteDoc } from "../votes/model.js";
import { invalidInput, isDuplicateKey } from "../../errors.js";
import { questionsChanged, reviewPageGroup, reviewsChanged, type Deps } from "../deps.js";
import { ERASED_PAYLOAD } from "../reviews/review.js";
import { productSummaryId, syncReviewCount } from "../ratings/ratings.js";
import { identifier } from "../validate.js";
import { forgetReviewInsights } from "../insights/insights.js";
import { forgetEvents, forgetReviewEvents } from "../webhooks/delivery.js";
import { dropItemVotes, isVoterToken, uncountVotes, unlinkVotes, voterKey } from "../votes/votes.js";

export interface ReviewerRef {
  externalId?: string | null;
  email?: string | null;
  /** The helpful-vote token the person's browser keeps (the widget's), for their votes. */
  voterToken?: string | null;
}

/** The name shown on an anonymised review. */
export const ANONYMOUS_NAME = "Former customer";

function reviewerFilter(shopId: string, who: ReviewerRef): Record<string, unknown> | null {
  const or: Record<string, unknown>[] = [];
  if (who.externalId != null) or.push({ "reviewer.externalId": identifier("externalId", who.externalId) });
  if (who.email != null) {
    if (typeof who.email !== "string" || who.email.length > 320) throw invalidInput("email", "must be an email address");
    or.push({ "reviewer.email": who.email });
  }
  if (who.voterToken != null && !isVoterToken(who.voterToken)) {
    throw invalidInput("voterToken", "must be the voter token the browser keeps (16 to 128 letters, digits, - and _)");
  }
  if (!or.length && who.voterToken == null) {
    throw invalidInput("reviewer", "give the customer's externalId, email or voterToken (a name is not enough to identify anyone)");
  }
  return or.length ? { shopId, $or: or } : null;
}

/** A person's questions (by customer id), answers (by customer id, or an invitation of theirs) and votes (by voter token). */
async function findQaData(
  deps: Deps,
  shopId: string,
  externalIds: ReadonlySet<string>,
  invitationIds: readonly string[],
  voterToken: string | null | undefined,
): Promise<{ questions: QuestionDoc[]; answers: AnswerDoc[]; votes: VoteDoc[] }> {
  const answerOr: Record<string, unknown>[] = [];
  if (externalIds.size) answerOr.push({ "author.externalId": { $in: [...externalIds] } });
  if (invitationIds.length) answerOr.push({ "verification.invitationId": { $in: [...invitationIds] } });
  const [questions, answers, votes] = await Promise.all([
    externalIds.size
      ? deps.models.Question.find({ shopId, "author.externalId": { $in: [...externalIds] } })
          .sort({ createdAt: 1 })
          .lean<QuestionDoc[]>()
      : [],
    answerOr.length ? deps.models.Answer.find({ shopId, $or: answerOr }).sort({ createdAt: 1 }).lean<AnswerDoc[]>() : [],
    voterToken != null
      ? deps.models.Vote.find({ shopId, voter: voterKey(shopId, voterToken) })
          .sort({ at: 1 })
          .lean<VoteDoc[]>()
      : [],
  ]);
  return { questions, answers, votes };
}

export interface ReviewerExport {
  readonly reviews: ReviewDoc[];
  readonly invitations: InvitationDoc[];
  readonly questions: QuestionDoc[];
  readonly answers: AnswerDoc[];
  /** Their helpful votes (with the voter token: the votes hold only its hash). */
  readonly votes: VoteDoc[];
}

export async function exportReviewerData(deps: Deps, shopId: string, who: ReviewerRef): Promise<ReviewerExport> {
  const filter = reviewerFilter(shopId, who);
  const reviews = filter ? await deps.models.Review.find(filter).sort({ createdAt: 1 }).lean<ReviewDoc[]>() : [];
  const invitations =
    who.email != null
      ? await deps.models.Invitation.find({ shopId, customerEmail: who.email }).sort({ createdAt: 1 }).lean<InvitationDoc[]>()
      : [];
  const qa = await findQaData(
    deps,
    shopId,
    new Set(who.externalId != null ? [who.externalId] : []),
    // Their invitations: by their email, and those their reviews came through.
    [
      ...new Set([
        ...invitations.map((i) => i._id),
        ...reviews.flatMap((r) => (r.verification?.invitationId ? [r.verification.invitationId] : [])),
      ]),
    ],
    who.voterToken,
  );
  return { reviews, invitations, ...qa };
}

/**
 * Erases a customer: every copy of them, not only their reviews' names.
 *
 * - Their reviews, found by id or email and then by every id and email those
 *   reviews carry (one person may have sent both), are anonymised or deleted.
 *   Each leaves a tombstone keyed by the review's `_id` (a hash of the shop and
 *   its idempotency key or invitation, no personal data), so a retry of the
 *   submission is refused (REVIEW_ERASED) instead of storing them again; an
 *   anonymised review also loses its payload hash (a hash of their data).
 * - The emails of their invitations, and of the invitations their reviews came
 *   through (an erasure by customer id finds those), are removed.
 * - Their scoring states (keyed by customer id or email) are deleted, and other
 *   reviews' reasons that name them ("copies the text of reviewer …") no longer do.
 * - Their reviews' webhook events still queued, and their messages and
 *   undelivered deliveries, are dropped (webhooks/delivery.ts forgetReviewEvents).
 * - This process's caches that held them (the shop's near-duplicate index,
 *   the products' cached review pages) are dropped. Other API processes
 *   hold cached review pages for at most SUMMARY_TTL_MS plus one refresh.
 */
export async function eraseReviewerData(
  deps: Deps,
  shopId: string,
  actor: string,
  who: ReviewerRef,
  mode: "anonymise" | "delete",
): Promise<ErasureCounts> {
  const externalIds = new Set<string>();
  const emails = new Set<string>();
  const filter = reviewerFilter(shopId, who);
  if (who.externalId != null) externalIds.add(who.externalId);
  if (who.email != null) emails.add(who.email);

  // Everything that names them: grown until no review adds an id or email.
  const reviews = new Map<string, ReviewDoc>();
  // Only a voter token given: no reviews to look for (votes hold no customer id or email).
  for (let round = 0; round < 10 && filter; round++) {
    const or: Record<string, unknown>[] = [];
    if (externalIds.size) or.push({ "reviewer.externalId": { $in: [...externalIds] } });
    if (emails.size) or.push({ "reviewer.email": { $in: [...emails] } });
    const found = await deps.models.Review.find(round === 0 ? filter : { shopId, $or: or }, {
      _id: 1,
      status: 1,
      shopId: 1,
      productId: 1,
      reviewer: 1,
      verification: 1,
      // For the dashboard's counters, which a deleted review leaves.
      rating: 1,
      provenance: 1,
      createdAt: 1,
      score: 1,
    }).lean<ReviewDoc[]>();
    const before = externalIds.size + emails.size;
    for (const r of found) {
      reviews.set(r._id, r);
      if (r.reviewer.externalId) externalIds.add(r.reviewer.externalId);
      if (r.reviewer.email) emails.add(r.reviewer.email);
    }
    if (externalIds.size + emails.size === before) break;
  }
  const invitationIds = [...reviews.values()].flatMap((r) => (r.verification?.invitationId ? [r.verification.invitationId] : []));
  for (const inv of await deps.models.Invitation.find({ shopId, _id: { $in: invitationIds } }, { customerEmail: 1 }).lean<
    InvitationDoc[]
  >()) {
    if (inv.customerEmail) emails.add(inv.customerEmail);
  }
  // Their questions and answers (an answer through an invitation of theirs is theirs too) and their votes, found
  // before the invitations lose their emails below.
  const ofTheirEmails = emails.size
    ? (await deps.models.Invitation.find({ shopId, customerEmail: { $in: [...emails] } }, { _id: 1 }).lean<InvitationDoc[]>()).map(
        (i) => i._id,
      )
    : [];
  const qa = await findQaData(deps, shopId, externalIds, [...new Set([...invitationIds, ...ofTheirEmails])], who.voterToken);
  const qaErased = await eraseQaData(deps, shopId, actor, qa, mode);

  const products = new Set([...reviews.values()].map((r) => r.productId));
  await eraseItems<ReviewDoc>(deps, shopId, actor, mode, [...reviews.values()], {
    tombstones: deps.models.ErasedReview,
    // Their reviews' events not yet sent (queued, or waiting for a retry) carry their name: dropped, never sent.
    forgetEvents: (ids) => forgetReviewEvents(deps, ids),
    async erase(rs) {
      for (const r of rs) {
        if (mode === "anonymise") {
          await deps.models.Review.updateOne(
            { _id: r._id },
            {
              $set: { "reviewer.name": ANONYMOUS_NAME, "reviewer.externalId": null, "reviewer.email": null, payloadHash: ERASED_PAYLOAD },
            },
          );
        } else {
          // Out of the rating first (the counts move under the product lock), then gone.
          await deps.models.Review.updateOne({ _id: r._id }, { $set: { status: "rejected" } });
          await syncReviewCount(deps, r);
          await deps.models.Review.deleteOne({ _id: r._id });
          await countQuietly(deps, countStatusMoves(deps, [{ review: r, from: r.status, to: null }]));
        }
      }
    },
    changed: reviewsChanged,
    notes: { anonymise: "reviewer data erased; review kept anonymously", delete: "review deleted at the reviewer's request" },
  });

  // Their quotes out of every insight (the analyses emptied, the buckets recounted) before we answer.
  await forgetReviewInsights(deps, [...reviews.keys()]);

  const invitations =
    emails.size || invitationIds.length
      ? (
          await deps.models.Invitation.updateMany(
            { shopId, $or: [{ customerEmail: { $in: [...emails] } }, { _id: { $in: invitationIds } }], customerEmail: { $ne: null } },
            { $set: { customerEmail: null } },
          )
        ).modifiedCount
      : 0;

  // The scorer's names for them (reviewerKeyOf): their states, and the reasons of other reviews that cite them.
  const reviewerKeys = [...[...externalIds].map((id) => `id:${id}`), ...[...emails].map((e) => `email:${e.toLowerCase()}`)];
  if (reviewerKeys.length) {
    await deps.models.ScoringState.deleteMany({ _id: { $in: reviewerKeys.map((k) => `reviewer:${shopId}:${k}`) } });
    await forgetInProductStates(deps, shopId, products, reviewerKeys);
    for (const productId of await forgetInReasons(deps, shopId, new Set(reviewerKeys))) products.add(productId);
  }

  deps.signatures.forget(shopId);
  for (const productId of products) deps.cache.reviewPages.forget(reviewPageGroup(shopId, productId));
  return { reviews: reviews.size, invitations, ...qaErased };
}

export interface ErasureCounts {
  readonly reviews: number;
  readonly invitations: number;
  readonly questions: number;
  readonly answers: number;
  readonly votes: number;
}

/**
 * Erases a person's questions, answers and helpful votes, in the mode of
 * their reviews:
 *
 * - anonymise: a question or answer keeps its text, shown as ANONYMOUS_NAME,
 *   without the customer id or its payload hash; a vote keeps counting but
 *   loses the hash of its voter token (nothing links it to them any more).
 * - delete: an answer is removed with its votes; a question is removed with
 *   every answer to it (they answer a text that is gone) and their votes;
 *   a vote leaves its item's totals (uncountVotes), so review and answer
 *   helpful counts and the MOST_HELPFUL order no longer include it.
 *
 * Questions and answers leave a tombstone (ErasedQa) so that a retry of their
 * submission is refused (QA_ERASED) rather than storing them again, and the
 * question.created / answer.created events not yet sent are dropped. Each is
 * logged in the moderation log without the personal data.
 */
async function eraseQaData(
  deps: Deps,
  shopId: string,
  actor: string,
  found: { questions: QuestionDoc[]; answers: AnswerDoc[]; votes: VoteDoc[] },
  mode: "anonymise" | "delete",
): Promise<{ questions: number; answers: number; votes: number }> {
  const { questions, answers, votes } = found;
  // Their votes first: deleted, they leave the totals of the items they are on while those still exist.
  if (mode === "anonymise") {
    await unlinkVotes(deps, shopId, votes);
  } else {
    await uncountVotes(deps, votes);
  }
  const erase = { "author.name": ANONYMOUS_NAME, "author.externalId": null, payloadHash: ERASED_PAYLOAD };
  const notes = { anonymise: "author data erased; kept anonymously", delete: "deleted at the author's request" };
  /** Drops the `<kind>.created` events of these items not yet sent. */
  const forgetCreated = (kind: "question" | "answer") => (ids: string[]) =>
    forgetEvents(
      deps,
      ids.map((id) => `${kind}.created:${id}`),
    );
  /** Deletes answers and the votes on them. */
  const deleteAnswers = async (answerIds: string[]) => {
    if (!answerIds.length) return;
    await deps.models.Answer.deleteMany({ shopId, _id: { $in: answerIds } });
    await dropItemVotes(deps, shopId, "answer", answerIds);
  };
  // Answers before questions: an answer of theirs to a question of theirs is tombstoned before the question takes it along.
  await eraseItems(deps, shopId, actor, mode, answers, {
    tombstones: deps.models.ErasedQa,
    forgetEvents: forgetCreated("answer"),
    async erase(items) {
      const ids = items.map((a) => a._id);
      if (mode === "anonymise") await deps.models.Answer.updateMany({ shopId, _id: { $in: ids } }, { $set: erase });
      else await deleteAnswers(ids);
    },
    changed: questionsChanged,
    notes,
  });
  await eraseItems(deps, shopId, actor, mode, questions, {
    tombstones: deps.models.ErasedQa,
    forgetEvents: forgetCreated("question"),
    async erase(items) {
      const ids = items.map((q) => q._id);
      if (mode === "anonymise") {
        await deps.models.Question.updateMany({ shopId, _id: { $in: ids } }, { $set: erase });
        return;
      }
      // Every answer to them goes too (others' answers included: they answer a text that is gone).
      await deleteAnswers(
        (await deps.models.Answer.find({ shopId, questionId: { $in: ids } }, { _id: 1 }).lean<AnswerDoc[]>()).map((a) => a._id),
      );
      await deps.models.Question.deleteMany({ shopId, _id: { $in: ids } });
    },
    changed: questionsChanged,
    notes,
  });
  return { questions: questions.length, answers: answers.length, votes: votes.length };
}

/** What an erasure needs of an erased review, question or answer. */
interface Erasable {
  _id: string;
  shopId: string;
  productId: string;
  status: string;
}

/**
 * The one way items of one collection (reviews, answers, questions) are
 * erased. Tombstones first: from here on a retry of any of them is refused.
 * One at a time: FerretDB may stop a batch at its first duplicate (an item
 * erased before). Then their events not yet sent are dropped, `erase`
 * anonymises or deletes them as `mode` says, their products' cached pages are
 * dropped, and each is logged: the log keeps that it happened, never whose
 * data it was.
 */
async function eraseItems<T extends Erasable>(
  deps: Deps,
  shopId: string,
  actor: string,
  mode: "anonymise" | "delete",
  items: readonly T[],
  how: {
    tombstones: Models["ErasedReview"] | Models["ErasedQa"];
    /** Drops their events not yet sent, by the items' ids. */
    forgetEvents(ids: string[]): Promise<void>;
    erase(items: readonly T[]): Promise<void>;
    changed(deps: Deps, item: T): void;
    notes: Readonly<Record<"anonymise" | "delete", string>>;
  },
): Promise<void> {
  if (!items.length) return;
  for (const { _id } of items) {
    await how.tombstones.collection.insertOne({ _id, shopId, erasedAt: deps.now() } as never).catch((err: unknown) => {
      if (!isDuplicateKey(err)) throw err;
    });
  }
  await how.forgetEvents(items.map((i) => i._id));
  await how.erase(items);
  for (const item of items) {
    how.changed(deps, item);
    await deps.models.ModerationEvent.collection.insertOne({
      _id: `mod_${randomBytes(12).toString("base64url")}`,
      shopId,
      reviewId: item._id,
      action: "erase",
      fromStatus: item.status,
      toStatus: mode === "anonymise" ? item.status : null,
      reason: null,
      note: how.notes[mode],
      actor,
      at: deps.now(),
    } as never);
  }
}

/**
 * The products' scoring states remember recent arrivals with their reviewer's
 * key (to find accounts that review together): each erased key becomes a
 * random stand-in, under the products' scoring locks. Products are those of the
 * person's reviews, the only ones whose states can name them.
 */
async function forgetInProductStates(
  deps: Deps,
  shopId: string,
  productIds: ReadonlySet<string>,
  reviewerKeys: readonly string[],
): Promise<void> {
  const standIns = new Map(reviewerKeys.map((k) => [k, `${ERASED_REVIEWER}:${randomUUID()}`]));
  for (const productId of productIds) {
    const id = productSummaryId(shopId, productId);
    await deps.summaryLock.runAll([id], async () => {
      const doc = await deps.models.ScoringState.collection.findOne({ _id: id } as never);
      const state = unpackState(doc?.state) as ProductState | undefined;
      if (!state?.arrival || forgetReviewers(state.arrival, standIns) === 0) return;
      await deps.models.ScoringState.collection.replaceOne({ _id: id } as never, { state: deps.packScoringState(id, state) } as never);
    });
  }
}

/** What a reason says instead of an erased reviewer's key. */
export const ERASED_REVIEWER = "erased";

/**
 * Rewrites the stored reasons that cite one of these reviewer keys (a copied
 * text names the other review's reviewer); returns the products of the
 * reviews changed. Read, changed and written whole: no positional updates
 * (MONGODB.md §2.3).
 */
async function forgetInReasons(deps: Deps, shopId: string, reviewerKeys: Set<string>): Promise<string[]> {
  const citing = await deps.models.Review.find(
    { shopId, "score.reasons.otherReviewerId": { $in: [...reviewerKeys] } },
    { _id: 1, productId: 1, score: 1 },
  ).lean<ReviewDoc[]>();
  for (const r of citing) {
    const reasons = r.score!.reasons.map((reason) =>
      reviewerKeys.has(reason.otherReviewerId as string) ? { ...reason, otherReviewerId: ERASED_REVIEWER } : reason,
    );
    await deps.models.Review.updateOne({ _id: r._id }, { $set: { "score.reasons": reasons } });
  }
  return citing.map((r) => r.productId);
}
