/**
 * `starling import` and `starling export` (issue 15, item 1), run as real
 * child processes against a real API server on the suite's FerretDB.
 */
import { execFile } from "node:child_process";
import { get, type IncomingMessage, type ServerResponse } from "node:http";
import { createInterface } from "node:readline";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { deflateRawSync, inflateRawSync } from "node:zlib";
import { BSON } from "mongodb";
import path from "node:path";
import { promisify } from "node:util";
import mongoose from "mongoose";
import { afterAll, beforeAll, describe, expect, inject, it, vi } from "vitest";
import { REPO_ROOT } from "../src/config.js";
import { importedReviewId } from "../src/features/imports/imports.js";
import { productKey } from "../src/features/products/products.js";
import type { ReviewDoc } from "../src/features/reviews/model.js";
import { withPageKeys } from "../src/features/reviews/review-pages.js";
import { recomputeSummaries, shopSummaryId } from "../src/features/ratings/ratings.js";
import { rescoreShop } from "../src/features/scoring/scoring.js";
import { SUBMIT, RATING, review, spawnCli, startTestApi, until, type TestApi, type TestShop } from "./helpers.js";

// Each test runs the CLI as child processes (tsx start-up included) several times: slow on a busy machine.
vi.setConfig({ testTimeout: 300_000 });

let api: TestApi;
const dir = mkdtempSync(path.join(tmpdir(), "starling-io-"));
const FIXTURES = path.join(path.dirname(new URL(import.meta.url).pathname), "fixtures");
const DAY = 86_400_000;

beforeAll(async () => {
  api = await startTestApi();
});
afterAll(() => api?.close());

/** Runs the CLI to its end. */
async function cli(args: string[], env: Record<string, string> = {}) {
  const run = spawnCli(args, { LOG_LEVEL: "error", ...env });
  const { code } = await run.exited;
  return { code, stderr: run.stderr(), stdout: run.stdout() };
}

const importFile = (file: string, shop: TestShop, ...more: string[]) =>
  cli(["import", file, "--endpoint", api.url, "--key", shop.key, ...more]);

async function exportLines(shop: TestShop, format = "jsonl"): Promise<Record<string, any>[] | string> {
  const out = path.join(dir, `export-${shop.id}-${Math.random().toString(36).slice(2)}.${format}`);
  const r = await cli(["export", "--format", format, "--out", out], { STARLING_ENDPOINT: api.url, STARLING_KEY: shop.key });
  expect(r.code, r.stderr).toBe(0);
  const text = readFileSync(out, "utf8");
  return format === "csv"
    ? text
    : text
        .split("\n")
        .filter(Boolean)
        .map((l) => JSON.parse(l));
}

type SentFind = { collection: string; filter: object; options: { sort?: object; limit?: number } };

/** The finds of reviews and products that fn makes the API send, as it sent them: caught from mongoose's debug hook. */
async function queriesSentDuring<T>(fn: () => Promise<T>): Promise<{ result: T; sent: SentFind[] }> {
  const sent: SentFind[] = [];
  mongoose.set("debug", (collection: string, method: string, filter: object, options: object) => {
    if (method === "find" && (collection === "reviews" || collection === "products"))
      sent.push({ collection, filter, options: options as never });
  });
  try {
    return { result: await fn(), sent };
  } finally {
    mongoose.set("debug", false);
  }
}

/** Each query, explained by the database, walks an index range: no scan of the collection, no sort in memory. */
async function expectIndexRanges(sent: SentFind[]) {
  expect(sent.length).toBeGreaterThan(0);
  for (const q of sent) {
    const model = q.collection === "reviews" ? api.models.Review : api.models.Product;
    const plan = await model.collection.find(q.filter as never, { sort: q.options.sort as never, limit: q.options.limit }).explain();
    const text = JSON.stringify(plan.queryPlanner);
    if (inject("backend") === "ferretdb") {
      expect(text, JSON.stringify(q)).toMatch(/SEARCH \S+ USING INDEX/);
      expect(text, JSON.stringify(q)).not.toMatch(/\bSCAN\b|TEMP B-TREE/);
    } else {
      expect(text, JSON.stringify(q)).toMatch(/IXSCAN|IDHACK/);
      expect(text, JSON.stringify(q)).not.toMatch(/COLLSCAN|"stage":"SORT"/);
    }
  }
}

/** An export's import fields, by sourceId (what a round trip must keep). */
function importFields(lines: Record<string, any>[]): Map<string, Record<string, unknown>> {
  return new Map(
    lines.map((l) => {
      const { id: _id, status: _status, provenance: _provenance, ...fields } = l;
      return [l.sourceId as string, fields];
    }),
  );
}

function writeJsonl(name: string, rows: (object | string)[]): string {
  const file = path.join(dir, name);
  writeFileSync(file, `${rows.map((r) => (typeof r === "string" ? r : JSON.stringify(r))).join("\n")}\n`);
  return file;
}

