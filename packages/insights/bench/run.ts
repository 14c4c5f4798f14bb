/**
 * Every insights figure in one run, as pasted into the README:
 *
 *   sh scripts/pnpm.sh --filter @starling/insights run bench
 *   (or: npx tsx packages/insights/bench/run.ts)
 */
import { aspectTable } from "./aspects.js";
import { cliTable } from "./cli.js";
import { costTable } from "./cost.js";
import { hasData } from "./data.js";
import { languageTable } from "./language.js";
import { polarityTable } from "./polarity.js";
import { describeTrendFigures, trendFigures } from "./trends.js";

console.log(`## Polarity (AUC)\n${(await polarityTable()).join("\n")}\n`);
console.log(`## Aspects\n${aspectTable().join("\n")}\n`);
console.log(`## Language\n${languageTable().join("\n")}\n`);
if (hasData()) {
  const lines = (["tuning", "held-out", "legacy"] as const).map((split) => describeTrendFigures(trendFigures({}, split)));
  console.log(`## Emerging topics (defaults)\n${lines.join("\n")}\n`);
}
console.log(`## Cost\n${costTable().join("\n")}\n`);
console.log(`## insights analyze, the CLI end to end\n${cliTable().join("\n")}`);
