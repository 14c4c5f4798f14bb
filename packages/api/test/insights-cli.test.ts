/**
 * `starling insights analyze|trends` (src/insights-cli.ts), the CLI
 * contract, as a user runs it (a child process through src/bin.ts): one line
 * out per input line in the input's order, whatever the number of worker
 * threads; the same analyses as analyzeReview in this process; a bad line
 * stops the run after every line before it. No database.
 */
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { analyzeReview, replayEmergingTopics, type AnalyzedReview } from "@starling/insights";
import { describe, expect, it, vi } from "vitest";
import { API_DIR, spawnCli } from "./helpers.js";

// Each test starts CLI processes with worker threads: 30-40 s each on CI at load 20-27, too close to the default 60 s.
vi.setConfig({ testTimeout: 240_000 });

const dir = mkdtempSync(path.join(tmpdir(), "starling-insights-cli-"));
const DAY = 86_400_000;

/** 80 German reviews from the insights fixture and 100 English ones made of varied sentences: several batches of 32 lines. */
function reviews(): { id: string; text: string; title?: string; language?: "en" | "de"; rating?: number }[] {
  const german = readFileSync(path.join(API_DIR, "../insights/test/fixtures/de-reviews.jsonl"), "utf8")
    .split("\n")
    .filter((l) => l.trim())
    .map((l) => JSON.parse(l) as { id: string; text: string });
  const parts = [
    "The zipper broke after a week.",
    "Customer service never answered my emails.",
    "The fit is great and the fabric feels soft.",
    "I wouldn't buy these shoes again, the soles are too thin.",
    "The front desk staff were friendly, but the room was dirty.",
    "Battery life is not as good as promised.",
    "Love the color!",
    "The hotel's location is perfect for the museums, although parking was expensive.",
  ];
  const english = Array.from({ length: 100 }, (_, i) => ({
    id: `en${i}`,
    text: [parts[i % 8], parts[(i * 3 + 1) % 8], parts[(i * 5 + 2) % 8]].join(" "),
    ...(i % 7 === 0 ? { title: "Not what I expected", rating: 2 } : {}),
    ...(i % 11 === 0 ? { language: "en" as const } : {}),
  }));
  const out: ReturnType<typeof reviews> = [];
  for (let i = 0; i < Math.max(german.length, english.length); i++) {
    if (english[i]) out.push(english[i]!);
    if (german[i]) out.push({ id: german[i]!.id, text: german[i]!.text });
  }
  return out;
}

function expectedLine(r: ReturnType<typeof reviews>[number]): string {
  const insight = analyzeReview({ title: r.title ?? null, body: r.text, language: r.language ?? null });
  return JSON.stringify({
    id: r.id,
    language: insight.language,
    polarity: insight.polarity,
    aspects: insight.aspects.map(({ term, polarity, quote }) => ({ term, polarity, quote })),
  });
}

async function run(args: string[], threads: string) {
  const cli = spawnCli(args, { STARLING_INSIGHTS_THREADS: threads });
  const { code } = await cli.exited;
  return { code, stdout: cli.stdout(), stderr: cli.stderr() };
}

describe("insights analyze", () => {
  it("writes one analysis per input line in the input's order, the same on 1 and 2 threads as analyzeReview", async () => {
    const rs = reviews();
    expect(rs.length).toBe(180);
    // Blank lines (skipped, no output) between some reviews.
    const file = path.join(dir, "reviews.jsonl");
    writeFileSync(file, rs.map((r, i) => JSON.stringify(r) + (i % 40 === 5 ? "\n\n" : "\n")).join(""));
    const expected = `${rs.map(expectedLine).join("\n")}\n`;
    for (const threads of ["2", "1"]) {
      const { code, stdout, stderr } = await run(["insights", "analyze", file], threads);
      expect(stderr).toBe("");
      expect(code).toBe(0);
      expect(stdout).toBe(expected);
    }
    // German and English both analysed, with aspects (not an empty run that happens to match).
    const lines = expected
      .split("\n")
      .filter(Boolean)
      .map((l) => JSON.parse(l));
    expect(lines.filter((l) => l.language === "de").length).toBe(80);
    expect(lines.filter((l) => l.language === "en" && l.aspects.some((a: { term: string }) => a.term === "zipper")).length).toBeGreaterThan(
      10,
    );
  });

  it("stops at a bad line: every line before it is written, then INVALID_INPUT with its line number, exit code 1", async () => {
    const rs = reviews().slice(0, 120);
    const file = path.join(dir, "bad.jsonl");
    const lines = rs.map((r) => JSON.stringify(r));
    lines.splice(69, 0, '{"id": "broken", "text": 5}'); // line 70, in the third batch
    writeFileSync(file, `${lines.join("\n")}\n`);
    for (const threads of ["2", "1"]) {
      const { code, stdout, stderr } = await run(["insights", "analyze", file], threads);
      expect(code).toBe(1);
      expect(stderr).toBe('starling: INVALID_INPUT: line 70: "text" must be a string\n');
      expect(stdout).toBe(`${rs.slice(0, 69).map(expectedLine).join("\n")}\n`);
    }
  });

  it("refuses a thread count that is not a small positive integer", async () => {
    const file = path.join(dir, "one.jsonl");
    writeFileSync(file, '{"id":"a","text":"The zipper broke."}\n');
    const { code, stdout, stderr } = await run(["insights", "analyze", file], "0");
    expect(code).toBe(2);
    expect(stdout).toBe("");
    expect(stderr).toMatch(/STARLING_INSIGHTS_THREADS must be an integer from 1 to 64, got 0/);
  });
});

describe("insights trends", () => {
  it("finds the emerging topic of a timeline as replayEmergingTopics does, on worker threads", async () => {
    // 60 days of one calm review a day, then a zipper that fails in 4 reviews within 3 days.
    const t0 = Date.UTC(2024, 0, 1);
    const calm = ["Fits well and looks great.", "Nice color, comfortable to wear.", "Good quality for the price."];
    const rows = Array.from({ length: 60 }, (_, i) => ({
      id: `c${i}`,
      productId: "jacket",
      createdAt: new Date(t0 + i * DAY).toISOString(),
      rating: 5,
      text: calm[i % 3]!,
    }));
    for (let i = 0; i < 4; i++)
      rows.push({
        id: `z${i}`,
        productId: "jacket",
        createdAt: new Date(t0 + (60 + i * 0.7) * DAY).toISOString(),
        rating: 1,
        text: "The zipper broke after two days. Terrible zipper.",
      });
    const file = path.join(dir, "timeline.jsonl");
    writeFileSync(file, `${rows.map((r) => JSON.stringify(r)).join("\n")}\n`);
    const timeline: AnalyzedReview[] = rows.map((r) => ({
      reviewId: r.id,
      productId: r.productId,
      timeMs: Date.parse(r.createdAt),
      rating: r.rating,
      insight: analyzeReview({ body: r.text }),
    }));
    const topics = replayEmergingTopics(timeline);
    expect(topics.some((t) => t.term === "zipper" && t.direction === "negative")).toBe(true);
    const expected = topics
      .map((t) =>
        JSON.stringify({
          productId: t.productId,
          term: t.term,
          direction: t.direction,
          since: new Date(t.sinceMs).toISOString().slice(0, 10),
          mentions: t.mentions,
          expected: t.expected,
          evidence: t.evidence,
        }),
      )
      .join("\n");
    const { code, stdout, stderr } = await run(["insights", "trends", file], "2");
    expect(stderr).toBe("");
    expect(code).toBe(0);
    expect(stdout).toBe(`${expected}\n`);
  });
});
