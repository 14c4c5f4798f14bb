import { randomUUID } from "node:crypto";
import http from "node:http";
import type { AddressInfo } from "node:net";
import express from "express";
import type { YogaServerInstance } from "graphql-yoga";
import type { Context, RateLimits, RateRefusal } from "../graphql/context.js";
import type { ServerContext } from "../graphql/yoga.js";
import type { Database } from "../db/connection.js";
import { DATABASE_RETRY_AFTER_S, DATABASE_UNAVAILABLE_MESSAGE } from "../db/availability.js";
import { mountFormPages } from "../form/route.js";
import { disclosureHandler } from "./disclosure.js";
import { GOOGLE_REVIEW_FEED_PATH, googleReviewFeedHandler } from "./feed.js";
import { METRICS_PATH, metricsNotHere, serveMetrics } from "./metrics.js";
import { routeOf, type GraphQLRequestNote } from "../metrics.js";
import { mountDashboard } from "./dashboard.js";
import { exportHandler } from "./export.js";
import type { Deps } from "../features/deps.js";
import type { ConditionalGets } from "./conditional-get.js";
import { errorBody } from "../errors.js";
import type { Logger } from "../log.js";

/**
 * One node:http server: /graphql goes straight to Yoga, every other path to
 * Express. Routing GraphQL through Express's middleware stack halves Yoga's
 * throughput (issue 6 measured 2 088 → 1 062 req/s), and the rating read is
 * the hottest path Starling has.
 */
export function createHttpServer(opts: {
  yoga: YogaServerInstance<ServerContext, Context>;
  db: Database;
  rateLimits: RateLimits;
  trustProxyHops: number;
  deps: Deps;
  conditionalGets: ConditionalGets;
  log: Logger;
  /** Reviews per read of the review feed (tests make it small); FEED_BATCH by default. */
  feedBatch?: number;
  /** Whether /metrics is served on this (public) port, with which bearer token (config.metrics). */
  publicMetrics?: { token: string } | null;
  /** Whether requests are measured (metrics on, on either port). */
  measure?: boolean;
}): http.Server {
  const metrics = opts.deps.metrics;
  const app = express();
  app.disable("x-powered-by");
  app.get("/", (_req, res) => {
    res
      .type("html")
      .send(
        '<!doctype html><meta charset="utf-8"><title>Starling</title>' +
          '<h1>Starling</h1><p>Reviews in, trustworthy ratings out. Open the <a href="/graphql">GraphQL playground</a>.</p>',
      );
  });
  mountFormPages(app);
  app.get("/shops/:shopId/disclosure", disclosureHandler(opts.deps));
  app.get(
    GOOGLE_REVIEW_FEED_PATH,
    googleReviewFeedHandler({
      deps: opts.deps,
      rateLimits: opts.rateLimits,
      ipOf: (req) => clientIp(req, opts.trustProxyHops),
      databaseAvailable: () => opts.db.breaker.available,
      log: opts.log,
      batch: opts.feedBatch,
    }),
  );
  mountDashboard(app, {
    deps: opts.deps,
    rateLimits: opts.rateLimits,
    trustProxyHops: opts.trustProxyHops,
    clientIp: (req) => clientIp(req, opts.trustProxyHops),
  });
  app.get(
    "/export/reviews",
    exportHandler(opts.deps, opts.rateLimits, (req) => clientIp(req, opts.trustProxyHops)),
  );
  app.get("/healthz", (_req, res) => {
    res.json({ ok: true });
  });
  // Ready means the database answers: a load balancer should not send traffic before.
  app.get("/readyz", async (_req, res) => {
    try {
      opts.db.breaker.check();
      await opts.db.conn.db!.admin().ping();
      res.json({ ok: true });
    } catch {
      res.status(503).json({ ok: false });
    }
  });
  // Express's own error page shows the error's message and stack outside
  // production: no library message reaches a client in any NODE_ENV. The
  // whole error goes to the log under the request id the client can quote.
  app.use((err: unknown, req: express.Request, res: express.Response, _next: express.NextFunction) => {
    const requestId = res.getHeader("x-request-id");
    opts.log.error("unexpected error", { error: err, path: req.path, requestId });
    opts.deps.metrics.databaseError(err);
    if (res.headersSent) {
      res.destroy();
      return;
    }
    res
      .status(500)
      .type("application/json")
      .send(errorBody("INTERNAL_SERVER_ERROR", `Unexpected error. Quote request id ${String(requestId)}.`));
  });

  const tracker = { active: 0, idle: [] as (() => void)[] };
  const server = http.createServer((req, res) => {
    // Counted until its work is done, not until its connection closes: a
    // resolver whose client has gone still holds the database (closeGracefully).
    tracker.active++;
    let finished = false;
    let running = false;
    const finish = () => {
      if (finished) return;
      finished = true;
      if (--tracker.active === 0) for (const resolve of tracker.idle.splice(0)) resolve();
    };
    res.once("close", () => {
      if (!running) finish();
    });
    const requestId = randomUUID();
    res.setHeader("x-request-id", requestId);
    // Review text is returned as written: never let a browser sniff a JSON answer into HTML.
    res.setHeader("x-content-type-options", "nosniff");
    const path = req.url?.split("?", 1)[0] ?? "";
    // Filled in by the GraphQL layer (graphql/yoga.ts) as it learns the operation and its outcome.
    const note: GraphQLRequestNote = {};
    if (opts.measure) {
      const started = process.hrtime.bigint();
      res.once("close", () => {
        const seconds = Number(process.hrtime.bigint() - started) / 1e9;
        const route = routeOf(path);
        metrics.observeHttp(route, res.statusCode, seconds);
        if (route === "graphql") metrics.observeGraphQL(note, res.statusCode, seconds);
      });
    }
    if (path === METRICS_PATH) {
      if (opts.publicMetrics) serveMetrics(req, res, metrics, opts.publicMetrics.token, opts.log);
      else metricsNotHere(res);
      return;
    }
    if (path === "/graphql") {
      const body = readBody(req, res);
      if (!body) return;
      const ip = clientIp(req, opts.trustProxyHops);
      const authorization = req.headers.authorization ?? null;
      // Every request is counted, a 304 too (it is checked after this): a
      // conditional GET is cheaper than a query, not free, and a client that
      // floods with them is as much over its budget as one that floods with queries.
      Promise.all([opts.rateLimits.request(ip, authorization), body]).then(
        ([refusal]) => {
          // Over a limit, only a review submission goes on, and only to be
          // answered if it is a retry of a stored one (see useRefusals).
          if (refusal && !mayBeSubmission(req)) return tooManyRequests(req, res, refusal);
          // Known down (see DatabaseBreaker): say so now instead of waiting out server selection.
          if (!opts.db.breaker.available) return databaseUnavailable(req, res);
          if (res.destroyed) return; // the client left while we counted it
          // A conditional GET of an answer still current is a 304 from memory (null): no parse, no execution.
          const caller = opts.conditionalGets.handle(req, res);
          if (!caller) return;
          running = true;
          void Promise.resolve(opts.yoga(req, res, { requestId, ip, caller, refusal, metrics: note })).finally(finish);
        },
        (err: unknown) => {
          res.destroy(err instanceof Error ? err : new Error(String(err)));
        },
      );
    } else {
      app(req, res);
    }
  });
  inFlight.set(server, tracker);
  return server;
}

