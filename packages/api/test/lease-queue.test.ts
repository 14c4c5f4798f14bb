/**
 * The durable work queue against the real database: two "processes" (two
 * connections, two queue objects) share jobs, each job is claimed by one of
 * them, a dead claimer's job is taken over when its lease ends, and the worker
 * retries what fails.
 */
import mongoose from "mongoose";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { DueJobWatch, LeaseQueue, runLeaseWorker } from "../src/db/lease-queue.js";
import type { Models } from "../src/features/models.js";
import { openModels, uniqueDbName } from "./helpers.js";

const dbName = uniqueDbName("lease");
let a: Awaited<ReturnType<typeof openModels>>;
let b: Awaited<ReturnType<typeof openModels>>;

beforeAll(async () => {
  a = await openModels(dbName);
  b = await openModels(dbName);
});
afterAll(async () => {
  await a.models.LeaseJob.db.dropDatabase();
  await a.close();
  await b.close();
});

/** A clock a test moves by hand, so lease expiry needs no waiting. */
function clock(start = Date.parse("2026-12-01T00:00:00Z")) {
  let t = start;
  return { now: () => new Date(t), advance: (ms: number) => (t += ms) };
}

function queueOn(models: Models, name: string, owner: string, now: () => Date, leaseMs = 60_000) {
  return new LeaseQueue<{ n: number }>(models, name, { leaseMs, owner, now });
}

