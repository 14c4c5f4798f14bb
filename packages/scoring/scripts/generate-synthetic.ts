/**
 * Writes a synthetic review timeline for the `score` command's timing:
 * `tsx scripts/generate-synthetic.ts [count] [out]`, by default 1,000,000
 * reviews to <repo>/.data/synthetic-1m.jsonl (git-ignored). Deterministic.
 *
 * Made up from scratch (no research data): 20,000 products with Zipf-like
 * popularity and their own star mix, 250,000 reviewers of whom most write
 * once, two years of arrivals, a fifth with generated text, some verified,
 * plus injected first-time 5-star bursts and texts copied across authors so
 * the expensive paths run too.
 */
import { createWriteStream, mkdirSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { once } from "node:events";
import { seededRandom } from "../bench/datasets.js";

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../..");
const count = Number(process.argv[2] ?? 1_000_000);
// pnpm runs package scripts in the package directory; a path given is meant from where the user typed it.
const out = process.argv[3]
  ? path.resolve(process.env.INIT_CWD ?? process.cwd(), process.argv[3])
  : path.join(repoRoot, ".data/synthetic-1m.jsonl");

const random = seededRandom(2026);
const PRODUCTS = 20_000;
const REVIEWERS = 250_000;
const startMs = Date.parse("2024-01-01T00:00:00Z");
const spanMs = 730 * 86_400_000;
const WORDS =
  "great good fine poor bad fit size colour color quality fabric stitching soft warm light heavy cheap price value delivery fast slow box arrived broke works lovely would buy again return refund small large true comfortable daughter son gift wash shrink fade zipper pocket strap battery screen sound loud quiet smell".split(
    " ",
  );

// Zipf-ish: index = floor(n · u^k) concentrates mass on low indices.
const zipf = (n: number, k: number) => Math.min(n - 1, Math.floor(n * random() ** k));
const quality = Array.from({ length: PRODUCTS }, () => 0.3 + random() * 0.7);

function stars(q: number): number {
  const u = random();
  if (u < q * 0.6) return 5;
  if (u < q * 0.9) return 4;
  if (u < 0.9) return 3 - (random() < 0.3 ? 1 : 0);
  return random() < 0.5 ? 1 : 2;
}

function sentence(words: number): string {
  const w: string[] = [];
  for (let i = 0; i < words; i++) w.push(WORDS[Math.floor(random() * WORDS.length)]!);
  return w.join(" ");
}

// Arrival times first, sorted, so the output is in arrival order.
const times = Array.from({ length: count }, () => startMs + Math.floor(random() * spanMs)).sort((a, b) => a - b);
mkdirSync(path.dirname(out), { recursive: true });
const stream = createWriteStream(out);
let buffer = "";
const copied: string[] = [];
let burstLeft = 0;
let burstProduct = 0;
let nextReviewer = REVIEWERS;
for (let i = 0; i < count; i++) {
  let productId: number;
  let reviewerId: number;
  let rating: number;
  if (burstLeft === 0 && random() < 1 / 20_000) {
    burstLeft = 10;
    burstProduct = zipf(PRODUCTS, 2);
  }
  if (burstLeft > 0) {
    burstLeft--;
    productId = burstProduct;
    reviewerId = nextReviewer++;
    rating = 5;
  } else {
    productId = zipf(PRODUCTS, 2);
    reviewerId = random() < 0.6 ? nextReviewer++ : zipf(REVIEWERS, 3);
    rating = stars(quality[productId]!);
  }
  const o: Record<string, unknown> = {
    reviewId: `r${i}`,
    productId: `p${productId}`,
    reviewerId: `u${reviewerId}`,
    rating,
    time: new Date(times[i]!).toISOString(),
  };
  if (random() < 0.2) {
    const text =
      copied.length > 0 && random() < 0.02 ? copied[Math.floor(random() * copied.length)]! : sentence(12 + Math.floor(random() * 40));
    if (copied.length < 1000 && random() < 0.01) copied.push(text);
    o.text = text;
  }
  if (random() < 0.5) o.verified = random() < 0.8;
  buffer += `${JSON.stringify(o)}\n`;
  if (buffer.length > 1 << 20) {
    if (!stream.write(buffer)) await once(stream, "drain");
    buffer = "";
  }
}
stream.write(buffer);
stream.end();
await once(stream, "finish");
process.stderr.write(`wrote ${count} reviews to ${out}\n`);
