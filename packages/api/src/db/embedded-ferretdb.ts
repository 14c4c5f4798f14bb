/**
 * The embedded database for development, tests and the demo: FerretDB 1.24.2
 * with its SQLite backend, built from the Go module proxy on first use through
 * the wrapper in packages/api/ferretdb (see its main.go for why a wrapper),
 * with patches so lookups by `_id` use the `_id` index, keyset pages walk an index
 * instead of sorting the collection, and an update command of many statements
 * does not exhaust SQLite's connection pool (ferretdb/patches).
 *
 * The binary's name carries a hash of the wrapper's sources and patches, so a change to
 * them rebuilds it and an unchanged checkout reuses it; Go's own caches (in
 * their default places) make a rebuild on the same machine fast.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync } from "node:fs";
import { chmod, copyFile, cp, mkdir, readFile, readdir, rename, rm, writeFile } from "node:fs/promises";
import path from "node:path";
import { createInterface } from "node:readline";
import { REPO_ROOT } from "../config.js";

const WRAPPER_DIR = path.join(REPO_ROOT, "packages/api/ferretdb");
/**
 * Upstream files replaced in a copy of FerretDB's module before the build (see
 * ferretdb/patches/README.md), each with a line the upstream file must hold,
 * so a different FerretDB version fails the build instead of taking a stale patch.
 */
const PATCHES = [
  {
    file: "patches/sqlite-metadata.go.in",
    replaces: "internal/backends/sqlite/metadata/metadata.go",
    upstreamHas: `IDColumn = DefaultColumn + "->'$._id'"`,
  },
  {
    file: "patches/sqlite-collection.go.in",
    replaces: "internal/backends/sqlite/collection.go",
    upstreamHas: "if params.Filter.Len() == 1 {",
  },
  {
    file: "patches/backends-collection.go.in",
    replaces: "internal/backends/collection.go",
    upstreamHas: `sortValue := params.Sort.Map()["$natural"].(int64)`,
  },
  {
    file: "patches/handler-msg-find.go.in",
    replaces: "internal/handler/msg_find.go",
    upstreamHas: 'qp.Sort = must.NotFail(types.NewDocument("$natural", int64(1)))',
  },
  {
    file: "patches/handler-msg-update.go.in",
    replaces: "internal/handler/msg_update.go",
    // Upstream closes every statement's query at the end of the command (the defer inside the loop).
    upstreamHas: "\t\tdefer closer.Close()\n\n\t\tcloser.Add(res.Iter)",
  },
  {
    file: "patches/handler-msg-explain.go.in",
    replaces: "internal/handler/msg_explain.go",
    upstreamHas: 'qp.Sort = must.NotFail(types.NewDocument("$natural", int64(1)))',
  },
];
const WRAPPER_SOURCES = ["go.mod", "go.sum", "main.go", ...PATCHES.map((p) => p.file)];

export interface EmbeddedFerretDB {
  /** mongodb://127.0.0.1:PORT/ (a restart listens on the same port, so the URI stays valid). */
  readonly uri: string;
  /** The running server's process id (the benchmark pins it to a core); a restart changes it. */
  readonly pid: number;
  /** False from the server's death until its restart is ready. */
  readonly up: boolean;
  /** Called on each change of `up`. */
  onChange(listener: (up: boolean) => void): void;
  stop(): Promise<void>;
}

/** What the supervisor says about deaths and restarts. */
export interface SupervisorLog {
  warn(msg: string, fields?: Record<string, unknown>): void;
  error(msg: string, fields?: Record<string, unknown>): void;
}

/** Restart backoff: the first retry soon, doubling up to the cap while restarts keep failing. */
export const RESTART_BACKOFF = { firstMs: 100, maxMs: 5_000, /** A server up this long resets the backoff. */ stableMs: 10_000 } as const;

export class EmbeddedDatabaseError extends Error {
  override name = "EmbeddedDatabaseError";
}

