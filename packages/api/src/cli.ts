#!/usr/bin/env tsx
/**
 * starling <command>
 *   serve          run the API (MONGODB_URI, or the embedded FerretDB)
 *   demo           run the API with a seeded demo shop, and print how to try it
 *   recompute      rebuild every rating summary from the reviews, report repairs;
 *                  with --rescore, first re-score every review in batch (hindsight)
 *   create-shop N  create a shop named N and print its secret key (shown once)
 *   keys list --shop ID             list a shop's keys (ids, kinds, scopes, revoked or not; never the keys)
 *   keys create --shop ID [--label L]
 *                  issue a new secret key with every secret scope and print it (shown once):
 *                  how a shop that lost its keys gets back in
 *   keys revoke KEY_ID --shop ID    revoke one key (not the shop's last key that can manage keys)
 *   insights analyze [FILE]   JSONL reviews in (stdin without FILE), one JSONL analysis out per line, same order
 *   insights trends FILE      JSONL reviews with productId and createdAt in, one JSONL emerging topic out per topic
 *   insights backfill         (also: insights-backfill) analyse every review that has no analysis yet, in
 *                  slices, with a progress bar; resumable (a new run goes on where one stopped); this
 *                  process works through the queue beside any running API processes
 *   import FILE [--format jsonl|csv] [--preset NAME] [--rejects FILE] [--endpoint URL] [--key SECRET_KEY]
 *                  import a review history into the key's shop through the API (a client: any running
 *                  Starling); rejected rows to --rejects; a summary on stderr. Run it again after a kill.
 *   export [--format jsonl|csv] [--out FILE] [--endpoint URL] [--key SECRET_KEY]
 *                  every review of the key's shop, streamed, in the import's fields (re-importable)
 *                  --endpoint defaults to STARLING_ENDPOINT, then http://127.0.0.1:4000; --key to STARLING_KEY
 *   print-schema   print the GraphQL schema (SDL)
 *   build-db       build the embedded FerretDB now (tests run it first, so no test waits on a cold build)
 */
import { lexicographicSortSchema, printSchema } from "graphql";
import { parseOptions, transferCommand } from "./client/cli.js";
import path from "node:path";
import { ConfigError, REPO_ROOT, loadConfig, type Config } from "./config.js";
import { ensureFerretDBBinary } from "./db/embedded-ferretdb.js";
import { openDatabase } from "./db/connection.js";
import { bindModels } from "./features/models.js";
import { DEMO_PUBLISHABLE_KEY, DEMO_SECRET_KEY, DEMO_SHOP_ID, demoPlayground } from "./demo/seed.js";
import { recomputeSummaries } from "./features/ratings/ratings.js";
import { addMissingPageKeys } from "./features/reviews/review-pages.js";
import { rescoreAll } from "./features/scoring/scoring.js";
import { createShop, findShop } from "./features/shops/shops.js";
import { createSignInLink } from "./features/dashboard/sessions.js";
import { dashboardCountsRebuild } from "./features/dashboard/counters.js";
import { issueKey, listKeys, revokeKey } from "./features/shops/keys.js";
import { StarlingError } from "./errors.js";
import { buildSchema } from "./graphql/schema.js";
import { INSIGHTS_TEXT_USAGE, insightsTextCommand } from "./insights-cli.js";
import { backfillInsights, insightsQueue, startInsightsWorker } from "./features/insights/insights.js";
import { createLogger, type Logger } from "./log.js";
import { depsFor, serveUntilStopped, startStarling } from "./starling.js";

