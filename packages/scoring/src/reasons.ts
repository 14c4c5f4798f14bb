/**
 * Why a review is suspicious or a window is a burst, as data: a union tagged
 * by `code` (like a zod issue), each with its numbers and the log-odds it
 * added to the suspicion (`weight`, negative when it adds trust).
 * {@link describeReason} gives the sentence for humans.
 */

/** Which arrival stream a burst detector watched. */
export type ArrivalStream = "all" | "first_time_5_star" | "first_time_1_star";

export type Reason =
  | { code: "first_time_reviewer"; weight: number }
  | { code: "reviewer_history"; priorReviews: number; weight: number; quality?: number }
  | { code: "history_pattern"; priorReviews: number; extremeShare: number; ageDays: number; activeDays: number; weight: number }
  | { code: "flagged_history"; flaggedReviews: number; weight: number }
  | { code: "campaign"; weight: number; burst: BurstEvidence; members: number; lastMs: number }
  | { code: "co_review"; accounts: number; products: number; windowDays: number; spanDays: number; weight: number }
  | { code: "reviewer_daily_volume"; reviewsToday: number; weight: number }
  | { code: "extreme_rating"; stars: number; weight: number }
  | { code: "rating_deviation"; stars: number; consensus: number; deviation: number; weight: number }
  | { code: "burst"; weight: number; burst: BurstEvidence }
  | { code: "duplicate_text"; similarity: number; otherReviewId: string; otherReviewerId: string; otherProductId: string; weight: number }
  | { code: "verified_purchase"; verified: boolean; weight: number }
  | { code: "reviewer_total"; totalReviews: number; activeDays: number; maxReviewsPerDay: number; weight: number }
  | { code: "early_review"; lifeShare: number; weight: number }
  | { code: "reviewer_surprise"; surpriseBits: number; reviewCount: number; weight: number };

export type ReasonCode = Reason["code"];

/**
 * The tally key of a discounted review whose verdict names no top reason: one
 * name for the scoring state's tally and the API's rating summaries.
 */
export const UNEXPLAINED_DISCOUNT = "other";

/** The numbers behind one burst alarm. */
export interface BurstEvidence {
  /** "scan": windowed Poisson surprise; "cusum": Poisson CUSUM for slower campaigns. */
  readonly detector: "scan" | "cusum";
  readonly stream: ArrivalStream;
  /** The window the count was taken over, ms since the epoch. */
  readonly windowStartMs: number;
  readonly windowEndMs: number;
  /** Arrivals of the stream in the window. */
  readonly count: number;
  /** The product's baseline rate for the stream before the window, per day. */
  readonly baselineRatePerDay: number;
  /** Arrivals the baseline expects in the window (rate × window). */
  readonly expectedCount: number;
  /** −log10 P(X ≥ count | expected) for the scan; the CUSUM statistic (nats) for cusum. */
  readonly surprise: number;
  /** Share of the window's arrivals from first-time reviewers. */
  readonly firstTimerShare: number;
  /** Mean stars of the window's arrivals. */
  readonly meanStars: number;
}

const STREAM_WORDS: Record<ArrivalStream, string> = {
  all: "reviews",
  first_time_5_star: "five-star reviews from first-time reviewers",
  first_time_1_star: "one-star reviews from first-time reviewers",
};

/** A duration in words: "3 h", "2 d". */
export function describeDuration(ms: number): string {
  const hours = ms / 3_600_000;
  if (hours < 48) return `${round(Math.max(hours, 0), 1)} h`;
  return `${round(hours / 24, 1)} d`;
}

function round(x: number, digits: number): string {
  const f = 10 ** digits;
  return String(Math.round(x * f) / f);
}

function rate(perDay: number): string {
  return perDay >= 0.1 ? round(perDay, 2) : String(Number(perDay.toPrecision(2)));
}

/**
 * The English sentence for a reason.
 *
 * @example
 * describeReason({ code: "extreme_rating", stars: 5, weight: 0.4 }) // "A 5-star rating, the extreme of the scale."
 */
