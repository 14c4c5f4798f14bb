/**
 * Import lines as `starling import` reads them: the JSON types of each field
 * (checked here, so that one wrong type rejects its row instead of the whole
 * batch of the GraphQL request), CSV's strings turned into those types, and
 * the presets that map other platforms' CSV exports onto the import fields.
 * The values themselves are checked by the API (features/imports).
 */
// A maintained pure-JS SHA-256, not node:crypto: the dashboard runs these rows in the browser too
// (its import page), where Web Crypto's digest is async and the presets' mapping is not.
import { sha256 } from "@noble/hashes/sha2.js";
import { bytesToHex } from "@noble/hashes/utils.js";

export type FieldType = "string" | "number" | "boolean";

/** The import fields and their JSON types (the contract; `status` is an export's own field, kept on re-import). */
export const IMPORT_FIELDS: Record<string, FieldType> = {
  sourceId: "string",
  productId: "string",
  productName: "string",
  rating: "number",
  title: "string",
  body: "string",
  reviewerName: "string",
  customerId: "string",
  createdAt: "string",
  verified: "boolean",
  language: "string",
  reply: "string",
  status: "string",
};

/** An export line's fields, in the order a CSV export's columns list them: the import fields, then Starling's own. */
export const EXPORT_FIELDS = [...Object.keys(IMPORT_FIELDS).filter((f) => f !== "status"), "id", "status", "provenance"] as const;

export type ImportRow = Record<string, string | number | boolean>;

/** A row refused before it reaches the API, as a rejects line names it. */
export class RowError extends Error {
  constructor(
    readonly code: "INVALID_INPUT" | "MALFORMED_ROW",
    message: string,
    readonly field?: string,
  ) {
    super(message);
  }
}

/** An import row from a parsed JSONL line: the known fields with their JSON types; other fields (an export's id, provenance) are ignored. */
export function rowFromJson(value: unknown): ImportRow {
  if (value === null || typeof value !== "object" || Array.isArray(value)) {
    throw new RowError("MALFORMED_ROW", "a line must be a JSON object");
  }
  const row: ImportRow = {};
  for (const [field, type] of Object.entries(IMPORT_FIELDS)) {
    const v = (value as Record<string, unknown>)[field];
    if (v === undefined || v === null) continue;
    if (typeof v !== type) throw new RowError("INVALID_INPUT", `${field}: must be a ${type}`, field);
    row[field] = v as string | number | boolean;
  }
  return row;
}

/** One line or record of an import file as read: its row, or why it cannot be imported (a rejects line's makings). */
export interface ReadRow {
  /** The line it starts on, numbered from 1. */
  line: number;
  /** The row as the file had it (a parsed JSON value, a CSV record, or the raw text of an unparsable line). */
  original: unknown;
  row?: ImportRow;
  error?: { code: string; field?: string; message: string };
}

/** A line of the rejects file (`starling import --rejects`, the dashboard's download): a row the import refused, and why. */
export interface RejectLine {
  line: number;
  error: string;
  field?: string;
  message: string;
  row: unknown;
}

/** The rejects line of row `r`, refused for `error` (before sending, or by the API). */
export function rejectLine(r: ReadRow, error: { code: string; field?: string | null; message: string }): RejectLine {
  return { line: r.line, error: error.code, ...(error.field ? { field: error.field } : {}), message: error.message, row: r.original };
}

/** A RowError as a rejects line's error; anything else is a bug and is thrown on. */
export function rowError(err: unknown): { code: string; field?: string; message: string } {
  if (err instanceof RowError) return { code: err.code, ...(err.field ? { field: err.field } : {}), message: err.message };
  throw err;
}

/**
 * Line `line` of a JSONL file (numbered from 1) as an import row, or the
 * error that rejects it; null for a blank line, which is no row. The CLI
 * (node's readline) and the dashboard (the browser's File.stream()) both read
 * lines with this, so both take and refuse the same lines.
 */
export function jsonlRow(text: string, line: number): ReadRow | null {
  // A byte order mark before the first line (the dashboard's TextDecoder drops it itself), and a CRLF's CR.
  let content = line === 1 && text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  if (content.endsWith("\r")) content = content.slice(0, -1);
  if (content.trim() === "") return null;
  let value: unknown;
  try {
    value = JSON.parse(content);
  } catch {
    return { line, original: content, error: { code: "MALFORMED_ROW", message: "not valid JSON" } };
  }
  try {
    return { line, original: value, row: rowFromJson(value) };
  } catch (err) {
    return { line, original: value, error: rowError(err) };
  }
}

