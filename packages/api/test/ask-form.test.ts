/**
 * The question form page (issue 17), in a real browser: a customer asks
 * through it with the shop's publishable key and the question is then found
 * through GraphQL; bad input is answered with the API's typed error, shown
 * next to its field and announced once, storing nothing; the page passes
 * axe-core in English and German, is refused a secret key in its URL, and is
 * served with the review form's protections (same route machinery).
 */
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ASK_FORM_PATH, REVIEW_FORM_PATH } from "../src/form/route.js";
import { ASK_FORM_STRINGS } from "../src/form/strings.js";
import { axeViolations, launchChromium } from "./browser.js";
import { SUBMIT, review, startTestApi, type TestApi } from "./helpers.js";

let api: TestApi;
let browser: Browser;
const S = ASK_FORM_STRINGS.en;

const QUESTIONS = `query($p: ID!) { product(id: $p) { questions(first: 20) { edges { node { id body author { name } status relatedReviews { id } } } } } }`;

beforeAll(async () => {
  api = await startTestApi();
  await api.gql(`mutation { putProduct(input: { id: "tent", name: "Trail tent" }) { id } }`);
  // A review that answers the question asked below: the form lists it once the question is stored.
  const r = await api.gql(SUBMIT, {
    input: review("tent", 5, {
      title: "Waterproof in heavy rain",
      body: "We pitched the tent in heavy rain for three nights and it stayed completely waterproof, seams included.",
    }),
  });
  expect(r.errors).toBeUndefined();
  browser = await launchChromium();
});
afterAll(async () => {
  await browser?.close();
  await api?.close();
});

async function openForm(lang = "en"): Promise<Page> {
  const page = await browser.newPage();
  const params = new URLSearchParams({ key: api.shop.publishableKey, product: "tent", lang });
  await page.goto(`${api.url}${ASK_FORM_PATH}?${params}`);
  // The product's name arrives once the form has talked to the API.
  await expect.poll(() => page.locator("#product").innerText(), { timeout: 30_000 }).toContain("Trail tent");
  return page;
}

