import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, describe, expect, it } from "vitest";
import { InputLineError, parseReviewLine, reviewLine, scoreJsonl } from "../scripts/score-jsonl.js";
import { scoreTimeline } from "../src/index.js";

const packageDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const dir = mkdtempSync(path.join(tmpdir(), "starling-score-cli-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const repoRoot = path.resolve(packageDir, "../..");
let bundle: string | undefined;

/** Runs the command (parsing thread and all) bundled as `pnpm score` bundles it, into a temporary directory. */
function cli(lines: string[]): { status: number | null; out: string; stderr: string } {
  if (bundle === undefined) {
    const build = spawnSync(
      path.join(repoRoot, "node_modules/.bin/tsup"),
      ["scripts/score.ts", "--format", "esm", "--platform", "node", "--target", "node20", "--out-dir", dir, "--silent"],
      { cwd: packageDir, encoding: "utf8" },
    );
    expect(build.status, build.stderr).toBe(0);
    bundle = path.join(dir, "score.js");
  }
  const input = path.join(dir, "in.jsonl");
  const output = path.join(dir, "out.jsonl");
  writeFileSync(input, lines.join("\n"));
  rmSync(output, { force: true });
  const run = spawnSync(process.execPath, [bundle, input, "--out", output], { cwd: packageDir, encoding: "utf8" });
  let out = "";
  try {
    out = readFileSync(output, "utf8");
  } catch {}
  return { status: run.status, out, stderr: run.stderr };
}

function inMemory(lines: string[]): string {
  let out = "";
  scoreJsonl(lines, (chunk) => {
    out += chunk;
  });
  return out;
}

/** A deterministic timeline that crosses several of the command's 8192-review batches and takes every path. */
function timeline(): string[] {
  let seed = 7;
  const random = () => {
    seed = (Math.imul(seed, 1_103_515_245) + 12_345) >>> 0;
    return seed / 2 ** 32;
  };
  const words = "great good poor fit size soft warm cheap value arrived broke works lovely gift wash fade zipper strap".split(" ");
  const copied: string[] = [];
  const lines: string[] = [];
  const t0 = Date.parse("2024-01-01T00:00:00Z");
  let t = t0;
  for (let i = 0; i < 20_000; i++) {
    t += Math.floor(random() * 600_000);
    const burst = i >= 12_000 && i < 12_012;
    const o: Record<string, unknown> = {
      reviewId: i % 997 === 0 ? `r${i}-é` : `r${i}`,
      productId: burst ? "p0" : `p${Math.floor(random() ** 2 * 300)}`,
      reviewerId: burst ? `fake${i}` : `u${Math.floor(random() ** 3 * 5000)}`,
      rating: burst ? 5 : 1 + Math.floor(random() * 5),
      time: new Date(t).toISOString(),
    };
    if (random() < 0.3) {
      const text =
        copied.length > 0 && random() < 0.1
          ? copied[Math.floor(random() * copied.length)]!
          : Array.from({ length: 5 + Math.floor(random() * 30) }, () => words[Math.floor(random() * words.length)]).join(" ");
      if (copied.length < 50) copied.push(text);
      o.text = i % 501 === 0 ? `${text} "quoted" \\ ✓` : text;
    }
    if (random() < 0.5) o.verified = random() < 0.8;
    lines.push(i % 1999 === 0 ? `  ${JSON.stringify(o, null, 1).replace(/\n/g, "")}  ` : JSON.stringify(o));
    if (i % 4001 === 0) lines.push("");
  }
  return lines;
}

// Each test scores a 12,000-review timeline two ways (and bundles the command once): seconds on a quiet
// machine, several times that on a busy shared one, so the default 5 s is no bound here.
describe("the score command", { timeout: 120_000 }, () => {
  it("writes each review's final score as scoreTimeline computes it, one JSON line each", () => {
    const lines = timeline();
    const reviews = lines.filter((l) => l.trim() !== "").map((l, i) => parseReviewLine(l.trim(), i + 1));
    const expected = scoreTimeline(reviews).reviews.map(reviewLine).join("");
    const out = inMemory(lines);
    expect(out.slice(0, expected.length)).toBe(expected);
    expect(
      out
        .slice(expected.length)
        .split("\n")
        .filter(Boolean)
        .every((l) => "productId" in JSON.parse(l)),
    ).toBe(true);
  });

  it("holds every line to the end when times go backwards across products, and still writes them in input order", () => {
    // Each product's reviews stay in time order, but p1..p9 come after all the others.
    const lines = timeline().filter((l) => l.trim() !== "");
    const late = (l: string) => /^p[1-9]$/.test(parseReviewLine(l.trim(), 0).productId);
    const reordered = [...lines.filter((l) => !late(l)), ...lines.filter(late)];
    const reviews = reordered.map((l, i) => parseReviewLine(l.trim(), i + 1));
    const expected = scoreTimeline(reviews).reviews.map(reviewLine).join("");
    expect(inMemory(reordered).slice(0, expected.length)).toBe(expected);
  });

  it("writes exactly what scoreJsonl writes in one thread", () => {
    const lines = timeline();
    const expected = inMemory(lines);
    expect(expected).toContain('"code":"burst"');
    expect(expected).toContain('"code":"duplicate_text"');
    const run = cli(lines);
    expect(run.stderr).toMatch(/^scored 20000 reviews of \d+ products/);
    expect(run.status).toBe(0);
    expect(run.out).toBe(expected);
  }, 60_000);

  it("reads lines across its 4 MB reads: a character split between two reads, CRLF ends, no newline at the end", () => {
    // About 5 MB of long texts in accented words, so one read ends inside a line.
    const words = "très bon été qualité déçu prix reçu taille côté fenêtre".split(" ");
    let seed = 11;
    const word = () => {
      seed = (Math.imul(seed, 1_103_515_245) + 12_345) >>> 0;
      return words[(seed >>> 16) % words.length]!;
    };
    const lines: string[] = [];
    const t0 = Date.parse("2024-01-01T00:00:00Z");
    for (let i = 0; i < 2600; i++) {
      const text = Array.from({ length: 300 }, word).join(" ");
      const line = JSON.stringify({
        reviewId: `r${i}`,
        productId: `p${i % 40}`,
        reviewerId: `u${i % 900}`,
        rating: 1 + (i % 5),
        time: new Date(t0 + i * 60_000).toISOString(),
        text,
      });
      lines.push(i % 3 === 0 ? `${line}\r` : line);
    }
    // Where the first read ends (byte 4 MB), put the middle of a two-byte character: pad the first text until it is.
    const boundary = 4 << 20;
    const first = lines[0]!;
    let bytes = Buffer.alloc(0);
    for (let pad = 0; pad < 40; pad++) {
      lines[0] = first.replace('"text":"', `"text":"${"x".repeat(pad)}`);
      bytes = Buffer.from(lines.join("\n"), "utf8");
      if (bytes[boundary]! >= 0x80 && bytes[boundary]! < 0xc0) break;
    }
    expect(bytes[boundary]! >= 0x80 && bytes[boundary]! < 0xc0).toBe(true);
    const expected = inMemory(lines);
    const run = cli(lines);
    expect(run.stderr).toMatch(/^scored 2600 reviews of 40 products/);
    expect(run.out).toBe(expected);
  }, 60_000);

  it("stops at the first bad line with its number, as scoreJsonl does", () => {
    const lines = timeline().slice(0, 10_000);
    lines[9_000] = '{"reviewId":"x","productId":"p1","reviewerId":"u1","rating":9,"time":"2024-06-01T00:00:00.000Z"}';
    expect(() => inMemory(lines)).toThrow(InputLineError);
    const run = cli(lines);
    expect(run.status).toBe(1);
    expect(run.stderr).toBe('score: line 9001: "rating" must be an integer 1..5, got 9\n');
  }, 60_000);

  it("names a line that is JSON but no object (null, an array, a string) instead of crashing", () => {
    for (const bad of ["null", "[1]", '"text"']) {
      const lines = timeline().slice(0, 100);
      lines[50] = bad;
      const run = cli(lines);
      expect(run.status, bad).toBe(1);
      expect(run.stderr, bad).toBe("score: line 51: must be a JSON object\n");
    }
  }, 60_000);
});
