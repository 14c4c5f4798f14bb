/**
 * Fraud scoring on the write path: each review is scored once, as it arrives,
 * by @starling/scoring against its product's and its reviewer's state; the
 * score decides the weight the review counts with in the rating. A burst
 * flagged later re-weights the earlier reviews of its window. A near-copy of
 * another author's text is quarantined (held back with its reasons).
 */
import {
  BAND_COUNT,
  SIGNATURE_SIZE,
  SignatureIndex,
  bestDuplicate,
  fitPriorStrength,
  type TimelineReview,
  type TimelineResult,
  initialProductState,
  initialReviewerState,
  scoreArrivalInPlace,
  textSignature,
  type ProductState,
  type Reason,
  type Reweight,
  type ReviewerState,
  type StoredSignature,
  type TextSignature,
} from "@starling/scoring";
import { BSON } from "mongodb";
import { deflateRawSync, inflateRawSync } from "node:zlib";
import type { ReviewDoc, StoredTextSignature } from "../reviews/model.js";
import type { StoredScore } from "./model.js";
import { reviewsChanged, type Deps } from "../deps.js";
import { quarantineReview } from "../moderation/moderation.js";
import { findByIds } from "../../db/find-by-ids.js";
import { shopReviewsByProduct } from "../feed/shop-reviews.js";
import { keyShopReviews, shopPrefix } from "../reviews/review-pages.js";
import type { ProductDoc } from "../products/model.js";
import { recordEvents } from "../events/events.js";
import { productSummaryId, reweightCountedReviews, savePriorStrength, type RebuiltReview, type Reweighting } from "../ratings/ratings.js";
import { scoreReplayOn, storedScore, type ReplayAnswer, type ReplayBatch } from "./replay-scoring.js";
import { AnalysisThreads } from "../../analysis-threads.js";

/** How many of a shop's most recent review texts a new review is compared with. */
const SIGNATURES_PER_SHOP = 20_000;

/** Who a review is from, for reviewer history: the shop's customer id, else the invitation's email, else nobody known. */
export function reviewerKeyOf(review: Pick<ReviewDoc, "_id" | "reviewer">): string {
  if (review.reviewer.externalId) return `id:${review.reviewer.externalId}`;
  if (review.reviewer.email) return `email:${review.reviewer.email.toLowerCase()}`;
  // An anonymous form review: a first-time reviewer, as far as anyone can tell.
  return `anon:${review._id}`;
}

// Pure, for the replay's thread (replay-scoring.ts); the write path stores its scores the same way.
export { storedScore } from "./replay-scoring.js";

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

  /** Drops a shop's index (it names reviewers); the next review of the shop loads it again from the database. */
  forget(shopId: string): void {
    this.byShop.delete(shopId);
  }

  /** Whether the shop's index is loaded or loading in this process. */
  has(shopId: string): boolean {
    return this.byShop.has(shopId);
  }
}

/** A shop that took a review this recently gets its index loaded when a process starts (preloadSignatures). */
const PRELOAD_ACTIVE_MS = 86_400_000;

/**
 * Loads, one after another in the background, the near-duplicate indexes of
 * the shops that took a review in the last day (their summaries'
 * `lastReviewAt`: a range of shop summary ids), so that a new process's first
 * write in such a shop does not wait for its load (5-6 s of FerretDB's CPU at
 * 20 000 texts, recentSignatures). Through SignatureIndexes.get: a write that
 * arrives while its shop loads waits for that same load, so it still sees
 * every signature. Stops between shops once `stopped`. Answers how many it loaded.
 */
