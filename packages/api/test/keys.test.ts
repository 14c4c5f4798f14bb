/**
 * Keys and tenants: what publishable and secret keys may do, rotation and
 * revocation, and that no key of one shop reaches another shop's data.
 */
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { KEY_TTL_MS } from "../src/features/deps.js";
import { configureWebhooks, createWebhookEndpoint } from "../src/features/webhooks/endpoints.js";
import { RATING, SUBMIT, review, spawnCli, startTestApi, type TestApi, type TestShop } from "./helpers.js";

let api: TestApi;

const PUT = `mutation($i: PutProductInput!) { putProduct(input: $i) { id } }`;
const KEYS = `{ apiKeys { id kind label scopes prefix revokedAt } }`;
const CREATE = `mutation($i: CreateApiKeyInput!) { createApiKey(input: $i) { key apiKey { id kind scopes } } }`;

beforeAll(async () => {
  api = await startTestApi();
  expect((await api.gql(PUT, { i: { id: "pen", name: "Pen" } })).errors).toBeUndefined();
});
afterAll(() => api?.close());

describe("publishable keys", () => {
  it("read ratings and reviews", async () => {
    const r = await api.gql(RATING, { id: "pen" }, api.shop.publishableKey);
    expect(r.errors).toBeUndefined();
    expect(r.data.product.id).toBe("pen");
  });

  it("submit reviews through the form, always as ORGANIC and without a customer id", async () => {
    const ok = await api.gql(SUBMIT, { input: review("pen", 4) }, api.shop.publishableKey);
    expect(ok.errors).toBeUndefined();
    const stored = await api.models.Review.findById(ok.data.submitReview.review.id).lean();
    expect(stored).toMatchObject({ source: "form", provenance: "ORGANIC" });

    const withId = await api.gql(
      SUBMIT,
      { input: review("pen", 4, { reviewer: { name: "X", externalId: "cust-1" } }) },
      api.shop.publishableKey,
    );
    expect(withId.errors?.[0]?.extensions).toMatchObject({ code: "INVALID_INPUT", field: "reviewer.externalId" });
    const imported = await api.gql(SUBMIT, { input: review("pen", 4, { provenance: "IMPORTED" }) }, api.shop.publishableKey);
    expect(imported.errors?.[0]?.extensions).toMatchObject({ code: "INVALID_INPUT", field: "provenance" });
    expect(await api.models.Review.countDocuments({ productId: "pen" })).toBe(1);
  });

  it("cannot write products or manage keys", async () => {
    const put = await api.gql(PUT, { i: { id: "x", name: "x" } }, api.shop.publishableKey);
    expect(put.errors?.[0]?.extensions?.code).toBe("FORBIDDEN");
    const keys = await api.gql(KEYS, {}, api.shop.publishableKey);
    expect(keys.errors?.[0]?.extensions?.code).toBe("FORBIDDEN");
    const create = await api.gql(CREATE, { i: { kind: "SECRET" } }, api.shop.publishableKey);
    expect(create.errors?.[0]?.extensions?.code).toBe("FORBIDDEN");
    expect(await api.models.Product.countDocuments({ productId: "x" })).toBe(0);
  });

  it("cannot take an idempotency key the shop's server will use (the two have separate keys)", async () => {
    expect((await api.gql(PUT, { i: { id: "ink", name: "Ink" } })).errors).toBeUndefined();
    const squat = review("ink", 1, { idempotencyKey: "order-1001-line-1", title: "Squatted" });
    const viaForm = await api.gql(SUBMIT, { input: squat }, api.shop.publishableKey);
    expect(viaForm.errors).toBeUndefined();

    const own = await api.gql(SUBMIT, {
      input: review("ink", 5, { idempotencyKey: "order-1001-line-1", reviewer: { name: "Buyer", externalId: "cust-1001" } }),
    });
    expect(own.errors).toBeUndefined();
    expect(own.data.submitReview.replayed).toBe(false);
    expect(own.data.submitReview.review.id).not.toBe(viaForm.data.submitReview.review.id);

    // Each still replays its own review.
    const formRetry = await api.gql(SUBMIT, { input: squat }, api.shop.publishableKey);
    expect(formRetry.data.submitReview).toMatchObject({ replayed: true, review: { id: viaForm.data.submitReview.review.id } });
    const shopRetry = await api.gql(SUBMIT, {
      input: review("ink", 5, { idempotencyKey: "order-1001-line-1", reviewer: { name: "Buyer", externalId: "cust-1001" } }),
    });
    expect(shopRetry.data.submitReview).toMatchObject({ replayed: true, review: { id: own.data.submitReview.review.id } });
    expect(await api.models.Review.countDocuments({ productId: "ink" })).toBe(2);
  });
});

