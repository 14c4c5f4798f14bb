/**
 * "Was this helpful?" votes on reviews and answers.
 *
 * One vote per voter and item: the voter is a browser token (the widget keeps
 * a random one in localStorage) together with the client's address, hashed
 * with the shop and the item into the vote's `_id`, so a second vote is a
 * duplicate insert (the one atomic write on FerretDB) and neither the token
 * nor the address is stored. New votes are rate-limited per address like form
 * submissions (RateLimits.vote).
 *
 * A sudden burst counts for little: each item keeps its vote arrivals in the
 * scoring package's burst detector (pushArrival / detectBursts, the same
 * scan-statistic and CUSUM that flag review bursts), with VOTE_BURST_OPTIONS;
 * while a burst is flagged, every vote in its window counts BURST_WEIGHT_BP of
 * a vote. The item's totals keep the raw counts and the weighted ones; the
 * Wilson lower bound (wilson.ts) of the weighted ones orders MOST_HELPFUL.
 *
 * Order of writes: the vote's insert, the commit point, carrying its own
 * safety net (`uncounted`, a key of its arrival time and id, indexed); then,
 * serialized per item in this process (FerretDB's updates are not atomic,
 * MONGODB.md §2.4), the tally together with the item's totals and page keys;
 * then `counted: true` on the vote, which drops the key. A crash in between
 * leaves the vote uncounted until the same voter's retry or, at the latest,
 * the sweep (sweepUncountedVotes, every VOTE_SWEEP_MS in every process):
 * a vote still uncounted VOTE_COUNT_GRACE_MS after it arrived becomes a job on
 * the `vote-counts` lease queue (one process counts it: completeVoteCount),
 * which counts it once: the tally's recent arrivals name the votes counted.
 * The sweep is an index range of that key, as the review pages are, so it
 * costs the same however many votes there are.
 *
 * A vote's request waits for three database round trips: its reads (its
 * item, an earlier vote of this voter, the item's tally) together under the
 * item's lock, its insert, and the tally and the item written together. The
 * flag is bookkeeping, not the count: it follows the answer, written with the
 * flags of concurrent votes in one command (VoteMarks); a crash before it
 * leaves votes the sweep finds counted already (the tally's ring names them).
 * There is no job to withdraw. On the embedded database every command costs
 * milliseconds of the core it shares with the API: a vote took nine in a row
 * (p99 960 ms on the busy machine), then four, and now three.
 *
 * The vote keeps a hash of the shop and the voter's browser token (`voter`,
 * without the address), so that a shop can find one person's votes for an
 * access or erasure request (features/privacy) given the token their browser
 * keeps; the token and the address themselves are never stored.
 */
import { createHash, randomUUID } from "node:crypto";
import {
  DEFAULT_SCORING_OPTIONS,
  detectBursts,
  initialArrivalState,
  pushArrival,
  type ArrivalState,
  type ScoringOptions,
} from "@starling/scoring";
import type { LeasedJob } from "../../db/lease-queue.js";
import type { AnswerDoc } from "../questions/model.js";
import type { ReviewDoc } from "../reviews/model.js";
import type { VoteDoc, VoteTallyDoc, VoteTotals } from "./model.js";
import type { Models } from "../models.js";
import type { Logger } from "../../log.js";
import { StarlingError, invalidInput, isDuplicateKey } from "../../errors.js";
import { questionsChanged, reviewsChanged, type Deps } from "../deps.js";
import { helpfulPageKeys } from "../reviews/review-pages.js";
import { emptyTotals, wilsonLowerBound } from "./wilson.js";

export type VoteItem = "review" | "answer";

/** A vote at full weight, in basis points. */
export const FULL_WEIGHT_BP = 10_000;
/** What a vote inside a flagged burst counts for. */
export const BURST_WEIGHT_BP = 1_000;

/**
 * The review-burst detector, scaled to votes: a window of 6 hours, at least 5
 * votes to call a burst, no grace period (an item's first votes are where a
 * bought burst goes), and a baseline that forgets in 30 days.
 */
