/**
 * Helpful votes in the schema: `helpfulVotes` on reviews and answers, and
 * voteHelpful. (Reviews' MOST_HELPFUL order is in the reviews' schema.)
 */
import type { ObjectRef } from "@pothos/core";
import { type Builder, enumOf, expose, inputFields, mutationOfInput, required, scalar, type Types } from "../../graphql/builder.js";
import type { VoteTotals } from "./model.js";
import { rateLimited } from "../../errors.js";
import type { Review } from "../reviews/review.js";
import type { Answer } from "../questions/questions.js";
import { FULL_WEIGHT_BP, castVote, type VoteItem, type VoteResult } from "./votes.js";
import { emptyTotals } from "./wilson.js";

export function addVoteSchema(builder: Builder, refs: { ReviewRef: ObjectRef<Types, Review>; AnswerRef: ObjectRef<Types, Answer> }): void {
  const HelpfulVotes = builder.objectRef<VoteTotals>("HelpfulVotes").implement({
    description:
      'Answers to "was this helpful?". A vote in a sudden burst of votes on the item counts a tenth of a vote in `score` (the counts show every vote).',
    fields: (t) =>
      expose(
        t,
        {
          helpful: scalar.Int("Votes that it was helpful."),
          notHelpful: scalar.Int("Votes that it was not helpful."),
        },
        {
          score: t.float({
            description:
              "The lower bound of the 95 % Wilson interval of the helpful share, from the burst-weighted votes (0 without votes): what MOST_HELPFUL orders by, so 3 of 3 ranks below 80 of 100.",
            resolve: (v) => v.lowerBound,
          }),
          weightedHelpful: t.float({
            description: "Helpful votes as counted in `score` (burst-weighted).",
            resolve: (v) => v.helpfulBp / FULL_WEIGHT_BP,
          }),
          weightedNotHelpful: t.float({
            description: "Not-helpful votes as counted in `score` (burst-weighted).",
            resolve: (v) => v.notHelpfulBp / FULL_WEIGHT_BP,
          }),
        },
      ),
  });

  const helpfulVotes = { type: HelpfulVotes, description: "Helpful votes on it." } as const;
  builder.objectFields(refs.ReviewRef, (t) => ({
    helpfulVotes: t.field({ ...helpfulVotes, resolve: (r) => r.votes ?? emptyTotals() }),
  }));
  builder.objectFields(refs.AnswerRef, (t) => ({
    helpfulVotes: t.field({ ...helpfulVotes, resolve: (a) => a.votes }),
  }));

  const ItemEnum = enumOf(
    builder,
    "VoteItemType",
    "What a helpful vote is about.",
    {
      REVIEW: "A published review.",
      ANSWER: "A published answer.",
    },
    "lowercase",
  );

  const VoteInput = builder.inputType("VoteHelpfulInput", {
    description: "One voter's vote on one review or answer.",
    fields: (t) =>
      inputFields(t, {
        itemType: required.of(ItemEnum, "A review or an answer."),
        itemId: required.ID("Its id (rev_… or a_…)."),
        helpful: required.Boolean("True: helpful; false: not helpful."),
        voterToken: required.String(
          "A random token (16 to 128 of A-Z a-z 0-9 - _) the voter's browser keeps; with the client's address it makes the voter, one vote per item. Neither is stored, only a hash.",
        ),
      }),
  });

  const VotePayload = builder.objectRef<VoteResult>("VoteHelpfulPayload").implement({
    description: "The vote and the item's votes now.",
    fields: (t) =>
      expose(
        t,
        {
          itemId: scalar.ID("The review or answer voted on."),
          helpful: scalar.Boolean("The vote that counts: this one, or this voter's earlier one."),
          alreadyVoted: scalar.Boolean("True when this voter had voted on it before: nothing changed (one vote per voter)."),
        },
        {
          votes: t.field({ type: HelpfulVotes, description: "The item's votes, including this one.", resolve: (v) => v.totals }),
        },
      ),
  });

  builder.mutationField("voteHelpful", (t) =>
    mutationOfInput(t, {
      type: VotePayload,
      description:
        "Records one voter's helpful / not-helpful vote on a published review or answer; a second vote by the same voter changes nothing. Needs FORM_SUBMIT (the publishable key of the widget). New votes are limited per address (STARLING_RATE_VOTES_PER_HOUR_PER_IP). Errors: INVALID_INPUT, NOT_FOUND, RATE_LIMITED.",
      inputType: VoteInput,
      input: "The vote.",
      resolve: async (input, ctx) => {
        const shop = await ctx.authorize("form:submit");
        return castVote(
          ctx.deps,
          shop.id,
          ctx.ip,
          { ...input, itemType: input.itemType as VoteItem, itemId: String(input.itemId) },
          {
            beforeStore: async () => {
              if (ctx.refusal) throw rateLimited(ctx.refusal);
              const refusal = await ctx.rateLimits.vote(ctx.ip, shop.id);
              if (refusal) throw rateLimited(refusal);
            },
          },
        );
      },
    }),
  );
}
