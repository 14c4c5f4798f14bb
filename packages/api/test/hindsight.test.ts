/**
 * The hindsight sweep (features/scoring/hindsight.ts): the batch re-score run
 * live, beside the writes, where hindsight knows more than the write path: a
 * proven newcomer's flag is lifted, a group's first product discounted, and
 * one-off accounts keep their write-time weight; the summaries stay exactly what
 * a rebuild gives; arrivals and write-time re-weights that race a sweep keep
 * their scores; one process sweeps a shop at a time, and a quiet shop not again.
 */
import { setImmediate as nextTurn } from "node:timers/promises";
import { threadId } from "node:worker_threads";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { submitReview } from "../src/features/reviews/reviews.js";
import { putProduct } from "../src/features/products/products.js";
import { createShop } from "../src/features/shops/shops.js";
import { recomputeSummaries, reweightCountedReviews } from "../src/features/ratings/ratings.js";
import { replayShopHistory, runningReplayThread, scoringLockKeys, storedScore, timelineOf } from "../src/features/scoring/scoring.js";
import { scoreReplay } from "../src/features/scoring/replay-scoring.js";
import { withPageKeys } from "../src/features/reviews/review-pages.js";
import {
  configureHindsight,
  hindsightQueue,
  startHindsightWorker,
  sweepShopHindsight,
  type SweepReport,
} from "../src/features/scoring/hindsight.js";
import type { Deps } from "../src/features/deps.js";
import type { ReviewDoc } from "../src/features/reviews/model.js";
import { openModels, startTestApi, uniqueDbName, until, type TestApi } from "./helpers.js";

const DAY = 86_400_000;
let api: TestApi;

beforeAll(async () => {
  api = await startTestApi();
});
afterAll(() => api?.close());

/**
 * A shop's 160 days: 15 ordinary customers, each writing 4 reviews of 6
 * products (3–5★), and, from day 100, a slow campaign on "target": 10 new
 * accounts, one 5★ review every 3 days, none of which ever writes again.
 */
async function seedCampaign(deps: Deps, shopId: string): Promise<{ campaign: string[]; ordinary: string[] }> {
  const products = ["target", "p1", "p2", "p3", "p4", "p5"];
  for (const id of products) await putProduct(deps, shopId, { id, name: id });
  const start = Date.now() - 160 * DAY;
  const events: { at: number; productId: string; rating: number; reviewer: string; campaign: boolean }[] = [];
  for (let c = 0; c < 15; c++) {
    for (let k = 0; k < 4; k++) {
      events.push({
        at: start + (c * 9 + k * 37) * 0.9 * DAY + c * 3_600_000,
        productId: products[(c + k * 2) % products.length]!,
        rating: 3 + ((c + k) % 3),
        reviewer: `customer-${c}`,
        campaign: false,
      });
    }
  }
  for (let m = 0; m < 10; m++) {
    events.push({ at: start + (100 + 3 * m) * DAY + 7_200_000, productId: "target", rating: 5, reviewer: `campaign-${m}`, campaign: true });
  }
  events.sort((a, b) => a.at - b.at);
  const campaign: string[] = [];
  const ordinary: string[] = [];
  for (const [i, e] of events.entries()) {
    const { review } = await submitReview({ ...deps, now: () => new Date(e.at) }, shopId, {
      productId: e.productId,
      rating: e.rating,
      title: `Review ${i} of ${e.productId}`,
      body: `Writer ${e.reviewer} on ${e.productId}, number ${i}: ${"detail ".repeat(1 + (i % 7))}${i * 31}.`,
      reviewer: { name: e.reviewer, externalId: e.reviewer },
      idempotencyKey: `${shopId}-${i}`,
    });
    (e.campaign ? campaign : ordinary).push(review.id);
  }
  return { campaign, ordinary };
}

const weightsOf = async (deps: Deps, ids: readonly string[]) => {
  const docs = await deps.models.Review.find({ _id: { $in: [...ids] } }).lean<ReviewDoc[]>();
  return new Map(docs.map((d) => [d._id, d.score!.trustWeightBp]));
};
const scoringStates = async (deps: Deps, shopId: string) =>
  (await deps.models.ScoringState.collection.find({ _id: { $regex: `^(product|reviewer):${shopId}:` } } as never).toArray()).sort((a, b) =>
    String(a._id) < String(b._id) ? -1 : 1,
  );

/**
 * Where hindsight knows more than the write path, on top of seedCampaign's shop: a newcomer
 * whose first review, a 1★ complaint on "p3", is flagged at write time and who then writes
 * eight ordinary reviews; and four accounts giving 5★ to "g0", "g1", "g2" two days apart, a
 * co-review group the write path finds from its second or third product on, hindsight on the first too.
 */
