/**
 * Cursors of lists read by a range of one string page key (question pages):
 * the list's name and the page key of the last item shown. The key's product
 * prefix must be the product asked for, so a cursor of another product's (or
 * another shop's) list is refused, not read.
 */
import { StarlingError } from "../../errors.js";
import { parseCursor } from "../../db/time-cursor.js";

export { countdown, productPrefix } from "../reviews/review-pages.js";

// What a page key may hold: the characters FerretDB's keyset pushdown compares exactly (ferretdb/patches/README.md).
const PLAIN_KEY = /^[0-9a-f]{20}\.[0-9A-Za-z_.:-]{1,300}$/;

export function encodeKeyCursor(list: string, key: string): string {
  return Buffer.from(JSON.stringify([list, key])).toString("base64url");
}

export function decodeKeyCursor(list: string, cursor: string, prefix: string): string {
  const invalid = (why: string) => new StarlingError("INVALID_CURSOR", `This cursor ${why}.`, { field: "after" });
  const parsed = parseCursor(cursor);
  if (!Array.isArray(parsed) || parsed.length !== 2 || parsed[0] !== list || typeof parsed[1] !== "string" || !PLAIN_KEY.test(parsed[1])) {
    throw invalid("is not one that Starling issued for this list");
  }
  if (!parsed[1].startsWith(`${prefix}.`)) throw invalid("belongs to another product's list");
  return parsed[1];
}
