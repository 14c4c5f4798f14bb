/**
 * The questions widget (<starling-questions>, data-starling="questions") in
 * Debian's Chromium (playwright-core), with the built widget script, against
 * the real API on a real FerretDB: the list with answers marked by who wrote
 * them, escaped text, the ask form and vote buttons by keyboard alone, what a
 * screen reader is told, and German.
 */
import type { Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { review, startTestApi, SUBMIT, type TestApi } from "../../api/test/helpers.js";
import { startWidgetSite, type WidgetSite } from "./widget-site.js";

const ASK = `mutation($i: AskQuestionInput!) { askQuestion(input: $i) { question { id } } }`;
const ANSWER = `mutation($i: AnswerQuestionInput!) { answerQuestion(input: $i) { answer { id } } }`;

let api: TestApi;
let site: WidgetSite;
const HOSTILE = `<img src=x onerror="window.pwned=1">Does it fit?`;

/** The focused element, looking into shadow roots. */
const focused = (page: Page) =>
  page.evaluate(() => {
    let el = document.activeElement;
    while (el?.shadowRoot?.activeElement) el = el.shadowRoot.activeElement;
    return el ? `${el.tagName.toLowerCase()}${el.getAttribute("aria-invalid") ? "[invalid]" : ""}` : null;
  });

beforeAll(async () => {
  api = await startTestApi();
  for (const id of ["qa1", "qa2"]) {
    expect(
      (await api.gql(`mutation($i: PutProductInput!) { putProduct(input: $i) { id } }`, { i: { id, name: id } })).errors,
    ).toBeUndefined();
  }
  expect(
    (await api.gql(SUBMIT, { input: review("qa1", 5, { title: "Fits a queen mattress", body: "The mattress fits inside easily." }) }))
      .errors,
  ).toBeUndefined();
  const q = await api.gql(
    ASK,
    { i: { productId: "qa1", body: "Does a queen mattress fit?", author: { name: "Kim" } } },
    api.shop.publishableKey,
  );
  const qid = q.data.askQuestion.question.id;
  expect(
    (await api.gql(ANSWER, { i: { questionId: qid, body: "Yes, up to 160 cm.", author: { name: "Support" } } })).errors,
  ).toBeUndefined();
  expect(
    (await api.gql(ANSWER, { i: { questionId: qid, body: "Mine fits.", author: { name: "Lee" } } }, api.shop.publishableKey)).errors,
  ).toBeUndefined();
  expect(
    (await api.gql(ASK, { i: { productId: "qa1", body: HOSTILE, author: { name: "<b>Eve</b>" } } }, api.shop.publishableKey)).errors,
  ).toBeUndefined();
  const de = await api.gql(
    ASK,
    { i: { productId: "qa2", body: "Ist das Zelt wasserdicht?", author: { name: "Jo" } } },
    api.shop.publishableKey,
  );
  expect(
    (await api.gql(ANSWER, { i: { questionId: de.data.askQuestion.question.id, body: "Ja.", author: { name: "Team" } } })).errors,
  ).toBeUndefined();

  site = await startWidgetSite(api);
});

afterAll(async () => {
  await site?.close();
  await api?.close();
});

describe("the questions widget", () => {
  it("lists questions as headed articles with answers marked by who wrote them, related reviews, and customer text escaped", async () => {
    const page = await site.newPage();
    await page.goto(site.servePage("/qa", `<starling-questions product="qa1"></starling-questions>`));
    await expect.poll(() => page.locator("starling-questions").getAttribute("data-starling-state")).toBe("ready");
    const question = page.getByRole("article", { name: "Does a queen mattress fit?" });
    await question.getByRole("heading", { name: "Does a queen mattress fit?" }).waitFor();
    expect(await question.locator(".a .role").allTextContents()).toEqual(["Answer from the shop", "Customer"]);
    expect(await question.locator(".rel li").allTextContents()).toEqual([expect.stringContaining("Fits a queen mattress")]);
    // The hostile question shows as text: no element made from it, no script run.
    await page.getByRole("heading", { name: HOSTILE }).waitFor();
    expect(await page.locator("starling-questions img").count()).toBe(0);
    expect(await page.locator("starling-questions b").count()).toBe(0);
    expect(await page.evaluate(() => (window as unknown as { pwned?: number }).pwned)).toBeUndefined();
    expect(page.errors).toEqual([]);
    await page.close();
  });

  it("votes by keyboard once per voter (the browser's token), and says so in a live region", async () => {
    const page = await site.newPage();
    await page.goto(site.servePage("/vote", `<starling-questions product="qa1"></starling-questions>`));
    const question = page.getByRole("article", { name: "Does a queen mattress fit?" });
    const shopAnswer = question.locator(".a[data-role=shop]");
    const helpful = shopAnswer.getByRole("button", { name: /^Helpful/ });
    await helpful.focus();
    await page.keyboard.press("Space");
    await expect.poll(() => shopAnswer.getByRole("status").textContent()).toBe("Thank you for your vote.");
    expect(await helpful.getAttribute("aria-pressed")).toBe("true");
    expect(await shopAnswer.getByRole("group").getAttribute("aria-label")).toBe("1 found this helpful, 0 did not");
    const answerId = await shopAnswer.getAttribute("data-answer-id");
    expect((await api.models.Answer.findById(answerId).lean())!.votes).toMatchObject({ helpful: 1, notHelpful: 0 });

    // Reloaded, the same browser is the same voter: a second vote changes nothing.
    await page.reload();
    const again = page.getByRole("article", { name: "Does a queen mattress fit?" }).locator(".a[data-role=shop]");
    await again.getByRole("button", { name: /^Not helpful/ }).focus();
    await page.keyboard.press("Enter");
    await expect.poll(() => again.getByRole("status").textContent()).toBe("You have already voted on this.");
    expect((await api.models.Answer.findById(answerId).lean())!.votes).toMatchObject({ helpful: 1, notHelpful: 0 });
    expect(await api.models.Vote.countDocuments({ itemId: answerId })).toBe(1);
    expect(page.errors).toEqual([]);
    await page.close();
  });

  it("asks a question with the keyboard: a missing field is marked and focused, a sent one is announced and listed", async () => {
    const page = await site.newPage();
    await page.goto(site.servePage("/ask", `<starling-questions product="qa1"></starling-questions>`));
    const form = page.getByRole("form", { name: "Ask a question" });
    await form.getByRole("textbox", { name: "Your question" }).focus();
    await page.keyboard.type("How long are the poles?");
    await page.keyboard.press("Tab");
    expect(await focused(page)).toBe("input");
    await page.keyboard.press("Tab");
    await page.keyboard.press("Enter");
    await expect.poll(() => form.getByRole("status").textContent()).toBe("Please fill in this field.");
    expect(await focused(page)).toBe("input[invalid]");
    expect(await api.models.Question.countDocuments({ body: "How long are the poles?" })).toBe(0);

    await page.keyboard.type("Sam");
    await page.keyboard.press("Tab");
    await page.keyboard.press("Enter");
    await expect.poll(() => form.getByRole("status").textContent()).toBe("Thank you! Your question was sent.");
    await page.getByRole("heading", { name: "How long are the poles?" }).waitFor();
    expect(await api.models.Question.countDocuments({ productId: "qa1", body: "How long are the poles?", "author.name": "Sam" })).toBe(1);
    expect(page.errors).toEqual([]);
    await page.close();
  });

  it("speaks German with data-lang=de, as a data-starling element", async () => {
    const page = await site.newPage();
    await page.goto(site.servePage("/de", `<div data-starling="questions" data-product="qa2" data-lang="de"></div>`, { lang: "de" }));
    await page.getByRole("heading", { name: "Fragen und Antworten" }).waitFor();
    await page.getByRole("heading", { name: "Ist das Zelt wasserdicht?" }).waitFor();
    expect(await page.locator("[data-starling=questions] .a .role").allTextContents()).toEqual(["Antwort des Shops"]);
    expect(await page.getByRole("button", { name: /^Hilfreich/ }).count()).toBe(1);
    expect(await page.getByRole("form", { name: "Frage stellen" }).getByRole("button", { name: "Frage senden" }).count()).toBe(1);
    expect(page.errors).toEqual([]);
    await page.close();
  });
});
