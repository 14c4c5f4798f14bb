/**
 * A worker thread's module bundled into one ES module file, built on demand and cached.
 *
 * From source (`pnpm cli`, which is tsx), a worker gets no TypeScript loader
 * on Node 20, so it would register tsx's in the thread and have it resolve and
 * transpile every module it loads: measured, ~0.7 s of CPU per worker more
 * than loading one prebuilt file (`insights analyze` starts one per core). The
 * bundle is made with esbuild (what tsx transpiles with, so no new dependency)
 * under node_modules/.cache, never committed: a fresh clone builds it on its
 * first run (~1-2 s once). It is rebuilt when esbuild's version or any file it
 * was built from changes (size or modification time), so an edit to the
 * source is never run stale. Null when it cannot be built: the caller then
 * starts the worker through tsx as before.
 */
import { createHash } from "node:crypto";
import { mkdirSync, readFileSync, renameSync, statSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

interface Manifest {
  esbuild: string;
  /** Absolute path of each input → "size:mtimeMs" when it was built. */
  inputs: Record<string, string>;
}

interface EsbuildApi {
  version: string;
  build(
    options: Record<string, unknown>,
  ): Promise<{ outputFiles: { contents: Uint8Array }[]; metafile: { inputs: Record<string, unknown> } }>;
}

const DEFAULT_CACHE = fileURLToPath(new URL("../node_modules/.cache/starling-workers/", import.meta.url));

function signature(file: string): string | null {
  try {
    const s = statSync(file);
    return `${s.size}:${s.mtimeMs}`;
  } catch {
    return null;
  }
}

async function loadEsbuild(): Promise<EsbuildApi | null> {
  try {
    const fromTsx = createRequire(fileURLToPath(import.meta.resolve("tsx")));
    return (await import(pathToFileURL(fromTsx.resolve("esbuild")).href)) as EsbuildApi;
  } catch {
    return null;
  }
}

/** The bundle of the TypeScript module `entry` (a file path), up to date with its sources; null if it cannot be built. */
export async function workerBundle(entry: string, cacheDir: string = DEFAULT_CACHE): Promise<string | null> {
  const esbuild = await loadEsbuild();
  if (esbuild === null) return null;
  const name = createHash("sha256").update(entry).digest("hex").slice(0, 16);
  const out = path.join(cacheDir, `${name}.mjs`);
  const manifestFile = path.join(cacheDir, `${name}.json`);
  try {
    const manifest = JSON.parse(readFileSync(manifestFile, "utf8")) as Manifest;
    if (
      manifest.esbuild === esbuild.version &&
      signature(out) !== null &&
      Object.entries(manifest.inputs).every(([file, sig]) => signature(file) === sig)
    )
      return out;
  } catch {
    // No usable manifest: build.
  }
  try {
    const result = await esbuild.build({
      entryPoints: [entry],
      bundle: true,
      platform: "node",
      format: "esm",
      target: "node20",
      write: false,
      metafile: true,
      absWorkingDir: path.dirname(entry),
      logLevel: "silent",
      // CommonJS dependencies that require() Node's modules need a require in an ES module.
      banner: {
        js: "import { createRequire as __starlingRequire } from 'node:module'; const require = __starlingRequire(import.meta.url);",
      },
    });
    const inputs: Record<string, string> = {};
    for (const input of Object.keys(result.metafile.inputs)) {
      const file = path.resolve(path.dirname(entry), input);
      const sig = signature(file);
      if (sig === null) return null;
      inputs[file] = sig;
    }
    mkdirSync(cacheDir, { recursive: true });
    // Written under a private name and renamed: two first runs at once never load a half-written file.
    const tmp = `.${process.pid}.tmp`;
    writeFileSync(out + tmp, result.outputFiles[0]!.contents);
    renameSync(out + tmp, out);
    writeFileSync(manifestFile + tmp, JSON.stringify({ esbuild: esbuild.version, inputs } satisfies Manifest));
    renameSync(manifestFile + tmp, manifestFile);
    return out;
  } catch {
    return null;
  }
}
