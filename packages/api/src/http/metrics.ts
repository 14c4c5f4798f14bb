/**
 * GET /metrics: the Prometheus text format of this process's metrics
 * (metrics.ts). Off unless STARLING_METRICS=1: then a 404 like any unknown
 * path. On the public port it needs `Authorization: Bearer <STARLING_METRICS_TOKEN>`
 * (config.ts refuses to start without one); on its own port
 * (STARLING_METRICS_PORT, bound to STARLING_METRICS_HOST, 127.0.0.1 by
 * default) the token is asked for when one is set.
 *
 * The token is compared in constant time: both sides are hashed to 32 bytes
 * and compared with timingSafeEqual, so neither the comparison's time nor a
 * length check tells how much of a guess was right.
 */
import { createHash, timingSafeEqual } from "node:crypto";
import http from "node:http";
import { errorBody } from "../errors.js";
import type { Metrics } from "../metrics.js";
import type { Logger } from "../log.js";

export const METRICS_PATH = "/metrics";

const digest = (s: string) => createHash("sha256").update(s).digest();

export function bearerMatches(authorization: string | undefined, token: string): boolean {
  const m = /^Bearer (\S+)$/i.exec(authorization ?? "");
  // A missing header is compared too, against nothing that can match, so the time is the same.
  return timingSafeEqual(digest(m?.[1] ?? ""), digest(token)) && m !== null;
}

/** Answers a request for /metrics; `token` undefined means none is asked (only on the metrics port). */
export function serveMetrics(
  req: http.IncomingMessage,
  res: http.ServerResponse,
  metrics: Metrics,
  token: string | undefined,
  log: Logger,
): void {
  if (req.method !== "GET" && req.method !== "HEAD") {
    res.writeHead(405, { allow: "GET, HEAD", "content-type": "application/json" }).end(errorBody("BAD_REQUEST", "Use GET."));
    return;
  }
  if (token !== undefined && !bearerMatches(req.headers.authorization, token)) {
    res
      .writeHead(401, {
        "content-type": "application/json",
        "www-authenticate": 'Bearer realm="starling-metrics"',
        "cache-control": "no-store",
      })
      .end(errorBody("UNAUTHENTICATED", "The metrics need Authorization: Bearer <STARLING_METRICS_TOKEN>."));
    return;
  }
  metrics.text().then(
    (text) => {
      res.writeHead(200, { "content-type": metrics.contentType, "cache-control": "no-store" });
      res.end(req.method === "HEAD" ? undefined : text);
    },
    (error: unknown) => {
      log.error("collecting metrics failed", { error });
      res.writeHead(500, { "content-type": "application/json" }).end(errorBody("INTERNAL_SERVER_ERROR", "Collecting the metrics failed."));
    },
  );
}

/** The answer for /metrics while metrics are off, or served on their own port only: as if there were no such path. */
export function metricsNotHere(res: http.ServerResponse): void {
  res.writeHead(404, { "content-type": "application/json" }).end(errorBody("NOT_FOUND", "No such path."));
}

/** The metrics' own server (STARLING_METRICS_PORT): /metrics and nothing else. */
export function createMetricsServer(metrics: Metrics, token: string | undefined, log: Logger): http.Server {
  return http.createServer((req, res) => {
    if (req.url?.split("?", 1)[0] === METRICS_PATH) serveMetrics(req, res, metrics, token, log);
    else metricsNotHere(res);
  });
}
