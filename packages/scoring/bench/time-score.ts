/**
 * Times the `score` command on a synthetic timeline:
 * `pnpm --filter @starling/scoring time-score [count]` (default 1,000,000).
 * Generates <repo>/.data/synthetic-<count>.jsonl first if it is missing (git-ignored),
 * then runs the command exactly as a user would and prints wall-clock and CPU
 * time with the machine's load average, since other work on the machine
 * changes the wall-clock figure. Not a test: nothing asserts a time.
 */
import { spawnSync } from "node:child_process";
import { existsSync, statSync } from "node:fs";
import { loadavg } from "node:os";
import path from "node:path";
import { repoRoot } from "./datasets.js";

const count = Number(process.argv[2] ?? 1_000_000);
const label = count === 1_000_000 ? "1m" : String(count);
const input = path.join(repoRoot, `.data/synthetic-${label}.jsonl`);
const output = path.join(repoRoot, `.data/synthetic-${label}.scores.jsonl`);
const packageDir = path.join(repoRoot, "packages/scoring");

if (!existsSync(input)) {
  const gen = spawnSync(process.execPath, ["--import", "tsx", "scripts/generate-synthetic.ts", String(count), input], {
    cwd: packageDir,
    stdio: "inherit",
  });
  if (gen.status !== 0) process.exit(gen.status ?? 1);
}

// The command builds the CLI with tsup first (about half a second): bundled,
// it runs a fifth faster than through tsx's loader.
const buildStarted = performance.now();
const build = spawnSync(
  path.join(repoRoot, "node_modules/.bin/tsup"),
  ["scripts/score.ts", "--format", "esm", "--platform", "node", "--target", "node20", "--out-dir", "dist", "--silent"],
  { cwd: packageDir, stdio: "inherit" },
);
if (build.status !== 0) process.exit(build.status ?? 1);
const buildSeconds = (performance.now() - buildStarted) / 1000;

const before = loadavg();
const started = performance.now();
// /usr/bin/time reports the child's own CPU time; without it, wall-clock only.
const hasTime = existsSync("/usr/bin/time");
// The same node flags as the package script: a larger young generation, because a window of reviews outlives a small one.
const command = [process.execPath, "--max-semi-space-size=128", "--min-semi-space-size=64", "dist/score.js", input, "--out", output];
const run = hasTime
  ? spawnSync("/usr/bin/time", ["-f", "%U %S %M", ...command], { cwd: packageDir, encoding: "utf8" })
  : spawnSync(command[0]!, command.slice(1), { cwd: packageDir, encoding: "utf8" });
const wallSeconds = (performance.now() - started) / 1000;
const after = loadavg();
if (run.status !== 0) {
  process.stderr.write(run.stderr);
  process.exit(run.status ?? 1);
}
const lines = run.stderr.trim().split("\n");
const summary = lines.find((l) => l.startsWith("scored")) ?? "";
const [user, sys, maxKb] = hasTime ? lines[lines.length - 1]!.split(" ").map(Number) : [Number.NaN, Number.NaN, Number.NaN];
console.log(`input   ${input} (${(statSync(input).size / 1e6).toFixed(0)} MB)`);
console.log(
  `command tsup scripts/score.ts … && node --max-semi-space-size=128 --min-semi-space-size=64 dist/score.js <input> --out <output>  (what \`pnpm --filter @starling/scoring score\` runs)`,
);
console.log(`result  ${summary}`);
console.log(`wall    ${wallSeconds.toFixed(2)} s scoring (process start to exit) + ${buildSeconds.toFixed(2)} s build`);
if (hasTime) console.log(`cpu     ${user!.toFixed(2)} s user + ${sys!.toFixed(2)} s system, peak memory ${(maxKb! / 1024).toFixed(0)} MB`);
console.log(
  `load    ${before.map((x) => x.toFixed(2)).join(" ")} before, ${after.map((x) => x.toFixed(2)).join(" ")} after (1/5/15-min averages; ${(await import("node:os")).cpus().length} cores)`,
);
