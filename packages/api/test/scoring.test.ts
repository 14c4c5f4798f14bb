/**
 * Fraud scoring, wired in: a burst of first-time five-star reviews is flagged
 * and discounted, a copied text is quarantined, moderators see why, and the
 * batch re-score rebuilds everything consistently.
 */
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { LEGACY_SCORING_OPTIONS, type ProductState, rescoreWithHindsight, scoreTimeline, textSignature } from "@starling/scoring";
import { createDeps } from "../src/create-deps.js";
import { BSON } from "mongodb";
import { submitReview } from "../src/features/reviews/reviews.js";
import {
  packSignature,
  packState,
  recentSignatures,
  replayShopHistory,
  timelineOf,
  unpackSignature,
  unpackState,
} from "../src/features/scoring/scoring.js";
import { addMissingPageKeys } from "../src/features/reviews/review-pages.js";
import { recomputeSummaries } from "../src/features/ratings/ratings.js";
import { rebuildDashboardCounts } from "../src/features/dashboard/counters.js";
import { legacyPackState } from "../bench/legacy-states.js";
import { SUBMIT, memoryLogger, review, spawnCli, startTestApi, type TestApi } from "./helpers.js";

let api: TestApi;

const RATING = `query($id: ID!) { product(id: $id) { rating { count average plainMean effectiveCount discounted { count reasons { code count description } } }
  bursts { start end evidence { detector stream count baselineRatePerDay firstTimerShare description } } } }`;
const TRUST = `query($id: ID!) { product(id: $id) { reviews(first: 100) { edges { node { id title trust { suspicion weight scoredBy reasons { code text } } } } } } }`;

const DAY = 86_400_000;
const SUBMIT_STATUS = `mutation($input: SubmitReviewInput!) { submitReview(input: $input) { review { id status } } }`;

/** An established product: 30 reviews from 12 repeat customers over 90 days, ending 30 days ago. */
async function establish(productId: string) {
  await api.gql(`mutation($i: PutProductInput!) { putProduct(input: $i) { id } }`, { i: { id: productId, name: productId } });
  const start = Date.now() - 120 * DAY;
  for (let i = 0; i < 30; i++) {
    const at = new Date(start + i * 3 * DAY);
    await submitReview({ ...api.starling.deps, now: () => at }, api.shop.id, {
      productId,
      rating: [4, 5, 3, 4, 5, 4][i % 6]!,
      title: `Review ${i} of ${productId}`,
      body: `Customer ${i % 12} writes review number ${i} about ${productId}, with details of use ${i * 7}.`,
      reviewer: { name: `Customer ${i % 12}`, externalId: `customer-${i % 12}` },
      idempotencyKey: `${productId}-history-${i}`,
    });
  }
}

beforeAll(async () => {
  api = await startTestApi();
});
afterAll(() => api?.close());

describe("a burst of first-time five-star reviews", () => {
  it("is flagged with its evidence, and moves the displayed rating much less than the plain mean", async () => {
    await establish("kettle");
    const before = (await api.gql(RATING, { id: "kettle" })).data.product.rating;
    for (let i = 0; i < 10; i++) {
      const r = await api.gql(SUBMIT, {
        input: review("kettle", 5, {
          title: `Great kettle ${i}`,
          body: `Unique burst text number ${i}: ${"word".repeat(i + 1)} boils fast ${i * 13} seconds.`,
          reviewer: { name: `New ${i}`, externalId: `burst-${i}` },
        }),
      });
      expect(r.errors).toBeUndefined();
    }
    const after = (await api.gql(RATING, { id: "kettle" })).data.product;
    expect(after.rating.count).toBe(40);
    expect(after.bursts.length).toBeGreaterThan(0);
    const evidence = after.bursts.at(-1).evidence;
    expect(evidence.some((e: any) => e.stream === "first_time_5_star" && e.count >= 5 && e.firstTimerShare === 1)).toBe(true);
    expect(evidence[0].description).toMatch(/reviews? .* against a baseline of/);
    expect(after.rating.discounted.reasons.map((r: any) => r.code)).toContain("burst");
    const plainShift = after.rating.plainMean - before.plainMean;
    const shownShift = after.rating.average - before.average;
    expect(plainShift).toBeGreaterThan(0.2);
    expect(shownShift).toBeLessThan(plainShift / 2);
  });
});

