/**
 * Google's product review feed (Product Reviews feed specification, version
 * 2.3; schema in shared/reference/google-product-reviews.xsd): every
 * published review of a shop, written as it is read.
 *
 * Streamed with keyset cursors, never a whole shop in memory: the shop's
 * products in `_id` order (`<shopId>:<productId>`, a range on `_id`), and for
 * each product its reviews by the `pageNewest` key the review pages use (a
 * range per product, which the embedded FerretDB answers from its index), in
 * batches of FEED_BATCH. Each batch is written before the next is read; the
 * writer's promise carries the client's backpressure, so a slow reader slows
 * the reads instead of filling memory.
 *
 * What goes in and what does not:
 * - only reviews with status "published" (held-back, pending and removed
 *   reviews never appear), of products that have a `url`: Google requires a
 *   product URL, and a product without one is left out (an XML comment at the
 *   end says how many);
 * - the reviewer's display name, as the public API and the widget show it;
 *   never the customer id, the e-mail or anything the shop's own systems know
 *   about the person (no `reviewer_id`: it would link one person's reviews);
 * - reviews deleted at their reviewer's request, as `deleted_reviews`, so that
 *   Google drops its copy too (the ids are hashes with no personal data); an
 *   anonymised review stays, under "Former customer".
 */
import { createHash } from "node:crypto";
import type { ErasedReviewDoc } from "../privacy/model.js";
import type { ModerationEventDoc } from "../moderation/model.js";
import type { ProductDoc } from "../products/model.js";
import type { RatingSummaryDoc } from "../ratings/model.js";
import type { ReviewDoc } from "../reviews/model.js";
import type { ShopDoc } from "../shops/model.js";
import { StarlingError } from "../../errors.js";
import { findByIds } from "../../db/find-by-ids.js";
import type { Deps } from "../deps.js";
import { shopSummaryId } from "../ratings/ratings.js";
import { shopReviewsByProduct } from "./shop-reviews.js";

export const FEED_VERSION = "2.3";
/** Reviews (and products) read per query. */
export const FEED_BATCH = 500;
/**
 * Bumped when what the feed writes for the same data changes: it is part of
 * the ETag, so caches let go of feeds written by an older Starling.
 */
const FEED_FORMAT = "1";

// Characters XML 1.0 cannot carry at all, even escaped (§2.2): C0 controls
// other than tab, newline and carriage return, lone surrogates, U+FFFE and
// U+FFFF. Input validation refuses most of them, but not every one (U+FFFE),
// and data imported or stored by an older version may hold any: each becomes
// U+FFFD, so one bad review cannot make the whole feed unreadable.
const NOT_XML =
  /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

