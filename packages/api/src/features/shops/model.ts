import { required, nullable, collectionSchema } from "../../db/schema-options.js";

export interface ShopDoc {
  _id: string;
  name: string;
  createdAt: Date;
  /** "post": reviews publish at once and may be removed later; "pre": they wait for approval. */
  moderation: "post" | "pre";
  /** Signs invitation tokens (HMAC); never leaves the server. */
  inviteSecret: string | null;
  /** Browser origins (https://shop.example) from which the shop's secret keys may be used; none by default. */
  allowedOrigins?: string[];
  /**
   * Every review of the shop has its shop key (`pageShopNewest`): set at
   * creation, and for a shop of an older Starling once keyShopReviews has
   * keyed its reviews (features/reviews/review-pages.ts).
   */
  reviewsShopKeyed?: boolean;
}

export interface ApiKeyDoc {
  /** SHA-256 of the key. */
  _id: string;
  /** The key's public id, for listing, rotating and revoking it. */
  keyId: string;
  shopId: string;
  kind: "publishable" | "secret";
  scopes: string[];
  label: string | null;
  prefix: string;
  createdAt: Date;
  revokedAt: Date | null;
}

const shopSchema = collectionSchema<ShopDoc>("shops", {
  _id: required(String),
  name: required(String),
  createdAt: required(Date),
  moderation: { type: String, required: true, enum: ["post", "pre"], default: "post" },
  inviteSecret: nullable(String),
  allowedOrigins: { type: [String], default: undefined },
  reviewsShopKeyed: { type: Boolean },
});

/** A secret key is kept only as its SHA-256, keyed by that hash so authentication is one `_id` lookup. */
const apiKeySchema = collectionSchema<ApiKeyDoc>("api_keys", {
  _id: required(String),
  keyId: required(String),
  shopId: required(String),
  kind: { type: String, required: true, enum: ["publishable", "secret"] },
  scopes: required([String]),
  label: nullable(String),
  /** The key's first characters, to tell keys apart in a list without revealing them. */
  prefix: required(String),
  createdAt: required(Date),
  revokedAt: nullable(Date),
});
apiKeySchema.index({ keyId: 1 }, { name: "key_id", unique: true });
apiKeySchema.index({ shopId: 1, createdAt: 1 }, { name: "shop_created" });

/** Its models by name (features/models.ts binds every feature's to a connection). */
export const shopsSchemas = { Shop: shopSchema, ApiKey: apiKeySchema };
