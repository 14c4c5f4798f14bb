import { invalidInput } from "../errors.js";

// C0 controls other than tab, newline and carriage return, DEL, lone
// surrogates, and explicit bidirectional overrides and isolates: nothing a
// person types (right-to-left scripts need none of them), NUL is not storable
// on FerretDB, and bidi controls let a name or title display as something it
// is not ("Trojan Source").
const UNSAFE_CHARS =
  /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F\u202A-\u202E\u2066-\u2069]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

// What shows as nothing: whitespace, separators, controls, and the invisible
// format characters (zero-width space U+200B, word joiner U+2060, BOM U+FEFF,
// soft hyphen, Hangul fillers, variation selectors…). A name or title made of
// only these would display as blank.
const INVISIBLE_ONLY = /^[\s\p{Z}\p{Cc}\p{Cf}\p{Default_Ignorable_Code_Point}\u2800\u3164\uFFA0\u115F\u1160]*$/u;

/**
 * A text field as the customer wrote it (not trimmed, not rewritten: escaping
 * is the renderer's job), within `max` characters and not blank.
 */
export function text(field: string, value: string, opts: { min?: number; max: number }): string {
  const length = [...value].length;
  if (INVISIBLE_ONLY.test(value)) throw invalidInput(field, "must not be empty (or made only of invisible characters)");
  if (length < (opts.min ?? 1)) throw invalidInput(field, `must be at least ${opts.min} characters`);
  if (length > opts.max) throw invalidInput(field, `must be at most ${opts.max} characters (got ${length})`);
  if (UNSAFE_CHARS.test(value)) throw invalidInput(field, "contains control or bidirectional-override characters");
  return value;
}

export function optionalText(field: string, value: string | null | undefined, opts: { max: number }): string | null {
  return value === null || value === undefined ? null : text(field, value, opts);
}

const IDENTIFIER = /^[A-Za-z0-9][A-Za-z0-9._:/#@+-]{0,127}$/;

/** A shop's own identifier (a SKU, an order line): printable ASCII, no spaces, up to 128 characters. */
export function identifier(field: string, value: string): string {
  if (!IDENTIFIER.test(value)) {
    throw invalidInput(field, "must be 1-128 characters of letters, digits and . _ : / # @ + -, starting with a letter or digit");
  }
  return value;
}

export function starRating(field: string, value: number): 1 | 2 | 3 | 4 | 5 {
  if (!Number.isInteger(value) || value < 1 || value > 5) throw invalidInput(field, "must be a whole number of stars from 1 to 5");
  return value as 1 | 2 | 3 | 4 | 5;
}

// BCP 47 in the shape people use: "en", "de-CH", "zh-Hant-TW".
const LANGUAGE_TAG = /^[A-Za-z]{2,3}(-[A-Za-z0-9]{2,8}){0,3}$/;

export function languageTag(field: string, value: string | null | undefined): string | null {
  if (value === null || value === undefined) return null;
  if (!LANGUAGE_TAG.test(value)) throw invalidInput(field, 'must be a BCP 47 language tag such as "en" or "de-CH"');
  const [lang, ...rest] = value.split("-");
  return [lang!.toLowerCase(), ...rest].join("-");
}

/** The page sizes of the lists a shop's staff reads (invitations, the moderation log, webhook deliveries, the dashboard's). */
export const STAFF_PAGE = { byDefault: 50, most: 500 } as const;

/** A page size of a list read by a shop's staff: 1 to STAFF_PAGE.most, STAFF_PAGE.byDefault when left out. */
export function pageSize(first: number | null | undefined): number {
  const size = first ?? STAFF_PAGE.byDefault;
  if (!Number.isInteger(size) || size < 1 || size > STAFF_PAGE.most) {
    throw invalidInput("first", `must be a whole number from 1 to ${STAFF_PAGE.most}`);
  }
  return size;
}
