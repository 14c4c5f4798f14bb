import { collectionSchema, nullable, required, shopProductOwned } from "../../db/schema-options.js";

export interface ProductDoc {
  _id: string;
  shopId: string;
  productId: string;
  name: string;
  createdAt: Date;
  /** What Google's review feed identifies the product by (putProduct); absent until set. */
  gtin?: string | null;
  mpn?: string | null;
  sku?: string | null;
  brand?: string | null;
  /** The product's page on the shop's site: required for the product to appear in the review feed. */
  url?: string | null;
  /** Last putProduct: part of the review feed's ETag (features/feed). */
  updatedAt?: Date;
}

/** `_id` is `<shopId>:<productId>`: product ids are the shop's own (SKUs), unique per shop only. */
const productSchema = collectionSchema<ProductDoc>("products", {
  ...shopProductOwned,
  name: required(String),
  createdAt: required(Date),
  gtin: nullable(String),
  mpn: nullable(String),
  sku: nullable(String),
  brand: nullable(String),
  url: nullable(String),
  updatedAt: { type: Date },
});
productSchema.index({ shopId: 1, productId: 1 }, { name: "shop_product", unique: true });
// The review feed's ETag reads the shop's last product change (features/feed).
productSchema.index({ shopId: 1, updatedAt: -1 }, { name: "shop_updated" });

/** Its models by name (features/models.ts binds every feature's to a connection). */
export const productsSchemas = { Product: productSchema };