describe("the question form page", () => {
  it("asks a question with the keyboard alone; GraphQL then shows it, with the review that may answer it", async () => {
    const page = await openForm();
    // Keyboard only: the question field, then the name, then the button.
    await page.locator("#f-body").focus();
    await page.keyboard.type("Is the tent waterproof in heavy rain?");
    await page.keyboard.press("Tab");
    expect(await page.evaluate(() => document.activeElement?.id)).toBe("f-name");
    await page.keyboard.type("Kim <b>K</b>");
    await page.keyboard.press("Tab");
    await page.keyboard.press("Enter");
    await page.locator("#done").waitFor({ state: "visible", timeout: 30_000 });
    expect(await page.locator("#thanks").innerText()).toBe(S.thanks);
    expect(await page.evaluate(() => document.activeElement?.id)).toBe("done");
    // The related review is listed as text (the name's markup stays text too).
    expect(await page.locator("#related-list li").count()).toBe(1);
    expect(await page.locator("#related-list li strong").innerText()).toBe("Waterproof in heavy rain");
    await page.close();

    const listed = await api.gql(QUESTIONS, { p: "tent" }, api.shop.publishableKey);
    expect(listed.errors).toBeUndefined();
    const asked = listed.data.product.questions.edges.map((e: any) => e.node);
    expect(asked).toHaveLength(1);
    expect(asked[0]).toMatchObject({
      body: "Is the tent waterproof in heavy rain?",
      author: { name: "Kim <b>K</b>" },
      status: "PUBLISHED",
    });
    expect(asked[0].relatedReviews).toHaveLength(1);
    const stored = await api.models.Question.findById(asked[0].id).lean();
    expect(stored).toMatchObject({ source: "form", language: "en", author: { externalId: null } });
  });

  it("shows a bad input's typed error next to its field, announced once, and stores nothing", async () => {
    const before = await api.models.Question.countDocuments();
    const page = await openForm();
    // Whitespace only: the API's INVALID_INPUT names field `body`; the browser checks nothing itself (novalidate).
    await page.fill("#f-body", "   ");
    await page.fill("#f-name", "Kim");
    await page.click('button[type="submit"]');
    await expect.poll(() => page.locator("#e-body").innerText(), { timeout: 30_000 }).toBe(S.err_body);
    expect(await page.locator("#f-body").getAttribute("aria-invalid")).toBe("true");
    expect(await page.locator("#f-body").getAttribute("aria-describedby")).toContain("e-body");
    expect(await page.locator("#summary").getAttribute("role")).toBe("alert");
    expect(await page.locator("#summary").innerText()).toBe(S.summary.replace("{fields}", S.body));
    expect(await page.evaluate(() => document.activeElement?.id)).toBe("f-body");
    expect(await page.locator("#f-name").getAttribute("aria-invalid")).toBeNull();
    expect(await page.locator("#done").isVisible()).toBe(false);
    expect(await api.models.Question.countDocuments()).toBe(before);
    await page.close();
  });

  it("a product the shop does not have: the form says it is not set up and cannot be sent", async () => {
    const page = await browser.newPage();
    const params = new URLSearchParams({ key: api.shop.publishableKey, product: "no-such-product" });
    await page.goto(`${api.url}${ASK_FORM_PATH}?${params}`);
    await expect.poll(() => page.locator("#summary").innerText(), { timeout: 30_000 }).toBe(S.err_setup);
    expect(await page.locator('button[type="submit"]').isDisabled()).toBe(true);
    await page.close();
  });

  it.each(["en", "de"] as const)(
    "has no serious or critical axe-core violation (%s), before and after an error",
    async (lang) => {
      const page = await openForm(lang);
      expect(await page.locator("html").getAttribute("lang")).toBe(lang);
      expect(await page.locator("h1").innerText()).toBe(ASK_FORM_STRINGS[lang].title);
      expect(await axeViolations(page)).toEqual([]);
      await page.click('button[type="submit"]');
      await expect.poll(() => page.locator("#summary").innerText(), { timeout: 30_000 }).not.toBe("");
      expect(await axeViolations(page)).toEqual([]);
      await page.close();
    },
    120_000,
  );

  it("is limited per address like the review form: past the limit the form says so and stores nothing", async () => {
    const limited = await startTestApi({ rateFormPerHourPerIp: 1 });
    try {
      await limited.gql(`mutation { putProduct(input: { id: "tent", name: "Trail tent" }) { id } }`);
      const page = await browser.newPage();
      const params = new URLSearchParams({ key: limited.shop.publishableKey, product: "tent" });
      await page.goto(`${limited.url}${ASK_FORM_PATH}?${params}`);
      await expect.poll(() => page.locator("#product").innerText(), { timeout: 30_000 }).toContain("Trail tent");
      await page.fill("#f-body", "How heavy is it?");
      await page.fill("#f-name", "Kim");
      await page.click('button[type="submit"]');
      await page.locator("#done").waitFor({ state: "visible", timeout: 30_000 });
      await page.click("#another");
      await page.fill("#f-body", "And how big is it packed?");
      await page.fill("#f-name", "Kim");
      await page.click('button[type="submit"]');
      await expect.poll(() => page.locator("#summary").innerText(), { timeout: 30_000 }).toBe(S.err_rate);
      expect(await limited.models.Question.countDocuments()).toBe(1);
      await page.close();
    } finally {
      await limited.close();
    }
  });

  it("is served for any frame, with a nonce CSP, and refuses a secret key, a bad product or language", async () => {
    const ok = await fetch(`${api.url}${ASK_FORM_PATH}?key=${api.shop.publishableKey}&product=tent&lang=de`);
    expect(ok.status).toBe(200);
    const csp = ok.headers.get("content-security-policy")!;
    expect(csp).toMatch(/script-src 'nonce-[^']+'/);
    expect(csp).toContain("frame-ancestors *");
    expect(csp).toContain("form-action 'none'");
    expect(ok.headers.get("referrer-policy")).toBe("no-referrer");
    expect(ok.headers.get("cache-control")).toBe("no-store");
    // The same headers as the review form: one route machinery serves both.
    const reviewForm = await fetch(`${api.url}${REVIEW_FORM_PATH}?key=${api.shop.publishableKey}&product=tent`);
    expect(reviewForm.headers.get("content-security-policy")!.replace(/'nonce-[^']+'/g, "")).toBe(csp.replace(/'nonce-[^']+'/g, ""));
    for (const [query, field] of [
      [`key=${api.shop.key}&product=tent`, "key:"],
      [`key=${api.shop.publishableKey}&product=${encodeURIComponent("<script>")}`, "product:"],
      [`key=${api.shop.publishableKey}&product=tent&lang=fr`, "lang:"],
    ] as const) {
      const res = await fetch(`${api.url}${ASK_FORM_PATH}?${query}`);
      expect(res.status).toBe(400);
      expect(res.headers.get("content-security-policy")).toBe("default-src 'none'");
      const text = await res.text();
      expect(text).toContain(`Question form: ${field}`);
      expect(text).not.toContain("<script>");
    }
  });
});
