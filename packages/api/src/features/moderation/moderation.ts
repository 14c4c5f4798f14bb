/**
 * Moderation: a shop publishes, rejects (for a reason from a fixed list),
 * reinstates on appeal, and replies publicly. Every action goes to an audit log
 * that is never edited. There is deliberately no way to hide a review for its
 * rating: suppressing negative reviews is itself deceptive (the US FTC's 2024
 * rule on fake reviews; EU consumer law), so the reasons say what is wrong
 * with the content, and the publication report lets a shop prove it does not
 * gate by stars.
 */
import { countQuietly, countStatusMoves } from "../dashboard/counters.js";
import { randomBytes } from "node:crypto";
import type { ModerationEventDoc } from "./model.js";
import type { ReviewDoc, ReviewStatus } from "../reviews/model.js";
import type { ShopDoc } from "../shops/model.js";
import { StarlingError, invalidInput } from "../../errors.js";
import { reviewsChanged, type Deps } from "../deps.js";
import { syncReviewCount } from "../ratings/ratings.js";
import { reviewEventData, toReview, type Review } from "../reviews/review.js";
import { recordEvent } from "../events/events.js";
import { optionalText, text } from "../validate.js";
import { decodeTimeCursor, encodeTimeCursor, olderThan } from "../../db/time-cursor.js";

export const REJECTION_REASONS = {
  SPAM: "spam, advertising or links to other sites",
  FAKE: "not written by a real customer (e.g. paid, incentivised without disclosure, or by the shop's staff)",
  OFFENSIVE: "abusive, hateful or obscene content",
  PERSONAL_DATA: "personal data of the reviewer or of others",
  NOT_ABOUT_PRODUCT: "not about the product (e.g. only about delivery by a third party, or about another product)",
  DUPLICATE: "the same review posted again",
  ILLEGAL: "content that is unlawful to publish",
} as const;
export type RejectionReason = keyof typeof REJECTION_REASONS;

export type ModerationAction = "PUBLISH" | "REJECT";

/** Where each action may start from. */
const FROM: Record<"publish" | "reject" | "reinstate", readonly ReviewStatus[]> = {
  publish: ["pending"],
  reject: ["published", "pending", "quarantined"],
  reinstate: ["rejected", "quarantined"],
};

export interface ModerationEvent {
  readonly id: string;
  readonly reviewId: string;
  readonly action: ModerationEventDoc["action"];
  readonly fromStatus: ReviewStatus | null;
  readonly toStatus: ReviewStatus | null;
  readonly reason: string | null;
  readonly note: string | null;
  readonly actor: string;
  readonly at: Date;
}

async function loadReview(deps: Deps, shopId: string, reviewId: string): Promise<ReviewDoc> {
  const doc = await deps.models.Review.findOne({ _id: reviewId, shopId }).lean<ReviewDoc>();
  if (!doc) throw new StarlingError("NOT_FOUND", `This shop has no review "${reviewId}".`, { field: "reviewId" });
  return doc;
}

const newModerationId = () => `mod_${randomBytes(12).toString("base64url")}`;

async function log(deps: Deps, event: Omit<ModerationEventDoc, "_id" | "at">, id: string = newModerationId()): Promise<void> {
  await deps.models.ModerationEvent.collection.insertOne({
    _id: id,
    ...event,
    at: deps.now(),
  } as never);
}

/**
 * Moves a review from one status to another, if it is still in `from` (a
 * conditional update, so two moderators cannot both act on the old state),
 * logs it, and brings the rating in line.
 */
async function transition(
  deps: Deps,
  shopId: string,
  actor: string,
  input: {
    reviewId: string;
    action: "publish" | "reject" | "reinstate" | "quarantine";
    to: ReviewStatus;
    reason: string | null;
    note: string | null;
  },
): Promise<Review> {
  const doc = await loadReview(deps, shopId, input.reviewId);
  const allowed = input.action === "quarantine" ? (["published", "pending"] as const) : FROM[input.action];
  if (!(allowed as readonly string[]).includes(doc.status)) {
    throw new StarlingError(
      "INVALID_TRANSITION",
      `A ${doc.status} review cannot be ${input.action === "reinstate" ? "reinstated" : `${input.action}ed`}; that needs one that is ${allowed.join(" or ")}.`,
      { field: "reviewId", status: doc.status.toUpperCase() },
    );
  }
  const moderationId = newModerationId();
  // The event first, named by this action's log entry: the fan-out sends it
  // once that entry exists (written right after the move), and drops it if
  // the move below loses to another moderator.
  const type = input.to === "published" ? "review.published" : input.action === "reject" ? "review.rejected" : null;
  if (type) {
    await recordEvent(deps, `${type}:${doc._id}:${moderationId}`, {
      type,
      shopId,
      data: { ...reviewEventData(doc, input.to), moderationId, ...(input.reason ? { reason: input.reason } : {}) },
    });
  }
  const moved = await deps.models.Review.updateOne({ _id: doc._id, status: doc.status }, { $set: { status: input.to } });
  if (moved.modifiedCount !== 1) {
    throw new StarlingError("INVALID_TRANSITION", "The review changed while you acted on it; read it again.", { field: "reviewId" });
  }
  reviewsChanged(deps, doc);
  await countQuietly(deps, countStatusMoves(deps, [{ review: doc, from: doc.status, to: input.to }]));
  await log(
    deps,
    {
      shopId,
      reviewId: doc._id,
      action: input.action,
      fromStatus: doc.status,
      toStatus: input.to,
      reason: input.reason,
      note: input.note,
      actor,
    },
    moderationId,
  );
  await syncReviewCount(deps, doc);
  return toReview({ ...doc, status: input.to });
}

