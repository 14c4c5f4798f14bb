/**
 * src/worker-bundle.ts: a TypeScript worker module bundled into one file that a
 * worker thread loads without tsx, reused while its sources are unchanged and
 * rebuilt as soon as one of them changes (an edit is never run stale).
 */
import { mkdtempSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { Worker } from "node:worker_threads";
import { describe, expect, it } from "vitest";
import { workerBundle } from "../src/worker-bundle.js";

function answer(file: string): Promise<unknown> {
  return new Promise((resolve, reject) => {
    const worker = new Worker(file);
    worker.once("message", (m) => {
      resolve(m);
      void worker.terminate();
    });
    worker.once("error", reject);
  });
}

describe("workerBundle", () => {
  it("bundles a TypeScript worker, reuses the bundle while its sources are unchanged and rebuilds it when one changes", async () => {
    const dir = mkdtempSync(path.join(tmpdir(), "starling-worker-bundle-"));
    const cache = path.join(dir, "cache");
    const entry = path.join(dir, "entry.ts");
    const dep = path.join(dir, "dep.ts");
    writeFileSync(dep, 'export const word: string = "first";\n');
    writeFileSync(
      entry,
      'import { parentPort } from "node:worker_threads";\nimport { word } from "./dep.js";\nparentPort!.postMessage(word);\n',
    );

    const built = await workerBundle(entry, cache);
    expect(built).not.toBeNull();
    expect(built!.endsWith(".mjs")).toBe(true);
    expect(await answer(built!)).toBe("first");

    const mtime = statSync(built!).mtimeMs;
    expect(await workerBundle(entry, cache)).toBe(built);
    expect(statSync(built!).mtimeMs).toBe(mtime);

    writeFileSync(dep, 'export const word: string = "second, edited";\n');
    expect(await workerBundle(entry, cache)).toBe(built);
    expect(await answer(built!)).toBe("second, edited");
  });

  it("gives null for a module that cannot be built, so the caller falls back to tsx", async () => {
    const dir = mkdtempSync(path.join(tmpdir(), "starling-worker-bundle-"));
    const entry = path.join(dir, "entry.ts");
    writeFileSync(entry, 'import { nothing } from "./missing.js";\nconsole.log(nothing);\n');
    expect(await workerBundle(entry, path.join(dir, "cache"))).toBeNull();
  });
});
