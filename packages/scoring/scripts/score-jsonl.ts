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
  type DuplicateMatch,
  type ProductState,
  type Reason,
  type ReviewerState,
  type ScoredReview,
  DEFAULT_SCORING_OPTIONS,
  SignatureIndex,
  describeReason,
  empiricalBayesPrior,
  initialProductState,
  initialReviewerState,
  reweightReachMs,
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
// reviewer, a 5-star rating, 3 earlier reviews): their JSON is built and
// encoded once, cached per code by the one integer that varies, and numbered
// so that a whole list of them can key a cache of line endings.
interface CachedReason {
  readonly id: number;
  readonly bytes: Buffer;
}
// One array per code, indexed by the varying integer: no string-keyed lookup per reason.
const firstTimeReasons: (CachedReason | undefined)[] = [];
const extremeReasons: (CachedReason | undefined)[] = [];
const verifiedReasons: (CachedReason | undefined)[] = [];
const historyReasons: (CachedReason | undefined)[] = [];
const dailyVolumeReasons: (CachedReason | undefined)[] = [];
let cachedReasons = 0;

function cached(cache: (CachedReason | undefined)[], r: Reason, variant: number): CachedReason {
  let entry = cache[variant];
  if (entry === undefined) cache[variant] = entry = { id: ++cachedReasons, bytes: Buffer.from(JSON.stringify(reasonJson(r)), "utf8") };
  return entry;
}

const POWERS_OF_TEN = [1, 10, 100, 1000, 10_000];

/**
 * Writes String(k / 10^digits) for an integer k (digits 0..4) at `at` and
 * returns the end; round4(x)'s text is putDecimal(b, at, Math.round(x *
 * 10_000), 4). For 0 ≤ k < 2³¹ that text is k's decimal digits with a point
 * before the last `digits` and trailing zeros dropped (k / 10^digits is the
 * double nearest that decimal, and no shorter decimal reads back as it; a
 * test compares every k below 2¹⁶), written here without making the string:
 * a number's text was the costly part of writing it. Other k go through String.
 */
export function putDecimal(b: Buffer, at: number, k: number, digits: number): number {
  const scale = POWERS_OF_TEN[digits]!;
  if (!(k >= 0 && k < 2 ** 31 && Number.isInteger(k))) return putAscii(b, at, String(k / scale));
  const whole = Math.floor(k / scale);
  let fraction = k - whole * scale;
  // The whole part's digits, last first.
  let end = at + 1;
  for (let w = whole; w >= 10; w = Math.floor(w / 10)) end++;
  for (let i = end - 1, w = whole; i >= at; i--, w = Math.floor(w / 10)) b[i] = 48 + (w % 10);
  if (fraction === 0) return end;
  let n = digits;
  while (fraction % 10 === 0) {
    fraction /= 10;
    n--;
  }
  b[end] = 46;
  for (let i = end + n; i > end; i--, fraction = Math.floor(fraction / 10)) b[i] = 48 + (fraction % 10);
  return end + n + 1;
}

/** A reason's JSON: encoded and numbered when it is one of the common exact values, null for a rating deviation (written in place, see putDeviation), else a string. */
function reasonOutput(r: Reason): CachedReason | string | null {
  switch (r.code) {
    case "first_time_reviewer":
      return cached(firstTimeReasons, r, 0);
    case "extreme_rating":
      return cached(extremeReasons, r, r.stars);
    case "verified_purchase":
      return cached(verifiedReasons, r, r.verified ? 1 : 0);
    case "reviewer_history":
      // Cached by count only when the history counts in full (its weight then follows from the count).
      return r.priorReviews < 10_000 && r.quality === undefined ? cached(historyReasons, r, r.priorReviews) : JSON.stringify(reasonJson(r));
    case "reviewer_daily_volume":
      return r.reviewsToday < 10_000 ? cached(dailyVolumeReasons, r, r.reviewsToday) : JSON.stringify(reasonJson(r));
    case "rating_deviation":
      return null;
    default:
      return JSON.stringify(reasonJson(r));
  }
}

