/**
 * The dashboard's import (an upload, with progress) and export (a download),
 * issue 16, end to end in Chromium against a real API and FerretDB: the
 * rows, presets and rejects file are the CLI's (`starling import`), the
 * download is GET /export/reviews with the session cookie, and a session of
 * one shop never gets another shop's reviews.
 */
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import path from "node:path";
import { chromium, type Browser, type BrowserContext, type Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { csvRecords } from "../src/client/export.js";
import { EXPORT_FIELDS } from "../src/client/rows.js";
import { CSRF_HEADER, csrfToken, SESSION_COOKIE } from "../src/features/dashboard/sessions.js";
import { spawnCli, startTestApi, type TestApi, type TestShop } from "./helpers.js";

// A real browser, uploads and the CLI as a child process, on a busy 2-core machine.
vi.setConfig({ testTimeout: 300_000 });

const require = createRequire(import.meta.url);
const FIXTURES = path.join(path.dirname(new URL(import.meta.url).pathname), "fixtures");
const dir = mkdtempSync(path.join(tmpdir(), "starling-dashboard-io-"));

let api: TestApi;
let browser: Browser;
let axeSource: string;

beforeAll(async () => {
  api = await startTestApi();
  axeSource = await readFile(require.resolve("axe-core/axe.min.js"), "utf8");
  browser = await chromium.launch({
    executablePath: "/usr/bin/chromium",
    args: [
      "--headless",
      "--no-sandbox",
      "--disable-gpu",
      "--disable-background-networking",
      "--disable-component-update",
      "--no-first-run",
    ],
  });
}, 300_000);

afterAll(async () => {
  await browser?.close();
  await api?.close();
});

async function signIn(key: string): Promise<{ context: BrowserContext; page: Page }> {
  const context = await browser.newContext({ viewport: { width: 1200, height: 900 }, acceptDownloads: true });
  const page = await context.newPage();
  await page.goto(`${api.url}/dashboard`);
  await page.getByLabel("Secret key").fill(key);
  await page.getByRole("button", { name: "Sign in" }).click();
  await page.waitForSelector("main[data-ready]", { timeout: 60_000 });
  return { context, page };
}

async function open(page: Page, route: string): Promise<void> {
  await page.evaluate((r) => {
    document.querySelector("main")?.removeAttribute("data-ready");
    if (location.hash === r) window.dispatchEvent(new HashChangeEvent("hashchange"));
    else location.hash = r;
  }, route);
  await page.waitForSelector("main[data-ready]", { timeout: 60_000 });
}

/** Picks a file on the import page and starts the import; returns once its outcome is shown. */
async function upload(page: Page, name: string, content: string | Buffer, preset = ""): Promise<string> {
  await open(page, "#/import");
  await page
    .getByLabel("File", { exact: true })
    .setInputFiles({ name, mimeType: "application/octet-stream", buffer: Buffer.from(content) });
  if (preset) await page.getByLabel("Preset").selectOption(preset);
  await page.getByRole("button", { name: "Import", exact: true }).click();
  await page.locator("#import-finished, #import-nothing, #import-status .error").first().waitFor({ timeout: 120_000 });
  return page.locator("#import-status").innerText();
}

async function downloaded(page: Page, click: () => Promise<void>): Promise<string> {
  const [download] = await Promise.all([page.waitForEvent("download", { timeout: 60_000 }), click()]);
  const file = path.join(dir, `${Date.now()}-${download.suggestedFilename()}`);
  await download.saveAs(file);
  return readFileSync(file, "utf8");
}

const jsonl = (text: string) =>
  text
    .split("\n")
    .filter(Boolean)
    .map((l) => JSON.parse(l) as Record<string, unknown>);

async function seriousAxeViolations(page: Page) {
  await page.evaluate(axeSource);
  const r = await page.evaluate(async () => {
    const axe = (
      window as unknown as { axe: { run: (d: Document) => Promise<{ violations: { id: string; impact: string }[]; passes: unknown[] }> } }
    ).axe;
    const out = await axe.run(document);
    return { violations: out.violations.map((v) => ({ id: v.id, impact: v.impact })), passes: out.passes.length };
  });
  expect(r.passes).toBeGreaterThan(10);
  return r.violations.filter((v) => v.impact === "serious" || v.impact === "critical");
}

/** Runs `starling import` to its end. */
async function cliImport(file: string, shop: TestShop, ...more: string[]) {
  const run = spawnCli(["import", file, "--endpoint", api.url, "--key", shop.key, ...more], { LOG_LEVEL: "error" });
  const { code } = await run.exited;
  return { code, stderr: run.stderr() };
}

const CSV_HEADER = "sourceId,productId,productName,rating,title,body,reviewerName,customerId,createdAt,verified";

describe("the dashboard's import page", () => {
  it("imports an uploaded CSV with one bad row: progress completes, the summary counts, the bad row's line; the reviews show on the reviews page", async () => {
    const shop = await api.newShop("Upload shop");
    // Line 4's body has a quoted line break, so the bad row (rating "lots") is on line 6 of the file.
    const csv = [
      CSV_HEADER,
      "up-1,lamp,Desk lamp,5,Bright,The quokka lamp lights the whole desk.,Ivy,ivy,2023-04-01T10:00:00Z,true",
      "up-2,lamp,Desk lamp,4,Good,Warm light and a sturdy base.,Joe,joe,2023-04-02T10:00:00Z,false",
      'up-3,lamp,Desk lamp,3,Fine,"Two lines:\nthe switch is stiff.",Kai,kai,2023-04-03T10:00:00Z,',
      // The last record has no line break after it: the parser gives it only when the file ends.
      "up-4,lamp,Desk lamp,lots,Broken,This row's rating is not a number.,Lea,lea,2023-04-04T10:00:00Z,true",
    ].join("\n");
    const { context, page } = await signIn(shop.key);
    const outcome = await upload(page, "reviews.csv", csv);
    expect(outcome).toContain("Imported 3, already present 0, rejected 1 (of 4 rows in the file).");
    expect(outcome).toMatch(/Scored 3 reviews and rebuilt 1 product ratings/);
    // The progress bar is complete, and says so in words.
    const bar = page.getByRole("progressbar", { name: "Import progress" });
    expect(await bar.evaluate((b: HTMLProgressElement) => b.value / b.max)).toBe(1);
    expect(await bar.getAttribute("aria-valuetext")).toBe("3 of 3 rows sent");
    // The outcome is in a live region.
    expect(await page.locator("#import-status").getAttribute("aria-live")).toBe("polite");
    // The rejected row, by its line.
    const rejectRows = page.locator("#import-rejects tbody tr");
    expect(await rejectRows.count()).toBe(1);
    expect(await rejectRows.first().innerText()).toMatch(/^6\tINVALID_INPUT\trating\trating: must be a number$/);
    const rejects = jsonl(await downloaded(page, () => page.locator("#download-rejects").click()));
    expect(rejects).toEqual([
      {
        line: 6,
        error: "INVALID_INPUT",
        field: "rating",
        message: "rating: must be a number",
        row: {
          sourceId: "up-4",
          productId: "lamp",
          productName: "Desk lamp",
          rating: "lots",
          title: "Broken",
          body: "This row's rating is not a number.",
          reviewerName: "Lea",
          customerId: "lea",
          createdAt: "2023-04-04T10:00:00Z",
          verified: "true",
        },
      },
    ]);
    // Stored for this shop, with the file's own dates.
    const stored = await api.models.Review.find({ shopId: shop.id }).sort({ sourceId: 1 }).lean();
    expect(stored.map((r) => [r.sourceId, r.rating, r.createdAt.toISOString(), r.provenance])).toEqual([
      ["up-1", 5, "2023-04-01T10:00:00.000Z", "IMPORTED"],
      ["up-2", 4, "2023-04-02T10:00:00.000Z", "IMPORTED"],
      ["up-3", 3, "2023-04-03T10:00:00.000Z", "IMPORTED"],
    ]);
    expect(stored[2]!.body).toBe("Two lines:\nthe switch is stiff.");
    // The reviews page finds an imported review by a word in it.
    await open(page, "#/reviews");
    await page.getByLabel("Words").fill("quokka");
    await page.getByRole("button", { name: "Search" }).click();
    await expect.poll(() => page.locator("#results article.review").count(), { timeout: 30_000 }).toBe(1);
    expect(await page.locator("#results").innerText()).toContain("The quokka lamp lights the whole desk.");
    // The same file again imports nothing twice.
    expect(await upload(page, "reviews.csv", csv)).toContain("Imported 0, already present 3, rejected 1 (of 4 rows in the file).");
    expect(await api.models.Review.countDocuments({ shopId: shop.id })).toBe(3);
    await context.close();
  });

  it("sends a JSONL file in batches of 500, showing each batch's progress", async () => {
    const shop = await api.newShop("Batch shop");
    const rows = Array.from({ length: 1_100 }, (_, i) => ({
      sourceId: `b-${i}`,
      productId: `p-${i % 4}`,
      rating: (i % 5) + 1,
      body: `Batch review ${i} with words of its own, ${i * 31}.`,
      reviewerName: `R ${i % 50}`,
      createdAt: new Date(Date.UTC(2021, 0, 1) + i * 3_600_000).toISOString(),
    }));
    const text = `${rows.map((r) => JSON.stringify(r)).join("\r\n")}\r\n{not json}\r\n`;
    const { context, page } = await signIn(shop.key);
    await open(page, "#/import");
    // Every state the progress bar announces, as it changes.
    await page.evaluate(() => {
      const seen: string[] = [];
      (window as unknown as { seen: string[] }).seen = seen;
      new MutationObserver(() => {
        const v = document.querySelector("progress")?.getAttribute("aria-valuetext");
        if (v && seen.at(-1) !== v) seen.push(v);
      }).observe(document.querySelector("main")!, { subtree: true, attributes: true, attributeFilter: ["aria-valuetext"] });
    });
    await page
      .getByLabel("File", { exact: true })
      .setInputFiles({ name: "reviews.jsonl", mimeType: "application/x-ndjson", buffer: Buffer.from(text) });
    await page.getByRole("button", { name: "Import", exact: true }).click();
    await page.locator("#import-finished").waitFor({ timeout: 240_000 });
    expect(await page.locator("#import-status").innerText()).toContain(
      "Imported 1,100, already present 0, rejected 1 (of 1,101 rows in the file).",
    );
    const seen = await page.evaluate(() => (window as unknown as { seen: string[] }).seen);
    const sent = seen.map((s) => /^([\d,]+) (?:of [\d,]+ )?rows sent/.exec(s)?.[1]);
    expect(sent).toContain("500");
    expect(sent).toContain("1,000");
    expect(seen.at(-1)).toBe("1,100 of 1,100 rows sent");
    expect(await page.locator("#import-rejects tbody tr").innerText()).toMatch(/^1101\tMALFORMED_ROW\t\tnot valid JSON$/);
    expect(await api.models.Review.countDocuments({ shopId: shop.id })).toBe(1_100);
    await context.close();
  });

  it("maps a Judge.me export with its preset to the ids and rejects file the CLI makes for the same file", async () => {
    const shop = await api.newShop("Judge.me upload shop");
    const file = path.join(FIXTURES, "judgeme-reviews.csv");
    const { context, page } = await signIn(shop.key);
    expect(await upload(page, "judgeme.csv", readFileSync(file), "judgeme")).toContain("Imported 4, already present 0, rejected 1");
    const browserRejects = await downloaded(page, () => page.locator("#download-rejects").click());
    await context.close();
    // The CLI, with node's stack, derives the same source ids: every row is already there.
    const cliRejects = path.join(dir, "judgeme-cli-rejects.jsonl");
    const r = await cliImport(file, shop, "--preset", "judgeme", "--rejects", cliRejects);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/0 imported, 4 already present, 1 rejected/);
    expect(browserRejects).toBe(readFileSync(cliRejects, "utf8"));
    expect(jsonl(browserRejects)).toMatchObject([{ line: 7, error: "INVALID_INPUT", field: "rating" }]);
  });

  it("names the line each CSV record starts on, as the CLI does: CRLF, quoted line breaks, blank lines, records that do not parse", async () => {
    const shop = await api.newShop("Lines shop");
    // The file of csv-rows.test.ts (the CLI's reader), with dates and CRLF line endings.
    const csv = [
      "\uFEFFsourceId,productId,rating,body,reviewerName,createdAt",
      'a,mug,5,"two\r\nlines",Ann,2021-01-01',
      "",
      "b,mug,4,plain,Bob,2021-01-02",
      "c,mug,4,too,many,cells,here",
      'd,mug,3,"three\r\n\r\nlines",Dan,2021-01-03',
      'e,mug,2,"never closed,Eve,2021-01-04',
      "",
    ].join("\r\n");
    const { context, page } = await signIn(shop.key);
    expect(await upload(page, "lines.csv", csv)).toContain("Imported 3, already present 0, rejected 2 (of 5 rows in the file).");
    const rejects = jsonl(await downloaded(page, () => page.locator("#download-rejects").click()));
    expect(rejects.map((r) => [r.line, r.error])).toEqual([
      [6, "MALFORMED_ROW"],
      [10, "MALFORMED_ROW"],
    ]);
    const file = path.join(dir, "lines.csv");
    writeFileSync(file, csv);
    const cliRejects = path.join(dir, "lines-cli-rejects.jsonl");
    const r = await cliImport(file, shop, "--rejects", cliRejects);
    expect(r.stderr).toMatch(/0 imported, 3 already present, 2 rejected/);
    expect(jsonl(readFileSync(cliRejects, "utf8"))).toEqual(rejects);
    await context.close();
  });

  it("stops before sending anything when the CSV lacks the import's columns, and says which", async () => {
    const shop = await api.newShop("Header shop");
    const { context, page } = await signIn(shop.key);
    const outcome = await upload(page, "wrong.csv", "sourceId,productId,stars\nx,y,5\n");
    expect(outcome).toBe("The CSV header lacks rating, body, reviewerName, createdAt.");
    expect(await api.models.Review.countDocuments({ shopId: shop.id })).toBe(0);
    await context.close();
  });
});

