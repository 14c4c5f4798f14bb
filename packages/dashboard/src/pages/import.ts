/**
 * Import and export. Loaded only when this page opens (a chunk of its own):
 * it brings the CSV parser, which the other pages do not need.
 *
 * Import: the file the shop picks is read a chunk at a time (File.stream()),
 * parsed into the rows `starling import` makes (the same row checks and
 * presets: packages/api/src/client/rows.ts), and sent in batches through
 * importReviews with the session, then finishImport. The next chunk is read
 * only when the batch before it is answered, so a large file neither fills
 * memory nor freezes the page. Every step is idempotent on the rows' source
 * ids: an import cut off (a closed tab, a lost connection) is finished by
 * importing the file again.
 *
 * Export: plain links to GET /export/reviews; the browser streams the file
 * to disk with the session cookie (see packages/api/src/http/export.ts).
 */
import { type Options, parse } from "csv-parse/browser/esm";
import {
  CsvRows,
  jsonlRow,
  type NumberedRecord,
  PRESETS,
  type ReadRow,
  type RejectLine,
  rejectLine,
} from "../../../api/src/client/rows.js";
import { gql } from "../api.js";
import { h, labelledForm, select, submitButton, table, uid } from "../dom.js";
import { lang, num, t as common } from "../i18n.js";

/** As `starling import` sends them (client/import.ts): the API's most rows per call, and well inside its 128 KB request limit. */
const BATCH_ROWS = 500;
const BATCH_BYTES = 100_000;
/** Rejected rows shown in the table; all of them go into the download. */
const SHOWN_REJECTS = 200;

const IMPORT = `mutation Import($rows: [ImportReviewRow!]!) {
  importReviews(rows: $rows) { outcome reviewId error { code field message } } }`;
const FINISH = `mutation { finishImport { reviews products } }`;

// This page's words live with it, so the first load does not carry them. German must have every key (type-checked).
const en = {
  importHelp:
    "A JSON Lines or CSV file with the columns of `starling import` (sourceId, productId, rating, body, reviewerName, createdAt, …), or another platform's CSV export through a preset. Importing the same file again imports nothing twice.",
  file: "File",
  format: "Format",
  formatAuto: "By the file's name",
  preset: "Preset",
  presetNone: "None (Starling's columns)",
  startImport: "Import",
  progressLabel: "Import progress",
  progressText: "{rows} rows sent · {pct} of the file read",
  progressDone: "{rows} of {rows} rows sent",
  scoring: "Scoring the imported reviews as history and rebuilding the ratings…",
  summary: "Imported {imported}, already present {present}, rejected {rejected} (of {rows} rows in the file).",
  finished: "Scored {reviews} reviews and rebuilt {products} product ratings.",
  nothingRead: "No row could be read, so nothing was imported.",
  stopped:
    "The import stopped after {rows} rows: {msg} Import the same file again to finish it; rows already imported are not imported twice.",
  rejectedRows: "Rejected rows",
  rejectsShown: "The first {n} are shown; the download has all of them.",
  line: "Line",
  code: "Error",
  field: "Field",
  message: "Message",
  downloadRejects: "Download the rejected rows (JSONL)",
  headerMissing: "The CSV header lacks {cols}.",
  exportHelp: "Every review of the shop, in every status, as `starling export` writes them. A file of this shape imports again.",
  downloadJsonl: "Download as JSON Lines",
  downloadCsv: "Download as CSV",
};
const de: Record<keyof typeof en, string> = {
  importHelp:
    "Eine JSON-Lines- oder CSV-Datei mit den Spalten von `starling import` (sourceId, productId, rating, body, reviewerName, createdAt, …) oder der CSV-Export einer anderen Plattform über eine Vorlage. Dieselbe Datei noch einmal zu importieren importiert nichts doppelt.",
  file: "Datei",
  format: "Format",
  formatAuto: "Nach dem Dateinamen",
  preset: "Vorlage",
  presetNone: "Keine (Starlings Spalten)",
  startImport: "Importieren",
  progressLabel: "Fortschritt des Imports",
  progressText: "{rows} Zeilen gesendet · {pct} der Datei gelesen",
  progressDone: "{rows} von {rows} Zeilen gesendet",
  scoring: "Die importierten Bewertungen werden als Verlauf bewertet und die Bewertungen neu berechnet …",
  summary: "Importiert {imported}, schon vorhanden {present}, abgelehnt {rejected} (von {rows} Zeilen der Datei).",
  finished: "{reviews} Bewertungen bewertet und {products} Produktbewertungen neu berechnet.",
  nothingRead: "Keine Zeile war lesbar, also wurde nichts importiert.",
  stopped:
    "Der Import hielt nach {rows} Zeilen an: {msg} Importieren Sie dieselbe Datei noch einmal, um ihn abzuschließen; schon importierte Zeilen werden nicht doppelt importiert.",
  rejectedRows: "Abgelehnte Zeilen",
  rejectsShown: "Die ersten {n} werden gezeigt; der Download enthält alle.",
  line: "Zeile",
  code: "Fehler",
  field: "Feld",
  message: "Meldung",
  downloadRejects: "Abgelehnte Zeilen herunterladen (JSONL)",
  headerMissing: "Der CSV-Kopfzeile fehlen {cols}.",
  exportHelp:
    "Alle Bewertungen des Shops in jedem Status, wie `starling export` sie schreibt. Eine Datei dieser Form lässt sich wieder importieren.",
  downloadJsonl: "Als JSON Lines herunterladen",
  downloadCsv: "Als CSV herunterladen",
};
const t = (key: keyof typeof en, vars: Record<string, string | number> = {}) =>
  (lang === "de" ? de : en)[key].replace(/\{(\w+)\}/g, (_, k: string) => String(vars[k] ?? ""));