const row = (i: number, extra: Record<string, unknown> = {}) => ({
  sourceId: `src-${i}`,
  productId: `prod-${i % 3}`,
  productName: `Product ${i % 3}`,
  rating: (i % 5) + 1,
  title: `Title ${i}`,
  body: `Body of review ${i}, with its own words ${i * 17}.`,
  reviewerName: `Reviewer ${i % 7}`,
  customerId: `cust-${i % 7}`,
  createdAt: new Date(Date.UTC(2020, 0, 1) + i * 3 * DAY).toISOString(),
  verified: i % 2 === 0,
  language: i % 4 === 0 ? "de" : "en",
  ...(i % 5 === 0 ? { reply: `Thanks, reviewer ${i}!` } : {}),
  ...extra,
});

/** How many imported rows wait for the shop's finishImport (a document per batch, `count` rows each). */
async function waitingRows(shopId: string): Promise<number> {
  const batches = await api.models.ImportPending.find({ shopId }, { count: 1 }).lean<{ count?: number }[]>();
  return batches.reduce((n, b) => n + (b.count ?? 1), 0);
}

/** A run's exit code, with its stderr as the message when it is not 0. */
const exitOk = (r: { code: number | null; stderr: string }): [number | null, string] => [r.code, r.stderr];

describe("starling import (JSONL)", () => {
  it("imports valid rows with their own dates as IMPORTED, writes rejected rows with line, code and field, and sums up on stderr", async () => {
    const shop = await api.newShop("JSONL shop");
    const file = writeJsonl("contract.jsonl", [
      row(1),
      row(2),
      "{not json",
      row(3, { rating: 7 }),
      row(4, { rating: "5" }),
      row(5, { body: undefined }),
      row(6, { createdAt: "2099-01-01T00:00:00Z" }),
      row(7, { createdAt: "yesterday" }),
      row(8, { unknownField: "ignored", id: "rev_ignored", provenance: "ORGANIC" }),
      "[1, 2]",
    ]);
    const rejects = path.join(dir, "contract-rejects.jsonl");
    const r = await importFile(file, shop, "--rejects", rejects);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/3 imported, 0 already present, 7 rejected/);

    const rejected = readFileSync(rejects, "utf8")
      .split("\n")
      .filter(Boolean)
      .map((l) => JSON.parse(l))
      // Rows the CLI refuses itself are written at once, the API's refusals when their batch returns.
      .sort((a, b) => a.line - b.line);
    expect(rejected.map((x) => [x.line, x.error, x.field])).toEqual([
      [3, "MALFORMED_ROW", undefined],
      [4, "INVALID_INPUT", "rating"],
      [5, "INVALID_INPUT", "rating"],
      [6, "INVALID_INPUT", "body"],
      [7, "INVALID_INPUT", "createdAt"],
      [8, "INVALID_INPUT", "createdAt"],
      [10, "MALFORMED_ROW", undefined],
    ]);
    expect(rejected[0].row).toBe("{not json");
    expect(rejected[1].row).toMatchObject({ sourceId: "src-3", rating: 7 });

    const stored = await api.models.Review.find({ shopId: shop.id }).sort({ sourceId: 1 }).lean();
    expect(stored.map((d) => d.sourceId)).toEqual(["src-1", "src-2", "src-8"]);
    for (const d of stored) {
      expect(d.provenance).toBe("IMPORTED");
      expect(d.status).toBe("published");
      expect(d.score).not.toBeNull();
    }
    expect(stored[0]!.createdAt.toISOString()).toBe(row(1).createdAt);
    // Nothing waits once the import finished; the products were created with their names.
    expect(await api.models.ImportPending.countDocuments({ shopId: shop.id })).toBe(0);
    const product = await api.models.Product.findById(`${shop.id}:prod-1`).lean();
    expect(product?.name).toBe("Product 1");
    const rating = await api.gql(RATING, { id: "prod-2" }, shop.key);
    expect(rating.data.product.rating.count).toBe(2);
  });

  it("is idempotent on sourceId: a second run imports nothing and changes nothing", async () => {
    const shop = await api.newShop("Idempotent shop");
    const file = writeJsonl(
      "twice.jsonl",
      Array.from({ length: 40 }, (_, i) => row(i)),
    );
    expect(...exitOk(await importFile(file, shop))).toBe(0);
    const first = await exportLines(shop);
    const again = await importFile(file, shop);
    expect(again.code, again.stderr).toBe(0);
    expect(again.stderr).toMatch(/0 imported, 40 already present, 0 rejected/);
    expect(await exportLines(shop)).toEqual(first);
    expect(await api.models.Review.countDocuments({ shopId: shop.id })).toBe(40);
  });

  it("says what is wrong, with exit 1, when nothing can be read or the key may not import", async () => {
    const shop = await api.newShop("Refusals shop");
    const missing = await importFile(path.join(dir, "no-such-file.jsonl"), shop);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/cannot read .*no-such-file/);
    const garbage = await importFile(writeJsonl("garbage.jsonl", ["nope", "still nope"]), shop);
    expect(garbage.code).toBe(1);
    expect(garbage.stderr).toMatch(/nothing could be read/);
    const publishable = await cli(["import", writeJsonl("one.jsonl", [row(1)]), "--endpoint", api.url, "--key", shop.publishableKey]);
    expect(publishable.code).toBe(1);
    expect(publishable.stderr).toMatch(/FORBIDDEN/);
    const badPreset = await importFile(writeJsonl("one-more.jsonl", [row(1)]), shop, "--preset", "nope");
    expect(badPreset.code).toBe(1);
    expect(badPreset.stderr).toMatch(/unknown preset "nope"/);
    const usage = await cli(["import", "--endpoint", api.url, "--key", shop.key]);
    expect(usage.code).toBe(2);
    expect(await api.models.Review.countDocuments({ shopId: shop.id })).toBe(0);
  });

  it("refuses more rows than a batch may hold, and a batch over the cost limit, as typed errors", async () => {
    // Short rows, so that 501 of them stay inside the 128 KB request limit and reach the row limit.
    const many = Array.from({ length: 501 }, (_, i) => ({
      ...row(i),
      verified: undefined,
      title: undefined,
      body: "ok",
      productName: undefined,
    }));
    const r = await api.gql(`mutation($rows: [ImportReviewRow!]!) { importReviews(rows: $rows) { outcome } }`, { rows: many });
    expect(r.errors?.[0]?.extensions?.code).toMatch(/INVALID_INPUT|GRAPHQL_VALIDATION_FAILED/);
    const ok = await api.gql(
      `mutation($rows: [ImportReviewRow!]!) { importReviews(rows: $rows) { outcome reviewId error { code field message } } }`,
      { rows: many.slice(0, 500) },
    );
    expect(ok.errors).toBeUndefined();
    expect(ok.data.importReviews).toHaveLength(500);
  });
});

