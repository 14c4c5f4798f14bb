/** The scoring feature's collection (the fraud checks' state between arrivals) and the verdict stored on each review. */
import { Schema } from "mongoose";
import { required, collectionSchema } from "../../db/schema-options.js";

export interface StoredScore {
  suspicion: number;
  trustWeightBp: number;
  /** The code of the reason that weighed most, for the summary's "discounted because". */
  topReason: string | null;
  /** Each reason with its numbers and a sentence for humans. */
  reasons: (Record<string, unknown> & { code: string; text: string })[];
  by: "write" | "batch";
}

/** A product's or a reviewer's fraud-scoring state (@starling/scoring), kept between arrivals. */
export interface ScoringStateDoc {
  _id: string;
  state: Record<string, unknown>;
}

const scoringStateSchema = collectionSchema<ScoringStateDoc>("scoring_states", {
  _id: required(String),
  state: required(Schema.Types.Mixed),
});

/** Its models by name (features/models.ts binds every feature's to a connection). */
export const scoringSchemas = { ScoringState: scoringStateSchema };
