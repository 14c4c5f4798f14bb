/**
 * `starling export`: streams the shop's reviews from GET /export/reviews to
 * a file or stdout, as JSONL (the lines as the API sends them) or CSV (the
 * same fields as columns). It writes as it reads, waiting for the output to
 * drain, so its memory stays flat for any number of reviews.
 */
import { createWriteStream } from "node:fs";
import { once } from "node:events";
import { createInterface } from "node:readline";
import { stringify } from "csv-stringify/sync";
import { getStream, type Endpoint } from "./http.js";
import { Progress } from "./progress.js";
import { EXPORT_FIELDS } from "./rows.js";

export interface ExportOptions {
  format: "jsonl" | "csv";
  out?: string;
  endpoint: Endpoint;
  stdout: NodeJS.WritableStream;
  stderr: NodeJS.WritableStream & { isTTY?: boolean };
}

/**
 * Export lines as CSV records: the fields in EXPORT_FIELDS order, an absent one as an empty cell.
 * One stringify for many lines (the API's run of a product's reviews): each call builds a stringifier.
 */
export function csvRecords(lines: Record<string, unknown>[]): string {
  return stringify(
    lines.map((line) => EXPORT_FIELDS.map((f) => (line[f] === undefined || line[f] === null ? "" : String(line[f])))),
    { quoted_match: /[\r\n",]/ },
  );
}

export async function runExport(o: ExportOptions): Promise<{ reviews: number }> {
  const res = await getStream(o.endpoint, "export/reviews");
  const expected = Number(res.headers["x-starling-review-count"]) || 0;
  const out = o.out ? createWriteStream(o.out) : o.stdout;
  if (o.out) await once(out, "open");
  const write = async (text: string) => {
    if (!out.write(text)) await once(out, "drain");
  };
  const progress = new Progress(o.stderr, "export", expected);
  let reviews = 0;
  let complete = false;
  res.once("end", () => (complete = res.complete));
  if (o.format === "csv") await write(stringify([[...EXPORT_FIELDS]]));
  for await (const text of createInterface({ input: res, crlfDelay: Infinity })) {
    if (text === "") continue;
    await write(o.format === "csv" ? csvRecords([JSON.parse(text) as Record<string, unknown>]) : `${text}\n`);
    reviews++;
    progress.update(reviews, reviews);
  }
  progress.done();
  if (!complete && !res.complete)
    throw new Error(`the export was cut off after ${reviews} reviews (the server failed or the connection dropped); run it again`);
  if (o.out) {
    (out as ReturnType<typeof createWriteStream>).end();
    await once(out, "finish");
  }
  return { reviews };
}
