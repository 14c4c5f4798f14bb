/**
 * How the benchmarks start what they measure: the embedded FerretDB and the
 * API (`starling serve`, as in production) pinned to core 0, so the client on
 * core 1 does not take their CPU; and how they stop the API again.
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

/** The embedded FerretDB on the data in `dataDir` (kept between runs: seeding takes minutes), pinned to core 0. */
export async function startBenchDb(dataDir: string): Promise<EmbeddedFerretDB> {
  const db = await startEmbeddedFerretDB({ binDir: path.join(REPO_ROOT, ".data/bin"), dataDir });
  pin(db.pid, 0);
  return db;
}

export interface BenchApi {
  child: ChildProcess;
  /** The API's base URL. */
  url: string;
  /** Its GraphQL endpoint. */
  graphql: string;
}

/**
 * `starling serve` on core 0 against database `dbName` at `uri`: production
 * mode, warnings only, a free port, and the per-address request limit out of
 * the way (one client sends everything). `env` raises the other limits a
 * benchmark meets. Resolves once the API listens.
 */
export async function startBenchApi(uri: string, dbName: string, env: Record<string, string> = {}): Promise<BenchApi> {
  const child = spawn("taskset", ["-c", "0", process.execPath, "--import", "tsx", "src/cli.ts", "serve"], {
    cwd: API_DIR,
    env: {
      ...process.env,
      MONGODB_URI: uri,
      STARLING_DB_NAME: dbName,
      NODE_ENV: "production",
      LOG_LEVEL: "warn",
      PORT: "0",
      STARLING_RATE_REQUESTS_PER_MINUTE_PER_IP: "10000000",
      ...env,
    },
    stdio: ["ignore", "pipe", "inherit"],
  });
  const url = await new Promise<string>((resolve, reject) => {
    child.once("exit", (code) => reject(new Error(`serve exited with ${code}`)));
    createInterface({ input: child.stdout! }).on("line", (line) => {
      const m = /^listening (\S+)/.exec(line);
      if (m) resolve(m[1]!);
    });
  });
  return { child, url, graphql: `${url}/graphql` };
}

/** Stops the API (SIGTERM, its graceful stop) and waits for it to exit. */
export async function stopBenchApi(api: BenchApi): Promise<void> {
  if (api.child.exitCode !== null) return;
  const exited = new Promise((r) => api.child.once("exit", r));
  api.child.kill("SIGTERM");
  await exited;
}
