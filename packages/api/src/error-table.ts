/**
 * What is generated from the error table (ERROR_CODES in errors.ts): the SDK's
 * copy of it and the README's errors section. The SDK must not depend on the
 * API at run time, so it gets a generated file, the way it gets its types.
 * Written by `sh scripts/pnpm.sh --filter @starling/api run errors`;
 * test/error-table.test.ts fails while either is stale.
 */
import { ERROR_CODES } from "./errors.js";

export const SDK_ERROR_CODES_PATH = "packages/sdk/src/generated/error-codes.ts";
export const README_ERRORS_START =
  "<!-- error table: generated from packages/api/src/errors.ts by `sh scripts/pnpm.sh --filter @starling/api run errors` -->";
export const README_ERRORS_END = "<!-- end of error table -->";

/** The SDK's generated module: every code, its HTTP status and meaning. */
export function sdkErrorCodesModule(): string {
  const lines = Object.entries(ERROR_CODES).map(
    ([code, e]) => `  ${code}: { status: ${e.status}, meaning: ${JSON.stringify(e.meaning)} },`,
  );
  return `/* eslint-disable */
// Generated from packages/api/src/errors.ts (ERROR_CODES) by
// \`sh scripts/pnpm.sh --filter @starling/api run errors\`. Do not edit.

/** Every error code the API can answer with: the HTTP status it stands for, and what it means. */
export const ERROR_CODES = {
${lines.join("\n")}
} as const;

export type ErrorCode = keyof typeof ERROR_CODES;
`;
}

/** The README's table of codes, between its two markers, padded the way Biome formats Markdown tables. */
export function readmeErrorTable(): string {
  const header = ["`extensions.code`", "HTTP status", "meaning"];
  const rows = Object.entries(ERROR_CODES).map(([code, e]) => [`\`${code}\``, String(e.status), e.meaning.replace(/\|/g, "\\|")]);
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]) => `| ${cells.map((c, i) => c.padEnd(widths[i]!)).join(" | ")} |`;
  const rule = `| ${widths.map((w) => "-".repeat(w)).join(" | ")} |`;
  return [README_ERRORS_START, "", line(header), rule, ...rows.map(line), "", README_ERRORS_END].join("\n");
}

/** The README with its table section replaced by the current one. */
export function withReadmeErrorTable(readme: string): string {
  const start = readme.indexOf(README_ERRORS_START);
  const end = readme.indexOf(README_ERRORS_END);
  if (start < 0 || end < start) throw new Error("README.md has no error table markers");
  return readme.slice(0, start) + readmeErrorTable() + readme.slice(end + README_ERRORS_END.length);
}
