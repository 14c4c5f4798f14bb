import { gql } from "../api.js";
import { insightsPanel } from "../insights.js";
import { timeChart } from "../chart.js";
import { REVIEW_FIELDS, reviewCard, type ReviewData } from "../common.js";
import { h, table } from "../dom.js";
import { day, num, t } from "../i18n.js";
import { WEEK_FIELDS } from "./overview.js";

export async function productsPage(main: HTMLElement): Promise<void> {
  main.append(h("h1", null, t("products")), h("p", null, t("productsHelp")));
  const products = table([t("product"), t("count"), t("displayedRating"), t("plainMean")], []);
  const body = products.tBodies[0]!;
  const more = h("button", { type: "button" }, t("more"));
  main.append(products, more);
  let after: string | null = null;
  const load = async () => {
    const d = await gql<{
      shopProducts: { id: string; name: string; rating: { count: number; average: number; plainMean: number | null } }[];
    }>(`query($after: ID) { shopProducts(first: 50, after: $after) { id name rating { count average plainMean } } }`, { after });
    for (const p of d.shopProducts) {
      body.append(
        h(
          "tr",
          null,
          h("th", { scope: "row" }, h("a", { href: `#/product/${encodeURIComponent(p.id)}` }, `${p.name} (${p.id})`)),
          h("td", null, num(p.rating.count)),
          h("td", null, num(p.rating.average, 2)),
          h("td", null, p.rating.plainMean == null ? "–" : num(p.rating.plainMean, 2)),
        ),
      );
    }
    after = d.shopProducts.at(-1)?.id ?? after;
    more.hidden = d.shopProducts.length < 50;
  };
  more.addEventListener("click", () => void load());
  await load();
}

interface Evidence {
  detector: string;
  stream: string;
  count: number;
  expectedCount: number;
  surprise: number;
  description: string;
}

export async function productPage(main: HTMLElement, id: string): Promise<void> {
  const d = await gql<{
    product: {
      id: string;
      name: string;
      rating: {
        count: number;
        average: number;
        plainMean: number | null;
        discounted: { count: number; reasons: { code: string; count: number; description: string }[] };
      };
      timeline: { weekStart: string; received: number; published: number; displayedRating: number | null; plainMean: number | null }[];
      bursts: { start: string; end: string; evidence: Evidence[] }[];
      discountedReviews: ReviewData[];
    } | null;
  }>(
    `query($id: ID!) { product(id: $id) { id name
      rating { count average plainMean discounted { count reasons { code count description } } }
      timeline { ${WEEK_FIELDS} }
      bursts { start end evidence { detector stream count expectedCount surprise description } }
      discountedReviews(first: 20) { ${REVIEW_FIELDS} } } }`,
    { id },
  );
  const p = d.product;
  if (!p) {
    main.append(h("h1", null, t("product")), h("p", { role: "alert" }, `${id}?`));
    return;
  }
  main.append(
    h("h1", null, `${p.name} (${p.id})`),
    h(
      "div",
      { class: "kpis" },
      h("div", { class: "kpi" }, h("div", { class: "v" }, num(p.rating.average, 2)), h("div", { class: "l" }, t("displayedRating"))),
      h(
        "div",
        { class: "kpi" },
        h("div", { class: "v" }, p.rating.plainMean == null ? "–" : num(p.rating.plainMean, 2)),
        h("div", { class: "l" }, t("plainMean")),
      ),
      h("div", { class: "kpi" }, h("div", { class: "v" }, num(p.rating.count)), h("div", { class: "l" }, t("count"))),
    ),
    h("h2", null, t("timeline")),
  );
  const x = p.timeline.map((w) => Date.parse(w.weekStart) / 1000);
  const bands = p.bursts.map((b) => ({ from: Date.parse(b.start) / 1000, to: Date.parse(b.end) / 1000 }));
  if (p.timeline.length) {
    main.append(
      timeChart({
        label: `${t("timeline")}: ${t("reviewsPerWeek")}, ${t("bursts")}`,
        x,
        bands,
        series: [
          { label: t("received"), values: p.timeline.map((w) => w.received), color: "#6b7280", bars: true },
          { label: t("published"), values: p.timeline.map((w) => w.published), color: "#0b5cad" },
        ],
      }),
      timeChart({
        label: t("ratingOverTime"),
        x,
        bands,
        yRange: [1, 5],
        series: [
          { label: t("displayedRating"), values: p.timeline.map((w) => w.displayedRating), color: "#0b5cad" },
          { label: t("plainMean"), values: p.timeline.map((w) => w.plainMean), color: "#b35900" },
        ],
      }),
    );
  } else main.append(h("p", null, t("noData")));
  main.append(
    h("h2", null, t("bursts")),
    p.bursts.length
      ? h(
          "ul",
          { id: "bursts" },
          p.bursts.map((b) =>
            h(
              "li",
              { class: "burst" },
              h("strong", null, t("burstWindow", { from: day(b.start), to: day(b.end) })),
              h(
                "ul",
                null,
                b.evidence.map((e) => h("li", null, e.description)),
              ),
            ),
          ),
        )
      : h("p", null, t("burstsNone")),
    h("h2", null, t("discountReasons")),
    p.rating.discounted.reasons.length
      ? h(
          "ul",
          null,
          p.rating.discounted.reasons.map((r) => h("li", null, `${r.description}: ${num(r.count)}`)),
        )
      : h("p", null, t("countsLessNone")),
    h("h2", null, t("countsLess")),
    p.discountedReviews.length
      ? h(
          "div",
          null,
          p.discountedReviews.map((r) => reviewCard(r)),
        )
      : h("p", null, t("countsLessNone")),
    h("h2", null, t("aspects")),
  );
  main.append(await insightsPanel({ productId: p.id }));
}
