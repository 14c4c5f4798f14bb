/**
 * `starling import FILE`: reads JSONL or CSV a row at a time, sends rows in
 * batches to importReviews, writes rejected rows to --rejects, and ends with
 * finishImport, which scores the shop's history and rebuilds its summaries.
 * Memory stays flat whatever the file's size: at most two batches are in
 * flight. Every step is idempotent on the rows' source ids, so an import
 * killed at any point (Ctrl-C, kill -9) is finished by running it again.
 */
import { createReadStream, createWriteStream, statSync } from "node:fs";
import { once } from "node:events";
import { createInterface } from "node:readline";
import { Transform } from "node:stream";
import { type Options, parse } from "csv-parse";
import { ApiError, graphql, type Endpoint } from "./http.js";
import { Progress } from "./progress.js";
import { CsvRows, IMPORT_FIELDS, jsonlRow, type NumberedRecord, PRESETS, rejectLine, type ReadRow } from "./rows.js";

/** Rows per importReviews call: the API's most (MAX_IMPORT_ROWS), whose query cost (3 501) fits the limit of graphql/cost.ts. */
export const IMPORT_BATCH_ROWS = 500;
/** A batch's JSON stays under this, well inside the API's 128 KB request limit. */
export const IMPORT_BATCH_BYTES = 100_000;
/** Batches sent before the first answer is awaited: the API stores one while the client reads the next. */
const IN_FLIGHT = 2;

const IMPORT = /* GraphQL */ `
  mutation Import($rows: [ImportReviewRow!]!) {
    importReviews(rows: $rows) { outcome reviewId error { code field message } }
  }
`;
const FINISH = /* GraphQL */ `
  mutation { finishImport { reviews products } }
`;

export interface ImportOptions {
  file: string;
  format?: "jsonl" | "csv";
  preset?: string;
  rejects?: string;
  endpoint: Endpoint;
  stderr: NodeJS.WritableStream & { isTTY?: boolean };
}

interface RowResult {
  outcome: "IMPORTED" | "ALREADY_PRESENT" | "REJECTED";
  reviewId: string | null;
  error: { code: string; field: string | null; message: string } | null;
}

export interface ImportSummary {
  read: number;
  imported: number;
  alreadyPresent: number;
  rejected: number;
}

/** Usage and file problems: the import cannot start. */
export class ImportError extends Error {}