async function seedHindsight(deps: Deps, shopId: string): Promise<{ complaint: string; groupFirst: string[] }> {
  for (const id of ["g0", "g1", "g2", "q0", "q1", "q2", "q3", "q4", "q5", "q6", "q7"]) await putProduct(deps, shopId, { id, name: id });
  const start = Date.now() - 160 * DAY;
  const submit = async (at: number, productId: string, rating: number, reviewer: string, key: string) =>
    (
      await submitReview({ ...deps, now: () => new Date(at) }, shopId, {
        productId,
        rating,
        title: `${reviewer} on ${productId}`,
        body: `What ${reviewer} thought of ${productId}: ${"words ".repeat(3 + (key.length % 5))}${key}.`,
        reviewer: { name: reviewer, externalId: reviewer },
        idempotencyKey: `${shopId}-${key}`,
      })
    ).review.id;
  const complaint = await submit(start + 20 * DAY, "p3", 1, "newcomer", "first");
  for (let i = 0; i < 8; i++) await submit(start + (35 + 12 * i) * DAY, `q${i}`, [3, 4, 4, 3, 4, 5, 4, 3][i]!, "newcomer", `later${i}`);
  const groupFirst: string[] = [];
  for (let p = 0; p < 3; p++)
    for (let a = 0; a < 4; a++) {
      const id = await submit(start + (130 + 2 * p) * DAY + a * 3_600_000, `g${p}`, 5, `booster-${a}`, `group${p}-${a}`);
      if (p === 0) groupFirst.push(id);
    }
  return { complaint, groupFirst };
}

const reasonCodes = async (deps: Deps, id: string) =>
  ((await deps.models.Review.findById(id).lean<ReviewDoc>())!.score!.reasons as { code: string }[]).map((r) => r.code);

