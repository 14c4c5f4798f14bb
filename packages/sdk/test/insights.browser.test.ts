/**
 * The "What customers say" widget in Debian's Chromium (playwright-core),
 * with the built widget script, against the real API on a real FerretDB:
 * pros and cons with counts, choosing one shows its quotes (and closes the
 * other), keyboard and screen-reader names, German, the server-rendered
 * HTML working with no script at all, and choosing one filtering the page's
 * review list to the reviews its quotes came from (issue 14, item 3).
 */
import type { Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { review, startTestApi, SUBMIT, type TestApi } from "../../api/test/helpers.js";
import { createClient } from "../src/index.js";
import { renderInsightsHtml } from "../src/widgets.js";
import { startWidgetSite, type WidgetSite } from "./widget-site.js";

let api: TestApi;
let site: WidgetSite;

const TEXTS = [
  "The fabric is soft and lovely.",
  "Lovely fabric, great quality.",
  "Der Stoff ist sehr angenehm.",
  "The zipper broke after a week.",
  "Terrible zipper, it broke on day two.",
];

beforeAll(async () => {
  api = await startTestApi();
  await api.gql(`mutation { putProduct(input: { id: "coat", name: "Coat" }) { id } }`);
  for (const [i, body] of TEXTS.entries()) {
    const res = await api.gql(SUBMIT, { input: { ...review("coat", 4, { idempotencyKey: `ins-${i}`, title: "Coat" }), body } });
    expect(res.errors).toBeUndefined();
  }
  // Analysed off the request path: wait until all five are counted.
  const end = Date.now() + 60_000;
  for (;;) {
    const r = await api.gql(`{ product(id: "coat") { insights { reviews } } }`);
    if (r.data?.product?.insights?.reviews === TEXTS.length) break;
    if (Date.now() > end) throw new Error("the reviews were not analysed within 60 s");
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  site = await startWidgetSite(api);
});

afterAll(async () => {
  await site?.close();
  await api?.close();
});

const newPage = () => site.newPage({ width: 1000, height: 1000 });

const focused = (page: Page) =>
  page.evaluate(() => {
    let el = document.activeElement;
    while (el?.shadowRoot?.activeElement) el = el.shadowRoot.activeElement;
    return el ? `${el.tagName.toLowerCase()}: ${el.getAttribute("aria-label") ?? (el.textContent ?? "").trim()}` : null;
  });

describe("<starling-insights>", () => {
  it("shows pros and cons with counts; choosing one shows its quotes and closes the other; keyboard and names work", async () => {
    const page = await newPage();
    await page.goto(site.servePage("/coat", `<starling-insights product="coat"></starling-insights>`));
    const widget = page.locator("starling-insights");
    await expect.poll(() => widget.getAttribute("data-starling-state")).toBe("ready");
    expect(await widget.getByRole("heading", { name: "What customers say" }).count()).toBe(1);
    // Pros: fabric, praised in 3 of 3 (two English, one German "Stoff"); cons: zipper, 2 of 2.
    const pros = widget.locator("section.pro");
    const cons = widget.locator("section.con");
    expect(await pros.locator("summary").first().textContent()).toBe("fabric3");
    expect(await cons.locator("summary").first().textContent()).toBe("zipper2");
    const fabricSummary = widget.locator('summary[aria-label="fabric: praised in 3 of 3 reviews that mention it"]');
    const zipperSummary = widget.locator('summary[aria-label="zipper: criticised in 2 of 2 reviews that mention it"]');
    expect(await fabricSummary.count()).toBe(1);
    expect(await zipperSummary.count()).toBe(1);
    // Nothing open yet: no quote is visible.
    expect(await widget.locator("blockquote:visible").count()).toBe(0);

    // Keyboard: Tab reaches the first pro, Enter opens it (its quotes show), Tab to the con, Enter opens it and closes the pro.
    await page.keyboard.press("Tab");
    expect(await focused(page)).toBe("summary: fabric: praised in 3 of 3 reviews that mention it");
    await page.keyboard.press("Enter");
    await expect.poll(() => widget.locator("blockquote:visible").count()).toBe(3);
    const fabricQuotes = await widget.locator("blockquote:visible").allTextContents();
    expect(fabricQuotes).toHaveLength(3);
    for (const q of fabricQuotes) expect(q).toMatch(/fabric|Stoff/);
    expect(fabricQuotes).toContain("Der Stoff ist sehr angenehm");
    expect(await widget.locator('details[data-key="fabric"]').getAttribute("open")).not.toBeNull();
    await page.keyboard.press("Tab");
    expect(await focused(page)).toBe("summary: zipper: criticised in 2 of 2 reviews that mention it");
    await page.keyboard.press("Enter");
    await expect.poll(() => widget.locator("blockquote:visible").count()).toBe(2);
    for (const q of await widget.locator("blockquote:visible").allTextContents()) expect(q.toLowerCase()).toContain("zipper");
    expect(await widget.locator('details[data-key="fabric"]').getAttribute("open")).toBeNull();
    // Each quote names its review, for a shop that links it to the full text.
    const ids = await widget
      .locator('details[data-key="zipper"] li')
      .evaluateAll((els) => els.map((e) => (e as HTMLElement).dataset.reviewId));
    expect(ids.every((id) => /^rev_/.test(id ?? ""))).toBe(true);
    // Screen readers: a summary is the browser's own disclosure control, named by its label, with the expanded state of its details.
    expect(
      await page.evaluate(() => {
        const root = document.querySelector("starling-insights")!.shadowRoot!;
        return [...root.querySelectorAll("summary")].map(
          (s) => `${s.getAttribute("aria-label")}|${(s.parentElement as HTMLDetailsElement).open}`,
        );
      }),
    ).toEqual(["fabric: praised in 3 of 3 reviews that mention it|false", "zipper: criticised in 2 of 2 reviews that mention it|true"]);
    expect(page.errors).toEqual([]);
    await page.close();
  });

  it("speaks German with lang=de", async () => {
    const page = await newPage();
    await page.goto(site.servePage("/mantel", `<starling-insights product="coat" lang="de"></starling-insights>`, { lang: "de" }));
    const widget = page.locator("starling-insights");
    await expect.poll(() => widget.getAttribute("data-starling-state")).toBe("ready");
    expect(await widget.getByRole("heading", { name: "Das sagen Kundinnen und Kunden" }).count()).toBe(1);
    expect(await widget.getByRole("heading", { name: "Pluspunkte" }).count()).toBe(1);
    expect(await widget.getByRole("heading", { name: "Kritikpunkte" }).count()).toBe(1);
    expect(await widget.locator('summary[aria-label="zipper: kritisiert in 2 von 2 Bewertungen, die es erwähnen"]').count()).toBe(1);
    await page.close();
  });

  it("renders on the server as a declarative shadow root that works with no script", async () => {
    const client = createClient({ endpoint: api.url, key: api.shop.publishableKey });
    const insights = await client.insights.product("coat");
    expect(insights?.aspects.find((a) => a.key === "zipper")).toMatchObject({ negative: 2, mentions: 2 });
    const html = renderInsightsHtml(insights, { lang: "en", productId: "coat" });
    const page = await newPage();
    await page.goto(site.servePage("/ssr", html, { script: false }));
    const widget = page.locator(".starling-insights");
    expect(await widget.getByRole("heading", { name: "What customers say" }).count()).toBe(1);
    const zipper = widget.locator('summary[aria-label="zipper: criticised in 2 of 2 reviews that mention it"]');
    await zipper.click();
    await expect.poll(() => widget.locator("blockquote:visible").count()).toBe(2);
    // Review text is escaped, never parsed: a quote is text.
    expect(await page.evaluate(() => document.querySelectorAll("script").length)).toBe(0);
    await page.close();
  });

  it("filters the page's review list to the reviews of the chosen con's quotes, says so, and shows all again; keyboard only", async () => {
    const page = await newPage();
    await page.goto(
      site.servePage(
        "/coat-reviews",
        `<starling-insights product="coat"></starling-insights><starling-reviews product="coat"></starling-reviews>`,
      ),
    );
    const widget = page.locator("starling-insights");
    const list = page.locator("starling-reviews");
    await expect.poll(() => widget.getAttribute("data-starling-state")).toBe("ready");
    await expect.poll(() => list.getAttribute("data-starling-state")).toBe("ready");
    const shown = () => list.locator("li[data-review-id]").evaluateAll((els) => els.map((e) => (e as HTMLElement).dataset.reviewId).sort());
    const status = list.locator("p.total");
    const showAll = list.getByRole("button", { name: "Show all reviews" });
    const everyReview = await shown();
    expect(everyReview).toHaveLength(TEXTS.length);
    expect(await status.textContent()).toBe(`Reviews: ${TEXTS.length}`);
    expect(await status.getAttribute("aria-live")).toBe("polite");
    expect(await showAll.count()).toBe(0);
    const zipperReviews = (
      await widget.locator('details[data-key="zipper"] li').evaluateAll((els) => els.map((e) => (e as HTMLElement).dataset.reviewId))
    ).sort();
    expect(zipperReviews).toHaveLength(2);

    // Keyboard: Tab to the con, Enter chooses it: the list holds exactly its quotes' reviews, and says so.
    await page.keyboard.press("Tab");
    await page.keyboard.press("Tab");
    expect(await focused(page)).toBe("summary: zipper: criticised in 2 of 2 reviews that mention it");
    await page.keyboard.press("Enter");
    await expect.poll(shown).toEqual(zipperReviews);
    await expect.poll(() => status.textContent()).toBe("Showing 2 reviews that mention “zipper”");
    for (const body of await list.locator("li p").allTextContents()) expect(body.toLowerCase()).toContain("zipper");
    expect(await showAll.count()).toBe(1);

    // Choosing it again closes it: the full list is back.
    await page.keyboard.press("Enter");
    await expect.poll(shown).toEqual(everyReview);
    await expect.poll(() => status.textContent()).toBe(`Reviews: ${TEXTS.length}`);
    expect(await showAll.count()).toBe(0);

    // Chosen once more, then Tab on to the list's "Show all reviews": Enter shows all and closes the con in the insights widget.
    await page.keyboard.press("Enter");
    await expect.poll(shown).toEqual(zipperReviews);
    for (let i = 0; i < 20 && (await focused(page)) !== "button: Show all reviews"; i++) await page.keyboard.press("Tab");
    expect(await focused(page)).toBe("button: Show all reviews");
    await page.keyboard.press("Enter");
    await expect.poll(shown).toEqual(everyReview);
    await expect.poll(() => status.textContent()).toBe(`Reviews: ${TEXTS.length}`);
    await expect.poll(() => widget.locator('details[data-key="zipper"]').getAttribute("open")).toBeNull();
    // The keyboard user stays in the list, where the new count is read out.
    expect(await focused(page)).toBe(`p: Reviews: ${TEXTS.length}`);
    expect(page.errors).toEqual([]);
    await page.close();
  });
});
