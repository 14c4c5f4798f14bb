/**
 * The SDK maps every code the API can answer with (the API's error table,
 * generated into src/generated/error-codes.ts) to its HTTP status and error
 * class; the API's test/error-table.test.ts checks the generated copy is current.
 */
import { describe, expect, it } from "vitest";
import {
  APIError,
  AuthenticationError,
  BadRequestError,
  ConflictError,
  ERROR_CODES,
  InternalServerError,
  InvalidInputError,
  NotFoundError,
  PermissionDeniedError,
  RateLimitError,
  makeAPIError,
} from "../src/errors.js";

const CLASS_BY_STATUS: Record<number, typeof APIError> = {
  400: BadRequestError,
  401: AuthenticationError,
  403: PermissionDeniedError,
  404: NotFoundError,
  409: ConflictError,
  422: InvalidInputError,
  429: RateLimitError,
  500: InternalServerError,
  503: InternalServerError,
};

describe("the SDK's error mapping", () => {
  it.each(Object.entries(ERROR_CODES))("maps %s, sent with HTTP 200, to its status and class", (code, { status }) => {
    const error = makeAPIError(200, [{ message: "m", extensions: { code } }], "req-1", null);
    expect(error.code).toBe(code);
    expect(error.status).toBe(status);
    expect(error).toBeInstanceOf(CLASS_BY_STATUS[status] ?? APIError);
    expect(error.requestId).toBe("req-1");
  });

  it("maps the codes issue 12 found unmapped or mis-mapped", () => {
    const kind = (code: string) => makeAPIError(200, [{ message: "m", extensions: { code } }], null, null);
    expect(kind("KEY_REVOKED")).toBeInstanceOf(ConflictError);
    expect(kind("KEY_REVOKED")).not.toBeInstanceOf(AuthenticationError);
    expect(kind("INVALID_TRANSITION")).toBeInstanceOf(ConflictError);
    expect(kind("INVITATION_USED")).toBeInstanceOf(ConflictError);
    expect(kind("INVALID_INVITATION")).toBeInstanceOf(InvalidInputError);
    expect(kind("INVITATION_EXPIRED")).toBeInstanceOf(InvalidInputError);
    expect(kind("DATABASE_UNAVAILABLE")).toBeInstanceOf(InternalServerError);
    expect(kind("ORIGIN_NOT_ALLOWED")).toBeInstanceOf(PermissionDeniedError);
  });
});
