/**
 * Rate limits (rate-limiter-flexible), in three layers:
 *
 * - per client IP and per API key, on every GraphQL request, before any work;
 * - per API key, the cost of its queries (graphql/cost.ts), before execution:
 *   a budget of cost per minute, so a key cannot spend its requests on the
 *   most expensive queries the per-query limit allows;
 * - per IP on customer-form submissions (publishable keys), much tighter;
 * - per reviewer and shop on review submissions.
 *
 * One API process counts in memory; several copies share counters in Redis
 * (STARLING_REDIS_URL). Not in MongoDB: on FerretDB `$inc` is not atomic and a
 * Mongo-backed limiter would undercount (MONGODB.md §2.4). If Redis stops
 * answering, each process falls back to its own in-memory counters rather than
 * refusing all traffic or letting all of it through.
 */
import { createHash } from "node:crypto";
import { memoizeRecent } from "../memo.js";
import { Redis } from "ioredis";
import { RateLimiterMemory, RateLimiterRedis, RateLimiterRes, type RateLimiterAbstract } from "rate-limiter-flexible";
import type { Config } from "../config.js";
import type { RateLimits, RateRefusal } from "../graphql/context.js";

export type RateConfig = Pick<
  Config,
  | "redisUrl"
  | "rateRequestsPerMinutePerIp"
  | "rateRequestsPerMinutePerKey"
  | "rateCostPerMinutePerKey"
  | "rateFormPerHourPerIp"
  | "rateReviewsPerDayPerReviewer"
  | "rateVotesPerHourPerIp"
>;

export function createRateLimits(config: RateConfig): RateLimits {
  const redis = config.redisUrl
    ? new Redis(config.redisUrl, { enableOfflineQueue: false, maxRetriesPerRequest: 1, lazyConnect: false })
    : null;
  // ioredis reports connection trouble as events; the insurance limiter covers
  // the outage, so a log line per reconnect attempt would only be noise.
  redis?.on("error", () => {});

  const make = (name: string, points: number, duration: number): RateLimiterAbstract => {
    const memory = new RateLimiterMemory({ keyPrefix: `starling:${name}`, points, duration });
    if (!redis) return memory;
    return new RateLimiterRedis({
      storeClient: redis,
      keyPrefix: `starling:${name}`,
      points,
      duration,
      insuranceLimiter: memory,
    });
  };
  const perIp = make("ip", config.rateRequestsPerMinutePerIp, 60);
  const perKey = make("key", config.rateRequestsPerMinutePerKey, 60);
  const costPerKey = make("cost", config.rateCostPerMinutePerKey, 60);
  const form = make("form", config.rateFormPerHourPerIp, 3600);
  const reviewer = make("reviewer", config.rateReviewsPerDayPerReviewer, 86_400);
  const votes = make("vote", config.rateVotesPerHourPerIp, 3600);

  return {
    async request(ip, authorization) {
      const ipRefusal = await consume(perIp, ip, "requests per minute per IP address");
      if (ipRefusal || !authorization) return ipRefusal;
      // Counted by the key's hash, before (and without) a database lookup, so a
      // flood of wrong keys is limited as cheaply as a flood of right ones.
      return consume(perKey, hash(authorization), "requests per minute per API key");
    },
    cost: (authorization, points) => consume(costPerKey, hash(authorization), "query cost per minute per API key", points),
    formSubmission: (ip, shopId) => consume(form, `${shopId}:${ip}`, "review-form submissions per hour per IP address"),
    vote: (ip, shopId) => consume(votes, `${shopId}:${ip}`, "helpful votes per hour per IP address"),
    // Not through the memo: it would keep the customer's id in memory past an erasure.
    reviewer: (shopId, who) => consume(reviewer, `${shopId}:${sha(who)}`, "reviews per day per reviewer"),
    async close() {
      redis?.disconnect();
    },
  };
}

async function consume(limiter: RateLimiterAbstract, key: string, limit: string, points = 1): Promise<RateRefusal | null> {
  try {
    await limiter.consume(key, points);
    return null;
  } catch (res) {
    if (res instanceof RateLimiterRes) return { limit, retryAfter: Math.max(1, Math.ceil(res.msBeforeNext / 1000)) };
    throw res;
  }
}

const sha = (s: string) => createHash("sha256").update(s).digest("base64url").slice(0, 22);
/** Every request is counted under its key's hash: remembered, since a hash costs more than the count. */
const hash = memoizeRecent(sha);