export const VOTE_BURST_OPTIONS: ScoringOptions = {
  ...DEFAULT_SCORING_OPTIONS,
  windowMs: 6 * 3_600_000,
  minWindowMs: 3_600_000,
  recentCapacity: 64,
  baselineTimeConstantMs: 30 * 86_400_000,
  graceMs: 0,
  graceReviews: 0,
  minBurstCount: 5,
};

const REVIEW_ID = /^rev_[A-Za-z0-9_]{1,64}$/;
const ANSWER_ID = /^a_[0-9a-f]{32}$/;
const VOTER_TOKEN = /^[A-Za-z0-9_-]{16,128}$/;

export interface VoteInput {
  itemType: VoteItem;
  itemId: unknown;
  helpful: unknown;
  voterToken: unknown;
}

export interface VoteResult {
  readonly itemType: VoteItem;
  readonly itemId: string;
  readonly helpful: boolean;
  /** True when this voter had voted on the item before: nothing changed (the first vote stands). */
  readonly alreadyVoted: boolean;
  readonly totals: VoteTotals;
}

const sha256 = (s: string) => createHash("sha256").update(s).digest("hex");

/** The lease queue of votes whose counting a crash may have cut short (completeVoteCount). */
export const VOTE_COUNTS_QUEUE = "vote-counts";
/** How long a vote's own request has to count it before the sweep hands it to the queue (a request takes milliseconds). */
export const VOTE_COUNT_GRACE_MS = 30_000;
/** How often each process looks for votes a crash left uncounted. */
export const VOTE_SWEEP_MS = 5_000;
/** Flags written in one command at most. */
const MAX_MARKS = 500;

/** The key of an uncounted vote that arrived at `at`; `uncountedKey(t, "")` bounds the votes that arrived before `t`. */
export function uncountedKey(at: Date, voteId: string): string {
  return `${String(Math.max(0, at.getTime())).padStart(13, "0")}.${voteId}`;
}

export interface VoteCountJob {
  readonly shopId: string;
  readonly itemType: VoteItem;
  readonly itemId: string;
}

/** What a vote stores of its voter: a hash of the shop and the browser token, never the token or the address. */
export function voterKey(shopId: string, voterToken: string): string {
  return sha256(`voter\u0000${shopId}\u0000${voterToken}`).slice(0, 32);
}

/** The voter token's shape (a random token the widget keeps). */
export function isVoterToken(value: unknown): value is string {
  return typeof value === "string" && VOTER_TOKEN.test(value);
}

/** Validates a vote and casts it once per voter; `beforeStore` (the rate limit) runs only for a new vote. */
export async function castVote(
  deps: Deps,
  shopId: string,
  ip: string,
  input: VoteInput,
  hooks: { beforeStore?: () => Promise<void> } = {},
): Promise<VoteResult> {
  if (input.itemType !== "review" && input.itemType !== "answer") throw invalidInput("itemType", "must be REVIEW or ANSWER");
  const itemId = input.itemId;
  if (typeof itemId !== "string" || !(input.itemType === "review" ? REVIEW_ID : ANSWER_ID).test(itemId)) {
    throw invalidInput("itemId", `must be the id of a ${input.itemType} as Starling issued it`);
  }
  if (typeof input.helpful !== "boolean") throw invalidInput("helpful", "must be true (helpful) or false (not helpful)");
  if (!isVoterToken(input.voterToken)) {
    throw invalidInput("voterToken", "must be 16 to 128 characters of letters, digits, - and _ (a random token the browser keeps)");
  }
  const helpful = input.helpful;
  const itemType = input.itemType;
  const voterToken = input.voterToken;
  // The whole vote under the item's lock, so the tally read with the other reads is the one counting updates.
  return deps.summaryLock.run(voteLockKey(itemType, itemId), async () => {
    const tally = readTally(deps, itemType, itemId);
    // Not awaited until storeVote has succeeded: a refusal there leaves this read unobserved.
    tally.catch(() => {});
    const stored = await storeVote(deps, shopId, ip, { itemType, itemId, helpful, voterToken }, hooks);
    const base = { itemType, itemId, helpful: stored.vote.helpful, alreadyVoted: !stored.fresh };
    if (stored.vote.counted) return { ...base, totals: stored.item.doc.votes ?? emptyTotals() };
    const { totals, weightBp } = await count(deps, stored.vote, stored.item, await tally);
    // The count is stored: the flag need not hold up the answer, and goes with the other votes' flags.
    void voteMarks(deps).flag(stored.vote._id, weightBp);
    return { ...base, totals };
  });
}

