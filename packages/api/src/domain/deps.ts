import type { Models } from "../db/models.js";
import type { KeyedLock } from "../db/keyed-lock.js";

/** What the domain functions need; built once per process in starling.ts. */
export interface Deps {
  readonly models: Models;
  /** Serializes writes to each summary document (see KeyedLock). */
  readonly summaryLock: KeyedLock;
  readonly priorStrength: number;
  readonly now: () => Date;
}