describe("copied text", () => {
  it("from another author is quarantined with its reason; the same author on another listing is not", async () => {
    for (const id of ["mug-red", "mug-blue", "mug-green"]) {
      await api.gql(`mutation($i: PutProductInput!) { putProduct(input: $i) { id } }`, { i: { id, name: id } });
    }
    const text =
      "This enamel mug keeps my coffee warm on cold mornings at the campsite and survived a fall onto rocks without chipping at all.";
    const original = await api.gql(SUBMIT_STATUS, {
      input: review("mug-red", 5, { body: text, reviewer: { name: "Ana", externalId: "ana" } }),
    });
    expect(original.data.submitReview.review.status).toBe("PUBLISHED");
    const sameAuthor = await api.gql(SUBMIT_STATUS, {
      input: review("mug-blue", 5, { body: text, reviewer: { name: "Ana", externalId: "ana" } }),
    });
    expect(sameAuthor.data.submitReview.review.status).toBe("PUBLISHED");
    const copy = await api.gql(SUBMIT_STATUS, {
      input: review("mug-green", 5, { body: text.replace("fall", "drop"), reviewer: { name: "Bot", externalId: "bot-1" } }),
    });
    expect(copy.data.submitReview.review.status).toBe("QUARANTINED");
    const log = (
      await api.gql(`query($id: ID) { moderationLog(reviewId: $id) { action actor note } }`, { id: copy.data.submitReview.review.id })
    ).data.moderationLog;
    expect(log[0]).toMatchObject({ action: "quarantine", actor: "starling" });
    expect(log[0].note).toMatch(/similar/i);
  });
});

describe("stored text signatures", () => {
  it("are packed in one binary field, and copies are still found, after a restart, of reviews stored with the older arrays of numbers", async () => {
    for (const id of ["pot-a", "pot-b", "pot-c"]) {
      await api.gql(`mutation($i: PutProductInput!) { putProduct(input: $i) { id } }`, { i: { id, name: id } });
    }
    const text = "The cast iron pot holds heat for hours, the lid seals well, and the enamel inside cleaned up easily after a stew.";
    const original = await api.gql(SUBMIT_STATUS, {
      input: review("pot-a", 5, { body: text, reviewer: { name: "Cleo", externalId: "cleo" } }),
    });
    const id = original.data.submitReview.review.id;
    const Review = api.starling.deps.models.Review;
    const stored = await Review.collection.findOne({ _id: id } as never);
    expect(stored!.signature).toBeInstanceOf(BSON.Binary);
    const numbers = unpackSignature(stored!.signature);
    const fresh = textSignature(`${stored!.title}\n${text}`)!;
    expect(numbers).toEqual({ minHashes: fresh.minHashes, bandKeys: fresh.bandKeys });
    expect(unpackSignature(packSignature(fresh))).toEqual(numbers);

    // As an older version stored it; a new API process loads the shop's signatures from the database.
    await Review.collection.updateOne({ _id: id } as never, { $set: { signature: numbers } });
    api.starling.deps.signatures.forget(api.shop.id);
    const copy = await api.gql(SUBMIT_STATUS, {
      input: review("pot-b", 5, { body: text.replace("stew", "soup"), reviewer: { name: "Bot", externalId: "bot-2" } }),
    });
    expect(copy.data.submitReview.review.status).toBe("QUARANTINED");
    // And of a packed one, loaded the same way.
    api.starling.deps.signatures.forget(api.shop.id);
    const second = await api.gql(SUBMIT_STATUS, {
      input: review("pot-c", 5, { body: text.replace("hours", "ages"), reviewer: { name: "Bot", externalId: "bot-3" } }),
    });
    expect(second.data.submitReview.review.status).toBe("QUARANTINED");

    // Stored by an older Starling, before reviews had a shop key: a new process's first load of the
    // shop gives its reviews that key, once per shop, without waiting for `recompute`.
    const deps = api.starling.deps;
    const Shop = deps.models.Shop.collection;
    const loaded = async () => {
      deps.signatures.forget(api.shop.id);
      return (await deps.signatures.get(deps, api.shop.id)).candidates(fresh, Date.now()).map((c) => c.reviewId);
    };
    expect((await Shop.findOne({ _id: api.shop.id } as never))!.reviewsShopKeyed).toBe(true);
    expect(await loaded()).toContain(id);
    await Review.collection.updateOne({ _id: id } as never, { $unset: { pageShopNewest: "" } });
    await Shop.updateOne({ _id: api.shop.id } as never, { $unset: { reviewsShopKeyed: "" } });
    expect(await loaded()).toContain(id);
    expect((await Review.collection.findOne({ _id: id } as never))!.pageShopNewest).toMatch(/^[^.]+\.[^.]+\./);
    expect((await Shop.findOne({ _id: api.shop.id } as never))!.reviewsShopKeyed).toBe(true);
    // Once marked, the shop is not read for it again: a review stored without the key then (only an
    // older process beside a new one would store one) waits for `recompute`.
    await Review.collection.updateOne({ _id: id } as never, { $unset: { pageShopNewest: "" } });
    expect(await loaded()).not.toContain(id);
    expect(await addMissingPageKeys(deps)).toBe(1);
    expect(await loaded()).toContain(id);
  });
});

