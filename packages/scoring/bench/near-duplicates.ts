/**
 * Near-duplicate text: false positives on Amazon's same-author variant
 * listings (SCORING.md §3.3) and recall on copies injected across authors,
 * made from Ott-corpus and Amazon texts with light edits and kept only when
 * their exact word-3-shingle Jaccard with the source is at least 0.8.
 */
import { type TimelineReview, exactJaccard, scoreTimeline, wordsOf } from "../src/index.js";
import { DAY_MS, loadAmazonFashion, loadOpSpamTexts, seededRandom } from "./datasets.js";

export interface NearDuplicateResult {
  readonly amazonReviews: number;
  readonly amazonSameAuthorRepeats: number;
  readonly amazonFlags: number;
  readonly originals: number;
  readonly originalFlags: number;
  readonly copies: number;
  readonly copiesFlagged: number;
  readonly recall: number;
  readonly meanCopyJaccard: number;
  /** Copies with exact Jaccard in [0.8, 0.85), and how many of them were flagged. */
  readonly hardCopies: number;
  readonly hardCopiesFlagged: number;
}

const FILLERS = ["really", "very", "honestly", "truly", "quite", "just", "also", "definitely"];

/** A light edit: swap a few words for fillers, drop one, append a short tail; null if it falls below Jaccard 0.8. */
function lightEdit(text: string, random: () => number): string | null {
  const words = wordsOf(text);
  if (words.length < 25) return null;
  // Up to one edit per 12 words: each edit breaks up to 3 shingles, so
  // copies spread over Jaccard 0.8..1, many close to the 0.8 boundary.
  const edits = 1 + Math.floor(random() * Math.max(1, words.length / 12));
  for (let e = 0; e < edits; e++) {
    const i = Math.floor(random() * words.length);
    if (random() < 0.5) words[i] = FILLERS[Math.floor(random() * FILLERS.length)]!;
    else words.splice(i, 1);
  }
  if (random() < 0.5) words.push("highly", "recommend");
  const copy = words.join(" ");
  return exactJaccard(text, copy) >= 0.8 ? copy : null;
}

export function nearDuplicates(seed = 5): NearDuplicateResult {
  const amazon = loadAmazonFashion();
  const amazonResult = scoreTimeline(amazon);
  const amazonFlags = amazonResult.reviews.filter((r) => r.reasons.some((x) => x.code === "duplicate_text")).length;
  const seen = new Map<string, number>();
  for (const r of amazon) if (r.text) seen.set(`${r.reviewerId}\u0000${r.text}`, (seen.get(`${r.reviewerId}\u0000${r.text}`) ?? 0) + 1);
  const repeats = [...seen.values()].reduce((a, n) => a + (n > 1 ? n : 0), 0);

  // Originals: every Ott text and every distinct Amazon text, each by its own author, a day apart in turn.
  const random = seededRandom(seed);
  const sources = [...new Set([...loadOpSpamTexts(), ...amazon.flatMap((r) => (r.text ? [r.text] : []))])];
  const start = Date.parse("2020-01-01T00:00:00Z");
  const stream: TimelineReview[] = [];
  const copyOf = new Map<string, string>();
  const hard = new Set<string>();
  let jaccardSum = 0;
  sources.forEach((text, i) => {
    const timeMs = start + i * 3_600_000;
    stream.push({ reviewId: `o${i}`, productId: `p${i % 50}`, reviewerId: `author${i}`, stars: 5, timeMs, text });
    if (random() < 0.5) {
      const copy = lightEdit(text, random);
      if (copy !== null) {
        const id = `c${i}`;
        copyOf.set(id, `o${i}`);
        const jaccard = exactJaccard(text, copy);
        jaccardSum += jaccard;
        if (jaccard < 0.85) hard.add(id);
        stream.push({
          reviewId: id,
          productId: `p${(i + 7) % 50}`,
          reviewerId: `copier${i}`,
          stars: 5,
          timeMs: timeMs + (Math.floor(random() * 30) * DAY_MS) / 30,
          text: copy,
        });
      }
    }
  });
  stream.sort((a, b) => a.timeMs - b.timeMs);
  const result = scoreTimeline(stream);
  let originalFlags = 0;
  let copiesFlagged = 0;
  let hardCopiesFlagged = 0;
  result.reviews.forEach((r) => {
    const flagged = r.reasons.some((x) => x.code === "duplicate_text");
    if (copyOf.has(r.reviewId)) {
      if (flagged) copiesFlagged++;
      if (flagged && hard.has(r.reviewId)) hardCopiesFlagged++;
    } else if (flagged) originalFlags++;
  });
  return {
    amazonReviews: amazon.length,
    amazonSameAuthorRepeats: repeats,
    amazonFlags,
    originals: sources.length,
    originalFlags,
    copies: copyOf.size,
    copiesFlagged,
    recall: copiesFlagged / copyOf.size,
    meanCopyJaccard: jaccardSum / copyOf.size,
    hardCopies: hard.size,
    hardCopiesFlagged,
  };
}
