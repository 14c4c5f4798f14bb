/**
 * The identifiers a product may carry for Google's review feed (and any other
 * consumer that matches products across sites): GTIN, MPN, SKU, brand and
 * the product page's URL. Each is checked here so that a feed built from them
 * is valid: a GTIN whose check digit is wrong, or a URL that is not a public
 * http(s) page, is refused with INVALID_INPUT naming the field.
 */
import { invalidInput } from "../../errors.js";
import { text } from "../validate.js";

/** Google's limits for these attributes (Merchant Center product data specification). */
export const PRODUCT_ID_LIMITS = { mpn: 70, sku: 70, brand: 70, url: 2000 } as const;

/**
 * A GTIN-8, UPC-A (12), EAN-13 or GTIN-14, digits only, with a correct GS1
 * check digit: the last digit makes the weighted sum (3, 1, 3, … from the
 * right, the check digit excluded) a multiple of 10.
 */
export function gtin(field: string, value: string): string {
  if (!/^(\d{8}|\d{12,14})$/.test(value)) {
    throw invalidInput(field, "must be a GTIN of 8, 12, 13 or 14 digits, without spaces or dashes");
  }
  const digits = [...value].map(Number);
  const check = digits.pop()!;
  const sum = digits.reverse().reduce((s, d, i) => s + d * (i % 2 === 0 ? 3 : 1), 0);
  if ((10 - (sum % 10)) % 10 !== check)
    throw invalidInput(field, `has a wrong check digit (expected ${(10 - (sum % 10)) % 10}, got ${check})`);
  return value;
}

/**
 * The product's public page: an absolute http or https URL with a dotted host
 * name (Google's feed schema requires one), no credentials, no whitespace.
 * Written back as the URL parser normalizes it, so what the feed shows is
 * what a browser would request.
 */
export function productUrl(field: string, value: string): string {
  if (value.length > PRODUCT_ID_LIMITS.url) throw invalidInput(field, `must be at most ${PRODUCT_ID_LIMITS.url} characters`);
  if (/[\s\u0000-\u001F\u007F]/.test(value)) throw invalidInput(field, "must not contain whitespace or control characters");
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw invalidInput(field, "must be an absolute URL such as https://shop.example/products/tent");
  }
  if (url.protocol !== "https:" && url.protocol !== "http:")
    throw invalidInput(field, `must be an http or https URL (got ${url.protocol})`);
  if (url.username || url.password) throw invalidInput(field, "must not contain a user name or password");
  if (!url.hostname.includes(".") || url.hostname.endsWith("."))
    throw invalidInput(field, "must name a public host (with a domain, e.g. shop.example)");
  const normalized = url.href;
  if (normalized.length > PRODUCT_ID_LIMITS.url) throw invalidInput(field, `must be at most ${PRODUCT_ID_LIMITS.url} characters`);
  return normalized;
}

export interface ProductIdsInput {
  gtin?: string | null;
  mpn?: string | null;
  sku?: string | null;
  brand?: string | null;
  url?: string | null;
}

/**
 * The fields to set: a field left out stays as it is, null clears it.
 * Checked all before anything is written.
 */
export function productIds(input: ProductIdsInput): Partial<Record<keyof ProductIdsInput, string | null>> {
  const out: Partial<Record<keyof ProductIdsInput, string | null>> = {};
  const each = <K extends keyof ProductIdsInput>(key: K, check: (field: string, v: string) => string) => {
    const v = input[key];
    if (v === undefined) return;
    out[key] = v === null ? null : check(key, v);
  };
  each("gtin", gtin);
  each("mpn", (f, v) => text(f, v, { max: PRODUCT_ID_LIMITS.mpn }));
  each("sku", (f, v) => text(f, v, { max: PRODUCT_ID_LIMITS.sku }));
  each("brand", (f, v) => text(f, v, { max: PRODUCT_ID_LIMITS.brand }));
  each("url", productUrl);
  return out;
}
