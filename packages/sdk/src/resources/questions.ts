import { makeIdempotencyKey, type Transport } from "../client.js";
import { AnswerQuestionDocument, AskQuestionDocument, ProductQuestionsDocument, VoteHelpfulDocument } from "../generated/graphql.js";
import type { Answer, HelpfulVotes, Question } from "../types.js";

/** One page of a product's questions, newest first, each with its answers. */
export interface QuestionPage {
  readonly questions: Question[];
  readonly hasNextPage: boolean;
  readonly endCursor: string | null;
  /** The page after this one, or null on the last page. */
  nextPage(): Promise<QuestionPage | null>;
}

export interface ListQuestionsOptions {
  /** Questions per page, 1 to 50. @default 10 */
  first?: number;
  /** Answers shown per question, 0 to 20. @default 5 */
  answers?: number;
  after?: string | null;
}

export interface AskQuestionInput {
  productId: string;
  body: string;
  author: { name: string };
  language?: string | null;
  idempotencyKey?: string;
}

export interface AnswerQuestionInput {
  questionId: string;
  body: string;
  author: { name: string };
  language?: string | null;
  /** A purchase invitation of the product: the answer shows as a verified buyer's. */
  invitationToken?: string | null;
  idempotencyKey?: string;
}

export interface VoteInput {
  itemType: "REVIEW" | "ANSWER";
  itemId: string;
  helpful: boolean;
  /** A random token the voter's browser keeps (16 to 128 of A-Z a-z 0-9 - _); the widget makes and keeps one. */
  voterToken: string;
}

export interface VoteResult {
  itemId: string;
  helpful: boolean;
  /** True when this voter had voted before: the first vote stands. */
  alreadyVoted: boolean;
  votes: HelpfulVotes;
}

export interface QuestionsResource {
  /**
   * A page of a product's published questions with their answers; null if the shop has no such product.
   * @example const page = await client.questions.list("camp-mug", { first: 5 })
   */
  list(productId: string, options?: ListQuestionsOptions): Promise<QuestionPage | null>;
  /** Asks a question (publishable key: as a customer). Returns it with the reviews that likely answer it. */
  ask(input: AskQuestionInput): Promise<{ question: Omit<Question, "answers">; replayed: boolean }>;
  /** Answers a question: with a secret key as the shop, with a publishable key as a customer (or verified buyer, with an invitation token). */
  answer(input: AnswerQuestionInput): Promise<{ answer: Answer; replayed: boolean }>;
  /** One voter's "was this helpful?" on a review or an answer. */
  vote(input: VoteInput): Promise<VoteResult>;
}

export function createQuestions(transport: Transport): QuestionsResource {
  const list = async (productId: string, options: ListQuestionsOptions = {}): Promise<QuestionPage | null> => {
    const data = await transport.request(ProductQuestionsDocument, {
      id: productId,
      first: options.first,
      after: options.after,
      answers: options.answers,
    });
    const connection = data.product?.questions;
    if (!connection) return null;
    const { endCursor, hasNextPage } = connection.pageInfo;
    return {
      questions: connection.edges.map((e) => e.node as Question),
      hasNextPage,
      endCursor,
      nextPage: () => (hasNextPage && endCursor ? list(productId, { ...options, after: endCursor }) : Promise.resolve(null)),
    };
  };
  return {
    list,
    async ask(input) {
      const idempotencyKey = input.idempotencyKey ?? makeIdempotencyKey();
      const data = await transport.request(AskQuestionDocument, { input: { ...input, idempotencyKey } }, { write: true, idempotencyKey });
      return data.askQuestion as { question: Omit<Question, "answers">; replayed: boolean };
    },
    async answer(input) {
      const idempotencyKey = input.idempotencyKey ?? makeIdempotencyKey();
      const data = await transport.request(
        AnswerQuestionDocument,
        { input: { ...input, idempotencyKey } },
        { write: true, idempotencyKey },
      );
      return data.answerQuestion as { answer: Answer; replayed: boolean };
    },
    async vote(input) {
      // One vote per voter and item: a retry changes nothing, so it is safe to repeat.
      const data = await transport.request(
        VoteHelpfulDocument,
        { input },
        { write: true, idempotencyKey: `vote-${input.itemId}-${input.voterToken}` },
      );
      return data.voteHelpful!;
    },
  };
}
