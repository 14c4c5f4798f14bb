import { MongoBulkWriteError } from "mongodb";
import { GraphQLError } from "graphql";

/**
 * Every error code a client can see: its HTTP status and what it means. This
 * table is the one definition: the SDK's code→status map
 * (packages/sdk/src/generated/error-codes.ts) and the README's errors section
 * are generated from it (`sh scripts/pnpm.sh --filter @starling/api run errors`),
 * and test/error-table.test.ts fails while either is stale or while the
 * source can return a code missing here. A new code is one line, under its
 * HTTP status (numeric keys enumerate in ascending order, so the generated
 * table lists codes by status, as it always has).
 *
 * The status is the HTTP status of the answer when the error ends a request
 * before GraphQL execution (429, 413, 415, 503, …); a GraphQL error from a
 * resolver is answered with HTTP 200 and the SDK maps its code to this status.
 * Every failure a client can act on has its code in `extensions.code`; input
 * failures also name the offending field. Anything that is not a StarlingError
 * is unexpected and gets masked as INTERNAL_SERVER_ERROR.
 */
const ERRORS_BY_STATUS = {
  400: {
    GRAPHQL_PARSE_FAILED: "The query is not valid GraphQL syntax.",
    GRAPHQL_VALIDATION_FAILED: "The query does not fit the schema, or is over the depth, cost, alias, directive or token limits.",
    BAD_REQUEST: "The HTTP request is not a GraphQL request: a body that is not JSON, a batch, no query (405 for a mutation sent by GET).",
    OPERATION_RESOLUTION_FAILURE: "The document has no operation to run, or not the one `operationName` names.",
  },
  401: {
    UNAUTHENTICATED: "No API key, or an unknown or revoked one.",
  },
  403: {
    FORBIDDEN: "The key lacks a scope; `extensions.requiredScopes` names them as the ApiKeyScope enum does.",
    CSRF_REJECTED: "A dashboard request with the session cookie lacked the session's CSRF token or came from another origin.",
    ORIGIN_NOT_ALLOWED: "A secret key was sent from a browser origin the shop has not allowed (`allowedOrigins`).",
  },
  404: {
    NOT_FOUND: "The shop has no such review, key or other object.",
    PRODUCT_NOT_FOUND: "The shop has no product with this id; create it with putProduct.",
  },
  409: {
    IDEMPOTENCY_KEY_REUSED: "The idempotency key was used before for a different review.",
    INVALID_TRANSITION: "The review is not in a state this moderation action applies to, or changed meanwhile.",
    KEY_REVOKED: "The key is already revoked and cannot be rotated; issue a new one.",
    INVITATION_USED: "The invitation was already used for a review.",
    REVIEW_ERASED: "The review of this idempotency key (or invitation) was erased at the reviewer's request: it is never stored again.",
    QA_ERASED: "The question or answer of this idempotency key was erased at its author's request: it is never stored again.",
    LAST_KEY: "Revoking this key would leave the shop without a key that can manage keys.",
  },
  413: {
    REQUEST_TOO_LARGE: "The request body is over 128 KB.",
  },
  415: {
    UNSUPPORTED_MEDIA_TYPE: "The body's Content-Type is not one GraphQL over HTTP accepts (use application/json).",
  },
  422: {
    INVALID_INPUT: "An argument is malformed; `extensions.field` names it.",
    MALFORMED_ROW:
      "An import row could not be read: a JSONL line that is not a JSON object, or a CSV record that does not parse (see `starling import`).",
    INVALID_CURSOR: "The cursor is not one Starling issued for this list and order.",
    INVALID_INVITATION: "The invitation token is forged, altered, for another shop or product, or deleted.",
    INVITATION_EXPIRED: "The invitation's time ran out.",
  },
  429: {
    RATE_LIMITED: "Over a rate limit; retry after `Retry-After` seconds.",
  },
  500: {
    INTERNAL_SERVER_ERROR: "Unexpected: the details are logged, never sent; quote the `x-request-id` header.",
  },
  503: {
    DATABASE_UNAVAILABLE: "The database does not answer; retry after `Retry-After` (writes with the same idempotency key).",
  },
} as const;

type ByStatus = typeof ERRORS_BY_STATUS;
export type ErrorCode = { [S in keyof ByStatus]: keyof ByStatus[S] }[keyof ByStatus];

export const ERROR_CODES = Object.fromEntries(
  Object.entries(ERRORS_BY_STATUS).flatMap(([status, codes]) =>
    Object.entries(codes).map(([code, meaning]) => [code, { status: Number(status), meaning }]),
  ),
) as Record<ErrorCode, { status: number; meaning: string }>;

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
