import type { Models } from "../db/models.js";
import { KeyedLock } from "../db/keyed-lock.js";
import { SignatureIndexes } from "./scoring.js";
import { createLogger, type Logger } from "../log.js";

/** What the domain functions need; built once per process in starling.ts. */
export interface Deps {
  readonly models: Models;
  /** Serializes writes to each summary document (see KeyedLock). */
  readonly summaryLock: KeyedLock;
  /** The default prior strength, until `recompute --rescore` fits one per shop. */
  readonly priorStrength: number;
  /** Recent review texts per shop, for the near-duplicate check. */
  readonly signatures: SignatureIndexes;
  readonly log: Logger;
  readonly now: () => Date;
}

/** Deps over a set of models, with a fresh write queue and text index (one per process). */
export function createDeps(models: Models, priorStrength: number, log: Logger = createLogger("error")): Deps {
  return { models, summaryLock: new KeyedLock(), priorStrength, signatures: new SignatureIndexes(), log, now: () => new Date() };
}