type DeviationReason = Extract<Reason, { code: "rating_deviation" }>;
// A rating deviation's JSON around its numbers (stars, consensus, deviation, weight, then the sentence's stars, consensus, deviation).
const [DEVIATION_STARS, DEVIATION_CONSENSUS, DEVIATION_DEVIATION, DEVIATION_WEIGHT, DEVIATION_MESSAGE, DEVIATION_AGAINST, DEVIATION_AWAY] =
  [
    '{"code":"rating_deviation","stars":',
    ',"consensus":',
    ',"deviation":',
    ',"weight":',
    ',"message":"',
    " stars against a consensus of ",
    ' away)."}',
  ].map((text) => Buffer.from(text)) as [Buffer, Buffer, Buffer, Buffer, Buffer, Buffer, Buffer];
/** Room for a rating deviation's JSON (about 170 bytes). */
const DEVIATION_MAX_BYTES = 256;

/**
 * Writes a rating deviation's JSON at `at` and returns its end: in
 * reasonJson's field order, with describeReason's sentence. Four in ten
 * reviews have one, never the same twice; built as a string (five number
 * texts, the sentence, JSON.stringify, Buffer.write), it took about 8% of
 * the scoring thread's time. A test compares the lines with reasonJson's.
 */
function putDeviation(b: Buffer, at: number, r: DeviationReason): number {
  const stars = String(r.stars);
  b.set(DEVIATION_STARS, at);
  at = putAscii(b, at + DEVIATION_STARS.length, stars);
  b.set(DEVIATION_CONSENSUS, at);
  at = putDecimal(b, at + DEVIATION_CONSENSUS.length, Math.round(r.consensus * 10_000), 4);
  b.set(DEVIATION_DEVIATION, at);
  at = putDecimal(b, at + DEVIATION_DEVIATION.length, Math.round(r.deviation * 10_000), 4);
  b.set(DEVIATION_WEIGHT, at);
  at = putDecimal(b, at + DEVIATION_WEIGHT.length, Math.round(r.weight * 10_000), 4);
  b.set(DEVIATION_MESSAGE, at);
  // describeReason: `${stars} stars against a consensus of ${round(consensus, 2)} (${round(deviation, 2)} away).`
  at = putAscii(b, at + DEVIATION_MESSAGE.length, stars);
  b.set(DEVIATION_AGAINST, at);
  at = putDecimal(b, at + DEVIATION_AGAINST.length, Math.round(r.consensus * 100), 2);
  b[at++] = 32; // " ("
  b[at++] = 40;
  at = putDecimal(b, at, Math.round(r.deviation * 100), 2);
  b.set(DEVIATION_AWAY, at);
  return at + DEVIATION_AWAY.length;
}

/**
 * Copies an ASCII string into `b` at `at` and returns the end. The strings
 * of a line are short: a loop costs less than Buffer.write, a call into C++.
 */
function putAscii(b: Buffer, at: number, s: string): number {
  for (let i = 0; i < s.length; i++) b[at + i] = s.charCodeAt(i);
  return at + s.length;
}

/**
 * Writes JSON.stringify(s) at `at` (at most 6 × s.length + 2 bytes) and
 * returns the end: directly when s is printable ASCII without a quote or a
 * backslash (nothing to escape), else through JSON.stringify.
 */
function putJsonString(b: Buffer, at: number, s: string): number {
  b[at] = 34;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 32 || c > 126 || c === 34 || c === 92) return at + b.write(JSON.stringify(s), at, "utf8");
    b[at + 1 + i] = c;
  }
  b[at + 1 + s.length] = 34;
  return at + s.length + 2;
}

/** One output line for a scored review, as a string (the command writes the same bytes without building it). */
export function reviewLine(s: ScoredReview): string {
  let reasons = "";
  for (const r of s.reasons) reasons += (reasons ? "," : "") + JSON.stringify(reasonJson(r));
  return `{"reviewId":${JSON.stringify(s.reviewId)},"suspicion":${round4(s.suspicion)},"trustWeight":${s.trustWeightBp / 10_000},"reasons":[${reasons}]}\n`;
}

const LINE_START = Buffer.from('{"reviewId":');
const SUSPICION = Buffer.from(',"suspicion":');
const TRUST_WEIGHT = Buffer.from(',"trustWeight":');
const REASONS = Buffer.from(',"reasons":[');
const LINE_END = Buffer.from("]}\n");
const COMMA = 44;

/** A line's ending after the review id, for a list of common reasons: the suspicion follows from the reasons, but is checked anyway. */
interface CachedEnding {
  readonly suspicion: number;
  readonly trustWeightBp: number;
  readonly bytes: Buffer;
}