describe("secret keys", () => {
  it("never marks a review VERIFIED_PURCHASE by saying so", async () => {
    const r = await api.gql(SUBMIT, { input: review("pen", 5, { provenance: "VERIFIED_PURCHASE" }) });
    expect(r.errors?.[0]?.extensions).toMatchObject({ code: "INVALID_INPUT", field: "provenance" });
  });

  it("are stored only as a hash", async () => {
    const docs = await api.models.ApiKey.find({ shopId: api.shop.id }).lean();
    const text = JSON.stringify(docs);
    expect(text).not.toContain(api.shop.key);
    expect(text).not.toContain(api.shop.publishableKey);
  });

  it("make keys with narrower scopes, and those scopes hold", async () => {
    const made = await api.gql(CREATE, { i: { kind: "SECRET", label: "importer", scopes: ["REVIEWS_WRITE"] } });
    expect(made.errors).toBeUndefined();
    expect(made.data.createApiKey.apiKey).toMatchObject({ kind: "SECRET", scopes: ["REVIEWS_WRITE"] });
    const key = made.data.createApiKey.key;
    expect(key).toMatch(/^sk_/);
    expect((await api.gql(SUBMIT, { input: review("pen", 3) }, key)).errors).toBeUndefined();
    expect((await api.gql(RATING, { id: "pen" }, key)).errors?.[0]?.extensions?.code).toBe("FORBIDDEN");
  });

  it("refuse a publishable key with secret scopes", async () => {
    const r = await api.gql(CREATE, { i: { kind: "PUBLISHABLE", scopes: ["REVIEWS_READ", "KEYS_MANAGE"] } });
    expect(r.errors?.[0]?.extensions).toMatchObject({ code: "INVALID_INPUT", field: "scopes" });
  });

  it("rotate: the new key works at once and the old one stops", async () => {
    const made = await api.gql(CREATE, { i: { kind: "PUBLISHABLE", label: "widget" } });
    const old = made.data.createApiKey;
    const rotated = await api.gql(`mutation($id: ID!) { rotateApiKey(id: $id) { key apiKey { id kind scopes } } }`, { id: old.apiKey.id });
    expect(rotated.errors).toBeUndefined();
    expect(rotated.data.rotateApiKey.apiKey).toMatchObject({ kind: "PUBLISHABLE", scopes: old.apiKey.scopes });
    expect((await api.gql(RATING, { id: "pen" }, old.key)).errors?.[0]?.extensions?.code).toBe("UNAUTHENTICATED");
    expect((await api.gql(RATING, { id: "pen" }, rotated.data.rotateApiKey.key)).errors).toBeUndefined();
  });

  it("revoke: the key stops working and is listed as revoked", async () => {
    const made = await api.gql(CREATE, { i: { kind: "SECRET", label: "to revoke" } });
    const { key, apiKey } = made.data.createApiKey;
    const revoked = await api.gql(`mutation($id: ID!) { revokeApiKey(id: $id) { id revokedAt } }`, { id: apiKey.id });
    expect(revoked.data.revokeApiKey.revokedAt).toBeTruthy();
    expect((await api.gql(RATING, { id: "pen" }, key)).errors?.[0]?.extensions?.code).toBe("UNAUTHENTICATED");
    const listed = (await api.gql(KEYS)).data.apiKeys.find((k: { id: string }) => k.id === apiKey.id);
    expect(listed.revokedAt).toBeTruthy();
  });
});

