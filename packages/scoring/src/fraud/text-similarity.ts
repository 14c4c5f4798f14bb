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
  /** SIGNATURE_SIZE min-hashes, each an unsigned 16-bit value. */
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
  // Each multiply-xorshift gives two 16-bit hash values (its high and low
  // halves), so 32 passes over the shingles fill 64 min-hashes. A chance tie
  // between two different minima has probability 2⁻¹⁶ per hash, far below
  // MinHash's own error.
  // A local view: the module's scratch is a reassignable binding, which the
  // compiler would reload on every iteration of the inner loop.
  const shingles = scratch;
  // Two multiply-xorshifts per pass over the shingles: half the loads and loop overhead.
  for (let i = 0; i < SIGNATURE_SIZE / 2; i += 2) {
    const m0 = MULTIPLIERS[i]!;
    const o0 = OFFSETS[i]!;
    const m1 = MULTIPLIERS[i + 1]!;
    const o1 = OFFSETS[i + 1]!;
    let high0 = 0xffff;
    let low0 = 0xffff;
    let high1 = 0xffff;
    let low1 = 0xffff;
    for (let j = 0; j < n; j++) {
      const x = shingles[j]!;
      let h = Math.imul(x ^ o0, m0);
      h ^= h >>> 15;
      let g = Math.imul(x ^ o1, m1);
      g ^= g >>> 15;
      const a = h >>> 16;
      const b = h & 0xffff;
      const c = g >>> 16;
      const d = g & 0xffff;
      if (a < high0) high0 = a;
      if (b < low0) low0 = b;
      if (c < high1) high1 = c;
      if (d < low1) low1 = d;
    }
    minHashes[2 * i] = high0;
    minHashes[2 * i + 1] = low0;
    minHashes[2 * i + 2] = high1;
    minHashes[2 * i + 3] = low1;
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
export function bestDuplicate(signature: TextSignature, reviewerId: string, candidates: Iterable<StoredSignature>): DuplicateMatch | null {
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
 * time) plus id strings, and per band an open-addressing hash table from the
 * band hash to a linked list of slots, also in typed arrays: no object per
 * signature and no Map, so a million reviews neither become a million
 * objects for the garbage collector nor scatter lookups across the heap.
 */
export class SignatureIndex {
  private readonly minHashes: Uint32Array;
  private readonly bandKeys: Float64Array;
  private readonly times: Float64Array;
  private readonly reviewIds: string[];
  private readonly reviewerIds: string[];
  private readonly productIds: string[];
  /** Per band, table size `tableSize`: the band hash, and the list head as slot + 1 (0 empty, −1 deleted). */
  private readonly tableKeys: Int32Array;
  private readonly tableHeads: Int32Array;
  /** Next slot + 1 in the same band list, per slot and band (0 ends the list). */
  private readonly next: Int32Array;
  private readonly tableSize: number;
  private readonly deleted: Int32Array;
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
    let tableSize = 16;
    while (tableSize < capacity * 2) tableSize *= 2;
    this.tableSize = tableSize;
    this.tableKeys = new Int32Array(tableSize * BAND_COUNT);
    this.tableHeads = new Int32Array(tableSize * BAND_COUNT);
    this.next = new Int32Array(capacity * BAND_COUNT);
    this.deleted = new Int32Array(BAND_COUNT);
  }

  /**
   * The write path's near-duplicate check in one call: signs the text, finds
   * the best earlier copy by another author (as {@link bestDuplicate} would
   * among {@link candidates}), and stores the signature. Null for no text,
   * a text too short, or no copy.
   */
  checkAndAdd(review: {
    reviewId: string;
    reviewerId: string;
    productId: string;
    timeMs: number;
    text?: string | undefined;
  }): DuplicateMatch | null {
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

  /** The table position holding band b's hash, or −1. */
  private find(b: number, hash: number): number {
    const mask = this.tableSize - 1;
    const base = b * this.tableSize;
    for (let i = mix32(hash) & mask; ; i = (i + 1) & mask) {
      const head = this.tableHeads[base + i]!;
      if (head === 0) return -1;
      if (head > 0 && this.tableKeys[base + i] === hash) return base + i;
    }
  }

  private slotsSharingBand(bandKeys: ArrayLike<number>, nowMs: number): number[] {
    const out: number[] = [];
    const from = nowMs - this.retentionMs;
    for (let b = 0; b < BAND_COUNT; b++) {
      const at = this.find(b, bandHash(bandKeys[b]!, b));
      if (at < 0) continue;
      for (let slot = this.tableHeads[at]! - 1; slot >= 0; slot = this.next[slot * BAND_COUNT + b]! - 1) {
        if (this.times[slot]! >= from && !out.includes(slot)) out.push(slot);
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
          (this.times[slot]! < this.times[best]! ||
            (this.times[slot] === this.times[best] && this.reviewIds[slot]! < this.reviewIds[best]!)))
      ) {
        best = slot;
        bestSimilarity = similarity;
      }
    }
    return best < 0
      ? null
      : {
          reviewId: this.reviewIds[best]!,
          reviewerId: this.reviewerIds[best]!,
          productId: this.productIds[best]!,
          similarity: bestSimilarity,
        };
  }

  private store(
    reviewId: string,
    reviewerId: string,
    productId: string,
    timeMs: number,
    minHashes: ArrayLike<number>,
    bandKeys: ArrayLike<number>,
  ): void {
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
    const mask = this.tableSize - 1;
    for (let b = 0; b < BAND_COUNT; b++) {
      const hash = bandHash(bandKeys[b]!, b);
      const base = b * this.tableSize;
      let free = -1;
      let at = -1;
      for (let i = mix32(hash) & mask; ; i = (i + 1) & mask) {
        const head = this.tableHeads[base + i]!;
        if (head === 0) {
          if (free < 0) free = base + i;
          break;
        }
        if (head < 0) {
          if (free < 0) free = base + i;
        } else if (this.tableKeys[base + i] === hash) {
          at = base + i;
          break;
        }
      }
      if (at >= 0) {
        this.next[slot * BAND_COUNT + b] = this.tableHeads[at]!;
        this.tableHeads[at] = slot + 1;
      } else {
        if (this.tableHeads[free]! < 0) this.deleted[b]! -= 1;
        this.tableKeys[free] = hash;
        this.tableHeads[free] = slot + 1;
        this.next[slot * BAND_COUNT + b] = 0;
      }
    }
  }

  private evictOldest(): void {
    const slot = this.oldest;
    for (let b = 0; b < BAND_COUNT; b++) {
      const at = this.find(b, bandHash(this.bandKeys[slot * BAND_COUNT + b]!, b));
      if (at < 0) continue;
      // Unlink the slot from its band list; an emptied list leaves a deletion mark.
      let previous = -1;
      for (let s = this.tableHeads[at]! - 1; s >= 0; previous = s, s = this.next[s * BAND_COUNT + b]! - 1) {
        if (s !== slot) continue;
        const after = this.next[s * BAND_COUNT + b]!;
        if (previous < 0) this.tableHeads[at] = after === 0 ? -1 : after;
        else this.next[previous * BAND_COUNT + b] = after;
        if (previous < 0 && after === 0) this.deleted[b]! += 1;
        break;
      }
      if (this.deleted[b]! > this.tableSize / 4) this.rebuild(b);
    }
    this.oldest = (this.oldest + 1) % this.capacity;
    this.size--;
  }

  /** Re-inserts band b's live lists into a table without deletion marks, so probes stay short. */
  private rebuild(b: number): void {
    const base = b * this.tableSize;
    const keys = this.tableKeys.slice(base, base + this.tableSize);
    const heads = this.tableHeads.slice(base, base + this.tableSize);
    this.tableKeys.fill(0, base, base + this.tableSize);
    this.tableHeads.fill(0, base, base + this.tableSize);
    this.deleted[b] = 0;
    const mask = this.tableSize - 1;
    for (let j = 0; j < this.tableSize; j++) {
      if (heads[j]! <= 0) continue;
      let i = mix32(keys[j]!) & mask;
      while (this.tableHeads[base + i] !== 0) i = (i + 1) & mask;
      this.tableKeys[base + i] = keys[j]!;
      this.tableHeads[base + i] = heads[j]!;
    }
  }
}

/** Band b's 32-bit hash from its key b·2³² + hash, as a signed 32-bit integer. */
function bandHash(key: number, b: number): number {
  return (key - b * 2 ** 32) | 0;
}
