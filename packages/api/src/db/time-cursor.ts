/**
 * Cursors for a shop-wide list read newest first (the moderation log,
 * invitations): the time and `_id` of the last entry shown, and the next page
 * is the keyset "older than that" (MONGODB.md §5), served on MongoDB by an
 * index on (shopId, time, _id) however deep the page; no deep skip.
 */
import { StarlingError } from "../errors.js";

export interface TimePosition {
  at: Date;
  id: string;
}

/** `list` names the list a cursor belongs to, so one list's cursor is refused by another. */
export function encodeTimeCursor(list: string, at: Date, id: string): string {
  return Buffer.from(JSON.stringify([list, at.getTime(), id])).toString("base64url");
}

/** What a cursor (base64url JSON, as the encoders here and features/questions/page-keys.ts write it) holds; null if it is not one. */
export function parseCursor(cursor: string): unknown {
  if (!/^[A-Za-z0-9_-]{1,1000}$/.test(cursor)) return null;
  try {
    return JSON.parse(Buffer.from(cursor, "base64url").toString("utf8"));
  } catch {
    return null;
  }
}

export function decodeTimeCursor(list: string, cursor: string): TimePosition {
  const parsed = parseCursor(cursor);
  if (
    !Array.isArray(parsed) ||
    parsed.length !== 3 ||
    parsed[0] !== list ||
    !Number.isSafeInteger(parsed[1]) ||
    typeof parsed[2] !== "string" ||
    !/^[A-Za-z0-9_-]{1,100}$/.test(parsed[2])
  ) {
    throw new StarlingError("INVALID_CURSOR", "This cursor is not one that Starling issued for this list.", { field: "after" });
  }
  return { at: new Date(parsed[1] as number), id: parsed[2] };
}

/** The filter for entries after `pos` in the order { [field]: -1, _id: -1 }. */
export function olderThan(field: string, pos: TimePosition): Record<string, unknown> {
  return { $or: [{ [field]: { $lt: pos.at } }, { [field]: pos.at, _id: { $lt: pos.id } }] };
}
