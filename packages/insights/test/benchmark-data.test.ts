/**
 * The README's quality figures as regression gates, on the research data in
 * ../shared/data (tests and benchmarks only; see bench/data.ts) and our
 * labelled German set. A subset of op-spam keeps the run short on a shared
 * machine; the bench runs the full sets.
 */
import { describe, expect, it } from "vitest";
import vader from "vader-sentiment";
import { analyzeReview } from "../src/index.js";
import { aspectTable } from "../bench/aspects.js";
import { auc, loadGermanSet, loadOpSpam } from "../bench/data.js";
import { trendFigures } from "../bench/trends.js";
// The research data's one gate: skipped with a line without the data, a failure under CI=true.
import { itWithData } from "../../scoring/test/datasets.js";

describe("polarity on labelled reviews", () => {
  itWithData("opspam", "ranks op-spam's positive hotel reviews above its negative ones better than VADER (AUC >= 0.95)", () => {
    const rows = loadOpSpam().filter((_, i) => i % 4 === 0);
    const labels = rows.map((r) => r.label);
    const ours = auc(
      rows.map((r) => analyzeReview({ body: r.text }).polarity),
      labels,
    );
    const baseline = auc(
      rows.map((r) => vader.SentimentIntensityAnalyzer.polarity_scores(r.text).compound),
      labels,
    );
    expect(rows.length).toBe(400);
    expect(ours).toBeGreaterThanOrEqual(0.95);
    expect(ours).toBeGreaterThan(baseline);
  });

  it("separates our German set's positive and negative reviews (AUC >= 0.96) and detects every one as German", () => {
    const rows = loadGermanSet();
    const results = rows.map((r) => analyzeReview({ body: r.text }));
    expect(results.every((r) => r.language === "de")).toBe(true);
    expect(
      auc(
        results.map((r) => r.polarity),
        rows.map((r) => (r.label === "pos" ? 1 : 0)),
      ),
    ).toBeGreaterThanOrEqual(0.96);
  });
});

describe("aspects on the labelled sets", () => {
  itWithData(
    "amazon",
    "beat the frequent-noun baseline by at least 0.10 F1 on each set: English, our German, the blind German products, and the real German reviews when they can be fetched",
    () => {
      // The German sets' halves are reported, not gated (the real set's held-out half is at +0.06, README); whole sets are.
      const rows = aspectTable()
        .slice(2)
        .filter((r) => !r.startsWith("| …"));
      expect(rows.length).toBeGreaterThanOrEqual(3);
      for (const row of rows) {
        const [, , , , ours, base] = row.split("|").map((c) => c.trim());
        const f1 = (cell: string) => Number(cell.split("/")[2]);
        expect(f1(ours!) - f1(base!), row).toBeGreaterThanOrEqual(0.1);
      }
    },
  );
});

describe("emerging topics on real timelines", () => {
  itWithData(
    "amazon",
    "finds an injected defect within 30 days wherever two complaints arrived, with under 0.2 negative false alarms a product-year (held-out split)",
    () => {
      const f = trendFigures({}, "held-out");
      expect(f.trials).toBe(300);
      expect(f.falseNegativeTopics / f.productYears).toBeLessThanOrEqual(0.2);
      expect(f.reachableDetected / f.reachableTrials).toBeGreaterThanOrEqual(0.9);
      expect(f.busyDetected / f.busyTrials).toBeGreaterThanOrEqual(0.82);
    },
    600_000,
  );
});