function field(o: Record<string, unknown>, name: string, line: number, kind: "string" | "number" | "boolean", optional = false): unknown {
  const v = o[name];
  if (v === undefined && optional) return undefined;
  if (typeof v !== kind) throw new InputLineError(`line ${line}: "${name}" must be a ${kind}, got ${JSON.stringify(v)}`);
  return v;
}

/** One input line, checked: what the scorer needs of it. */
export interface ParsedReview {
  readonly reviewId: string;
  readonly productId: string;
  readonly reviewerId: string;
  readonly stars: number;
  readonly timeMs: number;
  readonly text: string | undefined;
  readonly verified: boolean | undefined;
}

// Day of the last ISO time parsed and its start in ms: input is in arrival
// order, so nearly every time falls on the day before it.
let isoDay = "";
let isoDayMs = Number.NaN;

function digits(s: string, at: number, n: number): number {
  let v = 0;
  for (let i = at; i < at + n; i++) {
    const d = s.charCodeAt(i) - 48;
    if (d < 0 || d > 9) return -1;
    v = v * 10 + d;
  }
  return v;
}

/**
 * Date.parse for a time, with a fast path for the form JSON.stringify(new
 * Date()) writes, "YYYY-MM-DDTHH:MM:SS.sssZ": the day's start comes from
 * Date.parse itself (once per day), the time of day is added. Anything else
 * goes to Date.parse, so the result is always Date.parse's.
 */
export function parseTimeMs(t: string): number {
  if (
    t.length === 24 &&
    t.charCodeAt(10) === 84 &&
    t.charCodeAt(13) === 58 &&
    t.charCodeAt(16) === 58 &&
    t.charCodeAt(19) === 46 &&
    t.charCodeAt(23) === 90
  ) {
    const hh = digits(t, 11, 2);
    const mm = digits(t, 14, 2);
    const ss = digits(t, 17, 2);
    const ms = digits(t, 20, 3);
    if (hh >= 0 && hh < 24 && mm >= 0 && mm < 60 && ss >= 0 && ss < 60 && ms >= 0) {
      if (!t.startsWith(isoDay)) {
        const day = t.slice(0, 10);
        const dayMs = Date.parse(`${day}T00:00:00.000Z`);
        // Only a day that round-trips exactly is cached (no month 13, no 30 February).
        const exact = Number.isFinite(dayMs) && new Date(dayMs).toISOString().startsWith(day);
        isoDay = exact ? day : "";
        isoDayMs = exact ? dayMs : Number.NaN;
      }
      if (isoDay !== "") return isoDayMs + ((hh * 60 + mm) * 60 + ss) * 1000 + ms;
    }
  }
  return Date.parse(t);
}

// A backslash (an escape) or a raw control character (invalid JSON) sends a line to JSON.parse.
const NEEDS_JSON_PARSE = /[\u0000-\u001f\\]/;

function isKey(s: string, at: number, end: number, name: string): boolean {
  return end - at === name.length && s.startsWith(name, at);
}

/**
 * The common line, parsed without JSON.parse: a flat object of strings
 * without escapes, one-digit numbers and booleans, with every field of the
 * right type and a valid time. Null for anything else, which then takes the
 * JSON.parse path: that one decides what is valid and words the errors, so
 * the two paths agree on every line (a test checks).
 */
