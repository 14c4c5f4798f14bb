/**
 * The benchmark's variants of `starling serve` (bench/run.ts): the same API
 * from the same sources, started as `serve` starts it (configuration from the
 * environment, "listening <url>" on stdout, a graceful stop on SIGTERM), with
 * what production never switches:
 *   --insights-off    this process analyses no review texts (issue 14's "insights off")
 *   --legacy-scoring  the scorer before issue 18 (LEGACY_SCORING_OPTIONS), its states
 *                     saved without the fields only issue 18 reads (bench/legacy-states.ts)
 * Run through tsx as bench/start.ts runs src/cli.ts, so the servers compared
 * differ in these switches only.
 */
import { LEGACY_SCORING_OPTIONS } from "@starling/scoring";
import { loadConfig } from "../../src/config.js";
import { createLogger } from "../../src/log.js";
import { serveUntilStopped, startStarling } from "../../src/starling.js";
import { legacyPackState } from "../legacy-states.js";

const KNOWN = ["--insights-off", "--legacy-scoring"];
const args = process.argv.slice(2);
const unknown = args.filter((a) => !KNOWN.includes(a));
if (unknown.length) {
  process.stderr.write(`api-variant: unknown ${unknown.join(" ")} (known: ${KNOWN.join(" ")})\n`);
  process.exit(2);
}
const config = loadConfig();
const log = createLogger(config.logLevel);
const starling = await startStarling({
  config,
  log,
  insightsWorker: !args.includes("--insights-off"),
  scoring: args.includes("--legacy-scoring")
    ? { scoringOptions: LEGACY_SCORING_OPTIONS, packScoringState: legacyPackState(LEGACY_SCORING_OPTIONS) }
    : {},
});
process.exit(await serveUntilStopped(starling, log));