describe("a sweep", () => {
  it("lifts a proven newcomer's flag and discounts a group's first product, leaves one-off accounts and the live states alone; summaries equal a rebuild", async () => {
    const deps = api.starling.deps;
    const shop = await api.newShop("Hindsight");
    const { campaign, ordinary } = await seedCampaign(deps, shop.id);
    const { complaint, groupFirst } = await seedHindsight(deps, shop.id);
    const before = await weightsOf(deps, [...campaign, complaint, ...groupFirst]);
    for (const id of groupFirst) expect(await reasonCodes(deps, id)).not.toContain("co_review");
    const states = await scoringStates(deps, shop.id);

    const report = await sweepShopHindsight(deps, shop.id);
    expect(report.reviews).toBe(campaign.length + ordinary.length + 9 + 12);
    expect(report.applied).toBe(report.changed);
    expect(report.applied).toBeGreaterThan(0);

    const after = await weightsOf(deps, [...campaign, complaint, ...groupFirst]);
    // The slow campaign's one-off accounts: hindsight about an account alone discounts nobody live.
    for (const id of campaign) expect(after.get(id)).toBe(before.get(id));
    // The newcomer's complaint, flagged at write time, gets its weight back: its author proved real.
    expect(before.get(complaint)!).toBeLessThan(8_000);
    expect(after.get(complaint)!).toBeGreaterThan(before.get(complaint)! + 1_000);
    expect((await deps.models.Review.findById(complaint).lean<ReviewDoc>())!.score!.by).toBe("batch");
    // The group's first product, which the write path could not yet tie to the group, is discounted.
    for (const id of groupFirst) {
      expect(after.get(id)!).toBeLessThan(before.get(id)!);
      expect(after.get(id)!).toBeLessThanOrEqual(5_000);
      expect(await reasonCodes(deps, id)).toContain("co_review");
    }
    // The write path's states stay the truth for arrivals: the sweep saves none of its replay's.
    expect(await scoringStates(deps, shop.id)).toEqual(states);
    // The product's and the shop's summaries moved with the weights: a rebuild finds nothing to repair.
    expect((await recomputeSummaries(deps, { shopId: shop.id })).repaired).toEqual([]);
    const mark = await deps.models.HindsightSweep.findById(shop.id).lean();
    expect(mark).toMatchObject({ reviews: report.reviews, applied: report.applied });

    // A second sweep finds the scores it stored unchanged.
    const again = await sweepShopHindsight(deps, shop.id);
    expect(again.changed).toBe(0);

    // A restarted process (its memory empty) queues the shop again, due at once: the API's own worker
    // finds the shop swept less than an interval ago and puts the job back until then, sweeping nothing.
    const jobId = `hindsight:${shop.id}`;
    await deps.models.LeaseJob.deleteOne({ _id: jobId });
    expect(await hindsightQueue(deps).enqueue(shop.id, { shopId: shop.id })).toBe(true);
    const nextDue = again.sweptAt.getTime() + 86_400_000;
    expect(await until(async () => (await deps.models.LeaseJob.findById(jobId).lean())?.availableAt.getTime() === nextDue, 30_000)).toBe(
      true,
    );
    expect((await deps.models.HindsightSweep.findById(shop.id).lean())!.sweptAt.getTime()).toBe(again.sweptAt.getTime());
  }, 120_000);

  it("leaves a review that arrives between its snapshot and its apply with its write-time score, and keeps its arrival in the states", async () => {
    const deps = api.starling.deps;
    const shop = await api.newShop("Arrival during a sweep");
    await seedCampaign(deps, shop.id);
    let arrived: ReviewDoc | null = null;
    const report = await sweepShopHindsight(deps, shop.id, {
      afterSnapshot: async () => {
        const { review } = await submitReview(deps, shop.id, {
          productId: "target",
          rating: 5,
          title: "Arrived during the sweep",
          body: "A new account's five stars, stored while the sweep had its snapshot in hand.",
          reviewer: { name: "Late", externalId: "late-arrival" },
          idempotencyKey: `${shop.id}-late`,
        });
        arrived = await deps.models.Review.findById(review.id).lean<ReviewDoc>();
      },
    });
    expect(report.applied).toBeGreaterThan(0);
    const late = arrived as ReviewDoc | null;
    expect(late?.score?.by).toBe("write");
    const now = await deps.models.Review.findById(late!._id).lean<ReviewDoc>();
    expect(now!.score).toEqual(late!.score);
    const product = await deps.models.ScoringState.collection.findOne({ _id: `product:${shop.id}:target` } as never);
    const { unpackState } = await import("../src/features/scoring/scoring.js");
    const recent = (unpackState(product!.state) as { arrival: { recent: { reviewId: string }[] } }).arrival.recent;
    expect(recent.map((a) => a.reviewId)).toContain(late!._id);
    expect((await recomputeSummaries(deps, { shopId: shop.id })).repaired).toEqual([]);
    // Not read by this sweep, so the shop counts as reviewed since: the next one will read it.
    const mark = await deps.models.HindsightSweep.findById(shop.id).lean();
    expect(mark!.recent).not.toContain(late!._id);
  }, 120_000);

  it("does not overwrite a score re-weighted after its snapshot (a burst flagged at write time), and the summaries stay exact", async () => {
    const deps = api.starling.deps;
    const shop = await api.newShop("Re-weight during a sweep");
    await seedCampaign(deps, shop.id);
    const { complaint: target } = await seedHindsight(deps, shop.id);
    let reweighted: ReviewDoc["score"] = null;
    const report = await sweepShopHindsight(deps, shop.id, {
      afterSnapshot: async () => {
        // What scoreArrivals' commit does for a burst it flags: the new score stored and the summaries moved, under the locks.
        const read = (await deps.models.Review.findById(target).lean<ReviewDoc>())!;
        await deps.summaryLock.runAll(scoringLockKeys([read]), async () => {
          const next = storedScore(0.42, 4_321, [], "write");
          await deps.models.Review.updateOne({ _id: target }, { $set: { score: next } });
          await reweightCountedReviews(deps, [{ review: read, before: read.score, after: next }]);
          reweighted = next;
        });
      },
    });
    // The sweep would have changed it (the proven newcomer's complaint is restored: see the first test), and skipped it.
    expect(report.applied).toBe(report.changed - 1);
    const now = await deps.models.Review.findById(target).lean<ReviewDoc>();
    expect(now!.score).toEqual(reweighted);
    expect((await recomputeSummaries(deps, { shopId: shop.id })).repaired).toEqual([]);
  }, 120_000);
});

