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

/** fmix32 from MurmurHash3: spreads a hash's bits over its low ones, which pick a table slot. */
function mix32(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  return h ^ (h >>> 16);
}

const FNV_OFFSET = 0x811c9dc5 | 0;
const FNV_PRIME = 0x01000193;

const fromCharCode = String.fromCharCode;

/**
 * The string of ASCII bytes b[from, to). Ids are short: String.fromCharCode
 * with one argument per byte is compiled inline, where toString is a call
 * into C++ that cost about five times as much per id.
 */
function asciiString(b: Buffer, from: number, to: number): string {
  const a = from;
  switch (to - from) {
    case 0:
      return "";
    case 1:
      return fromCharCode(b[a]!);
    case 2:
      return fromCharCode(b[a]!, b[a + 1]!);
    case 3:
      return fromCharCode(b[a]!, b[a + 1]!, b[a + 2]!);
    case 4:
      return fromCharCode(b[a]!, b[a + 1]!, b[a + 2]!, b[a + 3]!);
    case 5:
      return fromCharCode(b[a]!, b[a + 1]!, b[a + 2]!, b[a + 3]!, b[a + 4]!);
    case 6:
      return fromCharCode(b[a]!, b[a + 1]!, b[a + 2]!, b[a + 3]!, b[a + 4]!, b[a + 5]!);
    case 7:
      return fromCharCode(b[a]!, b[a + 1]!, b[a + 2]!, b[a + 3]!, b[a + 4]!, b[a + 5]!, b[a + 6]!);
    case 8:
      return fromCharCode(b[a]!, b[a + 1]!, b[a + 2]!, b[a + 3]!, b[a + 4]!, b[a + 5]!, b[a + 6]!, b[a + 7]!);
    case 9:
      return fromCharCode(b[a]!, b[a + 1]!, b[a + 2]!, b[a + 3]!, b[a + 4]!, b[a + 5]!, b[a + 6]!, b[a + 7]!, b[a + 8]!);
    case 10:
      return fromCharCode(b[a]!, b[a + 1]!, b[a + 2]!, b[a + 3]!, b[a + 4]!, b[a + 5]!, b[a + 6]!, b[a + 7]!, b[a + 8]!, b[a + 9]!);
    default:
      return b.toString("latin1", from, to);
  }
}

/**
 * Numbers names in order of first appearance: `ofBytes` and `ofString`
 * return a name's number, calling onNew(name) the first time. ASCII names
 * are kept as bytes in an open-addressing table and looked up straight from
 * the input's bytes, so a name seen before costs no string: as strings in a
 * Map, with most reviewers new, the look-ups took about a third of the
 * parsing thread's time. A name with any other byte is kept by its decoded
 * string in a Map (two different invalid UTF-8 sequences decode to the same
 * string, and so must get the same number, as they did before); an ASCII
 * name never equals a decoded non-ASCII one, so the two never overlap.
 */
export class NameNumbers {
  /** Every name by number. */
  readonly names: string[] = [];
  /** Per slot: the name's hash (FNV-1a of its bytes), its number + 1 (0: empty), its start and length in `arena`. */
  private slots = new Int32Array(4 << 12);
  private mask = (1 << 12) - 1;
  private arena = Buffer.allocUnsafe(1 << 16);
  private used = 0;
  private readonly others = new Map<string, number>();
  private scratch = Buffer.allocUnsafe(256);

  constructor(private readonly onNew: (name: string) => void) {}

  /** The number of the name whose UTF-8 bytes are b[from, to); `high` is their bits or-ed (0x80 set: not ASCII). */
  ofBytes(b: Buffer, from: number, to: number, high: number): number {
    if (high & 0x80) return this.ofOther(b.toString("utf8", from, to));
    let hash = FNV_OFFSET;
    for (let k = from; k < to; k++) hash = Math.imul(hash ^ b[k]!, FNV_PRIME);
    const length = to - from;
    const slots = this.slots;
    const arena = this.arena;
    const mask = this.mask;
    for (let i = mix32(hash) & mask; ; i = (i + 1) & mask) {
      const at = 4 * i;
      const n = slots[at + 1]! - 1;
      if (n < 0) return this.add(at, b, from, to, hash);
      if (slots[at] === hash && slots[at + 3] === length) {
        const start = slots[at + 2]!;
        let k = 0;
        while (k < length && arena[start + k] === b[from + k]) k++;
        if (k === length) return n;
      }
    }
  }

