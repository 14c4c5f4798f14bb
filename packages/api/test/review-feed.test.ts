/**
 * Google's product review feed (issue 15 item 2): GET
 * /shops/<shopId>/feeds/google-product-reviews.xml against the real server and
 * database, each feed checked with xmllint against Google's schema
 * (shared/reference/google-product-reviews.xsd).
 */
import { execFileSync, spawnSync } from "node:child_process";
import http from "node:http";
import { mkdtempSync, writeFileSync, existsSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { REPO_ROOT } from "../src/config.js";
import { withPageKeys } from "../src/features/reviews/review-pages.js";
import { FEED_VERSION, xmlText } from "../src/features/feed/google-reviews.js";
import { feedProductFilter, feedReviewFilter } from "../src/features/feed/shop-reviews.js";
import { SUBMIT, review, startTestApi, type TestApi, type TestShop } from "./helpers.js";

const XSD = [
  path.join(REPO_ROOT, "../shared/reference/google-product-reviews.xsd"),
  "/work/shared/reference/google-product-reviews.xsd",
].find((p) => existsSync(p))!;
const dir = mkdtempSync(path.join(os.tmpdir(), "starling-feed-"));
let fileNo = 0;

/** Runs xmllint's schema validation on a feed; returns its exit code and messages. */
function validate(xml: string): { ok: boolean; messages: string; file: string } {
  const file = path.join(dir, `feed-${++fileNo}.xml`);
  writeFileSync(file, xml);
  const r = spawnSync("xmllint", ["--noout", "--schema", XSD, file], { encoding: "utf8" });
  if (r.error) throw r.error;
  return { ok: r.status === 0, messages: r.stderr, file };
}

/** An XPath value of a feed file, read by xmllint (a real XML parser, not our own writer's idea of it). */
function xpath(file: string, expr: string): string {
  // xmllint ends what it prints with one newline of its own.
  return execFileSync("xmllint", ["--xpath", expr, file], { encoding: "utf8" }).replace(/\n$/, "");
}

const PUT = `mutation($i: PutProductInput!) { putProduct(input: $i) { id name gtin mpn sku brand url } }`;
const MODERATE = `mutation($i: ModerateReviewInput!) { moderateReview(input: $i) { id status } }`;
const feedUrl = (shopId: string) => `${api.url}/shops/${encodeURIComponent(shopId)}/feeds/google-product-reviews.xml`;

let api: TestApi;
let other: TestShop;
const published: string[] = [];
let rejectedId: string;
let hostileId: string;
let storedHostileId: string;

async function submit(productId: string, stars: number, extra: Record<string, unknown> = {}, key?: string): Promise<string> {
  const r = await api.gql(SUBMIT, { input: review(productId, stars, extra) }, key);
  expect(r.errors).toBeUndefined();
  return r.data.submitReview.review.id;
}

beforeAll(async () => {
  // Two reviews per read: a product's reviews and the shop's products span several batches.
  api = await startTestApi({ feedBatch: 2 });
  other = await api.newShop("Other shop");
  const put = async (input: Record<string, unknown>, key = api.shop.key) => {
    const r = await api.gql(PUT, { i: input }, key);
    expect(r.errors).toBeUndefined();
  };
  await put({
    id: "tent",
    name: "Trail Tent 2",
    gtin: "4006381333931",
    mpn: "TT-2",
    sku: "SKU-TENT-2",
    brand: "Acme & Sons",
    url: "https://shop.example/p/tent?x=1&y=2",
  });
  await put({ id: "mug", name: "Camp Mug", url: "https://shop.example/p/mug" });
  await put({ id: "lamp", name: "Lamp" }); // no url: left out
  await put({ id: "stove", name: "Stove", url: "https://shop.example/p/stove" });
  // The other shop has a product with the same id and its own page.
  await put({ id: "tent", name: "Their Tent", gtin: "96385074", url: "https://other.example/tent" }, other.key);
  for (const s of [5, 4, 3, 5, 2]) published.push(await submit("tent", s));
  for (const s of [1, 4]) published.push(await submit("mug", s));
  await submit("lamp", 5);
  rejectedId = await submit("stove", 1, { title: "Rejected one" });
  const rej = await api.gql(MODERATE, { i: { reviewId: rejectedId, action: "REJECT", reason: "SPAM" } });
  expect(rej.data.moderateReview.status).toBe("REJECTED");
  hostileId = await submit("mug", 3, {
    title: "Tags <b>&amp; ]]> \"quotes\" 'apos'",
    body: "Line one\r\nline two & <script>alert(1)</script> ]]> end \uFFFE\uFFFF",
    reviewer: { name: "Zoë <Admin> & Co" },
  });
  published.push(hostileId);
  await submit("tent", 4, { reviewer: { name: "Other customer" } }, other.key);
  // A review stored with characters input validation refuses today (an older
  // version's data, or an import): the feed must stay valid XML whatever is stored.
  const doc = withPageKeys({
    _id: "legacy-control-chars",
    shopId: api.shop.id,
    productId: "tent",
    rating: 4,
    createdAt: new Date("2024-01-02T03:04:05Z"),
  });
  await api.models.Review.collection.insertOne({
    ...doc,
    title: "Bell\u0007 and escape\u001B",
    body: "Vertical\u000Btab, form\u000Cfeed, unit\u001Fseparator",
    reviewer: { name: "Legacy\u0001Name", externalId: "cust-legacy", email: "legacy@example.com" },
    language: null,
    provenance: "IMPORTED",
    source: "api",
    payloadHash: "x",
    status: "published",
    reply: null,
    summaryApplied: false,
    verification: null,
  } as never);
  storedHostileId = doc._id;
  published.push(storedHostileId);
}, 120_000);

afterAll(async () => {
  await api?.close();
});

async function fetchFeed(shopId = api.shop.id, headers: Record<string, string> = {}) {
  const res = await fetch(feedUrl(shopId), { headers });
  return { res, body: await res.text() };
}

describe("Google product review feed", () => {
  it("is valid against Google's schema (xmllint), version 2.3, with only the shop's published reviews", async () => {
    const { res, body } = await fetchFeed();
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toBe("application/xml; charset=utf-8");
    const v = validate(body);
    expect(v.messages).toContain("validates");
    expect(v.ok).toBe(true);
    expect(xpath(v.file, "string(/feed/version)")).toBe(FEED_VERSION);
    expect(FEED_VERSION).toBe("2.3");
    const ids = xpath(v.file, "/feed/reviews/review/review_id/text()").trim().split("\n").sort();
    expect(ids).toEqual([...published].sort());
    expect(body).not.toContain(rejectedId);
    expect(body).not.toContain("Their Tent");
    expect(body).not.toContain("other.example");
    expect(body).not.toContain("Other customer");
    // What the shop knows about the person never goes out.
    expect(body).not.toContain("cust-legacy");
    expect(body).not.toContain("legacy@example.com");
    expect(body).toMatch(/<!-- 1 product\(s\) without a url left out/);
    expect(xpath(v.file, "string(/feed/publisher/name)")).toBe("Test shop");
  });

  it("writes each product's identifiers and page, and each review's stars, date and reviewer's display name", async () => {
    const v = validate((await fetchFeed()).body);
    const first = `/feed/reviews/review[review_id="${published[0]}"]`;
    expect(xpath(v.file, `string(${first}/products/product/product_ids/gtins/gtin)`)).toBe("4006381333931");
    expect(xpath(v.file, `string(${first}/products/product/product_ids/mpns/mpn)`)).toBe("TT-2");
    expect(xpath(v.file, `string(${first}/products/product/product_ids/skus/sku)`)).toBe("SKU-TENT-2");
    expect(xpath(v.file, `string(${first}/products/product/product_ids/brands/brand)`)).toBe("Acme & Sons");
    expect(xpath(v.file, `string(${first}/products/product/product_name)`)).toBe("Trail Tent 2");
    expect(xpath(v.file, `string(${first}/products/product/product_url)`)).toBe("https://shop.example/p/tent?x=1&y=2");
    expect(xpath(v.file, `string(${first}/review_url)`)).toBe("https://shop.example/p/tent?x=1&y=2");
    expect(xpath(v.file, `string(${first}/ratings/overall)`)).toBe("5");
    expect(xpath(v.file, `string(${first}/ratings/overall/@max)`)).toBe("5");
    expect(xpath(v.file, `string(${first}/reviewer/name)`)).toBe("Test Reviewer");
    expect(xpath(v.file, `string(${first}/collection_method)`)).toBe("unsolicited");
    expect(xpath(v.file, `count(/feed/reviews/review[products/product/product_url="https://shop.example/p/mug"])`)).toBe("3");
    // A product without identifiers has no product_ids element (the schema allows none).
    expect(
      xpath(v.file, `count(/feed/reviews/review[products/product/product_url="https://shop.example/p/mug"]/products/product/product_ids)`),
    ).toBe("0");
  });

  it("escapes hostile text so that a parser reads back exactly what was written (&, <, ]]>, quotes, CR)", async () => {
    const { body } = await fetchFeed();
    expect(body).not.toContain("]]>");
    expect(body).not.toContain("<script>");
    const v = validate(body);
    expect(v.ok).toBe(true);
    const r = `/feed/reviews/review[review_id="${hostileId}"]`;
    expect(xpath(v.file, `string(${r}/title)`)).toBe("Tags <b>&amp; ]]> \"quotes\" 'apos'");
    expect(xpath(v.file, `string(${r}/reviewer/name)`)).toBe("Zoë <Admin> & Co");
    // U+FFFE and U+FFFF cannot be written in XML 1.0 at all: each becomes U+FFFD; the CR survives as &#13;.
    expect(xpath(v.file, `string(${r}/content)`)).toBe("Line one\r\nline two & <script>alert(1)</script> ]]> end \uFFFD\uFFFD");
  });

  it("stays valid XML when stored text holds control characters XML 1.0 cannot carry (each becomes U+FFFD)", async () => {
    const v = validate((await fetchFeed()).body);
    expect(v.ok).toBe(true);
    const r = `/feed/reviews/review[review_id="${storedHostileId}"]`;
    expect(xpath(v.file, `string(${r}/title)`)).toBe("Bell\uFFFD and escape\uFFFD");
    expect(xpath(v.file, `string(${r}/content)`)).toBe("Vertical\uFFFDtab, form\uFFFDfeed, unit\uFFFDseparator");
    expect(xpath(v.file, `string(${r}/reviewer/name)`)).toBe("Legacy\uFFFDName");
    expect(xpath(v.file, `count(${r}/collection_method)`)).toBe("0"); // imported: not known how it was collected
  });

  it("xmlText maps every character XML 1.0 forbids to U+FFFD and escapes the five markup characters", () => {
    const forbidden = [...Array(32).keys()].filter((c) => c !== 9 && c !== 10 && c !== 13).map((c) => String.fromCharCode(c));
    for (const ch of [...forbidden, "\uFFFE", "\uFFFF", "\uD800", "\uDFFF"]) expect(xmlText(`a${ch}b`)).toBe("a\uFFFDb");
    expect(xmlText("\uD83D\uDE00")).toBe("\uD83D\uDE00"); // a surrogate pair is one real character
    expect(xmlText(`&<>"'\r]]>`)).toBe("&amp;&lt;&gt;&quot;&apos;&#13;]]&gt;");
    expect(xmlText("tab\tnew\nline")).toBe("tab\tnew\nline");
  });

  it("has an ETag: a matching If-None-Match is a 304 without a body, and a change gives a new ETag", async () => {
    const first = await fetchFeed();
    const etag = first.res.headers.get("etag")!;
    expect(etag).toMatch(/^"[A-Za-z0-9_-]{32}"$/);
    expect(first.res.headers.get("cache-control")).toBe("public, max-age=900");
    const again = await fetchFeed(api.shop.id, { "if-none-match": etag });
    expect(again.res.status).toBe(304);
    expect(again.body).toBe("");
    expect((await fetchFeed(api.shop.id, { "if-none-match": `W/${etag}` })).res.status).toBe(304);
    // "*" names no answer (as for GraphQL GETs): the feed is sent.
    expect((await fetchFeed(api.shop.id, { "if-none-match": "*" })).res.status).toBe(200);

    const etags = [etag];
    const expectNew = async (what: string) => {
      const r = await fetchFeed(api.shop.id, { "if-none-match": etags.at(-1)! });
      expect(r.res.status, what).toBe(200);
      const e = r.res.headers.get("etag")!;
      expect(etags, what).not.toContain(e);
      etags.push(e);
      expect(validate(r.body).ok, what).toBe(true);
      return r.body;
    };
    const id = await submit("stove", 4);
    expect(await expectNew("a new review")).toContain(id);
    await api.gql(MODERATE, { i: { reviewId: id, action: "REJECT", reason: "SPAM" } });
    expect(await expectNew("a review removed")).not.toContain(id);
    await submit("stove", 5, { body: "The stove boils water in four minutes." });
    etags.push((await fetchFeed()).res.headers.get("etag")!);
    await api.gql(PUT, { i: { id: "stove", name: "Stove", url: "https://shop.example/p/stove-2" } });
    expect(await expectNew("a product's page moved")).toContain("https://shop.example/p/stove-2");
    // The other shop's writes do not change this shop's feed.
    await submit("tent", 2, { body: "Their tent leaked on the second night out." }, other.key);
    expect((await fetchFeed(api.shop.id, { "if-none-match": etags.at(-1)! })).res.status).toBe(304);
  });

  it("lists reviews erased at the reviewer's request as deleted_reviews, and no longer as reviews", async () => {
    const id = await submit("tent", 1, { reviewer: { name: "Erin Erased", externalId: "cust-erase-me" } });
    expect((await fetchFeed()).body).toContain(id);
    const r = await api.gql(`mutation($r: ReviewerRefInput!, $m: ErasureMode!) { eraseReviewerData(reviewer: $r, mode: $m) { reviews } }`, {
      r: { externalId: "cust-erase-me" },
      m: "DELETE",
    });
    expect(r.data.eraseReviewerData.reviews).toBe(1);
    const v = validate((await fetchFeed()).body);
    expect(v.ok).toBe(true);
    expect(xpath(v.file, `count(/feed/reviews/review[review_id="${id}"])`)).toBe("0");
    expect(xpath(v.file, "/feed/deleted_reviews/review_id/text()").trim().split("\n")).toContain(id);
    expect(xpath(v.file, "string(/feed)")).not.toContain("Erin Erased");
  });

  it('keeps an anonymised review (as "Former customer"), not in deleted_reviews', async () => {
    const id = await submit("mug", 4, { reviewer: { name: "Ana Nonym", externalId: "cust-anonymise-me" }, body: "Kept, without my name." });
    const r = await api.gql(`mutation($r: ReviewerRefInput!, $m: ErasureMode!) { eraseReviewerData(reviewer: $r, mode: $m) { reviews } }`, {
      r: { externalId: "cust-anonymise-me" },
      m: "ANONYMISE",
    });
    expect(r.data.eraseReviewerData.reviews).toBe(1);
    const v = validate((await fetchFeed()).body);
    expect(v.ok).toBe(true);
    expect(xpath(v.file, `string(/feed/reviews/review[review_id="${id}"]/reviewer/name)`)).toBe("Former customer");
    expect(xpath(v.file, `count(/feed/deleted_reviews/review_id[text()="${id}"])`)).toBe("0");
    expect(xpath(v.file, "string(/feed)")).not.toContain("Ana Nonym");
  });

  it("of another shop shows that shop's reviews and products only (same product id, its own page)", async () => {
    const v = validate((await fetchFeed(other.id)).body);
    expect(v.ok).toBe(true);
    expect(xpath(v.file, "string(/feed/publisher/name)")).toBe("Other shop");
    expect(xpath(v.file, "count(/feed/reviews/review)")).toBe("2");
    expect(xpath(v.file, "string(/feed/reviews/review[1]/products/product/product_url)")).toBe("https://other.example/tent");
    expect(xpath(v.file, "string(/feed/reviews/review[1]/products/product/product_ids/gtins/gtin)")).toBe("96385074");
    for (const id of published) expect(v.file && xpath(v.file, `count(//review[review_id="${id}"])`)).toBe("0");
  });

  it("of an unknown shop is a 404 with the NOT_FOUND code", async () => {
    for (const id of ["shop_nope", "x".repeat(300), "shop_%00", api.shop.id.toUpperCase()]) {
      const { res, body } = await fetchFeed(id);
      expect(res.status, id).toBe(404);
      expect(res.headers.get("content-type")).toMatch(/^application\/json/);
      expect(JSON.parse(body).errors[0].extensions.code).toBe("NOT_FOUND");
    }
  });

  it("of a shop with no product page yet is a valid feed with no reviews", async () => {
    const empty = await api.newShop("Empty & new");
    const v = validate((await fetchFeed(empty.id)).body);
    expect(v.messages).toContain("validates");
    expect(xpath(v.file, "count(/feed/reviews)")).toBe("0");
    expect(xpath(v.file, "string(/feed/publisher/name)")).toBe("Empty & new");
  });
});

describe("putProduct's feed identifiers", () => {
  const get = async () => (await api.gql(`query { product(id: "tent") { gtin mpn sku brand url } }`)).data.product;

  it("refuses a bad GTIN, URL, or blank text with INVALID_INPUT naming the field, and changes nothing", async () => {
    const before = await get();
    const cases: [Record<string, unknown>, string][] = [
      [{ gtin: "4006381333932" }, "gtin"], // check digit should be 1
      [{ gtin: "96385075" }, "gtin"],
      [{ gtin: "400638133393" }, "gtin"], // 12 digits, wrong check digit
      [{ gtin: "4006-3813-3393-1" }, "gtin"],
      [{ gtin: "12345" }, "gtin"],
      [{ url: "ftp://shop.example/tent" }, "url"],
      [{ url: "javascript:alert(1)" }, "url"],
      [{ url: "data:text/html,hi" }, "url"],
      [{ url: "/p/tent" }, "url"],
      [{ url: "https://localhost/tent" }, "url"],
      [{ url: "https://user:pw@shop.example/tent" }, "url"],
      [{ url: "https://shop.example/a b" }, "url"],
      [{ url: `https://shop.example/${"a".repeat(2001)}` }, "url"],
      [{ brand: "   " }, "brand"],
      [{ mpn: "x".repeat(71) }, "mpn"],
      [{ sku: "bad\u0007sku" }, "sku"],
    ];
    for (const [fields, field] of cases) {
      const r = await api.gql(PUT, { i: { id: "tent", name: "Renamed", ...fields } });
      expect(r.errors?.[0]?.extensions, JSON.stringify(fields)).toMatchObject({ code: "INVALID_INPUT", field });
    }
    expect(await get()).toEqual(before);
    expect((await api.gql(`query { product(id: "tent") { name } }`)).data.product.name).toBe("Trail Tent 2");
  });

  it("keeps what is left out, clears what is null, and accepts GTIN-8/12/13/14", async () => {
    for (const gtin of ["96385074", "036000291452", "4006381333931", "10012345678902"]) {
      const r = await api.gql(PUT, { i: { id: "spare", name: "Spare", gtin } });
      expect(r.errors, gtin).toBeUndefined();
      expect(r.data.putProduct.gtin).toBe(gtin);
    }
    const kept = await api.gql(PUT, { i: { id: "spare", name: "Spare 2", brand: "Acme" } });
    expect(kept.data.putProduct).toMatchObject({ name: "Spare 2", gtin: "10012345678902", brand: "Acme" });
    const cleared = await api.gql(PUT, { i: { id: "spare", name: "Spare 2", gtin: null } });
    expect(cleared.data.putProduct).toMatchObject({ gtin: null, brand: "Acme" });
    const url = await api.gql(PUT, { i: { id: "spare", name: "Spare 2", url: "HTTPS://Shop.Example/p/spare" } });
    expect(url.data.putProduct.url).toBe("https://shop.example/p/spare");
  });
});

describe("the feed's cost", () => {
  it("reads products and reviews by index ranges, never by scanning the collection", async () => {
    const plans = [
      await api.models.Product.collection
        .find(feedProductFilter(api.shop.id, null) as never)
        .sort({ _id: 1 })
        .limit(2)
        .explain(),
      await api.models.Review.collection
        .find(feedReviewFilter(api.shop.id, "tent", null) as never)
        .sort({ pageNewest: 1 })
        .limit(2)
        .explain(),
    ];
    for (const plan of plans) {
      const text = JSON.stringify(plan.queryPlanner);
      if (inject("backend") === "ferretdb") {
        expect(text).toMatch(/SEARCH \S+ USING INDEX/);
        expect(text).not.toMatch(/\bSCAN\b/);
        expect(text).not.toMatch(/TEMP B-TREE/);
      } else {
        expect(text).toMatch(/IXSCAN|IDHACK/);
        expect(text).not.toMatch(/COLLSCAN/);
      }
    }
  });

  it("is written for one request per shop at a time (429 with Retry-After for more), and a client that leaves frees its slot", async () => {
    // A shop large enough that its feed cannot fit in the socket's buffers: a client that stops reading holds the stream open.
    const big = await api.newShop("Big shop");
    await api.gql(PUT, { i: { id: "crate", name: "Crate", url: "https://big.example/crate" } }, big.key);
    const body = "A long review of a crate. ".repeat(60);
    const docs = Array.from({ length: 4_000 }, (_, i) => ({
      ...withPageKeys({
        _id: `big-${i}`,
        shopId: big.id,
        productId: "crate",
        rating: 1 + (i % 5),
        createdAt: new Date(Date.UTC(2024, 0, 1) + i * 60_000),
      }),
      title: `Crate review ${i}`,
      body,
      reviewer: { name: `Reviewer ${i}`, externalId: null, email: null },
      language: null,
      provenance: "ORGANIC",
      source: "api",
      payloadHash: "x",
      status: "published",
      reply: null,
      summaryApplied: false,
      verification: null,
    }));
    await api.models.Review.collection.insertMany(docs as never[]);

    // A client that reads the headers and then nothing.
    const slow = await new Promise<{ req: http.ClientRequest; res: http.IncomingMessage }>((resolve, reject) => {
      const req = http.get(feedUrl(big.id), (res) => {
        res.pause();
        resolve({ req, res });
      });
      req.on("error", reject);
    });
    expect(slow.res.statusCode).toBe(200);
    const busy = await fetchFeed(big.id);
    expect(busy.res.status).toBe(429);
    expect(busy.res.headers.get("retry-after")).toBe("30");
    expect(JSON.parse(busy.body).errors[0].extensions.code).toBe("RATE_LIMITED");
    // Another shop's feed is not held up by it.
    expect((await fetchFeed()).res.status).toBe(200);
    // A conditional request whose ETag is current is still answered: a 304 costs no stream.
    expect((await fetchFeed(big.id, { "if-none-match": slow.res.headers.etag! })).res.status).toBe(304);

    // Once the client leaves, the reads stop and the slot is free again (asked until it is: no fixed wait).
    slow.req.destroy();
    let status = 0;
    const deadline = Date.now() + 30_000;
    let full = "";
    while (Date.now() < deadline) {
      const r = await fetchFeed(big.id);
      status = r.res.status;
      if (status === 200) {
        full = r.body;
        break;
      }
      await new Promise((r) => setTimeout(r, 100));
    }
    expect(status).toBe(200);
    const v = validate(full);
    expect(v.ok).toBe(true);
    expect(xpath(v.file, "count(/feed/reviews/review)")).toBe("4000");
  }, 120_000);
});