function parseCommon(s: string): ParsedReview | null {
  const last = s.length - 1;
  if (s.charCodeAt(0) !== 123 || s.charCodeAt(last) !== 125 || last < 2 || NEEDS_JSON_PARSE.test(s)) return null;
  let reviewId: string | undefined;
  let productId: string | undefined;
  let reviewerId: string | undefined;
  let time: string | undefined;
  let stars = 0;
  let text: string | undefined;
  let verified: boolean | undefined;
  let i = 1;
  for (;;) {
    if (s.charCodeAt(i) !== 34) return null;
    const keyEnd = s.indexOf('"', i + 1);
    if (keyEnd < 0 || s.charCodeAt(keyEnd + 1) !== 58) return null;
    const v = keyEnd + 2;
    const c = s.charCodeAt(v);
    let next: number;
    let str: string | undefined;
    let num = -1;
    let bool: boolean | undefined;
    if (c === 34) {
      const end = s.indexOf('"', v + 1);
      if (end < 0) return null;
      str = s.slice(v + 1, end);
      next = end + 1;
    } else if (c >= 48 && c <= 57) {
      num = c - 48;
      next = v + 1;
    } else if (s.startsWith("true", v)) {
      bool = true;
      next = v + 4;
    } else if (s.startsWith("false", v)) {
      bool = false;
      next = v + 5;
    } else return null;
    const after = s.charCodeAt(next);
    if (after !== 44 && !(after === 125 && next === last)) return null;
    const k = i + 1;
    if (isKey(s, k, keyEnd, "reviewId")) {
      if (str === undefined) return null;
      reviewId = str;
    } else if (isKey(s, k, keyEnd, "productId")) {
      if (str === undefined) return null;
      productId = str;
    } else if (isKey(s, k, keyEnd, "reviewerId")) {
      if (str === undefined) return null;
      reviewerId = str;
    } else if (isKey(s, k, keyEnd, "rating")) {
      if (num < 1 || num > 5) return null;
      stars = num;
    } else if (isKey(s, k, keyEnd, "time")) {
      if (str === undefined) return null;
      time = str;
    } else if (isKey(s, k, keyEnd, "text")) {
      if (str === undefined) return null;
      text = str;
    } else if (isKey(s, k, keyEnd, "verified")) {
      if (bool === undefined) return null;
      verified = bool;
    }
    if (after === 125) break;
    i = next + 1;
  }
  if (reviewId === undefined || productId === undefined || reviewerId === undefined || time === undefined || stars === 0) return null;
  const timeMs = parseTimeMs(time);
  if (!Number.isFinite(timeMs)) return null;
  return { reviewId, productId, reviewerId, stars, timeMs, text, verified };
}

/**
 * Parses and checks one input line (already trimmed, not empty).
 *
 * @throws {InputLineError} for malformed JSON, a missing or mistyped field,
 *   a rating outside 1..5 or an unparseable time
 */
export function parseReviewLine(text: string, lineNumber: number): ParsedReview {
  const common = parseCommon(text);
  if (common !== null) return common;
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
  if (!Number.isInteger(stars) || stars < 1 || stars > 5)
    throw new InputLineError(`line ${lineNumber}: "rating" must be an integer 1..5, got ${stars}`);
  const timeMs = parseTimeMs(time);
  if (!Number.isFinite(timeMs)) throw new InputLineError(`line ${lineNumber}: "time" must be ISO 8601, got ${JSON.stringify(time)}`);
  return { reviewId, productId, reviewerId, stars, timeMs, text: reviewText, verified };
}

/**
 * Every reviewer's ReviewerState, kept column-wise in typed arrays instead of
 * one object (and one product list) per reviewer: a file has hundreds of
 * thousands of reviewers, most seen once, and as objects they were the bulk
 * of what the garbage collector copied and marked (issue 18 gave each a
 * product list). A review is scored against one reusable ReviewerState,
 * loaded from the columns before and stored back after, so the scorer and
 * its output are unchanged. Counts and UTC day numbers are 32-bit
 * integers: a file would need 2³¹ reviews to overflow them.
 */
class ReviewerColumns {
  /** reviewCount, day, reviewsThatDay, maxReviewsPerDay, extremeCount, activeDays, flaggedReviews, product pairs. */
  private ints = new Int32Array(8 << 16);
  /** firstMs, lastMs. */
  private times = new Float64Array(2 << 16);
  /** recentProducts, oldest first: hashes and days, `slots` pairs per reviewer. */
  private hashes: Uint32Array;
  private days: Int32Array;
  private count = 0;
  /** The state a review is scored against, reloaded for each. */
  readonly state: ReviewerState = initialReviewerState();

  constructor(private readonly slots: number) {
    this.hashes = new Uint32Array(slots << 16);
    this.days = new Int32Array(slots << 16);
  }

  /** Adds a reviewer with no reviews (initialReviewerState: all zeros) and returns its number. */
  add(): number {
    if (8 * (this.count + 1) > this.ints.length) {
      const grow = <T extends Int32Array | Uint32Array | Float64Array>(a: T): T => {
        const b = new (a.constructor as new (n: number) => T)(2 * a.length);
        b.set(a);
        return b;
      };
      this.ints = grow(this.ints);
      this.times = grow(this.times);
      this.hashes = grow(this.hashes);
      this.days = grow(this.days);
    }
    return this.count++;
  }

