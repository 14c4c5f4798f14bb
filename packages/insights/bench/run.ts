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
import { trendFigures } from "./trends.js";

console.log(`## Polarity (AUC)\n${polarityTable().join("\n")}\n`);
console.log(`## Aspects\n${aspectTable().join("\n")}\n`);
console.log(`## Language\n${languageTable().join("\n")}\n`);
if (hasData()) {
  const f = trendFigures();
  console.log(
    `## Emerging topics (defaults)\n${f.products} products, ${f.productYears.toFixed(1)} product-years. Untouched: ${f.falseNegativeTopics} negative topics ` +
      `(${(f.falseNegativeTopics / f.productYears).toFixed(3)} per product-year), ${f.falsePositiveTopics} positive (${(f.falsePositiveTopics / f.productYears).toFixed(3)}). ` +
      `Injected zipper topic found within 30 days: ${f.detected}/${f.trials} = ${(f.detected / f.trials).toFixed(2)} ` +
      `(median ${f.medianDaysToDetect} days); on products with >= 5 reviews a month ${f.busyDetected}/${f.busyTrials} = ${(f.busyDetected / f.busyTrials).toFixed(2)}.\n`,
  );
}
console.log(`## Cost\n${costTable().join("\n")}\n`);
console.log(`## insights analyze, the CLI end to end\n${cliTable().join("\n")}`);
