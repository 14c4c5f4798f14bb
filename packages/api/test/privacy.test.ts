/**
 * A reviewer's data can be exported and erased (anonymised or deleted), and
 * each shop's disclosure page tells the truth about its settings.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { recomputeSummaries } from "../src/features/ratings/ratings.js";
import { unpackState } from "../src/features/scoring/scoring.js";
import { RATING, SUBMIT, review, startTestApi, type TestApi } from "./helpers.js";

let api: TestApi;

const EXPORT = `query($r: ReviewerRefInput!) { exportReviewerData(reviewer: $r) }`;
const ERASE = `mutation($r: ReviewerRefInput!, $m: ErasureMode!) { eraseReviewerData(reviewer: $r, mode: $m) { reviews invitations } }`;

async function invitedReview(email: string, stars: number) {
  const inv = await api.gql(`mutation($i: CreateInvitationInput!) { createInvitation(input: $i) { token } }`, {
    i: { productId: "tent", orderRef: `o-${Math.random().toString(36).slice(2)}`, customerEmail: email },
  });
  const r = await api.gql(SUBMIT, {
    input: review("tent", stars, { invitationToken: inv.data.createInvitation.token, reviewer: { name: "Alex Doe" } }),
  });
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
    const b = (await api.gql(SUBMIT, { input: review("tent", 4, { reviewer: { name: "Alex D.", externalId: "cust-7" } }) })).data
      .submitReview.review.id;
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

describe("erasure leaves nothing of the person", () => {
  const INVITE = `mutation($i: CreateInvitationInput!) { createInvitation(input: $i) { token } }`;
  const LONG_A =
    "The brass lamp arrived well packed and the warm light is perfect for reading late at night, though the switch feels a little stiff and the cord could be longer for our living room.";
  const LONG_C =
    "Second thoughts after a month of evenings: the dimmer buzzes faintly at low settings, the base scratches the table unless you add felt pads, and the replacement bulbs cost more than expected here.";
  const LONG_B =
    "We bought this lamp for the hallway and after three weeks it still works flawlessly; the shade is sturdy, the bulb was included, and assembly took five minutes with no tools needed at all.";

  /** Every document of every collection in the test database, as lowercase JSON per collection. */
  async function everything(): Promise<Map<string, string>> {
    const db = api.starling.db.conn.db!;
    const all = new Map<string, string>();
    for (const c of await db.listCollections().toArray()) {
      const docs = await db.collection(c.name).find({}).toArray();
      // Scoring states are stored packed (one binary field): searched as what they hold.
      const readable = c.name === "scoring_states" ? docs.map((d) => ({ ...d, state: unpackState(d.state) })) : docs;
      all.set(c.name, JSON.stringify(readable).toLowerCase());
    }
    return all;
  }

  /** The collections in which `text` occurs anywhere. */
  const holding = (all: Map<string, string>, text: string) =>
    [...all].filter(([, json]) => json.includes(text.toLowerCase())).map(([name]) => name);

  async function invitation(orderRef: string, email: string): Promise<string> {
    const r = await api.gql(INVITE, { i: { productId: "lamp", orderRef, customerEmail: email } });
    expect(r.errors).toBeUndefined();
    return r.data.createInvitation.token;
  }

  it("by customer id: reviews, invitation emails, scoring states, other reviews' reasons and caches; a retry is REVIEW_ERASED", async () => {
    await api.gql(`mutation { putProduct(input: { id: "lamp", name: "Lamp" }) { id } }`);
    const email = "erin.quill@example.com";
    const id = "cust-erin-42";
    const erin = { name: "Erin Quill", externalId: id };
    // Through an invitation, with the customer id: the review holds both.
    const viaInvitation = review("lamp", 5, {
      title: "Warm light",
      body: LONG_A,
      reviewer: erin,
      invitationToken: await invitation("e-1", email),
    });
    expect((await api.gql(SUBMIT, { input: viaInvitation })).errors).toBeUndefined();
    // Through the form with an invitation: known to the scorer by email only.
    const viaForm = review("lamp", 4, {
      title: "Hallway",
      body: LONG_B,
      reviewer: { name: "Erin Q." },
      invitationToken: await invitation("e-2", email),
      idempotencyKey: "form-e-2",
    });
    expect((await api.gql(SUBMIT, { input: viaForm }, api.shop.publishableKey)).errors).toBeUndefined();
    // By customer id only, and an invitation not used yet.
    const direct = review("lamp", 2, { title: "Second thoughts", body: LONG_C, reviewer: erin, idempotencyKey: "erin-direct" });
    expect((await api.gql(SUBMIT, { input: direct })).errors).toBeUndefined();
    await invitation("e-3", email);
    // Others copy her texts: their reasons cite her reviews.
    for (const [n, body] of [
      [1, LONG_A],
      [2, LONG_B],
    ] as const) {
      const copy = await api.gql(SUBMIT, {
        input: review("lamp", 5, { title: "Copy", body, reviewer: { name: "Copier", externalId: `cust-copy-${n}` } }),
      });
      expect(copy.errors).toBeUndefined();
    }
    const before = await everything();
    expect(holding(before, email)).toEqual(expect.arrayContaining(["reviews", "invitations", "scoring_states"]));
    expect(holding(before, id)).toEqual(expect.arrayContaining(["reviews", "scoring_states"]));
    expect(await api.models.ScoringState.exists({ _id: `reviewer:${api.shop.id}:id:${id}` })).toBeTruthy();
    expect(await api.models.ScoringState.exists({ _id: `reviewer:${api.shop.id}:email:${email}` })).toBeTruthy();
    // Copies are flagged by the id of the review copied; a reason stored by an earlier version also named its reviewer.
    const copied = await api.models.Review.findOne({ "reviewer.externalId": "cust-copy-2" }).lean();
    const duplicate = copied!.score!.reasons.find((r) => r.code === "duplicate_text")!;
    expect(JSON.stringify(copied)).not.toContain(email);
    await api.models.Review.updateOne(
      { _id: copied!._id },
      { $set: { "score.reasons": copied!.score!.reasons.map((r) => (r === duplicate ? { ...r, otherReviewerId: `email:${email}` } : r)) } },
    );
    // The near-duplicate index in memory knows whose each text is.
    const index = async () => {
      const loaded = (await api.starling.deps.signatures.get(api.starling.deps, api.shop.id)) as unknown as {
        reviewerIds: (string | undefined)[];
      };
      return loaded.reviewerIds.filter(Boolean).join("\n");
    };
    expect(await index()).toContain(id);
    expect(holding(await everything(), `email:${email}`)).toEqual(["reviews", "scoring_states"]);
    const page = `query { product(id: "lamp") { reviews(first: 50, status: [PUBLISHED, QUARANTINED]) { edges { node { reviewer { name } } } } } }`;
    expect(JSON.stringify((await api.gql(page)).data)).toContain("Erin Quill");

    const erased = await api.gql(ERASE, { r: { externalId: id }, m: "ANONYMISE" });
    expect(erased.errors).toBeUndefined();
    expect(erased.data.eraseReviewerData).toEqual({ reviews: 3, invitations: 3 });

    // Retries of each of her submissions, and a first copy of one of her texts (the near-duplicate index in memory must not name her).
    for (const [input, key] of [
      [viaInvitation, api.shop.key],
      [viaForm, api.shop.publishableKey],
      [direct, api.shop.key],
    ] as const) {
      const retry = await api.gql(SUBMIT, { input }, key);
      expect(retry.errors?.[0]?.extensions?.code).toBe("REVIEW_ERASED");
    }
    const lateCopy = await api.gql(SUBMIT, {
      input: review("lamp", 5, { title: "Copy", body: LONG_C, reviewer: { name: "Copier", externalId: "cust-copy-3" } }),
    });
    expect(lateCopy.errors).toBeUndefined();

    const after = await everything();
    expect(after.size).toBeGreaterThanOrEqual(8);
    expect(holding(after, email)).toEqual([]);
    expect(holding(after, id)).toEqual([]);
    expect(holding(after, "Erin Q")).toEqual([]);
    expect(await index()).not.toContain(id);
    expect(await index()).not.toContain(email);
    expect(JSON.stringify((await api.gql(page)).data)).not.toContain("Erin");
    // What stays: the anonymous reviews, their stars, and a tombstone per review that holds no personal data.
    expect(await api.models.Review.countDocuments({ productId: "lamp", "reviewer.name": "Former customer" })).toBe(3);
    expect(await api.models.ErasedReview.countDocuments({ shopId: api.shop.id })).toBeGreaterThanOrEqual(3);
  });

  it("a deleted review's retry stores nothing again, by key or by invitation", async () => {
    const email = "finn.moss@example.com";
    const byKey = review("lamp", 1, {
      title: "Broke",
      reviewer: { name: "Finn Moss", externalId: "cust-finn-7" },
      idempotencyKey: "finn-1",
    });
    const byInvitation = review("lamp", 2, {
      title: "Dim",
      reviewer: { name: "Finn Moss" },
      invitationToken: await invitation("f-1", email),
    });
    const first = await api.gql(SUBMIT, { input: byKey });
    const second = await api.gql(SUBMIT, { input: byInvitation }, api.shop.publishableKey);
    expect(first.errors ?? second.errors).toBeUndefined();
    const count = (await api.gql(RATING, { id: "lamp" })).data.product.rating.count;

    const erased = await api.gql(ERASE, { r: { email, externalId: "cust-finn-7" }, m: "DELETE" });
    expect(erased.data.eraseReviewerData.reviews).toBe(2);
    for (const [input, key] of [
      [byKey, api.shop.key],
      [byInvitation, api.shop.publishableKey],
    ] as const) {
      const retry = await api.gql(SUBMIT, { input }, key);
      expect(retry.errors?.[0]?.extensions).toMatchObject({ code: "REVIEW_ERASED", field: "idempotencyKey" });
    }
    expect(await api.models.Review.exists({ _id: first.data.submitReview.review.id })).toBeNull();
    expect(await api.models.Review.exists({ _id: second.data.submitReview.review.id })).toBeNull();
    expect((await api.gql(RATING, { id: "lamp" })).data.product.rating.count).toBe(count - 2);
    const after = await everything();
    expect(holding(after, email)).toEqual([]);
    expect(holding(after, "cust-finn-7")).toEqual([]);
    expect(holding(after, "Finn Moss")).toEqual([]);
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
    expect(html).toContain('<th scope="row">5 ★</th>');

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