  /** Reviewer n's review count (JsonlScorer.prefetch reads it ahead). */
  first(n: number): number {
    return this.ints[8 * n]!;
  }

  /** Loads reviewer n into `state`. Its product list is a fresh array: the scorer shares it with the product's arrival entry. */
  load(n: number): ReviewerState {
    const s = this.state;
    const ints = this.ints;
    const i = 8 * n;
    s.reviewCount = ints[i]!;
    s.day = ints[i + 1]!;
    s.reviewsThatDay = ints[i + 2]!;
    s.maxReviewsPerDay = ints[i + 3]!;
    s.extremeCount = ints[i + 4]!;
    s.activeDays = ints[i + 5]!;
    s.flaggedReviews = ints[i + 6]!;
    s.firstMs = this.times[2 * n]!;
    s.lastMs = this.times[2 * n + 1]!;
    const pairs = ints[i + 7]!;
    if (pairs === 0) s.recentProducts = NO_PRODUCTS;
    else {
      const list: number[] = [];
      const at = this.slots * n;
      for (let k = at; k < at + pairs; k++) list.push(this.hashes[k]!, this.days[k]!);
      s.recentProducts = list;
    }
    return s;
  }

  /** Stores `state` (as the scorer left it) as reviewer n. */
  store(n: number): void {
    const s = this.state;
    const ints = this.ints;
    const i = 8 * n;
    ints[i] = s.reviewCount;
    ints[i + 1] = s.day;
    ints[i + 2] = s.reviewsThatDay;
    ints[i + 3] = s.maxReviewsPerDay;
    ints[i + 4] = s.extremeCount;
    ints[i + 5] = s.activeDays ?? 0;
    ints[i + 6] = s.flaggedReviews ?? 0;
    this.times[2 * n] = s.firstMs;
    this.times[2 * n + 1] = s.lastMs;
    const list = s.recentProducts ?? NO_PRODUCTS;
    const at = this.slots * n;
    for (let k = 0; k < list.length; k += 2) {
      this.hashes[at + k / 2] = list[k]!;
      this.days[at + k / 2] = list[k + 1]!;
    }
    ints[i + 7] = list.length / 2;
  }
}

/** The product list of a reviewer without one; never changed (the scorer replaces a list, it does not edit it). */
const NO_PRODUCTS: number[] = [];

export interface ScoreJsonlSummary {
  readonly reviews: number;
  readonly products: number;
  readonly discounted: number;
  readonly bursts: number;
}

/**
 * The scoring half of the command: takes reviews already parsed, with
 * products and reviewers as small integers (numbered in order of first
 * appearance, see {@link intern}), scores them in input order and passes each
 * output line (with its newline) to `write`. The CLI feeds it from a parsing
 * thread; {@link scoreJsonl} from lines in the same thread. Either way the
 * output is the same.
 */
export class JsonlScorer {
  private readonly options = DEFAULT_SCORING_OPTIONS;
  /** Per product and per reviewer number: name and state. */
  readonly productNames: string[] = [];
  private readonly products: ProductState[] = [];
  readonly reviewerNames: string[] = [];
  private readonly reviewers = new ReviewerColumns(this.options.coReviewProducts);
  private readonly signatures = new SignatureIndex();
  private get reachMs(): number {
    return reweightReachMs(this.options);
  }
  // Reviews wait until no later arrival can re-weight them: a re-weight
  // reaches back at most reweightReachMs(options) before the arrival that
  // flags it (the scan window, or a slow campaign's trail). If times ever go backwards, everything waits for the end.
  // Their lines wait as UTF-8 in one buffer, written there piece by piece:
  // building each line as a string first cost a quarter of the command's
  // time in string joins, flattening and garbage. The rare re-weight
  // decodes its line, and the new text replaces those bytes when written.
  private bytes = Buffer.allocUnsafe(1 << 22);
  private used = 0;
  /** Per waiting line, from the oldest (number `first`): its start in `bytes`, time and review id. */
  private starts: number[] = [];
  private pendingTimes: number[] = [];
  private pendingIds: string[] = [];
  private first = 0;
  private head = 0;
  /** Re-weighted lines by number: their new text. */
  private readonly rewritten = new Map<number, string>();
  private readonly endings = new Map<number, CachedEnding>();
  /** appendLine's reasons as output, reused: one array fewer per review. */
  private readonly parts: (CachedReason | string | null)[] = [];
  /** The review being scored, reused: scoreArrivalInPlace reads it and keeps none of it but the ids. */
  private readonly review: { reviewId: string; reviewerId: string; stars: number; verified: boolean | undefined; productId: string } = {
    reviewId: "",
    reviewerId: "",
    stars: 0,
    verified: undefined,
    productId: "",
  };
  private maxTimeMs = Number.NEGATIVE_INFINITY;
  private ordered = true;
  private count = 0;