export async function runImport(o: ImportOptions): Promise<ImportSummary> {
  const preset = o.preset === undefined ? undefined : PRESETS[o.preset];
  if (o.preset !== undefined && !preset) {
    throw new ImportError(`unknown preset "${o.preset}"; known: ${Object.keys(PRESETS).join(", ")}`);
  }
  const format = o.format ?? (preset || /\.csv$/i.test(o.file) ? "csv" : "jsonl");
  if (preset && format !== "csv") throw new ImportError("--preset reads a platform's CSV export: use it with --format csv");
  let size: number;
  try {
    size = statSync(o.file).size;
  } catch (err) {
    throw new ImportError(`cannot read ${o.file}: ${(err as NodeJS.ErrnoException).code ?? String(err)}`);
  }
  const input = createReadStream(o.file);
  // bytesRead, not a "data" listener: one would start the stream flowing before the parser listens.
  const opened = once(input, "open").catch((err: NodeJS.ErrnoException) => {
    throw new ImportError(`cannot read ${o.file}: ${err.code ?? err.message}`);
  });
  await opened;

  const rejects = o.rejects ? createWriteStream(o.rejects) : null;
  if (rejects) await once(rejects, "open");
  const summary: ImportSummary = { read: 0, imported: 0, alreadyPresent: 0, rejected: 0 };
  const progress = new Progress(o.stderr, "import", size);
  let shownRejects = 0;
  const reject = async (r: ReadRow, error: { code: string; field?: string | null; message: string }) => {
    summary.rejected++;
    if (rejects) {
      if (!rejects.write(`${JSON.stringify(rejectLine(r, error))}\n`)) await once(rejects, "drain");
    } else if (shownRejects++ < 20) {
      o.stderr.write(`line ${r.line}: ${error.code}${error.field ? ` (${error.field})` : ""}: ${error.message}\n`);
    }
  };

  const rows = format === "csv" ? csvRows(input, preset) : jsonlRows(input);
  let batch: ReadRow[] = [];
  let batchBytes = 0;
  const inFlight: Promise<void>[] = [];
  let chain: Promise<void> = Promise.resolve();
  // The first batch the API refused (a revoked key, say): the import stops at the next batch.
  let failure: unknown = null;

  const send = (sent: ReadRow[]) => {
    const answer = graphql<{ importReviews: RowResult[] }>(o.endpoint, IMPORT, { rows: sent.map((r) => r.row) });
    // Answers are handled in the order the batches were sent, so the rejects file follows the input.
    chain = chain
      .then(async () => {
        const { importReviews: results } = await answer;
        for (const [i, result] of results.entries()) {
          if (result.outcome === "IMPORTED") summary.imported++;
          else if (result.outcome === "ALREADY_PRESENT") summary.alreadyPresent++;
          else await reject(sent[i]!, result.error ?? { code: "INVALID_INPUT", message: "rejected" });
        }
      })
      .catch((err: unknown) => {
        failure ??= err;
      });
    // A failed answer is reported by the chain; this only bounds what is in flight.
    const settled = answer.then(
      () => undefined,
      () => undefined,
    );
    inFlight.push(settled);
    void settled.then(() => inFlight.splice(inFlight.indexOf(settled), 1));
  };
  const flush = async () => {
    if (!batch.length) return;
    send(batch);
    batch = [];
    batchBytes = 0;
    while (inFlight.length >= IN_FLIGHT) await Promise.race(inFlight);
    if (failure) throw failure;
  };

  let handled = 0;
  for await (const r of rows) {
    handled++;
    if (r.error) {
      await reject(r, r.error);
    } else {
      summary.read++;
      const size = Buffer.byteLength(JSON.stringify(r.row));
      if (batch.length >= IMPORT_BATCH_ROWS || (batch.length > 0 && batchBytes + size > IMPORT_BATCH_BYTES)) await flush();
      batch.push(r);
      batchBytes += size + 1;
    }
    progress.update(handled, input.bytesRead);
  }
  await flush();
  await chain;
  progress.done();
  if (failure) throw failure;
  if (rejects) {
    rejects.end();
    await once(rejects, "finish");
  }
  if (summary.read === 0) return summary;

  const started = Date.now();
  o.stderr.write("import: scoring the shop's reviews as history and rebuilding its ratings…\n");
  const { finishImport } = await graphql<{ finishImport: { reviews: number; products: number } }>(o.endpoint, FINISH);
  o.stderr.write(
    `import: scored ${finishImport.reviews} reviews in createdAt order and rebuilt ${finishImport.products} product ratings in ${((Date.now() - started) / 1000).toFixed(1)} s\n`,
  );
  return summary;
}

/** JSONL: a row per non-blank line, numbered from 1 (client/rows.ts: jsonlRow). */
async function* jsonlRows(input: NodeJS.ReadableStream): AsyncGenerator<ReadRow> {
  let line = 0;
  for await (const text of createInterface({ input, crlfDelay: Infinity })) {
    const r = jsonlRow(text, ++line);
    if (r) yield r;
  }
}

/**
 * CSV (client/rows.ts: CsvRows): the file's bytes go past the reader on their
 * way to the CSV parser, and its records come back as rows.
 */
export async function* csvRows(input: NodeJS.ReadableStream, preset: (typeof PRESETS)[string] | undefined): AsyncGenerator<ReadRow> {
  const csv = new CsvRows(
    preset,
    (missing) =>
      new ImportError(
        `the CSV header lacks ${missing.join(", ")}${preset ? " for this preset" : ` (columns are the import fields: ${Object.keys(IMPORT_FIELDS).join(", ")}; or use --preset)`}`,
      ),
  );
  const seen = new Transform({
    transform(chunk: Buffer, _encoding, done) {
      csv.see(chunk);
      done(null, chunk);
    },
  });
  // csv-parse types on_record as returning its input's type, and its context without the bytes it holds.
  const parser = parse(csv.options as unknown as Options);
  input.pipe(seen).pipe(parser);
  for await (const record of parser as AsyncIterable<NumberedRecord>) yield* csv.rows(record);
  yield* csv.end();
}

export { ApiError, type ReadRow };
