/**
 * The `score` command's engine: JSON lines of reviews in arrival order in,
 * JSON lines of review scores and product summaries out. I/O stays in the
 * caller (score.ts): this takes lines and a sink, so tests run it in memory.
 *
 * Input, one object per line:
 *   {"reviewId","productId","reviewerId","rating" (1..5),"time" (ISO 8601),"text"?,"verified"?}
 * Output: one line per review {"reviewId","suspicion","trustWeight","reasons":[...]},
 * in input order, each with its final score (a burst flagged later re-weights
 * the reviews before it in its window); then one line per product
 * {"productId","rating","interval":[lo,hi],"lowerBound","plainMean","count",
 *  "weightedCount","discounted","discountReasons","bursts":[{"start","end","reasons"}]}.
 * The whole file is one shop: one reviewer namespace, one near-duplicate store,
 * one empirical-Bayes prior fitted from all its products.
 */
import {
  type BurstEvidence,
  type ProductState,
  type Reason,
  type ReviewerState,
  type ScoredReview,
  DEFAULT_SCORING_OPTIONS,
  SignatureIndex,
  checkDuplicate,
  describeReason,
  empiricalBayesPrior,
  initialProductState,
  initialReviewerState,
  scoreArrivalInPlace,
  trustWeightedRating,
} from "../src/index.js";

export class InputLineError extends Error {
  override readonly name = "InputLineError";
}

function round4(x: number): number {
  return Math.round(x * 10_000) / 10_000;
}

function burstJson(b: BurstEvidence): Record<string, unknown> {
  return {
    detector: b.detector,
    stream: b.stream,
    windowStart: new Date(b.windowStartMs).toISOString(),
    windowEnd: new Date(b.windowEndMs).toISOString(),
    count: b.count,
    baselineRatePerDay: round4(b.baselineRatePerDay),
    expectedCount: round4(b.expectedCount),
    surprise: round4(b.surprise),
    firstTimerShare: round4(b.firstTimerShare),
    meanStars: round4(b.meanStars),
  };
}

/** A reason as output: numbers rounded to 4 decimals, times as ISO 8601, plus its sentence. */
export function reasonJson(r: Reason): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const k in r) {
    const v = (r as unknown as Record<string, unknown>)[k];
    if (k === "burst") out.burst = burstJson(v as BurstEvidence);
    else out[k] = typeof v === "number" && !Number.isInteger(v) ? round4(v) : v;
  }
  out.message = describeReason(r);
  return out;
}

// Most reasons are one of a few hundred exact values (a first-time
// reviewer, a 5-star rating, 3 earlier reviews): their JSON is built once,
// cached per code by the one integer that varies.
const reasonCache = new Map<string, Map<number, string>>();

function cached(r: Reason, variant: number): string {
  let byVariant = reasonCache.get(r.code);
  if (byVariant === undefined) reasonCache.set(r.code, (byVariant = new Map()));
  let text = byVariant.get(variant);
  if (text === undefined) byVariant.set(variant, (text = JSON.stringify(reasonJson(r))));
  return text;
}

function reasonText(r: Reason): string {
  switch (r.code) {
    case "first_time_reviewer":
      return cached(r, 0);
    case "extreme_rating":
      return cached(r, r.stars);
    case "verified_purchase":
      return cached(r, r.verified ? 1 : 0);
    case "reviewer_history":
      return r.priorReviews < 10_000 ? cached(r, r.priorReviews) : JSON.stringify(reasonJson(r));
    case "reviewer_daily_volume":
      return r.reviewsToday < 10_000 ? cached(r, r.reviewsToday) : JSON.stringify(reasonJson(r));
    case "rating_deviation":
      // Common and never the same twice: written directly, in reasonJson's field order.
      return `{"code":"rating_deviation","stars":${r.stars},"consensus":${round4(r.consensus)},"deviation":${round4(r.deviation)},"weight":${round4(r.weight)},"message":${JSON.stringify(describeReason(r))}}`;
    default:
      return JSON.stringify(reasonJson(r));
  }
}

/** One output line for a scored review. */
export function reviewLine(s: ScoredReview): string {
  let reasons = "";
  for (const r of s.reasons) reasons += (reasons ? "," : "") + reasonText(r);
  return `{"reviewId":${JSON.stringify(s.reviewId)},"suspicion":${round4(s.suspicion)},"trustWeight":${s.trustWeightBp / 10_000},"reasons":[${reasons}]}\n`;
}

function field(o: Record<string, unknown>, name: string, line: number, kind: "string" | "number" | "boolean", optional = false): unknown {
  const v = o[name];
  if (v === undefined && optional) return undefined;
  if (typeof v !== kind) throw new InputLineError(`line ${line}: "${name}" must be a ${kind}, got ${JSON.stringify(v)}`);
  return v;
}

export interface ScoreJsonlSummary {
  readonly reviews: number;
  readonly products: number;
  readonly discounted: number;
  readonly bursts: number;
}

/**
 * Scores a stream of input lines and passes each output line (with its
 * newline) to `write`; the sink batches them.
 *
 * @throws {InputLineError} naming the line for malformed input, a rating
 *   outside 1..5, an unparseable time, or a product's arrivals out of time order
 */