describe("starling import (CSV)", () => {
  it("reads RFC 4180 quoting (commas, quotes, line breaks in cells) and UTF-8 exactly", async () => {
    const shop = await api.newShop("CSV shop");
    const file = path.join(dir, "quoting.csv");
    writeFileSync(
      file,
      "\uFEFFsourceId,productId,rating,title,body,reviewerName,createdAt,verified\r\n" +
        'c-1,mug,5,"Great, really","She said ""wow"".\r\nSecond line, too.",Zoë Ünal,2021-05-05,true\r\n' +
        "c-2,mug,4,,Plain body 🌟 ß,José,2021-05-06T10:00:00+02:00,no\r\n" +
        'c-3,mug,3,"unclosed,body,Someone,2021-05-07,false\r\n',
    );
    const rejects = path.join(dir, "quoting-rejects.jsonl");
    const r = await importFile(file, shop, "--rejects", rejects);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/2 imported, 0 already present, 1 rejected/);
    expect(JSON.parse(readFileSync(rejects, "utf8").split("\n")[0]!)).toMatchObject({ error: "MALFORMED_ROW", line: 5 });
    const lines = (await exportLines(shop)) as Record<string, any>[];
    const byId = new Map(lines.map((l) => [l.sourceId, l]));
    expect(byId.get("c-1")).toMatchObject({
      title: "Great, really",
      body: 'She said "wow".\r\nSecond line, too.',
      reviewerName: "Zoë Ünal",
      verified: true,
    });
    expect(byId.get("c-1")!.createdAt).toBe("2021-05-05T00:00:00.000Z");
    expect(byId.get("c-2")).toMatchObject({
      body: "Plain body 🌟 ß",
      reviewerName: "José",
      verified: false,
      createdAt: "2021-05-06T08:00:00.000Z",
    });
    expect(byId.get("c-2")!.title).toBeUndefined();

    // The CSV export quotes the same way and reads back to the same lines.
    const csv = (await exportLines(shop, "csv")) as string;
    expect(csv.split("\n")[0]).toBe(
      "sourceId,productId,productName,rating,title,body,reviewerName,customerId,createdAt,verified,language,reply,id,status,provenance",
    );
    expect(csv).toContain('"She said ""wow"".\r\nSecond line, too."');
    const other = await api.newShop("CSV again");
    const back = path.join(dir, "quoting-export.csv");
    writeFileSync(back, csv);
    expect(...exitOk(await importFile(back, other))).toBe(0);
    expect(importFields((await exportLines(other)) as Record<string, any>[])).toEqual(importFields(lines));
  });

  it("maps a Judge.me export (--preset judgeme), and imports it again as already present", async () => {
    const shop = await api.newShop("Judge.me shop");
    const file = path.join(FIXTURES, "judgeme-reviews.csv");
    const rejects = path.join(dir, "judgeme-rejects.jsonl");
    const r = await importFile(file, shop, "--preset", "judgeme", "--rejects", rejects);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/4 imported, 0 already present, 1 rejected/);
    // Line 7: the second review's body spans lines 3 and 4 (a quoted CRLF).
    expect(JSON.parse(readFileSync(rejects, "utf8").trim())).toMatchObject({ line: 7, error: "INVALID_INPUT", field: "rating" });
    const lines = (await exportLines(shop)) as Record<string, any>[];
    const tent = lines.filter((l) => l.productId === "trail-tent").sort((a, b) => a.createdAt.localeCompare(b.createdAt));
    expect(tent[0]).toMatchObject({
      title: "Love it",
      body: 'Warm, light, and packs small. "Best" tent I have owned.',
      rating: 5,
      reviewerName: "Anna Schmidt",
      customerId: "anna@example.com",
      createdAt: "2022-06-14T09:12:44.000Z",
      reply: "Thanks, Anna!",
      status: "PUBLISHED",
      provenance: "IMPORTED",
    });
    expect(tent[1]).toMatchObject({
      title: "Zu klein",
      body: "Für zwei Personen zu eng.\r\nDie Heringe sind aber gut.",
      reviewerName: "Jürgen Weiß",
      rating: 2,
    });
    expect(lines.find((l) => l.reviewerName === "Spam Bot")?.status).toBe("REJECTED");
    expect(lines.find((l) => l.reviewerName === "Sam")).toMatchObject({ productId: "camp-stove", rating: 4 });
    const again = await importFile(file, shop, "--preset", "judgeme");
    expect(again.stderr).toMatch(/0 imported, 4 already present, 1 rejected/);
  });

  it("maps a Shopify Product Reviews export (--preset shopify-product-reviews)", async () => {
    const shop = await api.newShop("Shopify shop");
    const r = await importFile(path.join(FIXTURES, "shopify-product-reviews.csv"), shop, "--preset", "shopify-product-reviews");
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/4 imported, 0 already present, 0 rejected/);
    const lines = (await exportLines(shop)) as Record<string, any>[];
    const byName = new Map(lines.map((l) => [l.reviewerName, l]));
    expect(byName.get("Maria Rossi")).toMatchObject({
      productId: "alpine-jacket",
      title: "Keeps me dry",
      body: "Wore it through a storm on the ridge, stayed dry. 🌧️",
      reply: "Glad to hear it!",
      createdAt: "2021-11-20T08:00:00.000Z",
      customerId: "maria@example.it",
      status: "PUBLISHED",
    });
    expect(byName.get("Lee")).toMatchObject({
      title: 'Runs small, "order up"',
      body: "Sleeves are short.\nOtherwise fine.",
      createdAt: "2021-12-02T17:30:00.000Z",
    });
    expect(byName.get("Pat")?.status).toBe("PENDING");
    expect(byName.get("Spammer")?.status).toBe("REJECTED");
    const rating = await api.gql(RATING, { id: "alpine-jacket" }, shop.key);
    expect(rating.data.product.rating.count).toBe(2);
  });

  it("refuses a CSV without the import's columns, naming them (exit 1)", async () => {
    const shop = await api.newShop("Header shop");
    const file = path.join(dir, "header.csv");
    writeFileSync(file, "a,b\n1,2\n");
    const r = await importFile(file, shop);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/lacks sourceId, productId/);
  });
});