/** Returns the path of a FerretDB binary built from the current wrapper sources, building it if needed. */
export async function ensureFerretDBBinary(binDir: string, onBuild: (msg: string) => void = () => {}): Promise<string> {
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
  const work = `${tmp}.src`;
  try {
    const modfile = await patchedModule(work, PATCHES);
    await run("go", ["build", "-trimpath", `-modfile=${modfile}`, "-o", tmp, "."], WRAPPER_DIR);
  } catch (err) {
    await rm(tmp, { force: true });
    throw err;
  } finally {
    await rm(work, { recursive: true, force: true });
  }
  await rename(tmp, bin);
  onBuild(`built FerretDB in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  return bin;
}

/**
 * Copies FerretDB's module (3.4 MB) out of Go's read-only module cache into
 * `work`, applies the patches to the copy, and writes a go.mod (with its
 * go.sum) that builds the wrapper against it. Returns that go.mod's path.
 */
async function patchedModule(work: string, patches: typeof PATCHES): Promise<string> {
  // Downloads the module if this machine has not yet (the build would anyway) and says where it is.
  const info = JSON.parse(await run("go", ["mod", "download", "-json", "github.com/FerretDB/FerretDB"], WRAPPER_DIR, true)) as {
    Dir?: string;
    Version?: string;
    Error?: string;
  };
  if (!info.Dir) throw new EmbeddedDatabaseError(`could not download FerretDB's module: ${info.Error ?? "no directory"}`);
  const copy = path.join(work, `FerretDB@${info.Version}`);
  await cp(info.Dir, copy, { recursive: true });
  await chmodTree(copy);
  for (const p of patches) {
    const upstream = path.join(copy, p.replaces);
    if (!(await readFile(upstream, "utf8")).includes(p.upstreamHas)) {
      throw new EmbeddedDatabaseError(`${p.file} no longer applies: ${p.replaces} in ${info.Dir} has no "${p.upstreamHas}"`);
    }
    await copyFile(path.join(WRAPPER_DIR, p.file), upstream);
  }
  const modfile = path.join(work, "go.mod");
  const mod = await readFile(path.join(WRAPPER_DIR, "go.mod"), "utf8");
  await writeFile(modfile, `${mod}\nreplace github.com/FerretDB/FerretDB => ${copy}\n`);
  await copyFile(path.join(WRAPPER_DIR, "go.sum"), path.join(work, "go.sum"));
  return modfile;
}

/** The module cache's files are read-only; the copy must be writable to patch and to delete. */
async function chmodTree(dir: string): Promise<void> {
  await chmod(dir, 0o755);
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const p = path.join(dir, entry.name);
    if (entry.isDirectory()) await chmodTree(p);
    else await chmod(p, 0o644);
  }
}

/**
 * Starts FerretDB on a free loopback port with its SQLite files in `dataDir`,
 * and supervises it: if the server dies (a crash, the OOM killer, kill -9),
 * it is started again on the same port with backoff, so the API's driver
 * reconnects on its own and the API needs no restart. Each death and restart is logged.
 */
