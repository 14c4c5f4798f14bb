/**
 * Product questions and answers, helpful votes and MOST_HELPFUL (issue 17),
 * against the real API and FerretDB: who may ask and answer and how each is
 * marked, moderation, events, the reviews that likely answer a question,
 * hostile input and other shops' keys on every new operation, one vote per
 * voter, bursts of votes, and MOST_HELPFUL pages.
 */
import mongoose from "mongoose";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { receiveWebhooks, startTestApi, until, type TestApi, type TestShop } from "./helpers.js";
import { eventQueue } from "../src/features/events/events.js";
import { deliveryQueue } from "../src/features/webhooks/delivery.js";
import { castVote } from "../src/features/votes/votes.js";
import { wilsonLowerBound } from "../src/features/votes/wilson.js";

let api: TestApi;
let other: TestShop;

const ASK = `mutation($i: AskQuestionInput!) { askQuestion(input: $i) { replayed question { id productId body author { name } status relatedReviews { id title } } } }`;
const ANSWER = `mutation($i: AnswerQuestionInput!) { answerQuestion(input: $i) { replayed answer { id questionId body status author { name role } helpfulVotes { helpful notHelpful score } } } }`;
const QUESTIONS = `query($p: ID!, $first: Int, $after: String, $status: [QuestionStatus!]) { product(id: $p) { questions(first: $first, after: $after, status: $status) {
  edges { cursor node { id body status answers(first: 10) { id body author { name role } helpfulVotes { helpful notHelpful score } } relatedReviews { id } } }
  pageInfo { hasNextPage endCursor } } } }`;
const VOTE = `mutation($i: VoteHelpfulInput!) { voteHelpful(input: $i) { itemId helpful alreadyVoted votes { helpful notHelpful score weightedHelpful } } }`;
const MODERATE_Q = `mutation($i: ModerateQaInput!) { moderateQuestion(input: $i) { id status } }`;
const MODERATE_A = `mutation($i: ModerateQaInput!) { moderateAnswer(input: $i) { id status } }`;
const SUBMIT = `mutation($input: SubmitReviewInput!) { submitReview(input: $input) { review { id } } }`;

const token = (n: number | string) => `browser-token-${String(n).padStart(8, "0")}`;

async function putProduct(id: string, key = api.shop.key) {
  const r = await api.gql(`mutation($i: PutProductInput!) { putProduct(input: $i) { id } }`, { i: { id, name: id } }, key);
  expect(r.errors).toBeUndefined();
}

async function addReview(productId: string, title: string, body: string, rating = 4): Promise<string> {
  const r = await api.gql(SUBMIT, { input: { productId, rating, title, body, reviewer: { name: "R" } } });
  expect(r.errors).toBeUndefined();
  return r.data.submitReview.review.id;
}

async function ask(productId: string, body: string, key = api.shop.publishableKey, extra: Record<string, unknown> = {}) {
  return api.gql(ASK, { i: { productId, body, author: { name: "Kim" }, ...extra } }, key);
}

beforeAll(async () => {
  // Private webhook addresses allowed: the events test receives its events on 127.0.0.1.
  api = await startTestApi({ webhooksAllowPrivate: true });
  other = await api.newShop("Other shop");
  await putProduct("tent");
  await putProduct("lamp");
  await putProduct("tent", other.key);
});
afterAll(() => api?.close());

