/**
 * The embedded database for development, tests and the demo: FerretDB 1.24.2
 * with its SQLite backend, built from the Go module proxy on first use through
 * the wrapper in packages/api/ferretdb (see its main.go for why a wrapper).
 *
 * The binary's name carries a hash of the wrapper's sources, so a change to
 * them rebuilds it and an unchanged checkout reuses it; Go's own caches (in
 * their default places) make a rebuild on the same machine fast.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync } from "node:fs";
import { mkdir, readFile, rename, rm } from "node:fs/promises";
import path from "node:path";
import { createInterface } from "node:readline";
import { REPO_ROOT } from "../config.js";

const WRAPPER_DIR = path.join(REPO_ROOT, "packages/api/ferretdb");
const WRAPPER_SOURCES = ["go.mod", "go.sum", "main.go"];

export interface EmbeddedFerretDB {
  /** mongodb://127.0.0.1:PORT/ */
  readonly uri: string;
  /** The server's process id (the benchmark pins it to a core). */
  readonly pid: number;
  stop(): Promise<void>;
}

export class EmbeddedDatabaseError extends Error {
  override name = "EmbeddedDatabaseError";
}

/** Returns the path of a FerretDB binary built from the current wrapper sources, building it if needed. */
export async function ensureFerretDBBinary(
  binDir: string,
  onBuild: (msg: string) => void = () => {},
): Promise<string> {
  const hash = createHash("sha256");
  for (const f of WRAPPER_SOURCES) hash.update(await readFile(path.join(WRAPPER_DIR, f)));
  const bin = path.join(binDir, `ferretdb-1.24.2-${hash.digest("hex").slice(0, 12)}`);
  if (existsSync(bin)) return bin;

  await mkdir(binDir, { recursive: true });
  // Build to a private name, then rename: concurrent first runs (a demo and a
  // test run) each build, and whichever finishes last wins without a torn file.
  const tmp = `${bin}.${process.pid}.tmp`;
  onBuild(`building FerretDB 1.24.2 from the Go module proxy into ${bin} (first run only; a few minutes cold)`);
  const started = Date.now();
  await run("go", ["build", "-trimpath", "-o", tmp, "."], WRAPPER_DIR).catch(async (err: unknown) => {
    await rm(tmp, { force: true });
    throw err;
  });
  await rename(tmp, bin);
  onBuild(`built FerretDB in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  return bin;
}

/** Starts FerretDB on a free loopback port with its SQLite files in `dataDir`. */
export async function startEmbeddedFerretDB(opts: {
  binDir: string;
  dataDir: string;
  onBuild?: (msg: string) => void;
}): Promise<EmbeddedFerretDB> {
  const bin = await ensureFerretDBBinary(opts.binDir, opts.onBuild);
  await mkdir(opts.dataDir, { recursive: true });
  // stdin stays a pipe that only we hold: if this process dies, even by
  // SIGKILL, the pipe closes and FerretDB exits instead of lingering.
  const child = spawn(bin, [
    "-listen",
    "127.0.0.1:0",
    "-data-dir",
    opts.dataDir,
    "-watch-stdin",
    // FerretDB logs every error reply at warn, including the ones drivers expect.
    "-log-level",
    "error",
  ], {
    stdio: ["pipe", "pipe", "inherit"],
  });
  const uri = await readyLine(child);
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  return {
    uri,
    pid: child.pid!,
    async stop() {
      if (child.exitCode === null && child.signalCode === null) child.kill("SIGTERM");
      await exited;
    },
  };
}

function readyLine(child: ChildProcess): Promise<string> {
  return new Promise((resolve, reject) => {
    const lines = createInterface({ input: child.stdout! });
    const onExit = (code: number | null) =>
      reject(new EmbeddedDatabaseError(`FerretDB exited with code ${code} before it was ready`));
    child.once("error", reject);
    child.once("exit", onExit);
    lines.on("line", (line) => {
      if (!line.startsWith("ready ")) return;
      child.off("exit", onExit);
      resolve(line.slice("ready ".length).trim());
    });
  });
}

function run(cmd: string, args: string[], cwd: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { cwd, stdio: ["ignore", "inherit", "inherit"] });
    child.once("error", (err: NodeJS.ErrnoException) =>
      reject(
        err.code === "ENOENT"
          ? new EmbeddedDatabaseError(
              "Go (1.24 or newer) is needed to build the embedded FerretDB; install it, or set MONGODB_URI to use a MongoDB server",
            )
          : err,
      ),
    );
    child.once("exit", (code) =>
      code === 0 ? resolve() : reject(new EmbeddedDatabaseError(`${cmd} ${args.join(" ")} exited with code ${code}`)),
    );
  });
}