export function scoreJsonl(lines: Iterable<string>, write: (chunk: string) => void): ScoreJsonlSummary {
  const options = DEFAULT_SCORING_OPTIONS;
  const products = new Map<string, ProductState>();
  const productOrder: string[] = [];
  const reviewers = new Map<string, ReviewerState>();
  const signatures = new SignatureIndex();
  // Reviews wait here until no later arrival can re-weight them: a re-weight
  // reaches back at most one window (options.windowMs) before the arrival
  // that flags it. If times ever go backwards, everything waits for the end.
  // Kept as finished lines, not objects: a window of reviews outlives a
  // young-generation GC, and one string promotes far cheaper than a review's
  // reason objects. The rare re-weight parses its line back.
  const pendingTimes: number[] = [];
  const pendingIds: string[] = [];
  const pendingLines: string[] = [];
  let head = 0;
  let maxTimeMs = Number.NEGATIVE_INFINITY;
  let ordered = true;
  let lineNumber = 0;
  let count = 0;

  const emitUpTo = (limitMs: number) => {
    while (head < pendingTimes.length && pendingTimes[head]! < limitMs) {
      write(pendingLines[head++]!);
    }
    if (head > 65_536) {
      pendingTimes.splice(0, head);
      pendingIds.splice(0, head);
      pendingLines.splice(0, head);
      head = 0;
    }
  };

  for (const raw of lines) {
    lineNumber++;
    const text = raw.trim();
    if (text === "") continue;
    let o: Record<string, unknown>;
    try {
      o = JSON.parse(text) as Record<string, unknown>;
    } catch {
      throw new InputLineError(`line ${lineNumber}: not valid JSON`);
    }
    const reviewId = field(o, "reviewId", lineNumber, "string") as string;
    const productId = field(o, "productId", lineNumber, "string") as string;
    const reviewerId = field(o, "reviewerId", lineNumber, "string") as string;
    const stars = field(o, "rating", lineNumber, "number") as number;
    const time = field(o, "time", lineNumber, "string") as string;
    const reviewText = field(o, "text", lineNumber, "string", true) as string | undefined;
    const verified = field(o, "verified", lineNumber, "boolean", true) as boolean | undefined;
    if (!Number.isInteger(stars) || stars < 1 || stars > 5) throw new InputLineError(`line ${lineNumber}: "rating" must be an integer 1..5, got ${stars}`);
    const timeMs = Date.parse(time);
    if (!Number.isFinite(timeMs)) throw new InputLineError(`line ${lineNumber}: "time" must be ISO 8601, got ${JSON.stringify(time)}`);

    let product = products.get(productId);
    if (product === undefined) {
      products.set(productId, (product = initialProductState()));
      productOrder.push(productId);
    }
    if (product.arrival.arrivals > 0 && timeMs < product.arrival.lastMs) {
      throw new InputLineError(`line ${lineNumber}: review ${reviewId} is earlier than the product's previous review; input must be in arrival order`);
    }
    let reviewer = reviewers.get(reviewerId);
    if (reviewer === undefined) reviewers.set(reviewerId, (reviewer = initialReviewerState()));

    const review = { reviewId, productId, reviewerId, stars, timeMs, text: reviewText, verified };
    const duplicate = checkDuplicate(signatures, review);
    const score = scoreArrivalInPlace(product, reviewer, review, timeMs, duplicate, options);
    for (const r of score.reweighted) {
      // Re-weights are rare (a burst) and reach back one window at most:
      // a backward scan of the waiting reviews beats indexing every review.
      for (let i = pendingIds.length - 1; i >= head; i--) {
        if (pendingIds[i] !== r.reviewId) continue;
        const line = JSON.parse(pendingLines[i]!) as { suspicion: number; trustWeight: number; reasons: { weight: number }[] };
        line.suspicion = round4(r.suspicion);
        line.trustWeight = r.trustWeightBp / 10_000;
        line.reasons.push(reasonJson(r.reason) as { weight: number });
        line.reasons.sort((a, b) => b.weight - a.weight);
        pendingLines[i] = `${JSON.stringify(line)}\n`;
        break;
      }
    }
    pendingTimes.push(timeMs);
    pendingIds.push(reviewId);
    pendingLines.push(reviewLine({ reviewId, suspicion: score.suspicion, trustWeightBp: score.trustWeightBp, reasons: score.reasons }));
    count++;
    if (timeMs < maxTimeMs) ordered = false;
    maxTimeMs = Math.max(maxTimeMs, timeMs);
    if (ordered && (count & 1023) === 0) emitUpTo(maxTimeMs - options.windowMs);
  }
  emitUpTo(Number.POSITIVE_INFINITY);

  const prior = empiricalBayesPrior([...products.values()].map((p) => p.counts.histogram));
  let discounted = 0;
  let bursts = 0;
  for (const productId of productOrder) {
    const p = products.get(productId)!;
    const rating = trustWeightedRating(p.counts, prior);
    discounted += rating.discountedCount;
    bursts += p.arrival.bursts.length;
    write(`${JSON.stringify({
      productId,
      rating: round4(rating.mean),
      interval: [round4(rating.interval[0]), round4(rating.interval[1])],
      lowerBound: round4(rating.lowerBound),
      plainMean: rating.plainMean === null ? null : round4(rating.plainMean),
      count: rating.count,
      weightedCount: round4(rating.weightedCount),
      discounted: rating.discountedCount,
      discountReasons: p.discountReasons,
      bursts: p.arrival.bursts.map((b) => ({
        start: new Date(b.startMs).toISOString(),
        end: new Date(b.endMs).toISOString(),
        reasons: b.evidence.map((e) => reasonJson({ code: "burst", weight: 0, burst: e })),
      })),
    })}\n`);
  }
  return { reviews: count, products: products.size, discounted, bursts };
}
