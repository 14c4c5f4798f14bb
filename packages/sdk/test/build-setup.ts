/**
 * Builds and packs the SDK once per test run, as it is published: `npm pack`
 * runs the package's `prepack` (a clean tsup build: ESM, CJS, .d.ts and the
 * widget script; the root LICENSE copied in) and packs what `files` lists.
 * The examples import the build or install the tarball, and the browser loads
 * the built widget script, as a shop would.
 */
import { execFile } from "node:child_process";
import { mkdtemp, readdir, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import type { TestProject } from "vitest/node";

declare module "vitest" {
  export interface ProvidedContext {
    /** The packed SDK (`npm pack` of packages/sdk): what `npm install @starling/sdk` would download. */
    sdkTarball: string;
  }
}

const SDK_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");

export default async function setup(project: TestProject) {
  const out = await mkdtemp(path.join(os.tmpdir(), "starling-sdk-pack-"));
  // --offline: packing a folder needs no registry, and the tests must run without a network.
  await promisify(execFile)("npm", ["pack", "--offline", "--pack-destination", out], { cwd: SDK_DIR });
  const tarballs = (await readdir(out)).filter((f) => f.endsWith(".tgz"));
  if (tarballs.length !== 1) throw new Error(`npm pack made ${tarballs.length} tarballs in ${out}`);
  project.provide("sdkTarball", path.join(out, tarballs[0]!));
  return () => rm(out, { recursive: true, force: true });
}