describe("asking and answering", () => {
  it("a customer asks with the publishable key; customers, verified buyers and the shop answer, each marked", async () => {
    const q = await ask("tent", "Is the tent waterproof in heavy rain?");
    expect(q.errors).toBeUndefined();
    const question = q.data.askQuestion.question;
    expect(question).toMatchObject({ productId: "tent", status: "PUBLISHED", author: { name: "Kim" } });

    const customer = await api.gql(
      ANSWER,
      { i: { questionId: question.id, body: "Mine stayed dry.", author: { name: "Lee" } } },
      api.shop.publishableKey,
    );
    expect(customer.data.answerQuestion.answer.author).toEqual({ name: "Lee", role: "CUSTOMER" });

    const inv = await api.gql(`mutation($i: CreateInvitationInput!) { createInvitation(input: $i) { token } }`, {
      i: { productId: "tent", orderRef: "order-qa-1", customerEmail: "b@example.com" },
    });
    const buyer = await api.gql(
      ANSWER,
      {
        i: { questionId: question.id, body: "Yes, two storms.", author: { name: "Bo" }, invitationToken: inv.data.createInvitation.token },
      },
      api.shop.publishableKey,
    );
    expect(buyer.errors).toBeUndefined();
    expect(buyer.data.answerQuestion.answer.author.role).toBe("VERIFIED_BUYER");

    const shop = await api.gql(ANSWER, { i: { questionId: question.id, body: "Rated 3000 mm.", author: { name: "Support" } } });
    expect(shop.data.answerQuestion.answer.author.role).toBe("SHOP");

    const page = await api.gql(QUESTIONS, { p: "tent" }, api.shop.publishableKey);
    const node = page.data.product.questions.edges.find((e: any) => e.node.id === question.id).node;
    expect(node.answers.map((a: any) => a.author.role)).toEqual(["CUSTOMER", "VERIFIED_BUYER", "SHOP"]);
  });

  it("a retry replays; the same key with another text is IDEMPOTENCY_KEY_REUSED; events are delivered once", async () => {
    // Received as the shop's webhook receives them: the fan-out takes events off their queue, so reading the queue races it.
    const received = await receiveWebhooks(api, ["QUESTION_CREATED", "ANSWER_CREATED"]);

    const first = await ask("tent", "How heavy is it?", api.shop.publishableKey, { idempotencyKey: "ask-1" });
    const again = await ask("tent", "How heavy is it?", api.shop.publishableKey, { idempotencyKey: "ask-1" });
    expect(again.data.askQuestion).toMatchObject({ replayed: true, question: { id: first.data.askQuestion.question.id } });
    const changed = await ask("tent", "How long is it?", api.shop.publishableKey, { idempotencyKey: "ask-1" });
    expect(changed.errors?.[0]?.extensions?.code).toBe("IDEMPOTENCY_KEY_REUSED");
    const id = first.data.askQuestion.question.id;

    const a = await api.gql(ANSWER, { i: { questionId: id, body: "2.1 kg", author: { name: "Support" }, idempotencyKey: "ans-1" } });
    const answerId = a.data.answerQuestion.answer.id;
    const replayedAnswer = await api.gql(ANSWER, {
      i: { questionId: id, body: "2.1 kg", author: { name: "Support" }, idempotencyKey: "ans-1" },
    });
    expect(replayedAnswer.data.answerQuestion).toMatchObject({ replayed: true, answer: { id: answerId } });

    const deps = api.starling.deps;
    expect(
      await until(
        async () => (await eventQueue(deps).depth()) === 0 && (await deliveryQueue(deps).depth()) === 0 && received.length >= 2,
        120_000,
      ),
    ).toBe(true);
    const ours = received.filter((e) => e.data.questionId === id);
    expect(ours.map((e) => e.type).sort()).toEqual(["answer.created", "question.created"]);
    expect(ours.find((e) => e.type === "question.created")!.data).toMatchObject({ questionId: id, productId: "tent", status: "PUBLISHED" });
    expect(ours.find((e) => e.type === "answer.created")!.data).toMatchObject({ answerId });
  });

  it("pages a product's questions newest first, and refuses another product's cursor", async () => {
    await putProduct("pager");
    const ids: string[] = [];
    for (let i = 0; i < 7; i++) ids.push((await ask("pager", `Question number ${i}?`)).data.askQuestion.question.id);
    const seen: string[] = [];
    let after: string | null = null;
    for (;;) {
      const r: any = await api.gql(QUESTIONS, { p: "pager", first: 3, after }, api.shop.publishableKey);
      expect(r.errors).toBeUndefined();
      seen.push(...r.data.product.questions.edges.map((e: any) => e.node.id));
      if (!r.data.product.questions.pageInfo.hasNextPage) break;
      after = r.data.product.questions.pageInfo.endCursor;
    }
    expect(seen).toEqual([...ids].reverse());
    const foreign = await api.gql(QUESTIONS, { p: "tent", first: 3, after }, api.shop.publishableKey);
    expect(foreign.errors?.[0]?.extensions?.code).toBe("INVALID_CURSOR");
    const forged = await api.gql(QUESTIONS, { p: "pager", first: 3, after: "bm90IGEgY3Vyc29y" }, api.shop.publishableKey);
    expect(forged.errors?.[0]?.extensions?.code).toBe("INVALID_CURSOR");
  });
});