describe("LeaseQueue", () => {
  it("enqueue is idempotent on the job's id", async () => {
    const c = clock();
    const q = queueOn(a.models, "idem", "p1", c.now);
    expect(await q.enqueue("job-1", { n: 1 })).toBe(true);
    expect(await q.enqueue("job-1", { n: 2 })).toBe(false);
    const [job] = await q.claim(10);
    expect(job).toMatchObject({ id: "job-1", payload: { n: 1 }, attempts: 1 });
    expect(await q.depth()).toBe(1);
    await q.complete(job!);
    expect(await q.depth()).toBe(0);
    expect(await a.models.LeaseClaim.countDocuments({ _id: /^idem:/ })).toBe(0);
  });

  it("enqueueMany queues the new ids of a batch and leaves those already queued as they are", async () => {
    const c = clock();
    const q = queueOn(a.models, "many", "p1", c.now);
    expect(await q.enqueueMany([{ id: "j1", payload: { n: 1 } }])).toBe(1);
    expect(
      await q.enqueueMany([
        { id: "j0", payload: { n: 0 } },
        { id: "j1", payload: { n: 100 } },
        { id: "j2", payload: { n: 2 } },
      ]),
    ).toBe(2);
    const jobs = await q.claim(10);
    expect(jobs.map((j) => [j.id, j.payload.n]).sort()).toEqual([
      ["j0", 0],
      ["j1", 1],
      ["j2", 2],
    ]);
    await Promise.all(jobs.map((j) => q.complete(j)));
    expect(await q.depth()).toBe(0);
  });

  it("two processes claiming at once take each job exactly once", async () => {
    const c = clock();
    const p1 = queueOn(a.models, "race", "p1", c.now);
    const p2 = queueOn(b.models, "race", "p2", c.now);
    for (let i = 0; i < 30; i++) await p1.enqueue(`j${i}`, { n: i });
    const taken: string[] = [];
    // Both read the same candidates at the same epoch; only inserts decide.
    for (let round = 0; round < 10; round++) {
      const [x, y] = await Promise.all([p1.claim(5), p2.claim(5)]);
      taken.push(...x.map((j) => j.id), ...y.map((j) => j.id));
    }
    expect(taken.length).toBe(30);
    expect(new Set(taken).size).toBe(30);
  });

  it("a job whose claimer died is taken over when the lease ends, and the late claimer cannot complete it", async () => {
    const c = clock();
    const dead = queueOn(a.models, "takeover", "dead", c.now, 30_000);
    const alive = queueOn(b.models, "takeover", "alive", c.now, 30_000);
    await dead.enqueue("j", { n: 7 });
    const [held] = await dead.claim(1);
    expect(held).toBeDefined();
    expect(await alive.claim(1)).toEqual([]);
    c.advance(30_001);
    const [taken] = await alive.claim(1);
    expect(taken).toMatchObject({ id: "j", attempts: 2, epoch: 2 });
    // The first claimer wakes up and finishes: its completion is for an epoch that is gone.
    await dead.complete(held!);
    expect(await alive.depth()).toBe(1);
    await alive.complete(taken!);
    expect(await alive.depth()).toBe(0);
  });

  it("a claim from a read taken before the job was completed is not handed out (the completion dropped its claims)", async () => {
    const c = clock();
    const p1 = queueOn(a.models, "stale", "p1", c.now);
    const p2 = queueOn(b.models, "stale", "p2", c.now);
    await p1.enqueue("j", { n: 1 });
    // p2 reads the candidate at epoch 0, then stalls before its claim insert.
    const staleRead = await b.models.LeaseJob.find({ queue: "stale" }).lean();
    const [job] = await p1.claim(1);
    await p1.complete(job!);
    // Replay p2's stalled claim: its claim insert now succeeds (the completion dropped claim #1).
    const find = b.models.LeaseJob.find.bind(b.models.LeaseJob);
    (b.models.LeaseJob as any).find = () => ({ sort: () => ({ limit: () => ({ lean: async () => staleRead }) }) });
    try {
      expect(await p2.claim(1)).toEqual([]);
    } finally {
      (b.models.LeaseJob as any).find = find;
    }
    expect(await b.models.LeaseClaim.countDocuments({ _id: /^stale:/ })).toBe(0);
  });

  it("a claimer that dies mid-batch: what it completed is gone, the rest of its batch is taken over when the lease ends", async () => {
    const c = clock();
    const dead = queueOn(a.models, "midbatch", "dead", c.now, 30_000);
    const alive = queueOn(b.models, "midbatch", "alive", c.now, 30_000);
    for (let i = 0; i < 6; i++) await dead.enqueue(`j${i}`, { n: i });
    const held = await dead.claim(6);
    expect(held.map((j) => j.id).sort()).toEqual(["j0", "j1", "j2", "j3", "j4", "j5"]);
    await Promise.all(held.slice(0, 2).map((j) => dead.complete(j)));
    // Held by a live lease: nothing for another process yet.
    expect(await alive.claim(6)).toEqual([]);
    c.advance(30_001);
    const taken = await alive.claim(6);
    expect(taken.map((j) => j.id).sort()).toEqual(
      held
        .slice(2)
        .map((j) => j.id)
        .sort(),
    );
    for (const j of taken) expect(j).toMatchObject({ attempts: 2, epoch: 2 });
    // The dead claimer wakes up and completes its whole batch: only its own two were its to complete.
    await dead.completeMany(held);
    expect(await alive.depth()).toBe(4);
    await Promise.all(taken.map((j) => alive.complete(j)));
    expect(await alive.depth()).toBe(0);
    expect(await a.models.LeaseClaim.countDocuments({ _id: /^midbatch:/ })).toBe(0);
  });

  it("a batch claimed from a stale read hands out only the jobs still there at the epoch read", async () => {
    const c = clock();
    const p1 = queueOn(a.models, "stalebatch", "p1", c.now);
    const p2 = queueOn(b.models, "stalebatch", "p2", c.now);
    for (let i = 0; i < 4; i++) await p1.enqueue(`j${i}`, { n: i });
    const staleRead = await b.models.LeaseJob.find({ queue: "stalebatch" }).sort({ availableAt: 1, _id: 1 }).lean();
    // Meanwhile p1 claims two of them and completes one (dropping its claim, so p2's claim insert for it wins).
    const [first, second] = await p1.claim(2);
    await p1.complete(first!);
    const find = b.models.LeaseJob.find.bind(b.models.LeaseJob);
    (b.models.LeaseJob as any).find = () => ({ sort: () => ({ limit: () => ({ lean: async () => staleRead }) }) });
    let got: Awaited<ReturnType<typeof p2.claim>>;
    try {
      got = await p2.claim(4);
    } finally {
      (b.models.LeaseJob as any).find = find;
    }
    // The completed job is not handed out again, p1's live claim is not taken, the two untouched ones are p2's.
    const rest = ["j0", "j1", "j2", "j3"].filter((id) => id !== first!.id && id !== second!.id);
    expect(got.map((j) => j.id).sort()).toEqual(rest);
    expect(await b.models.LeaseClaim.countDocuments({ _id: `stalebatch:${first!.id}#1` })).toBe(0);
    await Promise.all([...got.map((j) => p2.complete(j)), p1.complete(second!)]);
    expect(await p1.depth()).toBe(0);
    expect(await a.models.LeaseClaim.countDocuments({ _id: /^stalebatch:/ })).toBe(0);
  });

  it("a claim reads its own queue's due jobs by the `due` index, past another queue's backlog", async () => {
    const c = clock();
    const backlog = queueOn(a.models, "backlog", "p1", c.now);
    const q = queueOn(a.models, "indexed", "p1", c.now);
    await backlog.enqueueMany(Array.from({ length: 50 }, (_, i) => ({ id: `b${i}`, payload: { n: i } })));
    await q.enqueue("later", { n: 2 }, new Date(c.now().getTime() + 1_000));
    await q.enqueue("now", { n: 1 });
    const sent: { filter: object; options: { sort?: object; limit?: number } }[] = [];
    mongoose.set("debug", (collection: string, method: string, filter: object, options: object) => {
      if (method === "find" && collection === "lease_jobs") sent.push({ filter, options: options as never });
    });
    let jobs: Awaited<ReturnType<typeof q.claim>>;
    try {
      jobs = await q.claim(10);
    } finally {
      mongoose.set("debug", false);
    }
    expect(jobs.map((j) => j.id)).toEqual(["now"]);
    // The candidates' read (the other is the queue's one-time backfill, below).
    const reads = sent.filter((q) => q.options.sort);
    expect(reads).toHaveLength(1);
    const plan = await a.models.LeaseJob.collection
      .find(reads[0]!.filter as never, { sort: reads[0]!.options.sort as never, limit: reads[0]!.options.limit })
      .explain();
    const text = JSON.stringify(plan.queryPlanner);
    if (inject("backend") === "ferretdb") {
      // SQLite walks the due index from the queue's first due job: no scan of the collection, no sort of its own.
      expect(text).toMatch(/SEARCH \S+ USING INDEX \S+_due/);
      expect(text).not.toMatch(/\bSCAN\b|TEMP B-TREE/);
    } else {
      expect(text).toMatch(/"due"/);
      expect(text).not.toMatch(/COLLSCAN|"stage":"SORT"/);
    }
    await q.complete(jobs[0]!);
  });

  it("a job queued before `due` existed is claimed all the same (backfilled at the queue's first claim)", async () => {
    const c = clock();
    const at = c.now();
    await a.models.LeaseJob.collection.insertOne({
      _id: "olddue:j",
      queue: "olddue",
      payload: { n: 1 },
      availableAt: at,
      epoch: 0,
      owner: null,
      leaseUntil: null,
      attempts: 0,
      lastError: null,
      createdAt: at,
    } as never);
    const q = queueOn(b.models, "olddue", "p2", c.now);
    const [job] = await q.claim(5);
    expect(job).toMatchObject({ id: "j", payload: { n: 1 }, attempts: 1 });
    await q.complete(job!);
    expect(await q.depth()).toBe(0);
  });

  it("a job retried later is not claimed before its time", async () => {
    const c = clock();
    const q = queueOn(a.models, "later", "p1", c.now);
    await q.enqueue("j", { n: 1 });
    const [job] = await q.claim(1);
    await q.retryLater(job!, new Date(c.now().getTime() + 5_000), "receiver answered 500");
    expect(await q.claim(1)).toEqual([]);
    c.advance(5_001);
    const [again] = await q.claim(1);
    expect(again).toMatchObject({ id: "j", attempts: 2, lastError: "receiver answered 500" });
  });

  it("the worker runs every job and backs off one that throws", async () => {
    const q = new LeaseQueue<{ n: number }>(a.models, "worker", { leaseMs: 60_000, owner: "w" });
    for (let i = 0; i < 12; i++) await q.enqueue(`j${i}`, { n: i });
    const done: number[] = [];
    const errors: unknown[] = [];
    const worker = runLeaseWorker(
      q,
      async (job) => {
        if (job.payload.n === 3) throw new Error("boom");
        done.push(job.payload.n);
        await q.complete(job);
      },
      { batch: 5, idleMs: 20, onError: (e) => errors.push(e) },
    );
    try {
      await expect.poll(() => done.length, { timeout: 30_000 }).toBe(11);
      await expect.poll(() => errors.length, { timeout: 30_000 }).toBe(1);
      const failed = await a.models.LeaseJob.findById("worker:j3").lean();
      expect(failed).toMatchObject({ attempts: 1, lastError: "boom", leaseUntil: null });
      // Backed off about a minute: not due now.
      expect(failed!.availableAt.getTime()).toBeGreaterThan(Date.now() + 30_000);
    } finally {
      await worker.stop();
    }
    expect(done.sort((x, y) => x - y)).toEqual([0, 1, 2, 4, 5, 6, 7, 8, 9, 10, 11]);
  });

  it("a round whose wait before it outlasts the database claims nothing, and claims once the database is back", async () => {
    const q = new LeaseQueue<{ n: number }>(a.models, "waitdown", { leaseMs: 60_000, owner: "w" });
    await q.enqueue("j", { n: 1 });
    let claims = 0;
    const claim = q.claim.bind(q);
    q.claim = (limit) => {
      claims++;
      return claim(limit);
    };
    let up = true;
    let rounds = 0;
    let looksWhileDown = 0;
    const done: number[] = [];
    const worker = runLeaseWorker(
      q,
      async (job) => {
        done.push(job.payload.n);
        await q.complete(job);
      },
      {
        batch: 5,
        idleMs: 20,
        // The database goes down while the round waits (as the insights worker waits for quiet writes).
        beforeRound: async () => {
          if (++rounds === 1) up = false;
        },
        available: () => {
          if (!up) looksWhileDown++;
          return up;
        },
      },
    );
    try {
      await expect.poll(() => looksWhileDown, { timeout: 30_000 }).toBeGreaterThanOrEqual(3);
      expect(claims).toBe(0);
      expect(await q.depth()).toBe(1);
      // Back: the next look claims.
      up = true;
      await expect.poll(() => done, { timeout: 30_000 }).toEqual([1]);
    } finally {
      await worker.stop();
    }
  });
});

