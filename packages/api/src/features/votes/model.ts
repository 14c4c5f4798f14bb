/** The votes feature's collections (issue 17): helpful votes on reviews and answers, and each item's tally. */
import { Schema } from "mongoose";
import { collectionSchema, nullable, required, shopOwned } from "../../db/schema-options.js";

/** Helpful votes on a review or an answer, as shown and ordered (features/votes). */
export interface VoteTotals {
  helpful: number;
  notHelpful: number;
  /** Burst-weighted counts, in basis points of a vote (a vote in a flagged burst counts less). */
  helpfulBp: number;
  notHelpfulBp: number;
  /** Wilson lower bound on the helpful share, from the weighted counts (0 without votes). */
  lowerBound: number;
}

/** One voter's vote on one item: `_id` is a hash of the item and the voter, so a second vote collides. */
export interface VoteDoc {
  _id: string;
  shopId: string;
  itemType: "review" | "answer";
  itemId: string;
  helpful: boolean;
  at: Date;
  /** Set once the item's tally took it in (features/votes: a retry or the vote-counts job completes a vote a crash left uncounted). */
  counted: boolean;
  /** A hash of the shop and the voter's browser token (votes.ts voterKey), for access and erasure requests; null once erased. */
  voter?: string | null;
  /** What the vote counts for in its item's weighted totals, in basis points (less inside a burst); set when counted. */
  weightBp?: number;
  /**
   * `<arrival, ms, 13 digits>.<vote id>` from the insert until the vote is in its item's totals and
   * flagged counted: the vote is its own crash safety net, found by a range of this key (votes.ts
   * sweepUncountedVotes). Plain characters only (digits, '.', the id): ranges over it are pushed down
   * to SQLite's index on our FerretDB (ferretdb/patches/README.md).
   */
  uncounted?: string;
}

/** An item's vote-arrival state for burst detection (@starling/scoring's ArrivalState) and its totals. */
export interface VoteTallyDoc {
  /** `<itemType>:<itemId>`. */
  _id: string;
  shopId: string;
  totals: VoteTotals;
  arrivals: Record<string, unknown>;
}

const voteSchema = collectionSchema<VoteDoc>("votes", {
  ...shopOwned,
  itemType: { type: String, required: true, enum: ["review", "answer"] },
  itemId: required(String),
  helpful: required(Boolean),
  at: required(Date),
  counted: required(Boolean),
  voter: nullable(String),
  weightBp: { type: Number },
  uncounted: { type: String },
});
voteSchema.index({ shopId: 1, itemId: 1 }, { name: "vote_item" });
// A voter's votes, for access and erasure requests (features/privacy).
voteSchema.index({ shopId: 1, voter: 1 }, { name: "vote_voter" });
// Votes not yet counted, by arrival: the sweep after a crash reads a range of it (features/votes).
voteSchema.index({ uncounted: 1 }, { name: "vote_uncounted" });

const voteTallySchema = collectionSchema<VoteTallyDoc>("vote_tallies", {
  ...shopOwned,
  totals: required(Schema.Types.Mixed),
  arrivals: required(Schema.Types.Mixed),
});

/** Its models by name (features/models.ts binds every feature's to a connection). */
export const votesSchemas = { Vote: voteSchema, VoteTally: voteTallySchema };