/** The file cannot be imported at all (its CSV header): said before anything is sent. */
class FileError extends Error {}

/** The file a chunk at a time (its bytes, as read); `read` is told the bytes read so far. */
async function* chunks(file: File, read: (bytes: number) => void): AsyncGenerator<Uint8Array> {
  const reader = file.stream().getReader();
  let bytes = 0;
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      bytes += value.byteLength;
      read(bytes);
      yield value;
    }
  } finally {
    // Stopped early (a header error, a refused batch): release the file.
    await reader.cancel().catch(() => undefined);
  }
}

/** UTF-8 text of byte chunks: a character split across chunks is kept for the next; a BOM is dropped unless kept. */
async function* texts(bytes: AsyncIterable<Uint8Array>, keepBom = false): AsyncGenerator<string> {
  const decoder = new TextDecoder("utf-8", { ignoreBOM: keepBom });
  for await (const chunk of bytes) yield decoder.decode(chunk, { stream: true });
  const last = decoder.decode();
  if (last) yield last;
}

/** JSONL: a row per non-blank line, numbered from 1 (client/rows.ts: jsonlRow, as the CLI reads them). */
async function* jsonlRows(text: AsyncIterable<string>): AsyncGenerator<ReadRow> {
  let rest = "";
  let line = 0;
  const rowsOf = function* (lines: string[]): Generator<ReadRow> {
    for (const text of lines) {
      const r = jsonlRow(text, ++line);
      if (r) yield r;
    }
  };
  for await (const chunk of text) {
    const lines = (rest + chunk).split("\n");
    rest = lines.pop()!;
    yield* rowsOf(lines);
  }
  if (rest !== "") yield* rowsOf([rest]);
}

/**
 * CSV read as `starling import` reads it (client/rows.ts: CsvRows): each row,
 * and each record that does not parse, is named by the line it starts on, and
 * the rest go on; a header without the columns the import (or the preset)
 * needs stops the import before any row is sent.
 */
async function* csvRows(text: AsyncIterable<string>, preset: (typeof PRESETS)[string] | undefined): AsyncGenerator<ReadRow> {
  const csv = new CsvRows(preset, (missing) => new FileError(t("headerMissing", { cols: missing.join(", ") })));
  const encoder = new TextEncoder();
  const ready: ReadRow[] = [];
  let failure: unknown = null;
  // csv-parse types on_record as returning its input's type, and its context without the bytes it holds.
  const parser = parse(csv.options as unknown as Options);
  // A write whose chunk failed never calls back: the error ends the wait instead.
  let failed: () => void = () => undefined;
  const failedOnce = new Promise<void>((resolve) => (failed = resolve));
  parser.on("error", (err: unknown) => {
    failure ??= err;
    failed();
  });
  // The parser is a stream: records wait in its buffer until read. Reading them
  // as they come keeps its buffer from filling (which would hold up the chunk's parse).
  const take = () => {
    for (let out = parser.read() as NumberedRecord | null; out !== null; out = parser.read() as NumberedRecord | null) {
      if (failure) return;
      try {
        ready.push(...csv.rows(out));
      } catch (err) {
        failure = err;
      }
    }
  };
  parser.on("readable", take);
  const settled = (write: (done: () => void) => void) => Promise.race([new Promise<void>((resolve) => write(() => resolve())), failedOnce]);
  const flush = function* (): Generator<ReadRow> {
    take();
    if (failure) throw failure instanceof FileError ? failure : new FileError(String((failure as Error).message ?? failure));
    yield* ready.splice(0);
  };
  for await (const chunk of text) {
    // The browser build of csv-parse takes text (not a Uint8Array) and counts its UTF-8 bytes: the reader
    // sees those same bytes, before the parser does (the parser's byte offsets are looked up in them).
    csv.see(encoder.encode(chunk));
    await settled((done) => parser.write(chunk, done));
    yield* flush();
  }
  await settled((done) => parser.end(done));
  yield* flush();
  yield* csv.end();
}