describe("a page's answers", () => {
  it("are read for the whole page at once, and a question with many answers does not crowd out the others", async () => {
    await putProduct("crowd");
    const older = (await ask("crowd", "Older question?")).data.askQuestion.question;
    const newer = (await ask("crowd", "Newer question?")).data.askQuestion.question;
    await api.gql(ANSWER, { i: { questionId: older.id, body: "Older answer 1", author: { name: "S" } } });
    await api.gql(ANSWER, { i: { questionId: older.id, body: "Older answer 2", author: { name: "S" } } });
    for (let i = 0; i < 35; i++) await api.gql(ANSWER, { i: { questionId: newer.id, body: `Newer answer ${i}`, author: { name: "S" } } });
    const page = await api.gql(QUESTIONS, { p: "crowd", first: 2 }, api.shop.publishableKey);
    const [first, second] = page.data.product.questions.edges.map((e: any) => e.node);
    expect(first.id).toBe(newer.id);
    expect(first.answers.map((a: any) => a.body)).toEqual(Array.from({ length: 10 }, (_, i) => `Newer answer ${i}`));
    expect(second.answers.map((a: any) => a.body)).toEqual(["Older answer 1", "Older answer 2"]);
  });
});

describe("the reviews that likely answer a question", () => {
  it("are up to three published reviews of that product, by text relevance with stemming (en and de)", async () => {
    await putProduct("stove");
    const fuel = await addReview("stove", "Runs on any fuel", "I used petrol and kerosene; both burned cleanly.");
    const wind = await addReview("stove", "Windy summit", "The windscreen kept the flame steady in strong winds.");
    await addReview("stove", "Nice colour", "Looks good in my kitchen.");
    const de = await addReview("stove", "Windschutz top", "Der Windschutz hält die Flamme auch bei starkem Wind ruhig.");
    const rejected = await addReview("stove", "Fuel spam", "Buy fuels at example.com fuel fuel fuel");
    const r = await api.gql(`mutation { moderateReview(input: { reviewId: "${rejected}", action: REJECT, reason: SPAM }) { id } }`);
    expect(r.errors).toBeUndefined();

    const en = await ask("stove", "Which fuels does it burn?");
    expect(en.data.askQuestion.question.relatedReviews.map((x: any) => x.id)).toEqual([fuel]);
    const windy = await ask("stove", "Does the flame stay on when it is windy?");
    expect(windy.data.askQuestion.question.relatedReviews.map((x: any) => x.id)[0]).toBe(wind);
    const german = await ask("stove", "Wie ist der Windschutz bei starkem Wind?");
    expect(german.data.askQuestion.question.relatedReviews.map((x: any) => x.id)[0]).toBe(de);
    // Another shop's product of the same id has none of these reviews.
    const elsewhere = await ask("tent", "Which fuels does it burn?", other.publishableKey);
    expect(elsewhere.data.askQuestion.question.relatedReviews).toEqual([]);
  });
});

