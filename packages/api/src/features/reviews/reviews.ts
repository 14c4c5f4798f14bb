import { createHash, randomUUID } from "node:crypto";
import { countQuietly, countStatusMoves } from "../dashboard/counters.js";
import type { InvitationDoc } from "../invitations/model.js";
import type { ReviewDoc } from "./model.js";
import { moderationMode } from "../shops/shops.js";
import type { StoredScore } from "../scoring/model.js";
import { claimInvitation, refuseExpired, verifyInvitation } from "../invitations/invitations.js";
import { StarlingError, duplicateKeyFailures, invalidInput } from "../../errors.js";
import { reviewsChanged, type Deps } from "../deps.js";
import { findProducts } from "../products/products.js";
import { countNewReviews, dropPendingCounts, recordPendingCounts, syncReviewCount } from "../ratings/ratings.js";
import { isDatabaseUnavailable } from "../../db/availability.js";
import { isCopiedText, quarantineIfCopied, scoreArrivals, scoreStoredReview, scoringLockKeys } from "../scoring/scoring.js";
import { findByIds } from "../../db/find-by-ids.js";
import { identifier, languageTag, optionalText, starRating, text } from "../validate.js";
import { withPageKeys } from "./review-pages.js";
import { enqueueAnalyses, wakeInsights } from "../insights/insights.js";
import { shopsReviewed } from "../scoring/hindsight.js";
import { requireScope } from "../shops/keys.js";
import type { Caller, Shop } from "../shops/caller.js";
import { ERASED_PAYLOAD, reviewEventData, toReview, type Review, type StoreOutcome } from "./review.js";
import { recordEvent, recordEvents, type EventType } from "../events/events.js";

export { ERASED_PAYLOAD, toReview, type Review, type StoreOutcome } from "./review.js";

export interface ReviewInput {
  productId: string;
  rating: number;
  title: string;
  body: string;
  reviewer: { name: string; externalId?: string | null };
  language?: string | null;
  provenance?: ReviewDoc["provenance"];
  source?: ReviewDoc["source"];
  /** Makes retries safe: the same key and payload return the first review, never a second one. */
  idempotencyKey?: string | null;
  /** A purchase invitation's token: the review becomes VERIFIED_PURCHASE, and the invitation is used up. */
  invitationToken?: string | null;
}

export const LIMITS = { title: 200, body: 10_000, reviewerName: 100 } as const;

/**
 * Validates, stores and counts a review. Returns it with `replayed: true` when
 * this idempotency key was seen before with the same payload, before any
 * limit (`beforeStore`) is consulted; a key whose review was erased is
 * REVIEW_ERASED.
 *
 * Order matters for "nothing acknowledged is lost": the review insert is the
 * commit point (durable before we answer); the summary increments follow, and
 * a crash between the two is completed by a retry of the same key or by the
 * sweep of pending counts (completePendingCount), exactly once.
 */