const TRUE = new Set(["true", "1", "yes", "y", "t"]);
const FALSE = new Set(["false", "0", "no", "n", "f", ""]);

/** An import row from a CSV record with the import fields as column names: empty cells are absent, numbers and booleans parsed. */
export function rowFromCsv(record: Record<string, string>): ImportRow {
  const row: ImportRow = {};
  for (const [field, type] of Object.entries(IMPORT_FIELDS)) {
    const v = record[field];
    if (v === undefined || v === "") continue;
    if (type === "number") {
      const n = Number(v.trim());
      if (v.trim() === "" || Number.isNaN(n)) throw new RowError("INVALID_INPUT", `${field}: must be a number`, field);
      row[field] = n;
    } else if (type === "boolean") {
      const b = v.trim().toLowerCase();
      if (TRUE.has(b)) row[field] = true;
      else if (FALSE.has(b)) row[field] = false;
      else throw new RowError("INVALID_INPUT", `${field}: must be true or false`, field);
    } else {
      row[field] = v;
    }
  }
  return row;
}

/**
 * A date as other platforms' exports write it ("2021-03-25 10:01:22 UTC",
 * "2021-03-25 10:01:22 +0100") in the ISO 8601 form the import takes.
 */
export function isoDate(value: string | undefined): string | undefined {
  if (value === undefined || value.trim() === "") return undefined;
  return value
    .trim()
    .replace(/\s*UTC$/i, "Z")
    .replace(/\s+([+-]\d{2}:?\d{2})$/, "$1");
}

/**
 * A stable id for a review from a platform whose export has none: the same
 * review gives the same id on every run, so a re-import is idempotent.
 */
function derivedSourceId(platform: string, parts: (string | undefined)[]): string {
  const text = parts.map((p) => p ?? "").join("\u0000");
  return `${platform}:${bytesToHex(sha256(new TextEncoder().encode(text))).slice(0, 32)}`;
}

const cell = (record: Record<string, string>, ...names: string[]): string | undefined => {
  for (const n of names) {
    const v = record[n];
    if (v !== undefined && v.trim() !== "") return v;
  }
  return undefined;
};

export interface Preset {
  /** What the preset reads, for the help text. */
  readonly description: string;
  /** The columns a file must have for this preset (checked against the header). */
  readonly requiredColumns: readonly string[];
  toRecord(record: Record<string, string>): Record<string, string>;
}

/** A CSV record in import-field columns, with the cells left out that the platform did not fill. */
function record(fields: Record<string, string | undefined>): Record<string, string> {
  return Object.fromEntries(Object.entries(fields).filter((e): e is [string, string] => e[1] !== undefined));
}

/** Status words of the platforms' exports, as the import's statuses. */
function statusOf(word: string | undefined, map: Record<string, string>): string | undefined {
  if (word === undefined) return undefined;
  return map[word.trim().toLowerCase()] ?? word;
}

/**
 * Judge.me's review CSV (its export, and the import file of the same shape):
 * title, body, rating, review_date, source, curated, reviewer_name,
 * reviewer_email, product_id, product_handle, reply, reply_date,
 * picture_urls, ip_address, location. Judge.me gives no review id: the
 * source id is derived from the product, reviewer, date and text.
 */