  /** The number of a name given as a string. */
  ofString(name: string): number {
    if (this.scratch.length < name.length) this.scratch = Buffer.allocUnsafe(2 * name.length);
    const s = this.scratch;
    for (let i = 0; i < name.length; i++) {
      const c = name.charCodeAt(i);
      if (c > 127) return this.ofOther(name);
      s[i] = c;
    }
    return this.ofBytes(s, 0, name.length, 0);
  }

  private ofOther(name: string): number {
    let n = this.others.get(name);
    if (n === undefined) {
      n = this.names.length;
      this.others.set(name, n);
      this.names.push(name);
      this.onNew(name);
    }
    return n;
  }

  private add(at: number, b: Buffer, from: number, to: number, hash: number): number {
    const n = this.names.length;
    const length = to - from;
    if (this.used + length > this.arena.length) {
      const grown = Buffer.allocUnsafe(Math.max(2 * this.arena.length, this.used + length));
      this.arena.copy(grown, 0, 0, this.used);
      this.arena = grown;
    }
    const arena = this.arena;
    for (let k = 0; k < length; k++) arena[this.used + k] = b[from + k]!;
    const slots = this.slots;
    slots[at] = hash;
    slots[at + 1] = n + 1;
    slots[at + 2] = this.used;
    slots[at + 3] = length;
    this.used += length;
    const name = asciiString(b, from, to);
    this.names.push(name);
    // Half full at most, so probes stay short.
    if (2 * this.names.length > this.mask) this.grow();
    this.onNew(name);
    return n;
  }

  private grow(): void {
    const old = this.slots;
    const mask = 2 * this.mask + 1;
    const slots = new Int32Array(4 * (mask + 1));
    for (let at = 0; at < old.length; at += 4) {
      if (old[at + 1] === 0) continue;
      let i = mix32(old[at]!) & mask;
      while (slots[4 * i + 1] !== 0) i = (i + 1) & mask;
      slots[4 * i] = old[at]!;
      slots[4 * i + 1] = old[at + 1]!;
      slots[4 * i + 2] = old[at + 2]!;
      slots[4 * i + 3] = old[at + 3]!;
    }
    this.slots = slots;
    this.mask = mask;
  }
}

/** Where a string value of the line being read is: the line's bytes [from, to) (from −1: none), `high` their bits or-ed (0x80 set: not ASCII). */
interface ValueBytes {
  from: number;
  to: number;
  high: number;
}

// Key names, matched as bytes.
const [KEY_REVIEW_ID, KEY_PRODUCT_ID, KEY_REVIEWER_ID, KEY_RATING, KEY_TIME, KEY_TEXT, KEY_VERIFIED] = [
  "reviewId",
  "productId",
  "reviewerId",
  "rating",
  "time",
  "text",
  "verified",
].map((k) => Buffer.from(k)) as [Buffer, Buffer, Buffer, Buffer, Buffer, Buffer, Buffer];
const TRUE = Buffer.from("true");
const FALSE = Buffer.from("false");

function bytesAre(b: Buffer, from: number, to: number, name: Buffer): boolean {
  if (to - from !== name.length) return false;
  for (let i = 0; i < name.length; i++) if (b[from + i] !== name[i]) return false;
  return true;
}

function isAsciiSpace(c: number): boolean {
  return c === 32 || (c >= 9 && c <= 13);
}

/** Two or three digits at b[at..], or −1. */
function digitsAt(b: Buffer, at: number, n: number): number {
  let v = 0;
  for (let i = at; i < at + n; i++) {
    const d = b[i]! - 48;
    if (d < 0 || d > 9) return -1;
    v = v * 10 + d;
  }
  return v;
}

