/**
 * One error table (ERROR_CODES in src/errors.ts): every code the API can
 * answer with is in it, and the SDK's copy and the README's section are
 * generated from it. Fix a stale copy with `sh scripts/pnpm.sh --filter @starling/api run errors`.
 */
import { readFile, readdir } from "node:fs/promises";
import { createRequire } from "node:module";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { REPO_ROOT } from "../src/config.js";
import { ERROR_CODES } from "../src/errors.js";
import { SDK_ERROR_CODES_PATH, readmeErrorTable, sdkErrorCodesModule } from "../src/error-table.js";

async function files(dir: string, ext: RegExp): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true, recursive: true });
  return entries.filter((e) => e.isFile() && ext.test(e.name)).map((e) => path.join(e.parentPath, e.name));
}

/**
 * Every code literal the API's source can put in `extensions.code`: the
 * argument of `new StarlingError("…"`, `code: "…"`, `withCode(e, "…")`,
 * `errorBody("…"`, and what the form's script compares `ext.code` with.
 */
const CODE_LITERAL =
  /(?:StarlingError\(\s*|\bcode:\s*|\bwithCode\([^,()]+,\s*|\berrorBody\(\s*|\b(?:ext|extensions\??)\.code\s*===\s*)["'`]([A-Z][A-Z0-9_]+)["'`]/g;

async function codesIn(sourceFiles: string[]): Promise<Map<string, string>> {
  const found = new Map<string, string>();
  for (const file of sourceFiles) {
    for (const m of (await readFile(file, "utf8")).matchAll(CODE_LITERAL)) found.set(m[1]!, path.relative(REPO_ROOT, file));
  }
  return found;
}

describe("the error table", () => {
  it("has every code the API's source can send", async () => {
    const found = await codesIn(await files(path.join(REPO_ROOT, "packages/api/src"), /\.ts$/));
    // The scan must see the codes it is meant to see, or it proves nothing.
    for (const code of [
      "INVALID_INPUT",
      "FORBIDDEN",
      "RATE_LIMITED",
      "DATABASE_UNAVAILABLE",
      "INTERNAL_SERVER_ERROR",
      "REQUEST_TOO_LARGE",
      "KEY_REVOKED",
    ]) {
      expect(found.has(code), `scan missed ${code}`).toBe(true);
    }
    const missing = [...found].filter(([code]) => !(code in ERROR_CODES)).map(([code, file]) => `${code} (${file})`);
    expect(missing, "codes the API can send that src/errors.ts's ERROR_CODES lacks").toEqual([]);
  });

  it("has every code GraphQL Yoga and graphql-armor can send through the API", async () => {
    const require = createRequire(path.join(REPO_ROOT, "packages/api/package.json"));
    const yoga = path.dirname(require.resolve("graphql-yoga"));
    const found = await codesIn(await files(yoga, /\.js$/));
    expect(found.has("BAD_REQUEST")).toBe(true);
    // Yoga's multipart size error cannot reach a client: the server refuses large bodies first (413, REQUEST_TOO_LARGE).
    found.delete("REQUEST_ENTITY_TOO_LARGE");
    expect([...found.keys()].filter((code) => !(code in ERROR_CODES))).toEqual([]);
  });

  it("is what the SDK's generated copy says", async () => {
    const committed = await readFile(path.join(REPO_ROOT, SDK_ERROR_CODES_PATH), "utf8");
    expect(committed, `${SDK_ERROR_CODES_PATH} is stale: run the api's \`errors\` script`).toBe(sdkErrorCodesModule());
  });

  it("is the README's errors section", async () => {
    const readme = await readFile(path.join(REPO_ROOT, "README.md"), "utf8");
    expect(readme.includes(readmeErrorTable()), "README.md's error table is stale: run the api's `errors` script").toBe(true);
    // Each code appears once in the generated section, with its status.
    for (const [code, { status }] of Object.entries(ERROR_CODES)) expect(readme).toMatch(new RegExp(`\\| \`${code}\` +\\| ${status} +\\|`));
  });
});