describe("the trust verdict", () => {
  it("is shown to moderators, with reasons in words, and not to a publishable key", async () => {
    const mod = (await api.gql(TRUST, { id: "kettle" })).data.product.reviews.edges;
    const burstReview = mod.find((e: any) => e.node.title === "Great kettle 9").node;
    expect(burstReview.trust.weight).toBeLessThan(1);
    expect(burstReview.trust.scoredBy).toBe("write");
    expect(burstReview.trust.reasons.map((r: any) => r.code)).toContain("first_time_reviewer");
    expect(burstReview.trust.reasons.every((r: any) => r.text.length > 5)).toBe(true);
    const pub = (await api.gql(TRUST, { id: "kettle" }, api.shop.publishableKey)).data.product.reviews.edges;
    expect(pub.every((e: any) => e.node.trust === null)).toBe(true);
  });
});

describe("scoring states", () => {
  it("keeps a product's and a known reviewer's state, and none for an anonymous reviewer, whose key is never seen again", async () => {
    await api.gql(`mutation { putProduct(input: { id: "mug", name: "Mug" }) { id } }`);
    const known = await api.gql(SUBMIT, { input: review("mug", 5, { reviewer: { name: "Ann", externalId: "cust-ann" } }) });
    expect(known.errors).toBeUndefined();
    const viaForm = await api.gql(SUBMIT, { input: review("mug", 4, { body: "Holds heat well." }) }, api.shop.publishableKey);
    expect(viaForm.errors).toBeUndefined();
    const ids = (await api.models.ScoringState.find({}, { _id: 1 }).lean()).map((d) => String(d._id));
    expect(ids).toContain(`product:${api.shop.id}:mug`);
    expect(ids).toContain(`reviewer:${api.shop.id}:id:cust-ann`);
    expect(ids.filter((id) => id.includes(":anon:"))).toEqual([]);
  });

  it("are stored packed in one binary field, and states stored before as documents are read and carried on", async () => {
    await api.gql(`mutation { putProduct(input: { id: "lamp", name: "Lamp" }) { id } }`);
    const id = `product:${api.shop.id}:lamp`;
    for (const [i, stars] of [5, 4, 1].entries()) {
      const r = await api.gql(SUBMIT, { input: review("lamp", stars, { reviewer: { name: `L${i}`, externalId: `lamp-${i}` } }) });
      expect(r.errors).toBeUndefined();
    }
    const packed = (await api.models.ScoringState.collection.findOne({ _id: id } as never))!.state;
    expect(packed).toBeInstanceOf(BSON.Binary);
    const state = unpackState(packed) as ProductState;
    expect(state.counts.histogram).toEqual([1, 0, 0, 1, 1]);
    expect(state.arrival.recent.map((a) => a.stars)).toEqual([5, 4, 1]);
    // A product's state (over 1 kB of BSON) is stored deflated; a reviewer's few hundred bytes are not.
    expect(packed.sub_type).toBe(0x80);
    expect(packed.length()).toBeLessThan(BSON.calculateObjectSize(state as never));
    const reviewerState = (await api.models.ScoringState.collection.findOne({ _id: `reviewer:${api.shop.id}:id:lamp-0` } as never))!.state;
    expect(reviewerState.sub_type).toBe(0);
    expect(unpackState(reviewerState)).toMatchObject({ reviewCount: 1 });
    // Packed but not deflated, as states were stored before: read and carried on too.
    await api.models.ScoringState.collection.replaceOne({ _id: id } as never, { state: new BSON.Binary(BSON.serialize(state)) } as never);
    const plain = await api.gql(SUBMIT, { input: review("lamp", 2, { reviewer: { name: "L2b", externalId: "lamp-2b" } }) });
    expect(plain.errors).toBeUndefined();
    const carried = unpackState((await api.models.ScoringState.collection.findOne({ _id: id } as never))!.state) as ProductState;
    expect(carried.arrival.recent.map((a) => a.stars)).toEqual([5, 4, 1, 2]);
    // The same state as a document, as states were stored before they were packed: the next review carries it on.
    await api.models.ScoringState.collection.replaceOne({ _id: id } as never, { state } as never);
    const next = await api.gql(SUBMIT, { input: review("lamp", 3, { reviewer: { name: "L3", externalId: "lamp-3" } }) });
    expect(next.errors).toBeUndefined();
    const after = unpackState((await api.models.ScoringState.collection.findOne({ _id: id } as never))!.state) as ProductState;
    expect(after.counts.histogram).toEqual([1, 0, 1, 1, 1]);
    expect(after.arrival.recent.map((a) => a.stars)).toEqual([5, 4, 1, 3]);
    expect(packState(after)).toEqual((await api.models.ScoringState.collection.findOne({ _id: id } as never))!.state);
  });
});