describe("tenants", () => {
  let other: TestShop;
  let aKeyId: string;
  let reviewId: string;
  let questionId: string;
  let answerId: string;
  let endpointId: string;

  beforeAll(async () => {
    other = await api.newShop("Competitor");
    aKeyId = (await api.gql(KEYS)).data.apiKeys[0].id;
    reviewId = (await api.gql(SUBMIT, { input: review("pen", 2) })).data.submitReview.review.id;
    questionId = (
      await api.gql(`mutation { askQuestion(input: { productId: "pen", body: "Refillable?", author: { name: "K" } }) { question { id } } }`)
    ).data.askQuestion.question.id;
    answerId = (
      await api.gql(
        `mutation($q: ID!) { answerQuestion(input: { questionId: $q, body: "Yes", author: { name: "S" } }) { answer { id } } }`,
        { q: questionId },
      )
    ).data.answerQuestion.answer.id;
    // This shop's webhook endpoint (to a closed local port: nothing listens there).
    configureWebhooks(api.starling.deps, { allowPrivate: true });
    endpointId = (
      await createWebhookEndpoint(api.starling.deps, api.shop.id, { url: "http://127.0.0.1:9/hook", events: ["review.created"] })
    ).endpoint.id;
  });

  const ENDPOINT_URL = async () => (await api.models.WebhookEndpoint.findById(endpointId).lean())?.url;

  // Every root field, run with the other shop's secret key against this shop's data.
  const attempts: Record<string, () => Promise<void>> = {
    shop: async () => {
      const r = await api.gql(`{ shop { id } }`, {}, other.key);
      expect(r.data.shop.id).toBe(other.id);
    },
    product: async () => {
      const r = await api.gql(RATING, { id: "pen" }, other.key);
      expect(r.data.product).toBeNull();
    },
    products: async () => {
      const r = await api.gql(`{ products(ids: ["pen"]) { id } }`, {}, other.key);
      expect(r.data.products).toEqual([null]);
    },
    apiKeys: async () => {
      const r = await api.gql(KEYS, {}, other.key);
      expect(r.data.apiKeys.map((k: { id: string }) => k.id)).not.toContain(aKeyId);
    },
    putProduct: async () => {
      // Creates the other shop's own "pen"; this shop's product is untouched.
      await api.gql(PUT, { i: { id: "pen", name: "Hijacked" } }, other.key);
      expect((await api.gql(`{ product(id: "pen") { name } }`)).data.product.name).toBe("Pen");
    },
    submitReview: async () => {
      const before = (await api.gql(RATING, { id: "pen" })).data.product.rating.count;
      await api.gql(SUBMIT, { input: review("pen", 1) }, other.key); // lands on the other shop's own "pen"
      expect((await api.gql(RATING, { id: "pen" })).data.product.rating.count).toBe(before);
    },
    createApiKey: async () => {
      const r = await api.gql(CREATE, { i: { kind: "SECRET" } }, other.key);
      expect(await api.models.ApiKey.countDocuments({ keyId: r.data.createApiKey.apiKey.id, shopId: other.id })).toBe(1);
    },
    rotateApiKey: async () => {
      const r = await api.gql(`mutation($id: ID!) { rotateApiKey(id: $id) { key } }`, { id: aKeyId }, other.key);
      expect(r.errors?.[0]?.extensions?.code).toBe("NOT_FOUND");
    },
    createInvitation: async () => {
      // The other shop has its own "pen" (made above); this shop's invitations are untouched.
      await api.gql(`mutation { createInvitation(input: { productId: "pen", orderRef: "x" }) { token } }`, {}, other.key);
      expect(await api.models.Invitation.countDocuments({ shopId: api.shop.id })).toBe(0);
    },
    invitations: async () => {
      const r = await api.gql(`{ invitations { id } }`, {}, other.key);
      expect(r.data.invitations.length).toBe(await api.models.Invitation.countDocuments({ shopId: other.id }));
    },
    exportReviewerData: async () => {
      const r = await api.gql(`{ exportReviewerData(reviewer: { externalId: "cust-1" }) }`, {}, other.key);
      expect(r.data.exportReviewerData.reviews.every((x: { shopId: string }) => x.shopId === other.id)).toBe(true);
    },
    eraseReviewerData: async () => {
      await api.models.Review.updateOne({ _id: reviewId }, { $set: { "reviewer.externalId": "cust-9" } });
      await api.gql(`mutation { eraseReviewerData(reviewer: { externalId: "cust-9" }, mode: DELETE) { reviews } }`, {}, other.key);
      expect(await api.models.Review.exists({ _id: reviewId })).toBeTruthy();
    },
    moderationLog: async () => {
      const r = await api.gql(`{ moderationLog { reviewId } }`, {}, other.key);
      expect(r.data.moderationLog).toEqual([]);
    },
    publicationReport: async () => {
      const r = await api.gql(`{ publicationReport { received } }`, {}, other.key);
      const received = r.data.publicationReport.reduce((n: number, row: { received: number }) => n + row.received, 0);
      expect(received).toBe(await api.models.Review.countDocuments({ shopId: other.id }));
    },
    moderateReview: async () => {
      const r = await api.gql(
        `mutation($i: ModerateReviewInput!) { moderateReview(input: $i) { id } }`,
        { i: { reviewId: reviewId, action: "REJECT", reason: "SPAM" } },
        other.key,
      );
      expect(r.errors?.[0]?.extensions?.code).toBe("NOT_FOUND");
    },
    reinstateReview: async () => {
      const r = await api.gql(`mutation($id: ID!) { reinstateReview(reviewId: $id, note: "x") { id } }`, { id: reviewId }, other.key);
      expect(r.errors?.[0]?.extensions?.code).toBe("NOT_FOUND");
    },
    replyToReview: async () => {
      const r = await api.gql(`mutation($id: ID!) { replyToReview(reviewId: $id, body: "x") { id } }`, { id: reviewId }, other.key);
      expect(r.errors?.[0]?.extensions?.code).toBe("NOT_FOUND");
      expect((await api.models.Review.findById(reviewId).lean())?.reply).toBeNull();
    },
    setModerationMode: async () => {
      await api.gql(`mutation { setModerationMode(mode: PRE) }`, {}, other.key);
      expect((await api.models.Shop.findById(api.shop.id).lean())?.moderation).toBe("post");
    },
    setAllowedOrigins: async () => {
      const r = await api.gql(`mutation { setAllowedOrigins(origins: ["https://other.example"]) }`, {}, other.key);
      expect(r.errors).toBeUndefined();
      expect((await api.models.Shop.findById(api.shop.id).lean())?.allowedOrigins ?? []).toEqual([]);
    },
    askQuestion: async () => {
      // Lands on the other shop's own "pen": this shop's questions are untouched.
      await api.gql(
        `mutation { askQuestion(input: { productId: "pen", body: "Hijack?", author: { name: "E" } }) { question { id } } }`,
        {},
        other.key,
      );
      expect(await api.models.Question.countDocuments({ shopId: api.shop.id })).toBe(1);
    },
    answerQuestion: async () => {
      const r = await api.gql(
        `mutation($q: ID!) { answerQuestion(input: { questionId: $q, body: "Hijack", author: { name: "E" } }) { answer { id } } }`,
        { q: questionId },
        other.key,
      );
      expect(r.errors?.[0]?.extensions?.code).toBe("NOT_FOUND");
      expect(await api.models.Answer.countDocuments({ questionId })).toBe(1);
    },
    moderateQuestion: async () => {
      const r = await api.gql(
        `mutation($id: ID!) { moderateQuestion(input: { id: $id, action: REJECT, reason: SPAM }) { id } }`,
        { id: questionId },
        other.key,
      );
      expect(r.errors?.[0]?.extensions?.code).toBe("NOT_FOUND");
    },
    moderateAnswer: async () => {
      const r = await api.gql(
        `mutation($id: ID!) { moderateAnswer(input: { id: $id, action: REJECT, reason: SPAM }) { id } }`,
        { id: answerId },
        other.key,
      );
      expect(r.errors?.[0]?.extensions?.code).toBe("NOT_FOUND");
      expect((await api.models.Answer.findById(answerId).lean())?.status).toBe("published");
    },
    voteHelpful: async () => {
      const r = await api.gql(
        `mutation($id: ID!) { voteHelpful(input: { itemType: REVIEW, itemId: $id, helpful: true, voterToken: "other-shop-token-123" }) { alreadyVoted } }`,
        { id: reviewId },
        other.key,
      );
      expect(r.errors?.[0]?.extensions?.code).toBe("NOT_FOUND");
      expect(await api.models.Vote.countDocuments({})).toBe(0);
    },
    importReviews: async () => {
      // Same product id and sourceId as this shop could use: it lands in the other shop, and this shop's reviews stay as they were.
      const before = await api.models.Review.countDocuments({ shopId: api.shop.id });
      const r = await api.gql(
        `mutation { importReviews(rows: [{ sourceId: "x-1", productId: "pen", rating: 5, body: "Imported elsewhere", reviewerName: "I", createdAt: "2024-01-01T00:00:00Z" }]) { reviewId } }`,
        {},
        other.key,
      );
      expect(r.errors).toBeUndefined();
      expect(await api.models.Review.countDocuments({ shopId: api.shop.id })).toBe(before);
      expect(await api.models.ImportPending.countDocuments({ shopId: api.shop.id })).toBe(0);
    },
    finishImport: async () => {
      const summary = await api.models.RatingSummary.find({ shopId: api.shop.id }).lean();
      const r = await api.gql(`mutation { finishImport { reviews } }`, {}, other.key);
      expect(r.errors).toBeUndefined();
      expect(await api.models.RatingSummary.find({ shopId: api.shop.id }).lean()).toEqual(summary);
    },
    webhookEndpoints: async () => {
      const r = await api.gql(`{ webhookEndpoints { id } }`, {}, other.key);
      expect(r.data.webhookEndpoints).toEqual([]);
    },
    webhookDeliveries: async () => {
      const r = await api.gql(`query($id: ID!) { webhookDeliveries(endpointId: $id) { id } }`, { id: endpointId }, other.key);
      expect(r.errors?.[0]?.extensions?.code).toBe("NOT_FOUND");
    },
    createWebhookEndpoint: async () => {
      // Lands in the other shop (if at all); this shop keeps its one endpoint.
      await api.gql(
        `mutation { createWebhookEndpoint(input: { url: "http://127.0.0.1:9/other", events: [REVIEW_CREATED] }) { secret } }`,
        {},
        other.key,
      );
      expect(await api.models.WebhookEndpoint.countDocuments({ shopId: api.shop.id })).toBe(1);
    },
    updateWebhookEndpoint: async () => {
      const r = await api.gql(
        `mutation($id: ID!) { updateWebhookEndpoint(id: $id, input: { url: "http://127.0.0.1:9/stolen" }) { id } }`,
        { id: endpointId },
        other.key,
      );
      expect(r.errors?.[0]?.extensions?.code).toBe("NOT_FOUND");
      expect(await ENDPOINT_URL()).toBe("http://127.0.0.1:9/hook");
    },
    deleteWebhookEndpoint: async () => {
      const r = await api.gql(`mutation($id: ID!) { deleteWebhookEndpoint(id: $id) { id } }`, { id: endpointId }, other.key);
      expect(r.errors?.[0]?.extensions?.code).toBe("NOT_FOUND");
      expect(await ENDPOINT_URL()).toBe("http://127.0.0.1:9/hook");
    },
    rotateWebhookSecret: async () => {
      const before = (await api.models.WebhookEndpoint.findById(endpointId).lean())?.secrets;
      const r = await api.gql(`mutation($id: ID!) { rotateWebhookSecret(id: $id) { secret } }`, { id: endpointId }, other.key);
      expect(r.errors?.[0]?.extensions?.code).toBe("NOT_FOUND");
      expect((await api.models.WebhookEndpoint.findById(endpointId).lean())?.secrets).toEqual(before);
    },
    redeliverWebhook: async () => {
      const r = await api.gql(
        `mutation($id: ID!) { redeliverWebhook(deliveryId: $id) }`,
        { id: `review.created:${reviewId}:${endpointId}` },
        other.key,
      );
      expect(r.errors?.[0]?.extensions?.code).toBe("NOT_FOUND");
    },
    revokeApiKey: async () => {
      const r = await api.gql(`mutation($id: ID!) { revokeApiKey(id: $id) { id } }`, { id: aKeyId }, other.key);
      expect(r.errors?.[0]?.extensions?.code).toBe("NOT_FOUND");
      expect((await api.gql(KEYS)).errors).toBeUndefined();
    },
    // The dashboard's reads (issue 16): only the caller's own shop's reviews, counters, settings and products.
    dashboardOverview: async () => {
      const r = await api.gql(`{ dashboardOverview { publication { received } } }`, {}, other.key);
      const received = r.data.dashboardOverview.publication.reduce((n: number, row: { received: number }) => n + row.received, 0);
      expect(received).toBe(await api.models.Review.countDocuments({ shopId: other.id }));
    },
    reviewQueue: async () => {
      const r = await api.gql(`{ reviewQueue(status: [PUBLISHED, PENDING, REJECTED, QUARANTINED]) { reviews { id } } }`, {}, other.key);
      const ids = r.data.reviewQueue.reviews.map((x: { id: string }) => x.id);
      expect(ids).not.toContain(reviewId);
      expect(await api.models.Review.countDocuments({ _id: { $in: ids }, shopId: { $ne: other.id } })).toBe(0);
    },
    searchReviews: async () => {
      const r = await api.gql(`{ searchReviews(text: "review") { reviews { id } } }`, {}, other.key);
      const ids = r.data.searchReviews.reviews.map((x: { id: string }) => x.id);
      expect(ids).not.toContain(reviewId);
      expect(await api.models.Review.countDocuments({ _id: { $in: ids }, shopId: { $ne: other.id } })).toBe(0);
    },
    shopSettings: async () => {
      const r = await api.gql(`{ shopSettings { allowedOrigins } }`, {}, other.key);
      expect(r.data.shopSettings.allowedOrigins).toEqual((await api.models.Shop.findById(other.id).lean())?.allowedOrigins ?? []);
    },
    shopProducts: async () => {
      const r = await api.gql(`{ shopProducts { id name } }`, {}, other.key);
      const own = await api.models.Product.find({ shopId: other.id }).lean();
      expect(r.data.shopProducts.map((p: { name: string }) => p.name).sort()).toEqual(own.map((p) => p.name).sort());
      expect(r.data.shopProducts.map((p: { name: string }) => p.name)).not.toContain("Pen");
    },
  };

  it("covers every query and mutation", async () => {
    const r = await api.gql(`{ __schema { queryType { fields { name } } mutationType { fields { name } } } }`);
    const names = [...r.data.__schema.queryType.fields, ...r.data.__schema.mutationType.fields].map((f: { name: string }) => f.name);
    expect(Object.keys(attempts).sort()).toEqual(names.sort());
  });

  it.each(Object.keys(attempts))("%s with another shop's key stays in that shop", async (name) => {
    await attempts[name]!();
  });
});

