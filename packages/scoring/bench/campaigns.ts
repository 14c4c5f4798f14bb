/**
 * Coordinated fraud (issue 18) injected into the real YelpChi shop timeline:
 * slow campaigns, seasoned accounts and reviewer rings, each with randomised
 * parameters, several seeds, targets on the held-out (odd) or tuning (even)
 * half of the established products. Every attack is replayed shop-wide (the
 * accounts' histories span products), through the write path and the batch
 * re-score, with issue 18's mechanisms off ("before") and on ("after").
 *
 * `pnpm --filter @starling/scoring bench:campaigns` (reads ../shared/data).
 * Deterministic: fixed seeds. Not a test; nothing here is timed.
 */
import {
  DEFAULT_SCORING_OPTIONS,
  LEGACY_SCORING_OPTIONS,
  type HindsightScore,
  type RatingPrior,
  type ScoringOptions,
  type TimelineReview,
  bayesianRating,
  empiricalBayesPrior,
  ratingCountsOf,
  rescoreWithHindsight,
  scoreTimeline,
  sweepScores,
  trustWeightedRating,
} from "../src/index.js";
import type { Reason } from "../src/reasons.js";
import { DAY_MS, type LabeledReview, seededRandom } from "./datasets.js";
import { auc } from "./metrics.js";

export type AttackKind = "slow campaign" | "seasoned accounts" | "reviewer ring";
export const ATTACK_KINDS: readonly AttackKind[] = ["slow campaign", "seasoned accounts", "reviewer ring"];

export interface Attack {
  readonly kind: AttackKind;
  /** Every injected review, the seasoning ones included. */
  readonly reviews: TimelineReview[];
  /** The reviews meant to move a rating, by target product. */
  readonly targets: Map<string, TimelineReview[]>;
}

/** A review is caught when it ends with at most half its weight. */
export const CAUGHT_BP = 5_000;
/** Reasons that say "part of a coordinated pattern", as opposed to one review's own features. */
const CAMPAIGN_CODES = new Set(["burst", "campaign", "co_review", "history_pattern", "flagged_history"]);

const int = (random: () => number, lo: number, hi: number) => lo + Math.floor(random() * (hi - lo + 1));

/** Sample one real star rating of a product (an "ordinary" review of it). */
function ordinaryStars(byProduct: Map<string, TimelineReview[]>, productId: string, random: () => number): number {
  const list = byProduct.get(productId)!;
  return list[Math.floor(random() * list.length)]!.stars;
}

/**
 * One attack of a kind on target product(s), at a random time after the first
 * quarter of the target's life. Parameter ranges (drawn per attack):
 * - slow campaign: 8–16 new accounts, one review every 2–5 days, 5★ (1★ one time in four);
 * - seasoned accounts: 6–12 accounts, each with 2–5 ordinary reviews (stars
 *   sampled from those products' real reviews) on other products over the
 *   7–30 days before, then all giving 5★ to the target within 1–3 days;
 * - reviewer ring: 4–8 accounts lifting 3–6 products in turn, each product
 *   within 1–3 days, 1–6 days between products, each member joining each
 *   product with probability 0.85, 5★.
 */
