/**
 * How the benchmarks start what they measure: the embedded FerretDB and the
 * API (`starling serve`, as in production) pinned to core 0, so the client on
 * core 1 does not take their CPU; and how they stop the API again.
 * BENCH_CPU_PROF=dir: each server started here writes a V8 CPU profile there
 * when it exits.
 */
import { type ChildProcess, execFileSync, spawn } from "node:child_process";
import path from "node:path";
import { createInterface } from "node:readline";
import { REPO_ROOT } from "../src/config.js";
import { type EmbeddedFerretDB, startEmbeddedFerretDB } from "../src/db/embedded-ferretdb.js";

const API_DIR = path.join(REPO_ROOT, "packages/api");

/** Pins process `pid`, all its threads, to `core`; a machine without taskset runs unpinned, with a note. */
export function pin(pid: number, core: number): void {
  try {
    execFileSync("taskset", ["-a", "-p", "-c", String(core), String(pid)], { stdio: "ignore" });
  } catch {
    console.error(`(could not pin ${pid} to core ${core}: no taskset?)`);
  }
}

/** Where the servers run: pinned to core 0 (the default), or where the OS puts them (`pinned: false`). */
export interface Placement {
  pinned?: boolean;
  /**
   * The packages/api folder of the checkout to run, this one by default: another
   * checkout's (bench/run.ts's BENCH_BASELINE_TREE) runs its own code with its own
   * node_modules, tsx included.
   */
  apiDir?: string;
}

/**
 * The service's build made from the current sources (`tsup`, tsup.config.ts), as
 * `start` makes it before it runs it, for a benchmark that measures the API's
 * memory as production has it: tsx's loader alone holds about 35 MB of RSS.
 * Returns the entry to run, relative to packages/api.
 */
export function buildService(): string {
  execFileSync(path.join(REPO_ROOT, "node_modules/.bin/tsup"), ["--silent"], { cwd: API_DIR, stdio: "inherit" });
  return "dist/cli.js";
}

/** The arguments of `node` for `args`: through tsx when they start with a TypeScript file. */
export function nodeArgs(args: string[]): string[] {
  return args[0]?.endsWith(".ts") ? ["--import", "tsx", ...args] : args;
}

/** The embedded FerretDB on the data in `dataDir` (kept between runs: seeding takes minutes), pinned to core 0. */
export async function startBenchDb(dataDir: string, { pinned = true }: Placement = {}): Promise<EmbeddedFerretDB> {
  const db = await startEmbeddedFerretDB({ binDir: path.join(REPO_ROOT, ".data/bin"), dataDir });
  if (pinned) pin(db.pid, 0);
  return db;
}

export interface BenchServer {
  child: ChildProcess;
  /** The URL it printed ("listening <url>"). */
  url: string;
}

export interface BenchApi extends BenchServer {
  /** The API's GraphQL endpoint (`url` is its base URL). */
  graphql: string;
}

/** Every server started, killed if the benchmark exits without stopping it (a benchmark that threw). */
const started = new Set<ChildProcess>();
process.on("exit", () => {
  for (const child of started) child.kill("SIGKILL");
});

/**
 * `node <args>` (through tsx for a .ts file) in packages/api with `env` over this process's
 * environment, on core 0 unless `pinned: false`. Resolves once it prints
 * "listening <url>" (as `starling serve` and bench/servers/ do).
 */
export async function startBenchServer(
  args: string[],
  env: Record<string, string> = {},
  { pinned = true, apiDir = API_DIR }: Placement = {},
): Promise<BenchServer> {
  const prof = process.env.BENCH_CPU_PROF ? ["--cpu-prof", `--cpu-prof-dir=${process.env.BENCH_CPU_PROF}`] : [];
  const node = [process.execPath, ...prof, ...nodeArgs(args)];
  const child = spawn(pinned ? "taskset" : node[0]!, pinned ? ["-c", "0", ...node] : node.slice(1), {
    cwd: apiDir,
    env: { ...process.env, ...env },
    stdio: ["ignore", "pipe", "inherit"],
  });
  started.add(child);
  child.once("exit", () => started.delete(child));
  const url = await new Promise<string>((resolve, reject) => {
    child.once("exit", (code) => reject(new Error(`${args.join(" ")} exited with ${code}`)));
    createInterface({ input: child.stdout! }).on("line", (line) => {
      const m = /^listening (\S+)/.exec(line);
      if (m) resolve(m[1]!);
    });
  });
  return { child, url };
}

/**
 * `starling serve` on core 0 against database `dbName` at `uri`: production
 * mode, warnings only, a free port, and the per-address request limit out of
 * the way (one client sends everything). `env` raises the other limits a
 * benchmark meets. `variant`: the arguments of bench/servers/api-variant.ts
 * (`--insights-off`, `--legacy-scoring`), which it runs instead of `serve`.
 * Resolves once the API listens.
 */
export async function startBenchApi(
  uri: string,
  dbName: string,
  env: Record<string, string> = {},
  { variant, ...placement }: Placement & { variant?: string[] } = {},
): Promise<BenchApi> {
  const { child, url } = await startBenchServer(
    variant ? ["bench/servers/api-variant.ts", ...variant] : ["src/cli.ts", "serve"],
    {
      MONGODB_URI: uri,
      STARLING_DB_NAME: dbName,
      NODE_ENV: "production",
      LOG_LEVEL: "warn",
      PORT: "0",
      STARLING_RATE_REQUESTS_PER_MINUTE_PER_IP: "10000000",
      ...env,
    },
    placement,
  );
  return { child, url, graphql: `${url}/graphql` };
}

/**
 * Stops a server (SIGTERM: the API's graceful stop) and waits for it to exit
 * (a CPU profile is written then), at most `waitMs`: one still running when
 * the benchmark exits is killed.
 */
export async function stopBenchApi(server: BenchServer, waitMs = Number.POSITIVE_INFINITY): Promise<void> {
  const { child } = server;
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => {
    child.once("exit", () => resolve());
    if (Number.isFinite(waitMs)) setTimeout(resolve, waitMs).unref();
  });
  child.kill("SIGTERM");
  await exited;
}
