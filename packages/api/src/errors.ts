import { MongoBulkWriteError } from "mongodb";
import { GraphQLError } from "graphql";

/**
 * Every error code a client can see: its HTTP status and what it means. This
 * table is the one definition: the SDK's code→status map
 * (packages/sdk/src/generated/error-codes.ts) and the README's errors section
 * are generated from it (`sh scripts/pnpm.sh --filter @starling/api run errors`),
 * and test/error-table.test.ts fails while either is stale or while the
 * source can return a code missing here. A new code is one line.
 *
 * The status is the HTTP status of the answer when the error ends a request
 * before GraphQL execution (429, 413, 415, 503, …); a GraphQL error from a
 * resolver is answered with HTTP 200 and the SDK maps its code to this status.
 * Every failure a client can act on has its code in `extensions.code`; input
 * failures also name the offending field. Anything that is not a StarlingError
 * is unexpected and gets masked as INTERNAL_SERVER_ERROR.
 */
export const ERROR_CODES = {
  GRAPHQL_PARSE_FAILED: { status: 400, meaning: "The query is not valid GraphQL syntax." },
  GRAPHQL_VALIDATION_FAILED: {
    status: 400,
    meaning: "The query does not fit the schema, or is over the depth, cost, alias, directive or token limits.",
  },
  BAD_REQUEST: {
    status: 400,
    meaning: "The HTTP request is not a GraphQL request: a body that is not JSON, a batch, no query (405 for a mutation sent by GET).",
  },
  OPERATION_RESOLUTION_FAILURE: { status: 400, meaning: "The document has no operation to run, or not the one `operationName` names." },
  UNAUTHENTICATED: { status: 401, meaning: "No API key, or an unknown or revoked one." },
  FORBIDDEN: { status: 403, meaning: "The key lacks a scope; `extensions.requiredScopes` names them as the ApiKeyScope enum does." },
  CSRF_REJECTED: {
    status: 403,
    meaning: "A dashboard request with the session cookie lacked the session's CSRF token or came from another origin.",
  },
  ORIGIN_NOT_ALLOWED: { status: 403, meaning: "A secret key was sent from a browser origin the shop has not allowed (`allowedOrigins`)." },
  NOT_FOUND: { status: 404, meaning: "The shop has no such review, key or other object." },
  PRODUCT_NOT_FOUND: { status: 404, meaning: "The shop has no product with this id; create it with putProduct." },
  IDEMPOTENCY_KEY_REUSED: { status: 409, meaning: "The idempotency key was used before for a different review." },
  INVALID_TRANSITION: { status: 409, meaning: "The review is not in a state this moderation action applies to, or changed meanwhile." },
  KEY_REVOKED: { status: 409, meaning: "The key is already revoked and cannot be rotated; issue a new one." },
  INVITATION_USED: { status: 409, meaning: "The invitation was already used for a review." },
  REVIEW_ERASED: {
    status: 409,
    meaning: "The review of this idempotency key (or invitation) was erased at the reviewer's request: it is never stored again.",
  },
  QA_ERASED: {
    status: 409,
    meaning: "The question or answer of this idempotency key was erased at its author's request: it is never stored again.",
  },
  LAST_KEY: { status: 409, meaning: "Revoking this key would leave the shop without a key that can manage keys." },
  REQUEST_TOO_LARGE: { status: 413, meaning: "The request body is over 128 KB." },
  UNSUPPORTED_MEDIA_TYPE: { status: 415, meaning: "The body's Content-Type is not one GraphQL over HTTP accepts (use application/json)." },
  INVALID_INPUT: { status: 422, meaning: "An argument is malformed; `extensions.field` names it." },
  MALFORMED_ROW: {
    status: 422,
    meaning:
      "An import row could not be read: a JSONL line that is not a JSON object, or a CSV record that does not parse (see `starling import`).",
  },
  INVALID_CURSOR: { status: 422, meaning: "The cursor is not one Starling issued for this list and order." },
  INVALID_INVITATION: { status: 422, meaning: "The invitation token is forged, altered, for another shop or product, or deleted." },
  INVITATION_EXPIRED: { status: 422, meaning: "The invitation's time ran out." },
  RATE_LIMITED: { status: 429, meaning: "Over a rate limit; retry after `Retry-After` seconds." },
  INTERNAL_SERVER_ERROR: { status: 500, meaning: "Unexpected: the details are logged, never sent; quote the `x-request-id` header." },
  DATABASE_UNAVAILABLE: {
    status: 503,
    meaning: "The database does not answer; retry after `Retry-After` (writes with the same idempotency key).",
  },
} as const satisfies Record<string, { status: number; meaning: string }>;

export type ErrorCode = keyof typeof ERROR_CODES;

/** The error body this server writes itself (before GraphQL): one error, its code, and the table's status. */
export function errorBody(code: ErrorCode, message: string, extensions: Record<string, unknown> = {}): string {
  return JSON.stringify({ errors: [{ message, extensions: { code, ...extensions } }] });
}

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
  return new StarlingError("RATE_LIMITED", `Too many requests: over the limit of ${refusal.limit}. Retry after ${refusal.retryAfter} s.`, {
    retryAfter: refusal.retryAfter,
    http: { status: 429, headers: { "Retry-After": String(refusal.retryAfter) } },
  });
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
