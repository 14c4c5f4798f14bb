/**
 * GET /export/reviews: the calling shop's reviews as JSON Lines, streamed
 * (`starling export` reads it), or as CSV with `?format=csv` (the columns
 * and cells of `starling export --format csv`). A secret key with
 * REVIEWS_MODERATE, or the dashboard's session (see sessionCaller): the
 * export holds unpublished reviews and customer ids. Streamed with
 * back-pressure, a database batch at a time, so the server's memory stays
 * flat for a shop of any size; a failure after the first line cuts the
 * response off (no final chunk), which the client reports as an error.
 */
import { once } from "node:events";
import { timingSafeEqual } from "node:crypto";
import { stringify } from "csv-stringify/sync";
import type { NextFunction, Request, Response } from "express";
import { DATABASE_RETRY_AFTER_S, DATABASE_UNAVAILABLE_MESSAGE, isDatabaseUnavailable } from "../db/availability.js";
import { ERROR_CODES, StarlingError, errorBody, rateLimited } from "../errors.js";
import type { Deps } from "../features/deps.js";
import { countShopReviews, exportLines } from "../features/imports/exports.js";
import { authenticate, requireScope } from "../features/shops/keys.js";
import type { Caller } from "../features/shops/caller.js";
import { CSRF_HEADER, csrfToken, findSession, sameOrigin, sessionIdFromCookie } from "../features/dashboard/sessions.js";
import { csvRecords } from "../client/export.js";
import { EXPORT_FIELDS } from "../client/rows.js";
import type { RateLimits } from "../graphql/context.js";

export function exportHandler(deps: Deps, rateLimits: RateLimits, ipOf: (req: Request) => string) {
  return async (req: Request, res: Response, next: NextFunction): Promise<void> => {
    try {
      const authorization = req.headers.authorization ?? null;
      const refusal = await rateLimits.request(ipOf(req), authorization);
      if (refusal) throw rateLimited(refusal);
      const format = req.query.format ?? "jsonl";
      if (format !== "jsonl" && format !== "csv") {
        throw new StarlingError("INVALID_INPUT", "format: jsonl or csv.", { field: "format" });
      }
      // A key when one is sent (the CLI); else the dashboard's cookie; else the key's own UNAUTHENTICATED.
      const sessionId = authorization === null ? sessionIdFromCookie(req.headers.cookie) : null;
      const caller = sessionId ? await sessionCaller(deps, req, sessionId) : await authenticate(deps, authorization);
      const shop = requireScope(caller, "reviews:moderate");
      const expected = await countShopReviews(deps, shop.id);
      res.status(200);
      res.setHeader("content-type", format === "csv" ? "text/csv; charset=utf-8; header=present" : "application/x-ndjson; charset=utf-8");
      res.setHeader("content-disposition", `attachment; filename="reviews-${shop.id.replace(/[^A-Za-z0-9_-]/g, "_")}.${format}"`);
      // Never rendered or run as anything else (a foreign page's <script src> gets no cookie anyway: SameSite=Strict).
      res.setHeader("x-content-type-options", "nosniff");
      res.setHeader("cache-control", "no-store");
      // For the client's progress bar; reviews written meanwhile may make the export longer.
      res.setHeader("x-starling-review-count", String(expected));
      res.flushHeaders();
      if (format === "csv") res.write(stringify([[...EXPORT_FIELDS]]));
      const text = (lines: object[]) =>
        format === "csv" ? csvRecords(lines as Record<string, unknown>[]) : lines.map((l) => `${JSON.stringify(l)}\n`).join("");
      for await (const lines of exportLines(deps, shop.id)) {
        if (res.destroyed) return; // the client left: leaving the loop ends the generator, and its reads
        if (!res.write(text(lines))) {
          // The waits are dropped once one ends: left behind, each would keep its listeners on `res` until it closes.
          const waited = new AbortController();
          await Promise.race([once(res, "drain", { signal: waited.signal }), once(res, "close", { signal: waited.signal })]).finally(() =>
            waited.abort(),
          );
        }
      }
      res.end();
    } catch (err) {
      if (err instanceof StarlingError && !res.headersSent) {
        const status = ERROR_CODES[err.code].status;
        const { http: _http, code: _code, ...extensions } = err.extensions as Record<string, unknown>;
        if (typeof extensions.retryAfter === "number") res.setHeader("retry-after", String(extensions.retryAfter));
        res
          .status(status)
          .type("application/json")
          .send(errorBody(err.code, err.message, extensions));
        return;
      }
      if (isDatabaseUnavailable(err) && !res.headersSent) {
        res.setHeader("retry-after", String(DATABASE_RETRY_AFTER_S));
        res.status(503).type("application/json").send(errorBody("DATABASE_UNAVAILABLE", DATABASE_UNAVAILABLE_MESSAGE));
        return;
      }
      next(err);
    }
  };
}

/**
 * The dashboard's session for this download. A GET changes nothing, so the
 * CSRF token's job (proving an action comes from the dashboard's page) is not
 * needed to protect data; what must not happen is another site reading the
 * export, or pulling it into the shop owner's browser in its name. The
 * SameSite=Strict cookie already stays home on every cross-site request;
 * `Sec-Fetch-Site: same-origin` (sent by every current browser, and not
 * settable by a page) also shuts out a sibling subdomain, which counts as
 * "same site" to the cookie. So the dashboard's plain download link (a
 * navigation, streamed to disk by the browser, no token in the URL) passes,
 * as does a request carrying the session's CSRF header (a browser without
 * fetch metadata, or a script holding the session); anything else is
 * CSRF_REJECTED. An Origin header, when sent, must be Starling's own.
 */
async function sessionCaller(deps: Deps, req: Request, sessionId: string): Promise<Caller> {
  const origin = req.headers.origin;
  if (typeof origin === "string" && !sameOrigin(origin, req.headers.host ?? null)) {
    throw new StarlingError("CSRF_REJECTED", "The dashboard's session cookie is accepted only from Starling's own pages.");
  }
  const csrf = req.headers[CSRF_HEADER];
  const tokenOk = typeof csrf === "string" && sameToken(csrf, csrfToken(sessionId));
  if (!tokenOk && req.headers["sec-fetch-site"] !== "same-origin") {
    throw new StarlingError(
      "CSRF_REJECTED",
      `Download the export from the dashboard's own page (or send the session's ${CSRF_HEADER} header).`,
    );
  }
  const session = await findSession(deps, sessionId);
  if (!session) throw new StarlingError("UNAUTHENTICATED", "The dashboard session has ended; sign in again.");
  return session;
}

function sameToken(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}
