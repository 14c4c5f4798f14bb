/**
 * Near-duplicate text: MinHash signatures over word 3-shingles (Broder 1997),
 * with LSH band keys so a store can find candidates by an index lookup.
 *
 * 64 min-hashes estimate Jaccard similarity with a standard error of about
 * √(J(1−J)/64), 0.05 at J = 0.8. Sixteen bands of four rows make any pair with
 * J ≥ 0.8 share a band with probability 1 − (1 − 0.8⁴)¹⁶ > 0.9998, and pairs
 * at J ≈ 0.2 only 2.5% of the time, so the candidate lists stay short.
 */

/** Min-hashes per signature. */
export const SIGNATURE_SIZE = 64;
/** LSH bands; SIGNATURE_SIZE / BAND_COUNT rows each. */
export const BAND_COUNT = 16;
const ROWS_PER_BAND = SIGNATURE_SIZE / BAND_COUNT;
/**
 * Texts with fewer shingles than this are not compared: "Love it, great
 * quality" is written independently by many people (Amazon data, SCORING.md §3.3).
 */
export const MIN_SHINGLES = 8;

/** A text's MinHash signature and band keys; plain JSON. */
export interface TextSignature {
  /** SIGNATURE_SIZE unsigned 32-bit min-hashes. */
  readonly minHashes: number[];
  /**
   * BAND_COUNT keys, band·2³² + hash of the band's rows (exact integers below
   * 2³⁶); two texts are candidates when they share one. Numbers, not
   * strings, so a Map or a MongoDB index compares them cheaply.
   */
  readonly bandKeys: number[];
  /** Distinct word 3-shingles in the text. */
  readonly shingleCount: number;
}