export async function preloadSignatures(deps: Deps, stopped: () => boolean): Promise<number> {
  const since = deps.now().getTime() - PRELOAD_ACTIVE_MS;
  const shops = await deps.models.RatingSummary.collection
    .find({ _id: { $gt: "shop:", $lt: "shop;" } } as never, { projection: { shopId: 1, lastReviewAt: 1 } })
    .sort({ _id: 1 })
    .toArray();
  let loaded = 0;
  for (const s of shops) {
    if (stopped()) break;
    if (!(s.lastReviewAt instanceof Date) || s.lastReviewAt.getTime() < since) continue;
    await deps.signatures.get(deps, s.shopId as string);
    loaded++;
  }
  return loaded;
}

async function load(deps: Deps, shopId: string): Promise<SignatureIndex> {
  await keyShopReviews(deps, shopId);
  const index = new SignatureIndex(365 * 86_400_000, SIGNATURES_PER_SHOP);
  const recent = (await recentSignatures(deps, shopId, SIGNATURES_PER_SHOP).toArray()) as unknown as ReviewDoc[];
  for (const r of recent.reverse()) index.add(storedSignatureOf(r));
  return index;
}

/**
 * The shop's newest `limit` reviews with a text signature, newest first: a
 * range of their `pageShopNewest` keys (reviews/review-pages.ts), read in key
 * order, which FerretDB answers by walking the `page_shop_newest` index and
 * stops at the limit (ferretdb/patches). Sorted by `createdAt` it read, decoded
 * and sorted every review of every shop in Go first: with 100 000 reviews a
 * process's first write in the shop waited 47 s for it (bench/signature-load.ts).
 * Reviews stored before the key existed get it on the shop's first load (keyShopReviews).
 */
export function recentSignatures(deps: Deps, shopId: string, limit: number) {
  const prefix = shopPrefix(shopId);
  // '/' follows '.': past every key of this shop.
  return deps.models.Review.collection
    .find({ pageShopNewest: { $gt: `${prefix}.`, $lt: `${prefix}/` }, signature: { $ne: null } } as never, {
      projection: { productId: 1, reviewer: 1, createdAt: 1, signature: 1 },
    })
    .sort({ pageShopNewest: 1 })
    .limit(limit);
}

function storedSignatureOf(r: Pick<ReviewDoc, "_id" | "productId" | "reviewer" | "createdAt" | "signature">): StoredSignature {
  return {
    reviewId: r._id,
    reviewerId: reviewerKeyOf(r),
    productId: r.productId,
    timeMs: r.createdAt.getTime(),
    signature: unpackSignature(r.signature!) as TextSignature,
  };
}

/** Bytes of a packed signature: SIGNATURE_SIZE 16-bit min-hashes, then BAND_COUNT 32-bit band hashes. */
const PACKED_SIGNATURE_BYTES = SIGNATURE_SIZE * 2 + BAND_COUNT * 4;

/**
 * A text signature as a review stores it: one binary field, the min-hashes
 * (each below 2¹⁶) then each band key's hash (a band key is band·2³² + hash),
 * little-endian. As 80 numbers in two arrays it was about a third of the CPU
 * FerretDB spent inserting an imported review (it converts a document field
 * by field, each array element with its type), and it is never queried, only
 * read back whole.
 */
export function packSignature(signature: Pick<TextSignature, "minHashes" | "bandKeys">): Buffer {
  const bytes = Buffer.alloc(PACKED_SIGNATURE_BYTES);
  for (let i = 0; i < SIGNATURE_SIZE; i++) bytes.writeUInt16LE(signature.minHashes[i]!, 2 * i);
  for (let b = 0; b < BAND_COUNT; b++) bytes.writeUInt32LE(signature.bandKeys[b]! - b * 2 ** 32, SIGNATURE_SIZE * 2 + 4 * b);
  return bytes;
}