describe("when scoring fails", () => {
  it("the review is still stored and counts at full weight, and the failure is logged", async () => {
    await api.gql(`mutation { putProduct(input: { id: "odd", name: "Odd" }) { id } }`);
    // A scoring state the scorer cannot read (as a bad manual edit would leave it).
    await api.models.ScoringState.collection.replaceOne(
      { _id: `product:${api.shop.id}:odd` } as never,
      { state: { version: 1 } } as never,
      { upsert: true },
    );
    const r = await api.gql(SUBMIT, { input: review("odd", 4) });
    expect(r.errors).toBeUndefined();
    const doc = await api.models.Review.findById(r.data.submitReview.review.id).lean();
    expect(doc?.score ?? null).toBeNull();
    const rating = (await api.gql(RATING, { id: "odd" })).data.product.rating;
    expect(rating).toMatchObject({ count: 1, plainMean: 4, effectiveCount: 1 });
    expect(api.logLines().some((l) => l.includes("scoring failed"))).toBe(true);
  });

  it("a review stored before its scoring state failed to save is still counted, with its score", async () => {
    await api.gql(`mutation { putProduct(input: { id: "flaky", name: "Flaky" }) { id } }`);
    // The database refuses the next scoring-state write only (a fault injected into the driver).
    const states = api.models.ScoringState.collection;
    const bulkWrite = states.bulkWrite.bind(states);
    let refused = 0;
    states.bulkWrite = (async (...args: Parameters<typeof bulkWrite>) => {
      if (refused++ === 0) throw new Error("injected: write refused");
      return bulkWrite(...args);
    }) as typeof states.bulkWrite;
    try {
      const r = await api.gql(SUBMIT, { input: review("flaky", 2) });
      expect(r.errors).toBeUndefined();
      const doc = await api.models.Review.findById(r.data.submitReview.review.id).lean();
      expect(doc?.score?.trustWeightBp).toBeGreaterThan(0);
      expect(doc?.summaryApplied).toBe(true);
      const rating = (await api.gql(RATING, { id: "flaky" })).data.product.rating;
      expect(rating).toMatchObject({ count: 1, plainMean: 2 });
      expect(api.logLines().some((l) => l.includes("saving the scoring state failed"))).toBe(true);
    } finally {
      states.bulkWrite = bulkWrite;
    }
    expect(refused).toBeGreaterThan(0);
  });
});