const voteLockKey = (type: VoteItem, id: string) => `votes:${type}:${id}`;

function readTally(deps: Deps, type: VoteItem, id: string): Promise<VoteTallyDoc | null> {
  return deps.models.VoteTally.findById(`${type}:${id}`).lean<VoteTallyDoc>().exec();
}

/**
 * The writes to stored votes of this process after their insert: a counted
 * vote's flag (with its weight; it drops the `uncounted` key) and a burst's new
 * weight for votes counted before it. One writer, one command at a time: the
 * marks that arrive while one is being written (concurrent votes') are written
 * together by the next, in one update per kind of mark. On FerretDB an update
 * is a read and a write back of the whole document, so two updates of one
 * vote at once could undo each other (a weight, or a flag the sweep would then
 * look at again); whoever writes elsewhere to votes that may have marks
 * waiting settles first. No mark waits longer than a turn of the event loop:
 * on the embedded database a batch held back 200 ms for company was one long
 * write that the next vote's insert queued behind (its p99 rose), while a mark
 * written at once overlaps the next vote's reads.
 */
class VoteMarks {
  private pending = new Map<string, { counted: boolean; weightBp?: number }>();
  private next: { promise: Promise<void>; resolve: () => void; reject: (e: unknown) => void } | null = null;
  private running: Promise<void> | null = null;
  private soon: NodeJS.Immediate | null = null;

  constructor(
    private readonly models: Models,
    private readonly log: Logger,
  ) {}

  /** The vote is in its item's totals: flags it with its weight; resolves once written. */
  flag(voteId: string, weightBp: number): Promise<void> {
    return this.add(voteId, { counted: true, weightBp });
  }

  /** A burst's weight for a vote counted earlier (flagged or not yet). */
  reweigh(voteId: string, weightBp: number): Promise<void> {
    return this.add(voteId, { weightBp });
  }

  /** Returns once no mark is waiting or being written. */
  async settle(): Promise<void> {
    while (this.running || this.pending.size) {
      if (this.running) await this.running;
      else this.start();
    }
  }

  private add(voteId: string, mark: { counted?: boolean; weightBp?: number }): Promise<void> {
    const before = this.pending.get(voteId);
    // The later weight wins: weights only go down, from full to a burst's.
    this.pending.set(voteId, { counted: Boolean(before?.counted || mark.counted), weightBp: mark.weightBp ?? before?.weightBp });
    if (!this.next) {
      let resolve!: () => void;
      let reject!: (e: unknown) => void;
      const promise = new Promise<void>((res, rej) => {
        resolve = res;
        reject = rej;
      });
      // A flag nobody awaits may fail: logged in start(), left to the sweep.
      promise.catch(() => {});
      this.next = { promise, resolve, reject };
    }
    const written = this.next.promise;
    // The write in progress starts the next one when it ends; otherwise the
    // next turn of the event loop does, once the vote's answer is on its way.
    if (!this.running && !this.soon) {
      this.soon = setImmediate(() => {
        this.soon = null;
        if (!this.running && this.pending.size) this.start();
      });
    }
    return written;
  }

  private start(): void {
    const batch = new Map([...this.pending].slice(0, MAX_MARKS));
    for (const id of batch.keys()) this.pending.delete(id);
    // Marks left over (more than MAX_MARKS) go with the next write, and resolve with it.
    const done = this.pending.size ? null : this.next;
    if (done) this.next = null;
    this.running = this.write(batch)
      .then(
        () => done?.resolve(),
        (error: unknown) => {
          this.log.warn("writing counted votes' flags failed; the sweep completes them", { error, votes: batch.size });
          done?.reject(error);
        },
      )
      .finally(() => {
        this.running = null;
        if (this.pending.size) this.start();
      });
  }

