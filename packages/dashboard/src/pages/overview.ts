import { gql } from "../api.js";
import { insightsPanel } from "../insights.js";
import { timeChart } from "../chart.js";
import { h, table } from "../dom.js";
import { day, num, pct, t } from "../i18n.js";

interface Week {
  weekStart: string;
  received: number;
  published: number;
  verified: number;
  displayedRating: number | null;
  plainMean: number | null;
}

export const WEEK_FIELDS = "weekStart received published verified displayedRating plainMean";

export async function overviewPage(main: HTMLElement): Promise<void> {
  const d = await gql<{
    dashboardOverview: {
      weeks: Week[];
      histogram: { stars: number; count: number }[];
      publication: {
        stars: number;
        received: number;
        published: number;
        pending: number;
        rejected: number;
        quarantined: number;
        publicationRate: number | null;
      }[];
      verifiedShare: number | null;
      pending: number;
      quarantined: number;
    };
  }>(`{ dashboardOverview { weeks { ${WEEK_FIELDS} } histogram { stars count }
      publication { stars received published pending rejected quarantined publicationRate } verifiedShare pending quarantined } }`);
  const o = d.dashboardOverview;
  const last = o.weeks.at(-1);
  const published = o.histogram.reduce((a, b) => a + b.count, 0);
  const max = Math.max(1, ...o.histogram.map((b) => b.count));
  main.append(
    h("h1", null, t("overview")),
    h(
      "div",
      { class: "kpis" },
      kpi(t("displayedRating"), last?.displayedRating != null ? num(last.displayedRating, 2) : "–", "kpi-displayed"),
      kpi(t("plainMean"), last?.plainMean != null ? num(last.plainMean, 2) : "–", "kpi-plain"),
      kpi(t("published"), num(published), "kpi-published"),
      kpi(t("pending"), num(o.pending), "kpi-pending"),
      kpi(t("quarantined"), num(o.quarantined), "kpi-quarantined"),
      kpi(t("verifiedShare"), o.verifiedShare == null ? "–" : pct(o.verifiedShare), "kpi-verified"),
    ),
  );
  if (!o.weeks.length) main.append(h("p", null, t("noData")));
  else {
    const x = o.weeks.map((w) => Date.parse(w.weekStart) / 1000);
    main.append(
      h("h2", null, t("ratingOverTime")),
      timeChart({
        label: t("ratingOverTime"),
        x,
        yRange: [1, 5],
        series: [
          { label: t("displayedRating"), values: o.weeks.map((w) => w.displayedRating), color: "#0b5cad" },
          { label: t("plainMean"), values: o.weeks.map((w) => w.plainMean), color: "#b35900" },
        ],
      }),
      h("h2", null, t("reviewsPerWeek")),
      timeChart({
        label: t("reviewsPerWeek"),
        x,
        series: [
          { label: t("received"), values: o.weeks.map((w) => w.received), color: "#6b7280", bars: true },
          { label: t("published"), values: o.weeks.map((w) => w.published), color: "#0b5cad" },
        ],
      }),
      weekTable(o.weeks),
    );
  }
  main.append(
    h("h2", null, t("histogram")),
    table(
      [t("stars"), t("count"), h("span", { class: "sr-only" }, t("histogram"))],
      o.histogram.map((b) =>
        h(
          "tr",
          null,
          h("th", { scope: "row" }, `${b.stars} ★`),
          h("td", null, num(b.count)),
          h("td", null, bar(Math.round((b.count / max) * 300))),
        ),
      ),
    ),
    h("h2", null, t("publicationRate")),
    table(
      [t("stars"), t("received"), t("published"), t("pending"), t("rejected"), t("quarantined"), t("rate")],
      o.publication.map((r) =>
        h(
          "tr",
          null,
          h("th", { scope: "row" }, `${r.stars} ★`),
          ...[r.received, r.published, r.pending, r.rejected, r.quarantined].map((n) => h("td", null, num(n))),
          h("td", null, r.publicationRate == null ? "–" : pct(r.publicationRate)),
        ),
      ),
      { id: "publication" },
    ),
    h("h2", null, t("whatCustomersSay")),
  );
  main.append(await insightsPanel({ shop: true }));
}

/** Widths through the CSSOM: the page's CSP allows no style attributes. */
function bar(px: number): HTMLElement {
  const el = h("span", { class: "bar" });
  el.style.width = `${px}px`;
  return el;
}

function kpi(label: string, value: string, id: string): HTMLElement {
  return h("div", { class: "kpi" }, h("div", { class: "v", id }, value), h("div", { class: "l" }, label));
}

/** The charts' numbers, for screen readers and for copying: the last 12 weeks. */
function weekTable(weeks: Week[]): HTMLElement {
  return h(
    "details",
    null,
    h("summary", null, t("week")),
    table(
      [t("week"), t("received"), t("published"), t("displayedRating"), t("plainMean")],
      weeks
        .slice(-12)
        .map((w) =>
          h(
            "tr",
            null,
            h("th", { scope: "row" }, day(w.weekStart)),
            h("td", null, num(w.received)),
            h("td", null, num(w.published)),
            h("td", null, w.displayedRating == null ? "–" : num(w.displayedRating, 2)),
            h("td", null, w.plainMean == null ? "–" : num(w.plainMean, 2)),
          ),
        ),
    ),
  );
}
