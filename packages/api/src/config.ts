import path from "node:path";
import { fileURLToPath } from "node:url";
import { z } from "zod";
import type { LogLevel } from "./log.js";

/**
 * The repository root, where the embedded database keeps its ignored `.data` folder: three levels up
 * from this module in packages/api/src and from the service's build in packages/api/dist alike
 * (tsup.config.ts), which is why the build must stay at that depth.
 */
export const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../..");

/**
 * The Standard Webhooks retry schedule (5 s, 5 min, 30 min, 2 h, 5 h, then 10 h
 * apart), continued at 10 h until about three days have passed: 13 attempts,
 * the last 77.6 h (3.2 days) after the first.
 */
export const WEBHOOK_RETRY_SCHEDULE_MS: readonly number[] = [
  5_000, 300_000, 1_800_000, 7_200_000, 18_000_000, 36_000_000, 36_000_000, 36_000_000, 36_000_000, 36_000_000, 36_000_000, 36_000_000,
];

export interface Config {
  env: "development" | "production" | "test";
  host: string;
  port: number;
  /** A real MongoDB (Atlas, a replica set, …); without it Starling starts its embedded FerretDB. */
  mongodbUri: string | undefined;
  dbName: string;
  dataDir: string;
  logLevel: LogLevel;
  /** How many reviews the shop's prior is worth (m in SCORING.md §1). */
  priorStrength: number;
  /** How long a database operation may wait for a server before failing the request. */
  dbTimeoutMs: number;
  /** How long SIGTERM waits for in-flight requests before closing their connections. */
  shutdownGraceMs: number;
  /** How long an interrupted rating count of another API process is left to it before this one completes it. */
  countGraceMs: number;
  /** Redis for rate-limit counters shared by several API processes; in memory without it. */
  redisUrl: string | undefined;
  /**
   * How many proxies you run in front of Starling (0: none). Each appends the
   * address it received from to X-Forwarded-For, so the client's address is
   * the entry this many places from the right; anything left of it was
   * written by the client and is never trusted.
   */
  trustProxyHops: number;
  rateRequestsPerMinutePerIp: number;
  rateRequestsPerMinutePerKey: number;
  /** Query cost (graphql/cost.ts) each API key may spend per minute. */
  rateCostPerMinutePerKey: number;
  rateFormPerHourPerIp: number;
  rateReviewsPerDayPerReviewer: number;
  /** New helpful votes per hour from one address to one shop (features/votes). */
  rateVotesPerHourPerIp: number;
  /**
   * How long an ETag'd GET answer may be confirmed (304) from memory without
   * running the query, when no write to its shop went through this process
   * meanwhile. Writes in other API processes are seen after at most this.
   */
  getAnswerMemoryMs: number;
  /** Reviews (and products) per read of the Google review feed. */
  feedBatch: number;
  /**
   * GET /metrics (Prometheus): off unless STARLING_METRICS=1. On the public
   * port it needs `Authorization: Bearer <metricsToken>`; with a metricsPort
   * it is served only there (bound to metricsHost), with the token if one is set.
   */
  metrics: { enabled: boolean; token: string | undefined; port: number | undefined; host: string };
  /** Webhook targets on loopback, private, link-local or metadata addresses are allowed (tests, local development). */
  webhooksAllowPrivate: boolean;
  /** The waits between a webhook delivery's attempts, in ms; after the last, the endpoint is disabled. */
  webhookRetryScheduleMs: readonly number[];
  /** How often, at most, a shop that takes reviews is re-scored with hindsight (features/scoring/hindsight.ts). */
  hindsightSweepMs: number;
}

const integer = (min: number, max: number) =>
  z
    .string()
    .regex(/^\d+$/, `must be a whole number from ${min} to ${max}`)
    .transform(Number)
    .refine((n) => n >= min && n <= max, `must be a whole number from ${min} to ${max}`);