export async function moderateReview(
  deps: Deps,
  shopId: string,
  actor: string,
  input: { reviewId: string; action: ModerationAction; reason?: string | null; note?: string | null },
): Promise<Review> {
  const note = optionalText("note", input.note, { max: 1000 });
  if (input.action === "PUBLISH") {
    if (input.reason != null) throw invalidInput("reason", "publishing needs no reason");
    return transition(deps, shopId, actor, { reviewId: input.reviewId, action: "publish", to: "published", reason: null, note });
  }
  if (input.reason == null || !(input.reason in REJECTION_REASONS)) {
    throw invalidInput("reason", `rejecting needs one of the reasons ${Object.keys(REJECTION_REASONS).join(", ")}`);
  }
  return transition(deps, shopId, actor, { reviewId: input.reviewId, action: "reject", to: "rejected", reason: input.reason, note });
}

/** Puts a rejected or quarantined review back, on appeal; the note records why. */
export async function reinstateReview(
  deps: Deps,
  shopId: string,
  actor: string,
  input: { reviewId: string; note: string },
): Promise<Review> {
  const note = text("note", input.note, { max: 1000 });
  return transition(deps, shopId, actor, { reviewId: input.reviewId, action: "reinstate", to: "published", reason: null, note });
}

/** Holds a review back with the reasons it was flagged (by fraud scoring), without deleting it. */
export async function quarantineReview(deps: Deps, shopId: string, input: { reviewId: string; reasons: string }): Promise<Review> {
  return transition(deps, shopId, "starling", {
    reviewId: input.reviewId,
    action: "quarantine",
    to: "quarantined",
    reason: "FLAGGED",
    note: input.reasons,
  });
}

/** Sets (or replaces) the shop's public reply under a review. */
export async function replyToReview(deps: Deps, shopId: string, actor: string, input: { reviewId: string; body: string }): Promise<Review> {
  const body = text("body", input.body, { max: 5000 });
  const doc = await loadReview(deps, shopId, input.reviewId);
  const reply = { body, at: deps.now() };
  await deps.models.Review.updateOne({ _id: doc._id }, { $set: { reply } });
  reviewsChanged(deps, doc);
  await log(deps, {
    shopId,
    reviewId: doc._id,
    action: "reply",
    fromStatus: doc.status,
    toStatus: doc.status,
    reason: null,
    note: body,
    actor,
  });
  return toReview({ ...doc, reply });
}

export async function setModerationMode(deps: Deps, shopId: string, actor: string, mode: "post" | "pre"): Promise<void> {
  const shop = await deps.models.Shop.findById(shopId).lean<ShopDoc>();
  if (!shop || shop.moderation === mode) return;
  await deps.models.Shop.updateOne({ _id: shopId }, { $set: { moderation: mode } });
  deps.cache.shops.delete(shopId);
  await log(deps, {
    shopId,
    reviewId: "-",
    action: "settings",
    fromStatus: null,
    toStatus: null,
    reason: null,
    note: `moderation: ${shop.moderation} → ${mode}`,
    actor,
  });
}

/** The moderation log, newest first, a page at a time: `after` is an entry's cursor (moderationLogCursor). */
export async function moderationLog(
  deps: Deps,
  shopId: string,
  opts: { reviewId?: string | null; first: number; after?: string | null },
): Promise<ModerationEvent[]> {
  const filter: Record<string, unknown> = { shopId };
  if (opts.reviewId) filter.reviewId = opts.reviewId;
  const query = opts.after ? { $and: [filter, olderThan("at", decodeTimeCursor("moderationLog", opts.after))] } : filter;
  const docs = await deps.models.ModerationEvent.find(query).sort({ at: -1, _id: -1 }).limit(opts.first).lean<ModerationEventDoc[]>();
  return docs.map(({ _id, shopId: _shop, ...rest }) => ({ id: _id, ...rest }));
}

export interface PublicationRow {
  readonly stars: number;
  readonly received: number;
  readonly published: number;
  readonly pending: number;
  readonly rejected: number;
  readonly quarantined: number;
}

/** Per star level: how many reviews came in and where they stand. One `$group`; a report, not a hot path. */
export async function publicationReport(deps: Deps, shopId: string): Promise<PublicationRow[]> {
  const groups = await deps.models.Review.aggregate<{ _id: { rating: number; status: ReviewStatus }; n: number }>([
    { $match: { shopId } },
    { $group: { _id: { rating: "$rating", status: "$status" }, n: { $sum: 1 } } },
  ]);
  return [5, 4, 3, 2, 1].map((stars) => {
    const row = { stars, received: 0, published: 0, pending: 0, rejected: 0, quarantined: 0 };
    for (const g of groups) {
      if (g._id.rating !== stars) continue;
      row.received += g.n;
      row[g._id.status] += g.n;
    }
    return row;
  });
}

/** The cursor to pass as `after` for the entries older than this one. */
export function moderationLogCursor(event: Pick<ModerationEvent, "at" | "id">): string {
  return encodeTimeCursor("moderationLog", event.at, event.id);
}
