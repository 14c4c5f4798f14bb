/**
 * The shop's dashboard (issue 16), end to end in Chromium against a real API
 * and FerretDB: sign-in and sessions, the moderation queue by keyboard, a
 * burst on a product's timeline, search, keys, CSRF, shop isolation, the
 * CLI's one-time link, axe-core on every page (screenshots to .data/artifacts/),
 * and the maintained counters against a rebuild from the reviews.
 */
import { mkdir, readFile } from "node:fs/promises";
import { createRequire } from "node:module";
import path from "node:path";
import { chromium, type Browser, type BrowserContext, type Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { submitReview } from "../src/features/reviews/reviews.js";
import { createSignInLink, csrfToken, CSRF_HEADER, SESSION_COOKIE } from "../src/features/dashboard/sessions.js";
import { rebuildDashboardCounts } from "../src/features/dashboard/counters.js";
import { REPO_ROOT } from "../src/config.js";
import { SUBMIT, review, spawnCli, startTestApi, type TestApi, type TestShop } from "./helpers.js";

const require = createRequire(import.meta.url);
const ARTIFACTS = path.join(REPO_ROOT, ".data", "artifacts");
const DAY = 86_400_000;

let api: TestApi;
let browser: Browser;
let axeSource: string;
let other: TestShop;

async function putProduct(id: string, key = api.shop.key) {
  const r = await api.gql(`mutation($i: PutProductInput!) { putProduct(input: $i) { id } }`, { i: { id, name: `The ${id}` } }, key);
  expect(r.errors).toBeUndefined();
}

/** An established product: 30 reviews from 12 repeat customers over 90 days, ending 30 days ago (as in scoring.test.ts). */
async function establish(productId: string) {
  await putProduct(productId);
  const start = Date.now() - 120 * DAY;
  for (let i = 0; i < 30; i++) {
    const at = new Date(start + i * 3 * DAY);
    await submitReview({ ...api.starling.deps, now: () => at }, api.shop.id, {
      productId,
      rating: [4, 5, 3, 4, 5, 4][i % 6]!,
      title: `Review ${i} of ${productId}`,
      body: `Customer ${i % 12} writes review number ${i} about ${productId}, with details of use ${i * 7}.`,
      reviewer: { name: `Customer ${i % 12}`, externalId: `customer-${i % 12}` },
      idempotencyKey: `${productId}-history-${i}`,
    });
  }
}

async function submit(productId: string, rating: number, extra: Record<string, unknown>) {
  const r = await api.gql(SUBMIT, { input: review(productId, rating, extra) });
  expect(r.errors).toBeUndefined();
  return r.data.submitReview.review.id as string;
}

async function newContext(): Promise<BrowserContext> {
  return browser.newContext({ viewport: { width: 1200, height: 900 } });
}

/** Signs in through the page with a secret key; returns once the overview has loaded. */
async function signIn(context: BrowserContext, key: string): Promise<Page> {
  const page = await context.newPage();
  await page.goto(`${api.url}/dashboard`);
  await page.getByLabel(/Secret key|Geheimer Schlüssel/).fill(key);
  await page.getByRole("button", { name: /Sign in|Anmelden/ }).click();
  await page.waitForSelector("main[data-ready]", { timeout: 30_000 });
  return page;
}

async function open(page: Page, route: string): Promise<void> {
  await page.evaluate((r) => {
    document.querySelector("main")?.removeAttribute("data-ready");
    if (location.hash === r) window.dispatchEvent(new HashChangeEvent("hashchange"));
    else location.hash = r;
  }, route);
  await page.waitForSelector("main[data-ready]", { timeout: 30_000 });
}

/** axe-core in the page (evaluated over the DevTools protocol, so the page's CSP stays on); serious or critical violations. */
async function axeViolations(page: Page): Promise<{ id: string; impact: string; nodes: string[] }[]> {
  await page.evaluate(axeSource);
  const result = await page.evaluate(async () => {
    const axe = (
      window as unknown as {
        axe: {
          run: (
            ctx: Document,
            opts: object,
          ) => Promise<{ violations: { id: string; impact: string; nodes: { target: string[] }[] }[]; passes: unknown[] }>;
        };
      }
    ).axe;
    const r = await axe.run(document, { resultTypes: ["violations"] });
    return { violations: r.violations, passes: r.passes.length };
  });
  // axe really looked at the page: dozens of rules apply to any of these pages.
  expect(result.passes).toBeGreaterThan(10);
  return result.violations
    .filter((v) => v.impact === "serious" || v.impact === "critical")
    .map((v) => ({ id: v.id, impact: v.impact, nodes: v.nodes.map((n) => n.target.join(" ")) }));
}

async function shot(page: Page, name: string) {
  await mkdir(ARTIFACTS, { recursive: true });
  await page.screenshot({ path: path.join(ARTIFACTS, `dashboard-${name}.png`), fullPage: true });
}

async function cookieOf(context: BrowserContext) {
  return (await context.cookies(api.url)).find((c) => c.name === SESSION_COOKIE)!;
}

/** GraphQL as a script with a stolen or forged session would send it (Node's fetch: no browser rules). */
async function withCookie(sessionId: string, query: string, headers: Record<string, string> = {}) {
  const res = await fetch(`${api.url}/graphql`, {
    method: "POST",
    headers: { "content-type": "application/json", cookie: `${SESSION_COOKIE}=${sessionId}`, ...headers },
    body: JSON.stringify({ query }),
  });
  return (await res.json()) as { data?: any; errors?: { message: string; extensions: { code: string } }[] };
}

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
      "--disable-sync",
      "--no-first-run",
    ],
  });
  // A product with a burst (for its timeline), and one with a quarantined copy (for the queue).
  await establish("kettle");
  for (let i = 0; i < 10; i++) {
    await submit("kettle", 5, {
      title: `Great kettle ${i}`,
      body: `Unique burst text number ${i}: ${"word".repeat(i + 1)} boils fast ${i * 13} seconds.`,
      reviewer: { name: `New ${i}`, externalId: `burst-${i}` },
    });
  }
  await putProduct("mug");
  await submit("mug", 2, {
    title: "Chipped rim",
    body: "The glaze chipped after a week in the dishwasher, sadly.",
    reviewer: { name: "Ana", externalId: "ana" },
  });
  await submit("mug", 3, {
    title: "Fine mug",
    body: "Holds coffee; the zeppelin print faded a little.",
    reviewer: { name: "Ben", externalId: "ben" },
  });
  const copied = "A lovely mug that keeps my tea warm for a long time and looks great on the desk every single day.";
  await submit("mug", 5, { title: "Lovely", body: copied, reviewer: { name: "Cleo", externalId: "cleo" } });
  await submit("mug", 5, { title: "Lovely too", body: copied, reviewer: { name: "Dan", externalId: "dan" } });
  other = await api.newShop("Other shop");
  await putProduct("secret-thing", other.key);
}, 300_000);

