/**
 * Insights wired into the API, against the real server and database: a
 * review is analysed after it is acknowledged (English and German), a dead
 * worker's claim is taken over, a backfill covers old reviews and resumes,
 * aggregates count published reviews only, an emerging topic records exactly
 * one event, erasure removes quotes, and shops see only their own.
 */
import { readdirSync, readFileSync } from "node:fs";
import { type DayCounts, analyzeReview, summarizeDayCounts } from "@starling/insights";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { LeaseQueue } from "../src/db/lease-queue.js";
import { createDeps } from "../src/create-deps.js";
import type { ReviewDoc } from "../src/features/reviews/model.js";
import {
  INSIGHTS_QUEUE,
  backfillInsights,
  checkEmergingTopics,
  clearInsightsCache,
  handleInsightsJob,
  enqueueAnalyses,
  insightsQueue,
  productHash,
  recomputeBlock,
  rollUpBlocks,
  runningAnalysisThread,
  shopHash,
  startInsightsWorker,
  storeProductDay,
  storedAspectsOf,
  wakeInsights,
  type InsightsJob,
} from "../src/features/insights/insights.js";
import { eventQueue } from "../src/features/events/events.js";
import { BACKGROUND_THREAD_NAME } from "../src/analysis-threads.js";
import { deliveryQueue } from "../src/features/webhooks/delivery.js";
import { SUBMIT, receiveWebhooks, review, spawnCli, startTestApi, type TestApi } from "./helpers.js";

let api: TestApi;
const DAY = 86_400_000;

const INSIGHTS = `query($id: ID!, $p: InsightsPeriod) { product(id: $id) { insights(period: $p) {
  reviews polarity
  aspects { key term mentions positive negative positiveShare negativeShare direction examples { reviewId quote polarity } }
  emerging { key term direction since mentions expected evidence }
} } }`;
const SHOP_INSIGHTS = `{ shop { insights { reviews aspects { key mentions examples { reviewId quote } } emerging { productId key } } } }`;
const MODERATE = `mutation($i: ModerateReviewInput!) { moderateReview(input: $i) { id status } }`;
const ERASE = `mutation($r: ReviewerRefInput!, $m: ErasureMode!) { eraseReviewerData(reviewer: $r, mode: $m) { reviews } }`;

