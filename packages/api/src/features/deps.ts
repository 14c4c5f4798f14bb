/** Deps: the explicit dependencies of the feature operations (see Deps). */
import type { Models } from "./models.js";
import type { ProductDoc } from "./products/model.js";
import type { RatingSummaryDoc } from "./ratings/model.js";
import type { ReviewDoc } from "./reviews/model.js";
import type { ShopDoc } from "./shops/model.js";
import type { ScoringOptions, SignatureIndex } from "@starling/scoring";
import type { KeyedLock } from "../db/keyed-lock.js";
import type { Logger } from "../log.js";
import { TtlCache } from "../db/ttl-cache.js";
import { PageCache } from "../db/page-cache.js";
import type { CoalescingQueue } from "../db/coalescing-queue.js";
import type { BatchQueue } from "../db/batch-queue.js";
import type { QuietTurns } from "../db/quiet-turns.js";
import type { ReviewPage, StoreOutcome } from "./reviews/review.js";
import type { SummaryChange } from "./ratings/summary-change.js";
import type { Caller } from "./shops/caller.js";
import type { Metrics } from "../metrics.js";
import type { LeaseQueue } from "../db/lease-queue.js";
import type { QuestionPageView } from "./questions/question.js";
import type { BSON } from "mongodb";

/**
 * What the feature operations need, passed in explicitly; built once per process
 * by createDeps (src/create-deps.ts, the composition root). This module is a
 * leaf: it imports types, caches and queues, never a feature operation, so
 * that every feature module can import it without a cycle.
 */
export interface Deps {
  readonly models: Models;
  /** Serializes writes to each summary document (see KeyedLock). */
  readonly summaryLock: KeyedLock;
  /** New reviews, written in batches (group commit; see storeNewReviews). */
  readonly reviewWrites: BatchQueue<ReviewDoc, StoreOutcome>;
  /** Turns for background work that gives way to this process's review writes (the insights rounds): told by reviewWrites. */
  readonly reviewWritesQuiet: QuietTurns;
  /** Submissions' first look-up of their review's key (stored? erased?), gathered across requests (loadReviewKeys). */
  readonly reviewKeyReads: BatchQueue<string, { review: ReviewDoc | null; erased: boolean }>;
  /** Product look-ups that missed the cache, gathered across requests into one query. */
  readonly productReads: BatchQueue<string, ProductDoc | null>;
  /** Rating summaries that missed the cache, gathered across requests into one query. */
  readonly summaryReads: BatchQueue<string, RatingSummaryDoc | null>;
  /** Each shop summary's increments, merged while one is in flight (it moves with every review of the shop). */
  readonly shopSummaryWrites: CoalescingQueue<SummaryChange>;
  /** The default prior strength, until `recompute --rescore` fits one per shop. */
  readonly priorStrength: number;
  /** Recent review texts per shop, for the near-duplicate check. */
  readonly signatures: SignatureIndexes;
  /**
   * The write-time scorer's options: DEFAULT_SCORING_OPTIONS, except on the
   * benchmark's legacy-scoring server (LEGACY_SCORING_OPTIONS, the scorer as
   * before issue 18; see scoreArrivals).
   */
  readonly scoringOptions: ScoringOptions;
  /**
   * A scoring state (product or reviewer, by its id) as it is saved: every
   * save of one goes through here (the write path, the batch re-score, an
   * erasure). packState (features/scoring/scoring.ts), except on the
   * benchmark's legacy-scoring server, which strips issue 18's fields first
   * (bench/legacy-states.ts).
   */
  readonly packScoringState: (id: string, state: unknown) => BSON.Binary;
  readonly log: Logger;
  /** The hot read path's in-process caches (see ReadCaches). */
  readonly cache: ReadCaches;
  readonly now: () => Date;
  /** Prometheus metrics; a feature with a queue registers its depth here (metrics.ts says how). */
  readonly metrics: Metrics;
  /**
   * The durable work queue of this name (db/lease-queue.ts), one object per
   * name and process; a feature keeps its queue's name and payload type beside
   * its operations (e.g. eventQueue in features/events).
   */
  queue<P>(name: string): LeaseQueue<P>;
}

