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
  /** BAND_COUNT keys like "3:1a2b3c4d"; two texts are candidates when they share one. */
  readonly bandKeys: string[];
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

const SEEDS: number[] = Array.from({ length: SIGNATURE_SIZE }, (_, i) => mix32(0x9e3779b9 ^ Math.imul(i + 1, 0x27d4eb2d)));

/** Lower-case words of letters and digits; punctuation and spacing do not matter. */
export function wordsOf(text: string): string[] {
  return text.toLowerCase().match(/[\p{L}\p{N}]+/gu) ?? [];
}

/** Hashes of the distinct word 3-shingles of a text. */
export function shingleHashes(text: string): Set<number> {
  const words = wordsOf(text);
  const out = new Set<number>();
  const wordHashes = words.map((w) => hashString(w));
  for (let i = 0; i + 2 < wordHashes.length; i++) {
    out.add(mix32(wordHashes[i]! ^ mix32(wordHashes[i + 1]! ^ mix32(wordHashes[i + 2]! + 0x3c6ef372))));
  }
  return out;
}

/**
 * A text's MinHash signature, or null when it has fewer than MIN_SHINGLES
 * shingles (too short to call a copy). O(shingles × 64).
 *
 * @example
 * textSignature("ok")  // null
 */
export function textSignature(text: string): TextSignature | null {
  const shingles = shingleHashes(text);
  if (shingles.size < MIN_SHINGLES) return null;
  const minHashes = new Array<number>(SIGNATURE_SIZE).fill(0xffffffff);
  for (const s of shingles) {
    for (let i = 0; i < SIGNATURE_SIZE; i++) {
      const h = mix32(s ^ SEEDS[i]!);
      if (h < minHashes[i]!) minHashes[i] = h;
    }
  }
  const bandKeys: string[] = [];
  for (let b = 0; b < BAND_COUNT; b++) {
    let h = 0x811c9dc5 ^ b;
    for (let r = 0; r < ROWS_PER_BAND; r++) h = mix32(h ^ minHashes[b * ROWS_PER_BAND + r]!);
    bandKeys.push(`${b}:${h.toString(16)}`);
  }
  return { minHashes, bandKeys, shingleCount: shingles.size };
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
  const bands = new Set(signature.bandKeys);
  let best: StoredSignature | null = null;
  let bestSimilarity = 0;
  for (const c of candidates) {
    if (c.reviewerId === reviewerId) continue;
    if (!c.signature.bandKeys.some((k) => bands.has(k))) continue;
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
 * `bandKeys: { $in: signature.bandKeys }` and `timeMs >= now − retentionMs`.
 * Bounded: entries older than retentionMs are dropped, and at most
 * `capacity` are kept (oldest out first).
 */
export class SignatureIndex {
  private readonly byBand = new Map<string, StoredSignature[]>();
  private readonly entries: StoredSignature[] = [];
  private head = 0;

  constructor(
    readonly retentionMs: number = 365 * 86_400_000,
    readonly capacity: number = 100_000,
  ) {}

  /** Live candidates sharing a band with the signature, arrived at or after now − retentionMs. */
  candidates(signature: TextSignature, nowMs: number): StoredSignature[] {
    const seen = new Set<StoredSignature>();
    for (const key of signature.bandKeys) {
      for (const c of this.byBand.get(key) ?? []) {
        if (c.timeMs >= nowMs - this.retentionMs) seen.add(c);
      }
    }
    return [...seen];
  }

  add(entry: StoredSignature): void {
    this.entries.push(entry);
    for (const key of entry.signature.bandKeys) {
      const list = this.byBand.get(key);
      if (list) list.push(entry);
      else this.byBand.set(key, [entry]);
    }
    while (this.entries.length - this.head > this.capacity) this.evict();
    while (this.head < this.entries.length && this.entries[this.head]!.timeMs < entry.timeMs - this.retentionMs) this.evict();
    if (this.head > 4096 && this.head * 2 > this.entries.length) {
      this.entries.splice(0, this.head);
      this.head = 0;
    }
  }

  private evict(): void {
    const old = this.entries[this.head++]!;
    for (const key of old.signature.bandKeys) {
      const list = this.byBand.get(key);
      if (!list) continue;
      const i = list.indexOf(old);
      if (i >= 0) list.splice(i, 1);
      if (list.length === 0) this.byBand.delete(key);
    }
  }
}
