/**
 * Thrown for programmer errors only: a NaN rating, a negative window, a
 * weight outside 0..10000. Facts about the data (a burst, a duplicate) are
 * results, never throws.
 *
 * The message reads "<function> requires <what>, got <value>".
 */
export class ScoringInputError extends Error {
  override readonly name = "ScoringInputError";
}

/** Throws a ScoringInputError in the house format. */
export function requireInput(ok: boolean, fn: string, what: string, got: unknown): asserts ok {
  if (!ok) throw new ScoringInputError(`${fn} requires ${what}, got ${String(got)}`);
}