describe("the dashboard's export download", () => {
  let shopA: TestShop;
  let shopB: TestShop;

  beforeAll(async () => {
    shopA = await api.newShop("Export shop A");
    shopB = await api.newShop("Export shop B");
    const lines = (prefix: string, n: number) =>
      Array.from({ length: n }, (_, i) =>
        JSON.stringify({
          sourceId: `${prefix}-${i}`,
          productId: `${prefix}-product`,
          productName: `${prefix}, "quoted"`,
          rating: 1 + (i % 5),
          title: i === 0 ? 'Comma, quote " and\nnewline' : `T${i}`,
          body: `${prefix} body ${i}`,
          reviewerName: `${prefix} reviewer`,
          createdAt: new Date(Date.UTC(2022, 5, 1 + i)).toISOString(),
        }),
      ).join("\n");
    writeFileSync(path.join(dir, "a.jsonl"), lines("alpha", 6));
    writeFileSync(path.join(dir, "b.jsonl"), lines("beta", 2));
    expect((await cliImport(path.join(dir, "a.jsonl"), shopA)).code).toBe(0);
    expect((await cliImport(path.join(dir, "b.jsonl"), shopB)).code).toBe(0);
  });

  it("downloads the shop's reviews as JSONL and as CSV (the CLI's columns and cells); axe finds nothing serious on the page", async () => {
    const { context, page } = await signIn(shopA.key);
    await open(page, "#/import");
    expect(await seriousAxeViolations(page)).toEqual([]);
    const lines = jsonl(await downloaded(page, () => page.getByRole("link", { name: "Download as JSON Lines" }).click()));
    expect(lines.map((l) => l.sourceId).sort()).toEqual(["alpha-0", "alpha-1", "alpha-2", "alpha-3", "alpha-4", "alpha-5"]);
    expect(lines.every((l) => l.provenance === "IMPORTED" && l.productId === "alpha-product")).toBe(true);
    const csv = await downloaded(page, () => page.getByRole("link", { name: "Download as CSV" }).click());
    // Exactly what `starling export --format csv` writes for these lines.
    expect(csv).toBe(`${EXPORT_FIELDS.join(",")}\n${lines.map((l) => csvRecords([l])).join("")}`);
    expect(csv).toContain('"Comma, quote "" and\nnewline"');
    // After an import, with its progress bar and rejects table, the page is still clean.
    await upload(page, "bad.jsonl", '{"sourceId":"z"}\nnot json\n');
    expect(await page.locator("#import-rejects tbody tr").count()).toBe(2);
    expect(await seriousAxeViolations(page)).toEqual([]);
    await context.close();
  });

  it("a session of another shop gets its own reviews only, never this shop's", async () => {
    const { context, page } = await signIn(shopB.key);
    await open(page, "#/import");
    const lines = jsonl(await downloaded(page, () => page.getByRole("link", { name: "Download as JSON Lines" }).click()));
    expect(lines.map((l) => l.sourceId).sort()).toEqual(["beta-0", "beta-1"]);
    // Naming shop A in the address changes nothing: the session is the shop.
    const forged = await page.evaluate(
      async (shopId) => (await fetch(`/export/reviews?shop=${shopId}&shopId=${shopId}`, { credentials: "same-origin" })).text(),
      shopA.id,
    );
    expect(
      jsonl(forged)
        .map((l) => l.sourceId)
        .sort(),
    ).toEqual(["beta-0", "beta-1"]);
    expect(forged).not.toContain("alpha");
    await context.close();
  });

  it("takes the session cookie only from the dashboard's own origin: other sites, sibling subdomains and bare scripts are CSRF_REJECTED", async () => {
    const { context } = await signIn(shopA.key);
    const sid = (await context.cookies(api.url)).find((c) => c.name === SESSION_COOKIE)!.value;
    await context.close();
    const get = (headers: Record<string, string>) =>
      fetch(`${api.url}/export/reviews`, { headers: { cookie: `${SESSION_COOKIE}=${sid}`, ...headers } });
    const refused = async (headers: Record<string, string>) => {
      const res = await get(headers);
      return {
        status: res.status,
        code: ((await res.json()) as { errors: { extensions: { code: string } }[] }).errors[0]!.extensions.code,
      };
    };
    const csrf = { status: 403, code: "CSRF_REJECTED" };
    expect(await refused({})).toEqual(csrf); // no fetch metadata and no token
    expect(await refused({ "sec-fetch-site": "cross-site" })).toEqual(csrf);
    expect(await refused({ "sec-fetch-site": "same-site" })).toEqual(csrf); // a sibling subdomain: SameSite lets the cookie through
    expect(await refused({ "sec-fetch-site": "none" })).toEqual(csrf);
    expect(await refused({ "sec-fetch-site": "same-origin", origin: "https://evil.example" })).toEqual(csrf);
    expect(await refused({ [CSRF_HEADER]: "wrong" })).toEqual(csrf);
    // The dashboard's own navigation, or the session's CSRF header: the export.
    const allowed: Record<string, string>[] = [{ "sec-fetch-site": "same-origin" }, { [CSRF_HEADER]: csrfToken(sid) }];
    for (const headers of allowed) {
      const res = await get(headers);
      expect(res.status).toBe(200);
      expect(res.headers.get("content-disposition")).toBe(
        `attachment; filename="reviews-${shopA.id.replace(/[^A-Za-z0-9_-]/g, "_")}.jsonl"`,
      );
      expect(jsonl(await res.text())).toHaveLength(6);
    }
    // An ended session exports nothing.
    await api.models.DashboardSession.deleteMany({ shopId: shopA.id });
    expect(await refused({ "sec-fetch-site": "same-origin" })).toEqual({ status: 401, code: "UNAUTHENTICATED" });
    // A key still works as before, and an unknown format is a typed error.
    const keyed = await fetch(`${api.url}/export/reviews?format=xml`, { headers: { authorization: `Bearer ${shopA.key}` } });
    expect(keyed.status).toBe(422);
    expect(((await keyed.json()) as { errors: { extensions: { code: string } }[] }).errors[0]!.extensions.code).toBe("INVALID_INPUT");
  });
});