  /** `write` gets UTF-8 bytes of whole lines, valid only during the call. */
  constructor(private readonly write: (chunk: Uint8Array) => void) {}

  addProduct(name: string): void {
    this.productNames.push(name);
    this.products.push(initialProductState());
  }

  addReviewer(name: string): void {
    this.reviewerNames.push(name);
    this.reviewers.add();
  }

  /**
   * Scores one review. The near-duplicate check runs on `text` here, unless
   * `duplicate` is given: the result of that same check made elsewhere (the
   * CLI's parsing thread keeps the signature store), null for none.
   *
   * @throws {InputLineError} when the review is earlier than its product's previous one
   */
  add(
    lineNumber: number,
    reviewId: string,
    productNumber: number,
    reviewerNumber: number,
    stars: number,
    timeMs: number,
    verified: boolean | undefined,
    text: string | undefined,
    duplicate?: DuplicateMatch | null,
  ): void {
    const product = this.products[productNumber]!;
    if (product.arrival.arrivals > 0 && timeMs < product.arrival.lastMs) {
      throw new InputLineError(
        `line ${lineNumber}: review ${reviewId} is earlier than the product's previous review; input must be in arrival order`,
      );
    }
    const reviewer = this.reviewers.load(reviewerNumber);
    const productId = this.productNames[productNumber]!;
    const reviewerId = this.reviewerNames[reviewerNumber]!;
    if (duplicate === undefined)
      duplicate = text === undefined ? null : this.signatures.checkAndAdd({ reviewId, reviewerId, productId, timeMs, text });
    const review = this.review;
    review.reviewId = reviewId;
    review.reviewerId = reviewerId;
    review.stars = stars;
    review.verified = verified;
    review.productId = productId;
    const score = scoreArrivalInPlace(product, reviewer, review, timeMs, duplicate, this.options);
    this.reviewers.store(reviewerNumber);
    for (const r of score.reweighted) {
      // Re-weights are rare (a burst) and reach back one window at most:
      // a backward scan of the waiting reviews beats indexing every review.
      for (let i = this.pendingIds.length - 1; i >= this.head; i--) {
        if (this.pendingIds[i] !== r.reviewId) continue;
        const number = this.first + i;
        const text =
          this.rewritten.get(number) ??
          this.bytes.toString("utf8", this.starts[i]!, i + 1 < this.starts.length ? this.starts[i + 1]! : this.used);
        const line = JSON.parse(text) as { suspicion: number; trustWeight: number; reasons: { weight: number }[] };
        line.suspicion = round4(r.suspicion);
        line.trustWeight = r.trustWeightBp / 10_000;
        line.reasons.push(reasonJson(r.reason) as { weight: number });
        line.reasons.sort((a, b) => b.weight - a.weight);
        this.rewritten.set(number, `${JSON.stringify(line)}\n`);
        break;
      }
    }
    this.pendingTimes.push(timeMs);
    this.pendingIds.push(reviewId);
    this.starts.push(this.used);
    this.appendLine(reviewId, score.suspicion, score.trustWeightBp, score.reasons);
    this.count++;
    if (timeMs < this.maxTimeMs) this.ordered = false;
    this.maxTimeMs = Math.max(this.maxTimeMs, timeMs);
    if (this.ordered && (this.count & 1023) === 0) this.emitUpTo(this.maxTimeMs - this.reachMs);
  }