describe("a shop's last key that can manage keys", () => {
  const REVOKE = `mutation($id: ID!) { revokeApiKey(id: $id) { id revokedAt } }`;
  const keyIdOf = async (key: string) => {
    const listed = await api.gql(`{ apiKeys { id prefix kind scopes revokedAt } }`, {}, key);
    return listed.data.apiKeys.find((k: { prefix: string; revokedAt: string | null }) => k.prefix === key.slice(0, 8) && !k.revokedAt)
      .id as string;
  };

  it("cannot be revoked (LAST_KEY); once another manager exists it can, and rotating keeps a manager", async () => {
    const shop = await api.newShop("Lockout");
    const id = await keyIdOf(shop.key);
    const refused = await api.gql(REVOKE, { id }, shop.key);
    expect(refused.errors?.[0]?.extensions).toMatchObject({ code: "LAST_KEY", field: "id" });
    expect((await api.gql(`{ shop { id } }`, {}, shop.key)).errors).toBeUndefined();

    // A secret key without KEYS_MANAGE does not count as a way back in.
    const reader = (await api.gql(CREATE, { i: { kind: "SECRET", scopes: ["REVIEWS_READ", "REVIEWS_WRITE"] } }, shop.key)).data
      .createApiKey;
    expect((await api.gql(REVOKE, { id }, shop.key)).errors?.[0]?.extensions?.code).toBe("LAST_KEY");
    expect((await api.gql(REVOKE, { id: reader.apiKey.id }, shop.key)).errors).toBeUndefined();

    // Rotating the last manager makes the new one before the old one goes.
    const rotated = await api.gql(`mutation($id: ID!) { rotateApiKey(id: $id) { key apiKey { id } } }`, { id }, shop.key);
    expect(rotated.errors).toBeUndefined();
    const next = rotated.data.rotateApiKey;
    expect((await api.gql(REVOKE, { id: next.apiKey.id }, next.key)).errors?.[0]?.extensions?.code).toBe("LAST_KEY");

    const second = (await api.gql(CREATE, { i: { kind: "SECRET", label: "second" } }, next.key)).data.createApiKey;
    expect((await api.gql(REVOKE, { id: next.apiKey.id }, second.key)).errors).toBeUndefined();
    expect((await api.gql(`{ shop { id } }`, {}, next.key)).errors?.[0]?.extensions?.code).toBe("UNAUTHENTICATED");
    expect((await api.gql(REVOKE, { id: second.apiKey.id }, second.key)).errors?.[0]?.extensions?.code).toBe("LAST_KEY");
  });

  it("survives two managers revoking each other at once", async () => {
    const shop = await api.newShop("Race");
    const other = (await api.gql(CREATE, { i: { kind: "SECRET", label: "other" } }, shop.key)).data.createApiKey;
    const first = await keyIdOf(shop.key);
    const [a, b] = await Promise.all([api.gql(REVOKE, { id: other.apiKey.id }, shop.key), api.gql(REVOKE, { id: first }, other.key)]);
    const refused = [a, b].filter((r) => r.errors?.[0]?.extensions?.code === "LAST_KEY");
    expect(refused.length).toBeGreaterThanOrEqual(1);
    const working = await api.models.ApiKey.countDocuments({ shopId: shop.id, revokedAt: null, kind: "secret" });
    expect(working).toBe(refused.length === 2 ? 2 : 1);
  });
});

