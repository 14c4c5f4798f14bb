/**
 * The widgets as custom elements (<starling-rating>, <starling-reviews>,
 * <starling-review-form>), in Debian's Chromium (playwright-core): pages
 * served by a small HTTP server (widget-site.ts), with the built widget script (the test
 * run's build), against the real API on a real FerretDB.
 */
import type { Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { RATING, review, startTestApi, SUBMIT, type TestApi } from "../../api/test/helpers.js";
import { startWidgetSite, type WidgetSite } from "./widget-site.js";

let api: TestApi;
let site: WidgetSite;

beforeAll(async () => {
  api = await startTestApi();
  for (const id of ["p01", "p02", "p03", "p04"]) {
    const res = await api.gql(`mutation($i: PutProductInput!) { putProduct(input: $i) { id } }`, { i: { id, name: `Product ${id}` } });
    expect(res.errors).toBeUndefined();
  }
  const seeds: [string, number][] = [
    ["p01", 5],
    ["p01", 5],
    ["p01", 4],
    ["p01", 2],
    ["p03", 3],
  ];
  for (const [i, [id, stars]] of seeds.entries()) {
    const res = await api.gql(SUBMIT, { input: review(id, stars, { idempotencyKey: `ce-${i}`, title: `${id} review ${i}` }) });
    expect(res.errors).toBeUndefined();
  }
  site = await startWidgetSite(api, { head: "<style>starling-rating{display:inline-block;min-height:3em}</style>" });
});

afterAll(async () => {
  await site?.close();
  await api?.close();
});

/** A fresh page that fails the test on any uncaught page error, and records the GraphQL operations it sends. */
async function newPage(): Promise<Page & { errors: string[]; operations: string[] }> {
  const page = await site.newPage();
  const operations: string[] = [];
  page.on("request", (r) => {
    if (r.method() === "POST" && r.url() === `${api.url}/graphql`)
      operations.push(/(query|mutation) (\w+)/.exec(r.postData() ?? "")?.[2] ?? "?");
  });
  return Object.assign(page, { operations });
}

/** The focused element, looking into shadow roots: the widgets' controls live in theirs. */
const focused = (page: Page) =>
  page.evaluate(() => {
    let el = document.activeElement;
    while (el?.shadowRoot?.activeElement) el = el.shadowRoot.activeElement;
    return el ? `${el.tagName.toLowerCase()}: ${(el.textContent ?? "").trim()}` : null;
  });

async function dbRating(id: string) {
  const res = await api.gql(RATING, { id });
  return res.data.product.rating as { count: number; average: number };
}

describe("custom elements", () => {
  it("render as the data-starling widgets do, and badges of both kinds share one request", async () => {
    const page = await newPage();
    await page.goto(
      site.servePage(
        "/product",
        `<starling-rating id="r1" product="p01"></starling-rating>
         <div id="r2" data-starling="badge" data-product="p02"></div>
         <starling-rating id="r3" product="p03"></starling-rating>
         <starling-reviews product="p01"></starling-reviews>
         <starling-review-form product="p01"></starling-review-form>`,
      ),
    );
    const p01 = await dbRating("p01");
    await expect.poll(() => page.locator("#r1 .v").textContent()).toBe(p01.average.toFixed(1));
    expect(await page.locator("#r1 .m").textContent()).toMatch(/^4 ratings · \w{3} \d{4} – \w{3} \d{4}$/);
    await expect.poll(() => page.locator("#r3").getAttribute("data-starling-state")).toBe("ready");
    await expect.poll(() => page.locator("#r2 .m").textContent()).toBe("No ratings yet");
    // The three badges (two elements, one data-starling) in one ProductRatings request; the list makes its own.
    expect(page.operations.filter((o) => o === "ProductRatings")).toEqual(["ProductRatings"]);

    await expect.poll(() => page.locator("starling-reviews li").count()).toBe(4);
    expect(await page.locator("starling-reviews [data-provenance]").first().textContent()).toBe("Not verified");
    const iframe = page.locator("starling-review-form iframe");
    expect(new URL((await iframe.getAttribute("src"))!).searchParams.get("product")).toBe("p01");
    await page.frameLocator("starling-review-form iframe").locator("#product").filter({ hasText: "Your review of Product p01" }).waitFor();
    // The form fills its host's width, as in a data-starling div: the element is a block.
    const [host, frame] = await Promise.all([page.locator("starling-review-form").boundingBox(), iframe.boundingBox()]);
    expect(frame!.width).toBe(host!.width);
    expect(host!.width).toBeGreaterThan(500);
    expect(page.errors).toEqual([]);
    await page.close();
  });

  it("have the widgets' keyboard and screen-reader basics: names, a keyboard disclosure, pressed filters, a live count, a titled form", async () => {
    const page = await newPage();
    await page.goto(
      site.servePage(
        "/a11y",
        `<starling-rating product="p01"></starling-rating><starling-reviews product="p01"></starling-reviews><starling-review-form product="p01"></starling-review-form>`,
      ),
    );
    const p01 = await dbRating("p01");
    // The badge is one group named by its whole sentence (the stars and figures inside are hidden from screen readers).
    const badge = page.getByRole("group", { name: new RegExp(`^${p01.average.toFixed(1).replace(".", "\\.")} out of 5, 4 ratings · `) });
    await badge.waitFor();
    await expect.poll(() => page.locator("starling-reviews li").count()).toBe(4);

    // Tab reaches the disclosure first; Enter opens it, Enter closes it.
    await page.keyboard.press("Tab");
    expect(await focused(page)).toBe("summary: ?How is this rating computed?");
    const explanation = page.locator("starling-rating .p");
    expect(await explanation.isVisible()).toBe(false);
    await page.keyboard.press("Enter");
    await expect.poll(() => explanation.isVisible()).toBe(true);
    expect(await explanation.innerText()).toContain("This is a Bayesian average");
    await page.keyboard.press("Enter");
    await expect.poll(() => explanation.isVisible()).toBe(false);

    // The list: a region named "Reviews"; star filters are toggle buttons reached with Tab, pressed with Enter or Space.
    const list = page.getByRole("region", { name: "Reviews" });
    expect(await list.getByRole("button", { name: "All", pressed: true }).count()).toBe(1);
    await page.keyboard.press("Tab");
    expect(await focused(page)).toBe("button: All");
    await page.keyboard.press("Tab");
    expect(await focused(page)).toBe("button: 5 stars");
    await page.keyboard.press("Enter");
    await expect.poll(() => page.locator("starling-reviews li").count()).toBe(2);
    expect(await list.getByRole("button", { name: "5 stars", pressed: true }).count()).toBe(1);
    expect(await list.getByRole("button", { name: "All", pressed: false }).count()).toBe(1);
    // The count is announced (a polite live region), and each review's stars are read as words.
    expect(await page.locator("starling-reviews [aria-live=polite]").textContent()).toBe("Reviews: 2");
    expect(await list.getByRole("img", { name: "5 out of 5" }).count()).toBe(2);
    await page.keyboard.press("Shift+Tab");
    await page.keyboard.press("Space");
    await expect.poll(() => page.locator("starling-reviews li").count()).toBe(4);

    // The form's frame has a name, and keyboard focus goes into it.
    expect(await page.getByTitle("Write a review").count()).toBe(1);
    await page.frameLocator("starling-review-form iframe").locator("#product").filter({ hasText: "Product p01" }).waitFor();
    // Past the five star filters and each review's two helpful-vote buttons ("show more" is hidden: one page).
    for (let i = 0; i < 6 + 4 * 2; i++) await page.keyboard.press("Tab");
    expect(await page.frameLocator("starling-review-form iframe").locator(":focus").getAttribute("id")).toBe("star-1");
    expect(page.errors).toEqual([]);
    await page.close();
  });

  it("mount when added later, mount again on a new product or lang, and stop listening when removed", async () => {
    const page = await newPage();
    await page.goto(site.servePage("/spa", `<main id="app"></main>`));
    await page.waitForFunction(() => customElements.get("starling-rating") !== undefined);
    // A single-page app renders a product view after the script ran: no mountAll needed.
    await page.evaluate(() => {
      document.getElementById("app")!.innerHTML =
        `<starling-rating id="late" product="p01"></starling-rating><starling-reviews id="list" product="p03"></starling-reviews>`;
    });
    const p01 = await dbRating("p01");
    await expect.poll(() => page.locator("#late .v").textContent()).toBe(p01.average.toFixed(1));
    await expect.poll(() => page.locator("#list li").count()).toBe(1);

    await page.locator("#late").evaluate((el) => el.setAttribute("product", "p02"));
    await expect.poll(() => page.locator("#late .m").textContent()).toBe("No ratings yet");
    await page.locator("#late").evaluate((el) => el.setAttribute("lang", "de"));
    await expect.poll(() => page.locator("#late .m").textContent()).toBe("Noch keine Bewertungen");

    // A connected list reloads on the form's event for its product; a removed one no longer does.
    const submitted = (productId: string) =>
      page.evaluate(
        (productId) => document.dispatchEvent(new CustomEvent("starling:review-submitted", { detail: { productId } })),
        productId,
      );
    const reviewReads = () => page.operations.filter((o) => o === "ProductReviews").length;
    const before = reviewReads();
    await submitted("p03");
    await expect.poll(reviewReads).toBe(before + 1);
    await page.locator("#list").evaluate((el) => el.remove());
    await submitted("p03");
    // Proof that the event was handled by now: a fresh list on the page reads once, and the removed one did not.
    await page.evaluate(() =>
      document.getElementById("app")!.insertAdjacentHTML("beforeend", `<starling-reviews id="other" product="p04"></starling-reviews>`),
    );
    await expect.poll(() => page.locator("#other").getAttribute("data-starling-state")).toBe("ready");
    expect(reviewReads()).toBe(before + 2);
    expect(page.errors).toEqual([]);
    await page.close();
  });

  it("take a customer's review through <starling-review-form>, and <starling-reviews> lists it", async () => {
    const page = await newPage();
    await page.goto(
      site.servePage(
        "/write",
        `<starling-reviews product="p04"></starling-reviews><starling-review-form product="p04"></starling-review-form>`,
      ),
    );
    await expect.poll(() => page.locator("starling-reviews [aria-live=polite]").textContent()).toBe("No reviews match.");
    const form = page.frameLocator("starling-review-form iframe");
    await form.locator("#product").filter({ hasText: "Your review of Product p04" }).waitFor();
    await form.locator('label[for="star-5"]').click();
    await form.getByLabel("Title").fill("Elements work");
    await form.getByLabel("Your review", { exact: true }).fill("Written in a custom element.");
    await form.getByLabel("Name shown with your review").fill("Cleo");
    await form.getByRole("button", { name: "Send review" }).click();
    await expect.poll(() => form.getByRole("status").innerText()).toContain("Thank you! Your review is published.");
    await expect.poll(() => page.locator("starling-reviews li h4").allTextContents()).toEqual([expect.stringContaining("Elements work")]);
    const stored = await api.models.Review.find({ productId: "p04" }).lean();
    expect(stored.map((d: any) => [d.rating, d.title, d.reviewer.name, d.source])).toEqual([[5, "Elements work", "Cleo", "form"]]);
    expect(page.errors).toEqual([]);
    await page.close();
  });

  it("speak the page's language, or their own lang attribute", async () => {
    const page = await newPage();
    await page.goto(
      site.servePage(
        "/de",
        `<starling-rating id="de" product="p02"></starling-rating><starling-rating id="en" lang="en" product="p02"></starling-rating><starling-review-form product="p02"></starling-review-form>`,
        {
          lang: "de",
        },
      ),
    );
    await expect.poll(() => page.locator("#de .m").textContent()).toBe("Noch keine Bewertungen");
    expect(await page.locator("#en .m").textContent()).toBe("No ratings yet");
    expect(await page.getByTitle("Bewertung schreiben").count()).toBe(1);
    expect(new URL((await page.locator("starling-review-form iframe").getAttribute("src"))!).searchParams.get("lang")).toBe("de");
    await page.close();
  });
});
