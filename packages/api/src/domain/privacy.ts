/**
 * A reviewer's right of access and to erasure (GDPR arts. 15 and 17): a shop
 * finds everything Starling holds about one of its customers by the
 * customer's id or email, exports it, and erases it. Erasure either keeps the
 * review's text and stars without anything that identifies the reviewer
 * (anonymise), or removes the reviews entirely (delete), as the shop chooses.
 */
import { randomBytes } from "node:crypto";
import type { InvitationDoc, ReviewDoc } from "../db/models.js";
import { invalidInput } from "../errors.js";
import { reviewsChanged, type Deps } from "./deps.js";
import { syncReviewCount } from "./ratings.js";
import { identifier } from "./validate.js";

export interface ReviewerRef {
  externalId?: string | null;
  email?: string | null;
}

/** The name shown on an anonymised review. */
export const ANONYMOUS_NAME = "Former customer";

function reviewerFilter(shopId: string, who: ReviewerRef): Record<string, unknown> {
  const or: Record<string, unknown>[] = [];
  if (who.externalId != null) or.push({ "reviewer.externalId": identifier("externalId", who.externalId) });
  if (who.email != null) {
    if (typeof who.email !== "string" || who.email.length > 320) throw invalidInput("email", "must be an email address");
    or.push({ "reviewer.email": who.email });
  }
  if (!or.length) throw invalidInput("reviewer", "give the customer's externalId or email (a name is not enough to identify anyone)");
  return { shopId, $or: or };
}

export interface ReviewerExport {
  readonly reviews: ReviewDoc[];
  readonly invitations: InvitationDoc[];
}

export async function exportReviewerData(deps: Deps, shopId: string, who: ReviewerRef): Promise<ReviewerExport> {
  const reviews = await deps.models.Review.find(reviewerFilter(shopId, who)).sort({ createdAt: 1 }).lean<ReviewDoc[]>();
  const invitations =
    who.email != null
      ? await deps.models.Invitation.find({ shopId, customerEmail: who.email }).sort({ createdAt: 1 }).lean<InvitationDoc[]>()
      : [];
  return { reviews, invitations };
}

export async function eraseReviewerData(
  deps: Deps,
  shopId: string,
  actor: string,
  who: ReviewerRef,
  mode: "anonymise" | "delete",
): Promise<{ reviews: number; invitations: number }> {
  const reviews = await deps.models.Review.find(reviewerFilter(shopId, who), { _id: 1, status: 1, shopId: 1, productId: 1 }).lean<ReviewDoc[]>();
  for (const r of reviews) {
    if (mode === "anonymise") {
      await deps.models.Review.updateOne(
        { _id: r._id },
        { $set: { "reviewer.name": ANONYMOUS_NAME, "reviewer.externalId": null, "reviewer.email": null } },
      );
    } else {
      // Out of the rating first (the counts move under the product lock), then gone.
      await deps.models.Review.updateOne({ _id: r._id }, { $set: { status: "rejected" } });
      await syncReviewCount(deps, r);
      await deps.models.Review.deleteOne({ _id: r._id });
    }
    reviewsChanged(deps, r);
    // The log keeps that it happened, never whose data it was.
    await deps.models.ModerationEvent.collection.insertOne({
      _id: `mod_${randomBytes(12).toString("base64url")}`,
      shopId,
      reviewId: r._id,
      action: "erase",
      fromStatus: r.status,
      toStatus: mode === "anonymise" ? r.status : null,
      reason: null,
      note: mode === "anonymise" ? "reviewer data erased; review kept anonymously" : "review deleted at the reviewer's request",
      actor,
      at: deps.now(),
    } as never);
  }
  const invitations =
    who.email != null
      ? (await deps.models.Invitation.updateMany({ shopId, customerEmail: who.email }, { $set: { customerEmail: null } })).modifiedCount
      : 0;
  return { reviews: reviews.length, invitations };
}