export async function submitReview(
  deps: Deps,
  shopId: string,
  input: ReviewInput,
  hooks: {
    /** Runs once the review is known to be valid and new (not a retry of a stored one), before it is stored (rate limits); may throw. */
    beforeStore?: (review: Pick<ReviewDoc, "productId" | "reviewer">) => Promise<void>;
  } = {},
): Promise<{ review: Review; replayed: boolean }> {
  const productId = identifier("productId", input.productId);
  const clean = {
    productId,
    rating: starRating("rating", input.rating),
    title: text("title", input.title, { max: LIMITS.title }),
    body: text("body", input.body, { max: LIMITS.body }),
    reviewer: {
      name: text("reviewer.name", input.reviewer.name, { max: LIMITS.reviewerName }),
      externalId: input.reviewer.externalId == null ? null : identifier("reviewer.externalId", input.reviewer.externalId),
    },
    language: languageTag("language", input.language),
    provenance: input.provenance ?? "ORGANIC",
    source: input.source ?? "api",
  };
  if (clean.provenance === "VERIFIED_PURCHASE") {
    throw invalidInput("provenance", "VERIFIED_PURCHASE is given only to reviews made through a purchase invitation");
  }
  const idempotencyKey = input.idempotencyKey == null ? randomUUID() : optionalText("idempotencyKey", input.idempotencyKey, { max: 200 })!;
  if (!/^[\x21-\x7E]+$/.test(idempotencyKey)) throw invalidInput("idempotencyKey", "must be printable ASCII without spaces");

  let invitation: InvitationDoc | null = null;
  if (input.invitationToken != null) {
    invitation = await verifyInvitation(deps, shopId, productId, input.invitationToken);
    clean.provenance = "VERIFIED_PURCHASE";
  }
  const reviewId = reviewIdOf(shopId, reviewKeyOf(clean.source, idempotencyKey, invitation));
  const payloadHash = sha256(JSON.stringify(clean));

  // A retry is answered before any limit is counted or checked: the same key
  // and payload always get the stored review back, even from a caller that is
  // over its limits (the review is already stored; answering costs one lookup).
  const { review: existing, erased } = await deps.reviewKeyReads.add(reviewId);
  if (erased) throw reviewErased();
  if (existing) return replay(deps, existing, payloadHash, invitation !== null);

  const [product] = await findProducts(deps, shopId, [productId]);
  if (!product) {
    throw new StarlingError("PRODUCT_NOT_FOUND", `This shop has no product "${productId}"; create it with putProduct first.`, {
      field: "productId",
    });
  }

  await hooks.beforeStore?.(clean);
  if (invitation) refuseExpired(deps, invitation);

  const status: ReviewDoc["status"] = (await moderationMode(deps, shopId)) === "pre" ? "pending" : "published";
  const doc: ReviewDoc = {
    _id: reviewId,
    shopId,
    ...clean,
    reviewer: invitation ? { ...clean.reviewer, email: invitation.customerEmail } : clean.reviewer,
    verification: invitation ? { method: "invitation", invitationId: invitation._id, orderRef: invitation.orderRef } : null,
    createdAt: deps.now(),
    payloadHash,
    status,
    reply: null,
    score: null,
    signature: null,
    // Counted as it is stored: the insert is the claim (see syncReviewCount).
    summaryApplied: status === "published",
  };

  if (invitation) await claimInvitation(deps, invitation, doc._id);

  // Scored, stored and counted in a batch with the submissions in flight
  // beside it (group commit, see BatchQueue).
  const outcome = await deps.reviewWrites.add(doc);
  if ("failed" in outcome) throw outcome.failed;
  if ("stored" in outcome) {
    const stored = outcome.stored;
    const score = stored.score ?? null;
    await quarantineIfCopied(deps, stored._id, score);
    return { review: toReview({ ...stored, status: await statusAfterScoring(deps, stored, score) }), replayed: false };
  }
  // Another submission of this key was stored first (in this batch or another process).
  const stored = await deps.models.Review.findById(doc._id).lean<ReviewDoc>();
  if (!stored) throw new Error(`review ${doc._id} was reported as stored but is not there`);
  return replay(deps, stored, payloadHash, invitation !== null);
}

/**
 * The reviews stored under these ids, and whether each was erased (its
 * tombstone): what a submission looks up before anything else, read for the
 * submissions in flight together (deps.reviewKeyReads) in two queries, not
 * two per submission.
 */
export async function loadReviewKeys(deps: Deps, ids: string[]): Promise<{ review: ReviewDoc | null; erased: boolean }[]> {
  const [reviews, erased] = await Promise.all([findByIds(deps.models.Review, ids), findByIds(deps.models.ErasedReview, ids)]);
  const byId = new Map(reviews.map((r) => [r._id, r as ReviewDoc]));
  const gone = new Set(erased.map((e) => e._id));
  return ids.map((id) => ({ review: byId.get(id) ?? null, erased: gone.has(id) }));
}

/**
 * What a review's `_id` is derived from, so that a retry collides with the
 * first attempt. Three namespaces that cannot collide: an invitation's review
 * (one per invitation, whatever key the client sent), the shop's own keys as
 * sent, and the customer form's keys behind "form " (a key never holds a
 * space), so a visitor cannot take a key the shop will use (`order-1001-line-1`).
 */
function reviewKeyOf(source: ReviewDoc["source"], idempotencyKey: string, invitation: InvitationDoc | null): string {
  if (invitation) return `invitation:${invitation._id}`;
  return source === "form" ? `form ${idempotencyKey}` : idempotencyKey;
}

/** A hash of the shop and the review's key: no personal data, so an erasure's tombstone may keep it. */
/** A star filter of a review list: an empty one would match nothing, so say so rather than answer an empty page. */
export function requireSomeStars(stars: readonly number[] | null | undefined): void {
  if (stars?.length === 0) throw invalidInput("stars", "give at least one star rating from 1 to 5, or leave stars out for all");
}

/**
 * Who a submission speaks for. A key that may sit in a web page (FORM_SUBMIT
 * without REVIEWS_WRITE) speaks for a customer, not for the shop: it cannot
 * vouch for who the customer is or where a review came from, so its reviews
 * are the form's. Needs REVIEWS_WRITE or FORM_SUBMIT.
 */