afterAll(async () => {
  await browser?.close();
  await api?.close();
});

describe("the dashboard", () => {
  it("is served at /dashboard with a strict CSP and its built script under 80 KB gzipped", async () => {
    const res = await fetch(`${api.url}/dashboard`);
    expect(res.status).toBe(200);
    expect(res.headers.get("content-security-policy")).toContain("script-src 'self'");
    const html = await res.text();
    const script = /src="(\/dashboard\/assets\/[^"]+\.js)"/.exec(html)![1]!;
    const js = await fetch(`${api.url}${script}`);
    expect(js.status).toBe(200);
    const sizes = JSON.parse(await readFile(path.join(REPO_ROOT, "packages/dashboard/dist/sizes.json"), "utf8")) as { jsGzipBytes: number };
    expect(sizes.jsGzipBytes).toBeLessThanOrEqual(80 * 1024);
  });

  it("signs in with a secret key: an httpOnly, SameSite=Strict cookie that expires; the key is kept neither in the page nor in browser storage", async () => {
    const context = await newContext();
    const page = await signIn(context, api.shop.key);
    const cookie = await cookieOf(context);
    expect(cookie.httpOnly).toBe(true);
    expect(cookie.sameSite).toBe("Strict");
    expect(cookie.expires).toBeGreaterThan(Date.now() / 1000);
    expect(cookie.expires).toBeLessThan(Date.now() / 1000 + 9 * 3600);
    expect(cookie.secure).toBe(false); // plain http here; https gets Secure (see the next test)
    const stored = await page.evaluate(() => JSON.stringify({ ...localStorage, ...sessionStorage }) + document.documentElement.outerHTML);
    expect(stored).not.toContain(api.shop.key);
    expect(await page.evaluate(() => document.cookie)).not.toContain(SESSION_COOKIE);
    // The database keeps only a hash of the session id.
    const sessions = await api.models.DashboardSession.find({ shopId: api.shop.id }).lean();
    expect(sessions.some((s) => s._id === cookie.value)).toBe(false);
    // Signing out ends the session on the server.
    await page.getByRole("button", { name: "Sign out" }).click();
    await page.getByLabel("Secret key").waitFor();
    expect(
      (await withCookie(cookie.value, "{ shop { id } }", { [CSRF_HEADER]: csrfToken(cookie.value) })).errors![0]!.extensions.code,
    ).toBe("UNAUTHENTICATED");
    await context.close();
  });

  it("marks the cookie Secure behind an https proxy, and refuses a wrong key or a publishable one", async () => {
    const post = (body: object, headers: Record<string, string> = {}) =>
      fetch(`${api.url}/dashboard/session`, {
        method: "POST",
        headers: { "content-type": "application/json", origin: api.url, ...headers },
        body: JSON.stringify(body),
      });
    expect((await post({ key: "sk_wrong" })).status).toBe(401);
    expect((await post({ key: api.shop.publishableKey })).status).toBe(401);
    // From another site: no session is made, even with the right key.
    const foreign = await post({ key: api.shop.key }, { origin: "https://evil.example" });
    expect(foreign.status).toBe(403);
    expect(foreign.headers.get("set-cookie")).toBeNull();
    const ok = await post({ key: api.shop.key });
    expect(ok.headers.get("set-cookie")).toMatch(/HttpOnly; SameSite=Strict; Max-Age=\d+$/);
    // A client's own X-Forwarded-Proto means nothing without a trusted proxy; behind one, https gets Secure.
    expect((await post({ key: api.shop.key }, { "x-forwarded-proto": "https" })).headers.get("set-cookie")).not.toMatch(/Secure/);
    const proxied = await startTestApi({ trustProxyHops: 1 });
    try {
      const res = await fetch(`${proxied.url}/dashboard/session`, {
        method: "POST",
        headers: {
          "content-type": "application/json",
          origin: proxied.url,
          "x-forwarded-proto": "https",
          "x-forwarded-for": "203.0.113.9",
        },
        body: JSON.stringify({ key: proxied.shop.key }),
      });
      expect(res.headers.get("set-cookie")).toMatch(/HttpOnly; SameSite=Strict; Max-Age=\d+; Secure$/);
    } finally {
      await proxied.close();
    }
    // Sessions end when they expire (the server checks, whatever the browser keeps).
    const expired = "expired-session-id";
    await api.models.DashboardSession.collection.insertOne({
      _id: (await import("node:crypto")).createHash("sha256").update(expired).digest("hex"),
      shopId: api.shop.id,
      keyId: null,
      scopes: ["reviews:read"],
      createdAt: new Date(Date.now() - 2 * DAY),
      expiresAt: new Date(Date.now() - DAY),
    } as never);
    expect((await withCookie(expired, "{ shop { id } }", { [CSRF_HEADER]: csrfToken(expired) })).errors![0]!.extensions.code).toBe(
      "UNAUTHENTICATED",
    );
  });

  it("publishes a quarantined review from the queue by keyboard alone, and the rating changes", async () => {
    const before = (await api.gql(`{ product(id: "mug") { rating { count average } } }`)).data.product.rating;
    expect(before.count).toBe(3);
    const context = await newContext();
    const page = await signIn(context, api.shop.key);
    expect(await page.locator("#kpi-published").innerText()).toBe("43");
    await open(page, "#/queue");
    const card = page.locator("article.review", { hasText: "Lovely too" });
    await expect.poll(() => card.count()).toBe(1);
    expect(await card.innerText()).toMatch(/QUARANTINED|Quarantined/i);
    expect(await card.innerText()).toMatch(/similar to review .* by another reviewer/); // the fraud check's reason is shown
    // Keyboard only: Tab to the queue's card, then j/k and p.
    for (let i = 0; i < 40 && !(await page.evaluate(() => document.activeElement?.matches("article.review") ?? false)); i++)
      await page.keyboard.press("Tab");
    for (
      let i = 0;
      i < 10 && (await page.evaluate(() => document.activeElement?.querySelector(".title")?.textContent)) !== "Lovely too";
      i++
    )
      await page.keyboard.press("j");
    expect(await page.evaluate(() => document.activeElement?.querySelector(".title")?.textContent)).toBe("Lovely too");
    await page.keyboard.press("p");
    await expect.poll(() => page.locator("p.status").innerText(), { timeout: 30_000 }).toMatch(/Done: 1/);
    await expect.poll(() => page.locator("article.review", { hasText: "Lovely too" }).count()).toBe(0);
    const after = (await api.gql(`{ product(id: "mug") { rating { count average } } }`)).data.product.rating;
    expect(after.count).toBe(4);
    expect(after.average).not.toBe(before.average);
    await open(page, "#/overview");
    expect(await page.locator("#kpi-published").innerText()).toBe("44");
    await context.close();
  });

  it("rejects several reviews at once for a listed reason", async () => {
    await submit("mug", 1, {
      title: "Spam one",
      body: "Buy cheap watches at example dot com today, number one.",
      reviewer: { name: "S1", externalId: "s1" },
    });
    await submit("mug", 1, {
      title: "Spam two",
      body: "Visit my store for discount codes and more, number two.",
      reviewer: { name: "S2", externalId: "s2" },
    });
    await api.gql(`mutation { setModerationMode(mode: PRE) }`);
    const a = await submit("mug", 4, {
      title: "Pending A",
      body: "Waiting for approval, text A about the mug.",
      reviewer: { name: "PA", externalId: "pa" },
    });
    const b = await submit("mug", 4, {
      title: "Pending B",
      body: "Waiting for approval, text B about the mug.",
      reviewer: { name: "PB", externalId: "pb" },
    });
    await api.gql(`mutation { setModerationMode(mode: POST) }`);
    const context = await newContext();
    const page = await signIn(context, api.shop.key);
    await open(page, "#/queue");
    await page.getByLabel(`Select review ${a}`).check();
    await page.getByLabel(`Select review ${b}`).check();
    await page.getByLabel("Reason").selectOption("SPAM");
    await page.locator("#reject-selected").click();
    await expect.poll(() => page.locator("p.status").innerText(), { timeout: 30_000 }).toMatch(/Done: 2/);
    const statuses = await api.models.Review.find({ _id: { $in: [a, b] } }, { status: 1 }).lean();
    expect(statuses.map((s) => s.status)).toEqual(["rejected", "rejected"]);
    const log = await api.gql(`{ moderationLog(first: 2) { reason action } }`);
    expect(log.data.moderationLog).toEqual([
      { reason: "SPAM", action: "reject" },
      { reason: "SPAM", action: "reject" },
    ]);
    await context.close();
  });

  it("shows a burst on a product's timeline, with its evidence, and the reviews that count less and why", async () => {
    const context = await newContext();
    const page = await signIn(context, api.shop.key);
    await open(page, "#/product/kettle");
    expect(await page.locator("#bursts li.burst").count()).toBeGreaterThan(0);
    expect(await page.locator("#bursts").innerText()).toMatch(/against a baseline of/);
    expect(await page.locator("figure.chart canvas").count()).toBeGreaterThan(0);
    expect(await page.locator("main").innerText()).toMatch(/part of a sudden burst of reviews/);
    await context.close();
  });

  it("finds a review by a word in it", async () => {
    const context = await newContext();
    const page = await signIn(context, api.shop.key);
    await open(page, "#/reviews");
    await page.getByLabel("Words").fill("ZEPPELIN");
    await page.getByRole("button", { name: "Search" }).click();
    await expect.poll(() => page.locator("#results article.review").count()).toBe(1);
    expect(await page.locator("#results").innerText()).toContain("Fine mug");
    // Text is a literal, never a pattern.
    await page.getByLabel("Words").fill(".*");
    await page.getByRole("button", { name: "Search" }).click();
    await expect.poll(() => page.getByText("No review matches.").count()).toBe(1);
    await context.close();
  });

  it("creates and revokes a key; the shop's last key-managing key is protected (LAST_KEY)", async () => {
    const context = await newContext();
    const page = await signIn(context, api.shop.key);
    await open(page, "#/keys");
    await page.getByLabel("Label").fill("made in the dashboard");
    await page.getByRole("button", { name: "Create key" }).click();
    const made = await page.locator("#new-key").innerText();
    expect(made).toMatch(/^sk_/);
    expect((await api.gql("{ shop { id } }", {}, made)).data.shop.id).toBe(api.shop.id);
    await page.getByRole("button", { name: "Revoke made in the dashboard" }).click();
    await expect.poll(async () => (await api.gql("{ shop { id } }", {}, made)).errors?.[0]?.extensions?.code).toBe("UNAUTHENTICATED");
    await expect.poll(() => page.locator("#key-list").innerText()).toMatch(/revoked/);
    await context.close();

    // The other shop, signed in by an operator's link (no key): its one secret key cannot be revoked.
    const linked = await newContext();
    const { token } = await createSignInLink(api.starling.deps, other.id);
    const p2 = await linked.newPage();
    await p2.goto(`${api.url}/dashboard/#link=${token}`);
    await p2.getByRole("button", { name: "Continue with the sign-in link" }).click();
    await p2.waitForSelector("main[data-ready]");
    await open(p2, "#/keys");
    await p2.getByRole("button", { name: "Revoke default secret key" }).click();
    await expect.poll(() => p2.locator("#key-status").innerText()).toMatch(/last key that can manage keys/);
    expect((await api.gql("{ shop { id } }", {}, other.key)).data.shop.id).toBe(other.id);
    await linked.close();
  });

  it("refuses an action without the CSRF token, from another origin, or by GET; nothing changes", async () => {
    const context = await newContext();
    const page = await signIn(context, api.shop.key);
    const keysBefore = await api.models.ApiKey.countDocuments({ shopId: api.shop.id });
    // From the page itself, with the cookie but without the header.
    const answer = await page.evaluate(async () => {
      const res = await fetch("/graphql", {
        method: "POST",
        credentials: "same-origin",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ query: 'mutation { createApiKey(input: { kind: SECRET, label: "csrf" }) { key } }' }),
      });
      return res.json();
    });
    expect(answer.errors![0]!.extensions.code).toBe("CSRF_REJECTED");
    const sid = (await cookieOf(context)).value;
    const create = 'mutation { createApiKey(input: { kind: SECRET, label: "csrf" }) { key } }';
    expect((await withCookie(sid, create, { [CSRF_HEADER]: "wrong" })).errors![0]!.extensions.code).toBe("CSRF_REJECTED");
    expect(
      (await withCookie(sid, create, { [CSRF_HEADER]: csrfToken(sid), origin: "https://evil.example" })).errors![0]!.extensions.code,
    ).toBe("CSRF_REJECTED");
    const get = await fetch(`${api.url}/graphql?query=${encodeURIComponent("{ apiKeys { id } }")}`, {
      headers: { cookie: `${SESSION_COOKIE}=${sid}`, [CSRF_HEADER]: csrfToken(sid) },
    });
    expect(((await get.json()) as any).errors[0].extensions.code).toBe("CSRF_REJECTED");
    // Sign-out too needs the token.
    const out = await fetch(`${api.url}/dashboard/signout`, {
      method: "POST",
      headers: { cookie: `${SESSION_COOKIE}=${sid}`, origin: api.url },
    });
    expect(out.status).toBe(403);
    expect(await api.models.ApiKey.countDocuments({ shopId: api.shop.id })).toBe(keysBefore);
    // With the token, the same session works.
    expect((await withCookie(sid, "{ shop { id } }", { [CSRF_HEADER]: csrfToken(sid) })).data.shop.id).toBe(api.shop.id);
    await context.close();
  });

  it("a session cookie of one shop cannot read another's", async () => {
    const context = await newContext();
    const page = await signIn(context, other.key);
    expect(await page.locator("header .brand").innerText()).toContain("Other shop");
    const sid = (await cookieOf(context)).value;
    const h = { [CSRF_HEADER]: csrfToken(sid) };
    const r = await withCookie(
      sid,
      `{ shop { id } product(id: "mug") { id } searchReviews(text: "mug") { reviews { id } } dashboardOverview { pending publication { received } } reviewQueue { reviews { id } } }`,
      h,
    );
    expect(r.errors).toBeUndefined();
    expect(r.data.shop.id).toBe(other.id);
    expect(r.data.product).toBeNull();
    expect(r.data.searchReviews.reviews).toEqual([]);
    expect(r.data.reviewQueue.reviews).toEqual([]);
    expect(r.data.dashboardOverview.publication.every((p: { received: number }) => p.received === 0)).toBe(true);
    // Acting on the first shop's review by id is NOT_FOUND for this shop.
    const theirs = (await api.models.Review.findOne({ shopId: api.shop.id }).lean())!._id;
    const act = await withCookie(sid, `mutation { replyToReview(reviewId: "${theirs}", body: "hi") { id } }`, h);
    expect(act.errors![0]!.extensions.code).toBe("NOT_FOUND");
    await context.close();
  });

  it("the CLI prints a one-time sign-in link that expires and works once", async () => {
    const run = spawnCli(["dashboard-link", "--shop", api.shop.id, "--url", api.url], {
      MONGODB_URI: inject("mongoUri"),
      STARLING_DB_NAME: api.starling.db.conn.name,
      LOG_LEVEL: "error",
    });
    const [, link] = await run.line(/sign-in link \(until [^)]+\): (\S+)$/, 60_000);
    expect((await run.exited).code).toBe(0);
    const context = await newContext();
    const page = await context.newPage();
    await page.goto(link!);
    await page.getByRole("button", { name: "Continue with the sign-in link" }).click();
    await page.waitForSelector("main[data-ready]");
    expect(page.url()).not.toContain("link="); // the token left the address bar
    const token = /#link=(.+)$/.exec(link!)![1]!;
    const again = await fetch(`${api.url}/dashboard/session`, {
      method: "POST",
      headers: { "content-type": "application/json", origin: api.url },
      body: JSON.stringify({ link: token }),
    });
    expect(again.status).toBe(401);
    const stored = await api.models.DashboardLink.find({ shopId: api.shop.id }).lean();
    expect(stored.every((l) => l.expiresAt.getTime() - l.createdAt.getTime() <= 15 * 60_000)).toBe(true);
    await context.close();
  });

  it("has no serious or critical axe-core violation on any page, in English and German (screenshots to .data/artifacts/)", async () => {
    const context = await newContext();
    const page = await context.newPage();
    await page.goto(`${api.url}/dashboard`);
    await page.getByLabel("Secret key").waitFor();
    expect(await axeViolations(page)).toEqual([]);
    await shot(page, "sign-in");
    await page.getByLabel("Secret key").fill(api.shop.key);
    await page.getByRole("button", { name: "Sign in" }).click();
    await page.waitForSelector("main[data-ready]");
    for (const route of [
      "overview",
      "products",
      "product/kettle",
      "queue",
      "reviews",
      "invitations",
      "keys",
      "webhooks",
      "import",
      "settings",
    ]) {
      await open(page, `#/${route}`);
      // Charts draw on the next frame.
      await page.evaluate(() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r))));
      expect({ route, violations: await axeViolations(page) }).toEqual({ route, violations: [] });
      await shot(page, route.replace("/", "-"));
    }
    // The import page uploads and downloads (tested in dashboard-io.test.ts); it no longer sends the shop to the CLI.
    await open(page, "#/import");
    expect(await page.locator('main input[type="file"]').count()).toBe(1);
    expect(await page.getByRole("link", { name: "Download as CSV" }).getAttribute("href")).toBe("/export/reviews?format=csv");
    expect(await page.locator("main").innerText()).not.toMatch(/Not available on this server/);
    await page.getByLabel("Language").selectOption("de");
    await open(page, "#/overview");
    expect(await page.locator("main h1").innerText()).toBe("Überblick");
    expect(await axeViolations(page)).toEqual([]);
    await shot(page, "overview-de");
    await context.close();
  }, 240_000); // twelve pages in a real browser, each with axe-core, on a busy 2-core machine

  it("keeps its counters equal to a rebuild from the reviews", async () => {
    const live = await api.models.DashboardCounts.find({}).sort({ _id: 1 }).lean();
    await rebuildDashboardCounts(api.starling.deps);
    const rebuilt = await api.models.DashboardCounts.find({}).sort({ _id: 1 }).lean();
    // Zeroes left by decrements are the same as absent keys (and a null the same as no field).
    const clean = (docs: typeof live) =>
      JSON.parse(JSON.stringify(docs), (_k, v) =>
        v && typeof v === "object" && !Array.isArray(v)
          ? Object.fromEntries(
              Object.entries(v).filter(([, x]) => x !== 0 && x !== null && !(x && typeof x === "object" && Object.keys(x).length === 0)),
            )
          : v,
      );
    expect(clean(live)).toEqual(clean(rebuilt));
    expect(live.length).toBeGreaterThan(2);
  });
});