/**
 * Reads the command's input lines from their UTF-8 bytes, numbering
 * products and reviewers ({@link NameNumbers}); after `read`, its fields
 * hold the line's review.
 *
 * The common line (a flat object of strings without escapes, one-digit
 * numbers and booleans, no spaces between tokens: what JSON.stringify
 * writes) is read from the bytes: no string is made for the line, its keys,
 * its time or an id seen before. Anything else (an escape, a raw control
 * character, whitespace between tokens, another number or value, a missing
 * or mistyped field) takes {@link parseReviewLine}, JSON.parse, on the line
 * decoded as before: that path decides what is valid and words the errors,
 * so both agree on every line (tests check), and it is what the command did
 * for every line before.
 */
export class ReviewLineReader {
  readonly products: NameNumbers;
  readonly reviewers: NameNumbers;
  reviewId = "";
  product = 0;
  reviewer = 0;
  stars = 0;
  timeMs = 0;
  text: string | undefined = undefined;
  verified: boolean | undefined = undefined;

  private readonly reviewIdBytes: ValueBytes = { from: 0, to: 0, high: 0 };
  private readonly productBytes: ValueBytes = { from: 0, to: 0, high: 0 };
  private readonly reviewerBytes: ValueBytes = { from: 0, to: 0, high: 0 };
  private readonly timeBytes: ValueBytes = { from: 0, to: 0, high: 0 };
  private readonly textBytes: ValueBytes = { from: 0, to: 0, high: 0 };
  /** The UTC day of the last time read, "YYYY-MM-DD" as bytes, and its start in ms (NaN: none yet): input is in arrival order, so nearly every time falls on the day before it. */
  private readonly day = Buffer.alloc(10);
  private dayMs = Number.NaN;

  constructor(onNewProduct: (name: string) => void, onNewReviewer: (name: string) => void) {
    this.products = new NameNumbers(onNewProduct);
    this.reviewers = new NameNumbers(onNewReviewer);
  }

  /**
   * Reads the line b[start, end) (without its newline). False for a blank
   * line, which is skipped.
   *
   * @throws {InputLineError} as parseReviewLine does
   */
  read(b: Buffer, start: number, end: number, lineNumber: number): boolean {
    let from = start;
    let to = end;
    // The ASCII whitespace String.prototype.trim removes; any other leaves a byte that is not a brace, and the line to JSON.parse.
    while (from < to && isAsciiSpace(b[from]!)) from++;
    while (to > from && isAsciiSpace(b[to - 1]!)) to--;
    if (from === to) return false;
    if (this.readCommon(b, from, to)) {
      const p = this.productBytes;
      this.product = this.products.ofBytes(b, p.from, p.to, p.high);
      const r = this.reviewerBytes;
      this.reviewer = this.reviewers.ofBytes(b, r.from, r.to, r.high);
      const id = this.reviewIdBytes;
      this.reviewId = id.high & 0x80 ? b.toString("utf8", id.from, id.to) : asciiString(b, id.from, id.to);
      const t = this.textBytes;
      if (t.from >= 0) this.text = b.toString(t.high & 0x80 ? "utf8" : "latin1", t.from, t.to);
      return true;
    }
    const text = b.toString("utf8", start, end).trim();
    if (text === "") return false;
    const r = parseReviewLine(text, lineNumber);
    this.product = this.products.ofString(r.productId);
    this.reviewer = this.reviewers.ofString(r.reviewerId);
    this.reviewId = r.reviewId;
    this.stars = r.stars;
    this.timeMs = r.timeMs;
    this.text = r.text;
    this.verified = r.verified;
    return true;
  }

  /** Scans a string value from its opening quote at `at` into `into`; returns the index after its closing quote, or −1 for an escape, a control character or no end before `last`. */
  private scan(b: Buffer, at: number, last: number, into: ValueBytes): number {
    let high = 0;
    let j = at + 1;
    for (; j < last; j++) {
      const c = b[j]!;
      if (c === 34) break;
      if (c < 32 || c === 92) return -1;
      high |= c;
    }
    if (j >= last) return -1;
    into.from = at + 1;
    into.to = j;
    into.high = high;
    return j + 1;
  }

