/** The questions feature's collections (issue 17): product questions and their answers. */
import { Schema } from "mongoose";
import { collectionSchema, nullable, required, shopProductOwned } from "../../db/schema-options.js";
import type { VoteTotals } from "../votes/model.js";

/** Who wrote a question or answer, as shown: a customer, the shop, or a buyer verified by an invitation. */
export type AuthorRole = "customer" | "shop" | "verified_buyer";

export interface QuestionDoc {
  /** `q_` + a hash of the shop and the submission's idempotency key: a retry collides. */
  _id: string;
  shopId: string;
  productId: string;
  body: string;
  /** `externalId` only from the shop's server (secret key), never shown. */
  author: { name: string; externalId: string | null };
  language: string | null;
  source: "api" | "form";
  status: "published" | "pending" | "rejected";
  createdAt: Date;
  payloadHash: string;
  /** `<product hash>.<countdown>.<id>`: the newest-first page key (features/questions). */
  pageNewest: string;
  /** Up to three published reviews of the product that likely answer it (BM25), chosen when asked. */
  relatedReviewIds: string[];
}

export interface AnswerDoc {
  /** `a_` + a hash of the shop and the submission's idempotency key. */
  _id: string;
  shopId: string;
  productId: string;
  questionId: string;
  body: string;
  author: { name: string; role: AuthorRole; externalId: string | null };
  /** The invitation that made the author a verified buyer; null otherwise. */
  verification: { method: "invitation"; invitationId: string } | null;
  language: string | null;
  source: "api" | "form";
  status: "published" | "pending" | "rejected";
  createdAt: Date;
  payloadHash: string;
  /** `<question id>.<time, ascending>.<id>`: a question's answers oldest first, by range. */
  pageKey: string;
  votes: VoteTotals | null;
}

/** What questions and answers store alike: how they came, where they stand, and the replay guard's hash. */
const postFields = {
  language: nullable(String),
  source: { type: String, required: true, enum: ["api", "form"] },
  status: { type: String, required: true, enum: ["published", "pending", "rejected"] },
  createdAt: required(Date),
  payloadHash: required(String),
} as const;

const questionSchema = collectionSchema<QuestionDoc>("questions", {
  ...shopProductOwned,
  body: required(String),
  author: { name: required(String), externalId: nullable(String) },
  ...postFields,
  pageNewest: required(String),
  relatedReviewIds: { type: [String], default: [] },
});
// Pages by range on one key, as review pages (pushed down to SQLite on FerretDB).
questionSchema.index({ pageNewest: 1 }, { name: "question_page" });
questionSchema.index({ shopId: 1, status: 1, createdAt: -1 }, { name: "question_shop_status" });

const answerSchema = collectionSchema<AnswerDoc>("answers", {
  ...shopProductOwned,
  questionId: required(String),
  body: required(String),
  author: {
    name: required(String),
    role: { type: String, required: true, enum: ["customer", "shop", "verified_buyer"] },
    externalId: nullable(String),
  },
  verification: { type: { method: String, invitationId: String }, default: null, _id: false },
  ...postFields,
  pageKey: required(String),
  votes: nullable(Schema.Types.Mixed),
});
answerSchema.index({ pageKey: 1 }, { name: "answer_page" });

/** Its models by name (features/models.ts binds every feature's to a connection). */
export const questionsSchemas = { Question: questionSchema, Answer: answerSchema };
