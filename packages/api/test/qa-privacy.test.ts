/**
 * A person's questions, answers and helpful votes (issue 17) are in their
 * data export and go with their erasure, in the mode of their reviews: a
 * deleted answer leaves its question, a deleted vote leaves its item's
 * helpful counts, an erased submission is not stored again on a retry, and
 * another shop's data of a customer with the same id and token is untouched.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { SUBMIT, review, startTestApi, type TestApi, type TestShop } from "./helpers.js";

let api: TestApi;
let other: TestShop;

const EXPORT = `query($r: ReviewerRefInput!) { exportReviewerData(reviewer: $r) }`;
const ERASE = `mutation($r: ReviewerRefInput!, $m: ErasureMode!) { eraseReviewerData(reviewer: $r, mode: $m) { reviews invitations questions answers votes } }`;
const ASK = `mutation($i: AskQuestionInput!) { askQuestion(input: $i) { question { id } } }`;
const ANSWER = `mutation($i: AnswerQuestionInput!) { answerQuestion(input: $i) { answer { id } } }`;
const VOTE = `mutation($i: VoteHelpfulInput!) { voteHelpful(input: $i) { votes { helpful notHelpful } } }`;
const PAGE = `query($p: ID!) { product(id: $p) {
  reviews(first: 50) { edges { node { id helpfulVotes { helpful notHelpful } } } }
  questions(first: 20) { edges { node { id body author { name } answers(first: 20) { id body author { name } helpfulVotes { helpful notHelpful } } } } }
} }`;

const token = (name: string) => `browser-token-${name.padEnd(10, "x")}`;

async function ok(p: Promise<{ data?: unknown; errors?: unknown[] }>): Promise<any> {
  const r = await p;
  expect(r.errors).toBeUndefined();
  return r.data;
}

/** One person's Q&A in a shop: a question under their customer id, an answer through their invitation, two helpful votes. */
async function person(shop: TestShop, productId: string, who: { externalId: string; email: string; voter: string }) {
  const reviewId = (await ok(api.gql(SUBMIT, { input: review(productId, 5, { title: `Review for ${who.externalId}` }) }, shop.key)))
    .submitReview.review.id as string;
  const question = (
    await ok(
      api.gql(
        ASK,
        {
          i: {
            productId,
            body: `Does it fit? (${who.externalId})`,
            author: { name: "Alex Doe", externalId: who.externalId },
            idempotencyKey: `q-${who.externalId}`,
          },
        },
        shop.key,
      ),
    )
  ).askQuestion.question.id as string;
  // Someone else's question, answered by the person through their purchase invitation, and by the shop.
  const theirs = (
    await ok(api.gql(ASK, { i: { productId, body: `Is it warm? (${who.externalId})`, author: { name: "Sam" } } }, shop.publishableKey))
  ).askQuestion.question.id as string;
  const inv = (
    await ok(
      api.gql(
        `mutation($i: CreateInvitationInput!) { createInvitation(input: $i) { token } }`,
        {
          i: { productId, orderRef: `o-${who.externalId}`, customerEmail: who.email },
        },
        shop.key,
      ),
    )
  ).createInvitation.token as string;
  const answer = (
    await ok(
      api.gql(
        ANSWER,
        { i: { questionId: theirs, body: "Yes, very warm.", author: { name: "Alex Doe" }, invitationToken: inv } },
        shop.publishableKey,
      ),
    )
  ).answerQuestion.answer.id as string;
  const shopAnswer = (
    await ok(api.gql(ANSWER, { i: { questionId: theirs, body: "It is rated to -5 °C.", author: { name: "Shop" } } }, shop.key))
  ).answerQuestion.answer.id as string;
  // Another's answer to the person's question.
  const answerToThem = (
    await ok(api.gql(ANSWER, { i: { questionId: question, body: "It fits well.", author: { name: "Robin" } } }, shop.publishableKey))
  ).answerQuestion.answer.id as string;
  // The person votes on the review and the shop's answer; another voter votes on both too.
  for (const [itemType, itemId] of [
    ["REVIEW", reviewId],
    ["ANSWER", shopAnswer],
  ] as const) {
    await ok(api.gql(VOTE, { i: { itemType, itemId, helpful: true, voterToken: token(who.voter) } }, shop.publishableKey));
    await ok(api.gql(VOTE, { i: { itemType, itemId, helpful: true, voterToken: token(`someone-${who.voter}`) } }, shop.publishableKey));
  }
  return { reviewId, question, theirs, answer, shopAnswer, answerToThem };
}

