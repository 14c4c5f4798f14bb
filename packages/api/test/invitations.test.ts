/**
 * Verified purchases: a signed, single-use invitation per order line makes a
 * review VERIFIED_PURCHASE; tokens cannot be forged, reused, moved to another
 * product or used after they expire.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createInvitation } from "../src/domain/invitations.js";
import { review, startTestApi, type TestApi } from "./helpers.js";

let api: TestApi;

const INVITE = `mutation($i: CreateInvitationInput!) { createInvitation(input: $i) { token invitation { id productId orderRef expiresAt usedAt reviewId } } }`;
const VERIFIED_SUBMIT = `mutation($input: SubmitReviewInput!) { submitReview(input: $input) { replayed review { id provenance verification { method } reviewer { name } } } }`;

async function invite(productId = "boot", orderRef = `order-${Math.random().toString(36).slice(2)}`) {
  const r = await api.gql(INVITE, { i: { productId, orderRef, customerEmail: "buyer@example.com" } });
  expect(r.errors).toBeUndefined();
  return r.data.createInvitation as { token: string; invitation: { id: string } };
}

beforeAll(async () => {
  api = await startTestApi();
  for (const id of ["boot", "sock"]) {
    const r = await api.gql(`mutation($i: PutProductInput!) { putProduct(input: $i) { id } }`, { i: { id, name: id } });
    expect(r.errors).toBeUndefined();
  }
});
afterAll(() => api?.close());

describe("a purchase invitation", () => {
  it("makes the review VERIFIED_PURCHASE, through the customer form, and is then used", async () => {
    const { token, invitation } = await invite();
    const r = await api.gql(VERIFIED_SUBMIT, { input: review("boot", 5, { invitationToken: token }) }, api.shop.publishableKey);
    expect(r.errors).toBeUndefined();
    expect(r.data.submitReview.review).toMatchObject({ provenance: "VERIFIED_PURCHASE", verification: { method: "invitation" } });
    const listed = await api.gql(`{ invitations { id usedAt reviewId } }`);
    const used = listed.data.invitations.find((i: { id: string }) => i.id === invitation.id);
    expect(used.reviewId).toBe(r.data.submitReview.review.id);
    expect(used.usedAt).toBeTruthy();
  });

  it("keeps the customer's email but never returns it", async () => {
    const { token } = await invite();
    const r = await api.gql(VERIFIED_SUBMIT, { input: review("boot", 4, { invitationToken: token }) });
    const id = r.data.submitReview.review.id;
    expect((await api.models.Review.findById(id).lean())?.reviewer.email).toBe("buyer@example.com");
    const everything = await fetch(`${api.url}/graphql`, {
      method: "POST",
      headers: { "content-type": "application/json", authorization: `Bearer ${api.shop.key}` },
      body: JSON.stringify({
        query: `{ product(id: "boot") { reviews(first: 100) { edges { node { id title body reviewer { name } verification { method } } } } }
                  invitations { id productId orderRef reviewId } }`,
      }),
    });
    expect(await everything.text()).not.toContain("buyer@example.com");
  });

  it("is single-use: a retry of the same review replays, a different review is refused", async () => {
    const { token } = await invite();
    const input = review("boot", 3, { invitationToken: token, title: "First" });
    const first = await api.gql(VERIFIED_SUBMIT, { input }, api.shop.publishableKey);
    const retry = await api.gql(VERIFIED_SUBMIT, { input }, api.shop.publishableKey);
    expect(retry.data.submitReview).toMatchObject({ replayed: true, review: { id: first.data.submitReview.review.id } });
    const second = await api.gql(VERIFIED_SUBMIT, { input: { ...input, title: "Second" } }, api.shop.publishableKey);
    expect(second.errors?.[0]?.extensions).toMatchObject({ code: "INVITATION_USED", field: "invitationToken" });
  });

  it("is used once even when several different reviews race for it", async () => {
    const { token, invitation } = await invite();
    const results = await Promise.all(
      Array.from({ length: 6 }, (_, i) =>
        api.gql(VERIFIED_SUBMIT, { input: review("boot", 5, { invitationToken: token, title: `Race ${i}` }) }, api.shop.publishableKey),
      ),
    );
    expect(results.filter((r) => !r.errors)).toHaveLength(1);
    for (const r of results.filter((r) => r.errors)) expect(r.errors![0]!.extensions?.code).toBe("INVITATION_USED");
    expect(await api.models.Review.countDocuments({ "verification.invitationId": invitation.id })).toBe(1);
  });

  it("cannot be used for another product", async () => {
    const { token } = await invite("boot");
    const r = await api.gql(VERIFIED_SUBMIT, { input: review("sock", 5, { invitationToken: token }) }, api.shop.publishableKey);
    expect(r.errors?.[0]?.extensions).toMatchObject({ code: "INVALID_INVITATION", field: "invitationToken" });
    expect(r.errors?.[0]?.message).toContain("another product");
  });

  it("cannot be forged or altered", async () => {
    const { token } = await invite("boot");
    const [payload, signature] = token.split(".");
    const claims = JSON.parse(Buffer.from(payload!, "base64url").toString());
    const altered = `${Buffer.from(JSON.stringify({ ...claims, p: "sock" })).toString("base64url")}.${signature}`;
    const other = await api.newShop("Other");
    await api.gql(`mutation { putProduct(input: { id: "boot", name: "Boot" }) { id } }`, {}, other.key);
    const before = await api.models.Review.countDocuments();
    for (const [forged, key, product] of [
      [altered, api.shop.publishableKey, "sock"],
      [`${payload}.${"A".repeat(signature!.length)}`, api.shop.publishableKey, "boot"],
      ["not-a-token", api.shop.publishableKey, "boot"],
      [token, other.publishableKey, "boot"], // another shop's form
    ] as const) {
      const r = await api.gql(VERIFIED_SUBMIT, { input: review(product, 5, { invitationToken: forged }) }, key);
      expect(r.errors?.[0]?.extensions?.code).toBe("INVALID_INVITATION");
    }
    expect(await api.models.Review.countDocuments()).toBe(before);
  });

  it("expires", async () => {
    const past = new Date(Date.now() - 3 * 86_400_000);
    const { token } = await createInvitation({ ...api.starling.deps, now: () => past }, api.shop.id, {
      productId: "boot",
      orderRef: "old-order",
      expiresInDays: 1,
    });
    const r = await api.gql(VERIFIED_SUBMIT, { input: review("boot", 5, { invitationToken: token }) }, api.shop.publishableKey);
    expect(r.errors?.[0]?.extensions).toMatchObject({ code: "INVITATION_EXPIRED", field: "invitationToken" });
  });

  it("is made only with a secret key, for an existing product, with valid fields", async () => {
    const pk = await api.gql(INVITE, { i: { productId: "boot", orderRef: "o1" } }, api.shop.publishableKey);
    expect(pk.errors?.[0]?.extensions?.code).toBe("FORBIDDEN");
    const missing = await api.gql(INVITE, { i: { productId: "nope", orderRef: "o1" } });
    expect(missing.errors?.[0]?.extensions?.code).toBe("PRODUCT_NOT_FOUND");
    const email = await api.gql(INVITE, { i: { productId: "boot", orderRef: "o1", customerEmail: "not an email" } });
    expect(email.errors?.[0]?.extensions).toMatchObject({ code: "INVALID_INPUT", field: "customerEmail" });
    const days = await api.gql(INVITE, { i: { productId: "boot", orderRef: "o1", expiresInDays: 0 } });
    expect(days.errors?.[0]?.extensions).toMatchObject({ code: "INVALID_INPUT", field: "expiresInDays" });
  });
});
