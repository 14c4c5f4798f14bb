/**
 * `starling import` and `starling export`: clients of the HTTP API, so this
 * module and what it imports are src/client/ only. src/bin.ts runs them
 * without loading the API (its GraphQL schema, mongoose, the scoring): a
 * client command starts in a fraction of the time and memory.
 */
import path from "node:path";
import { ApiError, ImportError, runImport } from "./import.js";
import { runExport } from "./export.js";

const TRANSFER_USAGE =
  "usage: starling import FILE [--format jsonl|csv] [--preset judgeme|shopify-product-reviews] [--rejects FILE] [--endpoint URL] [--key SECRET_KEY]\n" +
  "       starling export [--format jsonl|csv] [--out FILE] [--endpoint URL] [--key SECRET_KEY]\n" +
  "       (STARLING_ENDPOINT and STARLING_KEY stand in for --endpoint and --key)\n";

/**
 * A path as the user typed it: relative to where the command was typed, which
 * pnpm passes as INIT_CWD (`pnpm --filter @starling/api cli` runs in packages/api).
 */
const typed = (file: string) => path.resolve(process.env.INIT_CWD ?? process.cwd(), file);

/**
 * `starling import` and `starling export`. Exit 0 when the import ran, with
 * rejected rows or not (they are in the summary and the rejects file); 1 when
 * nothing could be read (no file, no parsable row) or the API refused or could
 * not be reached; 2 on a usage error.
 */
export async function transferCommand(command: "import" | "export", args: string[]): Promise<number> {
  const names = command === "import" ? ["format", "preset", "rejects", "endpoint", "key"] : ["format", "out", "endpoint", "key"];
  const parsed = parseOptions(args, names);
  const format = parsed?.options.format;
  const positional = parsed?.positional ?? [];
  if (!parsed || (format !== undefined && format !== "jsonl" && format !== "csv") || positional.length !== (command === "import" ? 1 : 0)) {
    process.stderr.write(TRANSFER_USAGE);
    return 2;
  }
  const key = parsed.options.key ?? process.env.STARLING_KEY;
  if (!key) {
    process.stderr.write(`starling ${command}: give the shop's secret key with --key or STARLING_KEY\n${TRANSFER_USAGE}`);
    return 2;
  }
  const endpoint = { url: parsed.options.endpoint ?? process.env.STARLING_ENDPOINT ?? "http://127.0.0.1:4000", key };
  try {
    if (command === "export") {
      const started = Date.now();
      const { reviews } = await runExport({
        format: format ?? "jsonl",
        out: parsed.options.out === undefined ? undefined : typed(parsed.options.out),
        endpoint,
        stdout: process.stdout,
        stderr: process.stderr,
      });
      process.stderr.write(
        `export: ${reviews} reviews in ${((Date.now() - started) / 1000).toFixed(1)} s${parsed.options.out ? ` to ${parsed.options.out}` : ""}\n`,
      );
      return 0;
    }
    const started = Date.now();
    const s = await runImport({
      file: typed(positional[0]!),
      format: format as "jsonl" | "csv" | undefined,
      preset: parsed.options.preset,
      rejects: parsed.options.rejects === undefined ? undefined : typed(parsed.options.rejects),
      endpoint,
      stderr: process.stderr,
    });
    const seconds = (Date.now() - started) / 1000;
    process.stderr.write(
      `import: ${s.imported} imported, ${s.alreadyPresent} already present, ${s.rejected} rejected` +
        `${s.rejected && parsed.options.rejects ? ` (see ${parsed.options.rejects})` : ""}; ` +
        `${s.imported + s.alreadyPresent + s.rejected} rows in ${seconds.toFixed(1)} s (${Math.round((s.imported + s.alreadyPresent + s.rejected) / seconds)} rows/s)\n`,
    );
    if (s.read === 0) {
      process.stderr.write(`import: nothing could be read from ${positional[0]}\n`);
      return 1;
    }
    return 0;
  } catch (err) {
    if (err instanceof ImportError || err instanceof ApiError) {
      process.stderr.write(`starling ${command}: ${err instanceof ApiError ? `${err.code}: ` : ""}${err.message}\n`);
      return 1;
    }
    throw err;
  }
}

/** `--name value` and `--name=value` for the names given; anything else is positional. Null on an unknown or valueless option. */
export function parseOptions(args: string[], names: string[]): { options: Record<string, string>; positional: string[] } | null {
  const options: Record<string, string> = {};
  const positional: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    if (!arg.startsWith("--")) {
      positional.push(arg);
      continue;
    }
    const [name, inline] = arg.slice(2).split(/=(.*)/s, 2) as [string, string | undefined];
    if (!names.includes(name)) return null;
    const value = inline ?? args[++i];
    if (value === undefined || value === "") return null;
    options[name] = value;
  }
  return { options, positional };
}