describe("moderation", () => {
  it("pre-moderation holds customers' questions and answers (not the shop's); a moderator publishes or rejects for a listed reason, logged", async () => {
    const shop = await api.newShop("Pre shop");
    await putProduct("mug", shop.key);
    expect((await api.gql(`mutation { setModerationMode(mode: PRE) }`, {}, shop.key)).errors).toBeUndefined();
    const q = (await ask("mug", "Dishwasher safe?", shop.publishableKey)).data.askQuestion.question;
    expect(q.status).toBe("PENDING");
    expect((await api.gql(QUESTIONS, { p: "mug" }, shop.publishableKey)).data.product.questions.edges).toEqual([]);
    const early = await api.gql(ANSWER, { i: { questionId: q.id, body: "Yes", author: { name: "S" } } }, shop.key);
    expect(early.errors?.[0]?.extensions?.code).toBe("INVALID_TRANSITION");

    const noReason = await api.gql(MODERATE_Q, { i: { id: q.id, action: "REJECT" } }, shop.key);
    expect(noReason.errors?.[0]?.extensions).toMatchObject({ code: "INVALID_INPUT", field: "reason" });
    expect((await api.gql(MODERATE_Q, { i: { id: q.id, action: "PUBLISH" } }, shop.key)).data.moderateQuestion.status).toBe("PUBLISHED");

    const shopAnswer = await api.gql(ANSWER, { i: { questionId: q.id, body: "Yes, up to 65 °C.", author: { name: "S" } } }, shop.key);
    expect(shopAnswer.data.answerQuestion.answer.status).toBe("PUBLISHED");
    const customer = await api.gql(
      ANSWER,
      { i: { questionId: q.id, body: "Buy at spam.example", author: { name: "X" } } },
      shop.publishableKey,
    );
    const aid = customer.data.answerQuestion.answer.id;
    expect(customer.data.answerQuestion.answer.status).toBe("PENDING");
    expect(
      (await api.gql(MODERATE_A, { i: { id: aid, action: "REJECT", reason: "SPAM", note: "link" } }, shop.key)).data.moderateAnswer.status,
    ).toBe("REJECTED");
    const again = await api.gql(MODERATE_A, { i: { id: aid, action: "REJECT", reason: "SPAM" } }, shop.key);
    expect(again.errors?.[0]?.extensions?.code).toBe("INVALID_TRANSITION");

    const shown = (await api.gql(QUESTIONS, { p: "mug" }, shop.publishableKey)).data.product.questions.edges[0].node;
    expect(shown.answers.map((a: any) => a.body)).toEqual(["Yes, up to 65 °C."]);
    const hidden = await api.gql(QUESTIONS, { p: "mug", status: ["PENDING"] }, shop.publishableKey);
    expect(hidden.errors?.[0]?.extensions?.code).toBe("FORBIDDEN");

    const log = await api.gql(`{ moderationLog(first: 10) { reviewId action reason } }`, {}, shop.key);
    expect(log.data.moderationLog).toEqual(
      expect.arrayContaining([
        { reviewId: q.id, action: "publish", reason: null },
        { reviewId: aid, action: "reject", reason: "SPAM" },
      ]),
    );
  });
});

describe("hostile input changes nothing", () => {
  const counts = async () =>
    [
      await api.models.Question.countDocuments({}),
      await api.models.Answer.countDocuments({}),
      await api.models.Vote.countDocuments({}),
    ].join();

  it("oversized, control characters, blank, wrong types, bad ids: INVALID_INPUT (wrong types too)", async () => {
    const q = (await ask("lamp", "Is it dimmable?")).data.askQuestion.question;
    const before = await counts();
    const cases: [string, Record<string, unknown>, string][] = [
      [ASK, { i: { productId: "lamp", body: "x".repeat(1001), author: { name: "K" } } }, "body"],
      [ASK, { i: { productId: "lamp", body: "nul\u0000here", author: { name: "K" } } }, "body"],
      [ASK, { i: { productId: "lamp", body: "bidi \u202E txt", author: { name: "K" } } }, "body"],
      [ASK, { i: { productId: "lamp", body: "\u200B\u200B", author: { name: "K" } } }, "body"],
      [ASK, { i: { productId: "lamp", body: "ok?", author: { name: "n".repeat(101) } } }, "author.name"],
      [ASK, { i: { productId: "lamp", body: "ok?", author: { name: "K" }, language: "<script>" } }, "language"],
      [ASK, { i: { productId: "../lamp", body: "ok?", author: { name: "K" } } }, "productId"],
      [ASK, { i: { productId: "lamp", body: "ok?", author: { name: "K", externalId: "cust-1" } } }, "author.externalId"],
      [ANSWER, { i: { questionId: q.id, body: "y".repeat(5001), author: { name: "K" } } }, "body"],
      [ANSWER, { i: { questionId: "q_nothex", body: "yes", author: { name: "K" } } }, "questionId"],
      [ANSWER, { i: { questionId: q.id, body: "yes", author: { name: "K" }, idempotencyKey: "has space" } }, "idempotencyKey"],
      [VOTE, { i: { itemType: "ANSWER", itemId: "a_zz", helpful: true, voterToken: token(1) } }, "itemId"],
      [VOTE, { i: { itemType: "REVIEW", itemId: "rev_x", helpful: true, voterToken: "short" } }, "voterToken"],
      [VOTE, { i: { itemType: "REVIEW", itemId: "rev_x", helpful: true, voterToken: "<script>alert(1)</script>xxxxxxxx" } }, "voterToken"],
    ];
    for (const [query, vars, field] of cases) {
      const r = await api.gql(query, vars, api.shop.publishableKey);
      expect(r.errors?.[0]?.extensions, JSON.stringify(vars).slice(0, 80)).toMatchObject({ code: "INVALID_INPUT", field });
    }
    for (const vars of [
      { i: { productId: "lamp", body: 42, author: { name: "K" } } },
      { i: { productId: "lamp", body: ["a"], author: { name: "K" } } },
      { i: { productId: "lamp", body: "ok", author: "K" } },
    ]) {
      const r = await api.gql(ASK, vars, api.shop.publishableKey);
      expect(r.errors?.[0]?.extensions?.code).toBe("INVALID_INPUT");
    }
    const wrongVote = await api.gql(
      VOTE,
      { i: { itemType: "REVIEW", itemId: "rev_x", helpful: "yes", voterToken: token(1) } },
      api.shop.publishableKey,
    );
    expect(wrongVote.errors?.[0]?.extensions?.code).toBe("INVALID_INPUT");
    expect(await counts()).toBe(before);
  });

  it("stores HTML as text and returns it unchanged (escaping is the renderer's job; see the SDK's HTML tests)", async () => {
    const body = `<img src=x onerror=alert(1)> "quotes" & <script>alert('x')</script>?`;
    const r = await ask("lamp", body);
    expect(r.data.askQuestion.question.body).toBe(body);
  });
});