export function makeAttack(
  kind: AttackKind,
  id: string,
  targets: readonly string[],
  all: readonly string[],
  byProduct: Map<string, TimelineReview[]>,
  random: () => number,
): Attack {
  const reviews: TimelineReview[] = [];
  const byTarget = new Map<string, TimelineReview[]>();
  const add = (r: Omit<TimelineReview, "reviewId">, target: boolean) => {
    const review = { ...r, reviewId: `${id}-${reviews.length}` };
    reviews.push(review);
    if (target) {
      const list = byTarget.get(r.productId) ?? [];
      list.push(review);
      byTarget.set(r.productId, list);
    }
  };
  const startOf = (productId: string, spanDays: number) => {
    const times = byProduct.get(productId)!.map((r) => r.timeMs);
    const from = times[Math.floor(times.length / 4)]!;
    const to = Math.max(from, times[times.length - 1]! - spanDays * DAY_MS);
    return Math.floor((from + random() * (to - from)) / DAY_MS) * DAY_MS;
  };
  if (kind === "slow campaign") {
    const target = targets[0]!;
    const n = int(random, 8, 16);
    const stars = random() < 0.25 ? 1 : 5;
    let t = startOf(target, n * 4);
    for (let i = 0; i < n; i++) {
      add({ productId: target, reviewerId: `${id}-a${i}`, stars, timeMs: t }, true);
      t += int(random, 2, 5) * DAY_MS;
    }
  } else if (kind === "seasoned accounts") {
    const target = targets[0]!;
    const k = int(random, 6, 12);
    const hit = startOf(target, 3);
    const hitDays = int(random, 1, 3);
    for (let a = 0; a < k; a++) {
      const seasoning = int(random, 2, 5);
      const daysBefore = int(random, 7, 30);
      for (let s = 0; s < seasoning; s++) {
        let other = all[Math.floor(random() * all.length)]!;
        while (other === target) other = all[Math.floor(random() * all.length)]!;
        const t = hit - Math.floor(random() * daysBefore + 1) * DAY_MS;
        add({ productId: other, reviewerId: `${id}-a${a}`, stars: ordinaryStars(byProduct, other, random), timeMs: t }, false);
      }
      add({ productId: target, reviewerId: `${id}-a${a}`, stars: 5, timeMs: hit + int(random, 0, hitDays - 1) * DAY_MS }, true);
    }
  } else {
    const m = int(random, 4, 8);
    let t = startOf(targets[0]!, targets.length * 9);
    for (const target of targets) {
      const spread = int(random, 1, 3);
      let joined = 0;
      for (let a = 0; a < m; a++) {
        if (random() >= 0.85 && !(a === m - 1 && joined < 2)) continue;
        joined++;
        add({ productId: target, reviewerId: `${id}-a${a}`, stars: 5, timeMs: t + int(random, 0, spread - 1) * DAY_MS }, true);
      }
      t += (spread + int(random, 0, 5)) * DAY_MS;
    }
  }
  return { kind, reviews, targets: byTarget };
}

/** Injected reviews go after real ones of the same instant (as in bursts.ts). */
export function merge(real: readonly TimelineReview[], injected: readonly TimelineReview[]): TimelineReview[] {
  const tagged = [...real.map((r) => ({ r, inj: 0 })), ...injected.map((r) => ({ r, inj: 1 }))];
  // Stable: real rows keep their order, injected rows theirs.
  return tagged.sort((a, b) => a.r.timeMs - b.r.timeMs || a.inj - b.inj).map((x) => x.r);
}

interface Scored {
  /** Final weight (bp), suspicion and reasons per reviewId. */
  readonly weight: Map<string, number>;
  readonly suspicion: Map<string, number>;
  readonly reasons: Map<string, Reason[]>;
}

/** One replay's write-time and hindsight scores per option set, shared by the scorers that use them. */
type ReplayCache = Map<ScoringOptions, { writeTime: ReturnType<typeof scoreTimeline>; hindsight?: HindsightScore[] }>;

function score(rows: readonly TimelineReview[], s: ScorerName, cache: ReplayCache): Scored {
  const options = scorerOptions(s);
  let replay = cache.get(options);
  if (replay === undefined) cache.set(options, (replay = { writeTime: scoreTimeline(rows, { scoring: options }) }));
  const hindsight = () => (replay.hindsight ??= rescoreWithHindsight(rows, replay.writeTime, options));
  // The sweep is what the API's daily hindsight sweep applies: the write
  // path's scores at the end of the replay, combined with the batch's.
  const scores = s.endsWith("batch")
    ? hindsight()
    : s.endsWith("sweep")
      ? sweepScores(replay.writeTime.reviews, hindsight())
      : replay.writeTime.reviews;
  const weight = new Map<string, number>();
  const suspicion = new Map<string, number>();
  const reasons = new Map<string, Reason[]>();
  for (const x of scores) {
    weight.set(x.reviewId, x.trustWeightBp);
    suspicion.set(x.reviewId, x.suspicion);
    reasons.set(x.reviewId, x.reasons);
  }
  return { weight, suspicion, reasons };
}

