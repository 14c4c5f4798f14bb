/**
 * GET /metrics (issue 15 item 4), against the real server and database:
 * off unless enabled, a bearer token on the public port, counters that move
 * with requests, bounded labels, queue depths and the seam other features use.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ConfigError, loadConfig } from "../src/config.js";
import { MAX_OPERATION_LABELS, Metrics } from "../src/metrics.js";
import { SUBMIT, review, startTestApi, type TestApi } from "./helpers.js";

const TOKEN = "test-metrics-token-0123456789abcdef0123456789";

async function scrape(url: string, token: string | null = TOKEN) {
  const res = await fetch(`${url}/metrics`, { headers: token ? { authorization: `Bearer ${token}` } : {} });
  return { status: res.status, type: res.headers.get("content-type"), text: await res.text(), headers: res.headers };
}

/** The value of one series in the text format (0 when absent). */
function value(text: string, name: string, labels: Record<string, string>): number {
  const want = Object.entries(labels).map(([k, v]) => `${k}="${v}"`);
  for (const line of text.split("\n")) {
    if (!line.startsWith(`${name}{`)) continue;
    const inside = line.slice(name.length + 1, line.indexOf("}"));
    const have = inside.split(",");
    if (want.every((w) => have.includes(w))) return Number(line.slice(line.lastIndexOf(" ") + 1));
  }
  return 0;
}

/** Distinct values of one label among a metric's series. */
function labelValues(text: string, name: string, label: string): Set<string> {
  const out = new Set<string>();
  for (const m of text.matchAll(new RegExp(`^${name}\\{[^}]*${label}="([^"]*)"`, "gm"))) out.add(m[1]!);
  return out;
}

const RATING = (name: string) => `query ${name}($id: ID!) { product(id: $id) { id } }`;

describe("metrics off (the default)", () => {
  let api: TestApi;
  beforeAll(async () => {
    api = await startTestApi();
  });
  afterAll(() => api?.close());

  it("GET /metrics is a 404 (NOT_FOUND), with or without a token", async () => {
    for (const token of [null, TOKEN]) {
      const r = await scrape(api.url, token);
      expect(r.status).toBe(404);
      expect(JSON.parse(r.text).errors[0].extensions.code).toBe("NOT_FOUND");
    }
    expect(loadConfig({}).metrics.enabled).toBe(false);
  });
});

describe("metrics configuration", () => {
  it("refuses to serve metrics on the public port without a token, and a short token", () => {
    expect(() => loadConfig({ STARLING_METRICS: "1" })).toThrow(ConfigError);
    expect(() => loadConfig({ STARLING_METRICS: "1" })).toThrow(/STARLING_METRICS_TOKEN/);
    expect(() => loadConfig({ STARLING_METRICS: "1", STARLING_METRICS_TOKEN: "short" })).toThrow(/STARLING_METRICS_TOKEN/);
    expect(() => loadConfig({ STARLING_METRICS: "yes" })).toThrow(/STARLING_METRICS/);
    expect(loadConfig({ STARLING_METRICS: "1", STARLING_METRICS_TOKEN: TOKEN }).metrics).toMatchObject({ enabled: true, token: TOKEN });
    // On a port of their own (bound to 127.0.0.1 unless told), a token is optional.
    expect(loadConfig({ STARLING_METRICS: "1", STARLING_METRICS_PORT: "9464" }).metrics).toMatchObject({ port: 9464, host: "127.0.0.1" });
  });
});