describe("a burst that re-weights many earlier reviews at once", () => {
  it("stores their scores as the library's replay has them, with summaries and counters equal to a rebuild, one write per arrival", async () => {
    const deps = api.starling.deps;
    const productId = "reweight-kettle";
    await api.gql(`mutation($i: PutProductInput!) { putProduct(input: $i) { id } }`, { i: { id: productId, name: productId } });
    // A thin history, then first-time five-star reviews 20 s apart: the alarm re-weights dozens of the
    // burst's earlier members at once, most of them on two streams (twice in one arrival's re-weights).
    const start = Date.now() - 120 * DAY;
    const arrivals = [
      ...Array.from({ length: 5 }, (_, i) => ({ at: start + i * 18 * DAY, stars: [4, 5, 3, 4, 5][i]!, who: `rw-customer-${i}` })),
      ...Array.from({ length: 40 }, (_, i) => ({ at: Date.now() - 900_000 + i * 20_000, stars: 5, who: `rw-new-${i}` })),
    ];
    const Review = deps.models.Review;
    const updateOne = Review.updateOne.bind(Review);
    const bulkWrite = Review.bulkWrite.bind(Review);
    let reviewWrites = 0;
    Review.updateOne = ((...args: Parameters<typeof updateOne>) => {
      reviewWrites++;
      return updateOne(...args);
    }) as typeof Review.updateOne;
    Review.bulkWrite = ((...args: Parameters<typeof bulkWrite>) => {
      reviewWrites++;
      return bulkWrite(...args);
    }) as typeof Review.bulkWrite;
    const ids: string[] = [];
    let arrivalsThatReweighted = 0;
    try {
      for (const [i, a] of arrivals.entries()) {
        const before = reviewWrites;
        const { review: stored } = await submitReview({ ...deps, now: () => new Date(a.at) }, api.shop.id, {
          productId,
          rating: a.stars,
          title: `Kettle note ${i}`,
          body: `Arrival ${i} of the re-weight kettle from ${a.who}: ${"steam ".repeat((i % 7) + 1)}${i * 31} seconds to boil.`,
          reviewer: { name: a.who, externalId: a.who },
          idempotencyKey: `reweight-kettle-${i}`,
        });
        ids.push(stored.id);
        if (reviewWrites > before) arrivalsThatReweighted++;
        // The re-weights of one arrival: one write of the earlier reviews, however many.
        expect(reviewWrites - before).toBeLessThanOrEqual(1);
      }
    } finally {
      Review.updateOne = updateOne;
      Review.bulkWrite = bulkWrite;
    }
    expect(arrivalsThatReweighted).toBeGreaterThan(0);

    // The library's replay of the same arrivals: every review's final score, re-weights included.
    const atArrival = new Map<string, number>();
    /** Re-weights of a review that one arrival had already re-weighted: the second step starts from the first's score. */
    let chained = 0;
    const replay = scoreTimeline(
      arrivals.map((a, i) => ({ reviewId: ids[i]!, reviewerId: `id:${a.who}`, productId, stars: a.stars, timeMs: a.at })),
      {
        onScore: (r, score) => {
          atArrival.set(r.reviewId, score.trustWeightBp);
          const once = new Set(score.reweighted.map((rw) => rw.reviewId));
          chained += score.reweighted.length - once.size;
        },
      },
    );
    const docs = new Map((await Review.find({ _id: { $in: ids } }).lean()).map((d) => [d._id, d]));
    let reweighted = 0;
    for (const expected of replay.reviews) {
      const score = docs.get(expected.reviewId)!.score!;
      expect(score.trustWeightBp).toBe(expected.trustWeightBp);
      expect(score.suspicion).toBe(expected.suspicion);
      expect(score.reasons.map((r) => `${r.code} ${r.weight}`).sort()).toEqual(expected.reasons.map((r) => `${r.code} ${r.weight}`).sort());
      if (expected.trustWeightBp !== atArrival.get(expected.reviewId)) reweighted++;
    }
    // Many earlier reviews were re-weighted, far more than the arrivals that did it, some twice by one arrival.
    expect(reweighted).toBeGreaterThan(10 * arrivalsThatReweighted);
    expect(chained).toBeGreaterThan(0);

    // The summaries and the dashboard's counters moved exactly: a rebuild from the reviews changes nothing.
    const counters = () => deps.models.DashboardCounts.findOne({ _id: `product:${api.shop.id}:${productId}` }).lean();
    const live = await counters();
    const report = await recomputeSummaries(deps, { shopId: api.shop.id });
    expect(report.repaired).not.toContain(`product:${api.shop.id}:${productId}`);
    expect(report.repaired).not.toContain(`shop:${api.shop.id}`);
    await rebuildDashboardCounts(deps, { shopId: api.shop.id });
    const nonZero = (weeks: Record<string, Record<string, number>>) =>
      Object.fromEntries(Object.entries(weeks).map(([w, c]) => [w, Object.fromEntries(Object.entries(c).filter(([, v]) => v !== 0))]));
    expect(nonZero((live as any).weeks)).toEqual(nonZero(((await counters()) as any).weeks));
    const rating = (await api.gql(RATING, { id: productId })).data.product.rating;
    expect(rating.count).toBe(arrivals.length);
    expect(rating.discounted.reasons.map((r: any) => r.code)).toContain("burst");
  });
});

