/**
 * Verified purchases: a signed, single-use invitation per order line makes a
 * review VERIFIED_PURCHASE; tokens cannot be forged, reused, moved to another
 * product or used after they expire.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createInvitation } from "../src/features/invitations/invitations.js";
import { submitReview } from "../src/features/reviews/reviews.js";
import { gql, review, startTestApi, type TestApi } from "./helpers.js";

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

  it("is one per order line: asking again returns the first, with its token, so one line gives one verified review", async () => {
    const ask = (orderRef: string, productId = "boot", customerEmail = "buyer@example.com") =>
      api.gql(`mutation($i: CreateInvitationInput!) { createInvitation(input: $i) { token existing invitation { id orderRef usedAt } } }`, {
        i: { productId, orderRef, customerEmail },
      });
    const first = (await ask("line-77")).data.createInvitation;
    expect(first.existing).toBe(false);
    const again = (await ask("line-77", "boot", "someone-else@example.com")).data.createInvitation;
    expect(again).toMatchObject({ existing: true, token: first.token, invitation: { id: first.invitation.id } });
    // The same order reference for another product is another line.
    expect((await ask("line-77", "sock")).data.createInvitation.invitation.id).not.toBe(first.invitation.id);

    const used = await api.gql(
      VERIFIED_SUBMIT,
      { input: review("boot", 5, { invitationToken: first.token, title: "One" }) },
      api.shop.publishableKey,
    );
    expect(used.errors).toBeUndefined();
    const afterUse = (await ask("line-77")).data.createInvitation;
    expect(afterUse).toMatchObject({ existing: true, invitation: { id: first.invitation.id } });
    expect(afterUse.invitation.usedAt).toBeTruthy();
    const second = await api.gql(
      VERIFIED_SUBMIT,
      { input: review("boot", 1, { invitationToken: afterUse.token, title: "Two" }) },
      api.shop.publishableKey,
    );
    expect(second.errors?.[0]?.extensions?.code).toBe("INVITATION_USED");
    expect(await api.models.Review.countDocuments({ shopId: api.shop.id, "verification.orderRef": "line-77", productId: "boot" })).toBe(1);
    expect(await api.models.Invitation.countDocuments({ shopId: api.shop.id, orderRef: "line-77", productId: "boot" })).toBe(1);
  });

  it("is one per order line across API processes asking at once (a unique index decides)", async () => {
    const other = await startTestApi({ dbName: api.starling.db.conn.name });
    try {
      const ask = (url: string) =>
        gql<any>(
          url,
          `mutation($i: CreateInvitationInput!) { createInvitation(input: $i) { token existing invitation { id } } }`,
          {
            i: { productId: "boot", orderRef: "line-race" },
          },
          api.shop.key,
        );
      const answers = await Promise.all(Array.from({ length: 8 }, (_, i) => ask(i % 2 ? other.url : api.url)));
      for (const a of answers) expect(a.errors).toBeUndefined();
      expect(new Set(answers.map((a) => a.data.createInvitation.invitation.id)).size).toBe(1);
      expect(new Set(answers.map((a) => a.data.createInvitation.token)).size).toBe(1);
      expect(answers.filter((a) => !a.data.createInvitation.existing)).toHaveLength(1);
      expect(await api.models.Invitation.countDocuments({ shopId: api.shop.id, orderRef: "line-race" })).toBe(1);
      const indexes = await api.models.Invitation.collection.indexes();
      expect(indexes.find((i) => i.name === "shop_product_order")).toMatchObject({
        unique: true,
        key: { shopId: 1, productId: 1, orderRef: 1 },
      });
    } finally {
      await other.starling.close();
    }
  });

  it("replays a review stored before it expired", async () => {
    let now = new Date(Date.now() - 3 * 86_400_000);
    const deps = { ...api.starling.deps, now: () => now };
    const { token } = await createInvitation(deps, api.shop.id, { productId: "boot", orderRef: "late-retry", expiresInDays: 1 });
    const input = {
      productId: "boot",
      rating: 4,
      title: "Stored in time",
      body: "Before expiry.",
      reviewer: { name: "Buyer" },
      invitationToken: token,
    };
    const first = await submitReview(deps, api.shop.id, input);
    now = new Date();
    const retry = await api.gql(VERIFIED_SUBMIT, {
      input: review("boot", 4, { title: "Stored in time", body: "Before expiry.", reviewer: { name: "Buyer" }, invitationToken: token }),
    });
    expect(retry.errors).toBeUndefined();
    expect(retry.data.submitReview).toMatchObject({ replayed: true, review: { id: first.review.id } });
  });
});