async function main(argv: string[]): Promise<number> {
  const [command, ...args] = argv;
  if (command === "insights" && (args[0] === "analyze" || args[0] === "trends")) return insightsTextCommand(args[0], args.slice(1));
  // The import and export are clients of the HTTP API: no database, no server configuration.
  if (command === "import" || command === "export") return transferCommand(command, args);
  if (command === "print-schema") {
    process.stdout.write(`${printSchema(lexicographicSortSchema(buildSchema()))}\n`);
    return 0;
  }
  const config = loadConfig();
  const log = createLogger(config.logLevel);
  switch (command) {
    case "build-db": {
      if (config.mongodbUri) return 0; // a real MongoDB: nothing to build
      const bin = await ensureFerretDBBinary(path.join(REPO_ROOT, ".data", "bin"), (msg) => log.info(msg));
      process.stdout.write(`FerretDB ready: ${bin}\n`);
      return 0;
    }
    case "serve":
      return serveUntilStopped(await startStarling({ config, log }), log);
    case "demo":
      return demo(config, log);
    case "recompute":
      return withDeps(config, log, async (deps) => {
        // Reviews from a data folder older than page keys do not show in review pages until they get them,
        // nor in the re-score, which walks each product's reviews by them.
        const keyed = await addMissingPageKeys(deps);
        if (keyed) process.stdout.write(`gave page keys to ${keyed} reviews stored before they existed\n`);
        if (args.includes("--rescore")) {
          const rescored = await rescoreAll(deps);
          process.stdout.write(`re-scored ${rescored.reviews} reviews of ${rescored.shops} shops with hindsight\n`);
        }
        const rebuild = dashboardCountsRebuild(deps);
        const report = await recomputeSummaries(deps, {}, { alsoVisit: [rebuild.add] });
        const counters = await rebuild.save();
        process.stdout.write(`rebuilt the dashboard's counters (${counters} documents)\n`);
        process.stdout.write(
          `recomputed ${report.summaries} summaries; ${report.repaired.length} differed and were rewritten${
            report.repaired.length ? `: ${report.repaired.join(", ")}` : ""
          }\n`,
        );
      });
    case "create-shop": {
      const name = args.join(" ").trim();
      if (!name) {
        process.stderr.write("usage: starling create-shop <name>\n");
        return 2;
      }
      return withDeps(config, log, async (deps) => {
        const { shop, secretKey, publishableKey } = await createShop(deps, { name });
        process.stdout.write(
          `shop ${shop.id} "${shop.name}"\n` +
            `secret key (shown once; keep it on your server): ${secretKey}\n` +
            `publishable key (for web pages: reads and the review form): ${publishableKey}\n`,
        );
      });
    }
    case "keys":
      return keysCommand(config, log, args);
    case "insights-backfill":
      return insightsBackfill(config, log);
    case "insights":
      if (args[0] === "backfill") return insightsBackfill(config, log);
      process.stderr.write(INSIGHTS_TEXT_USAGE);
      return 2;
    case "dashboard-link":
      return dashboardLinkCommand(config, log, args);
    default:
      process.stderr.write(
        "usage: starling serve | demo | recompute [--rescore] | create-shop <name> | keys list|create|revoke --shop <id> | insights analyze|trends|backfill | dashboard-link --shop <id> [--url <base>] | import FILE | export | print-schema | build-db\n",
      );
      return 2;
  }
}

const KEYS_USAGE =
  "usage: starling keys list --shop <shopId>\n" +
  "       starling keys create --shop <shopId> [--label <label>]\n" +
  "       starling keys revoke <keyId> --shop <shopId>\n";

/** The operator's way into a shop's keys, without an API key: list, issue a secret key, revoke. */
async function keysCommand(config: Config, log: Logger, args: string[]): Promise<number> {
  const [action, ...rest] = args;
  const parsed = parseOptions(rest, ["shop", "label"]);
  const shopId = parsed?.options.shop;
  const positional = parsed?.positional ?? [];
  const wanted = action === "revoke" ? 1 : 0;
  if (!parsed || !shopId || !["list", "create", "revoke"].includes(action ?? "") || positional.length !== wanted) {
    process.stderr.write(KEYS_USAGE);
    return 2;
  }
  if (action !== "create" && parsed.options.label !== undefined) {
    process.stderr.write(KEYS_USAGE);
    return 2;
  }
  return withDeps(config, log, async (deps) => {
    if (!(await findShop(deps, shopId))) throw new StarlingError("NOT_FOUND", `There is no shop "${shopId}".`, { field: "shop" });
    if (action === "list") {
      for (const k of await listKeys(deps, shopId)) {
        process.stdout.write(
          `${k.id}\t${k.kind}\t${k.prefix}…\t${k.revokedAt ? `revoked ${k.revokedAt.toISOString()}` : "active"}\t` +
            `${k.scopes.join(",")}\t${k.label ?? ""}\n`,
        );
      }
    } else if (action === "create") {
      const { key, info } = await issueKey(deps, shopId, {
        kind: "secret",
        label: parsed.options.label ?? "issued by the operator (starling keys create)",
      });
      process.stdout.write(`key ${info.id} (secret, ${info.scopes.join(",")})\nsecret key (shown once; keep it on your server): ${key}\n`);
    } else {
      const info = await revokeKey(deps, shopId, positional[0]!);
      process.stdout.write(`revoked ${info.id} (${info.kind}, ${info.prefix}…)\n`);
    }
  });
}

const DASHBOARD_LINK_USAGE = "usage: starling dashboard-link --shop <shopId> [--url <https://starling.example>]\n";