describe("a reviewer ring (issue 18)", () => {
  it("is discounted at write time with the group's pattern in words, and a re-score replays the scoring states the write path stored", async () => {
    const shop = api.shop;
    const products = ["ring-a", "ring-b", "ring-c", "ring-d"];
    for (const id of products) {
      const r = await api.gql(`mutation($i: PutProductInput!) { putProduct(input: $i) { id } }`, { i: { id, name: id } }, shop.key);
      expect(r.errors).toBeUndefined();
    }
    // Five accounts lift the four products in turn, two days apart, each within hours. From 02:00 UTC: the
    // write path counts the group's span in calendar days, so a start after 20:00 would make it 8 days, not 7.
    const start = Math.floor((Date.now() - 30 * DAY) / DAY) * DAY + 2 * 3_600_000;
    const ids: string[][] = products.map(() => []);
    for (const [p, productId] of products.entries()) {
      for (let m = 0; m < 5; m++) {
        const at = new Date(start + p * 2 * DAY + m * 3_600_000);
        const { review: stored } = await submitReview({ ...api.starling.deps, now: () => at }, shop.id, {
          productId,
          rating: 5,
          title: `Great ${productId}`,
          body: `Member ${m} loved ${productId}: review ${p * 5 + m}.`,
          reviewer: { name: `Member ${m}`, externalId: `ring-member-${m}` },
          idempotencyKey: `ring-${p}-${m}`,
        });
        ids[p]!.push(stored.id);
      }
    }
    const last = (await api.models.Review.findById(ids[3]![4]).lean())!;
    const group = last.score!.reasons.find((r) => r.code === "co_review")!;
    expect(group.text).toBe("5 accounts reviewed the same 4 products, each within 3 days of one another (over 7 days).");
    expect(JSON.stringify(last.score!.reasons)).not.toContain("ring-member");
    expect(last.score!.trustWeightBp).toBeLessThanOrEqual(5_000);
    // The first members on a product were re-weighted when the group showed.
    const first = (await api.models.Review.findById(ids[2]![0]).lean())!;
    expect(first.score!.reasons.some((r) => r.code === "co_review")).toBe(true);

    // The ring's products and accounts (the shop's other states belong to other tests).
    const states = async () =>
      (
        await api.models.ScoringState.find({ _id: { $regex: `^(product:${shop.id}:ring-|reviewer:${shop.id}:id:ring-member-)` } })
          .sort({ _id: 1 })
          .lean()
      ).map((d) => ({ _id: d._id, state: unpackState(d.state) }));
    const incremental = await states();
    expect(incremental.length).toBe(products.length + 5);
    const env = { MONGODB_URI: inject("mongoUri"), STARLING_DB_NAME: api.starling.db.conn.name };
    const rescore = spawnCli(["recompute", "--rescore"], env);
    expect((await rescore.exited).code, rescore.stderr()).toBe(0);
    expect(await states()).toEqual(incremental);
    // With hindsight, the group's first two products are discounted too.
    const early = (await api.models.Review.findById(ids[0]![0]).lean())!;
    expect(early.score!.by).toBe("batch");
    expect(early.score!.reasons.some((r) => r.code === "co_review")).toBe(true);
  });
});