/**
 * Whether a request refused by the per-IP or per-key limit may be a review
 * submission: a retry must get its stored review back, limits or not. A cheap
 * look at the parsed body; the GraphQL layer refuses anything else it lets through.
 */
function mayBeSubmission(req: http.IncomingMessage): boolean {
  const body = (req as http.IncomingMessage & { body?: unknown }).body;
  if (req.method !== "POST" || body === null || typeof body !== "object" || body instanceof Uint8Array) return false;
  const query = (body as { query?: unknown }).query;
  return typeof query === "string" && query.includes("submitReview");
}

/** Requests still being worked on, per server (see closeGracefully). */
const inFlight = new WeakMap<http.Server, { active: number; idle: (() => void)[] }>();

/**
 * The client's address: the socket's, or behind `hops` proxies you run, the
 * X-Forwarded-For entry your outermost proxy appended (`hops` from the right).
 * The left-most entries are whatever the client wrote, so trusting them would
 * let a client pick a new address per request and escape every per-IP limit.
 * Several X-Forwarded-For headers count as one list, in order.
 */
export function clientIp(req: Pick<http.IncomingMessage, "headers" | "socket">, hops: number): string {
  const socket = req.socket.remoteAddress || "unknown";
  if (hops <= 0) return socket;
  const header = req.headers["x-forwarded-for"];
  const entries = (Array.isArray(header) ? header.join(",") : (header ?? ""))
    .split(",")
    .map((e) => e.trim())
    .filter(Boolean);
  // Fewer entries than proxies: the request did not come through all of them; the socket is what we know.
  return entries.length >= hops ? entries[entries.length - hops]! : socket;
}

/**
 * CORS headers for the answers this file writes itself, before Yoga (which adds
 * its own): without them a browser hides a 429 or 413 from the page's script,
 * and the SDK could not honour Retry-After. Same policy as Yoga's (see yoga.ts).
 */
function corsHeaders(req: http.IncomingMessage): Record<string, string> {
  const origin = req.headers.origin;
  if (!origin) return {};
  return { "access-control-allow-origin": origin, vary: "Origin", "access-control-expose-headers": "x-request-id, retry-after" };
}