const schema = z.object({
  NODE_ENV: z.enum(["development", "production", "test"]).default("development"),
  HOST: z.string().min(1, "must not be empty").default("127.0.0.1"),
  PORT: integer(0, 65535).default(4000),
  MONGODB_URI: z
    .string()
    .regex(/^mongodb(\+srv)?:\/\/\S+$/, "must be a mongodb:// or mongodb+srv:// connection string")
    .optional(),
  STARLING_DB_NAME: z
    .string()
    .regex(/^[A-Za-z0-9_-]{1,63}$/, "must be 1-63 letters, digits, '_' or '-'")
    .default("starling"),
  STARLING_DATA_DIR: z.string().min(1, "must not be empty").default(path.join(REPO_ROOT, ".data")),
  LOG_LEVEL: z.enum(["debug", "info", "warn", "error"]).default("info"),
  STARLING_PRIOR_STRENGTH: z
    .string()
    .transform(Number)
    .refine((n) => Number.isFinite(n) && n > 0 && n <= 1000, "must be a number above 0 and at most 1000")
    .default(5),
  STARLING_DB_TIMEOUT_MS: integer(100, 120_000).default(5_000),
  STARLING_SHUTDOWN_GRACE_MS: integer(0, 600_000).default(10_000),
  STARLING_COUNT_GRACE_MS: integer(1_000, 3_600_000).default(30_000),
  STARLING_REDIS_URL: z
    .string()
    .regex(/^rediss?:\/\/\S+$/, "must be a redis:// or rediss:// URL")
    .optional(),
  STARLING_TRUST_PROXY: z
    .string()
    .regex(/^(false|true|\d{1,2})$/, "must be false, true (one proxy) or the number of proxies you run, 0 to 10")
    .transform((v) => (v === "true" ? 1 : v === "false" ? 0 : Number(v)))
    .refine((n) => n <= 10, "must be false, true (one proxy) or the number of proxies you run, 0 to 10")
    .default(0),
  STARLING_RATE_REQUESTS_PER_MINUTE_PER_IP: integer(1, 10_000_000).default(1_200),
  STARLING_RATE_REQUESTS_PER_MINUTE_PER_KEY: integer(1, 10_000_000).default(6_000),
  STARLING_RATE_COST_PER_MINUTE_PER_KEY: integer(1, 1_000_000_000).default(1_000_000),
  STARLING_RATE_FORM_PER_HOUR_PER_IP: integer(1, 1_000_000).default(10),
  STARLING_RATE_REVIEWS_PER_DAY_PER_REVIEWER: integer(1, 1_000_000).default(20),
  STARLING_RATE_VOTES_PER_HOUR_PER_IP: integer(1, 1_000_000).default(60),
  // As long as a rating read may already be stale across processes (the summaries' read cache).
  STARLING_GET_ANSWER_MEMORY_MS: integer(0, 3_600_000).default(1_000),
  STARLING_FEED_BATCH: integer(1, 10_000).default(500),
  STARLING_METRICS: z.enum(["0", "1"], { message: "must be 0 or 1" }).default("0"),
  // A secret, compared in constant time: long enough not to be guessed at any request rate.
  STARLING_METRICS_TOKEN: z
    .string()
    .regex(/^[\x21-\x7E]{32,512}$/, "must be 32 to 512 printable characters without spaces (e.g. openssl rand -hex 32)")
    .optional(),
  // 0: any free port (tests); the address is logged.
  STARLING_METRICS_PORT: integer(0, 65535).optional(),
  STARLING_METRICS_HOST: z.string().min(1, "must not be empty").default("127.0.0.1"),
  STARLING_WEBHOOKS_ALLOW_PRIVATE: z.enum(["0", "1"], { message: "must be 0 or 1" }).default("0"),
  // Comma-separated waits in ms; a shorter schedule than the Standard Webhooks one is for tests.
  STARLING_WEBHOOKS_RETRY_SCHEDULE_MS: z
    .string()
    .regex(/^\d{1,10}(,\d{1,10}){0,49}$/, "must be waits in ms separated by commas, e.g. 5000,300000")
    .transform((v) => v.split(",").map(Number))
    .optional(),
  // A day by default; shorter for tests (a sweep replays the shop's whole history).
  STARLING_HINDSIGHT_SWEEP_MS: integer(100, 2_592_000_000).default(86_400_000),
});

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join("\n")}`);
    this.name = "ConfigError";
  }
}

/** Reads the configuration from environment variables; every bad value is reported, not just the first. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  // An empty variable means "not set", as in most shells' `VAR= command`.
  const present = Object.fromEntries(
    Object.keys(schema.shape).flatMap((k) => (env[k] === undefined || env[k] === "" ? [] : [[k, env[k]]])),
  );
  const parsed = schema.safeParse(present);
  if (!parsed.success) {
    throw new ConfigError(
      parsed.error.issues.map((i) => {
        const key = String(i.path[0]);
        return `${key}: ${i.message} (got ${JSON.stringify(present[key])})`;
      }),
    );
  }
  const v = parsed.data;
  if (v.STARLING_METRICS === "1" && !v.STARLING_METRICS_TOKEN && v.STARLING_METRICS_PORT === undefined) {
    throw new ConfigError([
      "STARLING_METRICS: metrics on the public port need STARLING_METRICS_TOKEN (or serve them on their own port with STARLING_METRICS_PORT)",
    ]);
  }
  return {
    env: v.NODE_ENV,
    host: v.HOST,
    port: v.PORT,
    mongodbUri: v.MONGODB_URI,
    dbName: v.STARLING_DB_NAME,
    dataDir: path.resolve(v.STARLING_DATA_DIR),
    logLevel: v.LOG_LEVEL,
    priorStrength: v.STARLING_PRIOR_STRENGTH,
    dbTimeoutMs: v.STARLING_DB_TIMEOUT_MS,
    shutdownGraceMs: v.STARLING_SHUTDOWN_GRACE_MS,
    countGraceMs: v.STARLING_COUNT_GRACE_MS,
    redisUrl: v.STARLING_REDIS_URL,
    trustProxyHops: v.STARLING_TRUST_PROXY,
    rateRequestsPerMinutePerIp: v.STARLING_RATE_REQUESTS_PER_MINUTE_PER_IP,
    rateRequestsPerMinutePerKey: v.STARLING_RATE_REQUESTS_PER_MINUTE_PER_KEY,
    rateCostPerMinutePerKey: v.STARLING_RATE_COST_PER_MINUTE_PER_KEY,
    rateFormPerHourPerIp: v.STARLING_RATE_FORM_PER_HOUR_PER_IP,
    rateReviewsPerDayPerReviewer: v.STARLING_RATE_REVIEWS_PER_DAY_PER_REVIEWER,
    rateVotesPerHourPerIp: v.STARLING_RATE_VOTES_PER_HOUR_PER_IP,
    getAnswerMemoryMs: v.STARLING_GET_ANSWER_MEMORY_MS,
    feedBatch: v.STARLING_FEED_BATCH,
    metrics: {
      enabled: v.STARLING_METRICS === "1",
      token: v.STARLING_METRICS_TOKEN,
      port: v.STARLING_METRICS_PORT,
      host: v.STARLING_METRICS_HOST,
    },
    webhooksAllowPrivate: v.STARLING_WEBHOOKS_ALLOW_PRIVATE === "1",
    webhookRetryScheduleMs: v.STARLING_WEBHOOKS_RETRY_SCHEDULE_MS ?? WEBHOOK_RETRY_SCHEDULE_MS,
    hindsightSweepMs: v.STARLING_HINDSIGHT_SWEEP_MS,
  };
}
