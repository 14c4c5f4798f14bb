/**
 * Loaders for the research data sets in ../shared/data (beside the repository
 * clone, in CI too). Research terms: tests and benchmarks only; nothing read
 * here may be written into the repository.
 */
import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import type { TimelineReview } from "../src/index.js";

export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../..");
/** STARLING_RESEARCH_DATA overrides it (a worktree or a clone that is not beside ../shared). */
export const dataDir = path.resolve(process.env.STARLING_RESEARCH_DATA ?? path.resolve(repoRoot, "../shared/data"));

export const DAY_MS = 86_400_000;

export interface LabeledReview extends TimelineReview {
  /** YelpChi: filtered by Yelp (the positive, "spam" class). */
  readonly filtered: boolean;
}

export function hasDataset(name: "yelpchi" | "movielens" | "amazon" | "opspam"): boolean {
  return existsSync(datasetPath(name));
}

function datasetPath(name: "yelpchi" | "movielens" | "amazon" | "opspam"): string {
  switch (name) {
    case "yelpchi":
      return path.join(dataDir, "yelpchi-metadata/metadata.txt");
    case "movielens":
      return path.join(dataDir, "movielens-latest-small/ratings.csv");
    case "amazon":
      return path.join(dataDir, "amazon-fashion-5core-2018/AMAZON_FASHION_5.json");
    case "opspam":
      return path.join(dataDir, "op-spam-v1.4/deceptive-opinion.csv");
  }
}

/** Stable sort by time: reviews with equal times keep file order, as the reference script does. */
function byTime<T extends { timeMs: number }>(rows: T[]): T[] {
  return rows
    .map((r, i) => ({ r, i }))
    .sort((a, b) => a.r.timeMs - b.r.timeMs || a.i - b.i)
    .map((x) => x.r);
}

/** YelpChi in arrival order (day resolution: midnight UTC). */
export function loadYelpChi(): LabeledReview[] {
  const rows: LabeledReview[] = [];
  const lines = readFileSync(datasetPath("yelpchi"), "utf8").split("\n");
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!.trim();
    if (!line) continue;
    const [user, product, rating, label, date] = line.split(/\s+/);
    rows.push({
      reviewId: `y${i}`,
      productId: `p${product}`,
      reviewerId: `u${user}`,
      stars: Math.round(Number(rating)),
      timeMs: Date.parse(`${date}T00:00:00Z`),
      filtered: label === "-1",
    });
  }
  return byTime(rows);
}

/** MovieLens small in arrival order; half stars rounded half up to 1..5. */
export function loadMovieLens(): TimelineReview[] {
  const rows: TimelineReview[] = [];
  const lines = readFileSync(datasetPath("movielens"), "utf8").split("\n");
  for (let i = 1; i < lines.length; i++) {
    const line = lines[i]!.trim();
    if (!line) continue;
    const [user, movie, rating, ts] = line.split(",");
    rows.push({
      reviewId: `m${i}`,
      productId: `m${movie}`,
      reviewerId: `u${user}`,
      stars: Math.min(5, Math.max(1, Math.round(Number(rating)))),
      timeMs: Number(ts) * 1000,
    });
  }
  return byTime(rows);
}

/** Amazon Fashion 5-core in arrival order, with text and the verified flag. */
export function loadAmazonFashion(): TimelineReview[] {
  const rows: TimelineReview[] = [];
  const lines = readFileSync(datasetPath("amazon"), "utf8").split("\n");
  for (let i = 0; i < lines.length; i++) {
    if (!lines[i]!.trim()) continue;
    const o = JSON.parse(lines[i]!) as {
      reviewerID: string;
      asin: string;
      overall: number;
      unixReviewTime: number;
      reviewText?: string;
      verified?: boolean;
    };
    rows.push({
      reviewId: `a${i}`,
      productId: o.asin,
      reviewerId: o.reviewerID,
      stars: Math.round(o.overall),
      timeMs: o.unixReviewTime * 1000,
      text: o.reviewText,
      verified: o.verified,
    });
  }
  return byTime(rows);
}

/** The Ott corpus texts (no times or authors). */
export function loadOpSpamTexts(): string[] {
  const rows = parseCsv(readFileSync(datasetPath("opspam"), "utf8"));
  const header = rows[0]!;
  const textColumn = header.indexOf("text");
  return rows
    .slice(1)
    .filter((r) => r.length > textColumn)
    .map((r) => r[textColumn]!);
}

/** A seeded PRNG (mulberry32), so every benchmark run injects the same bursts. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A small RFC 4180 CSV parser: quoted fields may hold commas, quotes and newlines. */
export function parseCsv(src: string): string[][] {
  const rows: string[][] = [];
  let field = "";
  let row: string[] = [];
  let quoted = false;
  for (let i = 0; i < src.length; i++) {
    const ch = src[i]!;
    if (quoted) {
      if (ch === '"' && src[i + 1] === '"') {
        field += '"';
        i++;
      } else if (ch === '"') quoted = false;
      else field += ch;
    } else if (ch === '"') quoted = true;
    else if (ch === ",") {
      row.push(field);
      field = "";
    } else if (ch === "\n" || ch === "\r") {
      if (ch === "\r" && src[i + 1] === "\n") i++;
      row.push(field);
      rows.push(row);
      row = [];
      field = "";
    } else field += ch;
  }
  if (field || row.length) {
    row.push(field);
    rows.push(row);
  }
  return rows;
}