  /** The common line b[from, to) (trimmed) into the fields; false for anything else. */
  private readCommon(b: Buffer, from: number, to: number): boolean {
    const last = to - 1;
    if (b[from] !== 123 || b[last] !== 125 || last - from < 2) return false;
    let haveReviewId = false;
    let haveProduct = false;
    let haveReviewer = false;
    let haveTime = false;
    let stars = 0;
    let verified: boolean | undefined;
    this.textBytes.from = -1;
    this.text = undefined;
    // Skipped keys' values land here.
    const other = this.otherBytes;
    let i = from + 1;
    for (;;) {
      if (b[i] !== 34) return false;
      let keyEnd = i + 1;
      for (; keyEnd < last; keyEnd++) {
        const c = b[keyEnd]!;
        if (c === 34) break;
        if (c < 32 || c === 92) return false;
      }
      if (keyEnd >= last || b[keyEnd + 1] !== 58) return false;
      const k = i + 1;
      const v = keyEnd + 2;
      const c = b[v]!;
      let next: number;
      if (c === 34) {
        let into = other;
        if (bytesAre(b, k, keyEnd, KEY_REVIEW_ID)) {
          into = this.reviewIdBytes;
          haveReviewId = true;
        } else if (bytesAre(b, k, keyEnd, KEY_PRODUCT_ID)) {
          into = this.productBytes;
          haveProduct = true;
        } else if (bytesAre(b, k, keyEnd, KEY_REVIEWER_ID)) {
          into = this.reviewerBytes;
          haveReviewer = true;
        } else if (bytesAre(b, k, keyEnd, KEY_TIME)) {
          into = this.timeBytes;
          haveTime = true;
        } else if (bytesAre(b, k, keyEnd, KEY_TEXT)) into = this.textBytes;
        else if (bytesAre(b, k, keyEnd, KEY_RATING) || bytesAre(b, k, keyEnd, KEY_VERIFIED)) return false;
        next = this.scan(b, v, last, into);
        if (next < 0) return false;
      } else if (c >= 48 && c <= 57) {
        if (bytesAre(b, k, keyEnd, KEY_RATING)) {
          if (c < 49 || c > 53) return false;
          stars = c - 48;
        } else if (!this.isOtherKey(b, k, keyEnd)) return false;
        next = v + 1;
      } else if (c === 116 || c === 102) {
        const value = c === 116;
        const word = value ? TRUE : FALSE;
        if (!bytesAre(b, v, Math.min(v + word.length, last), word)) return false;
        if (bytesAre(b, k, keyEnd, KEY_VERIFIED)) verified = value;
        else if (!this.isOtherKey(b, k, keyEnd)) return false;
        next = v + word.length;
      } else return false;
      const after = b[next]!;
      if (after !== 44 && !(after === 125 && next === last)) return false;
      if (after === 125) break;
      i = next + 1;
    }
    if (!haveReviewId || !haveProduct || !haveReviewer || !haveTime || stars === 0) return false;
    const t = this.timeBytes;
    const timeMs = this.timeOf(b, t.from, t.to, t.high);
    if (!Number.isFinite(timeMs)) return false;
    this.stars = stars;
    this.verified = verified;
    this.timeMs = timeMs;
    return true;
  }

  private readonly otherBytes: ValueBytes = { from: 0, to: 0, high: 0 };

  /** Whether a key is none of the fields the command reads (whose values are then ignored, as JSON.parse's path ignores them). */
  private isOtherKey(b: Buffer, k: number, keyEnd: number): boolean {
    return !(
      bytesAre(b, k, keyEnd, KEY_REVIEW_ID) ||
      bytesAre(b, k, keyEnd, KEY_PRODUCT_ID) ||
      bytesAre(b, k, keyEnd, KEY_REVIEWER_ID) ||
      bytesAre(b, k, keyEnd, KEY_RATING) ||
      bytesAre(b, k, keyEnd, KEY_TIME) ||
      bytesAre(b, k, keyEnd, KEY_TEXT) ||
      bytesAre(b, k, keyEnd, KEY_VERIFIED)
    );
  }

