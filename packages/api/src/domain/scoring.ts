/**
 * Fraud scoring on the write path: each review is scored once, as it arrives,
 * by @starling/scoring against its product's and its reviewer's state; the
 * score decides the weight the review counts with in the rating. A burst
 * flagged later re-weights the earlier reviews of its window. A near-copy of
 * another author's text is quarantined (held back with its reasons).
 */
import {
  SignatureIndex,
  bestDuplicate,
  fitPriorStrength,
  rescoreWithHindsight,
  scoreTimeline,
  type TimelineReview,
  describeReason,
  initialProductState,
  initialReviewerState,
  scoreArrival,
  textSignature,
  type ProductState,
  type Reason,
  type ReviewerState,
  type StoredSignature,
  type TextSignature,
} from "@starling/scoring";
import type { ReviewDoc, StoredScore } from "../db/models.js";
import { reviewsChanged, type Deps } from "./deps.js";
import { quarantineReview } from "./moderation.js";
import { productSummaryId, reweightCountedReview, shopSummaryId } from "./ratings.js";

/** How many of a shop's most recent review texts a new review is compared with. */
const SIGNATURES_PER_SHOP = 20_000;

/** Who a review is from, for reviewer history: the shop's customer id, else the invitation's email, else nobody known. */
export function reviewerKeyOf(review: Pick<ReviewDoc, "_id" | "reviewer">): string {
  if (review.reviewer.externalId) return `id:${review.reviewer.externalId}`;
  if (review.reviewer.email) return `email:${review.reviewer.email.toLowerCase()}`;
  // An anonymous form review: a first-time reviewer, as far as anyone can tell.
  return `anon:${review._id}`;
}

export function storedScore(suspicion: number, trustWeightBp: number, reasons: readonly Reason[], by: StoredScore["by"]): StoredScore {
  let top: Reason | null = null;
  for (const r of reasons) if (r.weight > 0 && (!top || r.weight > top.weight)) top = r;
  return {
    suspicion,
    trustWeightBp,
    topReason: top?.code ?? null,
    reasons: reasons.map((r) => ({ ...(r as unknown as Record<string, unknown>), code: r.code, text: describeReason(r) })),
    by,
  };
}

/** Per-process near-duplicate indexes, one per shop, loaded from the database on first use. */
export class SignatureIndexes {
  private readonly byShop = new Map<string, Promise<SignatureIndex>>();

  get(deps: Deps, shopId: string): Promise<SignatureIndex> {
    let index = this.byShop.get(shopId);
    if (!index) {
      index = load(deps, shopId);
      this.byShop.set(shopId, index);
      index.catch(() => this.byShop.delete(shopId));
    }
    return index;
  }
}

async function load(deps: Deps, shopId: string): Promise<SignatureIndex> {
  const index = new SignatureIndex(365 * 86_400_000, SIGNATURES_PER_SHOP);
  const recent = await deps.models.Review.find(
    { shopId, signature: { $ne: null } },
    { productId: 1, reviewer: 1, createdAt: 1, signature: 1 },
  )
    .sort({ createdAt: -1 })
    .limit(SIGNATURES_PER_SHOP)
    .lean<ReviewDoc[]>();
  for (const r of recent.reverse()) index.add(storedSignatureOf(r));
  return index;
}

function storedSignatureOf(r: Pick<ReviewDoc, "_id" | "productId" | "reviewer" | "createdAt" | "signature">): StoredSignature {
  return {
    reviewId: r._id,
    reviewerId: reviewerKeyOf(r),
    productId: r.productId,
    timeMs: r.createdAt.getTime(),
    signature: r.signature as TextSignature,
  };
}

async function loadState<T>(deps: Deps, id: string, initial: () => T): Promise<T> {
  const doc = await deps.models.ScoringState.findById(id).lean();
  return doc ? (doc.state as T) : initial();
}

async function saveState(deps: Deps, id: string, state: unknown): Promise<void> {
  // The raw collection: the state is the library's plain JSON, stored exactly as it is.
  await deps.models.ScoringState.collection.replaceOne({ _id: id } as never, { state } as never, { upsert: true });
}