/** Each shop's index of recent review texts, loaded on first use (the class is in scoring.ts). */
export interface SignatureIndexes {
  get(deps: Deps, shopId: string): Promise<SignatureIndex>;
  /** Drops a shop's index (it names reviewers). */
  forget(shopId: string): void;
  /** Whether the shop's index is loaded or loading in this process. */
  has(shopId: string): boolean;
}

/**
 * What every request reads, cached per process: the caller behind an API key,
 * products, rating summaries. A write in this process clears its entries at
 * once; other processes see it within the TTL. A revoked key keeps working on
 * other API processes for up to KEY_TTL_MS.
 */
export interface ReadCaches {
  readonly keys: TtlCache<Caller | null>;
  readonly products: TtlCache<ProductDoc | null>;
  /** A shop's settings that every submission reads (its moderation mode). */
  readonly shops: TtlCache<Pick<ShopDoc, "moderation"> | null>;
  /** The browser origins each shop lets its secret keys be used from (see allowedOrigins). */
  readonly origins: TtlCache<readonly string[]>;
  readonly summaries: TtlCache<RatingSummaryDoc | null>;
  /** First pages of each product's published reviews (see reviewPageGroup for what invalidates them). */
  readonly reviewPages: PageCache<ReviewPage>;
  /** First pages of each product's questions with their answers (features/questions), invalidated as reviewPages are and by Q&A writes. */
  readonly questionPages: PageCache<QuestionPageView>;
}

export const KEY_TTL_MS = 10_000;
export const PRODUCT_TTL_MS = 5_000;
export const SUMMARY_TTL_MS = 1_000;
/** A change of moderation mode reaches other API processes within this. */
export const SHOP_TTL_MS = 5_000;

export function createReadCaches(log: Logger): ReadCaches {
  return {
    keys: new TtlCache(KEY_TTL_MS),
    products: new TtlCache(PRODUCT_TTL_MS),
    shops: new TtlCache(SHOP_TTL_MS),
    origins: new TtlCache(SHOP_TTL_MS),
    summaries: new TtlCache(SUMMARY_TTL_MS),
    // The same freshness as the rating above the list. At most 2 000 pages of
    // up to CACHED_PAGE_SIZE reviews, and as many kept from before writes:
    // ~80 MB of 1 KB reviews.
    reviewPages: new PageCache({
      ttlMs: SUMMARY_TTL_MS,
      refreshFactor: 10,
      maxStaleMs: 30_000,
      waitAfterWriteMs: 250,
      maxGroups: 500,
      maxPerGroup: 4,
      onRefreshError: (error) => log.error("refreshing a cached review page failed", { error }),
    }),
    questionPages: new PageCache({
      ttlMs: SUMMARY_TTL_MS,
      refreshFactor: 10,
      maxStaleMs: 30_000,
      waitAfterWriteMs: 250,
      maxGroups: 500,
      maxPerGroup: 2,
      onRefreshError: (error) => log.error("refreshing a cached question page failed", { error }),
    }),
  };
}

/**
 * The review page cache's group for a product. Every write that changes what
 * a product's published reviews look like (a new one, a status, a reply, a
 * score, an erasure) invalidates it once the change is stored.
 */
export function reviewPageGroup(shopId: string, productId: string): string {
  return `${shopId}\u0000${productId}`;
}

/** Drops a product's cached review pages: call after the write is stored. */
export function reviewsChanged(deps: Deps, review: { shopId: string; productId: string }): void {
  deps.cache.reviewPages.invalidate(reviewPageGroup(review.shopId, review.productId));
  // Question pages show reviews too (a question's related reviews).
  deps.cache.questionPages.invalidate(reviewPageGroup(review.shopId, review.productId));
}

/** Drops a product's cached question pages: call after a question, answer or answer's votes changed. */
export function questionsChanged(deps: Deps, item: { shopId: string; productId: string }): void {
  deps.cache.questionPages.invalidate(reviewPageGroup(item.shopId, item.productId));
}