/** A stored signature's numbers: a packed one (read back as a BSON Binary), or the two arrays reviews stored before. */
export function unpackSignature(stored: StoredTextSignature | BSON.Binary): Pick<TextSignature, "minHashes" | "bandKeys"> {
  if (!(stored instanceof BSON.Binary || stored instanceof Uint8Array)) return stored;
  const raw = stored instanceof BSON.Binary ? stored.buffer : stored;
  const bytes = Buffer.from(raw.buffer, raw.byteOffset, raw.byteLength);
  if (bytes.length !== PACKED_SIGNATURE_BYTES)
    throw new Error(`a stored text signature has ${bytes.length} bytes, not ${PACKED_SIGNATURE_BYTES}`);
  const minHashes = Array.from({ length: SIGNATURE_SIZE }, (_, i) => bytes.readUInt16LE(2 * i));
  const bandKeys = Array.from({ length: BAND_COUNT }, (_, b) => b * 2 ** 32 + bytes.readUInt32LE(SIGNATURE_SIZE * 2 + 4 * b));
  return { minHashes, bandKeys };
}

/** A review's verdict, as stored with it. */
export interface ArrivalScore {
  readonly score: StoredScore;
  readonly signature: StoredTextSignature | null;
}

/** Arrivals scored in memory, to be stored by the caller and then committed. */
export interface ScoredArrivals {
  /** One per review, in the order given. */
  readonly arrivals: readonly ArrivalScore[];
  /**
   * Once the caller has stored the reviews (`stored[i]` says whether review i
   * was new), saves the scoring states they advanced, in one command, and
   * re-weights the earlier reviews of bursts flagged now.
   */
  commit(stored: readonly boolean[]): Promise<void>;
}

/** The locks `scoreArrivals` needs held for these reviews: their products' and their reviewers'. */
export function scoringLockKeys(reviews: readonly Pick<ReviewDoc, "_id" | "shopId" | "productId" | "reviewer">[]): string[] {
  return reviews.flatMap((r) => [productStateId(r), reviewerStateId(r)]);
}

const productStateId = (r: Pick<ReviewDoc, "shopId" | "productId">) => productSummaryId(r.shopId, r.productId);
const reviewerStateId = (r: Pick<ReviewDoc, "_id" | "shopId" | "reviewer">) => `reviewer:${r.shopId}:${reviewerKeyOf(r)}`;

/**
 * The states kept in the database for these reviews. An anonymous reviewer's
 * key is the review's own id, so their state could never be read again: it is
 * neither loaded nor saved (one write less per form review, and no dead documents).
 */
function storedStateIds(reviews: readonly Pick<ReviewDoc, "_id" | "shopId" | "productId" | "reviewer">[]): Set<string> {
  const ids = new Set<string>();
  for (const r of reviews) {
    ids.add(productStateId(r));
    if (!reviewerKeyOf(r).startsWith("anon:")) ids.add(reviewerStateId(r));
  }
  return ids;
}

/**
 * Scores arriving reviews, in the order given, against their products' and
 * reviewers' states (read in one query) and each shop's recent texts. Nothing
 * is written until `commit`. The caller holds `scoringLockKeys(reviews)`, so
 * a product's and a reviewer's arrivals are scored one at a time and in order.
 *
 * A review the caller then fails to store has still moved the states the
 * others are saved with, and its text stays in this process's near-duplicate
 * index: the caller looks up already-stored keys first, so that is left to a
 * retry racing another API process, or to a batch the database refused.
 */
