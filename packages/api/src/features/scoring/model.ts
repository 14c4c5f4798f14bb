/** The scoring feature's collection (the fraud checks' state between arrivals) and the verdict stored on each review. */
import { Schema } from "mongoose";
import { required, nullable, collectionSchema } from "../../db/schema-options.js";

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

/**
 * A shop's last hindsight sweep (hindsight.ts): when it read the shop, so that
 * no process sweeps it again within the interval (a restart included), and
 * which of the reviews it read were recent, so that the next look can tell
 * whether the shop took any review since.
 */
export interface HindsightSweepDoc {
  /** The shop's id. */
  _id: string;
  /** When the sweep began reading the shop's reviews. */
  sweptAt: Date;
  /** The ids of the reviews it read created within SWEEP_LAG_MS of sweptAt or after; null: too many to keep, so the shop counts as having taken reviews. */
  recent: string[] | null;
  /** Reviews replayed, scores that changed, and how many of those it stored (the others had changed or gone meanwhile). */
  reviews: number;
  changed: number;
  applied: number;
}

const hindsightSweepSchema = collectionSchema<HindsightSweepDoc>("hindsight_sweeps", {
  _id: required(String),
  sweptAt: required(Date),
  recent: nullable(Schema.Types.Mixed),
  reviews: required(Number),
  changed: required(Number),
  applied: required(Number),
});

/** Its models by name (features/models.ts binds every feature's to a connection). */
export const scoringSchemas = { ScoringState: scoringStateSchema, HindsightSweep: hindsightSweepSchema };
