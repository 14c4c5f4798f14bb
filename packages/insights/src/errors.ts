/**
 * Thrown for programmer errors only (a review without text, a date that is
 * not a date, a window of -3 days). What the text says is a result, never a
 * throw. The message reads "<function> requires <what>, got <value>", as in
 * @starling/scoring; the API maps it to its INVALID_INPUT StarlingError.
 */
export class InsightsInputError extends Error {
  override readonly name = "InsightsInputError";
  readonly code = "INVALID_INPUT";
}

/** Throws an InsightsInputError in the house format. */
export function requireInput(ok: boolean, fn: string, what: string, got: unknown): asserts ok {
  if (!ok)
    throw new InsightsInputError(`${fn} requires ${what}, got ${typeof got === "string" ? JSON.stringify(got.slice(0, 40)) : String(got)}`);
}