describe("imported history", () => {
  it("is scored in createdAt order: a burst inside the history is found where it happened, years imported at once are none", async () => {
    const shop = await api.newShop("History shop");
    const start = Date.UTC(2019, 0, 1);
    const rows: object[] = [];
    // Five years of one review a week on "calm"; two years on "spiky", with 25 first-time five-star reviews on one day in the middle.
    for (let w = 0; w < 260; w++)
      rows.push(
        row(w, {
          sourceId: `calm-${w}`,
          productId: "calm",
          rating: [4, 5, 3, 4][w % 4],
          customerId: `c-${w % 40}`,
          createdAt: new Date(start + w * 7 * DAY).toISOString(),
        }),
      );
    for (let w = 0; w < 104; w++)
      rows.push(
        row(w, {
          sourceId: `spiky-${w}`,
          productId: "spiky",
          rating: [4, 3, 5, 4][w % 4],
          customerId: `s-${w % 30}`,
          createdAt: new Date(start + w * 7 * DAY).toISOString(),
        }),
      );
    const burstDay = start + 52 * 7 * DAY + 2 * DAY;
    for (let i = 0; i < 25; i++) {
      rows.push(
        row(1000 + i, {
          sourceId: `burst-${i}`,
          productId: "spiky",
          rating: 5,
          customerId: `new-${i}`,
          createdAt: new Date(burstDay + i * 600_000).toISOString(),
        }),
      );
    }
    // In file order the burst comes last, after the history it sits inside.
    const r = await importFile(writeJsonl("history.jsonl", rows), shop);
    expect(r.code, r.stderr).toBe(0);
    const BURSTS = `query($id: ID!) { product(id: $id) { bursts { start end } } }`;
    const calm = await api.gql(BURSTS, { id: "calm" }, shop.key);
    expect(calm.data.product.bursts).toEqual([]);
    const spiky = (await api.gql(BURSTS, { id: "spiky" }, shop.key)).data.product.bursts;
    expect(spiky.length).toBeGreaterThan(0);
    for (const b of spiky) {
      expect(Date.parse(b.start)).toBeGreaterThanOrEqual(burstDay - 2 * DAY);
      expect(Date.parse(b.end)).toBeLessThanOrEqual(burstDay + 2 * DAY);
    }
    const burstReviews = await api.models.Review.find({ shopId: shop.id, sourceId: /^burst-/ }).lean();
    const flagged = burstReviews.filter((d) => d.score?.reasons.some((x) => x.code === "burst" && Number(x.weight) > 0));
    expect(flagged.length).toBeGreaterThan(10);
    const calmReviews = await api.models.Review.find({ shopId: shop.id, productId: "calm" }).lean();
    expect(calmReviews.filter((d) => d.score?.reasons.some((x) => x.code === "burst" && Number(x.weight) > 0))).toEqual([]);

    // The shop's first reviews came by import, so it had no summary before: its fitted prior is stored all the same,
    // and a batch re-score of the same history then changes no rating.
    const summary = await api.models.RatingSummary.collection.findOne({ _id: shopSummaryId(shop.id) } as never);
    expect(typeof summary?.priorStrength).toBe("number");
    const before = await Promise.all(["calm", "spiky"].map(async (id) => (await api.gql(RATING, { id }, shop.key)).data.product.rating));
    await rescoreShop(api.starling.deps, shop.id);
    await recomputeSummaries(api.starling.deps, { shopId: shop.id });
    const after = await Promise.all(["calm", "spiky"].map(async (id) => (await api.gql(RATING, { id }, shop.key)).data.product.rating));
    expect(after).toEqual(before);
  });
});