// Each run is a fresh Node process that loads the whole API (several seconds on a busy machine).
describe("the operator CLI's keys command", { timeout: 240_000 }, () => {
  const cli = async (...args: string[]) => {
    const run = spawnCli(["keys", ...args], {
      MONGODB_URI: inject("mongoUri"),
      STARLING_DB_NAME: api.starling.db.conn.name,
      LOG_LEVEL: "error",
    });
    const { code } = await run.exited;
    return { code, stdout: run.stdout(), stderr: run.stderr() };
  };

  it("lists a shop's keys, issues a secret key printed once, and revokes, never the last manager", async () => {
    const shop = await api.newShop("Operated");
    const listed = await cli("list", "--shop", shop.id);
    expect(listed.code).toBe(0);
    const rows = listed.stdout
      .trim()
      .split("\n")
      .map((l) => l.split("\t"));
    expect(rows.map((r) => r[1]).sort()).toEqual(["publishable", "secret"]);
    expect(rows.map((r) => r[3])).toEqual(["active", "active"]);
    expect(listed.stdout).not.toContain(shop.key);
    const secretId = rows.find((r) => r[1] === "secret")![0]!;

    const last = await cli("revoke", secretId, "--shop", shop.id);
    expect(last.code).toBe(1);
    expect(last.stderr).toContain("LAST_KEY");
    expect((await api.gql(`{ shop { id } }`, {}, shop.key)).errors).toBeUndefined();

    const created = await cli("create", `--shop=${shop.id}`);
    expect(created.code).toBe(0);
    const key = /secret key \(shown once[^)]*\): (sk_\S+)/.exec(created.stdout)?.[1];
    expect(key).toBeTruthy();
    const me = await api.gql(`{ shop { id } apiKeys { id } }`, {}, key);
    expect(me.errors).toBeUndefined();
    expect(me.data.shop.id).toBe(shop.id);

    const revoked = await cli("revoke", secretId, "--shop", shop.id);
    expect(revoked.code).toBe(0);
    expect((await api.models.ApiKey.findOne({ keyId: secretId }).lean())?.revokedAt).toBeTruthy();
    // The CLI is another process: the API's key cache lets the revocation reach it within KEY_TTL_MS.
    const refused = async () => (await api.gql(`{ shop { id } }`, {}, shop.key)).errors?.[0]?.extensions?.code === "UNAUTHENTICATED";
    await expect.poll(refused, { timeout: KEY_TTL_MS + 20_000, interval: 250 }).toBe(true);
  });

  it("says what is wrong: an unknown shop or key, a missing --shop", async () => {
    const shop = await api.newShop("Operated 2");
    const unknownShop = await cli("list", "--shop", "shop_nope");
    expect(unknownShop.code).toBe(1);
    expect(unknownShop.stderr).toContain("NOT_FOUND");
    const unknownKey = await cli("revoke", "key_nope", "--shop", shop.id);
    expect(unknownKey.code).toBe(1);
    expect(unknownKey.stderr).toContain("NOT_FOUND");
    const usage = await cli("create");
    expect(usage.code).toBe(2);
    expect(usage.stderr).toContain("usage: starling keys");
  });
});
