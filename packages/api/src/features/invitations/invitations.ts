/**
 * Verified purchases: the shop invites the buyer of an order line to review
 * that product. The invitation travels as a token signed with the shop's own
 * secret (HMAC-SHA256), so a forged or altered token is refused before any
 * lookup; it is single-use, bound to one product, and expires.
 */
import { createHmac, randomBytes, timingSafeEqual } from "node:crypto";
import type { InvitationDoc } from "./model.js";
import type { ShopDoc } from "../shops/model.js";
import { StarlingError, invalidInput, isDuplicateKey } from "../../errors.js";
import type { Deps } from "../deps.js";
import { productKey } from "../products/products.js";
import { identifier } from "../validate.js";
import { decodeTimeCursor, encodeTimeCursor, olderThan } from "../../db/time-cursor.js";

export interface Invitation {
  readonly id: string;
  readonly productId: string;
  readonly orderRef: string;
  readonly createdAt: Date;
  readonly expiresAt: Date;
  readonly usedAt: Date | null;
  readonly reviewId: string | null;
}

const EMAIL = /^[^\s@]{1,64}@[^\s@]{1,255}\.[^\s@]{2,63}$/;

function toInvitation({ _id, productId, orderRef, createdAt, expiresAt, usedAt, reviewId }: InvitationDoc): Invitation {
  return { id: _id, productId, orderRef, createdAt, expiresAt, usedAt: usedAt ?? null, reviewId: reviewId ?? null };
}

/** The shop's signing secret, made on first use (shops created before invitations existed have none). */
async function shopSecret(deps: Deps, shopId: string): Promise<Buffer> {
  let shop = await deps.models.Shop.findById(shopId, { inviteSecret: 1 }).lean<ShopDoc>();
  if (!shop?.inviteSecret) {
    await deps.models.Shop.updateOne(
      { _id: shopId, inviteSecret: null },
      { $set: { inviteSecret: randomBytes(32).toString("base64url") } },
    );
    shop = await deps.models.Shop.findById(shopId, { inviteSecret: 1 }).lean<ShopDoc>();
  }
  return Buffer.from(shop!.inviteSecret!, "base64url");
}

function sign(secret: Buffer, payload: string): string {
  return createHmac("sha256", secret).update(payload).digest("base64url");
}

/**
 * Invites the buyer of one order line to review its product. An order line
 * gets one invitation, so at most one VERIFIED_PURCHASE review: asking again
 * for the same (product, orderRef) returns the first invitation and its token,
 * as it stands (used or not, with its own expiry and email), so a mailer that
 * retries sends the same link. A unique index decides, across API processes.
 */
export async function createInvitation(
  deps: Deps,
  shopId: string,
  input: { productId: string; orderRef: string; customerEmail?: string | null; expiresInDays?: number | null },
): Promise<{ invitation: Invitation; token: string; existing: boolean }> {
  const productId = identifier("productId", input.productId);
  const orderRef = identifier("orderRef", input.orderRef);
  const days = input.expiresInDays ?? 30;
  if (!Number.isInteger(days) || days < 1 || days > 365) throw invalidInput("expiresInDays", "must be a whole number from 1 to 365");
  const email = input.customerEmail ?? null;
  if (email !== null && !EMAIL.test(email)) throw invalidInput("customerEmail", "must be an email address");
  if (!(await deps.models.Product.exists({ _id: productKey(shopId, productId) }))) {
    throw new StarlingError("PRODUCT_NOT_FOUND", `This shop has no product "${productId}".`, { field: "productId" });
  }
  const now = deps.now();
  let doc: InvitationDoc = {
    _id: `inv_${randomBytes(12).toString("base64url")}`,
    shopId,
    productId,
    orderRef,
    customerEmail: email,
    createdAt: now,
    expiresAt: new Date(now.getTime() + days * 86_400_000),
    usedAt: null,
    reviewId: null,
  };
  let existing = false;
  try {
    await deps.models.Invitation.collection.insertOne(doc as never);
  } catch (err) {
    if (!isDuplicateKey(err)) throw err;
    // FerretDB names no index in the error: read back which line it was.
    const first = await deps.models.Invitation.findOne({ shopId, productId, orderRef }).lean<InvitationDoc>();
    if (!first) throw err;
    doc = first;
    existing = true;
  }
  return { invitation: toInvitation(doc), token: await tokenOf(deps, doc), existing };
}

