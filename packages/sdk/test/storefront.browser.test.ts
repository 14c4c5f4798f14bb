/**
 * End to end in a real browser: Debian's Chromium (playwright-core) on the
 * storefront example (a real Node process using the built SDK and widget
 * script) against the real API on a real FerretDB.
 *
 * Screenshots are written to .data/artifacts/ (git-ignored):
 * storefront-product-page.png, storefront-listing-page.png and review-form-error.png.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import http from "node:http";
import type { AddressInfo } from "node:net";
import os from "node:os";
import path from "node:path";
import { createInterface } from "node:readline";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { launchChromium, watchedPage } from "../../api/test/browser.js";
import { RATING, review, startTestApi, SUBMIT, type TestApi } from "../../api/test/helpers.js";
import { createClient } from "../src/index.js";

const REPO_ROOT = path.resolve(import.meta.dirname, "../../..");
const ARTIFACTS = path.join(REPO_ROOT, ".data/artifacts");
const STOREFRONT = path.join(REPO_ROOT, "examples/storefront/server.mjs");
const PRODUCT_COUNT = 50;
const ids = Array.from({ length: PRODUCT_COUNT }, (_, i) => `p${String(i + 1).padStart(2, "0")}`);
const HOSTILE_TITLE = `<img src=x onerror="window.__xss=1">Nice & "quoted"`;

let api: TestApi;
let tmp: string;
let storefront: { url: string; child: ChildProcess };
let browser: Browser;
const children: ChildProcess[] = [];

/** Starts examples/storefront/server.mjs as `node server.mjs` with these settings; resolves with its URL. */
async function startStorefront(env: Record<string, string>): Promise<{ url: string; child: ChildProcess }> {
  const child = spawn(process.execPath, [STOREFRONT], {
    env: { ...process.env, HOST: "127.0.0.1", PORT: "0", ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  children.push(child);
  let stderr = "";
  child.stderr!.on("data", (d: Buffer) => (stderr += d.toString()));
  const url = await new Promise<string>((resolve, reject) => {
    createInterface({ input: child.stdout! }).on("line", (line) => {
      const match = /^Storefront: (http:\/\/\S+?)\/? /.exec(line);
      if (match) resolve(match[1]!);
    });
    child.once("exit", (code) => reject(new Error(`storefront exited with ${code}: ${stderr}`)));
  });
  return { url, child };
}

beforeAll(async () => {
  api = await startTestApi();
  tmp = await mkdtemp(path.join(os.tmpdir(), "starling-storefront-"));
  await mkdir(ARTIFACTS, { recursive: true });
  for (const id of ids) {
    const res = await api.gql(`mutation($i: PutProductInput!) { putProduct(input: $i) { id } }`, { i: { id, name: `Product ${id}` } });
    expect(res.errors).toBeUndefined();
  }
  const seeds: [number, Record<string, unknown>][] = [
    [5, { provenance: "INVITED" }],
    [4, {}],
    [5, { title: HOSTILE_TITLE }],
    [2, { provenance: "IMPORTED" }],
  ];
  for (const [i, [stars, extra]] of seeds.entries()) {
    const res = await api.gql(SUBMIT, { input: review("p01", stars, { idempotencyKey: `e2e-${i}`, ...extra }) });
    expect(res.errors).toBeUndefined();
  }
  for (let i = 0; i < 7; i++) {
    const res = await api.gql(SUBMIT, { input: review("p08", 1 + (i % 5), { idempotencyKey: `e2e-p08-${i}`, title: `Page review ${i}` }) });
    expect(res.errors).toBeUndefined();
  }
  const hostile = await api.models.Review.findOne({ productId: "p01", title: HOSTILE_TITLE }).lean<any>();
  const reply = await api.gql(`mutation($id: ID!, $body: String!) { replyToReview(reviewId: $id, body: $body) { id } }`, {
    id: hostile._id,
    body: "Thanks! <b>not bold</b>",
  });
  expect(reply.errors).toBeUndefined();
  const catalogue = ids.map((id) => ({ id, name: `Product ${id}`, price: "10.00", description: `The ${id}.` }));
  await writeFile(path.join(tmp, "catalogue.json"), JSON.stringify(catalogue));
  storefront = await startStorefront({
    STARLING_URL: api.url,
    STARLING_KEY: api.shop.publishableKey,
    CATALOGUE: path.join(tmp, "catalogue.json"),
  });
  browser = await launchChromium();
});

afterAll(async () => {
  await browser?.close();
  for (const child of children) child.kill();
  await api?.close();
  if (tmp) await rm(tmp, { recursive: true, force: true });
});

async function dbRating(id: string) {
  const res = await api.gql(RATING, { id });
  return res.data.product.rating as { count: number; average: number };
}

const submitMutations = (page: Page) => {
  const posts: string[] = [];
  page.on("request", (r) => {
    if (r.method() === "POST" && r.url() === `${api.url}/graphql` && r.postData()?.includes("submitReview")) posts.push(r.postData()!);
  });
  return posts;
};

describe("storefront product page", () => {
  it("shows the rating from the database in the server-rendered badge and the JSON-LD", async () => {
    const page = await watchedPage(browser);
    const rating = await dbRating("p01");
    expect(await api.models.Review.countDocuments({ productId: "p01" })).toBe(4);
    expect(rating.count).toBe(4);
    await page.goto(`${storefront.url}/products/p01`);
    await expect.poll(() => page.locator("#rating .v").textContent()).toBe(rating.average.toFixed(1));
    expect(await page.locator("#rating .m").textContent()).toMatch(/^4 ratings · \w{3} \d{4} – \w{3} \d{4}$/);
    await page.locator("#rating summary").click();
    // The disclosure says what the database says about discounted reviews (the fraud checks' verdicts).
    const { data } = await api.gql(
      `query($id: ID!) { product(id: $id) { rating { discounted { count reasons { description count } } } } }`,
      { id: "p01" },
    );
    const discounted = data.product.rating.discounted as { count: number; reasons: { description: string; count: number }[] };
    expect(await page.locator("#rating .p").innerText()).toContain(
      discounted.count === 0
        ? "All 4 published reviews count fully"
        : `${discounted.count} of the 4 published reviews count less, because fraud checks found them suspicious (each in proportion to its trust; none is deleted). ` +
            `Main reasons: ${discounted.reasons.map((r) => `${r.description} (${r.count})`).join(", ")}.`,
    );
    const disclosure = await page.locator("#rating .p a").getAttribute("href");
    expect(disclosure).toBe(`${api.url}/shops/${api.shop.id}/disclosure`);
    expect((await fetch(disclosure!)).status).toBe(200);
    const ld = JSON.parse((await page.locator('script[type="application/ld+json"]').textContent())!);
    expect(ld.aggregateRating).toMatchObject({
      ratingValue: Math.round(rating.average * 10) / 10,
      ratingCount: 4,
      bestRating: 5,
      worstRating: 1,
    });
    await page.locator("#rating summary").click();

    // The review list (widget): provenance labels, and review text shown as text, never run as HTML.
    const list = page.locator("#reviews li");
    await expect.poll(() => list.count()).toBe(4);
    expect(await page.locator("#reviews [data-provenance]").allTextContents()).toEqual(
      expect.arrayContaining(["Invited by the shop (purchase not checked)", "Imported from another platform", "Not verified"]),
    );
    expect(await page.locator("#reviews h4").allTextContents()).toContainEqual(expect.stringContaining(HOSTILE_TITLE));
    expect(await page.evaluate(() => (window as any).__xss)).toBeUndefined();
    expect(await page.locator("#reviews .reply p").textContent()).toBe("Thanks! <b>not bold</b>");
    expect(await page.locator("#reviews .reply strong").textContent()).toBe("Reply from the shop");

    // Star filter: only the 5-star reviews.
    await page.locator("#reviews button", { hasText: "5 stars" }).click();
    await expect.poll(() => list.count()).toBe(2);
    await page.locator("#reviews").getByRole("button", { name: "All", exact: true }).click();
    await expect.poll(() => list.count()).toBe(4);

    await page.screenshot({ path: path.join(ARTIFACTS, "storefront-product-page.png"), fullPage: true });
    expect(page.errors).toEqual([]);
    await page.close();
  });

  it("pages through the reviews with “Show more reviews”", async () => {
    const page = await watchedPage(browser);
    await page.goto(`${storefront.url}/products/p08`);
    const titles = page.locator("#reviews li h4");
    await expect.poll(() => titles.count()).toBe(5);
    await page.locator("#reviews button.more").click();
    await expect.poll(() => titles.count()).toBe(7);
    expect(await page.locator("#reviews button.more").isHidden()).toBe(true);
    const shown = (await titles.allTextContents()).map((t) => t.replace(/^[★☆]+ /, ""));
    expect(shown).toEqual([6, 5, 4, 3, 2, 1, 0].map((i) => `Page review ${i}`));
    await page.close();
  });
});

describe("storefront listing page", () => {
  it(`loads the ratings of ${PRODUCT_COUNT} products with one HTTP request, without moving the page`, async () => {
    const page = await watchedPage(browser);
    // Counted twice: by the browser (every request the page makes) and by the API's HTTP server.
    const pageRequests: string[] = [];
    page.on("request", (r) => pageRequests.push(`${r.method()} ${r.url().replace(storefront.url, "storefront").replace(api.url, "api")}`));
    const apiRequests: string[] = [];
    const countApi = (req: http.IncomingMessage) => apiRequests.push(`${req.method} ${req.url}`);
    api.starling.server.on("request", countApi);
    // Hold the API's answer until the page has laid out its placeholders, to compare positions before and after.
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    await page.route(`${api.url}/graphql`, async (route) => {
      await held;
      await route.continue();
    });
    await page.goto(`${storefront.url}/`);
    const badges = page.locator('[data-starling="badge"]');
    expect(await badges.count()).toBe(PRODUCT_COUNT);
    await expect.poll(() => page.locator('[data-starling-state="loading"]').count()).toBe(PRODUCT_COUNT);
    const lastCard = page.locator(`[data-product-card="p${PRODUCT_COUNT}"] .price`);
    const before = await lastCard.boundingBox();
    release();
    await expect.poll(() => page.locator('[data-starling-state="ready"]').count()).toBe(PRODUCT_COUNT);
    expect(await lastCard.boundingBox()).toEqual(before);
    api.starling.server.off("request", countApi);
    expect(pageRequests).toEqual(["GET storefront/", "GET storefront/starling-widgets.js", "POST api/graphql"]);
    // The one POST, and the CORS preflight the browser sends before it (a cross-origin POST with a key).
    expect(apiRequests.filter((r) => !r.startsWith("OPTIONS"))).toEqual(["POST /graphql"]);
    expect(apiRequests.length).toBeLessThanOrEqual(2);

    const rating = await dbRating("p01");
    expect(await page.locator('[data-product="p01"] .v').textContent()).toBe(rating.average.toFixed(1));
    expect(await page.locator('[data-product="p02"] .m').textContent()).toBe("No ratings yet");
    await page.screenshot({ path: path.join(ARTIFACTS, "storefront-listing-page.png") });
    expect(page.errors).toEqual([]);
    await page.close();
  });
});

describe("client in the browser", () => {
  it("gets a preflight answer that browsers may cache, exposing the request id and Retry-After", async () => {
    const res = await fetch(`${api.url}/graphql`, {
      method: "OPTIONS",
      headers: {
        origin: "https://shop.example",
        "access-control-request-method": "POST",
        "access-control-request-headers": "authorization, content-type",
      },
    });
    expect(res.headers.get("access-control-allow-origin")).toBe("https://shop.example");
    expect(res.headers.get("access-control-max-age")).toBe("600");
    const post = await fetch(`${api.url}/graphql`, {
      method: "POST",
      headers: { origin: "https://shop.example", "content-type": "application/json" },
      body: "{}",
    });
    expect(post.headers.get("access-control-expose-headers")).toBe("x-request-id, retry-after");
  });

  it("reports a failure cross-origin as its typed error with the API's request id", async () => {
    const page = await watchedPage(browser);
    await page.goto(`${storefront.url}/`);
    await page.waitForFunction(() => "Starling" in window);
    const outcome = await page.evaluate(async (endpoint) => {
      const { createClient } = (window as any).Starling;
      const stranger = createClient({ endpoint, key: "pk_not_a_real_key" });
      return stranger.products.rating("p01").then(
        () => null,
        (e: any) => ({ name: e.name, code: e.code, status: e.status, requestId: e.requestId }),
      );
    }, api.url);
    expect(outcome).toEqual({
      name: "AuthenticationError",
      code: "UNAUTHENTICATED",
      status: 401,
      requestId: expect.stringMatching(/^[0-9a-f-]{36}$/),
    });
    await page.close();
  });
});

describe("embedded review form", () => {
  it("takes a customer's review: stored as ORGANIC from the form, published at once (the default rule), shown in the list", async () => {
    const page = await watchedPage(browser);
    const posts = submitMutations(page);
    await page.goto(`${storefront.url}/products/p03`);
    const form = page.frameLocator("#review-form iframe");
    await form.locator("#product").filter({ hasText: "Your review of Product p03" }).waitFor();
    await form.locator('label[for="star-4"]').click();
    await form.getByLabel("Title").fill("Sturdy and light");
    await form.getByLabel("Your review", { exact: true }).fill("Survived a week of rain.\nWould buy again.");
    await form.getByLabel("Name shown with your review").fill("Carla C.");
    await form.getByRole("button", { name: "Send review" }).click();
    await expect.poll(() => form.getByRole("status").innerText()).toContain("Thank you! Your review is published.");

    const stored = await api.models.Review.find({ productId: "p03" }).lean();
    expect(stored.map((d: any) => [d.rating, d.title, d.body, d.reviewer.name, d.provenance, d.source, d.language])).toEqual([
      [4, "Sturdy and light", "Survived a week of rain.\nWould buy again.", "Carla C.", "ORGANIC", "form", "en"],
    ]);
    expect(posts).toHaveLength(1);
    // The shop moderates after publication (POST, the default): the review is live at once, and the list reloads on the form's message.
    await expect.poll(() => page.locator("#reviews li h4").allTextContents()).toEqual([expect.stringContaining("Sturdy and light")]);
    expect(await page.locator("#reviews [data-provenance]").textContent()).toBe("Not verified");
    expect((await dbRating("p03")).count).toBe(1);
    expect(page.errors).toEqual([]);
    await page.close();
  });

  it("says a review waits for approval in a shop that pre-moderates, and lists it once approved", async () => {
    const shop = await api.newShop("Pre-moderating shop");
    const asShop = (query: string, variables?: Record<string, unknown>) => api.gql(query, variables, shop.key);
    expect((await asShop(`mutation { setModerationMode(mode: PRE) }`)).errors).toBeUndefined();
    await asShop(`mutation { putProduct(input: { id: "pre-1", name: "Kettle" }) { id } }`);
    const client = createClient({ endpoint: api.url, key: shop.publishableKey });

    const page = await watchedPage(browser);
    await page.goto(`${api.url}/embed/review-form?key=${shop.publishableKey}&product=pre-1`);
    await page.locator("#product").filter({ hasText: "Kettle" }).waitFor();
    await page.locator('label[for="star-3"]').click();
    await page.getByLabel("Title").fill("Boils fast");
    await page.getByLabel("Your review", { exact: true }).fill("Loud, though.");
    await page.getByLabel("Name shown with your review").fill("Eve");
    await page.getByRole("button", { name: "Send review" }).click();
    await expect.poll(() => page.getByRole("status").innerText()).toContain("yours will be shown once it is approved");

    const stored = await api.models.Review.findOne({ shopId: shop.id, productId: "pre-1" }).lean<any>();
    expect(stored).toMatchObject({ title: "Boils fast", status: "pending", source: "form" });
    expect((await client.reviews.list("pre-1"))!.reviews).toEqual([]);
    const published = await asShop(`mutation($i: ModerateReviewInput!) { moderateReview(input: $i) { status } }`, {
      i: { reviewId: stored._id, action: "PUBLISH" },
    });
    expect(published.data.moderateReview.status).toBe("PUBLISHED");
    expect((await client.reviews.list("pre-1"))!.reviews.map((r) => [r.title, r.status])).toEqual([["Boils fast", "PUBLISHED"]]);
    await page.close();
  });

  it("shows the API's field errors next to their fields and announces them, storing nothing", async () => {
    const page = await watchedPage(browser);
    await page.goto(`${storefront.url}/products/p04`);
    const form = page.frameLocator("#review-form iframe");
    await form.locator("#product").filter({ hasText: "Product p04" }).waitFor();
    const send = form.getByRole("button", { name: "Send review" });

    // No stars: the API rejects the variable (INVALID_INPUT, field "rating").
    await form.getByLabel("Title").fill("Hmm");
    await form.getByLabel("Your review", { exact: true }).fill("Fine.");
    await form.getByLabel("Name shown with your review").fill("Dan");
    await send.click();
    await expect.poll(() => form.locator("#e-rating").textContent()).toBe("Choose from 1 to 5 stars.");
    expect(await form.getByRole("alert").textContent()).toBe("Please check: Your rating.");

    // Stars, but a blank title: the API's validation names field "title".
    await form.locator('label[for="star-2"]').click();
    await form.getByLabel("Title").fill("   ");
    await send.click();
    await expect.poll(() => form.locator("#e-title").textContent()).toBe("Give your review a title (up to 200 characters).");
    expect(await form.locator("#e-rating").textContent()).toBe("");
    expect(await form.getByLabel("Title").getAttribute("aria-invalid")).toBe("true");
    expect(await form.getByLabel("Title").getAttribute("aria-describedby")).toBe("e-title");
    expect(await form.getByRole("alert").textContent()).toBe("Please check: Title.");
    expect(await form.locator("#f-title").evaluate((el) => el === document.activeElement)).toBe(true);

    await page.mouse.move(0, 0);
    const starColour = (n: number) => form.locator(`label[for="star-${n}"]`).evaluate((el) => getComputedStyle(el).color);
    expect([await starColour(1), await starColour(2), await starColour(3)]).toEqual([
      "rgb(232, 162, 0)",
      "rgb(232, 162, 0)",
      "rgb(187, 187, 187)",
    ]);
    await page.locator("#review-form").screenshot({ path: path.join(ARTIFACTS, "review-form-error.png") });
    expect(await api.models.Review.countDocuments({ productId: "p04" })).toBe(0);
    expect(page.errors).toEqual([]);
    await page.close();
  });

  it("can be filled and sent with the keyboard alone; the honeypot is not in the tab order", async () => {
    const page = await watchedPage(browser);
    await page.goto(`${api.url}/embed/review-form?key=${api.shop.publishableKey}&product=p07`);
    await page.locator("#product").filter({ hasText: "Product p07" }).waitFor();
    const focused = () => page.evaluate(() => (document.activeElement as HTMLInputElement | null)?.id || document.activeElement?.tagName);
    await page.keyboard.press("Tab");
    expect(await focused()).toBe("star-1");
    for (let i = 0; i < 3; i++) await page.keyboard.press("ArrowRight");
    expect(await focused()).toBe("star-4");
    await page.keyboard.press("Tab");
    expect(await focused()).toBe("f-title");
    await page.keyboard.type("Keyboard only");
    await page.keyboard.press("Tab");
    await page.keyboard.type("Works without a mouse.");
    await page.keyboard.press("Tab");
    await page.keyboard.type("Kai");
    await page.keyboard.press("Tab");
    expect(await focused()).toBe("BUTTON");
    await page.keyboard.press("Enter");
    await expect.poll(() => page.getByRole("status").innerText()).toContain("Thank you!");
    const stored = await api.models.Review.findOne({ productId: "p07" }).lean<any>();
    expect(stored).toMatchObject({ rating: 4, title: "Keyboard only", body: "Works without a mouse.", reviewer: { name: "Kai" } });
    await page.close();
  });

  it("speaks German with lang=de", async () => {
    const page = await watchedPage(browser);
    await page.goto(`${api.url}/embed/review-form?key=${api.shop.publishableKey}&product=p05&lang=de`);
    await page.locator("#product").filter({ hasText: "Ihre Bewertung von Product p05" }).waitFor();
    await page.getByRole("button", { name: "Bewertung senden" }).click();
    await expect.poll(() => page.locator("#e-rating").textContent()).toBe("Wählen Sie 1 bis 5 Sterne.");
    expect(await page.locator("html").getAttribute("lang")).toBe("de");
    await page.close();
  });

  it("answers a bot that fills the honeypot with a thank-you, and sends nothing", async () => {
    const page = await watchedPage(browser);
    const posts = submitMutations(page);
    await page.goto(`${api.url}/embed/review-form?key=${api.shop.publishableKey}&product=p06`);
    await page.locator("#product").filter({ hasText: "Product p06" }).waitFor();
    await page.locator('label[for="star-5"]').click();
    await page.getByLabel("Title").fill("Buy cheap watches");
    await page.getByLabel("Your review", { exact: true }).fill("http://spam.example");
    await page.getByLabel("Name shown with your review").fill("Bot");
    // People never see this field (off-screen, aria-hidden, out of the tab order); form-filling bots do.
    await page.locator("#f-hp").fill("http://spam.example", { force: true });
    await page.getByRole("button", { name: "Send review" }).click();
    await expect.poll(() => page.getByRole("status").innerText()).toContain("Thank you");
    expect(posts).toEqual([]);
    expect(await api.models.Review.countDocuments({ productId: "p06" })).toBe(0);
    await page.close();
  });

  it("refuses to serve the form for a secret key, an invalid product id or an unknown language", async () => {
    const url = (q: string) => fetch(`${api.url}/embed/review-form?${q}`);
    const secret = await url(`key=${api.shop.key}&product=p01`);
    expect(secret.status).toBe(400);
    expect(await secret.text()).toContain("never put a secret key (sk_…) in a web page");
    expect((await url(`key=${api.shop.publishableKey}&product=${encodeURIComponent("a b")}`)).status).toBe(400);
    expect(await (await url(`key=${api.shop.publishableKey}&product=p01&lang=fr`)).text()).toContain("lang: must be one of en, de");
    const ok = await url(`key=${api.shop.publishableKey}&product=p01`);
    expect(ok.status).toBe(200);
    expect(ok.headers.get("content-security-policy")).toContain("frame-ancestors *");
  });
});

describe("widgets when Starling is unreachable", () => {
  it("leave the page working, keep their space, and warn once with a [starling] prefix", async () => {
    // A port that was just free: connections to it are refused.
    const closed = http.createServer();
    await new Promise<void>((resolve) => closed.listen(0, "127.0.0.1", resolve));
    const deadUrl = `http://127.0.0.1:${(closed.address() as AddressInfo).port}`;
    await new Promise((resolve) => closed.close(resolve));
    const offline = await startStorefront({
      STARLING_URL: deadUrl,
      STARLING_KEY: "pk_offline",
      CATALOGUE: path.join(tmp, "catalogue.json"),
    });

    const page = await watchedPage(browser);
    const console: { type: string; text: string }[] = [];
    page.on("console", (m) => console.push({ type: m.type(), text: m.text() }));
    await page.goto(`${offline.url}/`);
    await expect.poll(() => page.locator('[data-starling-state="error"]').count(), { timeout: 30_000 }).toBe(PRODUCT_COUNT);
    const box = await page.locator('[data-product="p01"]').boundingBox();
    expect(box!.height).toBeGreaterThan(10);
    // Chromium itself logs each refused request ("Failed to load resource"); that is the browser's, not ours.
    const ours = console.filter((m) => !m.text.startsWith("Failed to load resource"));
    expect(ours).toEqual([{ type: "warning", text: expect.stringMatching(/^\[starling\] rating_unavailable: /) }]);
    expect(page.errors).toEqual([]);

    // The product page still renders, without a badge.
    const product = await fetch(`${offline.url}/products/p01`);
    expect(product.status).toBe(200);
    expect(await product.text()).toContain("<h1>Product p01</h1>");
    await page.close();
  });
});