async function page(shop: TestShop, productId: string) {
  const p = (await ok(api.gql(PAGE, { p: productId }, shop.publishableKey))).product;
  return {
    reviews: new Map<string, any>(p.reviews.edges.map((e: any) => [e.node.id, e.node])),
    questions: new Map<string, any>(p.questions.edges.map((e: any) => [e.node.id, e.node])),
  };
}

beforeAll(async () => {
  api = await startTestApi();
  other = await api.newShop("Other shop");
  for (const shop of [api.shop, other]) {
    await ok(api.gql(`mutation { putProduct(input: { id: "jacket", name: "Jacket" }) { id } }`, {}, shop.key));
    await ok(api.gql(`mutation { putProduct(input: { id: "gloves", name: "Gloves" }) { id } }`, {}, shop.key));
  }
});
afterAll(() => api?.close());

describe("a person's questions, answers and votes", () => {
  it("are in their export (found by customer id, invitation email and voter token), and only this shop's", async () => {
    const who = { externalId: "cust-export", email: "export@example.com", voter: "export" };
    const mine = await person(api.shop, "gloves", who);
    await person(other, "gloves", who);
    const data = (await ok(api.gql(EXPORT, { r: { externalId: who.externalId, email: who.email, voterToken: token(who.voter) } })))
      .exportReviewerData;
    expect(data.questions.map((q: any) => q._id)).toEqual([mine.question]);
    expect(data.questions[0]).toMatchObject({ body: "Does it fit? (cust-export)", author: { externalId: "cust-export" } });
    expect(data.answers.map((a: any) => a._id)).toEqual([mine.answer]);
    expect(data.votes.map((v: any) => v.itemId).sort()).toEqual([mine.reviewId, mine.shopAnswer].sort());
    expect(data.votes.every((v: any) => v.shopId === api.shop.id)).toBe(true);
    // The voter token alone finds the votes and nothing else.
    const byToken = (await ok(api.gql(EXPORT, { r: { voterToken: token(who.voter) } }))).exportReviewerData;
    expect(byToken).toMatchObject({ reviews: [], questions: [], answers: [] });
    expect(byToken.votes).toHaveLength(2);
  });

  it("DELETE removes them, their question's answers and their votes from the counts; other shops keep theirs", async () => {
    const who = { externalId: "cust-del", email: "del@example.com", voter: "delete" };
    const mine = await person(api.shop, "jacket", who);
    const theirs = await person(other, "jacket", who);
    const before = await page(api.shop, "jacket");
    expect(before.reviews.get(mine.reviewId).helpfulVotes).toEqual({ helpful: 2, notHelpful: 0 });

    const erased = await ok(
      api.gql(ERASE, { r: { externalId: who.externalId, email: who.email, voterToken: token(who.voter) }, m: "DELETE" }),
    );
    expect(erased.eraseReviewerData).toEqual({ reviews: 0, invitations: 1, questions: 1, answers: 1, votes: 2 });

    const after = await page(api.shop, "jacket");
    // Their question is gone with the answer to it; their answer is gone from the other question.
    expect(after.questions.has(mine.question)).toBe(false);
    expect(await api.models.Answer.countDocuments({ _id: { $in: [mine.answer, mine.answerToThem] } })).toBe(0);
    const q = after.questions.get(mine.theirs);
    expect(q.answers.map((a: any) => a.id)).toEqual([mine.shopAnswer]);
    // Their votes no longer count; the other voter's still do.
    expect(after.reviews.get(mine.reviewId).helpfulVotes).toEqual({ helpful: 1, notHelpful: 0 });
    expect(q.answers[0].helpfulVotes).toEqual({ helpful: 1, notHelpful: 0 });
    const tally = await api.models.VoteTally.findById(`review:${mine.reviewId}`).lean();
    expect(tally!.totals).toMatchObject({ helpful: 1, helpfulBp: 10_000 });
    expect(await api.models.Review.findById(mine.reviewId).lean()).toMatchObject({ votes: { helpful: 1, helpfulBp: 10_000 } });

    // Nothing is found any more, and a retry of their question is not stored again.
    const data = (await ok(api.gql(EXPORT, { r: { externalId: who.externalId, email: who.email, voterToken: token(who.voter) } })))
      .exportReviewerData;
    expect(data).toMatchObject({ questions: [], answers: [], votes: [] });
    const retry = await api.gql(ASK, {
      i: {
        productId: "jacket",
        body: "Does it fit? (cust-del)",
        author: { name: "Alex Doe", externalId: who.externalId },
        idempotencyKey: "q-cust-del",
      },
    });
    expect(retry.errors?.[0]?.extensions).toMatchObject({ code: "QA_ERASED", field: "idempotencyKey" });
    expect(await api.models.Question.exists({ _id: mine.question })).toBeNull();

    // The other shop's customer with the same id, email and token: untouched.
    const otherPage = await page(other, "jacket");
    expect(otherPage.questions.has(theirs.question)).toBe(true);
    expect(otherPage.reviews.get(theirs.reviewId).helpfulVotes).toEqual({ helpful: 2, notHelpful: 0 });
    expect(
      otherPage.questions
        .get(theirs.theirs)
        .answers.map((a: any) => a.id)
        .sort(),
    ).toEqual([theirs.answer, theirs.shopAnswer].sort());
    expect(await api.models.Question.findById(theirs.question).lean()).toMatchObject({ author: { externalId: who.externalId } });
  });

  it("ANONYMISE keeps their questions and answers as a former customer's and their votes counting, unlinked", async () => {
    const who = { externalId: "cust-anon", email: "anon@example.com", voter: "anonymise" };
    const mine = await person(api.shop, "jacket", who);
    const erased = await ok(
      api.gql(ERASE, { r: { externalId: who.externalId, email: who.email, voterToken: token(who.voter) }, m: "ANONYMISE" }),
    );
    expect(erased.eraseReviewerData).toMatchObject({ questions: 1, answers: 1, votes: 2 });
    const after = await page(api.shop, "jacket");
    expect(after.questions.get(mine.question).author.name).toBe("Former customer");
    expect(after.questions.get(mine.question).answers.map((a: any) => a.id)).toEqual([mine.answerToThem]);
    const answers = after.questions.get(mine.theirs).answers;
    expect(answers.find((a: any) => a.id === mine.answer).author.name).toBe("Former customer");
    expect(after.reviews.get(mine.reviewId).helpfulVotes).toEqual({ helpful: 2, notHelpful: 0 });
    expect(await api.models.Question.findById(mine.question).lean()).toMatchObject({ author: { externalId: null }, payloadHash: "erased" });
    expect(await api.models.Vote.countDocuments({ itemId: mine.reviewId, voter: { $ne: null } })).toBe(1);
    const data = (await ok(api.gql(EXPORT, { r: { externalId: who.externalId, email: who.email, voterToken: token(who.voter) } })))
      .exportReviewerData;
    expect(data).toMatchObject({ questions: [], answers: [], votes: [] });
  });

  it("refuses a malformed voter token and a request that names no one, erasing nothing", async () => {
    const votes = await api.models.Vote.countDocuments();
    for (const [r, field] of [
      [{ voterToken: "<script>" }, "voterToken"],
      [{}, "reviewer"],
    ] as const) {
      const res = await api.gql(ERASE, { r, m: "DELETE" });
      expect(res.errors?.[0]?.extensions).toMatchObject({ code: "INVALID_INPUT", field });
    }
    expect(await api.models.Vote.countDocuments()).toBe(votes);
  });
});