describe("starling export", () => {
  it("round trip: export -> import into a new shop -> export keeps every import field; a review not imported exports its id as sourceId", async () => {
    const a = await api.newShop("Round trip A");
    expect(
      (
        await importFile(
          writeJsonl(
            "trip.jsonl",
            Array.from({ length: 30 }, (_, i) => row(i)),
          ),
          a,
        )
      ).code,
    ).toBe(0);
    // Reviews written here (not imported): one live, one with a reply, one rejected.
    await api.gql(`mutation { putProduct(input: { id: "live", name: "Live product" }) { id } }`, {}, a.key);
    const live = await api.gql(
      SUBMIT,
      { input: review("live", 4, { reviewer: { name: "Live Person", externalId: "lp-1" }, language: "de-CH" }) },
      a.key,
    );
    const liveId = live.data.submitReview.review.id as string;
    const first = (await exportLines(a)) as Record<string, any>[];
    expect(first).toHaveLength(31);
    // The length the CLI's progress bar expects, from the shop's counters: the imported reviews and the one written here.
    const head = await fetch(`${api.url}/export/reviews`, { headers: { authorization: `Bearer ${a.key}` } });
    expect(head.headers.get("x-starling-review-count")).toBe("31");
    await head.body?.cancel();
    const liveLine = first.find((l) => l.id === liveId)!;
    expect(liveLine).toMatchObject({
      sourceId: liveId,
      productName: "Live product",
      provenance: "ORGANIC",
      status: "PUBLISHED",
      language: "de-CH",
      customerId: "lp-1",
      verified: false,
    });
    for (const l of first)
      expect(
        Object.keys(l).every((k) =>
          [
            "sourceId",
            "productId",
            "productName",
            "rating",
            "title",
            "body",
            "reviewerName",
            "customerId",
            "createdAt",
            "verified",
            "language",
            "reply",
            "id",
            "status",
            "provenance",
          ].includes(k),
        ),
      ).toBe(true);
    expect(first.find((l) => l.sourceId === "src-5")).toMatchObject(row(5));

    const file = path.join(dir, "trip-export.jsonl");
    writeFileSync(file, first.map((l) => JSON.stringify(l)).join("\n"));
    // Into the same shop: every review is there already (the live one by its id).
    const same = await importFile(file, a);
    expect(same.stderr).toMatch(/0 imported, 31 already present, 0 rejected/);
    // Into a new shop: the same import fields for every review.
    const b = await api.newShop("Round trip B");
    const into = await importFile(file, b);
    expect(into.stderr).toMatch(/31 imported, 0 already present, 0 rejected/);
    const second = (await exportLines(b)) as Record<string, any>[];
    expect(importFields(second)).toEqual(importFields(first));
    expect(second.every((l) => l.provenance === "IMPORTED")).toBe(true);
  });

  it("is the key's shop only: a key of shop A cannot export shop B's reviews or import into shop B", async () => {
    const a = await api.newShop("Tenant A");
    const b = await api.newShop("Tenant B");
    expect(...exitOk(await importFile(writeJsonl("tenant-b.jsonl", [row(1), row(2)]), b))).toBe(0);
    const bLines = (await exportLines(b)) as Record<string, any>[];
    expect(await exportLines(a)).toEqual([]);
    // A's key with B's rows (B's sourceIds and B's review ids): new reviews in A, B untouched.
    const r = await importFile(
      writeJsonl(
        "tenant-cross.jsonl",
        bLines.map((l) => ({ ...l, sourceId: l.id })),
      ),
      a,
    );
    expect(r.stderr).toMatch(/2 imported, 0 already present/);
    expect(await exportLines(b)).toEqual(bLines);
    expect((await exportLines(a)) as unknown[]).toHaveLength(2);
    const res = await fetch(`${api.url}/export/reviews`, { headers: { authorization: `Bearer ${a.publishableKey}` } });
    expect(res.status).toBe(403);
    expect((await res.json()).errors[0].extensions.code).toBe("FORBIDDEN");
    const anon = await fetch(`${api.url}/export/reviews`);
    expect(anon.status).toBe(401);
    const bad = await cli(["export", "--endpoint", api.url, "--key", "sk_not_a_key"]);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(/UNAUTHENTICATED/);
  });

  it("reads only the shop's own reviews: every query it sends is an index range, never a scan of the collection", async () => {
    // Two shops: the export of one must not read the other's reviews (on FerretDB, `find({shopId})` decoded every review of the database).
    const mine = await api.newShop("Export cost");
    const other = await api.newShop("Export cost, other shop");
    const rows = Array.from({ length: 40 }, (_, i) => row(i, { productId: `cost-${i % 4}`, productName: `Cost ${i % 4}` }));
    expect(...exitOk(await importFile(writeJsonl("cost.jsonl", rows), mine))).toBe(0);
    expect(...exitOk(await importFile(writeJsonl("cost-other.jsonl", rows), other))).toBe(0);
    const { result: lines, sent } = await queriesSentDuring(async () => (await exportLines(mine)) as Record<string, any>[]);
    expect(lines.map((l) => l.sourceId).sort()).toEqual(rows.map((r) => r.sourceId).sort());
    expect(lines.every((l) => l.productName === `Cost ${Number(l.productId.split("-")[1])}`)).toBe(true);
    await expectIndexRanges(sent);
    // One page of the shop's products, then one range of each product's reviews.
    expect(sent.map((q) => q.collection).sort()).toEqual(["products", "reviews", "reviews", "reviews", "reviews"]);
  });
  it("waits for a client that stops reading: the API's reads of the shop's reviews stop until it reads again", async () => {
    const shop = await api.newShop("Slow reader");
    // About 30 MB of export, far more than loopback's socket buffers and the response's own hold, so
    // a client that stops reading must stop the export long before its end. Written straight into the
    // database (as bench/export.ts seeds): 6 000 reviews through the import would take minutes here.
    const PRODUCTS = 60;
    const PER_PRODUCT = 100;
    await api.models.Product.collection.insertMany(
      Array.from({ length: PRODUCTS }, (_, p) => ({
        _id: productKey(shop.id, `slow-${p}`),
        shopId: shop.id,
        productId: `slow-${p}`,
        name: `Slow ${p}`,
        createdAt: new Date(Date.UTC(2020, 0, 1)),
      })) as never[],
    );
    for (let p = 0; p < PRODUCTS; p++) {
      const docs = Array.from({ length: PER_PRODUCT }, (_, i) =>
        withPageKeys({
          _id: importedReviewId(shop.id, `slow-${p}-${i}`),
          shopId: shop.id,
          productId: `slow-${p}`,
          rating: 4,
          title: "Long",
          body: `${p}.${i} ${"fits well and feels soft ".repeat(200)}`,
          reviewer: { name: "Reader", externalId: null },
          language: "en",
          provenance: "IMPORTED",
          source: "api",
          createdAt: new Date(Date.UTC(2020, 0, 1) + (p * PER_PRODUCT + i) * DAY),
          payloadHash: "slow",
          verification: null,
          status: "published",
          reply: null,
          summaryApplied: true,
          sourceId: `slow-${p}-${i}`,
        } as ReviewDoc),
      );
      await api.models.Review.collection.insertMany(docs as never[]);
    }
    // The export's response, as the server holds it, and the review reads it sends (mongoose's debug hook).
    let served: ServerResponse | undefined;
    const onRequest = (req: IncomingMessage, res: ServerResponse) => {
      if (req.url?.startsWith("/export/reviews")) served = res;
    };
    api.starling.server.on("request", onRequest);
    let reads = 0;
    mongoose.set("debug", (collection: string, method: string) => {
      if (collection === "reviews" && method === "find") reads++;
    });
    try {
      const res = await new Promise<IncomingMessage>((resolve, reject) =>
        get(`${api.url}/export/reviews`, { headers: { authorization: `Bearer ${shop.key}` } }, resolve).on("error", reject),
      );
      res.pause(); // and read nothing: the kernel's buffers fill, then the response's
      expect(res.statusCode).toBe(200);
      // The export waits for the client: for the response to drain, before its next read.
      expect(await until(() => (served?.listenerCount("drain") ?? 0) > 0, 120_000)).toBe(true);
      const readWhileWaiting = reads;
      expect(readWhileWaiting).toBeGreaterThan(0);
      expect(readWhileWaiting).toBeLessThan(PRODUCTS / 2);
      // Once the client reads again, the rest follows: every review, one read per product.
      res.resume();
      let lines = 0;
      for await (const text of createInterface({ input: res, crlfDelay: Infinity })) if (text) lines++;
      expect(lines).toBe(PRODUCTS * PER_PRODUCT);
      expect(reads).toBe(PRODUCTS);
    } finally {
      mongoose.set("debug", false);
      api.starling.server.off("request", onRequest);
    }
  });
});