/** Polls until `check` holds (a bound for a busy machine, not an expectation). */
async function eventually<T>(what: string, check: () => Promise<T | false | null | undefined>, timeoutMs = 60_000): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = await check().catch(() => false as const);
    if (v) return v;
    if (Date.now() > end) throw new Error(`not within ${timeoutMs} ms: ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

async function submit(productId: string, body: string, extra: Record<string, unknown> = {}, key = api.shop.key): Promise<string> {
  const r = await api.gql(SUBMIT, { input: { ...review(productId, 3, extra), body } }, key);
  expect(r.errors).toBeUndefined();
  return r.data.submitReview.review.id;
}

async function insights(productId: string, key = api.shop.key) {
  const r = await api.gql(INSIGHTS, { id: productId }, key);
  expect(r.errors).toBeUndefined();
  return r.data.product.insights;
}

/**
 * n published reviews like template (its product, its shop) written straight to the collection, so
 * that they can lie days in the past, then queued for analysis and the worker woken. Ids rev_<product>_<i>.
 */
async function storeForAnalysis(template: ReviewDoc, n: number, each: (i: number) => { body: string; createdAt: Date }) {
  const deps = api.starling.deps;
  const docs = Array.from({ length: n }, (_, i) => ({
    ...template,
    _id: `rev_${template.productId}_${i}`,
    ...each(i),
    title: "",
    status: "published",
    summaryApplied: false,
    payloadHash: "test",
  }));
  await api.models.Review.collection.insertMany(docs as never[]);
  await enqueueAnalyses(
    deps,
    docs.map((d) => d._id),
  );
  wakeInsights(deps);
}

/** Stores whole review documents as published reviews from before (no reviewer id) and queues their analyses. */
async function storePublishedForAnalysis(docs: { _id: string }[]) {
  const deps = api.starling.deps;
  await api.models.Review.collection.insertMany(
    docs.map((d) => ({
      ...d,
      status: "published",
      summaryApplied: false,
      payloadHash: "test",
      reviewer: { name: "Old", externalId: null },
    })) as never[],
  );
  await enqueueAnalyses(
    deps,
    docs.map((d) => d._id),
  );
  wakeInsights(deps);
}

const drained = async () => (await insightsQueue(api.starling.deps).depth()) === 0;

/** Every document of the insights collections and the queue, as JSON (packed aspects unpacked, so their quotes show). */
async function insightsText(): Promise<string> {
  const m = api.models;
  const docs = [
    ...(await m.ReviewInsight.find().lean()),
    ...(await m.InsightDay.find().lean()),
    ...(await m.InsightBlock.find().lean()),
    ...(await m.InsightTopic.find().lean()),
    ...(await m.LeaseJob.find().lean()),
  ];
  return JSON.stringify(docs.map((d) => ("packed" in d && d.packed ? { ...d, packed: storedAspectsOf(d as never) } : d)));
}

beforeAll(async () => {
  // Private webhook addresses allowed: the emerging-topic test receives its event on 127.0.0.1.
  api = await startTestApi({ webhooksAllowPrivate: true });
  for (const id of ["jacket", "tent", "lamp", "boot", "boots", "old", "kettle", "spread", "sparse", "inline", "wide"]) {
    await api.gql(`mutation($i: PutProductInput!) { putProduct(input: $i) { id } }`, { i: { id, name: id } });
  }
});
afterAll(async () => {
  await api?.close();
});

describe("insights per review", () => {
  it("analyses a review after acknowledging it, in English and German, and counts it in Product.insights", async () => {
    const en1 = await submit("jacket", "The zipper broke after a week. The fabric is soft and lovely.");
    const en2 = await submit("jacket", "Really disappointed, the zipper broke the first time I wore it.");
    const de1 = await submit("jacket", "Der Reißverschluss ist nach drei Tagen kaputt gegangen, aber der Stoff ist sehr angenehm.");
    const de = await eventually("the German review analysed", () => api.models.ReviewInsight.findById(de1).lean());
    expect(de.language).toBe("de");
    expect(de.aspects.map((a) => a.key)).toEqual(expect.arrayContaining(["zipper", "fabric"]));
    const zipperDe = de.aspects.find((a) => a.key === "zipper")!;
    expect(zipperDe.polarity).toBeLessThan(0);
    expect(zipperDe.quote).toContain("Reißverschluss");
    const en = await eventually("the English review analysed", () => api.models.ReviewInsight.findById(en1).lean());
    expect(en.language).toBe("en");
    expect(en.aspects.find((a) => a.key === "zipper")!.polarity).toBeLessThan(0);
    expect(en.aspects.find((a) => a.key === "fabric")!.polarity).toBeGreaterThan(0);

    const s = await eventually("all three counted", async () => {
      const i = await insights("jacket");
      return i.reviews === 3 && i;
    });
    const zipper = s.aspects.find((a: any) => a.key === "zipper");
    expect(zipper).toMatchObject({ mentions: 3, negative: 3, positive: 0, negativeShare: 1 });
    expect(zipper.examples.map((q: any) => q.reviewId).sort()).toEqual([en1, en2, de1].sort());
    for (const q of zipper.examples) expect(q.polarity).toBeLessThan(0);
    const fabric = s.aspects.find((a: any) => a.key === "fabric");
    expect(fabric).toMatchObject({ mentions: 2, positive: 2, negative: 0 });
    // The shop's view holds them too.
    const shop = await eventually("the shop's bucket", async () => {
      const r = await api.gql(SHOP_INSIGHTS);
      return r.data.shop.insights.reviews >= 3 && r.data.shop.insights;
    });
    expect(shop.aspects.find((a: any) => a.key === "zipper").mentions).toBeGreaterThanOrEqual(3);
  });

  it("counts published reviews only: a rejected review drops out, reinstating brings it back", async () => {
    const a = await submit("tent", "The zipper broke on day two.");
    const b = await submit("tent", "The zipper broke again, terrible.");
    const c = await submit("tent", "The zipper broke and the seams leak.");
    await eventually(
      "three zipper complaints",
      async () => (await insights("tent")).aspects.find((x: any) => x.key === "zipper")?.mentions === 3,
    );
    const r = await api.gql(MODERATE, { i: { reviewId: b, action: "REJECT", reason: "SPAM" } });
    expect(r.data.moderateReview.status).toBe("REJECTED");
    const after = await eventually("the rejected one out", async () => {
      const i = await insights("tent");
      return i.reviews === 2 && i;
    });
    const zipper = after.aspects.find((x: any) => x.key === "zipper");
    expect(zipper.mentions).toBe(2);
    expect(zipper.examples.map((q: any) => q.reviewId).sort()).toEqual([a, c].sort());
    // Its analysis stays: a reinstatement counts it again without re-analysing.
    expect(await api.models.ReviewInsight.exists({ _id: b })).toBeTruthy();
    const back = await api.gql(`mutation($id: ID!, $note: String!) { reinstateReview(reviewId: $id, note: $note) { id status } }`, {
      id: b,
      note: "appeal upheld",
    });
    expect(back.data.reinstateReview.status).toBe("PUBLISHED");
    await eventually("counted again", async () => (await insights("tent")).aspects.find((x: any) => x.key === "zipper")?.mentions === 3);
  });

  it("a dead worker's claim is taken over when its lease ends", async () => {
    const id = await submit("lamp", "The bulb flickers and the switch feels cheap.");
    await eventually("analysed", () => api.models.ReviewInsight.findById(id).lean());
    await eventually("queue drained", drained);
    await api.models.ReviewInsight.deleteOne({ _id: id });
    // A "process" whose clock runs 5.5 s ahead claims the job, due in 5 s for everyone else, with a 500 ms lease, and dies.
    const ahead = () => new Date(Date.now() + 5_500);
    const dead = new LeaseQueue<InsightsJob>(api.models, INSIGHTS_QUEUE, { leaseMs: 500, owner: "dead-process", now: ahead });
    await dead.enqueue(id, { kind: "analyze", reviewId: id }, new Date(Date.now() + 5_000));
    const [held] = await dead.claim(1);
    expect(held).toMatchObject({ id, attempts: 1 });
    const redone = await eventually("re-analysed by the live worker", () => api.models.ReviewInsight.findById(id).lean());
    expect(redone.aspects.map((a) => a.key)).toContain("switch");
    expect(redone.analyzedAt.getTime()).toBeGreaterThan(Date.now() - 60_000);
    // The dead process wakes and completes: its epoch is gone, nothing breaks.
    await dead.complete(held!);
    await eventually("queue drained", drained);
  });

  it("a round waits while this process's review writes are in flight and goes once they have paused", async () => {
    const deps = api.starling.deps;
    const quiet = deps.reviewWritesQuiet;
    const template = (await api.models.Review.findById(await submit("lamp", "A plain lamp.")).lean<ReviewDoc>())!;
    await eventually("queue drained", drained);
    // A write batch in flight, as deps.reviewWrites tells it while one is.
    quiet.begin();
    try {
      await storeForAnalysis(template, 1, () => ({ body: "The cord frayed at the plug.", createdAt: new Date() }));
      // The woken worker's round holds before its claim, with the job due.
      await eventually("the round waits for the writes", async () => quiet.waiting === 1);
      expect(await api.models.ReviewInsight.findById("rev_lamp_0").lean()).toBeNull();
    } finally {
      quiet.end();
    }
    await eventually("analysed once the writes paused", () => api.models.ReviewInsight.findById("rev_lamp_0").lean());
    expect(quiet.waiting).toBe(0);
  });

  // Bounded below MAX_HOLD_MS (30 s): a stop that waited out the hold fails here.
  it("stopping a worker whose round waits for the writes ends the wait at once", { timeout: 20_000 }, async () => {
    const other = createDeps(api.models, 5);
    const worker = startInsightsWorker(other, { idleMs: 600_000 });
    other.reviewWritesQuiet.begin(); // never ends
    await eventually("the round waits for the writes", async () => other.reviewWritesQuiet.waiting === 1);
    await worker.stop();
    expect([other.reviewWritesQuiet.waiting, other.reviewWritesQuiet.inFlight]).toEqual([0, 1]);
  });

  it("a dead worker's claimed day recount is taken over: the review counts in every period once its lease ends", async () => {
    const deps = api.starling.deps;
    // Two mentions: a summary lists aspects mentioned at least twice.
    const id = await submit("lamp", "The shade cracked and the base wobbles.");
    await submit("lamp", "My shade cracked too, poor quality.");
    const before = await eventually("counted", async () => {
      const i = await insights("lamp");
      return (await drained()) && i.aspects.some((a: any) => a.key === "shade") && i;
    });
    // As if the process died after storing the analysis and before its day was recounted: no bucket, no blocks above it.
    const dayMs = Math.floor(Date.now() / DAY) * DAY;
    const owner = productHash(api.shop.id, "lamp");
    await api.models.InsightDay.deleteMany({ _id: { $gt: `${owner}.`, $lt: `${owner}.~` } });
    await api.models.InsightBlock.deleteMany({ _id: { $gt: `${owner}.`, $lt: `${owner}.~` } });
    clearInsightsCache(deps);
    expect((await insights("lamp")).reviews).toBe(0);
    const ahead = () => new Date(Date.now() + 5_500);
    const dead = new LeaseQueue<InsightsJob>(api.models, INSIGHTS_QUEUE, { leaseMs: 500, owner: "dead-process", now: ahead });
    const dayJob = `day.${owner}.${new Date(dayMs).toISOString().slice(0, 10).replaceAll("-", "")}`;
    await dead.enqueue(dayJob, { kind: "day", shopId: api.shop.id, productId: "lamp", dayMs }, new Date(Date.now() + 5_000));
    const [held] = await dead.claim(1);
    expect(held).toMatchObject({ id: dayJob, attempts: 1 });
    wakeInsights(deps);
    const back = await eventually("recounted and rolled up by the live worker", async () => {
      const i = await insights("lamp");
      return (await drained()) && i.reviews === before.reviews && i;
    });
    expect(back.aspects).toEqual(before.aspects);
    expect(back.aspects.find((a: any) => a.key === "shade").examples.map((q: any) => q.reviewId)).toContain(id);
    // A year's read (other blocks) counts it too.
    const year = await api.gql(INSIGHTS, { id: "lamp", p: { from: new Date(Date.now() - 360 * DAY).toISOString() } });
    expect(year.data.product.insights.reviews).toBe(back.reviews);
  });

  it("an analysis round recounts its review's day itself: when its job completes, the bucket and blocks are written and no day job is queued", async () => {
    const deps = api.starling.deps;
    const template = (await api.models.Review.findById(await submit("inline", "A plain kettle.")).lean<ReviewDoc>())!;
    await eventually("the first counted", async () => (await drained()) && (await insights("inline")).reviews === 1);
    const id = "rev_inline_1";
    const dayMs = Math.floor(Date.now() / DAY) * DAY - 3 * DAY;
    await api.models.Review.collection.insertOne({
      ...template,
      _id: id,
      body: "The zipper broke after a week.",
      title: "",
      createdAt: new Date(dayMs + 1_000),
      status: "published",
      payloadHash: "test",
    } as never);
    // Claimed here (a clock 5.5 s ahead; the live worker sees the job due in 5 s) and handled as a round of one.
    const ahead = () => new Date(Date.now() + 5_500);
    const mine = new LeaseQueue<InsightsJob>(api.models, INSIGHTS_QUEUE, { leaseMs: 60_000, owner: "this-test", now: ahead });
    await mine.enqueue(id, { kind: "analyze", reviewId: id }, new Date(Date.now() + 5_000));
    const [held] = await mine.claim(1);
    expect(held).toMatchObject({ id });
    await handleInsightsJob(deps, held!);
    const owner = productHash(api.shop.id, "inline");
    const ymd = new Date(dayMs).toISOString().slice(0, 10).replaceAll("-", "");
    const bucket = await api.models.InsightDay.findById(`${owner}.${ymd}`).lean();
    expect(bucket).toMatchObject({ reviews: 1, productId: "inline" });
    expect(storedAspectsOf(bucket as never).find((a) => a.key === "zipper")?.mentions).toBe(1);
    expect(await api.models.InsightBlock.exists({ _id: `${owner}.7.${Math.floor(dayMs / DAY / 128)}.r` })).toBeTruthy();
    expect(
      await api.models.LeaseJob.exists({ _id: { $in: [`${INSIGHTS_QUEUE}:${id}`, `${INSIGHTS_QUEUE}:day.${owner}.${ymd}`] } }),
    ).toBeNull();
    clearInsightsCache(deps);
    expect((await insights("inline")).reviews).toBe(2);
  });

  it("rolls up reviews of many days, handled in rounds, to exactly the sums of their day buckets", async () => {
    const template = (await api.models.Review.findById(await submit("spread", "A plain tent.")).lean<ReviewDoc>())!;
    const bodies = [
      "The zipper broke after a week, but the fabric is soft.",
      "Great fabric and the seams are strong.",
      "The seams leak in the rain and the zipper sticks.",
      "Lovely color, the poles feel cheap.",
      "The poles bent in the wind, terrible.",
    ];
    const now = Date.now();
    // 60 reviews over 80 days: two or three rounds of the worker, each day's bucket and blocks at every level in play.
    await storeForAnalysis(template, 60, (i) => ({ body: bodies[i % bodies.length]!, createdAt: new Date(now - ((i * 37) % 80) * DAY) }));
    await eventually(
      "all analysed and counted",
      async () => (await drained()) && (await api.models.ReviewInsight.countDocuments({ productId: "spread" })) === 61,
      120_000,
    );
    const owner = productHash(api.shop.id, "spread");
    const days = await api.models.InsightDay.find({ _id: { $gt: `${owner}.`, $lt: `${owner}.~` } }).lean();
    const buckets = days.map((d) => ({
      dayMs: d.day.getTime(),
      reviews: d.reviews,
      polaritySum: d.polaritySum,
      aspects: storedAspectsOf(d as never),
    }));
    for (const [label, fromDaysAgo] of [
      ["90 days", 89],
      ["30 days", 29],
      ["a year", 365],
    ] as const) {
      const toMs = Math.floor(now / DAY) * DAY + DAY;
      const fromMs = toMs - (fromDaysAgo + 1) * DAY;
      const want = summarizeDayCounts(buckets, { fromMs, toMs }, { limit: 20, quotes: 3 });
      const r = await api.gql(
        `query($id: ID!, $p: InsightsPeriod) { product(id: $id) { insights(period: $p, limit: 20) { reviews aspects { key mentions positive negative direction examples { reviewId } } } } }`,
        { id: "spread", p: { from: new Date(fromMs).toISOString(), to: new Date(toMs - 1).toISOString() } },
      );
      expect(r.errors, label).toBeUndefined();
      const got = r.data.product.insights;
      expect(got.reviews, label).toBe(want.reviews);
      expect(
        got.aspects.map((a: any) => [
          a.key,
          a.mentions,
          a.positive,
          a.negative,
          a.direction.toLowerCase(),
          a.examples.map((q: any) => q.reviewId),
        ]),
        label,
      ).toEqual(want.aspects.map((a) => [a.key, a.mentions, a.positive, a.negative, a.direction, a.examples.map((q) => q.reviewId)]));
    }
  });

  // The demo's stall (h20 on main, reverted): a round of 16 day recounts of a product whose days lie
  // far apart rebuilds some 70 existing blocks in one roll-up, one bulk write of ~140 replaceOne, and
  // FerretDB 1.24.2 held a connection per matched statement until the command ended (our patch,
  // ferretdb/patches/handler-msg-update.go.in): the database stalled for good and every later request hung.
  it("a shop's insights read, then rounds that rebuild many existing blocks, then other traffic: everything answers", async () => {
    const deps = api.starling.deps;
    const template = (await api.models.Review.findById(await submit("sparse", "A plain lamp.")).lean<ReviewDoc>())!;
    const now = Date.now();
    // One review every 11 days over a year: the 16 days of a round reach 16 blocks at each of the lower levels.
    await storeForAnalysis(template, 32, (i) => ({
      body: i % 2 ? "The shade cracked and the switch is loose." : "Bright light and a sturdy base.",
      createdAt: new Date(now - (1 + i * 11) * DAY),
    }));
    const counted = async () => (await drained()) && (await api.models.ReviewInsight.countDocuments({ productId: "sparse" })) === 33;
    await eventually("all analysed and counted", counted, 120_000);
    const shopYear = () =>
      api.gql(`query($p: InsightsPeriod) { shop { insights(period: $p) { reviews aspects { key mentions } } } }`, {
        p: { from: new Date(now - 365 * DAY).toISOString() },
      });
    const shop = await shopYear();
    expect(shop.errors).toBeUndefined();
    expect(shop.data.shop.insights.reviews).toBeGreaterThanOrEqual(33);
    // Every day recounted again at once (as after a change of every review's status): rounds of 16
    // days, each rebuilding blocks that all exist now.
    const owner = productHash(api.shop.id, "sparse");
    const days = await api.models.InsightDay.find({ _id: { $gt: `${owner}.`, $lt: `${owner}.~` } }, { day: 1 }).lean();
    expect(days.length).toBe(33);
    await insightsQueue(deps).enqueueMany(
      days.map((d) => ({
        id: `day.${owner}.${d.day.toISOString().slice(0, 10).replaceAll("-", "")}`,
        payload: { kind: "day" as const, shopId: api.shop.id, productId: "sparse", dayMs: d.day.getTime() },
      })),
    );
    wakeInsights(deps);
    await eventually("recounted and rolled up again", drained, 120_000);
    // Other traffic: the API over HTTP and the driver directly.
    clearInsightsCache(deps);
    const year = await api.gql(INSIGHTS, { id: "sparse", p: { from: new Date(now - 365 * DAY).toISOString() } });
    expect(year.errors).toBeUndefined();
    expect(year.data.product.insights.reviews).toBe(33);
    expect(await api.models.Review.findById("rev_sparse_0").lean()).toMatchObject({ _id: "rev_sparse_0" });
    const again = await shopYear();
    expect(again.errors).toBeUndefined();
    expect(again.data.shop.insights).toEqual(shop.data.shop.insights);
  }, 300_000);

  it("a backfill analyses reviews stored before insights existed, in slices, and resumes where it stopped", async () => {
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) ids.push(await submit("boot", `The sole came off after ${i + 2} weeks.`));
    await eventually("analysed", async () => (await api.models.ReviewInsight.countDocuments({ _id: { $in: ids } })) === 5);
    await eventually("queue drained", drained);
    // As if stored before insights existed.
    await api.models.ReviewInsight.deleteMany({ _id: { $in: ids } });
    const deps = api.starling.deps;
    const progress: number[] = [];
    const first = await backfillInsights(deps, { slice: 2, stopAfterSlices: 1, onProgress: (p) => progress.push(p.scanned) });
    expect(first).toMatchObject({ done: false, scanned: 2 });
    expect(await api.models.InsightCursor.findById("backfill").lean()).toMatchObject({ scanned: 2 });
    const second = await backfillInsights(deps, { slice: 2, onProgress: (p) => progress.push(p.scanned) });
    expect(second.done).toBe(true);
    const total = await api.models.Review.countDocuments();
    // Resumed: the second run did not start over.
    expect(second.scanned).toBe(total);
    expect(progress[0]).toBe(2);
    expect(progress.at(-1)).toBe(total);
    expect(await api.models.InsightCursor.findById("backfill").lean()).toBeNull();
    await eventually("all five analysed again", async () => (await api.models.ReviewInsight.countDocuments({ _id: { $in: ids } })) === 5);
  });

  it("a backfill rolls up buckets written before roll-ups existed, so reads see them again", async () => {
    await submit("boot", "The heel wore through in a month.");
    const before = await eventually("boot counted", async () => {
      const i = await insights("boot");
      return (await drained()) && i.reviews > 0 && i;
    });
    // As written before: the product's buckets hold their aspects nested, and no blocks exist.
    const deps = api.starling.deps;
    const owner = productHash(api.shop.id, "boot");
    const days = await api.models.InsightDay.find({ productId: "boot" }).lean();
    expect(days.length).toBeGreaterThan(0);
    for (const d of days)
      await api.models.InsightDay.collection.updateOne({ _id: d._id } as never, {
        $set: { aspects: storedAspectsOf(d as never) },
        $unset: { packed: "", data: "" },
      });
    await api.models.InsightBlock.deleteMany({ _id: { $gt: `${owner}.`, $lt: `${owner}.~` } });
    clearInsightsCache(deps);
    expect((await insights("boot")).reviews).toBe(0);
    await backfillInsights(deps);
    const after = await eventually("rolled up again", async () => {
      const i = await insights("boot");
      return (await drained()) && i.reviews === before.reviews && i;
    });
    expect(after.aspects.map((a: any) => [a.key, a.mentions])).toEqual(before.aspects.map((a: any) => [a.key, a.mentions]));
    expect(await api.models.InsightDay.countDocuments({ productId: "boot", packed: { $exists: false } })).toBe(0);
  });

  it("erasure removes the person's quotes from every insight before it answers", async () => {
    const quoteA = "the handle of this kettle melted";
    const quoteB = "the lid of this kettle is wobbly";
    await submit("kettle", `Sadly ${quoteA} within a month.`, { reviewer: { name: "Erin", externalId: "cust-erin" } });
    await submit("kettle", `Honestly ${quoteB} and rattles.`, { reviewer: { name: "Erin", externalId: "cust-erin" } });
    await submit("kettle", "The handle melted on mine too, awful.");
    await submit("kettle", "The lid is wobbly, poor quality.");
    await eventually(
      "quotes in the insights",
      async () => (await insightsText()).includes(quoteA) && (await insightsText()).includes(quoteB) && (await drained()),
    );
    const r = await api.gql(ERASE, { r: { externalId: "cust-erin" }, m: "ANONYMISE" });
    expect(r.data.eraseReviewerData.reviews).toBe(2);
    // At once, not eventually: no collection holds their words any more.
    const text = await insightsText();
    expect(text).not.toContain(quoteA);
    expect(text).not.toContain(quoteB);
    const i = await insights("kettle");
    expect(i.reviews).toBe(2);
    // And no later analysis brings them back.
    await eventually("queue drained", drained);
    expect(await insightsText()).not.toContain(quoteA);
  });
});

/** This process' threads: id, name and nice value (/proc/self/task/<tid>/stat: comm in parentheses, nice the 19th field). */
function threads(): { tid: number; comm: string; nice: number }[] {
  return readdirSync("/proc/self/task").flatMap((tid) => {
    let stat: string;
    try {
      stat = readFileSync(`/proc/self/task/${tid}/stat`, "utf8");
    } catch {
      return []; // ended meanwhile
    }
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    return [{ tid: Number(tid), comm: stat.slice(stat.indexOf("(") + 1, stat.lastIndexOf(")")), nice: Number(fields[16]) }];
  });
}

describe("the analysis thread", () => {
  it("analyses on a thread of its own at the lowest priority, named, the event loop's thread untouched, as analyzeReview does", async () => {
    const texts = [
      "The zipper broke after a week, but the fabric is soft and the hood is great.",
      "Der Akku hält kaum einen Tag, aber das Display ist sehr gut.",
    ];
    const ids = [await submit("jacket", texts[0]!), await submit("jacket", texts[1]!, { language: "de" })];
    const stored = await Promise.all(ids.map((id) => eventually("analysed", () => api.models.ReviewInsight.findById(id).lean())));
    for (const [i, doc] of stored.entries()) {
      const want = analyzeReview({ title: "A 3-star review", body: texts[i]!, language: i === 1 ? "de" : null });
      expect({
        language: doc.language,
        polarity: doc.polarity,
        aspects: doc.aspects.map(({ key, term, polarity, quote }) => ({ key, term, polarity, quote })),
      }).toEqual({
        language: want.language,
        polarity: want.polarity,
        aspects: want.aspects.map(({ key, term, polarity, quote }) => ({ key, term, polarity, quote })),
      });
    }
    const named = threads().filter((t) => t.comm === BACKGROUND_THREAD_NAME);
    expect(named).toHaveLength(1);
    expect(named[0]!.nice).toBe(19);
    // The thread that answers requests (the main thread's id is the process id) keeps its priority.
    expect(threads().find((t) => t.tid === process.pid)!.nice).toBe(0);
    expect(threads().filter((t) => t.comm !== BACKGROUND_THREAD_NAME && t.nice !== 0)).toEqual([]);
  });

  it("a thread that dies mid-round loses no job: the round's analyses stay queued, and a new thread does them", async () => {
    const deps = api.starling.deps;
    await eventually("queue drained", drained);
    const template = (await api.models.Review.findById(await submit("jacket", "Plain jacket.")).lean<ReviewDoc>())!;
    await eventually("queue drained", drained);
    // Long enough that its analysis is still running when the thread is ended.
    const body = Array.from({ length: 400 }, (_, i) => `The zipper broke on day ${i} but the fabric feels soft and warm.`).join(" ");
    await storeForAnalysis(template, 1, () => ({ body, createdAt: new Date() }));
    const id = `rev_${template.productId}_0`;
    const busy = await eventually("the thread is analysing", async () => runningAnalysisThread(deps)?.running.find((t) => t.pending > 0));
    await busy.worker.terminate();
    const job = await eventually("the job is back in the queue with its error", async () => {
      const j = await api.models.LeaseJob.findOne({ queue: INSIGHTS_QUEUE, _id: `${INSIGHTS_QUEUE}:${id}` }).lean();
      return j?.lastError ? j : null;
    });
    expect(job.lastError).toMatch(/exited/);
    expect(await api.models.ReviewInsight.findById(id).lean()).toBeNull();
    // Its retry is due in a minute: a clock two minutes ahead claims it now, and this process' worker code handles it.
    const ahead = new LeaseQueue<InsightsJob>(api.models, INSIGHTS_QUEUE, {
      leaseMs: 60_000,
      owner: "ahead",
      now: () => new Date(Date.now() + 120_000),
    });
    const held = await eventually("claimed", async () => (await ahead.claim(1)).find((j) => j.id === id));
    await handleInsightsJob(deps, held);
    const doc = (await api.models.ReviewInsight.findById(id).lean())!;
    expect(template.language ?? null).toBeNull();
    const want = analyzeReview({ title: "", body, language: null });
    expect([doc.language, doc.polarity, doc.aspects.length]).toEqual([want.language, want.polarity, want.aspects.length]);
    await eventually("queue drained", drained);
  });

  it("stopping the API ends its analysis thread", async () => {
    const named = () => new Set(threads().flatMap((t) => (t.comm === BACKGROUND_THREAD_NAME ? [t.tid] : [])));
    const before = named();
    const other = await startTestApi();
    let started: number[];
    try {
      await other.gql(`mutation($i: PutProductInput!) { putProduct(input: $i) { id } }`, { i: { id: "kettle", name: "kettle" } });
      const r = await other.gql(SUBMIT, { input: { ...review("kettle", 2, {}), body: "The lid rattles and the handle gets hot." } });
      const id = r.data.submitReview.review.id;
      await eventually("analysed", () => other.models.ReviewInsight.findById(id).lean());
      expect(runningAnalysisThread(other.starling.deps)!.running).toHaveLength(1);
      started = [...named()].filter((tid) => !before.has(tid));
      expect(started).toHaveLength(1);
    } finally {
      await other.close();
    }
    expect(runningAnalysisThread(other.starling.deps)).toBeUndefined();
    // Worker.terminate resolves once the thread has exited.
    expect([...named()].filter((tid) => started.includes(tid))).toEqual([]);
  });
});

/** n aspects (a000 …) of one day, each mentioned `mentions(i)` times, one negative quote each: counts as a day bucket holds them. */
function syntheticDay(dayMs: number, n: number, mentions: (i: number) => number, tag: string): DayCounts {
  const aspects = Array.from({ length: n }, (_, i) => {
    const key = `a${String(i).padStart(3, "0")}`;
    const m = mentions(i);
    return {
      key,
      terms: { [key]: m },
      mentions: m,
      positive: 0,
      negative: m,
      trendPositive: 0,
      trendNegative: m,
      trendFailure: 0,
      quotes: [
        {
          reviewId: `rev_${tag}_${i}`,
          productId: "wide",
          quote: `the ${key} broke`,
          polarity: -0.8,
          field: "body" as const,
          start: 0,
          end: 10,
        },
      ],
    };
  });
  return { dayMs, reviews: 200, polaritySum: -10, aspects };
}

describe("roll-up blocks as stored", () => {
  it("a block of at most 100 aspects is one document, its cut marked whole; grown past that, two; shrunk, one again: reads exact throughout; none above 128 days", async () => {
    const deps = api.starling.deps;
    const shopId = api.shop.id;
    const owner = productHash(shopId, "wide");
    const today = Math.floor(Date.now() / DAY) * DAY;
    // Two days in different level-1 blocks under one level-2 block: a roll-up of one reads the other's level-1 block.
    const dayIndex = (Math.floor(today / DAY / 4) - 2) * 4;
    const a = dayIndex * DAY;
    const b = (dayIndex + 2) * DAY;
    const store = async (counts: DayCounts) => {
      const part = await storeProductDay(deps, shopId, "wide", counts.dayMs, counts);
      await rollUpBlocks(deps, [{ shopId, owner, fresh: [part] }]);
    };
    const docs = async (day: number) => {
      const out: { level: number; full: boolean; whole: boolean | undefined }[] = [];
      for (let level = 1; level <= 7; level++) {
        const id = `${owner}.${level}.${Math.floor(day / DAY / 2 ** level)}`;
        const [full, cut] = await Promise.all([
          api.models.InsightBlock.findById(id).lean(),
          api.models.InsightBlock.findById(`${id}.r`).lean(),
        ]);
        expect(cut, `${id}.r`).toBeTruthy();
        out.push({ level, full: full !== null, whole: cut!.whole });
      }
      return out;
    };
    const period = { fromMs: today - 89 * DAY, toMs: today + DAY };
    const readEquals = async (buckets: DayCounts[]) => {
      clearInsightsCache(deps);
      const r = await api.gql(
        `query($id: ID!, $p: InsightsPeriod) { product(id: $id) { insights(period: $p, limit: 20) { reviews aspects { key mentions negative examples { reviewId } } } } }`,
        { id: "wide", p: { from: new Date(period.fromMs).toISOString(), to: new Date(period.toMs - 1).toISOString() } },
      );
      expect(r.errors).toBeUndefined();
      const want = summarizeDayCounts(buckets, period, { limit: 20, quotes: 3 });
      expect(r.data.product.insights.reviews).toBe(want.reviews);
      expect(
        r.data.product.insights.aspects.map((x: any) => [x.key, x.mentions, x.negative, x.examples.map((q: any) => q.reviewId)]),
      ).toEqual(want.aspects.map((x) => [x.key, x.mentions, x.negative, x.examples.map((q) => q.reviewId)]));
    };

    // A block of 256 days as written before (no read uses one: each half of a period of at most 366 days is shorter),
    // with a quote an erasure would have to find: the roll-up removes it.
    const level8 = `${owner}.8.${Math.floor(a / DAY / 256)}`;
    await api.models.InsightBlock.collection.insertMany(
      [level8, `${level8}.r`].map((_id) => ({ _id, shopId, reviews: 1, polaritySum: 0, data: "[]", computedAt: new Date() })) as never[],
    );
    const smallA = syntheticDay(a, 30, (i) => 40 - i, "sa");
    await store(smallA);
    expect(await api.models.InsightBlock.countDocuments({ _id: { $in: [level8, `${level8}.r`] } })).toBe(0);
    expect(await docs(a)).toEqual(Array.from({ length: 7 }, (_, i) => ({ level: i + 1, full: false, whole: true })));
    // Day b's roll-up builds the level-2 block and up from day a's level-1 block as stored (whole, as its cut).
    const smallB = syntheticDay(b, 20, (i) => 30 - i, "sb");
    await store(smallB);
    expect((await docs(b)).every((d) => !d.full && d.whole)).toBe(true);
    await readEquals([smallA, smallB]);

    // 120 aspects on day b: its blocks now need a cut apart from the whole block.
    const wideB = syntheticDay(b, 120, (i) => 200 - i, "wb");
    await store(wideB);
    expect(await docs(b)).toEqual(Array.from({ length: 7 }, (_, i) => ({ level: i + 1, full: true, whole: undefined })));
    // Day a's own level-1 block is still one document; the blocks above both days hold all 120 aspects.
    expect((await docs(a))[0]).toEqual({ level: 1, full: false, whole: true });
    const top = (await api.models.InsightBlock.findById(`${owner}.7.${Math.floor(b / DAY / 128)}`).lean())!;
    expect(storedAspectsOf(top as never)).toHaveLength(120);
    await readEquals([smallA, wideB]);

    // Shrunk again (as after rejections): one document each, the whole blocks written before removed.
    const narrowB = syntheticDay(b, 10, (i) => 50 - i, "nb");
    await store(narrowB);
    expect(await docs(b)).toEqual(Array.from({ length: 7 }, (_, i) => ({ level: i + 1, full: false, whole: true })));
    await readEquals([smallA, narrowB]);
  });
});

describe("roll-ups racing", () => {
  it("roll-ups of one product at once all succeed: an upsert that loses the race to insert a new block or version is run again", async () => {
    // FerretDB answers the loser of two upserts of a new _id with E11000 where MongoDB retries it
    // (an erasure's roll-up beside the worker's failed eraseReviewerData once in CI).
    const deps = api.starling.deps;
    const shopId = api.shop.id;
    for (let round = 0; round < 5; round++) {
      const owner = productHash(shopId, `racing-${round}-${Date.now()}`);
      const results = await Promise.allSettled(Array.from({ length: 4 }, () => recomputeBlock(deps, shopId, owner, 1, 0)));
      expect(results.filter((r) => r.status === "rejected").map((r) => String((r as PromiseRejectedResult).reason))).toEqual([]);
    }
  });
});

describe("the insights CLI", () => {
  it("insights backfill analyses what has no analysis, with a progress bar, and finishes the queue", async () => {
    const ids = [await submit("boot", "The laces snapped on day one."), await submit("boot", "Die Schnürsenkel sind gerissen.")];
    await eventually(
      "analysed",
      async () => (await api.models.ReviewInsight.countDocuments({ _id: { $in: ids } })) === 2 && (await drained()),
    );
    await api.models.ReviewInsight.deleteMany({ _id: { $in: ids } });
    const cli = spawnCli(["insights", "backfill"], { MONGODB_URI: inject("mongoUri"), STARLING_DB_NAME: api.starling.db.conn.name });
    const { code } = await cli.exited;
    expect(cli.stderr()).toMatch(/\[#+\] 100% (\d+)\/\1 reviews/);
    expect(cli.stdout()).toMatch(/queued 2 for analysis; all done/);
    expect(code).toBe(0);
    expect(await api.models.ReviewInsight.countDocuments({ _id: { $in: ids } })).toBe(2);
  }, 180_000);
});

describe("emerging topics", () => {
  it("a surge of complaints about a new aspect becomes a topic with its start day and records exactly one event", async () => {
    const deps = api.starling.deps;
    const received = await receiveWebhooks(api, ["INSIGHTS_EMERGING_TOPIC"]);
    // A stored review of the shop as the model of the old ones (its own, so the test runs alone too).
    const template = (await api.models.Review.findById(await submit("lamp", "A plain lamp.")).lean<ReviewDoc>())!;
    expect(template.shopId).toBe(api.shop.id);
    const now = Date.now();
    const everyday = [
      "Great fit and the fabric is soft.",
      "The color is lovely, exactly as pictured.",
      "Runs small, the size was off for me.",
      "Fast delivery and the jacket is warm.",
    ];
    const docs: ReviewDoc[] = [];
    // 40 ordinary reviews over days -100 to -31, then zipper failures on four of the last eight days.
    for (let i = 0; i < 40; i++)
      docs.push({
        ...template,
        _id: `rev_old_${i}`,
        productId: "old",
        body: everyday[i % 4]!,
        title: "",
        createdAt: new Date(now - (100 - i) * 1.7 * DAY),
      });
    const surgeDays = [8, 6, 4, 2];
    surgeDays.forEach(
      (d, i) =>
        void docs.push({
          ...template,
          _id: `rev_zip_${i}`,
          productId: "old",
          title: "",
          body: [
            "The zipper broke after a week.",
            "Der Reißverschluss ist nach drei Tagen kaputt gegangen.",
            "Returned it, the zipper broke twice.",
            "Very disappointed, the zipper broke.",
          ][i]!,
          createdAt: new Date(now - d * DAY),
        }),
    );
    await storePublishedForAnalysis(docs);

    const topic = await eventually(
      "the topic",
      async () => {
        const i = await insights("old");
        return (await drained()) && i.emerging.find((t: any) => t.key === "zipper");
      },
      120_000,
    );
    expect(topic.direction).toBe("NEGATIVE");
    expect(topic.since.slice(0, 10)).toBe(new Date(now - 8 * DAY).toISOString().slice(0, 10));
    expect(topic.mentions).toBe(4);
    expect(topic.expected).toBeLessThan(0.2);
    expect(topic.evidence).toContain('negative mentions of "zipper"');
    // The event, as the shop's webhook receives it (the fan-out takes events off their queue).
    const [event] = await eventually("the event delivered", async () => received.length > 0 && received, 120_000);
    expect(event).toMatchObject({ type: "insights.emerging_topic", data: { productId: "old", key: "zipper", direction: "negative" } });

    // Another complaint: the check runs again and finds the same episode; still one event.
    await submit("old", "My zipper broke as well.");
    await eventually(
      "checked again",
      async () => (await drained()) && (await insights("old")).emerging.find((t: any) => t.key === "zipper")?.mentions === 5,
      120_000,
    );
    // Nothing left to send: a second event would have been fanned out and delivered by now.
    await eventually(
      "events sent",
      async () => (await eventQueue(deps).depth()) === 0 && (await deliveryQueue(deps).depth()) === 0,
      120_000,
    );
    expect(received).toHaveLength(1);
  }, 300_000);
});

describe("emerging-topic checks", () => {
  it("a check that finds no topic and closes none leaves the product's and the shop's versions as they were", async () => {
    const deps = api.starling.deps;
    await submit("inline", "A sturdy kettle, the lid fits well.");
    await eventually("counted", async () => (await drained()) && (await insights("inline")).reviews >= 2);
    const versions = () =>
      Promise.all(
        [productHash(api.shop.id, "inline"), shopHash(api.shop.id)].map(
          async (owner) => (await api.models.InsightBlock.findById(`${owner}.v`).lean())?.data,
        ),
      );
    const before = await versions();
    expect(before.every((v) => typeof v === "string")).toBe(true);
    const { topics } = await checkEmergingTopics(deps, api.shop.id, "inline");
    expect(topics).toEqual([]);
    // A new version would make every process read the product's and the shop's insights anew.
    expect(await versions()).toEqual(before);
  });
});

describe("a failure complaint", () => {
  it("one 1-star review saying a part the product's reviews never mentioned broke is a topic, from the stored buckets", async () => {
    const template = (await api.models.Review.findById(await submit("boots", "Plain boots.")).lean<ReviewDoc>())!;
    const now = Date.now();
    const everyday = ["Great fit and warm.", "The color is lovely.", "Runs small, the size was off for me.", "Fast delivery."];
    const docs: ReviewDoc[] = Array.from({ length: 30 }, (_, i) => ({
      ...template,
      _id: `rev_boots_${i}`,
      productId: "boots",
      body: everyday[i % 4]!,
      title: "",
      rating: 4,
      createdAt: new Date(now - (100 - i * 2) * DAY),
    }));
    await storePublishedForAnalysis(docs);
    // Three stars: a complaint, no topic on its own.
    const threeStars = await submit("boots", "The buckle snapped off after two days.");
    await eventually(
      "analysed",
      async () => (await drained()) && (await api.starling.deps.models.ReviewInsight.findById(threeStars).lean()) !== null,
      120_000,
    );
    expect((await insights("boots")).emerging).toEqual([]);
    // One star, another part: a failure of a part no review mentioned.
    const r = await api.gql(SUBMIT, { input: { ...review("boots", 1), body: "The strap snapped on the second day." } });
    expect(r.errors).toBeUndefined();
    const topic = await eventually(
      "the topic",
      async () => (await drained()) && (await insights("boots")).emerging.find((t: any) => t.key === "strap"),
      120_000,
    );
    expect(topic).toMatchObject({ direction: "NEGATIVE", mentions: 1 });
    expect(topic.evidence).toContain("describing a failure in a 1- or 2-star review");
  }, 300_000);
});

describe("tenants and input", () => {
  it("another shop sees none of this shop's insights, even for a product with the same id", async () => {
    const other = await api.newShop("Other shop");
    await api.gql(`mutation { putProduct(input: { id: "jacket", name: "Their jacket" }) { id } }`, {}, other.key);
    const theirs = await insights("jacket", other.key);
    expect(theirs.reviews).toBe(0);
    expect(theirs.aspects).toEqual([]);
    const shop = await api.gql(SHOP_INSIGHTS, {}, other.key);
    expect(shop.data.shop.insights).toEqual({ reviews: 0, aspects: [], emerging: [] });
    // A publishable key reads them too (they are public, like the reviews).
    expect((await insights("jacket", api.shop.publishableKey)).reviews).toBeGreaterThan(0);
  });

  it("refuses a bad period or limit with INVALID_INPUT", async () => {
    const bad = await api.gql(INSIGHTS, { id: "jacket", p: { from: "2026-01-10T00:00:00Z", to: "2026-01-01T00:00:00Z" } });
    expect(bad.errors?.[0]?.extensions?.code).toBe("INVALID_INPUT");
    const long = await api.gql(INSIGHTS, { id: "jacket", p: { from: "2020-01-01T00:00:00Z", to: "2026-01-01T00:00:00Z" } });
    expect(long.errors?.[0]?.extensions?.code).toBe("INVALID_INPUT");
    const limit = await api.gql(`{ product(id: "jacket") { insights(limit: 0) { reviews } } }`);
    expect(limit.errors?.[0]?.extensions?.code).toBe("INVALID_INPUT");
  });
});