describe("another shop's keys", () => {
  it("cannot answer, moderate, vote on or read this shop's questions, answers and reviews", async () => {
    const q = (await ask("tent", "Does it fit two?")).data.askQuestion.question;
    const a = (await api.gql(ANSWER, { i: { questionId: q.id, body: "Yes", author: { name: "S" } } })).data.answerQuestion.answer;
    const reviewId = await addReview("tent", "Roomy", "Two people fit.");
    const before = [
      await api.models.Answer.countDocuments({}),
      await api.models.Vote.countDocuments({}),
      await api.models.ModerationEvent.countDocuments({}),
    ].join();

    for (const key of [other.key, other.publishableKey]) {
      const answer = await api.gql(ANSWER, { i: { questionId: q.id, body: "Hijack", author: { name: "E" } } }, key);
      expect(answer.errors?.[0]?.extensions).toMatchObject({ code: "NOT_FOUND", field: "questionId" });
      for (const [itemType, itemId] of [
        ["ANSWER", a.id],
        ["REVIEW", reviewId],
      ]) {
        const vote = await api.gql(VOTE, { i: { itemType, itemId, helpful: true, voterToken: token("x") } }, key);
        expect(vote.errors?.[0]?.extensions).toMatchObject({ code: "NOT_FOUND", field: "itemId" });
      }
    }
    expect(
      (await api.gql(MODERATE_Q, { i: { id: q.id, action: "REJECT", reason: "SPAM" } }, other.key)).errors?.[0]?.extensions?.code,
    ).toBe("NOT_FOUND");
    expect(
      (await api.gql(MODERATE_A, { i: { id: a.id, action: "REJECT", reason: "SPAM" } }, other.key)).errors?.[0]?.extensions?.code,
    ).toBe("NOT_FOUND");
    // The other shop's product "tent" is its own: none of this shop's questions show there.
    const theirs = await api.gql(QUESTIONS, { p: "tent" }, other.publishableKey);
    expect(theirs.data.product.questions.edges.map((e: any) => e.node.id)).not.toContain(q.id);
    // A cursor of this shop's list is refused on theirs.
    const mine = await api.gql(QUESTIONS, { p: "tent", first: 1 }, api.shop.publishableKey);
    const crossed = await api.gql(
      QUESTIONS,
      { p: "tent", first: 1, after: mine.data.product.questions.pageInfo.endCursor },
      other.publishableKey,
    );
    expect(crossed.errors?.[0]?.extensions?.code).toBe("INVALID_CURSOR");
    // A publishable key cannot moderate or answer as the shop.
    expect(
      (await api.gql(MODERATE_Q, { i: { id: q.id, action: "REJECT", reason: "SPAM" } }, api.shop.publishableKey)).errors?.[0]?.extensions
        ?.code,
    ).toBe("FORBIDDEN");
    expect(
      [
        await api.models.Answer.countDocuments({}),
        await api.models.Vote.countDocuments({}),
        await api.models.ModerationEvent.countDocuments({}),
      ].join(),
    ).toBe(before);
  });
});