describe("the write path", () => {
  it("queues a shop's sweep once per interval from a process, not once per review, due an interval later", async () => {
    const deps = api.starling.deps;
    const queue = hindsightQueue(deps);
    const enqueue = queue.enqueue.bind(queue);
    let calls = 0;
    queue.enqueue = (...args) => {
      calls++;
      return enqueue(...args);
    };
    try {
      const shop = await api.newShop("Noted once");
      await putProduct(deps, shop.id, { id: "kettle", name: "Kettle" });
      const t0 = Date.now();
      for (let i = 0; i < 5; i++) {
        await submitReview(deps, shop.id, {
          productId: "kettle",
          rating: 4,
          title: `Kettle ${i}`,
          body: `Boils water, review ${i}.`,
          reviewer: { name: `K${i}`, externalId: `kettle-${i}` },
          idempotencyKey: `noted-${i}`,
        });
      }
      expect(calls).toBe(1);
      expect(await until(async () => (await deps.models.LeaseJob.findById(`hindsight:${shop.id}`).lean()) !== null, 10_000)).toBe(true);
      const job = (await deps.models.LeaseJob.findById(`hindsight:${shop.id}`).lean())!;
      expect(job.availableAt.getTime()).toBeGreaterThanOrEqual(t0 + 86_400_000);
    } finally {
      queue.enqueue = enqueue;
    }
  });
});

describe("the sweep workers", () => {
  it("of two processes sweep a shop once, not again while it takes no review, and again after one", async () => {
    const dbName = uniqueDbName("hindsight");
    const a = await openModels(dbName);
    const b = await openModels(dbName);
    const sweeps: { by: string; report: SweepReport }[] = [];
    const errors: unknown[] = [];
    const workers = [a, b].map((p, i) => {
      configureHindsight(p.deps, { intervalMs: 1_500 });
      return startHindsightWorker(p.deps, {
        idleMs: 50,
        onSweep: (report) => sweeps.push({ by: i === 0 ? "a" : "b", report }),
        onError: (error) => errors.push(error),
      });
    });
    try {
      const { shop } = await createShop(a.deps, { name: "Two processes" });
      await putProduct(a.deps, shop.id, { id: "tent", name: "Tent" });
      for (let i = 0; i < 4; i++) {
        await submitReview({ ...a.deps, now: () => new Date(Date.now() - (10 - i) * DAY) }, shop.id, {
          productId: "tent",
          rating: 3 + (i % 3),
          title: `Tent ${i}`,
          body: `Kept us dry, night ${i}.`,
          reviewer: { name: `T${i}`, externalId: `tent-${i}` },
          idempotencyKey: `tent-${i}`,
        });
      }
      // The write path queued it, due an interval later; both processes' workers look for it every 50 ms.
      expect(await until(() => sweeps.length > 0, 30_000)).toBe(true);
      const first = sweeps[0]!.report;
      // Due again an interval after the sweep, the job finds no review since and leaves the queue unswept.
      expect(await until(async () => (await a.models.LeaseJob.findById(`hindsight:${shop.id}`).lean()) === null, 30_000)).toBe(true);
      expect(sweeps).toHaveLength(1);
      const mark = await a.models.HindsightSweep.findById(shop.id).lean();
      expect(mark!.sweptAt.getTime()).toBe(first.sweptAt.getTime());

      // A review now (b's first note of the shop) queues it again, and it is swept once more.
      await submitReview(b.deps, shop.id, {
        productId: "tent",
        rating: 5,
        title: "Tent again",
        body: "Still dry after a storm.",
        reviewer: { name: "T0", externalId: "tent-0" },
        idempotencyKey: "tent-again",
      });
      expect(await until(() => sweeps.length === 2, 30_000)).toBe(true);
      expect(sweeps[1]!.report.reviews).toBe(5);
      expect(await until(async () => (await a.models.LeaseJob.findById(`hindsight:${shop.id}`).lean()) === null, 30_000)).toBe(true);
      expect(sweeps).toHaveLength(2);
      expect(errors).toEqual([]);
    } finally {
      await Promise.all(workers.map((w) => w.stop()));
      await a.models.LeaseJob.db.dropDatabase();
      await a.close();
      await b.close();
    }
  }, 120_000);
});

/** `count` published reviews of one shop stored as they are (no write path: seconds, not minutes), a year of them over 20 products. */
async function storeMany(deps: Deps, shopId: string, count: number): Promise<void> {
  for (let p = 0; p < 20; p++) await putProduct(deps, shopId, { id: `m${p}`, name: `m${p}` });
  const start = Date.now() - 365 * DAY;
  const docs = Array.from({ length: count }, (_, n) => {
    const reviewer = n % 5 < 3 ? `regular-${n % 97}` : `once-${n}`;
    return withPageKeys<ReviewDoc>({
      _id: `rev_many_${shopId}_${String(n).padStart(6, "0")}`,
      shopId,
      productId: `m${(n * 7) % 20}`,
      rating: [5, 4, 5, 3, 1, 4, 2, 5][n % 8]!,
      title: `Review ${n}`,
      body: `Reviewer ${reviewer} on product m${(n * 7) % 20}: ${"sturdy light warm dry ".repeat(1 + (n % 4))}${n * 13}.`,
      reviewer: { name: reviewer, externalId: reviewer },
      createdAt: new Date(start + Math.floor((n / count) * 365 * DAY)),
      language: null,
      provenance: "ORGANIC",
      source: "api",
      verification: null,
      payloadHash: `many-${n}`,
      status: "published",
      reply: null,
      score: null,
      signature: null,
      summaryApplied: false,
    } as ReviewDoc);
  });
  for (let i = 0; i < docs.length; i += 500) await deps.models.Review.collection.insertMany(docs.slice(i, i + 500) as never[]);
}