/**
 * A one-time sign-in link to a shop's dashboard, for the operator to hand to
 * the shop: single use, expires after LINK_TTL_MS. The token is in the URL's
 * fragment, which browsers never send to a server or put in a Referer.
 */
async function dashboardLinkCommand(config: Config, log: Logger, args: string[]): Promise<number> {
  const parsed = parseOptions(args, ["shop", "url"]);
  const shopId = parsed?.options.shop;
  if (!parsed || !shopId || parsed.positional.length) {
    process.stderr.write(DASHBOARD_LINK_USAGE);
    return 2;
  }
  const base = (parsed.options.url ?? `http://${config.host === "0.0.0.0" ? "localhost" : config.host}:${config.port}`).replace(/\/+$/, "");
  return withDeps(config, log, async (deps) => {
    const { token, expiresAt } = await createSignInLink(deps, shopId);
    process.stdout.write(`one-time sign-in link (until ${expiresAt.toISOString()}): ${base}/dashboard/#link=${token}\n`);
  });
}

async function demo(config: Config, log: Logger): Promise<number> {
  const starling = await startStarling({
    config,
    log,
    beforeListen: (deps) =>
      demoPlayground(deps, ({ reviews, reused }) =>
        log.info(reused ? "reusing the demo shop of an earlier run (delete .data/ferretdb for a fresh one)" : "demo shop ready", {
          shopId: DEMO_SHOP_ID,
          reviews,
        }),
      ),
  });
  process.stdout.write(
    [
      "",
      "Starling is running with a demo shop.",
      `  Playground:  ${starling.url}/graphql   (open it and press ▶ to see a product's rating)`,
      `  Demo keys:   ${DEMO_SECRET_KEY} (secret), ${DEMO_PUBLISHABLE_KEY} (publishable); local demo only`,
      `  Dashboard:   ${starling.url}/dashboard   (sign in with the demo secret key)`,
      `  Try:         curl -s ${starling.url}/graphql -H 'authorization: Bearer ${DEMO_SECRET_KEY}' \\`,
      `                 -H 'content-type: application/json' -d '{"query":"{ product(id: \\"camp-mug\\") { name rating { count average plainMean } } }"}'`,
      "  Stop:        Ctrl-C",
      "",
    ].join("\n"),
  );
  return serveUntilStopped(starling, log);
}

/** `insights backfill`: queue the analysis of every review without one, work through it here too, with a progress bar on stderr. */
async function insightsBackfill(config: Config, log: Logger): Promise<number> {
  return withDeps(config, log, async (deps) => {
    const worker = startInsightsWorker(deps, { idleMs: 200 });
    const bar = (done: number, total: number, note: string) => {
      const width = 30;
      const frac = total ? Math.min(1, done / total) : 1;
      const filled = Math.round(frac * width);
      process.stderr.write(
        `\r[${"#".repeat(filled)}${".".repeat(width - filled)}] ${String(Math.round(frac * 100)).padStart(3)}% ${done}/${total} reviews ${note}   `,
      );
    };
    try {
      const result = await backfillInsights(deps, {
        onProgress: (p) => bar(p.scanned, p.total, `(${p.enqueued} queued this run, ${p.queued} waiting)`),
      });
      // The queue holds this run's last slices: wait for them (and for the counts they cause).
      const queue = insightsQueue(deps);
      for (let left = await queue.depth(); left > 0; left = await queue.depth()) {
        bar(result.scanned, result.total, `(${left} jobs left)`);
        await new Promise((r) => setTimeout(r, 250));
      }
      bar(result.scanned, result.total, "done");
      process.stderr.write("\n");
      process.stdout.write(`insights backfill: looked at ${result.scanned} reviews, queued ${result.enqueued} for analysis; all done\n`);
    } finally {
      await worker.stop();
    }
  });
}

async function withDeps(config: Config, log: Logger, work: (deps: ReturnType<typeof depsFor>) => Promise<void>) {
  const db = await openDatabase(config, log, bindModels);
  try {
    await work(depsFor(db, config, log));
    return 0;
  } finally {
    await db.close();
  }
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (err: unknown) => {
    if (err instanceof ConfigError) {
      process.stderr.write(`${err.message}\n`);
      process.exit(78); // EX_CONFIG
    }
    if (err instanceof StarlingError) {
      // A refusal the operator can act on (LAST_KEY, NOT_FOUND, INVALID_INPUT): its code and words, no stack.
      process.stderr.write(`starling: ${err.code}: ${err.message}\n`);
      process.exit(1);
    }
    process.stderr.write(`starling: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    process.exit(1);
  },
);
