/**
 * The dashboard's maintained counters (DashboardCountsDoc): moved by every
 * stored review, status change, re-weight and erasure, so that the overview
 * of a shop with 500 000 reviews is two reads by `_id`, never a scan of its
 * reviews. `recompute` rebuilds them from the reviews (rebuildDashboardCounts),
 * the same way it rebuilds the rating summaries.
 *
 * They are written after the review's own write, outside its exactly-once
 * counting (ratings.ts): a process killed between the two leaves a chart off
 * by that review until the next `recompute`. The rating shown to shoppers
 * never reads them.
 */
import { Double } from "mongodb";
import { FULL_WEIGHT_BP } from "@starling/scoring";
import type { DashboardCountsDoc } from "./model.js";
import type { ReviewDoc, ReviewStatus } from "../reviews/model.js";
import type { StoredScore } from "../scoring/model.js";
import { duplicateKeyFailures, isDuplicateKey } from "../../errors.js";
import type { Deps } from "../deps.js";

export const shopCountsId = (shopId: string) => `shop:${shopId}`;
export const productCountsId = (shopId: string, productId: string) => `product:${shopId}:${productId}`;

/** The Monday (UTC) of a date's week, as YYYY-MM-DD: the key of its week's counters. */
export function weekOf(d: Date): string {
  const day = (d.getUTCDay() + 6) % 7; // Monday 0
  const monday = new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate() - day));
  return monday.toISOString().slice(0, 10);
}

type Counted = Pick<ReviewDoc, "shopId" | "productId" | "rating" | "provenance" | "createdAt"> & { score?: StoredScore | null };

export interface StatusMove {
  readonly review: Counted;
  /** Null for a review just stored. */
  readonly from: ReviewStatus | null;
  /** Null for a review deleted. */
  readonly to: ReviewStatus | null;
}

const bpOf = (score: StoredScore | null | undefined) => score?.trustWeightBp ?? FULL_WEIGHT_BP;

function add(inc: Record<string, number>, key: string, by: number) {
  inc[key] = (inc[key] ?? 0) + by;
}

/** The increments one move makes on its shop's and its product's counters (the same on both). */
function moveIncrements(move: StatusMove, inc: Record<string, number>): void {
  const r = move.review;
  const week = `weeks.${weekOf(r.createdAt)}`;
  const verified = r.provenance === "VERIFIED_PURCHASE";
  for (const [status, sign] of [
    [move.from, -1],
    [move.to, 1],
  ] as const) {
    if (status === null) {
      add(inc, `${week}.r`, sign === 1 ? -1 : 1);
      continue;
    }
    add(inc, `status.${status}.${r.rating}`, sign);
    if (verified) add(inc, `verified.${status}`, sign);
    if (status === "published") {
      add(inc, `${week}.p${r.rating}`, sign);
      add(inc, `${week}.w${r.rating}`, sign * bpOf(r.score));
      if (verified) add(inc, `${week}.v`, sign);
    }
  }
}

/** Applies status moves to the counters: one update per shop and per product touched. */
export async function countStatusMoves(deps: Deps, moves: readonly StatusMove[]): Promise<void> {
  const docs = new Map<string, { shopId: string; productId: string | null; inc: Record<string, number> }>();
  for (const move of moves) {
    if (move.from === move.to) continue;
    const { shopId, productId } = move.review;
    for (const [id, pid] of [
      [shopCountsId(shopId), null],
      [productCountsId(shopId, productId), productId],
    ] as const) {
      let doc = docs.get(id);
      if (!doc) docs.set(id, (doc = { shopId, productId: pid, inc: {} }));
      moveIncrements(move, doc.inc);
    }
  }
  await applyIncrements(deps, docs);
}

/** Moves a published review's trust weight in its week (a burst flagged after it arrived). */
export async function countReweight(deps: Deps, review: Counted, beforeBp: number, afterBp: number): Promise<void> {
  await countReweights(deps, [{ review, beforeBp, afterBp }]);
}

/** countReweight for many reviews (the hindsight sweep's), in one command for all their shop's and products' counters. */
export async function countReweights(deps: Deps, moves: readonly { review: Counted; beforeBp: number; afterBp: number }[]): Promise<void> {
  const docs = new Map<string, { shopId: string; productId: string | null; inc: Record<string, number> }>();
  for (const { review, beforeBp, afterBp } of moves) {
    if (beforeBp === afterBp) continue;
    const key = `weeks.${weekOf(review.createdAt)}.w${review.rating}`;
    for (const [id, productId] of [
      [shopCountsId(review.shopId), null],
      [productCountsId(review.shopId, review.productId), review.productId as string | null],
    ] as const) {
      let doc = docs.get(id);
      if (!doc) docs.set(id, (doc = { shopId: review.shopId, productId, inc: {} }));
      doc.inc[key] = (doc.inc[key] ?? 0) + afterBp - beforeBp;
    }
  }
  if (docs.size) await applyIncrements(deps, docs);
}

/**
 * One command for all the documents (a write batch touches its shop's and
 * each of its products'): FerretDB's cost is per command as much as per
 * document, and one update per product was a command per review.
 *
 * An upsert that loses a race to create its document fails with E11000, and
 * FerretDB answers a failed statement of a many-statement update with one
 * error for the whole command, after applying the statements before it: which
 * increments landed is then unknown. So documents this process has not seen
 * yet are created first, by an insert (atomic, and reporting each duplicate),
 * and the increments never race to create one.
 */