describe("helpful votes", () => {
  it("one per voter (browser token and address); another token is another voter", async () => {
    await putProduct("vote-once");
    const id = await addReview("vote-once", "Good", "Fine.");
    const first = await api.gql(
      VOTE,
      { i: { itemType: "REVIEW", itemId: id, helpful: true, voterToken: token(1) } },
      api.shop.publishableKey,
    );
    expect(first.data.voteHelpful).toMatchObject({ alreadyVoted: false, votes: { helpful: 1, notHelpful: 0 } });
    const again = await api.gql(
      VOTE,
      { i: { itemType: "REVIEW", itemId: id, helpful: false, voterToken: token(1) } },
      api.shop.publishableKey,
    );
    expect(again.data.voteHelpful).toMatchObject({ alreadyVoted: true, helpful: true, votes: { helpful: 1, notHelpful: 0 } });
    const second = await api.gql(
      VOTE,
      { i: { itemType: "REVIEW", itemId: id, helpful: false, voterToken: token(2) } },
      api.shop.publishableKey,
    );
    expect(second.data.voteHelpful.votes).toMatchObject({ helpful: 1, notHelpful: 1 });
    const stored = await api.models.Vote.find({ itemId: id }).lean();
    expect(stored).toHaveLength(2);
    // Only hashes: neither the token nor an address is stored.
    expect(JSON.stringify(stored)).not.toContain("browser-token");
    expect(JSON.stringify(stored)).not.toContain("127.0.0.1");
  });

  it("new votes are limited per address like form submissions", async () => {
    const limited = await startTestApi({ rateVotesPerHourPerIp: 2 });
    try {
      await limited.gql(`mutation { putProduct(input: { id: "p", name: "p" }) { id } }`);
      const r = await limited.gql(SUBMIT, { input: { productId: "p", rating: 5, title: "t", body: "b", reviewer: { name: "R" } } });
      const id = r.data.submitReview.review.id;
      const codes: (string | undefined)[] = [];
      for (let i = 0; i < 3; i++) {
        const v = await limited.gql(
          VOTE,
          { i: { itemType: "REVIEW", itemId: id, helpful: true, voterToken: token(i) } },
          limited.shop.publishableKey,
        );
        codes.push(v.errors?.[0]?.extensions?.code);
      }
      expect(codes).toEqual([undefined, undefined, "RATE_LIMITED"]);
      // A repeat of a counted vote is answered (it changes nothing).
      const repeat = await limited.gql(
        VOTE,
        { i: { itemType: "REVIEW", itemId: id, helpful: true, voterToken: token(0) } },
        limited.shop.publishableKey,
      );
      expect(repeat.data.voteHelpful.alreadyVoted).toBe(true);
      expect(await limited.models.Vote.countDocuments({})).toBe(2);
    } finally {
      await limited.close();
    }
  });

  it("a sudden burst counts for little next to the same votes spread over weeks", async () => {
    await putProduct("burst");
    const a = await addReview("burst", "A", "Review A.");
    const b = await addReview("burst", "B", "Review B.");
    const deps = api.starling.deps;
    const t0 = Date.now();
    // 20 votes on A within ten minutes; 20 on B one a day.
    for (let i = 0; i < 20; i++) {
      const at = (ms: number) => ({ ...deps, now: () => new Date(t0 + ms) });
      await castVote(at(i * 30_000), api.shop.id, "10.0.0.1", { itemType: "review", itemId: a, helpful: true, voterToken: token(`a${i}`) });
      await castVote(at(i * 86_400_000), api.shop.id, "10.0.0.1", {
        itemType: "review",
        itemId: b,
        helpful: true,
        voterToken: token(`b${i}`),
      });
    }
    const totals = async (id: string) => (await api.models.Review.findById(id).lean())!.votes!;
    const [ta, tb] = [await totals(a), await totals(b)];
    expect(ta.helpful).toBe(20);
    expect(tb.helpful).toBe(20);
    expect(tb.helpfulBp).toBe(20 * 10_000);
    expect(ta.helpfulBp).toBeLessThan(0.3 * 20 * 10_000);
    expect(ta.lowerBound).toBeLessThan(tb.lowerBound);
  });

  it("votes on answers show on the answer", async () => {
    const q = (await ask("lamp", "Bulb type?")).data.askQuestion.question;
    const a = (await api.gql(ANSWER, { i: { questionId: q.id, body: "E27", author: { name: "S" } } })).data.answerQuestion.answer;
    await api.gql(VOTE, { i: { itemType: "ANSWER", itemId: a.id, helpful: true, voterToken: token("ans") } }, api.shop.publishableKey);
    const page = await api.gql(QUESTIONS, { p: "lamp" }, api.shop.publishableKey);
    const shown = page.data.product.questions.edges.find((e: any) => e.node.id === q.id).node.answers[0];
    expect(shown.helpfulVotes).toMatchObject({ helpful: 1, notHelpful: 0 });
    expect(shown.helpfulVotes.score).toBeCloseTo(wilsonLowerBound(1, 0), 6);
  });
});