export async function importExportPage(main: HTMLElement): Promise<void> {
  const file = h("input", { type: "file", accept: ".jsonl,.ndjson,.json,.csv,text/csv,application/x-ndjson", required: true });
  const format = select(null, [
    ["", t("formatAuto")],
    ["jsonl", "JSON Lines"],
    ["csv", "CSV"],
  ]);
  const preset = select(null, [["", t("presetNone")], ...Object.entries(PRESETS).map(([name, p]) => [name, name, p.description] as const)]);
  const start = submitButton(t("startImport"));
  const form = labelledForm(
    { class: "inline", id: "import-form" },
    [
      [t("file"), file],
      [t("format"), format],
      [t("preset"), preset],
    ],
    start,
  );
  const progressId = uid("progress");
  const bar = h("progress", { id: progressId, max: 1, value: 0 });
  const barText = h("span", { id: "import-progress-text" });
  const progress = h(
    "div",
    { class: "progress", hidden: true },
    h("label", { for: progressId }, t("progressLabel")),
    " ",
    bar,
    " ",
    barText,
  );
  // The outcome is announced once, when it is known (not on every batch).
  const status = h("div", { role: "status", "aria-live": "polite", id: "import-status" });
  const rejected = h("div", { id: "import-rejects" });

  form.addEventListener("submit", (e) => {
    e.preventDefault();
    const chosen = file.files?.[0];
    if (!chosen) return;
    start.disabled = true;
    void runImport(chosen, format.value as "" | "jsonl" | "csv", preset.value, { bar, barText, progress, status, rejected }).finally(
      () => (start.disabled = false),
    );
  });

  const link = (fmt: "jsonl" | "csv", label: string) =>
    h("a", { class: "button", href: `/export/reviews?format=${fmt}`, download: "", id: `export-${fmt}` }, label);
  main.append(
    h("h1", null, common("importExport")),
    h("h2", null, common("importTitle")),
    h("p", null, t("importHelp")),
    form,
    progress,
    status,
    rejected,
    h("h2", null, common("exportTitle")),
    h("p", null, t("exportHelp")),
    h("p", { class: "actions" }, link("jsonl", t("downloadJsonl")), " ", link("csv", t("downloadCsv"))),
  );
}

interface View {
  bar: HTMLProgressElement;
  barText: HTMLElement;
  progress: HTMLElement;
  status: HTMLElement;
  rejected: HTMLElement;
}

