import { ERROR_CODES } from "./generated/error-codes.js";

export { ERROR_CODES, type ErrorCode } from "./generated/error-codes.js";

/**
 * Every failure the SDK reports is a StarlingError. API failures are APIError
 * subclasses chosen by HTTP status, or, when the API answers 200 with a GraphQL
 * error, by its `extensions.code`; each carries the code and the request id to
 * quote in a support ticket.
 */

/** One GraphQL error as the API sent it. */
export interface GraphQLErrorInfo {
  message: string;
  path?: readonly (string | number)[];
  extensions?: { code?: string; field?: string; [key: string]: unknown };
}

/** The root of every error this SDK throws. */
export class StarlingError extends Error {
  override name = "StarlingError";
}

/** The API answered, with a failure. */
export class APIError extends StarlingError {
  override name = "APIError";
  /** HTTP status the failure maps to (from the response, or from the GraphQL code when the response was 200). */
  readonly status: number | undefined;
  /** GraphQL `extensions.code`, e.g. "INVALID_INPUT"; undefined when the API sent none. */
  readonly code: string | undefined;
  /** The API's `x-request-id` response header: quote it when you report a problem. */
  readonly requestId: string | null;
  /** Every GraphQL error in the response (the message above is the first one's). */
  readonly errors: readonly GraphQLErrorInfo[];

  constructor(
    message: string,
    init: { status?: number | undefined; code?: string | undefined; requestId: string | null; errors?: readonly GraphQLErrorInfo[] },
  ) {
    super(message);
    this.status = init.status;
    this.code = init.code;
    this.requestId = init.requestId;
    this.errors = init.errors ?? [];
  }
}

/**
 * The APIError of one kind of failure (an HTTP status): a class of its own, so
 * that `instanceof` tells the kinds apart, named by a string (not its class's
 * name, which a minifier renames).
 */
function apiErrorKind(className: string): typeof APIError {
  return class extends APIError {
    override name = className;
  };
}

/** 400: the request itself is malformed (GRAPHQL_PARSE_FAILED, GRAPHQL_VALIDATION_FAILED, query limits). */
export class BadRequestError extends apiErrorKind("BadRequestError") {}
/** 401: no key, or an unknown or revoked one (UNAUTHENTICATED). */
export class AuthenticationError extends apiErrorKind("AuthenticationError") {}
/** 403: the key lacks a scope (FORBIDDEN), e.g. a publishable key writing products, or a secret key from a browser origin the shop has not allowed (ORIGIN_NOT_ALLOWED). */
export class PermissionDeniedError extends apiErrorKind("PermissionDeniedError") {}
/** 404: NOT_FOUND, PRODUCT_NOT_FOUND. */
export class NotFoundError extends apiErrorKind("NotFoundError") {}
/** 409: IDEMPOTENCY_KEY_REUSED (the key was used for a different review), INVALID_TRANSITION, KEY_REVOKED (rotating a revoked key), INVITATION_USED. */
export class ConflictError extends apiErrorKind("ConflictError") {}
/** 422: INVALID_INPUT, INVALID_CURSOR, INVALID_INVITATION or INVITATION_EXPIRED; `field` names the input field, e.g. "title" or "reviewer.name". */
export class InvalidInputError extends apiErrorKind("InvalidInputError") {
  /** The offending input field as the API names it ("rating", "title", "body", "reviewer.name", …). */
  get field(): string | undefined {
    const field = this.errors[0]?.extensions?.field;
    return typeof field === "string" ? field : undefined;
  }
  /** Every offending field, when the API reported several. */
  get fields(): string[] {
    return this.errors.flatMap((e) => (typeof e.extensions?.field === "string" ? [e.extensions.field] : []));
  }
}
/** 429: too many requests. Retried automatically while `retryAfterMs` is at most 60 s. */
export class RateLimitError extends apiErrorKind("RateLimitError") {
  /** How long the API asked us to wait (Retry-After), in ms; null if it did not say. */
  readonly retryAfterMs: number | null;
  constructor(message: string, init: ConstructorParameters<typeof APIError>[1] & { retryAfterMs: number | null }) {
    super(message, init);
    this.retryAfterMs = init.retryAfterMs;
  }
}
/** >= 500, or INTERNAL_SERVER_ERROR: the API failed; quote `requestId`. */
export class InternalServerError extends apiErrorKind("InternalServerError") {}

/** No answer: DNS, refused or reset connection, or the response was not JSON from a Starling API. */
export class APIConnectionError extends StarlingError {
  override name = "APIConnectionError";
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
  }
}
/** No answer within `timeoutMs`. */
export class APIConnectionTimeoutError extends APIConnectionError {
  override name = "APIConnectionTimeoutError";
}

/**
 * GraphQL codes → the HTTP status they stand for, when the API answered 200:
 * the API's own error table (packages/api/src/errors.ts), generated into this
 * package so the SDK has no run-time dependency on the API.
 */
const CODE_STATUS: Readonly<Record<string, number>> = Object.fromEntries(Object.entries(ERROR_CODES).map(([code, e]) => [code, e.status]));

const STATUS_CLASS: [number, typeof APIError][] = [
  [400, BadRequestError],
  [401, AuthenticationError],
  [403, PermissionDeniedError],
  [404, NotFoundError],
  [409, ConflictError],
  [422, InvalidInputError],
];

/** Builds the right APIError subclass for a failed response. */
export function makeAPIError(
  httpStatus: number,
  errors: readonly GraphQLErrorInfo[],
  requestId: string | null,
  retryAfterMs: number | null,
): APIError {
  const code = errors[0]?.extensions?.code;
  const codeStatus = code ? CODE_STATUS[code] : undefined;
  // A GraphQL failure usually arrives with HTTP 200; its code says what it is.
  // When both exist, the code picks the class (a 400 INVALID_INPUT is still an input error).
  const status = httpStatus >= 400 ? httpStatus : codeStatus;
  const kind = codeStatus ?? status;
  const message = errors[0]?.message ?? `HTTP ${httpStatus}`;
  const init = { status, code, requestId, errors };
  if (kind === 429) return new RateLimitError(message, { ...init, retryAfterMs });
  if (kind !== undefined && kind >= 500) return new InternalServerError(message, init);
  const Class = STATUS_CLASS.find(([s]) => s === kind)?.[1] ?? APIError;
  return new Class(message, init);
}