describe("orderBy: MOST_HELPFUL", () => {
  const PAGE = `query($p: ID!, $first: Int, $after: String, $stars: [Int!]) { product(id: $p) { reviews(first: $first, after: $after, orderBy: MOST_HELPFUL, stars: $stars) {
    edges { node { id rating helpfulVotes { helpful notHelpful score } } } pageInfo { hasNextPage endCursor } } } }`;

  async function all(productId: string, first: number, stars?: number[]): Promise<any[]> {
    const out: any[] = [];
    let after: string | null = null;
    for (;;) {
      const r: any = await api.gql(PAGE, { p: productId, first, after, stars }, api.shop.publishableKey);
      expect(r.errors).toBeUndefined();
      out.push(...r.data.product.reviews.edges.map((e: any) => e.node));
      if (!r.data.product.reviews.pageInfo.hasNextPage) return out;
      after = r.data.product.reviews.pageInfo.endCursor;
    }
  }

  it("orders by the Wilson lower bound, not raw counts, and pages through every review once", async () => {
    await putProduct("helpful");
    const ids: string[] = [];
    for (let i = 0; i < 6; i++) ids.push(await addReview("helpful", `R${i}`, `Review ${i}`, (i % 5) + 1));
    const deps = api.starling.deps;
    // R0: 3 of 3 helpful; R1: 9 of 10; R2: 1 of 1; R3: 2 of 6; R4, R5: no votes. (Votes a day apart: no bursts.)
    const plan: [number, number, number][] = [
      [0, 3, 0],
      [1, 9, 1],
      [2, 1, 0],
      [3, 2, 4],
    ];
    const t0 = Date.now();
    let n = 0;
    for (const [i, yes, no] of plan) {
      for (let k = 0; k < yes + no; k++) {
        const at = { ...deps, now: () => new Date(t0 + n++ * 86_400_000) };
        await castVote(at, api.shop.id, "10.0.0.2", {
          itemType: "review",
          itemId: ids[i]!,
          helpful: k < yes,
          voterToken: token(`h${i}-${k}`),
        });
      }
    }
    const shown = await all("helpful", 2);
    expect(shown.map((r) => r.id).slice(0, 4)).toEqual([ids[1], ids[0], ids[2], ids[3]]);
    expect(new Set(shown.map((r) => r.id))).toEqual(new Set(ids));
    expect(shown).toHaveLength(6);
    const scores = shown.map((r) => r.helpfulVotes.score);
    expect([...scores].sort((a, b) => b - a)).toEqual(scores);

    // With a star filter: the same order among those stars.
    const filtered = await all("helpful", 1, [1, 2, 4]);
    expect(filtered.map((r) => r.id)).toEqual(shown.filter((r) => [1, 2, 4].includes(r.rating)).map((r) => r.id));

    // A NEWEST cursor is refused for MOST_HELPFUL and the other way round.
    const newest = await api.gql(
      `{ product(id: "helpful") { reviews(first: 1) { pageInfo { endCursor } } } }`,
      {},
      api.shop.publishableKey,
    );
    const wrong = await api.gql(
      PAGE,
      { p: "helpful", first: 1, after: newest.data.product.reviews.pageInfo.endCursor },
      api.shop.publishableKey,
    );
    expect(wrong.errors?.[0]?.extensions?.code).toBe("INVALID_CURSOR");
  });

  it("pages on after votes moved: a review that did not move is neither repeated nor skipped", async () => {
    await putProduct("moving");
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) ids.push(await addReview("moving", `M${i}`, `Moving ${i}`));
    const first = await api.gql(PAGE, { p: "moving", first: 2 }, api.shop.publishableKey);
    const page1 = first.data.product.reviews.edges.map((e: any) => e.node.id);
    // A review not yet shown jumps to the top between the two reads.
    const jumper = ids.find((id) => !page1.includes(id))!;
    await api.gql(VOTE, { i: { itemType: "REVIEW", itemId: jumper, helpful: true, voterToken: token("jump") } }, api.shop.publishableKey);
    const rest = await api.gql(
      PAGE,
      { p: "moving", first: 10, after: first.data.product.reviews.pageInfo.endCursor },
      api.shop.publishableKey,
    );
    const page2 = rest.data.product.reviews.edges.map((e: any) => e.node.id);
    // As documented: the jumper crossed the cursor and is passed over; every other review shows exactly once.
    expect(page2).not.toContain(jumper);
    expect([...page1, ...page2].sort()).toEqual(ids.filter((id) => id !== jumper).sort());
  });
});