describe("the benchmark's legacy-scoring server (bench/servers/api-variant.ts --legacy-scoring: issue 18's own cost)", () => {
  /** Scores the ring of `prefix`'s products (which the default scorer discounts as a group) through `deps`; the library's replay of it. */
  async function legacyRing(deps: ReturnType<typeof createDeps>, prefix: string) {
    const shop = api.shop;
    const products = ["a", "b", "c", "d"].map((p) => `${prefix}-${p}`);
    for (const id of products) {
      const r = await api.gql(`mutation($i: PutProductInput!) { putProduct(input: $i) { id } }`, { i: { id, name: id } }, shop.key);
      expect(r.errors).toBeUndefined();
    }
    // The ring above, which the default scorer discounts as a group.
    const start = Math.floor((Date.now() - 30 * DAY) / DAY) * DAY + 2 * 3_600_000;
    const timeline = [];
    for (const [p, productId] of products.entries()) {
      for (let m = 0; m < 5; m++) {
        const at = new Date(start + p * 2 * DAY + m * 3_600_000);
        const input = {
          productId,
          rating: 5,
          title: `Great ${productId}`,
          body: `Member ${m} loved ${productId}: review ${p * 5 + m}.`,
          reviewer: { name: `Member ${m}`, externalId: `${prefix}-member-${m}` },
          idempotencyKey: `${prefix}-${p}-${m}`,
        };
        const { review: stored } = await submitReview({ ...deps, now: () => at }, shop.id, input);
        timeline.push({
          reviewId: stored.id,
          reviewerId: `id:${input.reviewer.externalId}`,
          productId,
          stars: 5,
          timeMs: at.getTime(),
          text: `${input.title}\n${input.body}`,
        });
      }
    }
    const stored = await api.models.Review.find({ _id: { $in: timeline.map((t) => t.reviewId) } }).lean();
    const weights = new Map(stored.map((r) => [r._id, r.score!.trustWeightBp]));
    expect(stored.flatMap((r) => r.score!.reasons.map((x) => x.code))).not.toContain("co_review");
    // The same weights as the library's replay with the legacy options, whose states keep every field.
    const replay = scoreTimeline(timeline, { scoring: LEGACY_SCORING_OPTIONS });
    expect(replay.reviews.map((r) => weights.get(r.reviewId))).toEqual(replay.reviews.map((r) => r.trustWeightBp));
    expect(scoreTimeline(timeline).reviews.at(-1)!.trustWeightBp).toBeLessThan(replay.reviews.at(-1)!.trustWeightBp);
    return replay;
  }

  /** A scoring state as stored: packed, as every server stores them (packing is storage, not issue 18). */
  const storedState = async (id: string) => {
    const stored = (await api.models.ScoringState.collection.findOne({ _id: id } as never))!.state;
    expect(stored).toBeInstanceOf(BSON.Binary);
    return unpackState(stored) as Record<string, any>;
  };

  it("scores as LEGACY_SCORING_OPTIONS does and stores states packed, without the fields only issue 18's mechanisms read", async () => {
    const shop = api.shop;
    // Deps of their own (as api-variant.ts --legacy-scoring builds them for that server), over the same database.
    const legacy = createDeps(api.models, 5, memoryLogger(), {
      scoringOptions: LEGACY_SCORING_OPTIONS,
      packScoringState: legacyPackState(LEGACY_SCORING_OPTIONS),
    });
    const replay = await legacyRing(legacy, "old-ring");
    const state = storedState;
    const product = await state(`product:${shop.id}:old-ring-d`);
    expect(product.arrival.trail).toBeUndefined();
    expect(product.arrival.recent).toHaveLength(5);
    for (const entry of product.arrival.recent)
      expect(Object.keys(entry).sort()).toEqual([
        "firstTime",
        "flaggedMask",
        "logOdds",
        "reviewId",
        "stars",
        "timeMs",
        "topReason",
        "weightBp",
      ]);
    expect(Object.keys(product.arrival.streams.all).sort()).toEqual([
      "cusum",
      "cusumAtMs",
      "cusumCount",
      "cusumStartMs",
      "decayedAtMs",
      "decayedCount",
      "settledCount",
    ]);
    const reviewer = await state(`reviewer:${shop.id}:id:old-ring-member-0`);
    expect(reviewer).toEqual({
      ...replay.reviewers.get("id:old-ring-member-0"),
      activeDays: undefined,
      recentProducts: undefined,
      flaggedReviews: undefined,
    });
    expect(Object.keys(reviewer)).not.toContain("recentProducts");
  });

  it("is the benchmark's own: the service stores every state whole, whatever the scorer's options", async () => {
    const shop = api.shop;
    // The scorer's options alone, as startStarling's `scoring` takes them without the bench's packScoringState.
    const legacyScorer = createDeps(api.models, 5, memoryLogger(), { scoringOptions: LEGACY_SCORING_OPTIONS });
    const replay = await legacyRing(legacyScorer, "whole-ring");
    const product = await storedState(`product:${shop.id}:whole-ring-d`);
    const replayed = replay.products.get("whole-ring-d")!;
    expect(product.arrival.trail).toEqual(replayed.arrival.trail);
    expect(product.arrival.recent).toEqual(replayed.arrival.recent);
    expect(product.arrival.recent[0]).toHaveProperty("reviewerId", "id:whole-ring-member-0");
    expect(Object.keys(product.arrival.streams.all)).toContain("campaign");
    const reviewer = await storedState(`reviewer:${shop.id}:id:whole-ring-member-0`);
    expect(reviewer).toEqual(replay.reviewers.get("id:whole-ring-member-0"));
    expect(Object.keys(reviewer)).toEqual(expect.arrayContaining(["activeDays", "recentProducts", "flaggedReviews"]));
  });

  it("replays a shop (re-score, hindsight sweep, import) with its own scorer options, not the defaults", async () => {
    const legacyScorer = createDeps(api.models, 5, memoryLogger(), { scoringOptions: LEGACY_SCORING_OPTIONS });
    const ring = await legacyRing(legacyScorer, "replay-ring");
    const { replayed, writeTime, scores } = await replayShopHistory(legacyScorer, api.shop.id);
    const timeline = timelineOf(replayed);
    const legacy = scoreTimeline(timeline, { scoring: LEGACY_SCORING_OPTIONS });
    expect(writeTime.reviews.map((r) => r.trustWeightBp)).toEqual(legacy.reviews.map((r) => r.trustWeightBp));
    const hindsight = rescoreWithHindsight(timeline, legacy, LEGACY_SCORING_OPTIONS);
    expect(hindsight.map((h) => scores.get(h.reviewId)?.trustWeightBp)).toEqual(hindsight.map((h) => h.trustWeightBp));
    // The ring is what the two options tell apart: the defaults discount it as a group.
    const lastId = ring.reviews.at(-1)!.reviewId;
    const weightOfLast = (result: { reviews: readonly { reviewId: string; trustWeightBp: number }[] }) =>
      result.reviews.find((r) => r.reviewId === lastId)!.trustWeightBp;
    expect(weightOfLast(scoreTimeline(timeline))).toBeLessThan(weightOfLast(writeTime));
  });
});

