/**
 * A helpful vote stored but not counted (the process died between the vote's
 * insert and its counters, issue 17) is counted exactly once by the sweep:
 * the vote carries its own safety net (an `uncounted` key, indexed), and a
 * vote still uncounted after its grace period becomes a `vote-counts` lease
 * queue job; a vote counted by its own request leaves nothing behind. The
 * crash is simulated by the vote's first step alone (storeVote: the insert),
 * as a request that dies right after its commit point.
 */
import { AsyncLocalStorage } from "node:async_hooks";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import type { VoteDoc, VoteTallyDoc } from "../src/features/votes/model.js";
import {
  BURST_WEIGHT_BP,
  FULL_WEIGHT_BP,
  VOTE_COUNTS_QUEUE,
  VOTE_COUNT_GRACE_MS,
  castVote,
  overdueVotes,
  settleVoteMarks,
  storeVote,
  sweepUncountedVotes,
  uncountedKey,
  type VoteCountJob,
} from "../src/features/votes/votes.js";
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
const voteJobs = () => api.models.LeaseJob.countDocuments({ queue: VOTE_COUNTS_QUEUE });

/** The vote's grace period is over: as if it had arrived longer ago than its request could have taken. */
async function graceOver(voteId: string): Promise<void> {
  const long = new Date(Date.now() - VOTE_COUNT_GRACE_MS - 60_000);
  await api.models.Vote.collection.updateOne({ _id: voteId } as never, { $set: { uncounted: uncountedKey(long, voteId) } });
}