  private async write(batch: Map<string, { counted: boolean; weightBp?: number }>): Promise<void> {
    // One update per kind of mark (nearly always one: flags at full weight).
    const groups = new Map<string, string[]>();
    for (const [id, m] of batch) {
      const key = `${m.counted ? 1 : 0}:${m.weightBp ?? ""}`;
      groups.get(key)?.push(id) ?? groups.set(key, [id]);
    }
    await Promise.all(
      [...groups].map(([key, ids]) => {
        const [counted, weight] = key.split(":");
        const set: Record<string, unknown> = weight ? { weightBp: Number(weight) } : {};
        const update = counted === "1" ? { $set: { ...set, counted: true }, $unset: { uncounted: "" } } : { $set: set };
        return this.models.Vote.collection.updateMany({ _id: { $in: ids } } as never, update as never);
      }),
    );
  }
}

/** One writer of vote marks per database connection (deps may be copied, as tests do to move the clock). */
const marksByModels = new WeakMap<Models, VoteMarks>();
function voteMarks(deps: Deps): VoteMarks {
  let m = marksByModels.get(deps.models);
  if (!m) marksByModels.set(deps.models, (m = new VoteMarks(deps.models, deps.log)));
  return m;
}

/** Writes the counted votes' flags still waiting (before the process stops, before writing to votes elsewhere). */
export function settleVoteMarks(deps: Deps): Promise<void> {
  return voteMarks(deps).settle();
}

/**
 * The first step of a vote: its insert (the commit point), with the
 * `uncounted` key the sweep finds it by if it is never counted. Returns the
 * vote as stored (a repeat finds the first one) and its item; counting it is
 * the second step.
 */
export async function storeVote(
  deps: Deps,
  shopId: string,
  ip: string,
  input: { itemType: VoteItem; itemId: string; helpful: boolean; voterToken: string },
  hooks: { beforeStore?: () => Promise<void> } = {},
): Promise<{ vote: VoteDoc; item: Item; fresh: boolean }> {
  const { itemType, itemId } = input;
  const voteId = `v_${sha256(`${shopId}\u0000${itemType}:${itemId}\u0000${input.voterToken}\u0000${ip}`).slice(0, 32)}`;
  // Both reads at once: a vote on an item that is not there is refused all the same.
  const [item, existing] = await Promise.all([
    loadItem(deps, shopId, itemType, itemId),
    deps.models.Vote.findById(voteId).lean<VoteDoc>().exec(),
  ]);
  if (existing) return { vote: existing, item, fresh: false };
  await hooks.beforeStore?.();
  const at = deps.now();
  const vote: VoteDoc = {
    _id: voteId,
    shopId,
    itemType,
    itemId,
    helpful: input.helpful,
    at,
    counted: false,
    voter: voterKey(shopId, input.voterToken),
    // The safety net is the vote itself: from its insert on, a crash leaves it for the sweep.
    uncounted: uncountedKey(at, voteId),
  };
  try {
    await deps.models.Vote.collection.insertOne(vote as never);
  } catch (err) {
    if (!isDuplicateKey(err)) throw err;
    const stored = await deps.models.Vote.findById(voteId).lean<VoteDoc>();
    if (!stored) throw err;
    return { vote: stored, item, fresh: false };
  }
  return { vote, item, fresh: true };
}

/**
 * The votes stored more than VOTE_COUNT_GRACE_MS ago and still uncounted (the
 * process that stored one died before counting or flagging it) become
 * `vote-counts` jobs, due at once: whichever process claims one counts it
 * (completeVoteCount). A range of the `uncounted` index, oldest first; every
 * process sweeps, and a job already queued stays as it is. Returns how many
 * votes it found.
 */
export async function sweepUncountedVotes(deps: Deps, limit = 100): Promise<number> {
  const overdue = await overdueVotes(deps, limit).toArray();
  if (!overdue.length) return 0;
  const jobs = (overdue as unknown as VoteDoc[]).map((v) => ({
    id: v._id,
    payload: { shopId: v.shopId, itemType: v.itemType, itemId: v.itemId },
  }));
  await deps.queue<VoteCountJob>(VOTE_COUNTS_QUEUE).enqueueMany(jobs);
  return jobs.length;
}

/** The sweep's read: the oldest overdue votes, a range of the `uncounted` index (plain-string bounds, sorted by it). */
export function overdueVotes(deps: Deps, limit: number) {
  const before = uncountedKey(new Date(deps.now().getTime() - VOTE_COUNT_GRACE_MS), "");
  return deps.models.Vote.collection
    .find({ uncounted: { $gte: "0", $lt: before } } as never, { projection: { _id: 1, shopId: 1, itemType: 1, itemId: 1 } })
    .sort({ uncounted: 1 })
    .limit(limit);
}

