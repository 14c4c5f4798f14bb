/**
 * The one-way dependencies the README's Layout promises: http → graphql →
 * features → db. Import cycles are madge's job (in `check`); this checks the
 * direction, which a cycle check cannot see.
 */
import { readFileSync, readdirSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

const SRC = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../src");

function tsFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? tsFiles(path.join(dir, e.name)) : e.name.endsWith(".ts") ? [path.join(dir, e.name)] : [],
  );
}

/** The src/ folders (or top-level files) a module imports, from its static, dynamic and export-from specifiers. */
function importedAreas(file: string): string[] {
  const text = readFileSync(file, "utf8");
  const areas: string[] = [];
  for (const m of text.matchAll(/(?:from|import)\s*\(?\s*["'](\.{1,2}\/[^"']+)["']/g)) {
    const target = path.relative(SRC, path.resolve(path.dirname(file), m[1]!));
    areas.push(target.split(path.sep)[0]!);
  }
  return areas;
}

const rel = (f: string) => path.relative(SRC, f);

describe("layout", () => {
  it("feature operations import neither graphql/ nor http/ (only a feature's schema.ts uses the builder)", () => {
    const files = tsFiles(path.join(SRC, "features")).filter((f) => path.basename(f) !== "schema.ts");
    expect(files.length).toBeGreaterThan(10);
    const offending = files.filter((f) => importedAreas(f).some((a) => a === "graphql" || a === "http")).map(rel);
    expect(offending).toEqual([]);
  });

  it("features import neither the composition root nor the server around them", () => {
    const files = tsFiles(path.join(SRC, "features"));
    const outer = new Set(["create-deps.ts", "starling.ts", "cli.ts", "demo", "form"]);
    const offending = files.filter((f) => importedAreas(f).some((a) => outer.has(a))).map(rel);
    expect(offending).toEqual([]);
  });

  it("graphql/ imports nothing from http/, not even a type (the contract types it needs live in graphql/context.ts)", () => {
    const files = tsFiles(path.join(SRC, "graphql"));
    expect(files.length).toBeGreaterThan(3);
    const offending = files.filter((f) => importedAreas(f).includes("http")).map(rel);
    expect(offending).toEqual([]);
  });

  it("src/client/ (starling import and export, clients of the HTTP API) imports nothing else of src/, so src/bin.ts starts them without the API", () => {
    const files = tsFiles(path.join(SRC, "client"));
    expect(files.length).toBeGreaterThan(5);
    const offending = files.filter((f) => importedAreas(f).some((a) => a !== path.basename(f) && !a.startsWith("client"))).map(rel);
    expect(offending).toEqual([]);
  });

  it("db/ imports no feature, graphql or http module", () => {
    const files = tsFiles(path.join(SRC, "db"));
    expect(files.length).toBeGreaterThan(5);
    const offending = files.filter((f) => importedAreas(f).some((a) => a === "features" || a === "graphql" || a === "http")).map(rel);
    expect(offending).toEqual([]);
  });

  it("mongoose schemas live in their feature's model.ts; db/ declares only the lease queue's collections, which belong to no feature", () => {
    // A collection is declared as collectionSchema<Doc>("name", …) or new Schema(…, { collection: "name" }).
    const collections = (f: string) =>
      [...readFileSync(f, "utf8").matchAll(/collectionSchema(?:<\w+>)?\(\s*"([^"]+)"|collection: "([^"]+)"/g)].map((m) => m[1] ?? m[2]);
    const declaring = tsFiles(SRC).filter((f) => collections(f).length > 0);
    expect(declaring.length).toBeGreaterThan(10);
    const elsewhere = declaring.map(rel).filter((f) => !/^features\/[^/]+\/model\.ts$/.test(f) && !f.startsWith(`db${path.sep}`));
    expect(elsewhere).toEqual([]);
    const inDb = declaring.filter((f) => rel(f).startsWith(`db${path.sep}`)).flatMap(collections);
    expect(inDb.sort()).toEqual(["lease_claims", "lease_jobs"]);
    // Every feature model is bound: features/models.ts spreads each model.ts's map.
    const bound = readFileSync(path.join(SRC, "features/models.ts"), "utf8");
    const maps = declaring.flatMap((f) => [...readFileSync(f, "utf8").matchAll(/export const (\w+Schemas) =/g)].map((m) => m[1]));
    expect(maps.length).toBe(declaring.length);
    expect(maps.filter((m) => !bound.includes(`...${m}`))).toEqual([]);
  });
});
