/**
 * `insights analyze` end to end, as the issue's acceptance runs it: the CLI
 * (`sh scripts/pnpm.sh -s --filter @starling/api cli insights analyze FILE`)
 * on op-spam's 1 600 hotel reviews (149 words on average) written as JSONL,
 * and with CLI_X4=1 on the same file four times over (6 400 lines, so
 * start-up weighs less), with 1 and 2 worker threads (STARLING_INSIGHTS_THREADS). Each run's
 * wall time, the CPU time of the whole process tree (pnpm's wrapper included;
 * the shell's `times`) and the machine's load average (`uptime`'s first
 * figure) before and after; start-up alone is a one-line file. On a shared
 * machine the wall time measures the neighbours as much as us; the CPU time
 * says what two idle cores would give (reviews / CPU seconds × 2, an
 * estimate). Checks that 1 and 2 threads write the same bytes. With
 * CLI_BASELINE=<another checkout> (e.g. of main before this change) its CLI
 * runs side by side on 2 threads, in the same loop (threads "before"); the
 * lines where its output differs are counted (none, unless the change means
 * to change analyses) and the first few printed.
 *
 *   npx tsx packages/insights/bench/cli.ts            (CLI_RUNS=2 runs of each)
 *   git worktree add --detach /tmp/before <commit> && (cd /tmp/before && sh scripts/pnpm.sh install --frozen-lockfile)
 *   CLI_BASELINE=/tmp/before npx tsx packages/insights/bench/cli.ts
 */
import { execFileSync } from "node:child_process";
import { createHash } from "node:crypto";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { loadavg, tmpdir } from "node:os";
import path from "node:path";
import { hasData, here, loadOpSpam } from "./data.js";

const ROOT = path.resolve(here, "../../..");
const RUNS = Number(process.env.CLI_RUNS ?? 2);
const BASELINE = process.env.CLI_BASELINE;

interface Run {
  lines: number;
  threads: number | "before";
  seconds: number;
  cpu: number;
  loadBefore: number;
  loadAfter: number;
  digest: string;
  out: string[];
}

function run(file: string, lines: number, threads: number | "before"): Run {
  const loadBefore = loadavg()[0]!;
  const t0 = performance.now();
  const outFile = `${file}.out`;
  // `times` prints the shell's own and then its children's user and system time ("0m12.34s 0m1.02s").
  const times = execFileSync(
    "sh",
    ["-c", 'sh scripts/pnpm.sh -s --filter @starling/api cli insights analyze "$1" > "$2"; times', "sh", file, outFile],
    {
      cwd: threads === "before" ? BASELINE : ROOT,
      env: { ...process.env, STARLING_INSIGHTS_THREADS: threads === "before" ? "2" : String(threads) },
    },
  ).toString();
  const seconds = (performance.now() - t0) / 1000;
  const [user, system] = [
    ...times
      .trim()
      .split("\n")
      .at(-1)!
      .matchAll(/(\d+)m([\d.]+)s/g),
  ].map((m) => Number(m[1]) * 60 + Number(m[2]));
  const out = readFileSync(outFile);
  const outLines = out.toString().split("\n").filter(Boolean);
  const got = outLines.length;
  if (got !== lines) throw new Error(`${file}: ${got} lines out for ${lines} in`);
  return {
    lines,
    threads,
    seconds,
    cpu: user! + system!,
    loadBefore,
    loadAfter: loadavg()[0]!,
    digest: createHash("sha256").update(out).digest("hex"),
    out: outLines,
  };
}

export function cliTable(): string[] {
  if (!hasData()) return [];
  const dir = mkdtempSync(path.join(tmpdir(), "insights-cli-bench-"));
  const rows = loadOpSpam().map((r) => JSON.stringify({ id: r.id, text: r.text }));
  const files: [string, number][] = [
    [path.join(dir, "one.jsonl"), 1],
    [path.join(dir, "opspam.jsonl"), rows.length],
    ...(process.env.CLI_X4 === "1" ? [[path.join(dir, "opspam-x4.jsonl"), rows.length * 4] as [string, number]] : []),
  ];
  writeFileSync(files[0]![0], `${rows[0]}\n`);
  writeFileSync(files[1]![0], `${rows.join("\n")}\n`);
  if (files[2]) writeFileSync(files[2][0], `${Array.from({ length: 4 }, () => rows.join("\n")).join("\n")}\n`);
  const modes: (number | "before")[] = BASELINE ? [2, 1, "before"] : [2, 1];
  const runs: Run[] = [];
  for (let i = 0; i < RUNS; i++) {
    for (const [file, lines] of files) for (const threads of modes) runs.push(run(file, lines, threads));
  }
  const differences: string[] = [];
  for (const [, lines] of files) {
    const ours = runs.filter((r) => r.lines === lines && r.threads !== "before");
    if (new Set(ours.map((r) => r.digest)).size !== 1) throw new Error(`${lines} lines: the runs wrote different output`);
    const before = runs.find((r) => r.lines === lines && r.threads === "before");
    if (before === undefined) continue;
    const differ = before.out.flatMap((line, i) => (line === ours[0]!.out[i] ? [] : [i]));
    differences.push(`${lines} lines: ${differ.length} differ from before's output`);
    for (const i of differ.slice(0, 3)) differences.push(`  before: ${before.out[i]}`, `  now:    ${ours[0]!.out[i]}`);
  }
  const out = [
    "| lines in | threads | wall s (each run) | reviews/s (each run) | CPU s (each run) | reviews per CPU s × 2 cores | load average before → after (each run) |",
    "|---|---|---|---|---|---|---|",
  ];
  for (const [, lines] of files) {
    for (const threads of modes) {
      const rs = runs.filter((r) => r.lines === lines && r.threads === threads);
      out.push(
        `| ${lines} | ${threads} | ${rs.map((r) => r.seconds.toFixed(1)).join(" / ")} | ${lines > 1 ? rs.map((r) => (lines / r.seconds).toFixed(0)).join(" / ") : "(start-up)"} | ${rs.map((r) => r.cpu.toFixed(1)).join(" / ")} | ${lines > 1 ? rs.map((r) => ((2 * lines) / r.cpu).toFixed(0)).join(" / ") : ""} | ${rs.map((r) => `${r.loadBefore.toFixed(1)} → ${r.loadAfter.toFixed(1)}`).join(" / ")} |`,
      );
    }
  }
  return [...out, "", ...differences];
}

if (import.meta.url === `file://${process.argv[1]}`) console.log(cliTable().join("\n"));