/** A review's verdict, as stored with it. */
export interface ArrivalScore {
  readonly score: StoredScore;
  readonly signature: { minHashes: number[]; bandKeys: number[] } | null;
}

/**
 * Scores an arriving review against its product's and its reviewer's state,
 * has `store` write the review with its score, and, if it did, saves both
 * states, adds the text to the near-duplicate index and re-weights the earlier
 * reviews of a burst flagged now. `store` returns false when the review turned
 * out not to be new: then nothing else is written. The caller holds the
 * product's lock (`productSummaryId`), so a product's arrivals are scored one
 * at a time and in order; the reviewer's state is read and written under its
 * own lock (a reviewer may write about two products at once).
 * Returns the score, or null when `store` declined.
 */
export async function scoreAndStore(
  deps: Deps,
  review: ReviewDoc,
  store: (arrival: ArrivalScore) => Promise<boolean>,
): Promise<StoredScore | null> {
  const reviewerKey = reviewerKeyOf(review);
  const productStateId = `product:${review.shopId}:${review.productId}`;
  const reviewerStateId = `reviewer:${review.shopId}:${reviewerKey}`;
  const [product, index] = await Promise.all([
    loadState<ProductState>(deps, productStateId, initialProductState),
    // The near-duplicate check compares with other authors' recent texts in the shop.
    deps.signatures.get(deps, review.shopId),
  ]);
  const signature = textSignature(`${review.title}\n${review.body}`);
  const duplicate = signature ? bestDuplicate(signature, reviewerKey, index.candidates(signature, review.createdAt.getTime())) : null;

  // Arrivals are scored in order; two requests that read the clock in one
  // order and reach this lock in the other count as arriving together.
  const at = Math.max(review.createdAt.getTime(), product.arrival.lastMs ?? 0);
  const result = await deps.summaryLock.run(reviewerStateId, async () => {
    const reviewer = await loadState<ReviewerState>(deps, reviewerStateId, initialReviewerState);
    const scored = scoreArrival(
      product,
      reviewer,
      { reviewId: review._id, reviewerId: reviewerKey, stars: review.rating, verified: review.verification ? true : undefined },
      at,
      duplicate,
    );
    const arrival: ArrivalScore = {
      score: storedScore(scored.suspicion, scored.trustWeightBp, scored.reasons, "write"),
      signature: signature ? { minHashes: signature.minHashes, bandKeys: signature.bandKeys } : null,
    };
    if (!(await store(arrival))) return null;
    await Promise.all([saveState(deps, reviewerStateId, scored.reviewer), saveState(deps, productStateId, scored.product)]);
    return { scored, score: arrival.score };
  });
  if (!result) return null;

  if (signature) index.add({ reviewId: review._id, reviewerId: reviewerKey, productId: review.productId, timeMs: at, signature });
  // A burst flagged now re-weights the earlier reviews of its window.
  for (const rw of result.scored.reweighted) {
    const earlier = await deps.models.Review.findById(rw.reviewId).lean<ReviewDoc>();
    if (!earlier?.score) continue;
    const reasons = [...earlier.score.reasons.map((r) => r as unknown as Reason), rw.reason];
    const next = storedScore(rw.suspicion, rw.trustWeightBp, reasons, "write");
    await deps.models.Review.updateOne({ _id: earlier._id }, { $set: { score: next } });
    reviewsChanged(deps, earlier);
    await reweightCountedReview(deps, earlier, earlier.score, next);
  }
  return result.score;
}

/** Whether a score says the text is a copy of another author's, which holds the review back. */
export function isCopiedText(score: StoredScore | null | undefined): boolean {
  return Boolean(score?.reasons.some((r) => r.code === "duplicate_text"));
}

/** Quarantines a review whose score says its text is copied (outside the product lock: quarantining takes it). */
export async function quarantineIfCopied(deps: Deps, reviewId: string, score: StoredScore | null): Promise<void> {
  if (!score || !isCopiedText(score)) return;
  const review = await deps.models.Review.findById(reviewId, { status: 1, shopId: 1 }).lean<ReviewDoc>();
  if (review && (review.status === "published" || review.status === "pending")) {
    await quarantineReview(deps, review.shopId, {
      reviewId,
      reasons: score.reasons.filter((r) => r.weight !== 0).map((r) => r.text).join(" "),
    });
  }
}