/** The displayed rating of a product from its reviews up to cutoffMs, with the weights given (undefined: full weight). */
function displayed(reviews: readonly TimelineReview[], cutoffMs: number, prior: RatingPrior, weight?: Map<string, number>): number {
  const kept = reviews.filter((r) => r.timeMs <= cutoffMs);
  if (weight === undefined) {
    const h: [number, number, number, number, number] = [0, 0, 0, 0, 0];
    for (const r of kept) h[r.stars - 1]! += 1;
    return bayesianRating(h, prior).mean;
  }
  return trustWeightedRating(ratingCountsOf(kept.map((r) => ({ stars: r.stars, weightBp: weight.get(r.reviewId)! }))), prior).mean;
}

export const SCORERS = ["before, write-time", "after, write-time", "before, batch", "after, batch", "after, sweep"] as const;
export type ScorerName = (typeof SCORERS)[number];
let afterOptions: ScoringOptions = DEFAULT_SCORING_OPTIONS;
const scorerOptions = (s: ScorerName) => (s.startsWith("before") ? LEGACY_SCORING_OPTIONS : afterOptions);

export interface KindResult {
  readonly kind: AttackKind;
  readonly scorer: ScorerName;
  readonly attacks: number;
  readonly targetReviews: number;
  /** Share of attacks with at least half of their target reviews caught. */
  readonly detection: number;
  /** Share of target reviews caught. */
  readonly caught: number;
  /** Target reviews with a campaign-level reason. */
  readonly flagged: number;
  /** Per-review AUC of suspicion, target reviews vs every real review. */
  readonly auc: number;
  /** Mean |Δ displayed rating| per target product at the attack's end: undefended (Bayes, full weights) and this scorer. */
  readonly shiftUndefended: number;
  readonly shift: number;
}

export interface OrganicResult {
  readonly scorer: ScorerName;
  readonly reviews: number;
  readonly meanWeight: number;
  /** Real reviews caught (≤ 0.5) with a campaign-level reason, and those (product, day)s per product-year. */
  readonly caughtByCampaignReasons: number;
  readonly flagDaysPerProductYear: number;
  /** The same product-days counting only reviews Yelp's filter kept (YelpChi's "real" timeline holds 13% reviews Yelp filtered as spam). */
  readonly unfilteredFlagDaysPerProductYear: number;
  /** Real first-time 1–2★ reviews (genuine complaints, by Yelp's filter) discounted below 0.9, and caught. */
  readonly complaints: number;
  readonly complaintsDiscounted: number;
  readonly complaintsCaught: number;
  /** Displayed rating at the end of the timeline vs the "before" scorer of the same kind: mean and max |Δ| over products with ≥ 10 reviews. */
  readonly ratingMoveMean: number;
  readonly ratingMoveMax: number;
  /** The same at the end against today's write path ("after, write-time"; NaN when it was not run): signed mean, mean and max |Δ|. */
  readonly vsWritePathSignedMean: number;
  readonly vsWritePathMean: number;
  readonly vsWritePathMax: number;
  /** Products (of productsShown, those with ≥ 10 reviews) shown 0.01 or more higher, and lower, than by the write path. */
  readonly vsWritePathUp: number;
  readonly vsWritePathDown: number;
  readonly productsShown: number;
}

export interface CampaignBenchOptions {
  readonly seeds: readonly number[];
  readonly attacksPerSeed: number;
  /** Target products: "held-out" odd ids, "tuning" even ids (products with ≥ 50 reviews). */
  readonly split: "held-out" | "tuning";
  /** Only these scorers and kinds (default: all); a quicker run while trying a change. */
  readonly scorers?: readonly ScorerName[];
  readonly kinds?: readonly AttackKind[];
  /** The "after" options (default DEFAULT_SCORING_OPTIONS), to measure a variant side by side. */
  readonly after?: ScoringOptions;
}