/** Sweeps every `intervalMs` (sweepUncountedVotes); `found` hears when it queued work. Stopping writes the flags still waiting. */
export function startVoteSweep(
  deps: Deps,
  options: { intervalMs?: number; available?: () => boolean; found?: () => void; onError?: (error: unknown) => void } = {},
): { stop(): Promise<void> } {
  let running: Promise<void> | null = null;
  const timer = setInterval(() => {
    if (running || (options.available && !options.available())) return;
    running = sweepUncountedVotes(deps)
      .then(
        (n) => {
          if (n > 0) options.found?.();
        },
        (error: unknown) => options.onError?.(error),
      )
      .finally(() => {
        running = null;
      });
  }, options.intervalMs ?? VOTE_SWEEP_MS);
  timer.unref();
  return {
    async stop() {
      clearInterval(timer);
      await running;
      await settleVoteMarks(deps).catch(options.onError);
    },
  };
}

/**
 * The safety net's job: counts a vote its request stored but did not count
 * (the process died in between), exactly once, then leaves the queue. A vote
 * never stored or already counted needs nothing; a vote whose item is gone
 * (erased) is removed with it.
 */
export async function completeVoteCount(deps: Deps, job: LeasedJob<VoteCountJob>): Promise<void> {
  const queue = deps.queue<VoteCountJob>(VOTE_COUNTS_QUEUE);
  const vote = await deps.models.Vote.findById(job.id).lean<VoteDoc>();
  if (vote && !vote.counted) {
    const item = await findItem(deps, vote.shopId, vote.itemType, vote.itemId);
    if (!item) await deps.models.Vote.deleteOne({ _id: vote._id });
    else {
      await finish(deps, vote, item, false);
      deps.log.warn("completed an interrupted vote count", { itemType: vote.itemType, itemId: vote.itemId });
    }
  }
  await queue.complete(job);
}

export type Item = { type: "review"; doc: ReviewDoc } | { type: "answer"; doc: AnswerDoc };

async function loadItem(deps: Deps, shopId: string, type: VoteItem, id: string): Promise<Item> {
  const item = await findItem(deps, shopId, type, id);
  // Only published items take votes; any other (or another shop's) is not found, without saying which.
  if (item?.doc.status !== "published") {
    throw new StarlingError("NOT_FOUND", `This shop has no published ${type} "${id}".`, { field: "itemId" });
  }
  return item;
}

/** The item a vote is on, in any state (null when it is not, or no longer, there). */
export async function findItem(deps: Deps, shopId: string, type: VoteItem, id: string): Promise<Item | null> {
  const doc =
    type === "review"
      ? await deps.models.Review.findOne(
          { _id: id, shopId },
          { _id: 1, shopId: 1, productId: 1, rating: 1, createdAt: 1, status: 1, votes: 1 },
        ).lean<ReviewDoc>()
      : await deps.models.Answer.findOne({ _id: id, shopId }).lean<AnswerDoc>();
  if (!doc) return null;
  return type === "review" ? { type, doc: doc as ReviewDoc } : { type, doc: doc as AnswerDoc };
}

/** Counts the vote if it is not yet (a retry after a crash, the job), flags it, and answers with the item's totals. */
async function finish(deps: Deps, vote: VoteDoc, item: Item, alreadyVoted: boolean): Promise<VoteResult> {
  const base = { itemType: vote.itemType, itemId: vote.itemId, helpful: vote.helpful, alreadyVoted };
  if (vote.counted) return { ...base, totals: item.doc.votes ?? emptyTotals() };
  const totals = await deps.summaryLock.run(voteLockKey(vote.itemType, vote.itemId), async () => {
    const counted = await count(deps, vote, item, await readTally(deps, vote.itemType, vote.itemId));
    await voteMarks(deps).flag(vote._id, counted.weightBp);
    return counted.totals;
  });
  return { ...base, totals };
}