describe("the database plans", () => {
  it("read a page of questions, their answers and a MOST_HELPFUL page through an index, not a scan", async () => {
    await putProduct("plan");
    const reviewIds = [await addReview("plan", "Warm", "Warm at night."), await addReview("plan", "Light", "Light to carry.")];
    const q = (await ask("plan", "Is it warm at night?")).data.askQuestion.question;
    await api.gql(ANSWER, { i: { questionId: q.id, body: "Yes", author: { name: "S" } } });
    await api.gql(
      VOTE,
      { i: { itemType: "REVIEW", itemId: reviewIds[0], helpful: true, voterToken: token("plan") } },
      api.shop.publishableKey,
    );
    const sent: { collection: string; filter: object; options: { sort?: object; limit?: number } }[] = [];
    mongoose.set("debug", (collection: string, method: string, filter: object, options: object) => {
      if (method === "find" && ["questions", "answers", "reviews"].includes(collection))
        sent.push({ collection, filter, options: options as never });
    });
    try {
      const page = await api.gql(QUESTIONS, { p: "plan", first: 5 }, api.shop.publishableKey);
      expect(page.errors).toBeUndefined();
      const helpful = await api.gql(
        `{ product(id: "plan") { reviews(first: 1, orderBy: MOST_HELPFUL) { pageInfo { endCursor } } } }`,
        {},
        api.shop.publishableKey,
      );
      const after = helpful.data.product.reviews.pageInfo.endCursor;
      expect(
        (
          await api.gql(
            `query($a: String) { product(id: "plan") { reviews(first: 1, orderBy: MOST_HELPFUL, after: $a) { edges { node { id } } } } }`,
            { a: after },
            api.shop.publishableKey,
          )
        ).errors,
      ).toBeUndefined();
    } finally {
      mongoose.set("debug", false);
    }
    const ranged = sent.filter((q) => q.options.sort);
    expect(new Set(ranged.map((q) => q.collection))).toEqual(new Set(["questions", "answers", "reviews"]));
    const models = { questions: api.models.Question, answers: api.models.Answer, reviews: api.models.Review } as unknown as Record<
      string,
      typeof api.models.Review
    >;
    for (const q of ranged) {
      const plan = await models[q.collection]!.collection.find(q.filter as never, {
        sort: q.options.sort as never,
        limit: q.options.limit,
      }).explain();
      const text = JSON.stringify(plan.queryPlanner);
      const index = { questions: "question_page", answers: "answer_page", reviews: "page_helpful" }[q.collection]!;
      if (inject("backend") === "ferretdb") {
        expect(text, q.collection).toMatch(new RegExp(`SEARCH \\S+ USING INDEX \\S+_${index}`));
        expect(text, q.collection).not.toMatch(/\bSCAN\b|TEMP B-TREE/);
      } else {
        expect(text).toMatch(new RegExp(index));
        expect(text).not.toMatch(/COLLSCAN|"stage":"SORT"/);
      }
    }
  });
});