export function describeReason(r: Reason): string {
  switch (r.code) {
    case "first_time_reviewer":
      return "First review by this reviewer.";
    case "reviewer_history":
      return r.quality === undefined || r.quality >= 1
        ? `The reviewer had ${r.priorReviews} earlier review${r.priorReviews === 1 ? "" : "s"}.`
        : `The reviewer had ${r.priorReviews} earlier review${r.priorReviews === 1 ? "" : "s"}, counted at ${Math.round(r.quality * 100)}% for a young or uniform history.`;
    case "history_pattern":
      return `The reviewer's ${r.priorReviews} earlier review${r.priorReviews === 1 ? " is" : "s are"} ${r.extremeShare === 1 ? "all" : `${Math.round(r.extremeShare * 100)}%`} at an extreme of the scale, on ${r.activeDays} day${r.activeDays === 1 ? "" : "s"} within ${round(r.ageDays, 0)} days: a history that looks like a campaign.`;
    case "flagged_history":
      return `${r.flaggedReviews} earlier review${r.flaggedReviews === 1 ? "" : "s"} by this reviewer ${r.flaggedReviews === 1 ? "was" : "were"} part of a flagged burst, campaign or group.`;
    case "campaign": {
      const b = r.burst;
      return `Continues a campaign of ${STREAM_WORDS[b.stream]} flagged ${describeDuration(r.lastMs - b.windowEndMs)} earlier (${b.count} in ${describeDuration(b.windowEndMs - b.windowStartMs)} against a baseline of ${rate(b.baselineRatePerDay)}/day); ${r.members} so far.`;
    }
    case "co_review":
      return `${r.accounts} accounts reviewed the same ${r.products} products, each within ${round(r.windowDays, 0)} days of one another (over ${round(r.spanDays, 1)} days).`;
    case "reviewer_daily_volume":
      return `The reviewer's review number ${r.reviewsToday} on the same day.`;
    case "extreme_rating":
      return r.stars === 1 || r.stars === 5
        ? `A ${r.stars}-star rating, the extreme of the scale.`
        : `A ${r.stars}-star rating, a low score.`;
    case "rating_deviation":
      return `${r.stars} stars against a consensus of ${round(r.consensus, 2)} (${round(r.deviation, 2)} away).`;
    case "burst": {
      const b = r.burst;
      const span = describeDuration(b.windowEndMs - b.windowStartMs);
      const share = `${Math.round(b.firstTimerShare * 100)}% from first-time reviewers`;
      if (b.detector === "cusum") {
        return `Sustained rise in ${STREAM_WORDS[b.stream]}: ${b.count} in ${span} against a baseline of ${rate(b.baselineRatePerDay)}/day (CUSUM ${round(b.surprise, 1)}); ${share}.`;
      }
      return `${b.count} ${STREAM_WORDS[b.stream]} in ${span} against a baseline of ${rate(b.baselineRatePerDay)}/day (${round(b.expectedCount, 2)} expected, surprise ${round(b.surprise, 1)}); ${share}.`;
    }
    case "duplicate_text":
      return `The text is ${Math.round(r.similarity * 100)}% similar to review ${r.otherReviewId} by another reviewer.`;
    case "verified_purchase":
      return r.verified ? "Verified purchase." : "Not a verified purchase.";
    case "reviewer_total":
      return r.totalReviews === 1
        ? "The reviewer's only review."
        : `The reviewer wrote ${r.totalReviews} reviews over ${round(r.activeDays, 0)} days, at most ${r.maxReviewsPerDay} on one day.`;
    case "early_review":
      return `Written ${Math.round(r.lifeShare * 100)}% of the way through the product's review history.`;
    case "reviewer_surprise":
      return `The reviewer's ratings and timing are unusual: ${round(r.surpriseBits, 1)} bits of surprise over ${r.reviewCount} review${r.reviewCount === 1 ? "" : "s"}.`;
  }
}