/**
 * Takes the vote into its item's tally (unless the tally's recent arrivals
 * show it counted already) and writes the tally and the item's totals
 * together: either may land without the other in a crash, and the next count
 * of this vote (a retry, the job) rewrites both from the tally. Runs under the
 * item's lock, with the tally as read under it. The vote is not flagged here.
 */
async function count(deps: Deps, vote: VoteDoc, item: Item, tally: VoteTallyDoc | null): Promise<{ totals: VoteTotals; weightBp: number }> {
  const tallyId = `${vote.itemType}:${vote.itemId}`;
  const writes: Promise<unknown>[] = [];
  const state = (tally?.arrivals as ArrivalState | undefined) ?? initialArrivalState();
  const totals: VoteTotals = tally?.totals ? { ...tally.totals } : emptyTotals();
  // Counted already (a crash before `counted: true`): the ring still holds it.
  if (!state.recent.some((a) => a.reviewId === vote._id)) {
    const entry = pushArrival(state, vote._id, vote.at.getTime(), vote.helpful ? 5 : 1, false, VOTE_BURST_OPTIONS);
    entry.weightBp = FULL_WEIGHT_BP;
    if (vote.helpful) totals.helpful += 1;
    else totals.notHelpful += 1;
    add(totals, entry.stars === 5, FULL_WEIGHT_BP);
    const alarms = detectBursts(state, VOTE_BURST_OPTIONS);
    const reweighted: string[] = [];
    if (alarms.length > 0) {
      // Every vote in a flagged window counts BURST_WEIGHT_BP, this one included.
      const from = Math.min(...alarms.map((a) => a.windowStartMs));
      for (const a of state.recent) {
        if (a.timeMs < from || a.weightBp <= BURST_WEIGHT_BP) continue;
        add(totals, a.stars === 5, BURST_WEIGHT_BP - a.weightBp);
        a.weightBp = BURST_WEIGHT_BP;
        if (a.reviewId !== vote._id) reweighted.push(a.reviewId);
      }
    }
    totals.lowerBound = wilsonLowerBound(totals.helpfulBp / FULL_WEIGHT_BP, totals.notHelpfulBp / FULL_WEIGHT_BP);
    writes.push(
      deps.models.VoteTally.collection.replaceOne({ _id: tallyId } as never, { shopId: vote.shopId, totals, arrivals: state } as never, {
        upsert: true,
      }),
    );
    // Each vote's weight, for an erasure that takes it out of the totals after it has left the ring.
    const marks = voteMarks(deps);
    for (const id of reweighted) writes.push(marks.reweigh(id, BURST_WEIGHT_BP));
  }
  const weightBp = state.recent.find((a) => a.reviewId === vote._id)?.weightBp ?? FULL_WEIGHT_BP;
  if (item.type === "review") {
    writes.push(
      deps.models.Review.collection.updateOne({ _id: item.doc._id } as never, {
        $set: { votes: totals, ...helpfulPageKeys(item.doc, totals.lowerBound) },
      }),
    );
  } else {
    writes.push(deps.models.Answer.collection.updateOne({ _id: item.doc._id } as never, { $set: { votes: totals } }));
  }
  await Promise.all(writes);
  // MOST_HELPFUL pages (and every cached page's vote counts) of the product change.
  if (item.type === "review") reviewsChanged(deps, item.doc);
  else questionsChanged(deps, item.doc);
  return { totals, weightBp };
}

function add(t: VoteTotals, helpful: boolean, bp: number): void {
  if (helpful) t.helpfulBp += bp;
  else t.notHelpfulBp += bp;
}

/**
 * A voter's votes leave their items' totals (an erasure in delete mode): each
 * item's helpful counts and weighted counts go down by the vote and its
 * weight (the tally's ring says the weight while the vote is in it, the vote
 * otherwise), under the item's lock as counting is. The vote's arrival stays
 * in the burst detector's ring (it did arrive), renamed and at weight 0 so that
 * no later burst re-weights it. A vote not yet counted is only deleted (its
 * vote-counts job then finds nothing to do). Returns how many were removed.
 */