export function submissionSource(
  caller: Caller,
  input: { reviewer: { externalId?: string | null }; provenance?: string | null },
): { shop: Shop; source: "form" | "api" } {
  const shop = requireScope(caller, ["reviews:write", "form:submit"]);
  const viaForm = !caller.scopes.has("reviews:write");
  if (viaForm && input.reviewer.externalId != null) {
    throw invalidInput("reviewer.externalId", "only a secret key may link a review to the shop's customer id");
  }
  if (viaForm && input.provenance != null && input.provenance !== "ORGANIC") {
    throw invalidInput("provenance", "reviews through the customer form are ORGANIC (or verified through an invitation)");
  }
  return { shop, source: viaForm ? "form" : "api" };
}

export function reviewIdOf(shopId: string, reviewKey: string): string {
  return `rev_${sha256(`${shopId}\u0000${reviewKey}`).slice(0, 32)}`;
}

const reviewErased = () =>
  new StarlingError(
    "REVIEW_ERASED",
    "This review was erased at the reviewer's request and will not be stored again; a new review needs a new idempotency key.",
    { field: "idempotencyKey" },
  );

/** Most submissions written in one batch. */
export const MAX_WRITE_BATCH = 64;

/**
 * Stores a batch of new reviews: scored in arrival order, inserted in one
 * command (the commit point: durable before anyone is answered), then their
 * scoring states saved and their summaries moved, one command each. Holds the
 * locks of every product and reviewer in the batch throughout, so a product's
 * arrivals are scored in order and a racing retry of a key waits for us.
 *
 * A key already stored (a retry), or sent twice in the batch, is answered
 * `replay`: nothing is written for it. Scoring must not cost the customer
 * their review: if it fails (a bug, or the scorer refusing odd input), the
 * batch is stored unscored and counts at full weight until `recompute --rescore`.
 */
export async function storeNewReviews(deps: Deps, docs: readonly ReviewDoc[]): Promise<StoreOutcome[]> {
  const existing = new Set(
    (
      await findByIds(
        deps.models.Review,
        docs.map((d) => d._id),
      )
    ).map((d) => d._id),
  );
  const fresh: ReviewDoc[] = [];
  for (const d of docs) {
    if (existing.has(d._id)) continue;
    existing.add(d._id);
    fresh.push(d);
  }
  const stored = new Map<ReviewDoc, ReviewDoc>();
  if (fresh.length) {
    try {
      await deps.summaryLock.runAll(scoringLockKeys(fresh), async () => {
        const scoring = await scoreArrivals(deps, fresh).catch((err: unknown) => {
          // An outage, not a scoring bug: storing now would only wait for the database a second time.
          if (isDatabaseUnavailable(err)) throw err;
          deps.log.error("scoring failed; the reviews count at full weight until a re-score", { reviews: fresh.length, error: err });
          return null;
        });
        const rows = fresh.map((d, i) => ({
          ...d,
          score: scoring?.arrivals[i]?.score ?? null,
          signature: scoring?.arrivals[i]?.signature ?? null,
        }));
        // Their events before the insert: once a review is stored (and so
        // before anyone is answered), its events are too. The fan-out holds an
        // event back until its review is there, and drops one whose insert
        // never happened (webhooks/delivery.ts).
        await recordEvents(deps, rows.flatMap(reviewEvents));
        // Written before the insert, so a crash anywhere after it leaves a count
        // that a retry of the key or the sweep completes (completePendingCount).
        const batch = await recordPendingCounts(
          deps,
          rows.filter((r) => r.summaryApplied),
          1,
        );
        // Their analyses too, for the same reason: a crash after the insert leaves the job (insights.ts).
        await enqueueAnalyses(
          deps,
          rows.map((r) => r._id),
        );
        const inserted = await insertNew(deps, rows);
        rows.forEach((row, i) => {
          if (!inserted[i]) return;
          stored.set(fresh[i]!, row);
          reviewsChanged(deps, row);
        });
        await countQuietly(
          deps,
          countStatusMoves(
            deps,
            rows.filter((_, i) => inserted[i]).map((r) => ({ review: r, from: null, to: r.status })),
          ),
        );
        // Stored and claimed: they must be counted even if their scoring
        // states cannot be saved (those then miss these arrivals until `recompute --rescore`).
        await scoring?.commit(inserted).catch((err: unknown) => {
          deps.log.error("saving the scoring state failed after the reviews were stored", { reviews: rows.length, error: err });
        });
        const counted = rows.filter((r, i) => inserted[i] && r.summaryApplied);
        // Keys another process stored first: their counts are that process's.
        await dropPendingCounts(
          deps,
          rows.filter((r, i) => !inserted[i] && r.summaryApplied).map((r) => r._id),
          batch.token,
        );
        await countNewReviews(deps, counted, batch).catch((err: unknown) => {
          // Stored and claimed but maybe not counted: their pending counts stay,
          // for a retry of their keys or the sweep to complete exactly once.
          deps.log.error("counting stored reviews failed; a retry or the sweep completes it", {
            reviews: counted.map((r) => r._id),
            error: err,
          });
          throw err;
        });
      });
    } catch (err) {
      // Every submission the batch tried fails, a key sent twice with its first copy.
      const tried = new Set(fresh.map((d) => d._id));
      return docs.map((d) => (tried.has(d._id) ? { failed: err } : { replay: true }));
    }
  }
  if (stored.size) {
    wakeInsights(deps);
    // Their shops' hindsight sweep: queued once per interval from this process, the rest a map look-up.
    shopsReviewed(deps, new Set([...stored.values()].map((r) => r.shopId)));
  }
  return docs.map((d) => {
    const row = stored.get(d);
    return row ? { stored: row } : { replay: true };
  });
}

