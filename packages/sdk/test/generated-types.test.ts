/**
 * The SDK's types are generated from packages/api/schema.graphql, which is
 * printed from the API's schema. Both are committed; this fails while either
 * is stale. Fix: `sh scripts/pnpm.sh --filter @starling/api run schema`, then
 * `sh scripts/pnpm.sh --filter @starling/sdk run codegen`.
 */
import { execFile } from "node:child_process";
import { readFile } from "node:fs/promises";
import path from "node:path";
import { promisify } from "node:util";
import { generate } from "@graphql-codegen/cli";
import { describe, expect, it } from "vitest";
import { codegenConfig } from "../codegen.js";

const SDK_DIR = path.resolve(import.meta.dirname, "..");
const API_DIR = path.resolve(SDK_DIR, "../api");

describe("generated types", () => {
  it("packages/api/schema.graphql is the schema the API serves", async () => {
    const { stdout } = await promisify(execFile)(process.execPath, ["--import", "tsx", "src/cli.ts", "print-schema"], {
      cwd: API_DIR,
      maxBuffer: 8 * 1024 * 1024,
    });
    expect(await readFile(path.join(API_DIR, "schema.graphql"), "utf8"), "schema.graphql is stale: run the api's `schema` script").toBe(
      stdout,
    );
  });

  it("src/generated matches what codegen makes from schema.graphql", async () => {
    const cwd = process.cwd();
    process.chdir(SDK_DIR);
    try {
      const files = (await generate({ ...codegenConfig, cwd: SDK_DIR }, false)) as { filename: string; content: string }[];
      expect(files.length).toBeGreaterThan(0);
      for (const file of files) {
        const committed = await readFile(path.resolve(SDK_DIR, file.filename), "utf8");
        expect(committed, `${file.filename} is stale: run the sdk's \`codegen\` script`).toBe(file.content);
      }
    } finally {
      process.chdir(cwd);
    }
  });
});