export function campaignBenchmark(
  real: readonly LabeledReview[],
  o: CampaignBenchOptions,
): { kinds: KindResult[]; organic: OrganicResult[] } {
  afterOptions = o.after ?? DEFAULT_SCORING_OPTIONS;
  const scorers = o.scorers ?? SCORERS;
  const byProduct = new Map<string, TimelineReview[]>();
  for (const r of real) {
    const list = byProduct.get(r.productId) ?? [];
    list.push(r);
    byProduct.set(r.productId, list);
  }
  const histograms = [...byProduct.values()].map(
    (list) => ratingCountsOf(list.map((r) => ({ stars: r.stars, weightBp: 10_000 }))).histogram,
  );
  const prior = empiricalBayesPrior(histograms);
  const all = [...byProduct.keys()];
  const parity = o.split === "held-out" ? 1 : 0;
  const established = all.filter((p) => byProduct.get(p)!.length >= 50 && Number(p.slice(1)) % 2 === parity).sort();

  // Organic cost: the untouched timeline through every scorer.
  const cleanCache: ReplayCache = new Map();
  const clean = new Map<ScorerName, Scored>(scorers.map((s) => [s, score(real, s, cleanCache)]));
  cleanCache.clear();
  const organic: OrganicResult[] = [];
  let productYears = 0;
  for (const list of byProduct.values())
    productYears += Math.max(DAY_MS, list[list.length - 1]!.timeMs - list[0]!.timeMs) / (365.25 * DAY_MS);
  const seen = new Set<string>();
  const firstTime = real.map((r) => {
    const first = !seen.has(r.reviewerId);
    seen.add(r.reviewerId);
    return first;
  });
  for (const s of scorers) {
    const sc = clean.get(s)!;
    const base = clean.get(s.endsWith("batch") ? "before, batch" : "before, write-time") ?? sc;
    // What a shop sees when the sweep (or the batch) runs: its ratings against the write path's.
    const writePath = clean.get("after, write-time");
    let weightSum = 0;
    let caught = 0;
    const flagDays = new Set<string>();
    const unfilteredFlagDays = new Set<string>();
    let complaints = 0;
    let complaintsDiscounted = 0;
    let complaintsCaught = 0;
    real.forEach((r, i) => {
      const w = sc.weight.get(r.reviewId)!;
      weightSum += w / 10_000;
      if (w <= CAUGHT_BP && sc.reasons.get(r.reviewId)!.some((x) => CAMPAIGN_CODES.has(x.code) && x.weight >= 1)) {
        caught++;
        flagDays.add(`${r.productId}:${Math.floor(r.timeMs / DAY_MS)}`);
        if (!r.filtered) unfilteredFlagDays.add(`${r.productId}:${Math.floor(r.timeMs / DAY_MS)}`);
      }
      if (firstTime[i] && r.stars <= 2 && !r.filtered) {
        complaints++;
        if (w < 9_000) complaintsDiscounted++;
        if (w <= CAUGHT_BP) complaintsCaught++;
      }
    });
    let moveSum = 0;
    let moveMax = 0;
    let products = 0;
    let vsWriteSigned = 0;
    let vsWriteAbs = 0;
    let vsWriteMax = 0;
    let vsWriteUp = 0;
    let vsWriteDown = 0;
    for (const list of byProduct.values()) {
      if (list.length < 10) continue;
      const end = list[list.length - 1]!.timeMs;
      const shown = displayed(list, end, prior, sc.weight);
      const d = Math.abs(shown - displayed(list, end, prior, base.weight));
      moveSum += d;
      moveMax = Math.max(moveMax, d);
      products++;
      if (writePath !== undefined) {
        const v = shown - displayed(list, end, prior, writePath.weight);
        vsWriteSigned += v;
        vsWriteAbs += Math.abs(v);
        vsWriteMax = Math.max(vsWriteMax, Math.abs(v));
        if (v >= 0.01) vsWriteUp++;
        if (v <= -0.01) vsWriteDown++;
      }
    }
    organic.push({
      scorer: s,
      reviews: real.length,
      meanWeight: weightSum / real.length,
      caughtByCampaignReasons: caught,
      flagDaysPerProductYear: flagDays.size / productYears,
      unfilteredFlagDaysPerProductYear: unfilteredFlagDays.size / productYears,
      complaints,
      complaintsDiscounted,
      complaintsCaught,
      ratingMoveMean: moveSum / products,
      ratingMoveMax: moveMax,
      vsWritePathSignedMean: writePath === undefined ? Number.NaN : vsWriteSigned / products,
      vsWritePathMean: writePath === undefined ? Number.NaN : vsWriteAbs / products,
      vsWritePathMax: writePath === undefined ? Number.NaN : vsWriteMax,
      vsWritePathUp: vsWriteUp,
      vsWritePathDown: vsWriteDown,
      productsShown: products,
    });
  }

  const kinds: KindResult[] = [];
  for (const kind of o.kinds ?? ATTACK_KINDS) {
    const acc = new Map<
      ScorerName,
      {
        attacks: number;
        detected: number;
        reviews: number;
        caught: number;
        flagged: number;
        shift: number;
        shiftUndefended: number;
        shifts: number;
        pos: number[];
      }
    >();
    for (const s of scorers)
      acc.set(s, { attacks: 0, detected: 0, reviews: 0, caught: 0, flagged: 0, shift: 0, shiftUndefended: 0, shifts: 0, pos: [] });
    for (const seed of o.seeds) {
      const random = seededRandom(seed * 1_000 + ATTACK_KINDS.indexOf(kind));
      // Distinct targets per attack within a replay, so attacks do not overlap.
      const pool = [...established];
      const attacks: Attack[] = [];
      for (let a = 0; a < o.attacksPerSeed; a++) {
        const count = kind === "reviewer ring" ? int(random, 3, 6) : 1;
        const targets: string[] = [];
        for (let t = 0; t < count && pool.length > 0; t++) targets.push(pool.splice(Math.floor(random() * pool.length), 1)[0]!);
        if (targets.length === 0) break;
        attacks.push(makeAttack(kind, `atk${seed}-${a}`, targets, all, byProduct, random));
      }
      const rows = merge(
        real,
        attacks.flatMap((a) => a.reviews),
      );
      const cache: ReplayCache = new Map();
      for (const s of scorers) {
        const sc = score(rows, s, cache);
        const cleanScore = clean.get(s)!;
        const r = acc.get(s)!;
        for (const attack of attacks) {
          r.attacks++;
          let n = 0;
          let caught = 0;
          for (const [productId, list] of attack.targets) {
            for (const review of list) {
              n++;
              r.pos.push(sc.suspicion.get(review.reviewId)!);
              if (sc.weight.get(review.reviewId)! <= CAUGHT_BP) caught++;
              if (sc.reasons.get(review.reviewId)!.some((x) => CAMPAIGN_CODES.has(x.code) && x.weight >= 1)) r.flagged++;
            }
            const cutoff = Math.max(...list.map((x) => x.timeMs));
            const realList = byProduct.get(productId)!;
            const attacked = [...realList, ...list];
            const before = displayed(realList, cutoff, prior);
            r.shiftUndefended += Math.abs(displayed(attacked, cutoff, prior) - before);
            r.shift += Math.abs(displayed(attacked, cutoff, prior, sc.weight) - displayed(realList, cutoff, prior, cleanScore.weight));
            r.shifts++;
          }
          r.reviews += n;
          r.caught += caught;
          if (caught * 2 >= n) r.detected++;
        }
      }
    }
    for (const s of scorers) {
      const r = acc.get(s)!;
      const negatives = real.map((x) => clean.get(s)!.suspicion.get(x.reviewId)!);
      const scores = [...r.pos, ...negatives];
      const labels = [...r.pos.map(() => true), ...negatives.map(() => false)];
      kinds.push({
        kind,
        scorer: s,
        attacks: r.attacks,
        targetReviews: r.reviews,
        detection: r.detected / r.attacks,
        caught: r.caught / r.reviews,
        flagged: r.flagged / r.reviews,
        auc: auc(scores, labels),
        shiftUndefended: r.shiftUndefended / r.shifts,
        shift: r.shift / r.shifts,
      });
    }
  }
  return { kinds, organic };
}