const judgeMe: Preset = {
  description: "Judge.me review export (title, body, rating, review_date, reviewer_name, reviewer_email, product_handle, …)",
  requiredColumns: ["body", "rating", "review_date", "reviewer_name"],
  toRecord(r) {
    const productId = cell(r, "product_handle", "product_id");
    const email = cell(r, "reviewer_email")?.trim().toLowerCase();
    const createdAt = isoDate(cell(r, "review_date"));
    return record({
      sourceId: derivedSourceId("judgeme", [productId, email ?? cell(r, "reviewer_name"), createdAt, cell(r, "body")]),
      productId,
      productName: cell(r, "product_title", "product_name"),
      rating: cell(r, "rating"),
      title: cell(r, "title", "review_title"),
      body: cell(r, "body"),
      reviewerName: cell(r, "reviewer_name"),
      // The email is the shop's key to the customer on Judge.me: repeat reviewers stay recognisable.
      customerId: email && /^[a-z0-9][a-z0-9._:/#@+-]{0,127}$/.test(email) ? email : undefined,
      createdAt,
      verified: cell(r, "verified"),
      reply: cell(r, "reply"),
      // curated: "ok" is published, "not-yet" awaits curation, "spam" was refused; hidden reviews are not shown.
      status:
        cell(r, "hidden") && TRUE.has(cell(r, "hidden")!.trim().toLowerCase())
          ? "REJECTED"
          : statusOf(cell(r, "curated"), { ok: "PUBLISHED", "not-yet": "PENDING", spam: "REJECTED" }),
    });
  },
};

/**
 * Shopify's Product Reviews app CSV: product_handle, state, rating, title,
 * author, email, location, body, reply, created_at, replied_at. No review id
 * either: derived like Judge.me's.
 */
const shopifyProductReviews: Preset = {
  description: "Shopify Product Reviews export (product_handle, state, rating, title, author, email, body, reply, created_at, …)",
  requiredColumns: ["product_handle", "rating", "author", "body", "created_at"],
  toRecord(r) {
    const productId = cell(r, "product_handle");
    const email = cell(r, "email")?.trim().toLowerCase();
    const createdAt = isoDate(cell(r, "created_at"));
    return record({
      sourceId: derivedSourceId("shopify", [productId, email ?? cell(r, "author"), createdAt, cell(r, "body")]),
      productId,
      rating: cell(r, "rating"),
      title: cell(r, "title"),
      body: cell(r, "body"),
      reviewerName: cell(r, "author"),
      customerId: email && /^[a-z0-9][a-z0-9._:/#@+-]{0,127}$/.test(email) ? email : undefined,
      createdAt,
      reply: cell(r, "reply"),
      status: statusOf(cell(r, "state"), { published: "PUBLISHED", unpublished: "PENDING", spam: "REJECTED" }),
    });
  },
};

export const PRESETS: Record<string, Preset> = {
  judgeme: judgeMe,
  "shopify-product-reviews": shopifyProductReviews,
};

/**
 * Line numbers of byte offsets in a CSV file read once, front to back: it sees
 * every chunk before the CSV parser does, and is asked about offsets in
 * increasing order, so it keeps only the lines not yet asked about. csv-parse's
 * own line count is no use for this: it counts a CRLF inside a quoted cell as
 * two lines, and reports where an unparsable record ends, not where it starts.
 * Plain bytes, no stream: the CLI (node streams) and the dashboard's import
 * page (the browser's File.stream()) feed it, so both name the same lines.
 */
export class LineIndex {
  /** Byte offset of the start of each line kept, and whether it is blank; `first` is the line number of starts[0]. */
  private starts: number[] = [0];
  private blank: boolean[] = [];
  private first = 1;
  private offset = 0;
  private contentOnLine = false;

  /** The file's next chunk, before the parser reads it. */
  see(chunk: Uint8Array): void {
    let from = 0;
    for (let nl = chunk.indexOf(0x0a); nl >= 0; nl = chunk.indexOf(0x0a, from)) {
      this.blank.push(!(this.contentOnLine || hasContent(chunk, from, nl)));
      this.starts.push(this.offset + nl + 1);
      this.contentOnLine = false;
      from = nl + 1;
    }
    this.contentOnLine ||= hasContent(chunk, from, chunk.length);
    this.offset += chunk.length;
  }

  /** The first non-blank line at or after `offset` (where a record starting there shows its first cell). */
  lineOf(offset: number): number {
    let i = 0;
    while (i + 1 < this.starts.length && this.starts[i + 1]! <= offset) i++;
    while (this.blank[i]) i++;
    // Offsets only grow: the lines before this one are never asked about again.
    if (i > 0) {
      this.starts.splice(0, i);
      this.blank.splice(0, i);
      this.first += i;
    }
    return this.first;
  }
}

/** Whether bytes [from, to) hold anything but carriage returns. */
function hasContent(chunk: Uint8Array, from: number, to: number): boolean {
  for (let i = from; i < to; i++) if (chunk[i] !== 0x0d) return true;
  return false;
}

/** A parsed CSV record's cells and the line it starts on. */
export type NumberedRecord = { cells: string[]; line: number };

/**
 * csv-parse's options that number records by the line they start on (with a
 * LineIndex fed the same bytes): `on_record` turns each record into a
 * NumberedRecord, and `on_skip` reports an unparsable one, by its first line,
 * to `skipped`. The callbacks run in file order, so where the record being
 * parsed starts is where the one before ended.
 */
export function numberedCsvOptions(
  lines: LineIndex,
  skipped: (line: number, record: unknown, message: string) => void,
): {
  on_record: (cells: string[], info: { bytes: number }) => NumberedRecord;
  on_skip: (err: (Error & { bytes?: number; record?: unknown }) | undefined) => void;
} {
  let recordStart = 0;
  return {
    on_record: (cells, info) => {
      const line = lines.lineOf(recordStart);
      recordStart = info.bytes;
      return { cells, line };
    },
    on_skip: (err) => {
      if (!err) return;
      const line = lines.lineOf(recordStart);
      recordStart = Math.max(recordStart, Number(err.bytes ?? 0));
      skipped(line, err.record ?? null, err.message);
    },
  };
}

/** The columns a CSV header lacks for the import (or for a preset). */
export function missingColumns(names: readonly string[], preset: Preset | undefined): string[] {
  const wanted = preset ? preset.requiredColumns : ["sourceId", "productId", "rating", "body", "reviewerName", "createdAt"];
  return wanted.filter((c) => !names.includes(c));
}

/**
 * A CSV import file (RFC 4180, UTF-8, a header row) as import rows, through a
 * preset's mapping when one is given. The CLI (node streams) and the
 * dashboard's import page (the browser's File.stream()) both read with it, so
 * both take, refuse and number the same rows. The reader gives every chunk of
 * the file to `see` before the CSV parser gets it, parses with `options`
 * (csv-parse, whose node and browser builds take the same), hands each record
 * the parser gives to `rows`, and takes what `end` gives last. A record that
 * does not parse (a wrong number of cells, a quote not closed) is rejected with
 * the line it starts on; the rest go on. A header without the columns the
 * import (or the preset) needs throws `headerError`: the import cannot start.
 */
export class CsvRows {
  /** csv-parse's options: a BOM dropped, blank lines skipped, records numbered by the line they start on. */
  readonly options: { bom: true; skip_empty_lines: true; skip_records_with_error: true } & ReturnType<typeof numberedCsvOptions>;
  private readonly lines = new LineIndex();
  /** Records that did not parse, in file order: each goes out before the first row after it. */
  private readonly skipped: ReadRow[] = [];
  private names: string[] | null = null;

  constructor(
    private readonly preset: Preset | undefined,
    private readonly headerError: (missing: string[]) => Error,
  ) {
    this.options = {
      bom: true,
      skip_empty_lines: true,
      skip_records_with_error: true,
      ...numberedCsvOptions(this.lines, (line, record, message) =>
        this.skipped.push({ line, original: record, error: { code: "MALFORMED_ROW", message } }),
      ),
    };
  }

  /** The file's next chunk, before the parser reads it. */
  see(chunk: Uint8Array): void {
    this.lines.see(chunk);
  }

  /** The rows up to this record, in file order: the records before it that did not parse, then its own (none for the header). */
  rows({ cells, line }: NumberedRecord): ReadRow[] {
    if (this.names === null) {
      const names = cells.map((c) => c.trim());
      const missing = missingColumns(names, this.preset);
      if (missing.length) throw this.headerError(missing);
      this.names = names;
      return [];
    }
    const out: ReadRow[] = [];
    while (this.skipped.length && this.skipped[0]!.line < line) out.push(this.skipped.shift()!);
    const record = Object.fromEntries(this.names.map((name, i) => [name, cells[i] ?? ""]));
    try {
      out.push({ line, original: record, row: rowFromCsv(this.preset ? this.preset.toRecord(record) : record) });
    } catch (err) {
      out.push({ line, original: record, error: rowError(err) });
    }
    return out;
  }

  /** The records after the last row that did not parse: the file's end. */
  end(): ReadRow[] {
    return this.skipped.splice(0);
  }
}