function tooManyRequests(req: http.IncomingMessage, res: http.ServerResponse, refusal: RateRefusal): void {
  res.writeHead(429, { ...corsHeaders(req), "content-type": "application/json", "retry-after": String(refusal.retryAfter) });
  res.end(
    errorBody("RATE_LIMITED", `Too many requests: over the limit of ${refusal.limit}. Retry after ${refusal.retryAfter} s.`, {
      retryAfter: refusal.retryAfter,
    }),
  );
}

/** The same answer Yoga gives for an outage met mid-request (maskError in yoga.ts). */
function databaseUnavailable(req: http.IncomingMessage, res: http.ServerResponse): void {
  res.writeHead(503, { ...corsHeaders(req), "content-type": "application/json", "retry-after": String(DATABASE_RETRY_AFTER_S) });
  res.end(errorBody("DATABASE_UNAVAILABLE", DATABASE_UNAVAILABLE_MESSAGE, { retryAfter: DATABASE_RETRY_AFTER_S }));
}

/** Largest request body accepted: a 10 000-character review in any script, its query, and room. */
export const MAX_BODY_BYTES = 128 * 1024;

/**
 * Reads a POST body here, refusing it with 413 past MAX_BODY_BYTES (up front
 * when the length is declared), and hands it to Yoga on `req.body`, the way
 * Express's body parsers do. Yoga then takes a JSON body as already parsed
 * instead of streaming it through its Fetch API Request, which cost a single
 * rating read ~150 µs of CPU, a third of the request (issue 6's benchmark,
 * POST against GET). A body that is not a JSON object goes to Yoga as the bytes
 * received, so its errors are Yoga's own. Null when the request was refused.
 */
function readBody(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> | null {
  if (req.method === "GET" || req.method === "HEAD") return Promise.resolve();
  const declared = Number(req.headers["content-length"]);
  if (declared > MAX_BODY_BYTES) {
    refuseTooLarge(req, res);
    return null;
  }
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let seen = 0;
    req.on("data", (chunk: Buffer) => {
      seen += chunk.length;
      if (seen > MAX_BODY_BYTES) refuseTooLarge(req, res);
      else chunks.push(chunk);
    });
    req.once("error", reject);
    req.once("end", () => {
      const bytes = chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks);
      (req as http.IncomingMessage & { body?: unknown }).body = parsedJsonObject(req, bytes) ?? bytes;
      resolve();
    });
  });
}

function parsedJsonObject(req: http.IncomingMessage, bytes: Buffer): object | undefined {
  // The two JSON types Yoga parses (post-json.js); any other body stays bytes for Yoga's own parsers.
  if (!/^application\/(graphql\+)?json\s*(;|$)/i.test(req.headers["content-type"] ?? "")) return undefined;
  try {
    const value: unknown = JSON.parse(bytes.toString("utf8"));
    // Yoga takes a parsed body only when it has keys; anything else it judges from the bytes.
    return value !== null && typeof value === "object" && !Array.isArray(value) && Object.keys(value).length > 0 ? value : undefined;
  } catch {
    return undefined;
  }
}

function refuseTooLarge(req: http.IncomingMessage, res: http.ServerResponse): void {
  if (!res.headersSent) {
    res.writeHead(413, { ...corsHeaders(req), "content-type": "application/json", connection: "close" });
    res.end(errorBody("REQUEST_TOO_LARGE", `Request body over ${MAX_BODY_BYTES} bytes.`));
  }
  req.destroy();
}

export function listen(server: http.Server, host: string, port: number): Promise<AddressInfo> {
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, host, () => {
      server.off("error", reject);
      resolve(server.address() as AddressInfo);
    });
  });
}

/**
 * Stops accepting connections and waits, up to `graceMs`, for in-flight
 * requests to be answered and for their work to end (a request whose client
 * hung up may still be writing): only then may the database be closed.
 */
export function closeGracefully(server: http.Server, graceMs: number): Promise<void> {
  return new Promise((resolve) => {
    let connectionsClosed = false;
    const tracker = inFlight.get(server);
    const done = () => {
      clearTimeout(force);
      clearInterval(sweep);
      resolve();
    };
    const force = setTimeout(() => {
      server.closeAllConnections();
      done();
    }, graceMs);
    // A keep-alive connection whose request finishes after close() would idle
    // for keepAliveTimeout (5 s) before the server lets go; drop idle ones as they appear.
    const sweep = setInterval(() => server.closeIdleConnections(), 50);
    force.unref();
    sweep.unref();
    server.close(() => {
      connectionsClosed = true;
      if (!tracker || tracker.active === 0) done();
      else tracker.idle.push(() => connectionsClosed && done());
    });
  });
}