const ENTITIES: Record<string, string> = { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&apos;", "\r": "&#13;" };

/**
 * Text for an element's content or an attribute's value. `>` is escaped too,
 * so `]]>` cannot appear; a carriage return is written as a reference, which a
 * parser keeps (a literal one would be turned into a newline).
 */
export function xmlText(value: string): string {
  return value.replace(NOT_XML, "\uFFFD").replace(/[&<>"'\r]/g, (c) => ENTITIES[c]!);
}

/** The schema's nonEmptyStringType: at least one character other than XML's four whitespace characters. */
const hasContent = (s: string) => /[^\x20\t\n\r]/.test(s);

/** Google's collection_method, from how the review reached Starling (none for imports: not known). */
function collectionMethod(provenance: ReviewDoc["provenance"]): string | null {
  if (provenance === "VERIFIED_PURCHASE" || provenance === "INVITED") return "post_fulfillment";
  if (provenance === "ORGANIC") return "unsolicited";
  return null;
}

type FeedReview = Pick<ReviewDoc, "_id" | "rating" | "title" | "body" | "reviewer" | "createdAt" | "provenance"> & { pageNewest: string };

function productXml(p: ProductDoc): string {
  const list = (outer: string, inner: string, v: string | null | undefined) =>
    v && hasContent(v) ? `<${outer}><${inner}>${xmlText(v)}</${inner}></${outer}>` : "";
  const ids = list("gtins", "gtin", p.gtin) + list("mpns", "mpn", p.mpn) + list("skus", "sku", p.sku) + list("brands", "brand", p.brand);
  return (
    "<products><product>" +
    (ids ? `<product_ids>${ids}</product_ids>` : "") +
    `<product_name>${xmlText(p.name)}</product_name>` +
    `<product_url>${xmlText(p.url!)}</product_url>` +
    "</product></products>"
  );
}

function reviewXml(r: FeedReview, product: ProductDoc, productPart: string): string {
  const method = collectionMethod(r.provenance);
  const name = r.reviewer?.name && hasContent(r.reviewer.name) ? r.reviewer.name : null;
  const body = hasContent(r.body ?? "") ? r.body : "\uFFFD";
  return (
    "<review>" +
    `<review_id>${xmlText(r._id)}</review_id>` +
    // An anonymised review (erasure) keeps no name: Google's way to say so.
    (name ? `<reviewer><name>${xmlText(name)}</name></reviewer>` : '<reviewer><name is_anonymous="true">Anonymous</name></reviewer>') +
    `<review_timestamp>${r.createdAt.toISOString()}</review_timestamp>` +
    (r.title && hasContent(r.title) ? `<title>${xmlText(r.title)}</title>` : "") +
    `<content>${xmlText(body)}</content>` +
    // The product's page shows its reviews: a "group" page.
    `<review_url type="group">${xmlText(product.url!)}</review_url>` +
    `<ratings><overall min="1" max="5">${r.rating}</overall></ratings>` +
    productPart +
    (method ? `<collection_method>${method}</collection_method>` : "") +
    "</review>\n"
  );
}

/** The shop, or NOT_FOUND (the same answer for a shop that does not exist and one you may not see: all are public). */
export async function feedShop(deps: Deps, shopId: string): Promise<ShopDoc> {
  const shop = typeof shopId === "string" && shopId.length <= 200 ? await deps.models.Shop.findById(shopId).lean<ShopDoc>() : null;
  if (!shop) throw new StarlingError("NOT_FOUND", "No such shop.");
  return shop;
}

/**
 * The feed's ETag, from what changes it, read before the feed (a few small
 * queries, not a pass over the reviews), so a 304 costs no feed:
 * - the shop summary (count, sum and histogram of published reviews): moves
 *   with every review that enters or leaves "published", imports included;
 * - the shop's newest moderation event: every status change, reply and
 *   erasure writes one, so two changes that leave the counts as they were
 *   (one review published, another of the same stars removed) still differ;
 * - the shop's last product change (putProduct sets `updatedAt`), the
 *   shop's name, and the format.
 * Read before the reviews, it can only be older than the body it tags: a
 * change made while the feed streams changes the next request's ETag.
 */
export async function feedEtag(deps: Deps, shop: ShopDoc): Promise<string> {
  const [summary, event, product, erased] = await Promise.all([
    deps.models.RatingSummary.findById(shopSummaryId(shop._id)).lean<RatingSummaryDoc>(),
    deps.models.ModerationEvent.findOne({ shopId: shop._id }, { _id: 1, at: 1 }).sort({ at: -1, _id: -1 }).lean<ModerationEventDoc>(),
    deps.models.Product.findOne({ shopId: shop._id }, { _id: 1, updatedAt: 1 }).sort({ updatedAt: -1 }).lean<ProductDoc>(),
    deps.models.ErasedReview.countDocuments({ shopId: shop._id }),
  ]);
  const parts = [
    FEED_FORMAT,
    shop.name,
    summary ? [summary.count, summary.ratingSum, summary.h1, summary.h2, summary.h3, summary.h4, summary.h5].join(",") : "-",
    event ? `${event._id}@${event.at.toISOString()}` : "-",
    product ? `${product._id}@${product.updatedAt?.toISOString() ?? "-"}` : "-",
    String(erased),
  ];
  return `"${createHash("sha256").update(parts.join("\u0000")).digest("base64url").slice(0, 32)}"`;
}

/** What was written: reviews, products left out for want of a URL, erased reviews listed. */
export interface FeedStats {
  reviews: number;
  productsWithoutUrl: number;
  deleted: number;
}

/**
 * Writes the whole feed through `write`, which resolves when the chunk may be
 * followed by the next (the HTTP response's drain) and rejects when the
 * client has gone, which ends the reads. Throws if a read fails: the caller
 * then cuts the response off, so a client never takes half a feed for a whole one.
 */
export async function writeGoogleReviewFeed(
  deps: Deps,
  shop: ShopDoc,
  write: (chunk: string) => Promise<void>,
  opts: { batch?: number } = {},
): Promise<FeedStats> {
  const batch = opts.batch ?? FEED_BATCH;
  const stats: FeedStats = { reviews: 0, productsWithoutUrl: 0, deleted: 0 };
  await write(
    '<?xml version="1.0" encoding="UTF-8"?>\n' +
      '<feed xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xsi:noNamespaceSchemaLocation="http://www.google.com/shopping/reviews/schema/product/2.3/product_reviews.xsd">\n' +
      `<version>${FEED_VERSION}</version>\n` +
      "<aggregator><name>Starling</name></aggregator>\n" +
      `<publisher><name>${xmlText(hasContent(shop.name) ? shop.name : shop._id)}</name></publisher>\n`,
  );
  let opened = false;
  const runs = shopReviewsByProduct<ProductDoc, FeedReview>(deps, shop._id, {
    reviewFields: { _id: 1, rating: 1, title: 1, body: 1, "reviewer.name": 1, createdAt: 1, provenance: 1, pageNewest: 1 },
    status: "published",
    batch,
    skip: (product) => {
      if (product.url) return false;
      stats.productsWithoutUrl++;
      return true;
    },
  });
  for await (const { product, reviews } of runs) {
    const productPart = productXml(product);
    let chunk = opened ? "" : "<reviews>\n";
    opened = true;
    for (const r of reviews) chunk += reviewXml(r, product, productPart);
    stats.reviews += reviews.length;
    await write(chunk);
  }
  if (opened) await write("</reviews>\n");
  // Erased reviews: Google keeps what it fetched until told to drop it.
  let afterErased = "";
  let deletedOpened = false;
  while (true) {
    const erased = await deps.models.ErasedReview.find({ shopId: shop._id, _id: { $gt: afterErased } }, { _id: 1 })
      .sort({ _id: 1 })
      .limit(batch)
      .lean<ErasedReviewDoc[]>();
    if (!erased.length) break;
    afterErased = erased.at(-1)!._id;
    // An anonymised review has a tombstone too (a retry must not store it again) but is still
    // published, without its name: it stays in <reviews>, not here.
    const kept = new Set(
      (
        await findByIds(
          deps.models.Review,
          erased.map((e) => e._id),
        )
      ).map((r) => r._id),
    );
    const gone = erased.filter((e) => !kept.has(e._id));
    if (gone.length) {
      let chunk = deletedOpened ? "" : "<deleted_reviews>\n";
      deletedOpened = true;
      for (const e of gone) chunk += `<review_id>${xmlText(e._id)}</review_id>\n`;
      stats.deleted += gone.length;
      await write(chunk);
    }
    if (erased.length < batch) break;
  }
  if (deletedOpened) await write("</deleted_reviews>\n");
  await write(
    "</feed>\n" +
      (stats.productsWithoutUrl
        ? `<!-- ${stats.productsWithoutUrl} product(s) without a url left out: Google requires a product URL (set it with putProduct). -->\n`
        : ""),
  );
  return stats;
}