export async function scoreArrivals(deps: Deps, reviews: readonly ReviewDoc[]): Promise<ScoredArrivals> {
  const shopIds = [...new Set(reviews.map((r) => r.shopId))];
  const [docs, indexes] = await Promise.all([
    findByIds(deps.models.ScoringState, [...storedStateIds(reviews)]),
    // The near-duplicate check compares with other authors' recent texts in the shop.
    Promise.all(shopIds.map(async (id) => [id, await deps.signatures.get(deps, id)] as const)).then((e) => new Map(e)),
  ]);
  const states = new Map<string, unknown>(docs.map((d) => [d._id, unpackState(d.state)]));
  // The bursts each product had before these arrivals (its state is changed in place): a new start is a new burst.
  const knownBursts = new Map(
    docs.flatMap((d) =>
      d._id.startsWith("product:")
        ? [[d._id, new Set(((states.get(d._id) as ProductState).arrival?.bursts ?? []).map((b) => b.startMs))] as const]
        : [],
    ),
  );
  const scored = reviews.map((review) => {
    const reviewerKey = reviewerKeyOf(review);
    const product = (states.get(productStateId(review)) as ProductState | undefined) ?? initialProductState();
    const reviewer = (states.get(reviewerStateId(review)) as ReviewerState | undefined) ?? initialReviewerState();
    const index = indexes.get(review.shopId)!;
    const signature = textSignature(`${review.title}\n${review.body}`);
    const duplicate = signature ? bestDuplicate(signature, reviewerKey, index.candidates(signature, review.createdAt.getTime())) : null;
    // Arrivals are scored in order; two requests that read the clock in one
    // order and reach the lock in the other count as arriving together.
    const at = Math.max(review.createdAt.getTime(), product.arrival.lastMs ?? 0);
    // In place: these states were unpacked for this call and nothing else holds
    // them, so scoreArrival's copy of each (structuredClone) would be pure cost,
    // growing with the state: about a quarter of the CPU a busy product's state
    // cost a review here (bench/state-cpu.ts). A review that fails to score
    // fails the whole call, and these states are then never saved.
    const result = scoreArrivalInPlace(
      product,
      reviewer,
      {
        reviewId: review._id,
        reviewerId: reviewerKey,
        productId: review.productId,
        stars: review.rating,
        verified: review.verification ? true : undefined,
      },
      at,
      duplicate,
      deps.scoringOptions,
    );
    states.set(productStateId(review), result.product);
    states.set(reviewerStateId(review), result.reviewer);
    // Indexed at once, so a copy later in the same batch is caught.
    if (signature) index.add({ reviewId: review._id, reviewerId: reviewerKey, productId: review.productId, timeMs: at, signature });
    const arrival: ArrivalScore = {
      score: storedScore(result.suspicion, result.trustWeightBp, result.reasons, "write"),
      signature: signature ? packSignature(signature) : null,
    };
    return { result, arrival };
  });

  /** burst.detected for each burst these reviews' products flagged that they did not have before. */
  function newBursts(storedReviews: readonly ReviewDoc[]) {
    const products = new Map(storedReviews.map((r) => [productStateId(r), r] as const));
    return [...products].flatMap(([id, r]) => {
      const known = knownBursts.get(id);
      const bursts = (states.get(id) as ProductState | undefined)?.arrival.bursts ?? [];
      return bursts
        .filter((b) => !known?.has(b.startMs))
        .map((b) => ({
          id: `burst.detected:${r.shopId}:${r.productId}:${b.startMs}`,
          type: "burst.detected" as const,
          shopId: r.shopId,
          data: {
            productId: r.productId,
            start: new Date(b.startMs).toISOString(),
            end: new Date(b.endMs).toISOString(),
            evidence: b.evidence.map((e) => ({
              detector: e.detector,
              stream: e.stream,
              windowStart: new Date(e.windowStartMs).toISOString(),
              windowEnd: new Date(e.windowEndMs).toISOString(),
              count: e.count,
              expectedCount: e.expectedCount,
              surprise: e.surprise,
            })),
          },
        }));
    });
  }

  return {
    arrivals: scored.map((s) => s.arrival),
    async commit(stored) {
      const touched = storedStateIds(reviews.filter((_, i) => stored[i]));
      if (touched.size) {
        // The raw collection: the state packed as it is (deps.packScoringState).
        await deps.models.ScoringState.collection.bulkWrite(
          [...touched].map((id) => ({
            replaceOne: {
              filter: { _id: id } as never,
              replacement: { state: deps.packScoringState(id, states.get(id)) } as never,
              upsert: true,
            },
          })),
          { ordered: false },
        );
      }
      // Recorded with the states that remember them (saved just above), so a
      // burst whose state was never saved is found, and recorded, again by
      // the re-score of a retried review.
      await recordEvents(deps, newBursts(reviews.filter((_, i) => stored[i])));
      // A burst flagged now re-weights the earlier reviews of its window.
      await reweightEarlier(
        deps,
        scored.flatMap(({ result }, i) => (stored[i] ? result.reweighted : [])),
      );
    },
  };
}

