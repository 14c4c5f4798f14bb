/**
 * One database server for the whole run: the server at MONGODB_URI when it is
 * set (the same suite then runs against a real MongoDB), else a FerretDB of
 * its own with a throwaway data folder. Each test file uses its own database.
 */
import { rm } from "node:fs/promises";
import path from "node:path";
import type { TestProject } from "vitest/node";
import { REPO_ROOT } from "../src/config.js";
import { startEmbeddedFerretDB } from "../src/db/embedded-ferretdb.js";

declare module "vitest" {
  export interface ProvidedContext {
    mongoUri: string;
    /** "ferretdb" or "mongodb" (MONGODB_URI), for the few checks that differ. */
    backend: string;
  }
}

export default async function setup(project: TestProject) {
  if (process.env.MONGODB_URI) {
    project.provide("mongoUri", process.env.MONGODB_URI);
    project.provide("backend", "mongodb");
    return;
  }
  const dataDir = path.join(REPO_ROOT, ".data", `test-ferretdb-${process.pid}`);
  const db = await startEmbeddedFerretDB({
    binDir: path.join(REPO_ROOT, ".data", "bin"),
    dataDir,
    onBuild: (msg) => console.log(msg),
  });
  project.provide("mongoUri", db.uri);
  project.provide("backend", "ferretdb");
  return async () => {
    await db.stop();
    await rm(dataDir, { recursive: true, force: true });
  };
}