  /**
   * Date.parse of the time b[from, to), with a fast path for the form
   * JSON.stringify(new Date()) writes, "YYYY-MM-DDTHH:MM:SS.sssZ": the day's
   * start comes from Date.parse itself (once per day), the time of day is
   * added. Anything else goes to Date.parse, so the result is always
   * Date.parse's (a test compares them).
   */
  private timeOf(b: Buffer, from: number, to: number, high: number): number {
    if (
      to - from === 24 &&
      b[from + 10] === 84 &&
      b[from + 13] === 58 &&
      b[from + 16] === 58 &&
      b[from + 19] === 46 &&
      b[from + 23] === 90
    ) {
      const hh = digitsAt(b, from + 11, 2);
      const mm = digitsAt(b, from + 14, 2);
      const ss = digitsAt(b, from + 17, 2);
      const ms = digitsAt(b, from + 20, 3);
      if (hh >= 0 && hh < 24 && mm >= 0 && mm < 60 && ss >= 0 && ss < 60 && ms >= 0) {
        const day = this.day;
        let same = !Number.isNaN(this.dayMs);
        for (let i = 0; same && i < 10; i++) same = b[from + i] === day[i];
        if (!same && (high & 0x80) === 0) {
          const text = b.toString("latin1", from, from + 10);
          const dayMs = Date.parse(`${text}T00:00:00.000Z`);
          // Only a day that round-trips exactly is kept (no month 13, no 30 February).
          if (Number.isFinite(dayMs) && new Date(dayMs).toISOString().startsWith(text)) {
            b.copy(day, 0, from, from + 10);
            this.dayMs = dayMs;
            same = true;
          }
        }
        if (same) return this.dayMs + ((hh * 60 + mm) * 60 + ss) * 1000 + ms;
      }
    }
    return Date.parse(b.toString(high & 0x80 ? "utf8" : "latin1", from, to));
  }
}

/**
 * Parses and checks one input line (already trimmed, not empty) with
 * JSON.parse and Date.parse: the reference, and the path of every line
 * {@link ReviewLineReader} does not read from its bytes.
 *
 * @throws {InputLineError} for malformed JSON, a missing or mistyped field,
 *   a rating outside 1..5 or an unparseable time
 */
export function parseReviewLine(text: string, lineNumber: number): ParsedReview {
  let o: Record<string, unknown>;
  try {
    o = JSON.parse(text) as Record<string, unknown>;
  } catch {
    throw new InputLineError(`line ${lineNumber}: not valid JSON`);
  }
  if (o === null || typeof o !== "object" || Array.isArray(o)) throw new InputLineError(`line ${lineNumber}: must be a JSON object`);
  const reviewId = field(o, "reviewId", lineNumber, "string") as string;
  const productId = field(o, "productId", lineNumber, "string") as string;
  const reviewerId = field(o, "reviewerId", lineNumber, "string") as string;
  const stars = field(o, "rating", lineNumber, "number") as number;
  const time = field(o, "time", lineNumber, "string") as string;
  const reviewText = field(o, "text", lineNumber, "string", true) as string | undefined;
  const verified = field(o, "verified", lineNumber, "boolean", true) as boolean | undefined;
  if (!Number.isInteger(stars) || stars < 1 || stars > 5)
    throw new InputLineError(`line ${lineNumber}: "rating" must be an integer 1..5, got ${stars}`);
  const timeMs = Date.parse(time);
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
 * appearance, see {@link NameNumbers}), scores them in input order and passes each
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
 * Scores a stream of input lines and passes each output line (with its
 * newline) to `write`; the sink batches them.
 *
 * @throws {InputLineError} naming the line for malformed input, a rating
 *   outside 1..5, an unparseable time, or a product's arrivals out of time order
 */
export function scoreJsonl(lines: Iterable<string>, write: (chunk: string) => void): ScoreJsonlSummary {
  // Chunks end at line ends, so no UTF-8 character is cut.
  const scorer = new JsonlScorer((bytes) => write(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString("utf8")));
  const products = new NameNumbers((name) => scorer.addProduct(name));
  const reviewers = new NameNumbers((name) => scorer.addReviewer(name));
  let lineNumber = 0;
  for (const raw of lines) {
    lineNumber++;
    const text = raw.trim();
    if (text === "") continue;
    const r = parseReviewLine(text, lineNumber);
    const product = products.ofString(r.productId);
    const reviewer = reviewers.ofString(r.reviewerId);
    scorer.add(lineNumber, r.reviewId, product, reviewer, r.stars, r.timeMs, r.verified, r.text);
  }
  return scorer.finish();
}
