/**
 * The CSV reader of `starling import`: each row, and each record that does
 * not parse, is named by the line it starts on, whatever the line endings,
 * quoted line breaks, blank lines and chunk boundaries of the file.
 */
import { Readable } from "node:stream";
import { describe, expect, it } from "vitest";
import { csvRows, type ReadRow } from "../src/client/import.js";

const HEADER = "sourceId,productId,rating,body,reviewerName,createdAt";

/** The file's rows as (line, sourceId or error code), the file cut into chunks of `chunk` bytes. */
async function read(text: string, chunk = 1 << 16): Promise<[number, string][]> {
  const bytes = Buffer.from(text);
  const chunks: Buffer[] = [];
  for (let i = 0; i < bytes.length; i += chunk) chunks.push(bytes.subarray(i, i + chunk));
  const out: [number, string][] = [];
  for await (const r of csvRows(Readable.from(chunks), undefined) as AsyncGenerator<ReadRow>) {
    out.push([r.line, r.error ? r.error.code : String(r.row!.sourceId)]);
  }
  return out;
}

const rows = (nl: string) =>
  [
    `\uFEFF${HEADER}`,
    `a,mug,5,"two${nl}lines",Ann,2021-01-01`,
    "",
    "b,mug,4,plain,Bob,2021-01-02",
    "c,mug,4,too,many,cells,here",
    `d,mug,3,"three${nl}${nl}lines",Dan,2021-01-03`,
    `e,mug,2,"never closed,Eve,2021-01-04`,
    "",
  ].join(nl);

describe("starling import's CSV reader", () => {
  for (const [name, nl] of [
    ["LF", "\n"],
    ["CRLF", "\r\n"],
  ] as const) {
    it(`names the line each record starts on (${name} line endings)`, async () => {
      const expected: [number, string][] = [
        [2, "a"],
        [5, "b"],
        [6, "MALFORMED_ROW"],
        [7, "d"],
        [10, "MALFORMED_ROW"],
      ];
      expect(await read(rows(nl))).toEqual(expected);
      // The same, read a few bytes at a time: a line break or a CRLF cut between chunks.
      for (const chunk of [1, 2, 3, 7]) expect(await read(rows(nl), chunk)).toEqual(expected);
    });
  }

  it("reads a last row without a line break", async () => {
    expect(await read(`${HEADER}\nx,mug,5,ok,Xu,2021-01-01`)).toEqual([[2, "x"]]);
  });
});
