/**
 * Builds the SDK once per test run (tsup: ESM, CJS, .d.ts and the widget
 * script), because the examples import the built package and the browser
 * loads the built widget script, as a shop would.
 */
import { execFile } from "node:child_process";
import { rm } from "node:fs/promises";
import { createRequire } from "node:module";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";

const SDK_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");

export default async function setup(): Promise<void> {
  // tsup is a root devDependency; run its CLI with this Node, in the SDK's folder.
  const tsupCli = path.join(path.dirname(createRequire(import.meta.url).resolve("tsup/package.json")), "dist/cli-default.js");
  // From scratch: tsup names shared declaration chunks by hash and leaves old ones behind.
  await rm(path.join(SDK_DIR, "dist"), { recursive: true, force: true });
  await promisify(execFile)(process.execPath, [tsupCli], { cwd: SDK_DIR });
}
