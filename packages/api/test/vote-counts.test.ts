/**
 * A helpful vote stored but not counted (the process died between the vote's
 * insert and its counters, issue 17) is completed by the `vote-counts` lease
 * queue's job, exactly once; a vote counted by its own request leaves no job.
 * The crash is simulated by the vote's first step alone (storeVote: the job,
 * then the insert), as a request that dies right after its commit point.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { VoteDoc, VoteTallyDoc } from "../src/features/votes/model.js";
import { VOTE_COUNTS_QUEUE, castVote, storeVote, type VoteCountJob } from "../src/features/votes/votes.js";
import { SUBMIT, overlapProbe, review, startTestApi, type TestApi } from "./helpers.js";

let api: TestApi;
const IP = "203.0.113.7";
const token = (n: number) => `browser-token-${String(n).padStart(8, "0")}`;
const VOTE = `mutation($i: VoteHelpfulInput!) { voteHelpful(input: $i) { alreadyVoted votes { helpful notHelpful } } }`;

beforeAll(async () => {
  api = await startTestApi();
  await api.gql(`mutation { putProduct(input: { id: "lamp", name: "Lamp" }) { id } }`);
});
afterAll(async () => {
  await api?.close();
});

async function addReview(title: string): Promise<string> {
  const r = await api.gql(SUBMIT, { input: review("lamp", 4, { title, body: `${title}: bright enough to read by.` }) });
  expect(r.errors).toBeUndefined();
  return r.data.submitReview.review.id;
}

const jobId = (voteId: string) => `${VOTE_COUNTS_QUEUE}:${voteId}`;
const voteOf = (id: string) => api.models.Vote.findById(id).lean<VoteDoc>();
const tallyOf = (reviewId: string) => api.models.VoteTally.findById(`review:${reviewId}`).lean<VoteTallyDoc>();
const reviewVotes = async (reviewId: string) => (await api.models.Review.findById(reviewId).lean())?.votes ?? null;

/** Makes the job due now: the grace period its request had is over. */
async function graceOver(voteId: string): Promise<void> {
  await api.models.LeaseJob.updateOne({ _id: jobId(voteId) }, { $set: { availableAt: new Date(Date.now() - 1_000) } });
}