/**
 * Scores a review stored without a score (its first attempt died between the
 * insert and the scoring), once: a review found scored is left as it is.
 * Takes the product's lock. Returns the review's score.
 */
export async function scoreStoredReview(
  deps: Deps,
  stored: Pick<ReviewDoc, "_id" | "shopId" | "productId">,
): Promise<StoredScore | null> {
  const reviewId = stored._id;
  const score = await deps.summaryLock.run(productSummaryId(stored.shopId, stored.productId), async () => {
    const review = await deps.models.Review.findById(reviewId).lean<ReviewDoc>();
    if (!review) return null;
    if (review.score) return review.score;
    return scoreAndStore(deps, review, async ({ score, signature }) => {
      await deps.models.Review.updateOne({ _id: review._id }, { $set: { score, signature } });
      reviewsChanged(deps, review);
      return true;
    });
  });
  await quarantineIfCopied(deps, reviewId, score);
  return score;
}

/**
 * The batch re-score behind `recompute --rescore`: replays each shop's
 * reviews in arrival order through the write-time scorer, then re-scores them
 * with hindsight (what each reviewer did afterwards, BIRDNEST-style surprise),
 * stores the new scores and the replayed scoring states, and fits the shop's
 * prior strength (empirical Bayes, floored at the configured strength). Run it
 * with writes paused, then rebuild the summaries.
 */
export async function rescoreAll(deps: Deps): Promise<{ shops: number; reviews: number }> {
  const shopIds = (await deps.models.Review.distinct("shopId")) as string[];
  let total = 0;
  for (const shopId of shopIds) total += await rescoreShop(deps, shopId);
  return { shops: shopIds.length, reviews: total };
}

async function rescoreShop(deps: Deps, shopId: string): Promise<number> {
  const reviews = await deps.models.Review.find(
    { shopId },
    { productId: 1, reviewer: 1, rating: 1, createdAt: 1, title: 1, body: 1, verification: 1, status: 1 },
  )
    .sort({ createdAt: 1, _id: 1 })
    .lean<ReviewDoc[]>();
  const timeline: TimelineReview[] = reviews.map((r) => ({
    reviewId: r._id,
    productId: r.productId,
    reviewerId: reviewerKeyOf(r),
    stars: r.rating,
    timeMs: r.createdAt.getTime(),
    text: `${r.title}\n${r.body}`,
    verified: r.verification ? true : undefined,
  }));
  const writeTime = scoreTimeline(timeline);
  const hindsight = rescoreWithHindsight(timeline, writeTime);

  for (let i = 0; i < hindsight.length; i += 500) {
    await deps.models.Review.bulkWrite(
      hindsight.slice(i, i + 500).map((h) => ({
        updateOne: {
          filter: { _id: h.reviewId },
          update: { $set: { score: storedScore(h.suspicion, h.trustWeightBp, h.reasons, "batch") } },
        },
      })),
    );
  }
  deps.cache.reviewPages.clear();
  // Later arrivals are scored against the replayed states, as if the scorer had seen everything live.
  for (const [productId, state] of writeTime.products) await saveState(deps, `product:${shopId}:${productId}`, state);
  for (const [reviewerId, state] of writeTime.reviewers) await saveState(deps, `reviewer:${shopId}:${reviewerId}`, state);

  const histograms = new Map<string, [number, number, number, number, number]>();
  for (const r of reviews) {
    if (r.status !== "published") continue;
    const h = histograms.get(r.productId) ?? [0, 0, 0, 0, 0];
    h[r.rating - 1]! += 1;
    histograms.set(r.productId, h);
  }
  const fit = fitPriorStrength([...histograms.values()], { floor: deps.priorStrength });
  deps.cache.summaries.delete(shopSummaryId(shopId));
  await deps.models.RatingSummary.collection.updateOne(
    { _id: shopSummaryId(shopId) } as never,
    { $set: { priorStrength: fit.strength } },
  );
  return reviews.length;
}
