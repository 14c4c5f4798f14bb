/**
 * Tests on the research data sets in ../shared/data, which the project may not
 * redistribute: a clone without them skips those tests and says in one line
 * which did not run and why; CI (CI=true) always has the data, so there a
 * missing data set is a failure, never a silent skip.
 */
import { it } from "vitest";
import { dataDir, hasDataset } from "../bench/datasets.js";

type Dataset = Parameters<typeof hasDataset>[0];

/** `it` when the data set is present (or under CI, where its absence then fails); `it.skip` with one line otherwise. */
export function itWithData(dataset: Dataset, name: string, fn: () => void, timeout?: number): void {
  if (hasDataset(dataset) || process.env.CI === "true") {
    it(name, fn, timeout);
    return;
  }
  console.warn(`skipped "${name}": research data set ${dataset} not found in ${dataDir} (set CI=true to make this a failure)`);
  it.skip(name, fn, timeout);
}