  /**
   * Reads the first fields the scorer will read of the products of the next
   * reviews (`products[from..to)`), one level of pointers at a time across
   * them all. A product's state is a chain of objects (product, arrival, ring,
   * its oldest entry, counts), rarely in cache when its next review comes:
   * loaded one review at a time, every link waits for memory in turn; loaded
   * here, the links of all these products are fetched side by side. Reads
   * only; the sum is kept so the reads are not optimized away.
   */
  prefetch(products: Int32Array, reviewers: Int32Array, from: number, to: number): void {
    const states = this.prefetched;
    let n = 0;
    let sum = 0;
    for (let i = from; i < to; i++) {
      states[n++] = this.products[products[i]!]!;
      sum += this.reviewers.first(reviewers[i]!) + this.productNames[products[i]!]!.length;
    }
    const arrivals = this.prefetchedArrivals;
    for (let i = 0; i < n; i++) arrivals[i] = states[i]!.arrival;
    const counts = this.prefetchedCounts;
    for (let i = 0; i < n; i++) counts[i] = states[i]!.counts.weightedHistogramBp;
    const rings = this.prefetchedRings;
    const streams = this.prefetchedStreams;
    for (let i = 0; i < n; i++) {
      const a = arrivals[i]!;
      sum += a.lastMs;
      streams[i] = a.streams.all;
      rings[i] = a.recent;
      rings[n + i] = a.trail;
    }
    for (let i = 0; i < n; i++) sum += counts[i]![0]! + streams[i]!.cusum;
    for (let i = 0; i < 2 * n; i++) {
      const first = rings[i]![0];
      if (first !== undefined) sum += first.timeMs;
    }
    this.prefetchSum += sum;
  }

  private readonly prefetched: ProductState[] = [];
  private readonly prefetchedArrivals: ProductState["arrival"][] = [];
  private readonly prefetchedCounts: number[][] = [];
  private readonly prefetchedRings: ProductState["arrival"]["recent"][] = [];
  private readonly prefetchedStreams: ProductState["arrival"]["streams"]["all"][] = [];
  /** What prefetch read, summed: only so its reads count. */
  prefetchSum = 0;

  /** Makes room for `n` more bytes: first by dropping written lines, then by growing. */
  private reserve(n: number): void {
    if (this.used + n <= this.bytes.length) return;
    const from = this.head < this.starts.length ? this.starts[this.head]! : this.used;
    if (from > 0) {
      this.bytes.copyWithin(0, from, this.used);
      this.used -= from;
      this.starts = this.starts.slice(this.head);
      for (let i = 0; i < this.starts.length; i++) this.starts[i]! -= from;
      this.pendingTimes = this.pendingTimes.slice(this.head);
      this.pendingIds = this.pendingIds.slice(this.head);
      this.first += this.head;
      this.head = 0;
    }
    // Grown while the waiting lines fill more than half of it: each shift then
    // frees at least half the buffer (60 days of lines wait, see reachMs).
    if (this.used + n > this.bytes.length || this.used > this.bytes.length / 2) {
      const grown = Buffer.allocUnsafe(Math.max(2 * this.bytes.length, this.used + n));
      this.bytes.copy(grown, 0, 0, this.used);
      this.bytes = grown;
    }
  }

  /** Appends a review's line to the waiting bytes: the same text as {@link reviewLine}. */
  private appendLine(reviewId: string, suspicion: number, trustWeightBp: number, reasons: readonly Reason[]): void {
    // A line's ending is cached when its reasons are at most 5 common ones (ids < 2¹⁰ each).
    let key = 0;
    let size = 0;
    let deviation: DeviationReason | null = null;
    const parts = this.parts;
    parts.length = 0;
    for (const r of reasons) {
      const part = reasonOutput(r);
      parts.push(part);
      if (part === null) {
        deviation = r as DeviationReason;
        key = -1;
        size += DEVIATION_MAX_BYTES + 1;
      } else if (typeof part === "string") {
        key = -1;
        size += 3 * part.length + 1;
      } else {
        if (key >= 0) key = part.id < 1024 && parts.length <= 5 ? key * 1024 + part.id : -1;
        size += part.bytes.length + 1;
      }
    }
    const idBytes = 6 * reviewId.length + 2;
    const ending = key > 0 ? this.endings.get(key) : undefined;
    if (ending !== undefined && ending.suspicion === suspicion && ending.trustWeightBp === trustWeightBp) {
      this.reserve(LINE_START.length + idBytes + ending.bytes.length);
      const b = this.bytes;
      b.set(LINE_START, this.used);
      this.used = putJsonString(b, this.used + LINE_START.length, reviewId);
      b.set(ending.bytes, this.used);
      this.used += ending.bytes.length;
      return;
    }
    this.reserve(128 + idBytes + size);
    const b = this.bytes;
    let at = this.used;
    b.set(LINE_START, at);
    at = putJsonString(b, at + LINE_START.length, reviewId);
    const endingStart = at;
    b.set(SUSPICION, at);
    at = putDecimal(b, at + SUSPICION.length, Math.round(suspicion * 10_000), 4);
    b.set(TRUST_WEIGHT, at);
    at = putDecimal(b, at + TRUST_WEIGHT.length, trustWeightBp, 4);
    b.set(REASONS, at);
    at += REASONS.length;
    for (let i = 0; i < parts.length; i++) {
      if (i > 0) b[at++] = COMMA;
      const part = parts[i]!;
      if (part === null) at = putDeviation(b, at, deviation!);
      else if (typeof part === "string") at += b.write(part, at, "utf8");
      else {
        b.set(part.bytes, at);
        at += part.bytes.length;
      }
    }
    b.set(LINE_END, at);
    at += LINE_END.length;
    this.used = at;
    if (key > 0 && !this.endings.has(key)) {
      this.endings.set(key, { suspicion, trustWeightBp, bytes: Buffer.from(b.subarray(endingStart, at)) });
    }
  }