describe("metrics on the public port", () => {
  let api: TestApi;
  beforeAll(async () => {
    api = await startTestApi({ metrics: { enabled: true, token: TOKEN, port: undefined, host: "127.0.0.1" } });
    await api.gql(`mutation { putProduct(input: { id: "tent", name: "Tent" }) { id } }`);
  });
  afterAll(() => api?.close());

  it("needs the bearer token: none, a wrong one, or another scheme is a 401 (UNAUTHENTICATED)", async () => {
    for (const auth of [null, "Bearer wrong", `Bearer ${TOKEN}x`, `Basic ${TOKEN}`, `Bearer ${TOKEN.slice(0, -1)}`, TOKEN]) {
      const res = await fetch(`${api.url}/metrics`, { headers: auth ? { authorization: auth } : {} });
      expect(res.status, String(auth)).toBe(401);
      expect(res.headers.get("www-authenticate")).toMatch(/^Bearer/);
      expect(((await res.json()) as any).errors[0].extensions.code).toBe("UNAUTHENTICATED");
    }
    const ok = await scrape(api.url);
    expect(ok.status).toBe(200);
    expect(ok.type).toMatch(/^text\/plain; version=0\.0\.4/);
    expect(ok.text).toContain("# TYPE starling_graphql_requests_total counter");
    expect(ok.text).toContain("process_cpu_seconds_total");
  });

  it("counts GraphQL requests by operation and outcome, with latency histograms, moving with each request", async () => {
    // A name claims a label of its own with a request that succeeded.
    expect((await api.gql(SUBMIT, { input: review("tent", 5) })).errors).toBeUndefined();
    const before = (await scrape(api.url)).text;
    for (let i = 0; i < 3; i++)
      expect((await api.gql(RATING("TentRating"), { id: "tent" }, api.shop.publishableKey)).errors).toBeUndefined();
    const bad = await api.gql(SUBMIT, { input: review("tent", 9) });
    expect(bad.errors?.[0]?.extensions?.code).toBe("INVALID_INPUT");
    expect((await api.gql(RATING("NoKey"), { id: "tent" }, null)).errors?.[0]?.extensions?.code).toBe("UNAUTHENTICATED");
    expect((await api.gql("query { product(id: ", {})).errors?.[0]?.extensions?.code).toBe("GRAPHQL_PARSE_FAILED");
    const after = (await scrape(api.url)).text;
    const delta = (labels: Record<string, string>) =>
      value(after, "starling_graphql_requests_total", labels) - value(before, "starling_graphql_requests_total", labels);
    expect(delta({ operation: "TentRating", type: "query", outcome: "OK" })).toBe(3);
    expect(delta({ operation: "Submit", type: "mutation", outcome: "INVALID_INPUT" })).toBe(1);
    // NoKey never succeeded, so it claims no label of its own.
    expect(delta({ operation: "__other__", type: "query", outcome: "UNAUTHENTICATED" })).toBe(1);
    expect(delta({ operation: "__none__", type: "none", outcome: "GRAPHQL_PARSE_FAILED" })).toBe(1);
    const count = (t: string) => value(t, "starling_graphql_request_duration_seconds_count", { operation: "TentRating", type: "query" });
    expect(count(after) - count(before)).toBe(3);
    expect(value(after, "starling_graphql_request_duration_seconds_bucket", { operation: "TentRating", le: "+Inf" })).toBe(count(after));
    const http = (t: string) => value(t, "starling_http_requests_total", { route: "graphql", status: "200" });
    expect(http(after) - http(before)).toBeGreaterThanOrEqual(5);
    const feed = await fetch(`${api.url}/shops/${api.shop.id}/feeds/google-product-reviews.xml`);
    await feed.text();
    expect(value((await scrape(api.url)).text, "starling_http_requests_total", { route: "review_feed", status: "200" })).toBe(1);
  });

  it("gives at most MAX_OPERATION_LABELS operation names a label; the rest are __other__", async () => {
    const names = Array.from({ length: MAX_OPERATION_LABELS + 20 }, (_, i) => `Attacker${i}`);
    for (const n of names) expect((await api.gql(RATING(n), { id: "tent" }, api.shop.publishableKey)).errors).toBeUndefined();
    const text = (await scrape(api.url)).text;
    const labels = labelValues(text, "starling_graphql_requests_total", "operation");
    const named = [...labels].filter((l) => !l.startsWith("__"));
    expect(named.length).toBe(MAX_OPERATION_LABELS);
    expect(labels.has("__other__")).toBe(true);
    expect(labelValues(text, "starling_graphql_request_duration_seconds_count", "operation").size).toBeLessThanOrEqual(
      MAX_OPERATION_LABELS + 4,
    );
    // Names already known keep counting under their own label.
    const before = value(text, "starling_graphql_requests_total", { operation: "TentRating", outcome: "OK" });
    await api.gql(RATING("TentRating"), { id: "tent" }, api.shop.publishableKey);
    expect(value((await scrape(api.url)).text, "starling_graphql_requests_total", { operation: "TentRating", outcome: "OK" })).toBe(
      before + 1,
    );
  });

  it("reports queue depths: the write batches, pending counts, and any queue a feature registers", async () => {
    const metrics = api.starling.deps.metrics;
    let depth = 7;
    metrics.registerQueueDepth("test_outbox", async () => depth);
    metrics.registerQueueDepth("broken_queue", () => {
      throw new Error("cannot count");
    });
    let text = (await scrape(api.url)).text;
    for (const q of ["review_writes", "product_reads", "summary_reads", "shop_summary_writes", "pending_counts"]) {
      expect(text, q).toMatch(new RegExp(`^starling_queue_depth\\{queue="${q}"\\} 0$`, "m"));
    }
    expect(value(text, "starling_queue_depth", { queue: "test_outbox" })).toBe(7);
    // A failing reader is left out of the scrape and counted, not a failed scrape.
    expect(text).not.toMatch(/starling_queue_depth\{queue="broken_queue"\}/);
    depth = 12;
    text = (await scrape(api.url)).text;
    // The error counter is written beside the gauge, so a scrape shows the failures of the ones before it.
    expect(value(text, "starling_queue_depth_read_errors_total", { queue: "broken_queue" })).toBeGreaterThanOrEqual(1);
    expect(value(text, "starling_queue_depth", { queue: "test_outbox" })).toBe(12);
    expect(() => metrics.registerQueueDepth("Bad Name", () => 0)).toThrow(/snake_case/);
  });

  it("reports the backlog of every durable lease queue a feature uses (deps.queue), by its name", async () => {
    const q = api.starling.deps.queue<{ n: number }>("test-jobs");
    await q.enqueue("job-1", { n: 1 });
    await q.enqueue("job-2", { n: 2 });
    expect(value((await scrape(api.url)).text, "starling_queue_depth", { queue: "test_jobs" })).toBe(2);
    const [job] = await q.claim(1);
    await q.complete(job!);
    expect(value((await scrape(api.url)).text, "starling_queue_depth", { queue: "test_jobs" })).toBe(1);
  });

  it("reports pending counts from the database as they are", async () => {
    const { models } = api;
    await models.PendingCount.collection.insertOne({ _id: "metrics-test-pending", at: new Date(0) } as never);
    try {
      expect(value((await scrape(api.url)).text, "starling_queue_depth", { queue: "pending_counts" })).toBeGreaterThanOrEqual(1);
    } finally {
      await models.PendingCount.collection.deleteOne({ _id: "metrics-test-pending" } as never);
    }
  });

  it("counts database errors by kind, and says whether the database is available", async () => {
    const text = (await scrape(api.url)).text;
    expect(text).toMatch(/^starling_database_available 1$/m);
    const m = new Metrics();
    const unavailable = Object.assign(new Error("connect ECONNREFUSED"), { name: "MongoServerSelectionError" });
    const other = Object.assign(new Error("bad"), { name: "MongoServerError" });
    m.databaseError(unavailable);
    m.databaseError(other);
    m.databaseError(new TypeError("not a database error"));
    const own = await m.text();
    expect(value(own, "starling_database_errors_total", { kind: "unavailable" })).toBe(1);
    expect(value(own, "starling_database_errors_total", { kind: "other" })).toBe(1);
  });
});

describe("metrics on their own port", () => {
  let api: TestApi;
  beforeAll(async () => {
    api = await startTestApi({ metrics: { enabled: true, token: undefined, port: 0, host: "127.0.0.1" } });
  });
  afterAll(() => api?.close());

  it("are served there without a token, and not on the public port at all", async () => {
    const metricsUrl = api.starling.metricsUrl!;
    expect(metricsUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(metricsUrl).not.toBe(api.url);
    expect((await scrape(api.url, null)).status).toBe(404);
    expect((await scrape(api.url, "anything")).status).toBe(404);
    await api.gql(RATING("OwnPort"), { id: "none" });
    const r = await scrape(metricsUrl, null);
    expect(r.status).toBe(200);
    expect(value(r.text, "starling_graphql_requests_total", { operation: "OwnPort", outcome: "OK" })).toBe(1);
    expect((await fetch(`${metricsUrl}/graphql`)).status).toBe(404);
  });
});
