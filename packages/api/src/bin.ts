#!/usr/bin/env tsx
/**
 * The `starling` command's entry (`sh scripts/pnpm.sh -s --filter @starling/api cli …`).
 * `import` and `export` are clients of the HTTP API: they run from
 * src/client/ alone, never loading the API's modules (about 0.3 s of start-up and
 * 300 MB less); so do `insights analyze` and `insights trends` (the insights
 * package over JSONL, src/insights-cli.ts). Every other command is src/cli.ts,
 * which lists them all.
 */
const [command, ...args] = process.argv.slice(2);
if (command === "import" || command === "export") {
  const { transferCommand } = await import("./client/cli.js");
  transferCommand(command, args).then(
    (code) => process.exit(code),
    (err: unknown) => {
      process.stderr.write(`starling: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
      process.exit(1);
    },
  );
} else if (command === "insights" && (args[0] === "analyze" || args[0] === "trends")) {
  const { insightsTextCommand } = await import("./insights-cli.js");
  insightsTextCommand(args[0], args.slice(1)).then(
    (code) => process.exit(code),
    (err: unknown) => {
      process.stderr.write(`starling: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
      process.exit(1);
    },
  );
} else {
  await import("./cli.js");
}

export {};