/**
 * Stores the new scores of the earlier reviews that bursts flagged in one
 * batch, in the order flagged, and moves the counted ones' weights in the
 * summaries: one read of them all, one write of their scores, one summary
 * update per product. A campaign's window re-weights dozens of reviews at
 * once; one at a time each was a read, a write and three summary commands.
 * A review flagged twice (two streams, or two arrivals of the batch) gets
 * both reasons, each step from the score the one before left, as stored.
 * A review not stored (a replayed state's, or erased) or never scored is left.
 */
async function reweightEarlier(deps: Deps, reweights: readonly Reweight[]): Promise<void> {
  if (!reweights.length) return;
  const found = new Map(
    (
      await findByIds(
        deps.models.Review,
        reweights.map((rw) => rw.reviewId),
      )
    ).map((r) => [r._id, r] as const),
  );
  /** Each re-weighted review's score so far: as read, then after each step. */
  const scores = new Map<string, StoredScore>();
  const moves: Reweighting[] = [];
  for (const rw of reweights) {
    const earlier = found.get(rw.reviewId);
    const before = scores.get(rw.reviewId) ?? earlier?.score;
    if (!earlier || !before) continue;
    const reasons = [...before.reasons.map((r) => r as unknown as Reason), rw.reason];
    // As a read of the review would return it: a second step starts from what the first stored.
    const next = asStored(storedScore(rw.suspicion, rw.trustWeightBp, reasons, "write"));
    scores.set(rw.reviewId, next);
    moves.push({ review: earlier, before, after: next });
  }
  if (!scores.size) return;
  await deps.models.Review.bulkWrite(
    [...scores].map(([_id, score]) => ({ updateOne: { filter: { _id }, update: { $set: { score } } } })),
    { ordered: false },
  );
  for (const id of scores.keys()) reviewsChanged(deps, found.get(id)!);
  await reweightCountedReviews(deps, moves);
}

/** A score as a read of the review returns it once stored (BSON's round trip: an undefined value comes back null). */
function asStored(score: StoredScore): StoredScore {
  return BSON.deserialize(BSON.serialize({ score })).score as StoredScore;
}

/**
 * A scoring state as stored: the state's BSON in one binary field. A busy
 * product's state holds its last ~32 arrivals and up to 48 more in the trail,
 * about 80 sub-documents of 8–10 fields (11 kB); FerretDB converts a
 * document field by field on every read and on every rewrite, which each
 * review's update of the state is, so as a document it cost FerretDB several
 * times what one value of the same bytes does. Nothing queries inside a state.
 */
export function packState(state: unknown): BSON.Binary {
  const bytes = BSON.serialize(state as BSON.Document);
  if (bytes.length < DEFLATE_FROM_BYTES) return new BSON.Binary(bytes);
  return new BSON.Binary(deflateRawSync(bytes, { level: 1 }), DEFLATED_STATE);
}

/**
 * A packed state of this size or more is stored deflated (binary subtype
 * DEFLATED_STATE, in the user-defined range): FerretDB's CPU per read and
 * rewrite of a state grows with its bytes (it stores a binary value as base64
 * in its JSON, over SQLite overflow pages), and issue 18 doubled a busy
 * product's, 5.3 → 11.3 kB, costing FerretDB about 1.4 ms more a review. A busy
 * product's state deflates to about 2 kB for about 0.15 ms of the API's CPU
 * (level 1), and FerretDB then spends as much on it as on the state before
 * issue 18. A reviewer's state (about 300 B) is left as it is: zlib's fixed cost
 * would buy nothing.
 */