describe("recompute --rescore", () => {
  it("re-scores every review with hindsight, fits the prior strength, and leaves summaries a plain recompute agrees with", async () => {
    const env = { MONGODB_URI: inject("mongoUri"), STARLING_DB_NAME: api.starling.db.conn.name };
    const rescore = spawnCli(["recompute", "--rescore"], env);
    expect((await rescore.exited).code, rescore.stderr()).toBe(0);
    expect(rescore.stdout()).toMatch(/re-scored \d+ reviews of 1 shops with hindsight/);
    const docs = await api.models.Review.find({ shopId: api.shop.id }).lean();
    expect(docs.every((d) => d.score?.by === "batch")).toBe(true);
    const shop = await api.models.RatingSummary.findById(`shop:${api.shop.id}`).lean();
    expect(shop?.priorStrength).toBeGreaterThanOrEqual(5);

    const again = spawnCli(["recompute"], env);
    expect((await again.exited).code).toBe(0);
    expect(again.stdout()).toContain("; 0 differed");
    // New reviews after a re-score are scored against the replayed states.
    const next = await api.gql(SUBMIT, { input: review("kettle", 4, { reviewer: { name: "Customer 3", externalId: "customer-3" } }) });
    expect(next.errors).toBeUndefined();
  }, 180_000); // two CLI processes, each starting tsx and rebuilding summaries and the dashboard's counters: over 60 s on a busy 2-core machine
});

// Last: it adds a second shop, which the re-score's count of shops above would see.
describe("the near-duplicate index's load", () => {
  it("a new process reads the shop's recent signatures as an index range, newest first, not a scan and sort of every review", async () => {
    const deps = api.starling.deps;
    const other = await api.newShop("Signatures elsewhere");
    for (const [key, productId] of [
      [api.shop.key, "pot-a"],
      [other.key, "pan"],
    ] as const) {
      if (key === other.key)
        await api.gql(`mutation($i: PutProductInput!) { putProduct(input: $i) { id } }`, { i: { id: productId, name: productId } }, key);
      for (let i = 0; i < 3; i++) {
        const r = await api.gql(
          SUBMIT_STATUS,
          {
            input: review(productId, 4, {
              body: `Review ${i} of ${productId}: the handle stays cool and the base heats evenly on gas ${i}.`,
            }),
          },
          key,
        );
        expect(r.errors).toBeUndefined();
      }
    }
    const mine = await deps.models.Review.find({ shopId: api.shop.id, signature: { $ne: null } }, { createdAt: 1 }).lean();
    const newest = mine.sort((a, b) => b.createdAt.getTime() - a.createdAt.getTime() || (a._id < b._id ? 1 : -1)).slice(0, 2);
    const read = await recentSignatures(deps, api.shop.id, 2).toArray();
    expect(read.map((r) => r._id)).toEqual(newest.map((r) => r._id));
    const plan = JSON.stringify((await recentSignatures(deps, api.shop.id, 20_000).explain()).queryPlanner);
    if (inject("backend") === "ferretdb") {
      expect(plan).toMatch(/SEARCH \S+ USING INDEX \S+_page_shop_newest/);
      expect(plan).not.toMatch(/\bSCAN\b|TEMP B-TREE/);
    } else {
      expect(plan).toMatch(/page_shop_newest/);
      expect(plan).not.toMatch(/COLLSCAN|"stage":"SORT"/);
    }
  });

  it("a new process loads, before any write of its own, the indexes of the shops that took a review in the last day", async () => {
    // This shop took reviews above (today); a second API process over the same database.
    const second = await startTestApi({ dbName: api.models.Review.db.name });
    try {
      const deps = second.starling.deps;
      await expect.poll(() => deps.signatures.has(api.shop.id), { timeout: 30_000 }).toBe(true);
      // Loaded from the stored texts: a copy of one of them is a candidate.
      const [stored] = await recentSignatures(deps, api.shop.id, 1).toArray();
      const signature = unpackSignature(stored!.signature) as NonNullable<ReturnType<typeof textSignature>>;
      const index = await deps.signatures.get(deps, api.shop.id);
      expect(index.candidates(signature, Date.now()).map((c) => c.reviewId)).toContain(stored!._id);
      // Its own new shop has taken no review: nothing to load for it.
      expect(deps.signatures.has(second.shop.id)).toBe(false);
    } finally {
      // Its process only: the database is this file's.
      await second.starling.close();
    }
  });
});