async function runImport(file: File, chosenFormat: "" | "jsonl" | "csv", presetName: string, v: View): Promise<void> {
  const preset = presetName ? PRESETS[presetName] : undefined;
  // As the CLI decides: a preset reads CSV; otherwise the file's name.
  const format = chosenFormat || (preset || /\.csv$/i.test(file.name) ? "csv" : "jsonl");
  const summary = { read: 0, imported: 0, alreadyPresent: 0, rejected: 0 };
  const rejects: RejectLine[] = [];
  let sent = 0;
  /** Rows refused before sending (not JSON, a wrong type, a broken CSV record). */
  let unreadable = 0;
  let bytesRead = 0;
  const size = Math.max(file.size, 1);
  const show = (done = false) => {
    v.bar.value = done ? 1 : Math.min(bytesRead / size, 1);
    const text = done
      ? t("progressDone", { rows: num(sent) })
      : t("progressText", { rows: num(sent), pct: `${Math.floor((100 * bytesRead) / size)} %` });
    v.barText.textContent = text;
    v.bar.setAttribute("aria-valuetext", text);
  };
  v.progress.hidden = false;
  v.status.replaceChildren();
  v.rejected.replaceChildren();
  show();

  const reject = (r: ReadRow, error: { code: string; field?: string | null; message: string }) => {
    summary.rejected++;
    rejects.push(rejectLine(r, error));
  };
  const encoder = new TextEncoder();
  let batch: ReadRow[] = [];
  let batchBytes = 0;
  const flush = async () => {
    if (!batch.length) return;
    const rows = batch;
    batch = [];
    batchBytes = 0;
    const d = await gql<{
      importReviews: { outcome: string; reviewId: string | null; error: { code: string; field: string | null; message: string } | null }[];
    }>(IMPORT, { rows: rows.map((r) => r.row) });
    for (const [i, result] of d.importReviews.entries()) {
      if (result.outcome === "IMPORTED") summary.imported++;
      else if (result.outcome === "ALREADY_PRESENT") summary.alreadyPresent++;
      else reject(rows[i]!, result.error ?? { code: "INVALID_INPUT", message: "rejected" });
    }
    sent += rows.length;
    show();
  };

  try {
    const bytes = chunks(file, (b) => (bytesRead = b));
    // CSV keeps a BOM: csv-parse drops it itself, counting its bytes as the CLI's parser does.
    const rows = format === "csv" ? csvRows(texts(bytes, true), preset) : jsonlRows(texts(bytes));
    for await (const r of rows) {
      if (r.error) {
        unreadable++;
        reject(r, r.error);
        continue;
      }
      summary.read++;
      const bytes = encoder.encode(JSON.stringify(r.row)).length;
      if (batch.length >= BATCH_ROWS || (batch.length > 0 && batchBytes + bytes > BATCH_BYTES)) await flush();
      batch.push(r);
      batchBytes += bytes + 1;
    }
    await flush();
    show(true);
    showRejects(rejects, v.rejected);
    const outcome = h(
      "p",
      { id: "import-summary" },
      t("summary", {
        imported: num(summary.imported),
        present: num(summary.alreadyPresent),
        rejected: num(summary.rejected),
        rows: num(summary.read + unreadable),
      }),
    );
    if (summary.read === 0) {
      v.status.replaceChildren(outcome, h("p", { id: "import-nothing" }, t("nothingRead")));
      return;
    }
    v.status.replaceChildren(outcome, h("p", { class: "meta" }, t("scoring")));
    const { finishImport } = await gql<{ finishImport: { reviews: number; products: number } }>(FINISH);
    v.status.replaceChildren(
      outcome,
      h(
        "p",
        { class: "ok", id: "import-finished" },
        t("finished", { reviews: num(finishImport.reviews), products: num(finishImport.products) }),
      ),
    );
  } catch (err) {
    showRejects(rejects, v.rejected);
    if (err instanceof FileError) v.status.replaceChildren(h("p", { class: "error", role: "alert" }, err.message));
    else
      v.status.replaceChildren(
        h("p", { class: "error", role: "alert" }, t("stopped", { rows: num(sent), msg: err instanceof Error ? err.message : String(err) })),
      );
  }
}

let lastRejects: string | null = null;
/** The rejects file's address: the previous import's is let go, so its rows leave memory. */
function rejectsUrl(blob: Blob): string {
  if (lastRejects) URL.revokeObjectURL(lastRejects);
  lastRejects = URL.createObjectURL(blob);
  return lastRejects;
}

/** The rejected rows: a table of the first ones, and all of them as a JSONL download like the CLI's --rejects file. */
function showRejects(rejects: RejectLine[], into: HTMLElement): void {
  if (!rejects.length) {
    into.replaceChildren();
    return;
  }
  const sorted = [...rejects].sort((a, b) => a.line - b.line);
  const blob = new Blob(
    sorted.map((r) => `${JSON.stringify(r)}\n`),
    { type: "application/x-ndjson" },
  );
  const shown = sorted.slice(0, SHOWN_REJECTS);
  into.replaceChildren(
    h("h3", null, t("rejectedRows")),
    h("p", null, sorted.length > shown.length ? t("rejectsShown", { n: SHOWN_REJECTS }) : ""),
    table(
      [t("line"), t("code"), t("field"), t("message")],
      shown.map((r) =>
        h(
          "tr",
          { "data-line": r.line },
          h("td", null, r.line),
          h("td", null, r.error),
          h("td", null, r.field ?? ""),
          h("td", null, r.message),
        ),
      ),
    ),
    h("a", { class: "button", href: rejectsUrl(blob), download: "rejects.jsonl", id: "download-rejects" }, t("downloadRejects")),
  );
}
