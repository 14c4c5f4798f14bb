/** Boots Starling: database, GraphQL, HTTP. Used by the CLI and by the integration tests. */
import type http from "node:http";
import type { GraphiQLOptions } from "graphql-yoga";
import type { Config } from "./config.js";
import { openDatabase, type Database } from "./db/connection.js";
import { createDeps, type DepsOptions } from "./create-deps.js";
import type { Deps } from "./features/deps.js";
import { bindModels, type Models } from "./features/models.js";
import { buildSchema } from "./graphql/schema.js";
import { createGraphQLHandler } from "./graphql/yoga.js";
import { closeGracefully, createHttpServer, listen } from "./http/server.js";
import { ConditionalGets } from "./http/conditional-get.js";
import type { Logger } from "./log.js";
import { createRateLimits } from "./http/rate-limits.js";
import { setPendingCountGrace, startPendingCountSweeper } from "./features/ratings/ratings.js";
import { preloadSignatures } from "./features/scoring/scoring.js";
import { createMetricsServer } from "./http/metrics.js";
import { startBackgroundWorkers, type BackgroundWorkers } from "./workers.js";

/** How often interrupted rating counts are looked for (and once at startup). */
export const PENDING_COUNT_SWEEP_MS = 5_000;

export interface Starling {
  /** http://host:port */
  readonly url: string;
  readonly deps: Deps;
  readonly db: Database<Models>;
  readonly server: http.Server;
  /** http://host:port of the metrics' own server (STARLING_METRICS_PORT), if any. */
  readonly metricsUrl: string | null;
  /** Graceful stop: no new connections, in-flight requests finish, then the database closes. */
  close(): Promise<void>;
}

export function depsFor(db: Database<Models>, config: Pick<Config, "priorStrength">, log?: Logger, options: DepsOptions = {}): Deps {
  return createDeps(db.models, config.priorStrength, log, options);
}

export async function startStarling(opts: {
  config: Config;
  log: Logger;
  /** Runs after the database is open and before the server listens (the demo seeds here). */
  beforeListen?: (deps: Deps) => Promise<GraphiQLOptions | undefined>;
  /** False: this process analyses no review texts (their jobs wait for a process that does). The benchmark's "insights off". */
  insightsWorker?: boolean;
  /** The scorer's options and how states are saved: the defaults, but for the benchmark's "legacy scoring" server (bench/servers/api-variant.ts). */
  scoring?: DepsOptions;
}): Promise<Starling> {
  const { config, log } = opts;
  const db = await openDatabase(config, log, bindModels);
  let sweeper: { stop(): Promise<void> } | undefined;
  let metricsServer: http.Server | undefined;
  let metricsUrl: string | null = null;
  let workers: BackgroundWorkers | undefined;
  try {
    const deps = depsFor(db, config, log, opts.scoring);
    setPendingCountGrace(deps, config.countGraceMs);
    // Counts interrupted by a crash (of this process or another) are completed
    // here without `recompute`; a retry of the review's key completes its own at once.
    sweeper = startPendingCountSweeper(deps, { intervalMs: PENDING_COUNT_SWEEP_MS, available: () => db.breaker.available });
    // Webhooks (fan-out, delivery) and rating checks, shared with the other API processes through lease queues.
    workers = startBackgroundWorkers(deps, {
      available: () => db.breaker.available,
      insights: opts.insightsWorker ?? true,
      webhooks: { allowPrivate: config.webhooksAllowPrivate, retryScheduleMs: config.webhookRetryScheduleMs },
      hindsightSweepMs: config.hindsightSweepMs,
    });
    const playground = (await opts.beforeListen?.(deps)) ?? {
      defaultQuery: '# Put your shop\'s key in Headers: {"Authorization": "Bearer sk_…"}\n{\n  shop { id name }\n}\n',
    };
    const rateLimits = createRateLimits(config);
    const conditionalGets = new ConditionalGets(config.getAnswerMemoryMs);
    const yoga = createGraphQLHandler({
      schema: buildSchema(),
      deps,
      log,
      production: config.env === "production",
      playground,
      rateLimits,
      conditionalGets,
      measure: config.metrics.enabled,
    });
    const metrics = config.metrics;
    if (metrics.enabled) {
      deps.metrics.enableProcessMetrics();
      deps.metrics.registerGauge("starling_database_available", "1 while the database answers, 0 while it is known down.", () =>
        db.breaker.available ? 1 : 0,
      );
    }
    const server = createHttpServer({
      yoga,
      db,
      rateLimits,
      trustProxyHops: config.trustProxyHops,
      deps,
      conditionalGets,
      log,
      feedBatch: config.feedBatch,
      // With a port of their own, the metrics are not on the public port at all.
      publicMetrics: metrics.enabled && metrics.port === undefined && metrics.token ? { token: metrics.token } : null,
      measure: metrics.enabled,
    });
    const address = await listen(server, config.host, config.port);
    const urlOf = (a: { family: string; address: string; port: number }) =>
      `http://${a.family === "IPv6" ? `[${a.address}]` : a.address}:${a.port}`;
    const url = urlOf(address);
    if (metrics.enabled && metrics.port !== undefined) {
      metricsServer = createMetricsServer(deps.metrics, metrics.token, log);
      metricsUrl = urlOf(await listen(metricsServer, metrics.host, metrics.port));
    }
    log.info("starling listening", { url, database: db.description, ...(metricsUrl ? { metrics: `${metricsUrl}/metrics` } : {}) });
    let closing: Promise<void> | undefined;
    // The near-duplicate indexes of the shops writing lately, before their first write here needs them.
    const preloading = preloadSignatures(deps, () => closing !== undefined).catch((error: unknown) => {
      if (!closing) log.warn("loading the shops' near-duplicate indexes failed; each loads on its first write", { error });
    });
    return {
      url,
      deps,
      db,
      server,
      metricsUrl,
      close: () =>
        (closing ??= (async () => {
          await closeGracefully(server, config.shutdownGraceMs);
          if (metricsServer) await closeGracefully(metricsServer, 0);
          await rateLimits.close();
          await workers?.stop();
          await sweeper?.stop();
          // At most one shop's load is left (it stops between shops): ended before the connection, so
          // no query of it reads on into a closed connection or a dropped database.
          await preloading;
          await db.close();
        })()),
    };
  } catch (err) {
    metricsServer?.close();
    await workers?.stop();
    await sweeper?.stop();
    await db.close();
    throw err;
  }
}

/**
 * `serve`: says "listening <url>" on stdout (what the benchmarks wait for),
 * then runs until SIGTERM or SIGINT and stops gracefully; the exit code.
 */
export function serveUntilStopped(starling: Starling, log: Logger): Promise<number> {
  process.stdout.write(`listening ${starling.url}\n`);
  return new Promise((resolve) => {
    const stop = (signal: NodeJS.Signals) => {
      log.info("shutting down", { signal });
      starling.close().then(
        () => resolve(0),
        (err: unknown) => {
          log.error("shutdown failed", { error: err });
          resolve(1);
        },
      );
    };
    process.once("SIGTERM", stop);
    process.once("SIGINT", stop);
  });
}