/** fmix32 from MurmurHash3: a fast, well-mixed 32-bit hash of a 32-bit value. */
function mix32(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/** FNV-1a over a string's UTF-16 code units. */
function hashString(s: string, seed = 0x811c9dc5): number {
  let h = seed;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

// Per-hash multiply-xorshift permutations of the (already well-mixed) shingle
// hashes: odd multipliers and xor offsets from a fixed seed.
const MULTIPLIERS = Int32Array.from({ length: SIGNATURE_SIZE }, (_, i) => mix32(0x9e3779b9 ^ Math.imul(i + 1, 0x27d4eb2d)) | 1);
const OFFSETS = Int32Array.from({ length: SIGNATURE_SIZE }, (_, i) => mix32(0x85ebca6b ^ Math.imul(i + 1, 0x165667b1)));

/** Lower-case words of letters and digits; punctuation and spacing do not matter. */
export function wordsOf(text: string): string[] {
  return text.toLowerCase().match(/[\p{L}\p{N}]+/gu) ?? [];
}

const WORD_CHAR = /[\p{L}\p{N}]/u;

// Scratch space for the shingle hashes of the text being signed; grown on demand.
let scratch = new Int32Array(1024);

/**
 * Hashes of a text's word 3-shingles into `scratch`, sorted and deduplicated
 * in place; returns how many. The same words as {@link wordsOf}, hashed while
 * scanning (ASCII on a fast path) because this runs for every review with text.
 */
function fillShingleHashes(text: string): number {
  let n = 0;
  let h1 = 0;
  let h2 = 0;
  let words = 0;
  let h = 0x811c9dc5;
  let inWord = false;
  const lower = text.toLowerCase();
  for (let i = 0; i <= lower.length; i++) {
    const c = i < lower.length ? lower.charCodeAt(i) : 32;
    const isWord = c < 128 ? (c >= 97 && c <= 122) || (c >= 48 && c <= 57) : WORD_CHAR.test(lower[i]!);
    if (isWord) {
      h = Math.imul(h ^ c, 0x01000193);
      inWord = true;
    } else if (inWord) {
      const w = h >>> 0;
      if (words >= 2) {
        if (n === scratch.length) {
          const grown = new Int32Array(scratch.length * 2);
          grown.set(scratch);
          scratch = grown;
        }
        scratch[n++] = mix32(h1 ^ mix32(h2 ^ mix32(w + 0x3c6ef372)));
      }
      h1 = h2;
      h2 = w;
      words++;
      h = 0x811c9dc5;
      inWord = false;
    }
  }
  const values = scratch.subarray(0, n).sort();
  let distinct = 0;
  for (let i = 0; i < n; i++) if (i === 0 || values[i] !== values[i - 1]) values[distinct++] = values[i]!;
  return distinct;
}

/** Hashes of the distinct word 3-shingles of a text. */
export function shingleHashes(text: string): Set<number> {
  const n = fillShingleHashes(text);
  return new Set(scratch.subarray(0, n));
}

/**
 * Writes a text's MinHash signature into `minHashes` (SIGNATURE_SIZE slots)
 * and band keys into `bandKeys` (BAND_COUNT slots); returns the number of
 * distinct shingles, or 0 (writing nothing) below MIN_SHINGLES. No
 * allocation: the batch store calls this for every review with text.
 */
export function computeSignature(text: string, minHashes: { [i: number]: number }, bandKeys: { [i: number]: number }): number {
  const n = fillShingleHashes(text);
  if (n < MIN_SHINGLES) return 0;
  for (let i = 0; i < SIGNATURE_SIZE; i++) {
    const multiplier = MULTIPLIERS[i]!;
    const offset = OFFSETS[i]!;
    let min = 0xffffffff;
    for (let j = 0; j < n; j++) {
      let h = Math.imul(scratch[j]! ^ offset, multiplier);
      h = (h ^ (h >>> 15)) >>> 0;
      if (h < min) min = h;
    }
    minHashes[i] = min;
  }
  for (let b = 0; b < BAND_COUNT; b++) {
    let h = 0x811c9dc5 ^ b;
    for (let r = 0; r < ROWS_PER_BAND; r++) h = mix32(h ^ minHashes[b * ROWS_PER_BAND + r]!);
    bandKeys[b] = b * 2 ** 32 + h;
  }
  return n;
}

/**
 * A text's MinHash signature, or null when it has fewer than MIN_SHINGLES
 * shingles (too short to call a copy). O(shingles × 64).
 *
 * @example
 * textSignature("ok")  // null
 */
export function textSignature(text: string): TextSignature | null {
  const minHashes = new Array<number>(SIGNATURE_SIZE).fill(0);
  const bandKeys = new Array<number>(BAND_COUNT).fill(0);
  const shingleCount = computeSignature(text, minHashes, bandKeys);
  return shingleCount === 0 ? null : { minHashes, bandKeys, shingleCount };
}

/** Estimated Jaccard similarity: the share of equal min-hashes. */
export function estimatedJaccard(a: TextSignature, b: TextSignature): number {
  let same = 0;
  for (let i = 0; i < SIGNATURE_SIZE; i++) if (a.minHashes[i] === b.minHashes[i]) same++;
  return same / SIGNATURE_SIZE;
}

/** Exact Jaccard similarity of two texts' word 3-shingle sets (for tests and benchmarks). */
export function exactJaccard(a: string, b: string): number {
  const x = shingleHashes(a);
  const y = shingleHashes(b);
  if (x.size === 0 && y.size === 0) return 1;
  let both = 0;
  for (const s of x) if (y.has(s)) both++;
  return both / (x.size + y.size - both);
}

/** A stored signature of an earlier review: what the near-duplicate store keeps per review. */
export interface StoredSignature {
  readonly reviewId: string;
  readonly reviewerId: string;
  readonly productId: string;
  /** Arrival time, ms since the epoch. */
  readonly timeMs: number;
  readonly signature: TextSignature;
}

export interface DuplicateMatch {
  readonly reviewId: string;
  readonly reviewerId: string;
  readonly productId: string;
  /** Estimated Jaccard similarity of word 3-shingles. */
  readonly similarity: number;
}

/** Whether two signatures share a band (key i always belongs to band i). */
function sharesBand(a: TextSignature, b: TextSignature): boolean {
  for (let i = 0; i < BAND_COUNT; i++) if (a.bandKeys[i] === b.bandKeys[i]) return true;
  return false;
}

/** Estimated similarity from which two texts count as copies. 0.7 keeps recall at J ≥ 0.8 above 0.97 with 64 hashes. */
export const DUPLICATE_SIMILARITY = 0.7;

/**
 * The most similar earlier text by ANOTHER author among candidates, if any
 * reaches DUPLICATE_SIMILARITY and shares a band key. The same reviewer
 * repeating a text (one review shown on linked variant listings) is not a
 * copy. Ties go to the earliest candidate, so the result does not depend on
 * the order a database returns them in. O(candidates × 64).
 */
export function bestDuplicate(
  signature: TextSignature,
  reviewerId: string,
  candidates: Iterable<StoredSignature>,
): DuplicateMatch | null {
  let best: StoredSignature | null = null;
  let bestSimilarity = 0;
  for (const c of candidates) {
    if (c.reviewerId === reviewerId) continue;
    if (!sharesBand(signature, c.signature)) continue;
    const similarity = estimatedJaccard(signature, c.signature);
    if (similarity < DUPLICATE_SIMILARITY) continue;
    if (
      best === null ||
      similarity > bestSimilarity ||
      (similarity === bestSimilarity && (c.timeMs < best.timeMs || (c.timeMs === best.timeMs && c.reviewId < best.reviewId)))
    ) {
      best = c;
      bestSimilarity = similarity;
    }
  }
  return best && { reviewId: best.reviewId, reviewerId: best.reviewerId, productId: best.productId, similarity: bestSimilarity };
}

/**
 * An in-memory near-duplicate store for one shop, for the batch job and the
 * CLI. The API keeps the same thing in MongoDB: one document per review
 * signature with an index on (shopId, bandKeys), queried with
 * `bandKeys: { $in: signature.bandKeys }` and `timeMs >= now − retentionMs`,
 * then {@link bestDuplicate} over what comes back.
 * Bounded: entries older than retentionMs (default 90 days) are dropped,
 * and at most `capacity` (default 50,000) are kept, oldest out first.
 *
 * Stored as a ring of typed-array slots (64 min-hashes, 16 band keys, a
 * time) plus id strings, with one map per band from 30 bits of the band hash
 * to slot numbers: no object per signature, so a million reviews do not turn
 * into a million objects for the garbage collector to trace.
 */
export class SignatureIndex {
  private readonly minHashes: Uint32Array;
  private readonly bandKeys: Float64Array;
  private readonly times: Float64Array;
  private readonly reviewIds: string[];
  private readonly reviewerIds: string[];
  private readonly productIds: string[];
  private readonly byBand: Map<number, number | number[]>[] = Array.from({ length: BAND_COUNT }, () => new Map());
  /** Slot of the oldest entry and number of entries; slots are used in arrival order, wrapping. */
  private oldest = 0;
  private size = 0;
  private readonly probeHashes = new Uint32Array(SIGNATURE_SIZE);
  private readonly probeBands = new Float64Array(BAND_COUNT);

  constructor(
    readonly retentionMs: number = 90 * 86_400_000,
    readonly capacity: number = 50_000,
  ) {
    this.minHashes = new Uint32Array(capacity * SIGNATURE_SIZE);
    this.bandKeys = new Float64Array(capacity * BAND_COUNT);
    this.times = new Float64Array(capacity);
    this.reviewIds = new Array<string>(capacity);
    this.reviewerIds = new Array<string>(capacity);
    this.productIds = new Array<string>(capacity);
  }

  /**
   * The write path's near-duplicate check in one call: signs the text, finds
   * the best earlier copy by another author (as {@link bestDuplicate} would
   * among {@link candidates}), and stores the signature. Null for no text,
   * a text too short, or no copy.
   */
  checkAndAdd(review: { reviewId: string; reviewerId: string; productId: string; timeMs: number; text?: string | undefined }): DuplicateMatch | null {
    if (review.text === undefined) return null;
    if (computeSignature(review.text, this.probeHashes, this.probeBands) === 0) return null;
    const match = this.bestMatch(this.probeHashes, this.probeBands, review.reviewerId, review.timeMs);
    this.store(review.reviewId, review.reviewerId, review.productId, review.timeMs, this.probeHashes, this.probeBands);
    return match;
  }

  /** Live candidates sharing a band with the signature, arrived at or after now − retentionMs. */
  candidates(signature: TextSignature, nowMs: number): StoredSignature[] {
    return this.slotsSharingBand(signature.bandKeys, nowMs).map((slot) => ({
      reviewId: this.reviewIds[slot]!,
      reviewerId: this.reviewerIds[slot]!,
      productId: this.productIds[slot]!,
      timeMs: this.times[slot]!,
      signature: {
        minHashes: Array.from(this.minHashes.subarray(slot * SIGNATURE_SIZE, (slot + 1) * SIGNATURE_SIZE)),
        bandKeys: Array.from(this.bandKeys.subarray(slot * BAND_COUNT, (slot + 1) * BAND_COUNT)),
        shingleCount: 0,
      },
    }));
  }

  add(entry: StoredSignature): void {
    this.store(entry.reviewId, entry.reviewerId, entry.productId, entry.timeMs, entry.signature.minHashes, entry.signature.bandKeys);
  }

  private slotsSharingBand(bandKeys: ArrayLike<number>, nowMs: number): number[] {
    const out: number[] = [];
    const from = nowMs - this.retentionMs;
    for (let b = 0; b < BAND_COUNT; b++) {
      const found = this.byBand[b]!.get(bandKeys[b]! & 0x3fffffff);
      if (found === undefined) continue;
      if (typeof found === "number") {
        if (this.times[found]! >= from && this.bandKeys[found * BAND_COUNT + b] === bandKeys[b] && !out.includes(found)) out.push(found);
      } else {
        for (const slot of found) if (this.times[slot]! >= from && this.bandKeys[slot * BAND_COUNT + b] === bandKeys[b] && !out.includes(slot)) out.push(slot);
      }
    }
    return out;
  }

  private bestMatch(minHashes: ArrayLike<number>, bandKeys: ArrayLike<number>, reviewerId: string, nowMs: number): DuplicateMatch | null {
    let best = -1;
    let bestSimilarity = 0;
    for (const slot of this.slotsSharingBand(bandKeys, nowMs)) {
      if (this.reviewerIds[slot] === reviewerId) continue;
      let same = 0;
      const base = slot * SIGNATURE_SIZE;
      for (let i = 0; i < SIGNATURE_SIZE; i++) if (this.minHashes[base + i] === minHashes[i]) same++;
      const similarity = same / SIGNATURE_SIZE;
      if (similarity < DUPLICATE_SIMILARITY) continue;
      if (
        best < 0 ||
        similarity > bestSimilarity ||
        (similarity === bestSimilarity &&
          (this.times[slot]! < this.times[best]! || (this.times[slot] === this.times[best] && this.reviewIds[slot]! < this.reviewIds[best]!)))
      ) {
        best = slot;
        bestSimilarity = similarity;
      }
    }
    return best < 0
      ? null
      : { reviewId: this.reviewIds[best]!, reviewerId: this.reviewerIds[best]!, productId: this.productIds[best]!, similarity: bestSimilarity };
  }

  private store(reviewId: string, reviewerId: string, productId: string, timeMs: number, minHashes: ArrayLike<number>, bandKeys: ArrayLike<number>): void {
    while (this.size > 0 && this.times[this.oldest]! < timeMs - this.retentionMs) this.evictOldest();
    if (this.size === this.capacity) this.evictOldest();
    const slot = (this.oldest + this.size) % this.capacity;
    this.size++;
    this.minHashes.set(minHashes, slot * SIGNATURE_SIZE);
    this.bandKeys.set(bandKeys, slot * BAND_COUNT);
    this.times[slot] = timeMs;
    this.reviewIds[slot] = reviewId;
    this.reviewerIds[slot] = reviewerId;
    this.productIds[slot] = productId;
    for (let b = 0; b < BAND_COUNT; b++) {
      const map = this.byBand[b]!;
      const key = bandKeys[b]! & 0x3fffffff;
      const found = map.get(key);
      if (found === undefined) map.set(key, slot);
      else if (typeof found === "number") map.set(key, [found, slot]);
      else found.push(slot);
    }
  }

  private evictOldest(): void {
    const slot = this.oldest;
    for (let b = 0; b < BAND_COUNT; b++) {
      const map = this.byBand[b]!;
      const key = this.bandKeys[slot * BAND_COUNT + b]! & 0x3fffffff;
      const found = map.get(key);
      if (found === slot) map.delete(key);
      else if (typeof found === "object") {
        const i = found.indexOf(slot);
        if (i >= 0) found.splice(i, 1);
        if (found.length === 1) map.set(key, found[0]!);
      }
    }
    this.oldest = (this.oldest + 1) % this.capacity;
    this.size--;
  }
}
