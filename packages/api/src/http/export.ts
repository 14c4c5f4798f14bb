/**
 * GET /export/reviews: the calling shop's reviews as JSON Lines, streamed
 * (`starling export` reads it). A secret key with REVIEWS_MODERATE: the
 * export holds unpublished reviews and customer ids. Streamed with
 * back-pressure, a database batch at a time, so the server's memory stays
 * flat for a shop of any size; a failure after the first line cuts the
 * response off (no final chunk), which the client reports as an error.
 */
import { once } from "node:events";
import type { NextFunction, Request, Response } from "express";
import { DATABASE_RETRY_AFTER_S, DATABASE_UNAVAILABLE_MESSAGE, isDatabaseUnavailable } from "../db/availability.js";
import { ERROR_CODES, StarlingError, errorBody, rateLimited } from "../errors.js";
import type { Deps } from "../features/deps.js";
import { countShopReviews, exportLines } from "../features/imports/exports.js";
import { authenticate, requireScope } from "../features/shops/keys.js";
import type { RateLimits } from "./rate-limits.js";

export function exportHandler(deps: Deps, rateLimits: RateLimits, ipOf: (req: Request) => string) {
  return async (req: Request, res: Response, next: NextFunction): Promise<void> => {
    try {
      const authorization = req.headers.authorization ?? null;
      const refusal = await rateLimits.request(ipOf(req), authorization);
      if (refusal) throw rateLimited(refusal);
      const shop = requireScope(await authenticate(deps, authorization), "reviews:moderate");
      const expected = await countShopReviews(deps, shop.id);
      res.status(200);
      res.setHeader("content-type", "application/x-ndjson; charset=utf-8");
      res.setHeader("cache-control", "no-store");
      // For the client's progress bar; reviews written meanwhile may make the export longer.
      res.setHeader("x-starling-review-count", String(expected));
      res.flushHeaders();
      for await (const lines of exportLines(deps, shop.id)) {
        if (res.destroyed) return; // the client left: the generator's finally closes the cursor
        if (!res.write(lines.map((l) => `${JSON.stringify(l)}\n`).join(""))) {
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
