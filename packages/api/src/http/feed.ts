/**
 * GET /shops/<shopId>/feeds/google-product-reviews.xml: Google's product
 * review feed of a shop (features/feed/google-reviews.ts writes it).
 *
 * Public, like the review widget: it holds only published reviews, which any
 * shopper can already read with the shop's publishable key, and Google's
 * fetcher (Merchant Center's scheduled fetch) sends no API key. What a
 * public feed exposes is therefore its cost, which this handler bounds:
 * - a conditional request whose ETag is current is a 304 after a few small
 *   queries (feedEtag), never a feed;
 * - each request spends one unit of the per-IP request budget, like a GraphQL request;
 * - at most FEED_STREAMS feeds are written at once per API process, and at
 *   most one per shop: more get 429 with Retry-After, so however many
 *   clients ask for a large shop's feed, its cost is one pass over the
 *   shop's reviews at a time;
 * - a client that stops reading for FEED_STALL_MS is cut off, so a stalled
 *   reader cannot hold a slot (and a database cursor) for ever;
 * - `Cache-Control: public, max-age=900` lets a CDN in front of Starling
 *   answer repeated fetches for 15 minutes.
 */
import type http from "node:http";
import type { Request, Response } from "express";
import type { Deps } from "../features/deps.js";
import type { ShopDoc } from "../features/shops/model.js";
import { feedEtag, feedShop, writeGoogleReviewFeed } from "../features/feed/google-reviews.js";
import { StarlingError, errorBody, type ErrorCode } from "../errors.js";
import { DATABASE_RETRY_AFTER_S, DATABASE_UNAVAILABLE_MESSAGE, isDatabaseUnavailable } from "../db/availability.js";
import type { RateLimits } from "../graphql/context.js";
import { matches } from "./conditional-get.js";
import type { Logger } from "../log.js";

export const GOOGLE_REVIEW_FEED_PATH = "/shops/:shopId/feeds/google-product-reviews.xml";
/** Feeds written at once by one API process (each is one pass over a shop's reviews). */
export const FEED_STREAMS = 2;
/** A client that reads nothing for this long is cut off. */
export const FEED_STALL_MS = 60_000;
/** What a 429 for a busy feed asks the client to wait. */
const FEED_BUSY_RETRY_S = 30;
export const FEED_CACHE_CONTROL = "public, max-age=900";

export function googleReviewFeedHandler(opts: {
  deps: Deps;
  rateLimits: RateLimits;
  ipOf: (req: http.IncomingMessage) => string;
  /** False while the database is known down (the breaker): 503 at once. */
  databaseAvailable: () => boolean;
  log: Logger;
  /** Test hook: fewer reviews per read, so a small shop spans several batches. */
  batch?: number;
}) {
  const streaming = new Set<string>();
  const fail = (res: Response, status: number, code: ErrorCode, message: string, headers: Record<string, string> = {}) =>
    res
      .status(status)
      .set(headers)
      .type("application/json")
      .send(errorBody(code, message, headers["retry-after"] ? { retryAfter: Number(headers["retry-after"]) } : {}));

  return async (req: Request, res: Response) => {
    const refusal = await opts.rateLimits.request(opts.ipOf(req), null);
    if (refusal) {
      return fail(res, 429, "RATE_LIMITED", `Too many requests: over the limit of ${refusal.limit}. Retry after ${refusal.retryAfter} s.`, {
        "retry-after": String(refusal.retryAfter),
      });
    }
    if (!opts.databaseAvailable()) {
      return fail(res, 503, "DATABASE_UNAVAILABLE", DATABASE_UNAVAILABLE_MESSAGE, { "retry-after": String(DATABASE_RETRY_AFTER_S) });
    }
    const shopId = String(req.params.shopId);
    let etag: string;
    let shop: ShopDoc;
    try {
      shop = await feedShop(opts.deps, shopId);
      etag = await feedEtag(opts.deps, shop);
    } catch (err) {
      if (err instanceof StarlingError) return fail(res, 404, err.code, err.message);
      if (isDatabaseUnavailable(err)) {
        return fail(res, 503, "DATABASE_UNAVAILABLE", DATABASE_UNAVAILABLE_MESSAGE, { "retry-after": String(DATABASE_RETRY_AFTER_S) });
      }
      throw err;
    }
    const validators = { etag, "cache-control": FEED_CACHE_CONTROL };
    const ifNoneMatch = req.headers["if-none-match"];
    if (ifNoneMatch && matches(ifNoneMatch, etag)) {
      res.writeHead(304, validators).end();
      return;
    }
    if (req.method === "HEAD") {
      res.writeHead(200, { ...validators, "content-type": "application/xml; charset=utf-8" }).end();
      return;
    }
    if (streaming.size >= FEED_STREAMS || streaming.has(shop._id)) {
      return fail(res, 429, "RATE_LIMITED", `The review feed is being written for other requests; retry after ${FEED_BUSY_RETRY_S} s.`, {
        "retry-after": String(FEED_BUSY_RETRY_S),
      });
    }
    streaming.add(shop._id);
    try {
      res.writeHead(200, { ...validators, "content-type": "application/xml; charset=utf-8" });
      const stats = await writeGoogleReviewFeed(opts.deps, shop, (chunk) => writeOrWait(res, chunk), { batch: opts.batch });
      res.end();
      opts.log.info("review feed written", { shopId: shop._id, ...stats });
    } catch (err) {
      // Headers are gone: cut the connection so that the client sees a broken
      // transfer, never a feed that looks complete but is not.
      if (!(err instanceof ClientGone)) opts.log.error("writing the review feed failed", { error: err, shopId: shop._id });
      res.destroy();
    } finally {
      streaming.delete(shop._id);
    }
  };
}

class ClientGone extends Error {}

/** Writes a chunk; resolves at once, or once the client has read enough (drain). Rejects when it left or stalled. */
function writeOrWait(res: http.ServerResponse, chunk: string): Promise<void> {
  if (res.destroyed || res.writableEnded) return Promise.reject(new ClientGone("the client left"));
  if (res.write(chunk)) return Promise.resolve();
  return new Promise((resolve, reject) => {
    const done = (err?: Error) => {
      clearTimeout(stall);
      res.off("drain", onDrain);
      res.off("close", onClose);
      if (err) reject(err);
      else resolve();
    };
    const onDrain = () => done();
    const onClose = () => done(new ClientGone("the client left"));
    const stall = setTimeout(() => done(new ClientGone(`the client read nothing for ${FEED_STALL_MS} ms`)), FEED_STALL_MS);
    res.on("drain", onDrain);
    res.on("close", onClose);
  });
}