describe("interrupted vote counts", () => {
  it("a vote counted by its own request leaves no job behind", async () => {
    const id = await addReview("Counted at once");
    const r = await api.gql(VOTE, { i: { itemType: "REVIEW", itemId: id, helpful: true, voterToken: token(1) } }, api.shop.publishableKey);
    expect(r.data.voteHelpful).toMatchObject({ alreadyVoted: false, votes: { helpful: 1 } });
    // Counted before the answer; the flag and the job's withdrawal follow it.
    expect(await reviewVotes(id)).toMatchObject({ helpful: 1 });
    expect((await tallyOf(id))!.totals).toMatchObject({ helpful: 1 });
    await expect.poll(() => api.models.LeaseJob.countDocuments({ queue: VOTE_COUNTS_QUEUE }), { timeout: 30_000 }).toBe(0);
    const [vote] = await api.models.Vote.find({ itemId: id }).lean<VoteDoc[]>();
    expect(vote).toMatchObject({ counted: true, weightBp: 10_000 });
  });

  it("a new vote's reads go to the database together, and so do its tally's and its item's writes", async () => {
    const id = await addReview("Round trips");
    const m = api.models;
    // Observe (not replace) the reads and writes a vote makes: how many are at the database at once.
    const reads = overlapProbe();
    const writes = overlapProbe();
    reads.queries(m.Review, "findOne");
    reads.queries(m.Vote, "findById");
    reads.queries(m.VoteTally, "findById");
    writes.calls(m.VoteTally.collection, "replaceOne");
    writes.calls(m.Review.collection, "updateOne");
    try {
      const r = await api.gql(
        VOTE,
        { i: { itemType: "REVIEW", itemId: id, helpful: true, voterToken: token(9) } },
        api.shop.publishableKey,
      );
      expect(r.data.voteHelpful).toMatchObject({ alreadyVoted: false, votes: { helpful: 1 } });
    } finally {
      reads.restore();
      writes.restore();
    }
    // The review, this voter's earlier vote and the tally: one wait, not three.
    expect(reads.most).toBeGreaterThanOrEqual(3);
    // The tally and the review's totals: one wait, not two.
    expect(writes.most).toBeGreaterThanOrEqual(2);
    expect(await reviewVotes(id)).toMatchObject({ helpful: 1, notHelpful: 0 });
  });

  it("a vote stored without its count is counted by the job once its grace period is over, exactly once", async () => {
    const deps = api.starling.deps;
    const id = await addReview("Crash window");
    // The request dies right after the vote's insert: nothing counted yet, the job waits.
    const { vote } = await storeVote(deps, api.shop.id, IP, { itemType: "review", itemId: id, helpful: true, voterToken: token(2) });
    expect(await voteOf(vote._id)).toMatchObject({ counted: false });
    const job = await api.models.LeaseJob.findById(jobId(vote._id)).lean();
    expect(job!.availableAt.getTime()).toBeGreaterThan(Date.now());
    expect(await reviewVotes(id)).toBeNull();

    await graceOver(vote._id);
    // The API's background worker claims it.
    await expect.poll(async () => (await voteOf(vote._id))?.counted, { timeout: 30_000 }).toBe(true);
    await expect.poll(() => api.models.LeaseJob.countDocuments({ _id: jobId(vote._id) }), { timeout: 30_000 }).toBe(0);
    expect(await reviewVotes(id)).toMatchObject({ helpful: 1, notHelpful: 0, helpfulBp: 10_000 });
    expect((await tallyOf(id))!.totals).toMatchObject({ helpful: 1 });

    // Delivered again (the queue is at least once): nothing more is counted.
    await deps
      .queue<VoteCountJob>(VOTE_COUNTS_QUEUE)
      .enqueue(vote._id, { shopId: api.shop.id, itemType: "review", itemId: id }, new Date(0));
    await expect.poll(() => api.models.LeaseJob.countDocuments({ _id: jobId(vote._id) }), { timeout: 30_000 }).toBe(0);
    expect(await reviewVotes(id)).toMatchObject({ helpful: 1, notHelpful: 0, helpfulBp: 10_000 });

    // The same voter's retry is told the first vote stands.
    const again = await castVote(deps, api.shop.id, IP, { itemType: "review", itemId: id, helpful: true, voterToken: token(2) });
    expect(again).toMatchObject({ alreadyVoted: true, totals: { helpful: 1 } });
  });

  it("a crash after the tally's write (the item's totals and the vote's flag lost) is completed without counting twice", async () => {
    const deps = api.starling.deps;
    const id = await addReview("Later crash window");
    const { vote } = await storeVote(deps, api.shop.id, IP, { itemType: "review", itemId: id, helpful: false, voterToken: token(3) });
    await graceOver(vote._id);
    await expect.poll(async () => (await voteOf(vote._id))?.counted, { timeout: 30_000 }).toBe(true);
    // As if the process had died after writing the tally: the tally holds the vote, the review and the flag do not.
    await api.models.Vote.updateOne({ _id: vote._id }, { $set: { counted: false } });
    await api.models.Review.updateOne({ _id: id }, { $set: { votes: null } });
    await deps
      .queue<VoteCountJob>(VOTE_COUNTS_QUEUE)
      .enqueue(vote._id, { shopId: api.shop.id, itemType: "review", itemId: id }, new Date(0));
    await expect.poll(async () => (await voteOf(vote._id))?.counted, { timeout: 30_000 }).toBe(true);
    await expect.poll(() => reviewVotes(id), { timeout: 30_000 }).toMatchObject({ helpful: 0, notHelpful: 1, notHelpfulBp: 10_000 });
    expect((await tallyOf(id))!.totals).toMatchObject({ helpful: 0, notHelpful: 1 });
    const r = await api.gql(
      `query($p: ID!) { product(id: $p) { reviews(first: 20) { edges { node { id helpfulVotes { helpful notHelpful } } } } } }`,
      { p: "lamp" },
      api.shop.publishableKey,
    );
    const node = r.data.product.reviews.edges.map((e: any) => e.node).find((n: any) => n.id === id);
    expect(node.helpfulVotes).toEqual({ helpful: 0, notHelpful: 1 });
  });

  it("a job whose vote was never stored (the process died before the insert) just leaves the queue", async () => {
    const deps = api.starling.deps;
    const id = await addReview("Never stored");
    const before = await api.models.Vote.countDocuments();
    await deps
      .queue<VoteCountJob>(VOTE_COUNTS_QUEUE)
      .enqueue("v_0123456789abcdef0123456789abcdef", { shopId: api.shop.id, itemType: "review", itemId: id }, new Date(0));
    await expect.poll(() => api.models.LeaseJob.countDocuments({ queue: VOTE_COUNTS_QUEUE }), { timeout: 30_000 }).toBe(0);
    expect(await api.models.Vote.countDocuments()).toBe(before);
    expect(await reviewVotes(id)).toBeNull();
  });
});
