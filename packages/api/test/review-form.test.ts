/**
 * The review form honours a purchase invitation in its URL (`invitation=`),
 * in a real browser: it sends the token, tells the customer the review is a
 * verified purchase, and answers a forged, used, expired or mangled link with
 * its own clear message, storing nothing.
 */
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { REVIEW_FORM_PATH } from "../src/form/route.js";
import { FORM_STRINGS } from "../src/form/strings.js";
import { launchChromium } from "./browser.js";
import { startTestApi, type TestApi } from "./helpers.js";

let api: TestApi;
let browser: Browser;
const S = FORM_STRINGS.en;

beforeAll(async () => {
  api = await startTestApi();
  await api.gql(`mutation { putProduct(input: { id: "boots", name: "Hiking boots" }) { id } }`);
  browser = await launchChromium();
});
afterAll(async () => {
  await browser?.close();
  await api?.close();
});

async function invite(orderRef: string): Promise<string> {
  const r = await api.gql(`mutation($i: CreateInvitationInput!) { createInvitation(input: $i) { token } }`, {
    i: { productId: "boots", orderRef, customerEmail: `${orderRef}@example.com` },
  });
  expect(r.errors).toBeUndefined();
  return r.data.createInvitation.token;
}

async function openForm(invitation?: string): Promise<Page> {
  const page = await browser.newPage();
  const params = new URLSearchParams({ key: api.shop.publishableKey, product: "boots" });
  if (invitation !== undefined) params.set("invitation", invitation);
  await page.goto(`${api.url}${REVIEW_FORM_PATH}?${params}`);
  // The product's name arrives once the form has talked to the API.
  await expect.poll(() => page.locator("#product").innerText(), { timeout: 30_000 }).toContain("Hiking boots");
  return page;
}

async function fillAndSend(page: Page, title: string): Promise<void> {
  await page.click('label[for="star-4"]');
  await page.fill("#f-title", title);
  // A text of its own per review: the same text from two authors would be held back as a copy.
  await page.fill("#f-body", `${title}: comfortable from the first day, dry after a day of rain.`);
  await page.fill("#f-name", "Robin");
  await page.click('button[type="submit"]');
}

describe("the review form with a purchase invitation", () => {
  it("sends the token and tells the customer the review is a verified purchase", async () => {
    const page = await openForm(await invite("order-1-line-1"));
    expect(await page.locator("#notice").innerText()).toBe(S.noticeVerified);
    await fillAndSend(page, "Verified boots");
    await page.locator("#done").waitFor({ state: "visible", timeout: 30_000 });
    expect(await page.locator("#thanks").innerText()).toBe(`${S.thanks} ${S.thanksVerified}`);
    expect(await page.locator("#another").isVisible()).toBe(false);
    const stored = await api.models.Review.findOne({ shopId: api.shop.id, title: "Verified boots" }).lean();
    expect(stored).toMatchObject({ provenance: "VERIFIED_PURCHASE", verification: { method: "invitation", orderRef: "order-1-line-1" } });
    await page.close();
  });

  it("without an invitation, says the review is not verified and stores it as ORGANIC", async () => {
    const page = await openForm();
    expect(await page.locator("#notice").innerText()).toBe(S.notice);
    await fillAndSend(page, "Organic boots");
    await page.locator("#done").waitFor({ state: "visible", timeout: 30_000 });
    expect(await page.locator("#thanks").innerText()).toBe(S.thanks);
    expect(await api.models.Review.findOne({ title: "Organic boots" }).lean()).toMatchObject({ provenance: "ORGANIC" });
    await page.close();
  });

  it.each([
    ["used", S.err_invitation_used],
    ["expired", S.err_invitation_expired],
    ["forged", S.err_invitation_invalid],
  ] as const)("answers a %s invitation with the form's own message and stores nothing", async (kind, message) => {
    let token = await invite(`order-${kind}`);
    if (kind === "used") {
      const first = await openForm(token);
      await fillAndSend(first, "First with this link");
      await first.locator("#done").waitFor({ state: "visible", timeout: 30_000 });
      await first.close();
    }
    if (kind === "expired") {
      await api.models.Invitation.updateOne({ orderRef: `order-${kind}` }, { $set: { expiresAt: new Date(Date.now() - 60_000) } });
    }
    if (kind === "forged") {
      // Another claim under the same signature: the HMAC no longer matches.
      const [payload, signature] = token.split(".");
      const claims = JSON.parse(Buffer.from(payload!, "base64url").toString("utf8"));
      token = `${Buffer.from(JSON.stringify({ ...claims, i: "inv_someone_else" })).toString("base64url")}.${signature}`;
    }
    const before = await api.models.Review.countDocuments();
    const page = await openForm(token);
    await fillAndSend(page, `Second try (${kind})`);
    await expect.poll(() => page.locator("#summary").innerText(), { timeout: 30_000 }).toBe(message);
    expect(await page.locator("#done").isVisible()).toBe(false);
    expect(await api.models.Review.countDocuments()).toBe(before);
    await page.close();
  });

  it("tells the customer at once when the link's token is mangled (cut off in an e-mail client)", async () => {
    const page = await openForm("eyJ2IjoxLC");
    expect(await page.locator("#summary").innerText()).toBe(S.err_invitation_invalid);
    expect(await page.locator("#notice").innerText()).toBe(S.notice);
    await page.close();
  });
});