export async function uncountVotes(deps: Deps, votes: readonly VoteDoc[]): Promise<number> {
  let removed = 0;
  for (const vote of votes) {
    await deps.summaryLock.run(voteLockKey(vote.itemType, vote.itemId), async () => {
      // A flag written after the unflagging below would make a retry take the vote out twice.
      await settleVoteMarks(deps);
      const current = await deps.models.Vote.findById(vote._id).lean<VoteDoc>();
      if (!current) return;
      const tallyId = `${current.itemType}:${current.itemId}`;
      const tally = await deps.models.VoteTally.findById(tallyId).lean<VoteTallyDoc>();
      const state = tally?.arrivals as unknown as ArrivalState | undefined;
      const entry = state?.recent.find((a) => a.reviewId === current._id);
      // In the totals: flagged counted, or in the tally's ring (a crash after the tally's write, before the flag).
      if (tally && state && (current.counted || entry)) {
        // Idempotent while the vote is in the ring: unflagged first, so an erasure
        // retried after a crash finds it by its ring entry (renamed below once its
        // count is out of the totals) and never takes it out twice.
        if (entry && current.counted) await deps.models.Vote.updateOne({ _id: current._id }, { $set: { counted: false } });
        const totals: VoteTotals = { ...tally.totals };
        const weightBp = entry ? entry.weightBp : (current.weightBp ?? FULL_WEIGHT_BP);
        if (entry) {
          (entry as { reviewId: string }).reviewId = `erased:${randomUUID()}`;
          entry.weightBp = 0;
        }
        if (current.helpful) totals.helpful = Math.max(0, totals.helpful - 1);
        else totals.notHelpful = Math.max(0, totals.notHelpful - 1);
        add(totals, current.helpful, -weightBp);
        totals.helpfulBp = Math.max(0, totals.helpfulBp);
        totals.notHelpfulBp = Math.max(0, totals.notHelpfulBp);
        totals.lowerBound = wilsonLowerBound(totals.helpfulBp / FULL_WEIGHT_BP, totals.notHelpfulBp / FULL_WEIGHT_BP);
        await deps.models.VoteTally.collection.replaceOne(
          { _id: tallyId } as never,
          { shopId: tally.shopId, totals, arrivals: state } as never,
        );
        const item = await findItem(deps, current.shopId, current.itemType, current.itemId);
        if (item?.type === "review") {
          await deps.models.Review.collection.updateOne({ _id: item.doc._id } as never, {
            $set: { votes: totals, ...helpfulPageKeys(item.doc, totals.lowerBound) },
          });
          reviewsChanged(deps, item.doc);
        } else if (item) {
          await deps.models.Answer.collection.updateOne({ _id: item.doc._id } as never, { $set: { votes: totals } });
          questionsChanged(deps, item.doc);
        }
      }
      await deps.models.Vote.deleteOne({ _id: current._id });
      removed++;
    });
  }
  return removed;
}

/**
 * A voter's votes unlinked from them (an erasure in anonymise mode): they keep
 * counting. Under their items' locks, after the marks waiting, so that no
 * flag or weight written at the same moment puts the voter's hash back.
 */
export async function unlinkVotes(deps: Deps, shopId: string, votes: readonly VoteDoc[]): Promise<void> {
  if (!votes.length) return;
  await deps.summaryLock.runAll(
    votes.map((v) => voteLockKey(v.itemType, v.itemId)),
    async () => {
      await settleVoteMarks(deps);
      await deps.models.Vote.updateMany({ shopId, _id: { $in: votes.map((v) => v._id) } }, { $set: { voter: null } });
    },
  );
}

/** The votes on items that are gone (deleted answers): the votes, their tallies and any pending counts. */
export async function dropItemVotes(deps: Deps, shopId: string, itemType: VoteItem, itemIds: readonly string[]): Promise<void> {
  if (!itemIds.length) return;
  const votes = await deps.models.Vote.find({ shopId, itemId: { $in: [...itemIds] }, itemType }, { _id: 1 }).lean<VoteDoc[]>();
  await deps.models.Vote.deleteMany({ shopId, itemId: { $in: [...itemIds] }, itemType });
  await deps.models.VoteTally.deleteMany({ _id: { $in: itemIds.map((id) => `${itemType}:${id}`) } });
  await deps.models.LeaseJob.deleteMany({ _id: { $in: votes.map((v) => `${VOTE_COUNTS_QUEUE}:${v._id}`) } });
}