describe("DueJobWatch", () => {
  it("looks for due jobs once for all idle workers, and wakes only the worker whose queue has one, whoever queued it", async () => {
    const names = ["watch-a", "watch-b"] as const;
    const queues = names.map((name) => new LeaseQueue<{ n: number }>(a.models, name, { leaseMs: 60_000, owner: `w-${name}` }));
    const claims: Record<string, number> = { "watch-a": 0, "watch-b": 0 };
    for (const q of queues) {
      const claim = q.claim.bind(q);
      q.claim = (limit) => {
        claims[q.name]!++;
        return claim(limit);
      };
    }
    const watch = new DueJobWatch(a.models.LeaseJob, { intervalMs: 20 });
    const done: string[] = [];
    const workers = queues.map((q) =>
      runLeaseWorker(
        q,
        async (job) => {
          done.push(`${q.name}/${job.id}`);
          await q.complete(job);
        },
        { batch: 5, idleMs: 20, watch },
      ),
    );
    try {
      // Idle: the watch looks again and again; each worker claimed once, when it started.
      await expect.poll(() => watch.looks, { timeout: 30_000 }).toBeGreaterThanOrEqual(5);
      expect(claims).toEqual({ "watch-a": 1, "watch-b": 1 });
      // Queued by another process (its own connection and queue object): found by this one's watch.
      await new LeaseQueue<{ n: number }>(b.models, "watch-b", { leaseMs: 60_000, owner: "elsewhere" }).enqueue("j1", { n: 1 });
      await expect.poll(() => done, { timeout: 30_000 }).toEqual(["watch-b/j1"]);
      expect(claims["watch-a"]).toBe(1);
      // A job due later is found once it is due.
      await queues[0]!.enqueue("later", { n: 2 }, new Date(Date.now() + 200));
      await expect.poll(() => done, { timeout: 30_000 }).toEqual(["watch-b/j1", "watch-a/later"]);
    } finally {
      await Promise.all(workers.map((w) => w.stop()));
      await watch.stop();
    }
  });
});

