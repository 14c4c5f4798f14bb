/**
 * Webhooks against the real API and database, delivered to a real HTTP server
 * in the test: signatures checked with the `standardwebhooks` package (an
 * implementation independent of ours), retries, disabling, redelivery, secret
 * rotation, the SSRF guard, tenancy and erasure.
 */
import dns from "node:dns";
import http from "node:http";
import os from "node:os";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Webhook } from "standardwebhooks";
import { SUBMIT, review, startTestApi, type TestApi, type TestShop } from "./helpers.js";
import { forbiddenAddress, forbiddenName } from "../src/features/webhooks/ssrf.js";
import { configureWebhooks, webhookSettings } from "../src/features/webhooks/endpoints.js";
import { putProduct } from "../src/features/products/products.js";
import { submitReview } from "../src/features/reviews/reviews.js";
import { EVENTS_QUEUE } from "../src/features/events/events.js";
import { DELIVERIES_QUEUE } from "../src/features/webhooks/delivery.js";

interface Received {
  path: string;
  headers: http.IncomingHttpHeaders;
  body: string;
  json: { type: string; timestamp: string; data: Record<string, any> };
}

/** A receiving server: records every request and answers with what `answer` says for it. */
async function receiver() {
  const received: Received[] = [];
  let answer: (r: Received, n: number) => number | "hang" = () => 200;
  const server = http.createServer((req, res) => {
    let body = "";
    req.on("data", (c: Buffer) => (body += c.toString()));
    req.on("end", () => {
      const r: Received = { path: req.url ?? "/", headers: req.headers, body, json: JSON.parse(body) };
      received.push(r);
      const status = answer(r, received.filter((x) => x.path === r.path).length);
      if (status === "hang") return; // never answers: the sender's timeout decides
      res.writeHead(status).end("ok");
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    received,
    url: (path: string) => `http://127.0.0.1:${port}${path}`,
    port,
    answer(f: typeof answer) {
      answer = f;
    },
    at: (path: string) => received.filter((r) => r.path === path),
    close: () => new Promise<void>((resolve) => (server.closeAllConnections(), server.close(() => resolve()))),
  };
}

const CREATE = /* GraphQL */ `
  mutation($input: CreateWebhookEndpointInput!) {
    createWebhookEndpoint(input: $input) { secret endpoint { id url events enabled disabledReason } }
  }
`;
const DELIVERIES = /* GraphQL */ `
  query($id: ID!, $first: Int, $after: String) {
    webhookDeliveries(endpointId: $id, first: $first, after: $after) {
      id deliveryId eventId eventType attempt manual ok statusCode error durationMs nextAttemptAt cursor
    }
  }
`;
const ENDPOINTS = `{ webhookEndpoints { id url events enabled disabledReason previousSecretExpiresAt } }`;

let api: TestApi;
let rx: Awaited<ReturnType<typeof receiver>>;
const FAST = [50, 50, 50];

beforeAll(async () => {
  api = await startTestApi({ webhooksAllowPrivate: true, webhookRetryScheduleMs: FAST });
  rx = await receiver();
  await putProduct(api.starling.deps, api.shop.id, { id: "tent", name: "Tent" });
});
afterAll(async () => {
  await api?.close();
  await rx?.close();
});

async function createEndpoint(path: string, events: string[], shop: TestShop = api.shop) {
  const r = await api.gql(CREATE, { input: { url: rx.url(path), events } }, shop.key);
  expect(r.errors).toBeUndefined();
  return r.data.createWebhookEndpoint as { secret: string; endpoint: { id: string } };
}

async function submit(extra: Record<string, unknown> = {}, shop: TestShop = api.shop, productId = "tent") {
  const r = await api.gql(SUBMIT, { input: review(productId, 4, extra) }, shop.key);
  expect(r.errors).toBeUndefined();
  return r.data.submitReview.review as { id: string };
}

/** Waits for the receiver to hold `n` requests on `path` that match. */
async function waitFor(path: string, n: number, match: (r: Received) => boolean = () => true, timeout = 30_000) {
  await expect.poll(() => rx.at(path).filter(match).length, { timeout, interval: 50 }).toBeGreaterThanOrEqual(n);
  return rx.at(path).filter(match);
}

/**
 * With private targets refused (and no retry within the test), submits a
 * review and waits for the one delivery attempt to endpoint `id`: it failed
 * without an answer and nothing reached `path`. Returns the attempt's error;
 * the settings are restored and the endpoint deleted afterwards.
 */
async function refusedAtDelivery(id: string, path: string): Promise<string> {
  const deps = api.starling.deps;
  const saved = webhookSettings(deps);
  configureWebhooks(deps, { allowPrivate: false, retryScheduleMs: [3_600_000] });
  try {
    await submit();
    await expect
      .poll(async () => (await api.gql(DELIVERIES, { id })).data.webhookDeliveries.length, { timeout: 30_000, interval: 100 })
      .toBe(1);
    const [attempt] = (await api.gql(DELIVERIES, { id })).data.webhookDeliveries;
    expect(attempt).toMatchObject({ ok: false, statusCode: null });
    expect(rx.at(path)).toEqual([]);
    return attempt.error;
  } finally {
    configureWebhooks(deps, saved);
    await api.gql(`mutation($id: ID!) { deleteWebhookEndpoint(id: $id) { id } }`, { id });
  }
}

function verify(secret: string, r: Received) {
  return new Webhook(secret).verify(r.body, {
    "webhook-id": String(r.headers["webhook-id"]),
    "webhook-timestamp": String(r.headers["webhook-timestamp"]),
    "webhook-signature": String(r.headers["webhook-signature"]),
  });
}

describe("the SSRF guard's address classifier", () => {
  it.each([
    ["127.0.0.1", "loopback"],
    ["127.255.255.254", "loopback"],
    ["10.1.2.3", "private"],
    ["172.16.0.1", "private"],
    ["172.31.255.255", "private"],
    ["192.168.1.1", "private"],
    ["169.254.169.254", "link-local"],
    ["169.254.0.1", "link-local"],
    ["100.64.0.1", "carrier-grade NAT"],
    ["100.127.255.255", "carrier-grade NAT"],
    ["0.0.0.0", "this-network"],
    ["255.255.255.255", "broadcast"],
    ["224.0.0.1", "multicast"],
    ["::1", "loopback"],
    ["::", "unspecified"],
    ["[::1]", "loopback"],
    ["fe80::1", "link-local"],
    ["fe80::1%eth0", "link-local"],
    ["febf::1", "link-local"],
    ["fc00::1", "unique local"],
    ["fd00:ec2::254", "unique local"],
    ["::ffff:127.0.0.1", "loopback"],
    ["::ffff:7f00:1", "loopback"],
    ["::ffff:169.254.169.254", "link-local"],
    ["::ffff:a9fe:a9fe", "link-local"],
    ["::ffff:10.0.0.1", "private"],
    ["::127.0.0.1", "loopback"],
    ["64:ff9b::a9fe:a9fe", "link-local"],
    ["2002:7f00:1::", "loopback"],
    ["2002:c0a8:101::1", "private"],
    ["0:0:0:0:0:ffff:7f00:0001", "loopback"],
    ["ff02::1", "multicast"],
  ])("refuses %s (%s)", (address, kind) => {
    expect(forbiddenAddress(address)).toContain(kind);
  });

  it.each([
    "8.8.8.8",
    "1.1.1.1",
    "172.32.0.1",
    "100.128.0.1",
    "169.255.0.1",
    "2606:4700:4700::1111",
    "2a00:1450:4001:80b::200e",
    "::ffff:8.8.8.8",
    "2002:808:808::1",
  ])("lets %s through", (address) => {
    expect(forbiddenAddress(address)).toBeNull();
  });

  it("refuses what is not an IP address, and metadata or localhost names", () => {
    expect(forbiddenAddress("example.com")).toBe("not an IP address");
    for (const name of ["localhost", "LOCALHOST.", "api.localhost", "metadata.google.internal", "metadata", "instance-data"]) {
      expect(forbiddenName(name)).not.toBeNull();
    }
    expect(forbiddenName("hooks.example.com")).toBeNull();
  });
});

describe("endpoints", () => {
  it("are created with a whsec_ secret of 24 random bytes, shown once, then listed, updated and deleted", async () => {
    const { secret, endpoint } = await createEndpoint("/crud", ["REVIEW_CREATED"]);
    expect(secret).toMatch(/^whsec_[A-Za-z0-9+/]+=*$/);
    expect(Buffer.from(secret.slice(6), "base64").length).toBe(24);
    const list = (await api.gql(ENDPOINTS)).data.webhookEndpoints;
    const listed = list.find((e: any) => e.id === endpoint.id);
    expect(listed).toEqual({
      id: endpoint.id,
      url: rx.url("/crud"),
      events: ["REVIEW_CREATED"],
      enabled: true,
      disabledReason: null,
      previousSecretExpiresAt: null,
    });
    expect(JSON.stringify(list)).not.toContain(secret.slice(6));
    const updated = await api.gql(
      `mutation($id: ID!) { updateWebhookEndpoint(id: $id, input: { events: [REVIEW_PUBLISHED, RATING_CHANGED], enabled: false }) { events enabled } }`,
      { id: endpoint.id },
    );
    expect(updated.data.updateWebhookEndpoint).toEqual({ events: ["REVIEW_PUBLISHED", "RATING_CHANGED"], enabled: false });
    const deleted = await api.gql(`mutation($id: ID!) { deleteWebhookEndpoint(id: $id) { id } }`, { id: endpoint.id });
    expect(deleted.data.deleteWebhookEndpoint.id).toBe(endpoint.id);
    expect((await api.gql(ENDPOINTS)).data.webhookEndpoints.map((e: any) => e.id)).not.toContain(endpoint.id);
  });

  it("belong to their shop: another shop's key sees, changes, rotates and redelivers none of them", async () => {
    const { endpoint } = await createEndpoint("/tenant", ["REVIEW_CREATED"]);
    const other = await api.newShop("Other shop");
    expect((await api.gql(ENDPOINTS, {}, other.key)).data.webhookEndpoints).toEqual([]);
    const attempts = [
      [`mutation($id: ID!) { updateWebhookEndpoint(id: $id, input: { enabled: false }) { id } }`, { id: endpoint.id }],
      [`mutation($id: ID!) { deleteWebhookEndpoint(id: $id) { id } }`, { id: endpoint.id }],
      [`mutation($id: ID!) { rotateWebhookSecret(id: $id) { secret } }`, { id: endpoint.id }],
      [DELIVERIES, { id: endpoint.id }],
      [`mutation($id: ID!) { redeliverWebhook(deliveryId: $id) }`, { id: `review.created:x:${endpoint.id}` }],
    ] as const;
    for (const [query, vars] of attempts) {
      const r = await api.gql(query, vars, other.key);
      expect(r.errors?.[0]?.extensions?.code, query).toBe("NOT_FOUND");
    }
    // Still there and enabled for its own shop.
    const mine = (await api.gql(ENDPOINTS)).data.webhookEndpoints.find((e: any) => e.id === endpoint.id);
    expect(mine.enabled).toBe(true);
    await api.gql(`mutation($id: ID!) { deleteWebhookEndpoint(id: $id) { id } }`, { id: endpoint.id });
  });

  it("need a secret key: a publishable key is FORBIDDEN", async () => {
    const r = await api.gql(CREATE, { input: { url: rx.url("/pk"), events: ["REVIEW_CREATED"] } }, api.shop.publishableKey);
    expect(r.errors?.[0]?.extensions?.code).toBe("FORBIDDEN");
    expect((await api.gql(ENDPOINTS, {}, api.shop.publishableKey)).errors?.[0]?.extensions?.code).toBe("FORBIDDEN");
  });

  it("refuse bad input with INVALID_INPUT and store nothing", async () => {
    const before = await api.models.WebhookEndpoint.countDocuments();
    for (const [input, field] of [
      [{ url: "ftp://example.com/x", events: ["REVIEW_CREATED"] }, "url"],
      [{ url: "not a url", events: ["REVIEW_CREATED"] }, "url"],
      [{ url: "https://user:pw@example.com/", events: ["REVIEW_CREATED"] }, "url"],
      [{ url: rx.url("/x"), events: [] }, "events"],
    ] as const) {
      const r = await api.gql(CREATE, { input });
      expect(r.errors?.[0]?.extensions).toMatchObject({ code: "INVALID_INPUT", field });
    }
    expect(await api.models.WebhookEndpoint.countDocuments()).toBe(before);
  });
});

describe("the SSRF guard on a running API (STARLING_WEBHOOKS_ALLOW_PRIVATE off)", () => {
  it("refuses private, loopback, link-local, metadata and mapped targets at creation", async () => {
    const deps = api.starling.deps;
    const saved = webhookSettings(deps);
    configureWebhooks(deps, { allowPrivate: false });
    try {
      for (const url of [
        rx.url("/ssrf"),
        "http://localhost:8080/",
        "http://169.254.169.254/latest/meta-data/",
        "http://metadata.google.internal/computeMetadata/v1/",
        "http://[::1]/",
        "http://[::ffff:127.0.0.1]/",
        "http://[::ffff:a9fe:a9fe]/",
        "http://2130706433/",
        "http://0x7f.0.0.1/",
        "http://0/",
        "http://10.0.0.5/",
        "http://100.64.1.1/",
        "http://[fd00::1]/",
        "http://[fe80::1]/",
      ]) {
        const r = await api.gql(CREATE, { input: { url, events: ["REVIEW_CREATED"] } });
        expect(r.errors?.[0]?.extensions, url).toMatchObject({ code: "INVALID_INPUT", field: "url" });
        expect(r.errors?.[0]?.message, url).toMatch(/refused/);
      }
    } finally {
      configureWebhooks(deps, saved);
    }
  });

  it("refuses at delivery time a name that resolves to a private address (checked on the address connected to)", async () => {
    // This machine's own name resolves to one of its addresses: loopback or a private one.
    const host = os.hostname();
    const resolved = (await dns.promises.lookup(host)).address;
    expect(forbiddenAddress(resolved)).not.toBeNull();
    const created = await api.gql(CREATE, { input: { url: `http://${host}:${rx.port}/by-name`, events: ["REVIEW_CREATED"] } });
    const endpoint = created.data.createWebhookEndpoint.endpoint;
    expect(await refusedAtDelivery(endpoint.id, "/by-name")).toContain(`refused: ${host} resolves to ${resolved}`);
  });

  it("refuses at delivery time too, on the address it would connect to", async () => {
    // Saved while private targets were allowed; now they are not (as after a DNS answer changed).
    const { endpoint } = await createEndpoint("/rebind", ["REVIEW_CREATED"]);
    expect(await refusedAtDelivery(endpoint.id, "/rebind")).toMatch(/refused: 127\.0\.0\.1 is a loopback/);
  });
});

describe("deliveries", () => {
  it("POST review.created and review.published with Standard Webhooks signatures another implementation verifies", async () => {
    const { secret } = await createEndpoint("/signed", ["REVIEW_CREATED", "REVIEW_PUBLISHED"]);
    const r = await submit({ reviewer: { name: "Ada", externalId: "cust-signed" } });
    const got = await waitFor("/signed", 2, (x) => x.json.data.reviewId === r.id);
    const created = got.find((x) => x.json.type === "review.created")!;
    const published = got.find((x) => x.json.type === "review.published")!;
    expect(created.headers["webhook-id"]).toBe(`review.created:${r.id}`);
    expect(published.headers["webhook-id"]).toBe(`review.published:${r.id}`);
    expect(created.headers["content-type"]).toBe("application/json");
    expect(created.headers["webhook-signature"]).toMatch(/^v1,[A-Za-z0-9+/]+=*$/);
    expect(Object.keys(created.json)).toEqual(["type", "timestamp", "data"]);
    expect(created.json.data).toMatchObject({
      reviewId: r.id,
      productId: "tent",
      rating: 4,
      reviewer: { name: "Ada", customerId: "cust-signed" },
      status: "published",
    });
    expect(verify(secret, created)).toEqual(created.json);
    expect(verify(secret, published)).toEqual(published.json);
    // A body changed in transit, or another secret, does not verify.
    expect(() => verify(secret, { ...created, body: created.body.replace('"rating":4', '"rating":5') })).toThrow();
    expect(() => verify(`whsec_${Buffer.alloc(24, 1).toString("base64")}`, created)).toThrow();
    // Once each (a replay of the same key records nothing new to send).
    await api.gql(SUBMIT, { input: review("tent", 4, { reviewer: { name: "Ada", externalId: "cust-signed" } }) });
    expect(rx.at("/signed").filter((x) => x.json.type === "review.created" && x.json.data.reviewId === r.id)).toHaveLength(1);
  });

  it("announce moderation: review.created while pending, review.published on approval, review.rejected with its reason", async () => {
    const shop = await api.newShop("Moderated");
    await putProduct(api.starling.deps, shop.id, { id: "tent", name: "Tent" });
    await createEndpoint("/moderated", ["REVIEW_CREATED", "REVIEW_PUBLISHED", "REVIEW_REJECTED"], shop);
    expect((await api.gql(`mutation { setModerationMode(mode: PRE) }`, {}, shop.key)).errors).toBeUndefined();
    const a = await submit({}, shop);
    const b = await submit({ idempotencyKey: "second" }, shop);
    await waitFor("/moderated", 2, (x) => x.json.type === "review.created");
    expect(rx.at("/moderated").map((x) => [x.json.type, x.json.data.status])).toEqual([
      ["review.created", "pending"],
      ["review.created", "pending"],
    ]);
    const moderate = `mutation($input: ModerateReviewInput!) { moderateReview(input: $input) { status } }`;
    await api.gql(moderate, { input: { reviewId: a.id, action: "PUBLISH" } }, shop.key);
    await api.gql(moderate, { input: { reviewId: b.id, action: "REJECT", reason: "SPAM", note: "internal note" } }, shop.key);
    const published = (await waitFor("/moderated", 1, (x) => x.json.type === "review.published"))[0]!;
    const rejected = (await waitFor("/moderated", 1, (x) => x.json.type === "review.rejected"))[0]!;
    expect(published.json.data).toMatchObject({ reviewId: a.id, status: "published" });
    expect(rejected.json.data).toMatchObject({ reviewId: b.id, status: "rejected", reason: "SPAM" });
    expect(rejected.body).not.toContain("internal note");
  });

  it("announce rating.changed when the displayed rating moves", async () => {
    const shop = await api.newShop("Ratings");
    await putProduct(api.starling.deps, shop.id, { id: "lamp", name: "Lamp" });
    await createEndpoint("/rating", ["RATING_CHANGED"], shop);
    await submit({}, shop, "lamp");
    const [first] = await waitFor("/rating", 1);
    const shown = (await api.gql(`{ product(id: "lamp") { rating { average count } } }`, {}, shop.key)).data.product.rating;
    expect(first!.json.data).toEqual({
      productId: "lamp",
      rating: Math.round(shown.average * 10) / 10,
      previousRating: null,
      reviewCount: 1,
    });
    // A one-star review moves it: announced with the value before.
    await api.gql(SUBMIT, { input: review("lamp", 1, { idempotencyKey: "low" }) }, shop.key);
    const [, second] = await waitFor("/rating", 2);
    expect(second!.json.data.previousRating).toBe(first!.json.data.rating);
    expect(second!.json.data.rating).toBeLessThan(first!.json.data.rating);
    expect(second!.json.data.reviewCount).toBe(2);
  });

  it("announce burst.detected once per burst the fraud checks flag, with its evidence", async () => {
    const shop = await api.newShop("Bursts");
    const deps = api.starling.deps;
    await putProduct(deps, shop.id, { id: "kettle", name: "Kettle" });
    await createEndpoint("/burst", ["BURST_DETECTED"], shop);
    // An established product: 30 reviews from 12 repeat customers over 90 days, ending 30 days ago.
    const start = Date.now() - 120 * 86_400_000;
    for (let i = 0; i < 30; i++) {
      const at = new Date(start + i * 3 * 86_400_000);
      await submitReview({ ...deps, now: () => at }, shop.id, {
        productId: "kettle",
        rating: [4, 5, 3, 4, 5, 4][i % 6]!,
        title: `Review ${i}`,
        body: `Customer ${i % 12} writes review number ${i} about the kettle, with details of use ${i * 7}.`,
        reviewer: { name: `Customer ${i % 12}`, externalId: `customer-${i % 12}` },
        idempotencyKey: `history-${i}`,
      });
    }
    // Then ten first-time five-star reviews within minutes.
    for (let i = 0; i < 10; i++) {
      await submit(
        {
          rating: 5,
          title: `Great kettle ${i}`,
          body: `Unique burst text number ${i}: ${"word".repeat(i + 1)} boils fast ${i * 13} seconds.`,
          reviewer: { name: `New ${i}`, externalId: `burst-${i}` },
        },
        shop,
        "kettle",
      );
    }
    const bursts = (await api.gql(`{ product(id: "kettle") { bursts { start end } } }`, {}, shop.key)).data.product.bursts;
    expect(bursts.length).toBe(1);
    const [got] = await waitFor("/burst", 1);
    expect(got!.json.type).toBe("burst.detected");
    expect(got!.json.data).toMatchObject({ productId: "kettle", start: bursts[0].start });
    // The evidence when it was first flagged (the product's bursts list grows it afterwards).
    expect(got!.json.data.evidence.length).toBeGreaterThan(0);
    for (const e of got!.json.data.evidence)
      expect(e).toMatchObject({ detector: expect.any(String), stream: expect.any(String), count: expect.any(Number) });
    // One event for the burst, not one per review inside it.
    await expect
      .poll(() => api.models.LeaseJob.countDocuments({ queue: "events", "payload.shopId": shop.id }), { timeout: 30_000 })
      .toBe(0);
    expect(rx.at("/burst")).toHaveLength(1);
  });

  it("are retried on a non-2xx answer, then succeed, each attempt in the log", async () => {
    const { endpoint } = await createEndpoint("/flaky", ["REVIEW_CREATED"]);
    rx.answer((r, n) => (r.path === "/flaky" && n <= 2 ? 503 : 200));
    try {
      const r = await submit();
      const got = await waitFor("/flaky", 3);
      expect(new Set(got.map((x) => x.headers["webhook-id"]))).toEqual(new Set([`review.created:${r.id}`]));
      await expect
        .poll(async () => (await api.gql(DELIVERIES, { id: endpoint.id })).data.webhookDeliveries.length, { timeout: 30_000 })
        .toBe(3);
      const log = (await api.gql(DELIVERIES, { id: endpoint.id })).data.webhookDeliveries;
      expect(log.map((a: any) => [a.attempt, a.ok, a.statusCode])).toEqual([
        [3, true, 200],
        [2, false, 503],
        [1, false, 503],
      ]);
      expect(log[1].error).toBe("the endpoint answered 503");
      expect(log[1].nextAttemptAt).not.toBeNull();
      expect(log[0].nextAttemptAt).toBeNull();
      expect(log.every((a: any) => a.deliveryId === `review.created:${r.id}:${endpoint.id}` && a.durationMs >= 0)).toBe(true);
      // Pages by cursor.
      const page2 = (await api.gql(DELIVERIES, { id: endpoint.id, first: 2, after: log[0].cursor })).data.webhookDeliveries;
      expect(page2.map((a: any) => a.id)).toEqual([log[1].id, log[2].id]);
      expect((await api.gql(DELIVERIES, { id: endpoint.id, after: "forged" })).errors?.[0]?.extensions?.code).toBe("INVALID_CURSOR");
    } finally {
      rx.answer(() => 200);
    }
  });

  it("time out after the limit, and disable the endpoint once the schedule is exhausted, saying why", async () => {
    const { endpoint } = await createEndpoint("/down", ["REVIEW_CREATED"]);
    const deps = api.starling.deps;
    const saved = webhookSettings(deps);
    configureWebhooks(deps, { timeoutMs: 300 });
    rx.answer((r, n) => (r.path === "/down" ? (n === 1 ? "hang" : 500) : 200));
    try {
      await submit();
      // FAST: three waits, so four attempts, then the endpoint is disabled.
      await expect
        .poll(async () => (await api.gql(ENDPOINTS)).data.webhookEndpoints.find((e: any) => e.id === endpoint.id).enabled, {
          timeout: 30_000,
        })
        .toBe(false);
      const shown = (await api.gql(ENDPOINTS)).data.webhookEndpoints.find((e: any) => e.id === endpoint.id);
      expect(shown.disabledReason).toMatch(/4 attempts .* failed; the last: the endpoint answered 500/);
      const log = (await api.gql(DELIVERIES, { id: endpoint.id })).data.webhookDeliveries;
      expect(log.map((a: any) => a.statusCode)).toEqual([500, 500, 500, null]);
      expect(log[3].error).toMatch(/no complete answer within 0.3 s/);
      // Disabled: new events are not sent to it.
      const seen = rx.at("/down").length;
      const later = await submit();
      await waitFor("/signed", 1, (x) => x.json.data.reviewId === later.id);
      expect(rx.at("/down").length).toBe(seen);
    } finally {
      rx.answer(() => 200);
      configureWebhooks(deps, saved);
    }
  });

  it("redeliver a logged delivery with the same webhook-id, as one manual attempt", async () => {
    const { endpoint, secret } = await createEndpoint("/again", ["REVIEW_CREATED"]);
    const r = await submit();
    const [first] = await waitFor("/again", 1);
    await expect.poll(async () => (await api.gql(DELIVERIES, { id: endpoint.id })).data.webhookDeliveries.length).toBe(1);
    const [logged] = (await api.gql(DELIVERIES, { id: endpoint.id })).data.webhookDeliveries;
    const res = await api.gql(`mutation($id: ID!) { redeliverWebhook(deliveryId: $id) }`, { id: logged.deliveryId });
    expect(res.data.redeliverWebhook).toBe(logged.deliveryId);
    const got = await waitFor("/again", 2);
    expect(got[1]!.headers["webhook-id"]).toBe(`review.created:${r.id}`);
    expect(got[1]!.body).toBe(first!.body);
    expect(verify(secret, got[1]!)).toEqual(first!.json);
    await expect.poll(async () => (await api.gql(DELIVERIES, { id: endpoint.id })).data.webhookDeliveries.length).toBe(2);
    const [manual] = (await api.gql(DELIVERIES, { id: endpoint.id })).data.webhookDeliveries;
    expect(manual).toMatchObject({ manual: true, ok: true, statusCode: 200 });
    const missing = await api.gql(`mutation($id: ID!) { redeliverWebhook(deliveryId: $id) }`, { id: `review.created:nope:${endpoint.id}` });
    expect(missing.errors?.[0]?.extensions?.code).toBe("NOT_FOUND");
  });

  it("are logged up to a bound per endpoint, the oldest attempts dropped first", async () => {
    const shop = await api.newShop("Bounded log");
    await putProduct(api.starling.deps, shop.id, { id: "tent", name: "Tent" });
    const { endpoint } = await createEndpoint("/bounded", ["REVIEW_CREATED"], shop);
    const deps = api.starling.deps;
    const saved = webhookSettings(deps);
    configureWebhooks(deps, { logLimit: 2 });
    try {
      const ids: string[] = [];
      for (let i = 0; i < 4; i++) {
        ids.push((await submit({ idempotencyKey: `bounded-${i}` }, shop)).id);
        // One at a time, so the log's order is the reviews' order.
        await waitFor("/bounded", i + 1);
      }
      await expect
        .poll(async () => (await api.gql(DELIVERIES, { id: endpoint.id }, shop.key)).data.webhookDeliveries.map((a: any) => a.eventId), {
          timeout: 30_000,
        })
        .toEqual([`review.created:${ids[3]}`, `review.created:${ids[2]}`]);
      expect(await api.models.WebhookAttempt.countDocuments({ endpointId: endpoint.id })).toBe(2);
    } finally {
      configureWebhooks(deps, saved);
    }
  });

  it("carry two signatures during a secret rotation's overlap, one per secret, and one after it", async () => {
    const { endpoint, secret: old } = await createEndpoint("/rotate", ["REVIEW_CREATED"]);
    const rotated = (
      await api.gql(
        `mutation($id: ID!) { rotateWebhookSecret(id: $id, overlapHours: 24) { secret endpoint { previousSecretExpiresAt } } }`,
        { id: endpoint.id },
      )
    ).data.rotateWebhookSecret;
    expect(rotated.secret).not.toBe(old);
    expect(Date.parse(rotated.endpoint.previousSecretExpiresAt)).toBeGreaterThan(Date.now() + 23 * 3_600_000);
    await submit();
    const [during] = await waitFor("/rotate", 1);
    const signatures = String(during!.headers["webhook-signature"]).split(" ");
    expect(signatures).toHaveLength(2);
    // Each secret verifies on its own: a receiver on either one accepts the delivery.
    for (const [secret, sig] of [
      [rotated.secret, signatures[0]],
      [old, signatures[1]],
    ]) {
      expect(verify(secret, { ...during!, headers: { ...during!.headers, "webhook-signature": sig } })).toEqual(during!.json);
    }
    // Rotated again with no overlap: only the newest signs.
    const newest = (await api.gql(`mutation($id: ID!) { rotateWebhookSecret(id: $id, overlapHours: 0) { secret } }`, { id: endpoint.id }))
      .data.rotateWebhookSecret.secret;
    await submit();
    const [, after] = await waitFor("/rotate", 2);
    expect(String(after!.headers["webhook-signature"]).split(" ")).toHaveLength(1);
    expect(verify(newest, after!)).toEqual(after!.json);
    expect(() => verify(rotated.secret, after!)).toThrow();
  });

  it("of an erased reviewer's reviews are dropped while still queued, and never sent", async () => {
    const { endpoint } = await createEndpoint("/erase", ["REVIEW_CREATED"]);
    const deps = api.starling.deps;
    const saved = webhookSettings(deps);
    configureWebhooks(deps, { retryScheduleMs: [3_600_000] });
    rx.answer((r) => (r.path === "/erase" ? 500 : 200));
    try {
      const r = await submit({ reviewer: { name: "Erin Erased", externalId: "cust-erase" } });
      await waitFor("/erase", 1);
      // Waiting an hour for its retry, with Erin's name in the message.
      expect(await api.models.WebhookMessage.countDocuments({ _id: `review.created:${r.id}` })).toBe(1);
      const erased = await api.gql(`mutation { eraseReviewerData(reviewer: { externalId: "cust-erase" }, mode: ANONYMISE) { reviews } }`);
      expect(erased.errors).toBeUndefined();
      expect(await api.models.WebhookMessage.countDocuments({ reviewId: r.id })).toBe(0);
      const queued = await api.models.LeaseJob.find({}).lean();
      expect(JSON.stringify(queued)).not.toContain("Erin Erased");
      expect(JSON.stringify(queued)).not.toContain("cust-erase");
      // Its event and delivery are gone. The review's insights job may still wait (the review stays,
      // anonymised, and is analysed like any other); it names nobody, as the checks above show.
      const webhookJobs = queued.filter((j) => j.queue === EVENTS_QUEUE || j.queue === DELIVERIES_QUEUE);
      expect(webhookJobs.some((j) => j._id.includes(r.id))).toBe(false);
      const log = (await api.gql(DELIVERIES, { id: endpoint.id })).data.webhookDeliveries;
      expect(JSON.stringify(log)).not.toContain("Erin");
    } finally {
      rx.answer(() => 200);
      configureWebhooks(deps, saved);
    }
  });
});