  private emitUpTo(limitMs: number): void {
    const times = this.pendingTimes;
    const from = this.head;
    let to = from;
    while (to < times.length && times[to]! < limitMs) to++;
    if (to === from) return;
    const end = to < this.starts.length ? this.starts[to]! : this.used;
    let start = this.starts[from]!;
    if (this.rewritten.size > 0) {
      for (let i = from; i < to; i++) {
        const text = this.rewritten.get(this.first + i);
        if (text === undefined) continue;
        this.rewritten.delete(this.first + i);
        if (this.starts[i]! > start) this.write(this.bytes.subarray(start, this.starts[i]!));
        this.write(Buffer.from(text, "utf8"));
        start = i + 1 < this.starts.length ? this.starts[i + 1]! : this.used;
      }
    }
    if (end > start) this.write(this.bytes.subarray(start, end));
    this.head = to;
  }

  /** Writes the reviews still waiting, then one line per product; returns the totals. */
  finish(): ScoreJsonlSummary {
    this.emitUpTo(Number.POSITIVE_INFINITY);
    const prior = empiricalBayesPrior(this.products.map((p) => p.counts.histogram));
    let discounted = 0;
    let bursts = 0;
    for (let n = 0; n < this.products.length; n++) {
      const productId = this.productNames[n]!;
      const p = this.products[n]!;
      const rating = trustWeightedRating(p.counts, prior);
      discounted += rating.discountedCount;
      bursts += p.arrival.bursts.length;
      this.writeText(
        `${JSON.stringify({
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
        })}\n`,
      );
    }
    return { reviews: this.count, products: this.products.length, discounted, bursts };
  }

  private writeText(text: string): void {
    this.write(Buffer.from(text, "utf8"));
  }
}

/**
 * Numbers names in order of first appearance: `intern(names, name, onNew)`
 * returns the name's number, calling onNew(name) the first time.
 */
export function intern(numbers: Map<string, number>, name: string, onNew: (name: string) => void): number {
  let n = numbers.get(name);
  if (n === undefined) {
    n = numbers.size;
    numbers.set(name, n);
    onNew(name);
  }
  return n;
}

/**
 * Scores a stream of input lines and passes each output line (with its
 * newline) to `write`; the sink batches them.
 *
 * @throws {InputLineError} naming the line for malformed input, a rating
 *   outside 1..5, an unparseable time, or a product's arrivals out of time order
 */
export function scoreJsonl(lines: Iterable<string>, write: (chunk: string) => void): ScoreJsonlSummary {
  // Chunks end at line ends, so no UTF-8 character is cut.
  const scorer = new JsonlScorer((bytes) => write(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString("utf8")));
  const productNumbers = new Map<string, number>();
  const reviewerNumbers = new Map<string, number>();
  const newProduct = (name: string) => scorer.addProduct(name);
  const newReviewer = (name: string) => scorer.addReviewer(name);
  let lineNumber = 0;
  for (const raw of lines) {
    lineNumber++;
    const text = raw.trim();
    if (text === "") continue;
    const r = parseReviewLine(text, lineNumber);
    const product = intern(productNumbers, r.productId, newProduct);
    const reviewer = intern(reviewerNumbers, r.reviewerId, newReviewer);
    scorer.add(lineNumber, r.reviewId, product, reviewer, r.stars, r.timeMs, r.verified, r.text);
  }
  return scorer.finish();
}