describe("recordEvent", () => {
  it("records an occurrence once, however often its write is retried", async () => {
    const { recordEvent, eventQueue } = await import("../src/features/events/events.js");
    const at = new Date("2026-12-01T10:00:00Z");
    for (let i = 0; i < 3; i++) {
      await recordEvent(a.deps, "review.created:r1", { type: "review.created", shopId: "s1", data: { reviewId: "r1" }, at });
    }
    const jobs = await eventQueue(a.deps).claim(10);
    expect(jobs.map((j) => [j.id, j.payload])).toEqual([
      ["review.created:r1", { type: "review.created", shopId: "s1", at: "2026-12-01T10:00:00.000Z", data: { reviewId: "r1" } }],
    ]);
  });
});

describe("a round of the webhook fan-out", () => {
  it("reads its shops' endpoints once, queues deliveries for what an endpoint subscribed to, and completes the rest together", async () => {
    const { recordEvent, eventQueue } = await import("../src/features/events/events.js");
    const { fanOutEvents, deliveryQueue } = await import("../src/features/webhooks/delivery.js");
    const now = new Date();
    await a.models.WebhookEndpoint.collection.insertOne({
      _id: "we_round",
      shopId: "s-hooks",
      url: "https://receiver.example/hooks",
      events: ["rating.changed"],
      description: null,
      enabled: true,
      disabledReason: null,
      disabledAt: null,
      secrets: [{ secret: "whsec_dGVzdA==", createdAt: now, expiresAt: null }],
      createdAt: now,
      updatedAt: now,
    } as never);
    const data = { productId: "tent", rating: 4.5, previousRating: null, reviewCount: 1 };
    await recordEvent(a.deps, "round:heard", { type: "rating.changed", shopId: "s-hooks", data });
    await recordEvent(a.deps, "round:unsubscribed", { type: "question.created", shopId: "s-hooks", data: { questionId: "q1" } });
    await recordEvent(a.deps, "round:no-endpoint", { type: "rating.changed", shopId: "s-quiet", data });
    const jobs = (await eventQueue(a.deps).claim(10)).filter((j) => j.id.startsWith("round:"));
    expect(jobs).toHaveLength(3);
    expect(await fanOutEvents(a.deps, jobs)).toEqual(new Map());
    expect(await a.models.LeaseJob.countDocuments({ _id: /^events:round:/ })).toBe(0);
    expect(await a.models.LeaseClaim.countDocuments({ _id: /^events:round:/ })).toBe(0);
    const deliveries = await a.models.LeaseJob.find({ queue: deliveryQueue(a.deps).name, "payload.endpointId": "we_round" }).lean();
    expect(deliveries.map((d) => d._id)).toEqual(["webhook_deliveries:round:heard:we_round"]);
  });
});