const DEFLATE_FROM_BYTES = 1024;
const DEFLATED_STATE = 0x80;

/** Deps' packScoringState in production: every state whole, packed, whatever the scorer's options. */
export const packWholeState = (_id: string, state: unknown): BSON.Binary => packState(state);

/** A stored scoring state: a packed one (deflated or not), or a document as states were stored before (see packState). */
export function unpackState(stored: unknown): unknown {
  if (stored instanceof BSON.Binary)
    return BSON.deserialize(stored.sub_type === DEFLATED_STATE ? inflateRawSync(stored.buffer) : stored.buffer);
  if (stored instanceof Uint8Array) return BSON.deserialize(stored);
  return stored;
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
      reasons: score.reasons
        .filter((r) => r.weight !== 0)
        .map((r) => r.text)
        .join(" "),
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
  stored: Pick<ReviewDoc, "_id" | "shopId" | "productId" | "reviewer">,
): Promise<StoredScore | null> {
  const reviewId = stored._id;
  const score = await deps.summaryLock.runAll(scoringLockKeys([stored]), async () => {
    const review = await deps.models.Review.findById(reviewId).lean<ReviewDoc>();
    if (!review) return null;
    if (review.score) return review.score;
    const scoring = await scoreArrivals(deps, [review]);
    const { score, signature } = scoring.arrivals[0]!;
    await deps.models.Review.updateOne({ _id: review._id }, { $set: { score, signature } });
    reviewsChanged(deps, review);
    await scoring.commit([true]);
    return score;
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

/** One shop's batch re-score (see rescoreAll): every review's score rewritten. */
export async function rescoreShop(deps: Deps, shopId: string): Promise<number> {
  const { scores } = await scoreShopHistory(deps, shopId, []);
  // In chunks of 50, from before packages/api/ferretdb/patches/handler-msg-update.go.in: upstream
  // FerretDB 1.24.2 kept each matching statement's query (one of the SQLite pool's 100 connections)
  // open until the whole update command ended, so a command of about 100 statements stalled the
  // database for good (seen with 100 and 500; 80 passed). The patched build closes each statement's
  // query as it goes and takes any size; the chunks stay as margin below that limit for a build
  // without the patch. Each statement is a read and a rewrite there anyway.
  const entries = [...scores];
  for (let i = 0; i < entries.length; i += 50) {
    await deps.models.Review.bulkWrite(
      entries.slice(i, i + 50).map(([reviewId, score]) => ({ updateOne: { filter: { _id: reviewId }, update: { $set: { score } } } })),
    );
  }
  deps.cache.reviewPages.clear();
  return scores.size;
}

/** What the replay (and the summaries rebuilt after an import) read of each stored review. */
const HISTORY_FIELDS = {
  shopId: 1,
  productId: 1,
  reviewer: 1,
  rating: 1,
  createdAt: 1,
  title: 1,
  body: 1,
  verification: 1,
  status: 1,
  score: 1,
  summaryApplied: 1,
  provenance: 1,
} as const;

/** Products, and each product's reviews, read per round trip. */
const HISTORY_BATCH = 1_000;

/**
 * Replays the shop's reviews, and `arriving` ones not stored yet (an
 * import's), in createdAt order through the write-time scorer, then re-scores
 * them with hindsight (what each reviewer did afterwards, BIRDNEST-style
 * surprise); saves the replayed scoring states, so later arrivals are scored
 * as if the scorer had seen everything live, and fits the shop's prior
 * strength (empirical Bayes, floored at the configured strength). Returns
 * every review's new score (storing them is the caller's), and the stored
 * reviews it read. An arriving review stored already (an import killed
 * between storing a review and clearing its waiting row) is replayed once,
 * as stored.
 */
export async function scoreShopHistory(
  deps: Deps,
  shopId: string,
  arriving: readonly ReviewDoc[],
): Promise<{ scores: Map<string, StoredScore>; stored: RebuiltReview[] }> {
  const { scores, stored, replayed, writeTime } = await replayShopHistory(deps, shopId, arriving);
  const states: [string, unknown][] = [...writeTime.products].map(([productId, state]) => [`product:${shopId}:${productId}`, state]);
  for (const [reviewerId, state] of writeTime.reviewers) {
    // An anonymous reviewer's key is one review's own: never read again (see storedStateIds).
    if (!reviewerId.startsWith("anon:")) states.push([`reviewer:${shopId}:${reviewerId}`, state]);
  }
  await saveStates(deps, states);
  await savePriorStrength(deps, shopId, fittedPriorStrength(deps, replayed));
  return { scores, stored };
}

/** Stored reviews as the scoring library's replay reads them, in the order given. */
export function timelineOf(
  reviews: readonly Pick<ReviewDoc, "_id" | "productId" | "reviewer" | "rating" | "createdAt" | "title" | "body" | "verification">[],
): TimelineReview[] {
  return reviews.map((r) => ({
    reviewId: r._id,
    productId: r.productId,
    reviewerId: reviewerKeyOf(r),
    stars: r.rating,
    timeMs: r.createdAt.getTime(),
    text: `${r.title}\n${r.body}`,
    verified: r.verification ? true : undefined,
  }));
}

/** A shop's history replayed (replayShopHistory): nothing saved yet. */
export interface ShopReplay {
  /** Every replayed review's score with hindsight, by review id. */
  readonly scores: Map<string, StoredScore>;
  /** The stored reviews read, as they were read. */
  readonly stored: (ReviewDoc & RebuiltReview)[];
  /** Every review replayed (the stored ones and the arriving ones), in arrival order. */
  readonly replayed: readonly ReviewDoc[];
  /** The write-time replay: its scores, and the scoring states it ends with. */
  readonly writeTime: TimelineResult;
  /**
   * The reviews whose hindsight score the hindsight sweep applies (sweepTakesHindsight: it restores
   * a write-time flag, or adds a co-review group); the others keep their write-time scores live.
   */
  readonly sweepTakes: ReadonlySet<string>;
  /** The thread that scored it (worker_threads' threadId; the event loop's is 0). */
  readonly scoredOnThread: number;
}

/**
 * Where the replays' scoring runs: a thread per process (src/analysis-threads.ts,
 * at the process' priority: `recompute --rescore` and an import's end wait for it,
 * and the sweep's CPU is what it was on the event loop), so the event loop answers
 * requests meanwhile. Started by a replay and ended once no replay needs it: kept
 * idle after scoring 20 000 reviews, the process' RSS stayed ~130 MB higher than
 * with it ended (356 against 223 MB), where starting one costs ~0.2 s off the event
 * loop (~10 ms on it) against a sweep's 10 s and more. A thread that dies fails the
 * replay it was scoring (a sweep or a re-score is then run again as any failed one);
 * the next replay starts another.
 */
const replayThreads = new WeakMap<Deps, { threads: AnalysisThreads; replays: number }>();

async function onReplayThread(deps: Deps, batch: ReplayBatch): Promise<ReplayAnswer> {
  let entry = replayThreads.get(deps);
  if (!entry) replayThreads.set(deps, (entry = { threads: new AnalysisThreads({ size: 1 }), replays: 0 }));
  entry.replays++;
  try {
    return await entry.threads.run(batch);
  } finally {
    if (--entry.replays === 0 && replayThreads.get(deps) === entry) {
      replayThreads.delete(deps);
      void entry.threads.close();
    }
  }
}

/** Ends this process' replay thread (the replay it scores fails); the next replay starts another (the hindsight worker's stop). */
export async function closeReplayThread(deps: Deps): Promise<void> {
  const entry = replayThreads.get(deps);
  replayThreads.delete(deps);
  await entry?.threads.close();
}

/** This process' replay thread, while a replay needs it (tests end it mid-replay). */
export function runningReplayThread(deps: Deps): AnalysisThreads | undefined {
  return replayThreads.get(deps)?.threads;
}

/**
 * scoreShopHistory's replay without saving anything: the shop's reviews read
 * product by product, and `arriving` ones, replayed through the write-time
 * scorer and re-scored with hindsight. The hindsight sweep (hindsight.ts)
 * uses it as it is, beside the write path, whose states it leaves alone.
 * The scoring runs on a replay thread (onReplayThread), not the event loop.
 */
export async function replayShopHistory(
  deps: Deps,
  shopId: string,
  arriving: readonly ReviewDoc[] = [],
  options: {
    readonly signal?: AbortSignal;
  } = {},
): Promise<ShopReplay> {
  const stored: (ReviewDoc & RebuiltReview)[] = [];
  // Every status, product by product (feed/shop-reviews.ts): index ranges only,
  // where `find({shopId})` would be a scan of every shop's reviews on FerretDB.
  const walk = shopReviewsByProduct<Pick<ProductDoc, "_id" | "productId">, ReviewDoc & RebuiltReview & { pageNewest: string }>(
    deps,
    shopId,
    {
      productFields: { _id: 1, productId: 1 },
      reviewFields: { ...HISTORY_FIELDS, pageNewest: 1 },
      batch: HISTORY_BATCH,
    },
  );
  for await (const { reviews } of walk) {
    // Between batches: a stopping process does not read on through a large shop.
    if (options.signal?.aborted) throw new Error("the shop's replay stopped: the process is stopping");
    stored.push(...reviews);
  }
  const storedIds = new Set(stored.map((r) => r._id));
  const reviews = [...stored, ...arriving.filter((r) => !storedIds.has(r._id))].sort(
    (a, b) => a.createdAt.getTime() - b.createdAt.getTime() || (a._id < b._id ? -1 : a._id > b._id ? 1 : 0),
  );
  const timeline = timelineOf(reviews);
  // The process's own scorer options, as the write path scores with them, sent with the timeline.
  const { scores, writeTime, sweepTakes, threadId } = await scoreReplayOn(
    (batch) => onReplayThread(deps, batch),
    timeline,
    deps.scoringOptions,
  );
  return { scores, stored, replayed: reviews, writeTime, sweepTakes, scoredOnThread: threadId };
}

/** The shop's prior strength fitted to its published reviews' histograms (empirical Bayes, floored at the configured strength). */
export function fittedPriorStrength(deps: Deps, reviews: readonly Pick<ReviewDoc, "productId" | "rating" | "status">[]): number {
  const histograms = new Map<string, [number, number, number, number, number]>();
  for (const r of reviews) {
    if (r.status !== "published") continue;
    const h = histograms.get(r.productId) ?? [0, 0, 0, 0, 0];
    h[r.rating - 1]! += 1;
    histograms.set(r.productId, h);
  }
  return fitPriorStrength([...histograms.values()], { floor: deps.priorStrength }).strength;
}

/**
 * Scoring states saved in bulk: those already stored are deleted, then all
 * inserted, a thousand at a time (FerretDB inserts in bulk, but updates one
 * document at a time with a read and a rewrite). A crash between the two
 * leaves some states missing: the rerun of the same replay (recompute
 * --rescore, or the import's rerun) saves them again.
 */
async function saveStates(deps: Deps, states: readonly [string, unknown][]): Promise<void> {
  const collection = deps.models.ScoringState.collection;
  for (let i = 0; i < states.length; i += 1000) {
    const chunk = states.slice(i, i + 1000);
    await collection.deleteMany({ _id: { $in: chunk.map(([id]) => id) } } as never);
    // The raw collection: the state packed as it is (deps.packScoringState).
    await collection.insertMany(chunk.map(([id, state]) => ({ _id: id, state: deps.packScoringState(id, state) })) as never[], {
      ordered: false,
    });
  }
}