describe("finishImport", () => {
  it("reads only the shop's own reviews: every query its replay of the history sends is an index range, never a scan of the collection", async () => {
    const IMPORT = `mutation($rows: [ImportReviewRow!]!) { importReviews(rows: $rows) { outcome } }`;
    const FINISH = `mutation { finishImport { reviews products } }`;
    const mine = await api.newShop("History cost");
    const other = await api.newShop("History cost, other shop");
    const rows = Array.from({ length: 40 }, (_, i) => row(i, { productId: `hist-${i % 4}`, productName: `Hist ${i % 4}` }));
    expect(...exitOk(await importFile(writeJsonl("hist.jsonl", rows), mine))).toBe(0);
    expect(...exitOk(await importFile(writeJsonl("hist-other.jsonl", rows), other))).toBe(0);
    // More rows for the shop that has reviews now: the end of this import replays the stored ones with them.
    const more = Array.from({ length: 10 }, (_, i) => row(200 + i, { productId: `hist-${i % 4}`, productName: `Hist ${i % 4}` }));
    expect((await api.gql(IMPORT, { rows: more }, mine.key)).errors).toBeUndefined();
    const { result: finished, sent } = await queriesSentDuring(async () => (await api.gql(FINISH, {}, mine.key)).data.finishImport);
    // Every review of the shop replayed: the 40 stored and the 10 arriving.
    expect(finished).toEqual({ reviews: 50, products: 4 });
    await expectIndexRanges(sent);
    // One page of the shop's products, then one range of each product's reviews.
    expect(sent.map((q) => q.collection).sort()).toEqual(["products", "reviews", "reviews", "reviews", "reviews"]);
    expect(importFields((await exportLines(mine)) as Record<string, any>[])).toEqual(importFields([...rows, ...more]));
  });
});