export async function startEmbeddedFerretDB(opts: {
  binDir: string;
  dataDir: string;
  onBuild?: (msg: string) => void;
  log?: SupervisorLog;
}): Promise<EmbeddedFerretDB> {
  const bin = await ensureFerretDBBinary(opts.binDir, opts.onBuild);
  await mkdir(opts.dataDir, { recursive: true });
  const log = opts.log ?? { warn() {}, error() {} };
  // stdin stays a pipe that only we hold: if this process dies, even by
  // SIGKILL, the pipe closes and FerretDB exits instead of lingering.
  const launch = (listen: string) =>
    spawn(
      bin,
      [
        "-listen",
        listen,
        "-data-dir",
        opts.dataDir,
        "-watch-stdin",
        // FerretDB logs every error reply at warn, including the ones drivers expect.
        "-log-level",
        "error",
      ],
      {
        stdio: ["pipe", "pipe", "inherit"],
      },
    );

  let child = launch("127.0.0.1:0");
  const uri = await readyLine(child);
  // Restarts listen where the first server did: the driver keeps that address.
  const listen = new URL(uri).host;
  let up = true;
  let stopping = false;
  let startedAt = Date.now();
  let delayMs: number = RESTART_BACKOFF.firstMs;
  let wakeRestart: (() => void) | null = null;
  let restarting: Promise<void> | null = null;
  const listeners: ((up: boolean) => void)[] = [];
  const setUp = (value: boolean) => {
    if (up === value) return;
    up = value;
    for (const l of listeners) l(value);
  };

  const supervise = (c: ChildProcess) => {
    c.once("exit", (code, signal) => {
      if (stopping || c !== child) return;
      setUp(false);
      if (Date.now() - startedAt >= RESTART_BACKOFF.stableMs) delayMs = RESTART_BACKOFF.firstMs;
      log.error("embedded FerretDB died; restarting it", { pid: c.pid, code, signal, restartInMs: delayMs });
      restarting = restart();
    });
  };

  const restart = async () => {
    for (let attempt = 1; !stopping; attempt++) {
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, delayMs);
        wakeRestart = () => (clearTimeout(timer), resolve());
      });
      wakeRestart = null;
      if (stopping) return;
      const next = launch(listen);
      try {
        await readyLine(next);
      } catch (err) {
        // The port may be briefly taken (the driver's reconnects), or the data unreadable: try again, slower.
        delayMs = Math.min(delayMs * 2, RESTART_BACKOFF.maxMs);
        log.error("restarting embedded FerretDB failed; trying again", { attempt, error: err, retryInMs: delayMs });
        continue;
      }
      if (stopping) {
        next.kill("SIGTERM");
        return;
      }
      child = next;
      startedAt = Date.now();
      delayMs = Math.min(delayMs * 2, RESTART_BACKOFF.maxMs);
      supervise(next);
      log.warn("embedded FerretDB restarted", { pid: next.pid, attempt, uri });
      setUp(true);
      return;
    }
  };

  supervise(child);
  return {
    uri,
    get pid() {
      return child.pid!;
    },
    get up() {
      return up;
    },
    onChange(listener) {
      listeners.push(listener);
    },
    async stop() {
      stopping = true;
      wakeRestart?.();
      await restarting;
      if (child.exitCode === null && child.signalCode === null) {
        const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
        child.kill("SIGTERM");
        await exited;
      }
    },
  };
}

function readyLine(child: ChildProcess): Promise<string> {
  return new Promise((resolve, reject) => {
    const lines = createInterface({ input: child.stdout! });
    const onExit = (code: number | null) => reject(new EmbeddedDatabaseError(`FerretDB exited with code ${code} before it was ready`));
    child.once("error", reject);
    child.once("exit", onExit);
    lines.on("line", (line) => {
      if (!line.startsWith("ready ")) return;
      child.off("exit", onExit);
      resolve(line.slice("ready ".length).trim());
    });
  });
}

/** Runs a command; with `capture`, resolves with its stdout (else it goes to ours). */
function run(cmd: string, args: string[], cwd: string, capture = false): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { cwd, stdio: ["ignore", capture ? "pipe" : "inherit", "inherit"] });
    let out = "";
    child.stdout?.setEncoding("utf8").on("data", (chunk: string) => (out += chunk));
    child.once("error", (err: NodeJS.ErrnoException) =>
      reject(
        err.code === "ENOENT"
          ? new EmbeddedDatabaseError(
              "Go (1.24 or newer) is needed to build the embedded FerretDB; install it, or set MONGODB_URI to use a MongoDB server",
            )
          : err,
      ),
    );
    // "close", not "exit": by then stdout has been read to its end.
    child.once("close", (code) =>
      code === 0 ? resolve(out) : reject(new EmbeddedDatabaseError(`${cmd} ${args.join(" ")} exited with code ${code}`)),
    );
  });
}