/**
 * Waits until the process's replay thread has a replay in hand, looking at every turn of the event
 * loop (not every 50 ms as `until` does: a fast machine scores a test's shop in less).
 */
async function replayScoring(deps: Deps, timeoutMs: number): Promise<boolean> {
  const end = Date.now() + timeoutMs;
  const scoring = () => (runningReplayThread(deps)?.running[0]?.pending ?? 0) > 0;
  while (!scoring()) {
    if (Date.now() > end) return false;
    await nextTurn();
  }
  return true;
}

describe("the replay's scoring", () => {
  it("runs on a thread of its own while the event loop takes turns, and scores as the scorer does on this thread", async () => {
    const deps = api.starling.deps;
    const shop = await api.newShop("Replayed off the event loop");
    await storeMany(deps, shop.id, 3_000);

    // Every turn of the event loop, whether the replay thread has the scoring in hand.
    let turnsWhileScoring = 0;
    let replaying = true;
    const ticker = (async () => {
      while (replaying) {
        if ((runningReplayThread(deps)?.running[0]?.pending ?? 0) > 0) turnsWhileScoring++;
        await nextTurn();
      }
    })();
    let replay: Awaited<ReturnType<typeof replayShopHistory>>;
    try {
      replay = await replayShopHistory(deps, shop.id);
    } finally {
      replaying = false;
      await ticker;
    }
    expect(replay.replayed).toHaveLength(3_000);
    // Scored by another thread than this one, and this thread's event loop kept turning meanwhile.
    expect(replay.scoredOnThread).toEqual(expect.any(Number));
    expect(replay.scoredOnThread).not.toBe(threadId);
    expect(turnsWhileScoring).toBeGreaterThan(1);
    // Ended once no replay needs it: an idle thread would keep its heap (and the process's RSS).
    expect(runningReplayThread(deps)).toBeUndefined();

    // The same scores, states and sweep's choice as the scorer gives on this thread, with the process's options.
    const here = scoreReplay(timelineOf(replay.replayed), deps.scoringOptions);
    expect(replay.scores).toEqual(here.scores);
    expect(replay.writeTime).toEqual(here.writeTime);
    expect(replay.sweepTakes).toEqual(here.sweepTakes);
    expect(here.sweepTakes.size).toBeGreaterThan(0);
  }, 120_000);

  it("fails when its thread dies, never hangs, and the next replay scores on a new thread", async () => {
    const deps = api.starling.deps;
    const shop = await api.newShop("Replay thread killed");
    await storeMany(deps, shop.id, 3_000);
    const first = replayShopHistory(deps, shop.id);
    first.catch(() => {});
    // Ended while it scores the shop (as a crash of the thread would).
    expect(await replayScoring(deps, 60_000)).toBe(true);
    const dying = runningReplayThread(deps)!.running[0]!.worker;
    const dyingId = dying.threadId;
    await dying.terminate();
    await expect(first).rejects.toThrow(/exited/);
    const again = await replayShopHistory(deps, shop.id);
    expect(again.scores.size).toBe(3_000);
    expect(again.scoredOnThread).not.toBe(dyingId);
  }, 120_000);

  it("is ended with the hindsight worker: a sweep scoring then fails at once", async () => {
    const dbName = uniqueDbName("replay-stop");
    const p = await openModels(dbName);
    try {
      const { shop } = await createShop(p.deps, { name: "Stopped mid-sweep" });
      await storeMany(p.deps, shop.id, 3_000);
      const worker = startHindsightWorker(p.deps, { idleMs: 50 });
      const sweep = sweepShopHindsight(p.deps, shop.id);
      sweep.catch(() => {});
      expect(await replayScoring(p.deps, 60_000)).toBe(true);
      await worker.stop();
      await expect(sweep).rejects.toThrow(/exited/);
      expect(runningReplayThread(p.deps)).toBeUndefined();
    } finally {
      await p.models.LeaseJob.db.dropDatabase();
      await p.close();
    }
  }, 120_000);
});