/** The invitation's token: its claims, signed with the shop's secret (the same every time it is asked for). */
async function tokenOf(deps: Deps, doc: InvitationDoc): Promise<string> {
  const payload = Buffer.from(
    JSON.stringify({ v: 1, i: doc._id, s: doc.shopId, p: doc.productId, e: Math.floor(doc.expiresAt.getTime() / 1000) }),
  ).toString("base64url");
  return `${payload}.${sign(await shopSecret(deps, doc.shopId), payload)}`;
}

const invalid = (why: string) =>
  new StarlingError("INVALID_INVITATION", `This invitation link is not valid: ${why}.`, { field: "invitationToken" });

/**
 * Checks a token for a review of `productId` in `shopId` and returns its
 * invitation. It does not use it up: `claimInvitation` does, atomically. Nor
 * does it check the expiry: a retry of a review stored before the invitation
 * expired is a replay (see `refuseExpired`).
 */
export async function verifyInvitation(deps: Deps, shopId: string, productId: string, token: string): Promise<InvitationDoc> {
  const [payload, signature, ...rest] = token.split(".");
  if (!payload || !signature || rest.length) throw invalid("it is malformed");
  const expected = Buffer.from(sign(await shopSecret(deps, shopId), payload));
  const given = Buffer.from(signature);
  if (expected.length !== given.length || !timingSafeEqual(expected, given)) throw invalid("its signature does not match");
  let claims: { i?: unknown; s?: unknown; p?: unknown };
  try {
    claims = JSON.parse(Buffer.from(payload, "base64url").toString("utf8"));
  } catch {
    throw invalid("it is malformed");
  }
  if (claims.s !== shopId) throw invalid("it belongs to another shop");
  if (claims.p !== productId) throw invalid(`it is for another product ("${String(claims.p)}")`);
  const doc = await deps.models.Invitation.findOne({ _id: String(claims.i), shopId }).lean<InvitationDoc>();
  if (!doc) throw invalid("it no longer exists");
  return doc;
}

/** INVITATION_EXPIRED once the invitation's time is up, for a new review. */
export function refuseExpired(deps: Deps, doc: InvitationDoc): void {
  if (doc.expiresAt.getTime() <= deps.now().getTime()) {
    throw new StarlingError("INVITATION_EXPIRED", `This invitation expired on ${doc.expiresAt.toISOString().slice(0, 10)}.`, {
      field: "invitationToken",
    });
  }
}

/**
 * Uses the invitation up for `reviewId`. Succeeds again for the same review (a
 * retry of a submission whose answer was lost), never for another one.
 * Serialized per invitation in this process, since FerretDB's conditional
 * update is not atomic across concurrent requests (MONGODB.md §2.4).
 */
export async function claimInvitation(deps: Deps, invitation: InvitationDoc, reviewId: string): Promise<void> {
  await deps.summaryLock.run(`invitation:${invitation._id}`, async () => {
    const claimed = await deps.models.Invitation.updateOne(
      { _id: invitation._id, usedAt: null },
      { $set: { usedAt: deps.now(), reviewId } },
    );
    if (claimed.modifiedCount === 1) return;
    const now = await deps.models.Invitation.findById(invitation._id).lean<InvitationDoc>();
    if (now?.reviewId !== reviewId) {
      throw new StarlingError("INVITATION_USED", "This invitation was already used for a review.", { field: "invitationToken" });
    }
  });
}

/** The shop's invitations, newest first, a page at a time: `after` is an invitation's cursor (invitationCursor). */
export async function listInvitations(deps: Deps, shopId: string, first: number, after?: string | null): Promise<Invitation[]> {
  const query = after ? { $and: [{ shopId }, olderThan("createdAt", decodeTimeCursor("invitations", after))] } : { shopId };
  const docs = await deps.models.Invitation.find(query).sort({ createdAt: -1, _id: -1 }).limit(first).lean<InvitationDoc[]>();
  return docs.map(toInvitation);
}

/** The cursor to pass as `after` for the invitations older than this one. */
export function invitationCursor(invitation: Pick<Invitation, "id" | "createdAt">): string {
  return encodeTimeCursor("invitations", invitation.createdAt, invitation.id);
}
