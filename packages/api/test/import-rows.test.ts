/**
 * client/rows.ts runs in the dashboard's browser page as well as in the CLI,
 * so its presets' derived source ids come from a pure-JS SHA-256 instead of
 * node:crypto. A re-import is idempotent only while those ids stay the same:
 * these tests pin the ids the node:crypto version produced.
 */
import { createHash } from "node:crypto";
import { describe, expect, it } from "vitest";
import { jsonlRow, PRESETS } from "../src/client/rows.js";

const judgeme = (r: Record<string, string>) => PRESETS.judgeme!.toRecord(r).sourceId;
const shopify = (r: Record<string, string>) => PRESETS["shopify-product-reviews"]!.toRecord(r).sourceId;

/** The derivation as it was written with node:crypto before the change. */
const before = (platform: string, parts: (string | undefined)[]) =>
  `${platform}:${createHash("sha256")
    .update(parts.map((p) => p ?? "").join("\u0000"))
    .digest("hex")
    .slice(0, 32)}`;

describe("import rows' derived source ids", () => {
  it("are the ids the node:crypto version gave (computed on main before the change)", () => {
    expect(
      judgeme({
        title: "Great",
        body: "Lovely mug — très bien ☕",
        rating: "5",
        review_date: "2021-03-25 10:01:22 UTC",
        reviewer_name: "Zoë",
        reviewer_email: "Zoe@Example.com",
        product_handle: "camp-mug",
        curated: "ok",
      }),
    ).toBe("judgeme:75ede15cd8d0a2738d71635017f5c36a");
    expect(
      shopify({
        product_handle: "kettle",
        state: "published",
        rating: "4",
        title: "",
        author: "Ana",
        email: "",
        body: "Boils fast.\nQuiet too.",
        created_at: "2020-01-02 03:04:05 +0100",
      }),
    ).toBe("shopify:2b6d59f8caf8459a34c51197453e9d3c");
  });

  it("equal node:crypto's SHA-256 for any text: multi-block, astral Unicode, empty cells", () => {
    let seed = 7;
    const rnd = (n: number) => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed % n;
    };
    const alphabet = ["a", "Z", "0", " ", "\n", '"', ",", "é", "ß", "—", "☕", "😀", "中", "\u0000"];
    // A cell of blanks only is an absent cell to the presets.
    const c = (v: string) => (v.trim() === "" ? undefined : v);
    const text = () => Array.from({ length: rnd(300) }, () => alphabet[rnd(alphabet.length)]).join("");
    for (let i = 0; i < 300; i++) {
      const r = { product_handle: text(), reviewer_email: "", reviewer_name: text(), review_date: "2021-01-01", body: text(), rating: "5" };
      expect(judgeme(r)).toBe(before("judgeme", [c(r.product_handle), c(r.reviewer_name), "2021-01-01", c(r.body)]));
      const s = { product_handle: text(), author: text(), email: "", created_at: "2022-02-02", body: text(), rating: "3" };
      expect(shopify(s)).toBe(before("shopify", [c(s.product_handle), c(s.author), "2022-02-02", c(s.body)]));
    }
  });
});

describe("jsonlRow (the JSONL line reader of both the CLI and the dashboard's import page)", () => {
  it("reads a line's row, skips blank lines, drops a first line's BOM and a CRLF's CR, and rejects what is not a row with its line", () => {
    const good = { sourceId: "s1", productId: "mug", rating: 5, body: "Fine", reviewerName: "Ann", createdAt: "2024-05-01", id: "ignored" };
    expect(jsonlRow(`\uFEFF${JSON.stringify(good)}\r`, 1)).toEqual({
      line: 1,
      original: good,
      row: { sourceId: "s1", productId: "mug", rating: 5, body: "Fine", reviewerName: "Ann", createdAt: "2024-05-01" },
    });
    expect(jsonlRow("   ", 2)).toBeNull();
    expect(jsonlRow("\r", 3)).toBeNull();
    // A BOM is only a BOM before the first line.
    expect(jsonlRow(`\uFEFF${JSON.stringify(good)}`, 4)?.error?.code).toBe("MALFORMED_ROW");
    expect(jsonlRow('{"sourceId": "s2",', 5)).toEqual({
      line: 5,
      original: '{"sourceId": "s2",',
      error: { code: "MALFORMED_ROW", message: "not valid JSON" },
    });
    expect(jsonlRow("[1, 2]", 6)).toEqual({
      line: 6,
      original: [1, 2],
      error: { code: "MALFORMED_ROW", message: "a line must be a JSON object" },
    });
    expect(jsonlRow(JSON.stringify({ ...good, rating: "5" }), 7)).toEqual({
      line: 7,
      original: { ...good, rating: "5" },
      error: { code: "INVALID_INPUT", field: "rating", message: "rating: must be a number" },
    });
  });
});
