import { MongoBulkWriteError } from "mongodb";
import { GraphQLError } from "graphql";

/**
 * Every failure a client can act on has a machine-readable code in
 * `extensions.code`; input failures also name the offending field.
 * Anything that is not a StarlingError is unexpected and gets masked.
 */
export type ErrorCode =
  | "UNAUTHENTICATED"
  | "FORBIDDEN"
  | "NOT_FOUND"
  | "KEY_REVOKED"
  | "INVALID_INPUT"
  | "PRODUCT_NOT_FOUND"
  | "IDEMPOTENCY_KEY_REUSED"
  /** The review of this idempotency key (or invitation) was erased at the reviewer's request: it is never stored again. */
  | "REVIEW_ERASED"
  /** Revoking this key would leave the shop without a key that can manage keys. */
  | "LAST_KEY"
  | "INVALID_CURSOR"
  | "INVALID_TRANSITION"
  | "INVALID_INVITATION"
  | "INVITATION_EXPIRED"
  | "INVITATION_USED"
  | "RATE_LIMITED"
  | "DATABASE_UNAVAILABLE";

export class StarlingError extends GraphQLError {
  readonly code: ErrorCode;

  constructor(code: ErrorCode, message: string, details: Record<string, unknown> = {}) {
    super(message, { extensions: { code, ...details } });
    this.name = "StarlingError";
    this.code = code;
  }
}

export function invalidInput(field: string, message: string): StarlingError {
  return new StarlingError("INVALID_INPUT", `${field}: ${message}`, { field });
}

/** A 429 with Retry-After: Yoga turns `extensions.http` into the response's status and headers. */
export function rateLimited(refusal: { limit: string; retryAfter: number }): StarlingError {
  return new StarlingError(
    "RATE_LIMITED",
    `Too many requests: over the limit of ${refusal.limit}. Retry after ${refusal.retryAfter} s.`,
    { retryAfter: refusal.retryAfter, http: { status: 429, headers: { "Retry-After": String(refusal.retryAfter) } } },
  );
}

/**
 * The operations of a bulk write that failed on a duplicate key, when that is
 * all that went wrong; null for any other error. A bulk error without
 * per-operation errors wraps a failed command (a server shutting down, say),
 * after which nothing is known to have been written: it is not a success.
 */
export function duplicateKeyFailures(err: unknown): Set<number> | null {
  if (!(err instanceof MongoBulkWriteError)) return null;
  const failed = ([] as { index: number; code?: number }[]).concat((err.writeErrors ?? []) as never);
  if (!failed.length || failed.some((e) => !isDuplicateKey(e))) return null;
  return new Set(failed.map((e) => e.index));
}

/** MongoDB's duplicate-key code; FerretDB gives no index name with it, so callers read back. */
export function isDuplicateKey(err: unknown): boolean {
  return typeof err === "object" && err !== null && (err as { code?: unknown }).code === 11000;
}
