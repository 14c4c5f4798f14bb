/**
 * A reviewer's data can be exported and erased (anonymised or deleted), and
 * each shop's disclosure page tells the truth about its settings.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { recomputeSummaries } from "../src/domain/ratings.js";
import { RATING, SUBMIT, review, startTestApi, type TestApi } from "./helpers.js";

let api: TestApi;

const EXPORT = `query($r: ReviewerRefInput!) { exportReviewerData(reviewer: $r) }`;
const ERASE = `mutation($r: ReviewerRefInput!, $m: ErasureMode!) { eraseReviewerData(reviewer: $r, mode: $m) { reviews invitations } }`;

async function invitedReview(email: string, stars: number) {
  const inv = await api.gql(`mutation($i: CreateInvitationInput!) { createInvitation(input: $i) { token } }`, {
    i: { productId: "tent", orderRef: `o-${Math.random().toString(36).slice(2)}`, customerEmail: email },
  });
  const r = await api.gql(SUBMIT, { input: review("tent", stars, { invitationToken: inv.data.createInvitation.token, reviewer: { name: "Alex Doe" } }) });
  expect(r.errors).toBeUndefined();
  return r.data.submitReview.review.id as string;
}

beforeAll(async () => {
  api = await startTestApi();
  await api.gql(`mutation { putProduct(input: { id: "tent", name: "Tent" }) { id } }`);
});
afterAll(() => api?.close());

describe("reviewer data", () => {
  it("exports everything held about a customer, found by email or customer id", async () => {
    const a = await invitedReview("alex@example.com", 5);
    const b = (await api.gql(SUBMIT, { input: review("tent", 4, { reviewer: { name: "Alex D.", externalId: "cust-7" } }) })).data.submitReview.review.id;
    const byEmail = (await api.gql(EXPORT, { r: { email: "alex@example.com" } })).data.exportReviewerData;
    expect(byEmail.reviews.map((r: any) => r._id)).toEqual([a]);
    expect(byEmail.reviews[0].reviewer.email).toBe("alex@example.com");
    expect(byEmail.invitations).toHaveLength(1);
    const both = (await api.gql(EXPORT, { r: { email: "alex@example.com", externalId: "cust-7" } })).data.exportReviewerData;
    expect(both.reviews.map((r: any) => r._id).sort()).toEqual([a, b].sort());
  });

  it("needs an id or an email, and the PRIVACY_MANAGE scope", async () => {
    const none = await api.gql(EXPORT, { r: {} });
    expect(none.errors?.[0]?.extensions).toMatchObject({ code: "INVALID_INPUT", field: "reviewer" });
    const pk = await api.gql(EXPORT, { r: { email: "alex@example.com" } }, api.shop.publishableKey);
    expect(pk.errors?.[0]?.extensions?.code).toBe("FORBIDDEN");
  });

  it("anonymises: text and stars stay, the person is gone", async () => {
    const id = await invitedReview("sam@example.com", 3);
    const before = (await api.gql(RATING, { id: "tent" })).data.product.rating.count;
    const r = await api.gql(ERASE, { r: { email: "sam@example.com" }, m: "ANONYMISE" });
    expect(r.data.eraseReviewerData).toEqual({ reviews: 1, invitations: 1 });
    const doc = await api.models.Review.findById(id).lean();
    expect(doc?.reviewer).toMatchObject({ name: "Former customer", externalId: null, email: null });
    expect(doc?.body).toBe("Written by a test.");
    expect((await api.gql(RATING, { id: "tent" })).data.product.rating.count).toBe(before);
    expect(JSON.stringify(await api.models.Invitation.find({}).lean())).not.toContain("sam@example.com");
    const log = (await api.gql(`query($id: ID) { moderationLog(reviewId: $id) { action note } }`, { id })).data.moderationLog;
    expect(log[0].action).toBe("erase");
    expect(JSON.stringify(log)).not.toMatch(/sam@example|Alex Doe/);
  });

  it("deletes: the reviews and their weight in the rating are gone", async () => {
    const id = await invitedReview("kim@example.com", 1);
    const before = (await api.gql(RATING, { id: "tent" })).data.product.rating;
    const r = await api.gql(ERASE, { r: { email: "kim@example.com" }, m: "DELETE" });
    expect(r.data.eraseReviewerData.reviews).toBe(1);
    expect(await api.models.Review.exists({ _id: id })).toBeNull();
    const after = (await api.gql(RATING, { id: "tent" })).data.product.rating;
    expect(after.count).toBe(before.count - 1);
    expect(after.histogram.find((h: any) => h.stars === 1).count).toBe(before.histogram.find((h: any) => h.stars === 1).count - 1);
    expect((await recomputeSummaries(api.starling.deps)).repaired).toEqual([]);
  });
});

describe("disclosure page", () => {
  it("says what the shop actually does, and changes with its settings", async () => {
    await api.gql(`mutation($i: PutProductInput!) { putProduct(input: $i) { id } }`, { i: { id: "x", name: "<script>alert(1)</script>" } });
    const url = `${api.url}/shops/${api.shop.id}/disclosure`;
    let html = await (await fetch(url)).text();
    expect(html).toContain("How reviews work at Test shop");
    expect(html).toMatch(/Reviews labelled <strong>Verified purchase<\/strong> \(\d+ of \d+ published\)/);
    expect(html).toContain("New reviews are published at once");
    expect(html).toContain("No review is hidden or delayed because of its star rating");
    expect(html).toContain("<th scope=\"row\">5 ★</th>");

    await api.gql(`mutation { setModerationMode(mode: PRE) }`);
    html = await (await fetch(url)).text();
    expect(html).toContain("New reviews are published after the shop approves them.");

    const other = await api.newShop('Tom & "Jerry" <Outlet>');
    const otherHtml = await (await fetch(`${api.url}/shops/${other.id}/disclosure`)).text();
    expect(otherHtml).toContain("Tom &amp; &quot;Jerry&quot; &lt;Outlet&gt;");
    expect(otherHtml).toContain("does <strong>not</strong> currently check reviews against orders");
    expect((await fetch(`${api.url}/shops/nope/disclosure`)).status).toBe(404);
  });
});