async function applyIncrements(
  deps: Deps,
  docs: Map<string, { shopId: string; productId: string | null; inc: Record<string, number> }>,
): Promise<void> {
  const collection = deps.models.DashboardCounts.collection;
  const updates = [...docs].flatMap(([_id, d]) => {
    const $inc = Object.fromEntries(
      Object.entries(d.inc)
        .filter(([, v]) => v !== 0)
        // Weight sums pass 2^31 (FerretDB wraps a 32-bit $inc; see ratings.ts): doubles.
        .map(([k, v]) => [k, /\.w[1-5]$/.test(k) ? new Double(v) : v]),
    );
    return Object.keys($inc).length ? [{ _id, shopId: d.shopId, productId: d.productId, $inc }] : [];
  });
  if (!updates.length) return;
  const known = knownCounts(deps);
  const unseen = updates.filter((u) => !known.has(u._id));
  if (unseen.length) {
    await collection
      .insertMany(
        unseen.map((u) => ({ _id: u._id, shopId: u.shopId, productId: u.productId }) as never),
        { ordered: false },
      )
      .catch((err: unknown) => {
        if (!duplicateKeyFailures(err) && !isDuplicateKey(err)) throw err;
      });
    if (known.size > 100_000) known.clear();
    for (const u of unseen) known.add(u._id);
  }
  await collection.bulkWrite(
    updates.map((u) => ({
      updateOne: {
        filter: { _id: u._id } as never,
        // Upsert still: a document a rebuild dropped since is made again.
        update: { $inc: u.$inc, $setOnInsert: { shopId: u.shopId, productId: u.productId } } as never,
        upsert: true,
      },
    })),
    { ordered: false },
  );
}

/** The counters documents this process knows exist (created or written by it). */
const knownByDeps = new WeakMap<Deps, Set<string>>();
function knownCounts(deps: Deps): Set<string> {
  let known = knownByDeps.get(deps);
  if (!known) knownByDeps.set(deps, (known = new Set()));
  return known;
}

/**
 * The counters' writes never fail the review's own: they are logged, and
 * `recompute` repairs what they missed.
 */
export function countQuietly(deps: Deps, work: Promise<void>): Promise<void> {
  return work.catch((error: unknown) => deps.log.error("updating the dashboard's counters failed; `recompute` repairs them", { error }));
}

/**
 * A rebuild of the counters (every shop's, or one shop's) from the reviews:
 * `add` each review of the scope, then `save`, which writes the counters and
 * drops those of the scope no review made. recomputeSummaries reads the
 * reviews for both in one pass (`recompute`, the end of an import).
 */
export function dashboardCountsRebuild(
  deps: Deps,
  scope: { shopId?: string } = {},
): { add(review: Counted & { status: ReviewStatus }): void; save(): Promise<number> } {
  const only = scope.shopId === undefined ? {} : { shopId: scope.shopId };
  const fresh = new Map<string, DashboardCountsDoc>();
  const put = (id: string, shopId: string, productId: string | null, inc: Record<string, number>) => {
    let doc = fresh.get(id);
    if (!doc) fresh.set(id, (doc = { _id: id, shopId, productId, status: {}, verified: {}, weeks: {} }));
    for (const [path, v] of Object.entries(inc)) {
      const [top, mid, leaf] = path.split(".") as [string, string, string | undefined];
      const group = (doc as unknown as Record<string, Record<string, unknown>>)[top]!;
      if (leaf === undefined) group[mid] = ((group[mid] as number | undefined) ?? 0) + v;
      else {
        const inner = (group[mid] ??= {}) as Record<string, number>;
        inner[leaf] = (inner[leaf] ?? 0) + v;
      }
    }
  };
  return {
    add(r) {
      const inc: Record<string, number> = {};
      moveIncrements({ review: r, from: null, to: r.status }, inc);
      put(shopCountsId(r.shopId), r.shopId, null, inc);
      put(productCountsId(r.shopId, r.productId), r.shopId, r.productId, inc);
    },
    async save() {
      const collection = deps.models.DashboardCounts.collection;
      await collection.deleteMany({ ...only, _id: { $nin: [...fresh.keys()] } } as never);
      for (const doc of fresh.values()) {
        for (const week of Object.values(doc.weeks ?? {}))
          for (const k of Object.keys(week)) if (/^w[1-5]$/.test(k)) (week as Record<string, unknown>)[k] = new Double(week[k]!);
        await collection.replaceOne({ _id: doc._id } as never, doc as never, { upsert: true });
      }
      return fresh.size;
    },
  };
}

/** Rebuilds the counters with a pass of their own. Returns how many documents it wrote. */
export async function rebuildDashboardCounts(deps: Deps, scope: { shopId?: string } = {}): Promise<number> {
  const rebuild = dashboardCountsRebuild(deps, scope);
  const only = scope.shopId === undefined ? {} : { shopId: scope.shopId };
  const reviews = deps.models.Review.find(only, { shopId: 1, productId: 1, rating: 1, provenance: 1, createdAt: 1, score: 1, status: 1 })
    .lean<ReviewDoc[]>()
    .cursor({ batchSize: 1000 });
  for await (const r of reviews) rebuild.add(r);
  return rebuild.save();
}

export async function loadCounts(deps: Deps, id: string): Promise<DashboardCountsDoc | null> {
  return deps.models.DashboardCounts.findById(id).lean<DashboardCountsDoc>();
}