describe("interrupted vote counts", () => {
  it("a vote counted by its own request leaves nothing for the sweep, and no job", async () => {
    const id = await addReview("Counted at once");
    const r = await api.gql(VOTE, { i: { itemType: "REVIEW", itemId: id, helpful: true, voterToken: token(1) } }, api.shop.publishableKey);
    expect(r.data.voteHelpful).toMatchObject({ alreadyVoted: false, votes: { helpful: 1 } });
    // Counted before the answer; only the vote's flag follows it (with other votes' flags).
    expect(await reviewVotes(id)).toMatchObject({ helpful: 1 });
    expect((await tallyOf(id))!.totals).toMatchObject({ helpful: 1 });
    expect(await voteJobs()).toBe(0);
    const voteId = (await api.models.Vote.find({ itemId: id }, { _id: 1 }).lean<VoteDoc[]>())[0]!._id;
    await expect.poll(async () => (await voteOf(voteId))?.counted, { timeout: 30_000 }).toBe(true);
    const vote = await voteOf(voteId);
    expect(vote).toMatchObject({ counted: true, weightBp: 10_000 });
    expect(vote).not.toHaveProperty("uncounted");
  });

  it("a new vote waits for three round trips: its reads together, its insert (no job before it), its tally's and item's writes together", async () => {
    const id = await addReview("Round trips");
    const m = api.models;
    const deps = api.starling.deps;
    // Observe (not replace) the reads and writes a vote makes: how many are at the database at
    // once, and how many times the vote waits for the database with nothing else in flight.
    const reads = overlapProbe();
    const writes = overlapProbe();
    const waits = overlapProbe();
    let inFlight = 0;
    let rounds = 0;
    let jobInserts = 0;
    let answered = false;
    const vote = new AsyncLocalStorage<true>();
    const round = (target: any, method: string, query: boolean, mine: (args: unknown[]) => boolean = () => true) => {
      const original = target[method];
      const track = async <T>(run: () => Promise<T>, args: unknown[]): Promise<T> => {
        // Only this vote's own calls (not a background worker's), up to its answer.
        if (answered || !vote.getStore() || !mine(args)) return run();
        if (inFlight++ === 0) rounds++;
        try {
          return await run();
        } finally {
          inFlight--;
        }
      };
      waits.calls(target, method); // only so that restore() puts it back
      target[method] = query
        ? (...args: unknown[]) => {
            const q = original.apply(target, args);
            const exec = q.exec.bind(q);
            q.exec = (...x: unknown[]) => track(() => exec(...x), args);
            return q;
          }
        : (...args: unknown[]) => track(() => original.apply(target, args), args);
    };
    const aboutThisReview = (args: unknown[]) => JSON.stringify(args[0]).includes(id);
    round(m.Review, "findOne", true, aboutThisReview);
    round(m.Vote, "findById", true);
    round(m.VoteTally, "findById", true);
    round(m.Review.collection, "updateOne", false, aboutThisReview);
    round(m.VoteTally.collection, "replaceOne", false);
    round(m.Vote.collection, "insertOne", false);
    round(m.Vote.collection, "updateOne", false);
    round(m.Vote.collection, "updateMany", false);
    round(m.LeaseJob.collection, "insertOne", false, (args) => {
      const mine = (args[0] as { queue?: string }).queue === VOTE_COUNTS_QUEUE;
      if (mine) jobInserts++;
      return mine;
    });
    reads.queries(m.Review, "findOne");
    reads.queries(m.Vote, "findById");
    reads.queries(m.VoteTally, "findById");
    writes.calls(m.VoteTally.collection, "replaceOne");
    writes.calls(m.Review.collection, "updateOne");
    try {
      const result = await vote.run(true, () =>
        castVote(deps, api.shop.id, IP, { itemType: "review", itemId: id, helpful: true, voterToken: token(9) }),
      );
      answered = true;
      expect(result).toMatchObject({ alreadyVoted: false, totals: { helpful: 1 } });
    } finally {
      reads.restore();
      writes.restore();
      waits.restore();
    }
    // The review, this voter's earlier vote and the tally: one wait, not three.
    expect(reads.most).toBeGreaterThanOrEqual(3);
    // The tally and the review's totals: one wait, not two.
    expect(writes.most).toBeGreaterThanOrEqual(2);
    // Reads, the vote's insert, the count: the vote itself is the safety net, no job is written first.
    expect(jobInserts).toBe(0);
    // At most three: the tally's read starts first and runs beside the vote's reads and insert,
    // so on a busy machine it can still be in flight when the insert goes out (two waits, not three).
    expect(rounds).toBeGreaterThanOrEqual(2);
    expect(rounds).toBeLessThanOrEqual(3);
    expect(await reviewVotes(id)).toMatchObject({ helpful: 1, notHelpful: 0 });
  });

  it("a vote stored without its count is counted once its grace period is over, exactly once", async () => {
    const deps = api.starling.deps;
    const id = await addReview("Crash window");
    // The request dies right after the vote's insert: nothing counted yet, nothing queued.
    const { vote } = await storeVote(deps, api.shop.id, IP, { itemType: "review", itemId: id, helpful: true, voterToken: token(2) });
    expect(await voteOf(vote._id)).toMatchObject({ counted: false, uncounted: uncountedKey(vote.at, vote._id) });
    expect(await reviewVotes(id)).toBeNull();
    // Within its grace period the sweep leaves it to its request.
    await sweepUncountedVotes(deps);
    expect(await api.models.LeaseJob.findById(jobId(vote._id)).lean()).toBeNull();

    await graceOver(vote._id);
    // The API's sweep queues it and its background worker counts it.
    await expect.poll(async () => (await voteOf(vote._id))?.counted, { timeout: 30_000 }).toBe(true);
    await expect.poll(() => api.models.LeaseJob.countDocuments({ _id: jobId(vote._id) }), { timeout: 30_000 }).toBe(0);
    expect(await voteOf(vote._id)).not.toHaveProperty("uncounted");
    expect(await reviewVotes(id)).toMatchObject({ helpful: 1, notHelpful: 0, helpfulBp: 10_000 });
    expect((await tallyOf(id))!.totals).toMatchObject({ helpful: 1 });

    // Counted and flagged, it is no longer the sweep's.
    await sweepUncountedVotes(deps);
    expect(await api.models.LeaseJob.findById(jobId(vote._id)).lean()).toBeNull();
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

  it("a crash after the count, before the vote's flag (the item's totals lost too), is completed without counting twice", async () => {
    const deps = api.starling.deps;
    const id = await addReview("Later crash window");
    const r = await api.gql(VOTE, { i: { itemType: "REVIEW", itemId: id, helpful: false, voterToken: token(3) } }, api.shop.publishableKey);
    expect(r.data.voteHelpful).toMatchObject({ votes: { notHelpful: 1 } });
    const voteId = (await api.models.Vote.find({ itemId: id }, { _id: 1 }).lean<VoteDoc[]>())[0]!._id;
    await settleVoteMarks(deps);
    // As if the process had died after writing the tally: the tally holds the vote, the review and the flag do not.
    await api.models.Vote.collection.updateOne({ _id: voteId } as never, { $set: { counted: false } });
    await graceOver(voteId);
    await api.models.Review.updateOne({ _id: id }, { $set: { votes: null } });
    await expect.poll(async () => (await voteOf(voteId))?.counted, { timeout: 30_000 }).toBe(true);
    await expect.poll(() => reviewVotes(id), { timeout: 30_000 }).toMatchObject({ helpful: 0, notHelpful: 1, notHelpfulBp: 10_000 });
    expect((await tallyOf(id))!.totals).toMatchObject({ helpful: 0, notHelpful: 1 });
    const page = await api.gql(
      `query($p: ID!) { product(id: $p) { reviews(first: 20) { edges { node { id helpfulVotes { helpful notHelpful } } } } } }`,
      { p: "lamp" },
      api.shop.publishableKey,
    );
    const node = page.data.product.reviews.edges.map((e: any) => e.node).find((n: any) => n.id === id);
    expect(node.helpfulVotes).toEqual({ helpful: 0, notHelpful: 1 });
  });

  it("a burst's weights reach the votes whose flags were not yet written, each vote's weight as its tally counts it", async () => {
    const deps = api.starling.deps;
    const id = await addReview("Burst while flags wait");
    // Twelve votes at once on one review: a burst, flagged while earlier votes' flags wait for the write in progress.
    await Promise.all(
      Array.from({ length: 12 }, (_, i) =>
        castVote(deps, api.shop.id, IP, { itemType: "review", itemId: id, helpful: true, voterToken: token(100 + i) }),
      ),
    );
    await settleVoteMarks(deps);
    const ring = ((await tallyOf(id))!.arrivals as { recent: { reviewId: string; weightBp: number }[] }).recent;
    const votes = await api.models.Vote.find({ itemId: id }).lean<VoteDoc[]>();
    expect(votes).toHaveLength(12);
    expect(ring.some((a) => a.weightBp === BURST_WEIGHT_BP)).toBe(true);
    for (const v of votes) {
      expect(v.counted).toBe(true);
      expect(v).not.toHaveProperty("uncounted");
      expect(v.weightBp ?? FULL_WEIGHT_BP).toBe(ring.find((a) => a.reviewId === v._id)!.weightBp);
    }
    expect(await reviewVotes(id)).toMatchObject({ helpful: 12, helpfulBp: ring.reduce((sum, a) => sum + a.weightBp, 0) });
  });

  it("the sweep reads an index range of uncounted votes, not every vote", async () => {
    const plan = await overdueVotes(api.starling.deps, 100).explain();
    const text = JSON.stringify(plan.queryPlanner);
    if (inject("backend") === "ferretdb") {
      expect(text).toMatch(/SEARCH \S+ USING INDEX \S+_vote_uncounted/);
      expect(text).not.toMatch(/\bSCAN\b|TEMP B-TREE/);
    } else {
      expect(text).toMatch(/vote_uncounted/);
      expect(text).not.toMatch(/COLLSCAN|"stage":"SORT"/);
    }
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
