import { collectionSchema, nullable, required, shopProductOwned } from "../../db/schema-options.js";

/** An invitation to review one product of one order line: single use, expires. */
export interface InvitationDoc {
  _id: string;
  shopId: string;
  productId: string;
  orderRef: string;
  /** For the shop's own mailer; never returned by the API. */
  customerEmail: string | null;
  createdAt: Date;
  expiresAt: Date;
  usedAt: Date | null;
  reviewId: string | null;
}

const invitationSchema = collectionSchema<InvitationDoc>("invitations", {
  ...shopProductOwned,
  orderRef: required(String),
  customerEmail: nullable(String),
  createdAt: required(Date),
  expiresAt: required(Date),
  usedAt: nullable(Date),
  reviewId: nullable(String),
});
// The shop's invitations newest first, by keyset (db/time-cursor.ts).
invitationSchema.index({ shopId: 1, createdAt: -1, _id: -1 }, { name: "shop_created_id" });
// One invitation per order line and product, so one VERIFIED_PURCHASE review:
// an insert is atomic on every backend (FerretDB too, MONGODB.md §2.4), so
// this holds across API processes.
invitationSchema.index({ shopId: 1, productId: 1, orderRef: 1 }, { name: "shop_product_order", unique: true });

/** Its models by name (features/models.ts binds every feature's to a connection). */
export const invitationsSchemas = { Invitation: invitationSchema };