/** Inserts the rows in one command; says which were new (false: another process stored that key first). */
async function insertNew(deps: Deps, rows: readonly ReviewDoc[]): Promise<boolean[]> {
  try {
    // With the keys that its product's review pages are read by (review-pages.ts).
    await deps.models.Review.collection.insertMany(rows.map(withPageKeys) as never[], { ordered: false });
    return rows.map(() => true);
  } catch (err) {
    const taken = duplicateKeyFailures(err);
    if (!taken) throw err;
    return rows.map((_, i) => !taken.has(i));
  }
}

/**
 * A submission whose key was seen before: the same payload gets the first
 * review back, finishing whatever the first attempt did not (it may have died
 * between the insert and the counting); a different payload is refused.
 */
async function replay(
  deps: Deps,
  existing: ReviewDoc,
  payloadHash: string,
  byInvitation: boolean,
): Promise<{ review: Review; replayed: boolean }> {
  if (existing.payloadHash === ERASED_PAYLOAD) throw reviewErased();
  if (existing.payloadHash !== payloadHash && byInvitation) {
    throw new StarlingError("INVITATION_USED", "This invitation was already used for a review.", { field: "invitationToken" });
  }
  if (existing.payloadHash !== payloadHash) {
    throw new StarlingError(
      "IDEMPOTENCY_KEY_REUSED",
      "This idempotency key was already used for a different review; use a new key for a new review.",
      { field: "idempotencyKey" },
    );
  }
  // Both are no-ops unless the first attempt died before them.
  const score = await scoreStoredReview(deps, existing).catch((err: unknown) => {
    deps.log.error("scoring failed; the review counts at full weight until a re-score", { reviewId: existing._id, error: err });
    return null;
  });
  await syncReviewCount(deps, existing);
  const status = await statusAfterScoring(deps, existing, score);
  // Recorded again (one insert that finds them there): a replay leaves what the
  // first attempt promised. Only for a recent review: a retry comes soon, and
  // an old event, long since sent and pruned, is not announced a second time.
  if (deps.now().getTime() - existing.createdAt.getTime() < REPLAY_EVENTS_WINDOW_MS) {
    for (const e of reviewEvents({ ...existing, score })) await recordEvent(deps, e.id, e);
  }
  return { review: toReview({ ...existing, score, status }), replayed: true };
}

/** How long after a review was stored a replay of its key records its events again. */
export const REPLAY_EVENTS_WINDOW_MS = 3_600_000;

/**
 * The events of a review as it is stored: review.created, and review.published
 * when it is published at once (post-moderation). A copied text is
 * quarantined right after it is stored: created as quarantined, not published.
 */
function reviewEvents(row: ReviewDoc): { id: string; type: EventType; shopId: string; data: Record<string, unknown>; at: Date }[] {
  const status = isCopiedText(row.score) && (row.status === "published" || row.status === "pending") ? "quarantined" : row.status;
  const data = reviewEventData(row, status);
  const events: { id: string; type: EventType; shopId: string; data: Record<string, unknown>; at: Date }[] = [
    { id: `review.created:${row._id}`, type: "review.created", shopId: row.shopId, data, at: row.createdAt },
  ];
  if (status === "published")
    events.push({ id: `review.published:${row._id}`, type: "review.published", shopId: row.shopId, data, at: row.createdAt });
  return events;
}

/** A review's status once scored: scoring may have quarantined it (a copy of another author's text). */
async function statusAfterScoring(deps: Deps, review: ReviewDoc, score: StoredScore | null): Promise<ReviewDoc["status"]> {
  if (!isCopiedText(score)) return review.status;
  return (await deps.models.Review.findById(review._id, { status: 1 }).lean<ReviewDoc>())?.status ?? review.status;
}

// Review pages moved to review-pages.ts; re-exported for the modules that import them from here.
export {
  CACHED_PAGE_SIZE,
  MAX_PAGE_SIZE,
  MAX_REVIEW_IDS,
  countReviews,
  listReviews,
  type ReviewOrder,
  type ReviewPage,
} from "./review-pages.js";

function sha256(s: string): string {
  return createHash("sha256").update(s).digest("hex");
}