describe("a killed import", () => {
  it("run again after kill -9 ends in the same state as one uninterrupted run", async () => {
    // Hours apart, all in the past (row()'s three days apart would run past today, and future dates are refused).
    // Three batches (IMPORT_BATCH_ROWS): killed after the first is stored, before the last is.
    const rows = Array.from({ length: 1500 }, (_, i) =>
      row(i, {
        productId: `kill-${i % 11}`,
        // One name per product: with names that differ between rows, the batch stored first names it, and batches race.
        productName: `Kill ${i % 11}`,
        createdAt: new Date(Date.UTC(2020, 0, 1) + i * 3_600_000).toISOString(),
      }),
    );
    const file = writeJsonl("kill.jsonl", rows);
    const killed = await api.newShop("Killed");
    const run = spawnCli(["import", file, "--endpoint", api.url, "--key", killed.key], { LOG_LEVEL: "error" });
    // Killed once some rows are stored and before the end.
    let exited = false;
    void run.exited.then(() => (exited = true));
    const reached = await until(async () => exited || (await waitingRows(killed.id)) >= 500, 360_000);
    expect(reached, run.stderr()).toBe(true);
    expect(exited, run.stderr()).toBe(false);
    run.child.kill("SIGKILL");
    expect((await run.exited).signal).toBe("SIGKILL");
    expect(await api.models.Review.countDocuments({ shopId: killed.id })).toBe(0);

    const rerun = await importFile(file, killed);
    expect(rerun.code, rerun.stderr).toBe(0);
    expect(rerun.stderr).toMatch(/already present/);
    const clean = await api.newShop("Uninterrupted");
    expect(...exitOk(await importFile(file, clean))).toBe(0);

    expect(importFields((await exportLines(killed)) as Record<string, any>[])).toEqual(
      importFields((await exportLines(clean)) as Record<string, any>[]),
    );
    for (const p of ["kill-0", "kill-5"]) {
      const x = (await api.gql(RATING, { id: p }, killed.key)).data.product.rating;
      const y = (await api.gql(RATING, { id: p }, clean.key)).data.product.rating;
      // The prior too: the shop's fitted prior strength is stored whether or not the shop had a summary before.
      expect(x).toEqual(y);
      expect(x.count).toBeGreaterThan(120);
    }
    expect(await api.models.ImportPending.countDocuments({ shopId: killed.id })).toBe(0);
  }, 900_000);

  it("a finishImport cut off before it cleared the waiting batches, run again, stores nothing twice; rows waiting as older versions stored them are moved too", async () => {
    const IMPORT = `mutation($rows: [ImportReviewRow!]!) { importReviews(rows: $rows) { outcome } }`;
    const FINISH = `mutation { finishImport { reviews products } }`;
    const shop = await api.newShop("Finish twice");
    const rows = Array.from({ length: 30 }, (_, i) => row(i, { productId: `twice-${i % 3}`, productName: `Twice ${i % 3}` }));
    const first = await api.gql(IMPORT, { rows }, shop.key);
    expect(first.data.importReviews.map((r: { outcome: string }) => r.outcome)).toEqual(rows.map(() => "IMPORTED"));
    // The same batch again before the end: it waits already.
    const again = await api.gql(IMPORT, { rows }, shop.key);
    expect(again.data.importReviews.map((r: { outcome: string }) => r.outcome)).toEqual(rows.map(() => "ALREADY_PRESENT"));
    const pending = api.models.ImportPending.collection;
    const batches = await pending.find({ shopId: shop.id } as never).toArray();
    expect(batches).toHaveLength(1);
    expect(batches[0]!.count).toBe(30);

    expect((await api.gql(FINISH, {}, shop.key)).data.finishImport).toEqual({ reviews: 30, products: 3 });
    const lines = (await exportLines(shop)) as Record<string, any>[];
    const ratings = await Promise.all(
      ["twice-0", "twice-1", "twice-2"].map(async (p) => (await api.gql(RATING, { id: p }, shop.key)).data),
    );
    // Cut off after storing the reviews, before deleting what waited: the batch is still there.
    await pending.insertMany(batches);
    expect((await api.gql(FINISH, {}, shop.key)).data.finishImport).toEqual({ reviews: 30, products: 3 });
    expect(await api.models.Review.countDocuments({ shopId: shop.id })).toBe(30);
    expect(await exportLines(shop)).toEqual(lines);
    expect(
      await Promise.all(["twice-0", "twice-1", "twice-2"].map(async (p) => (await api.gql(RATING, { id: p }, shop.key)).data)),
    ).toEqual(ratings);
    expect(await pending.countDocuments({ shopId: shop.id } as never)).toBe(0);

    // What older versions left waiting: a batch as deflated Extended JSON (`rows`), and a row per document, the review as Extended JSON text.
    const more = Array.from({ length: 6 }, (_, i) => row(100 + i, { productId: "twice-0", productName: "Twice 0" }));
    await api.gql(IMPORT, { rows: more }, shop.key);
    const [batch] = await pending.find({ shopId: shop.id } as never).toArray();
    const docs = BSON.deserialize(inflateRawSync(batch!.reviews.buffer)).reviews as { _id: string }[];
    expect(docs.map((d) => d._id).sort()).toEqual(more.map((r) => importedReviewId(shop.id, r.sourceId)).sort());
    await pending.deleteMany({ shopId: shop.id } as never);
    await pending.insertMany([
      {
        _id: `${shop.id}:older`,
        shopId: shop.id,
        count: 3,
        rows: deflateRawSync(BSON.EJSON.stringify(docs.slice(0, 3), { relaxed: true })),
      },
      ...docs.slice(3).map((d) => ({ _id: d._id, shopId: shop.id, review: BSON.EJSON.stringify(d, { relaxed: true }) })),
    ] as never[]);
    expect((await api.gql(FINISH, {}, shop.key)).data.finishImport).toEqual({ reviews: 36, products: 3 });
    const after = (await exportLines(shop)) as Record<string, any>[];
    expect(importFields(after)).toEqual(importFields([...lines, ...more.map((r) => ({ ...r }))]));
    expect(await pending.countDocuments({ shopId: shop.id } as never)).toBe(0);
  });
});

describe("the documented command", () => {
  it("runs from the repo root through pnpm, with STARLING_ENDPOINT and STARLING_KEY, FILE and --rejects relative to the repo root", async () => {
    const shop = await api.newShop("pnpm shop");
    const file = writeJsonl("pnpm.jsonl", [row(1), row(2), { ...row(3), rating: 9 }]);
    // Paths as typed at the repo root: pnpm runs the script in packages/api, where they name nothing.
    const typed = (f: string) => path.relative(REPO_ROOT, f);
    const rejects = path.join(dir, "pnpm-rejects.jsonl");
    const { stderr } = await promisify(execFile)(
      "sh",
      ["scripts/pnpm.sh", "-s", "--filter", "@starling/api", "cli", "import", typed(file), "--rejects", typed(rejects)],
      { cwd: REPO_ROOT, env: { ...process.env, STARLING_ENDPOINT: api.url, STARLING_KEY: shop.key } },
    );
    expect(stderr).toMatch(/2 imported, 0 already present, 1 rejected/);
    expect(readFileSync(rejects, "utf8")).toMatch(/"line":3,"error":"INVALID_INPUT","field":"rating"/);
  });
});
