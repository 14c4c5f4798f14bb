/**
 * Webhooks with real API processes on one database: each event is delivered
 * once with two processes sharing the work, and a review acknowledged just
 * before `kill -9` still gets its review.created delivered (by the process
 * started after it, once the dead one's leases end).
 */
import http from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, describe, expect, inject, it } from "vitest";
import { SUBMIT, gql, openModels, review, seedShop, spawnCli, uniqueDbName } from "./helpers.js";
import { configureWebhooks, createWebhookEndpoint } from "../src/features/webhooks/endpoints.js";
import { DELIVERIES_QUEUE } from "../src/features/webhooks/delivery.js";

const cleanups: (() => Promise<unknown>)[] = [];
afterAll(async () => {
  for (const c of cleanups.reverse()) await c();
});

/** Records what it accepts (204); while `refusing`, answers 503 and records nothing. */
async function receiver() {
  const received: { id: string; type: string; reviewId: string }[] = [];
  const state = { refusing: false };
  const server = http.createServer((req, res) => {
    let body = "";
    req.on("data", (c: Buffer) => (body += c.toString()));
    req.on("end", () => {
      if (state.refusing) return res.writeHead(503).end();
      const json = JSON.parse(body);
      received.push({ id: String(req.headers["webhook-id"]), type: json.type, reviewId: json.data.reviewId });
      res.writeHead(204).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  cleanups.push(() => new Promise<void>((resolve) => (server.closeAllConnections(), server.close(() => resolve()))));
  return { received, state, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook` };
}

/** A shop, its product "tent" and an endpoint for review.created, in a fresh database. */
async function setup(label: string, url: string) {
  const dbName = uniqueDbName(label);
  const { shopId, key } = await seedShop(inject("mongoUri"), dbName);
  const db = await openModels(dbName);
  cleanups.push(async () => {
    await db.models.LeaseJob.db.dropDatabase();
    await db.close();
  });
  configureWebhooks(db.deps, { allowPrivate: true });
  await createWebhookEndpoint(db.deps, shopId, { url, events: ["review.created"] });
  return { dbName, key, db };
}

function serve(dbName: string, env: Record<string, string> = {}) {
  const api = spawnCli(["serve"], {
    MONGODB_URI: inject("mongoUri"),
    STARLING_DB_NAME: dbName,
    PORT: "0",
    STARLING_WEBHOOKS_ALLOW_PRIVATE: "1",
    LOG_LEVEL: "warn",
    ...env,
  });
  cleanups.push(async () => api.child.kill("SIGKILL"));
  return api;
}

describe("webhooks across API processes", () => {
  it("delivers each event once when two API processes share the queues", async () => {
    const rx = await receiver();
    const { dbName, key, db } = await setup("wh2", rx.url);
    const a = serve(dbName);
    const b = serve(dbName);
    const urls = await Promise.all([a, b].map(async (p) => (await p.line(/^listening (\S+)/))[1]!));
    const ids: string[] = [];
    // Sent to both, several at a time: each process records events and both claim them.
    for (let i = 0; i < 30; i += 6) {
      const batch = await Promise.all(
        Array.from({ length: 6 }, (_, j) =>
          gql<any>(urls[(i + j) % 2]!, SUBMIT, { input: review("tent", 1 + ((i + j) % 5), { idempotencyKey: `two-${i + j}` }) }, key),
        ),
      );
      for (const r of batch) {
        expect(r.errors).toBeUndefined();
        ids.push(r.data.submitReview.review.id);
      }
    }
    await expect.poll(() => new Set(rx.received.map((r) => r.reviewId)).size, { timeout: 90_000, interval: 100 }).toBe(30);
    // Nothing left to send: every event fanned out, every delivery completed.
    await expect
      .poll(async () => db.models.LeaseJob.countDocuments({ queue: { $in: ["events", DELIVERIES_QUEUE] } }), {
        timeout: 60_000,
        interval: 100,
      })
      .toBe(0);
    expect(rx.received.length).toBe(30);
    expect(new Set(rx.received.map((r) => r.id)).size).toBe(30);
    expect(new Set(rx.received.map((r) => r.reviewId))).toEqual(new Set(ids));
    // Each delivery went out once, from whichever process claimed it.
    expect(await db.models.WebhookAttempt.countDocuments({})).toBe(30);
  }, 180_000);

  it("loses no review.created of a review acknowledged just before kill -9", async () => {
    const rx = await receiver();
    // Nothing is accepted from the first process: what arrives later can only come from what it left in the database.
    rx.state.refusing = true;
    const { dbName, key, db } = await setup("whkill", rx.url);
    // Refused attempts are retried every 2 s, not on the real schedule: on a
    // slow machine the first process lives long enough to fail twice, and the
    // real schedule's third wait (5 min) would outlast this test.
    const retryEvery2s = { STARLING_WEBHOOKS_RETRY_SCHEDULE_MS: Array(50).fill(2000).join(",") };
    const first = serve(dbName, retryEvery2s);
    const url = (await first.line(/^listening (\S+)/))[1]!;
    const acknowledged: string[] = [];
    // Reviews one after another; the process dies right after the fifth answer.
    for (let i = 0; i < 5; i++) {
      const r = await gql<any>(url, SUBMIT, { input: review("tent", 5, { idempotencyKey: `kill-${i}` }) }, key);
      expect(r.errors).toBeUndefined();
      acknowledged.push(r.data.submitReview.review.id);
    }
    first.child.kill("SIGKILL");
    await first.exited;
    rx.state.refusing = false;
    // Another process takes the work over (at once for what the dead one had
    // not claimed, after the lease for what it had).
    const second = serve(dbName, retryEvery2s);
    await second.line(/^listening (\S+)/);
    // The dead process's claims wait out their lease (a minute), and a job
    // whose handler threw waits its backoff (a minute, doubling): generous on a
    // busy machine, and a failure says where each job stood.
    try {
      await expect
        .poll(() => acknowledged.filter((id) => rx.received.some((r) => r.type === "review.created" && r.reviewId === id)).length, {
          timeout: 400_000,
          interval: 200,
        })
        .toBe(5);
    } catch (error) {
      const jobs = await db.models.LeaseJob.find({}, { queue: 1, attempts: 1, availableAt: 1, leaseUntil: 1, lastError: 1 }).lean();
      throw new Error(`${(error as Error).message}\njobs left: ${JSON.stringify(jobs)}\nsecond process: ${second.stderr().slice(-2_000)}`);
    }
  }, 480_000);
});
