/**
 * "What customers say" (issue 14's insights), where the server has them:
 * Shop.insights and Product.insights. Rendered only from what the server
 * returns; without the fields the page says the feature is not available.
 */
import { gql, serverOperations } from "./api.js";
import { errorText, notAvailable } from "./common.js";
import { h, table } from "./dom.js";
import { day, num, pct, t } from "./i18n.js";

interface Insights {
  from: string;
  to: string;
  reviews: number;
  polarity: number;
  aspects: {
    term: string;
    mentions: number;
    positiveShare: number;
    negativeShare: number;
    direction: string;
    examples: { quote: string }[];
  }[];
  emerging: { term: string; direction: string; evidence: string; productId: string | null }[];
}

const FIELDS = `from to reviews polarity aspects { term mentions positiveShare negativeShare direction examples { quote } }
  emerging { term direction evidence productId }`;

export async function insightsPanel(of: { shop: true } | { productId: string }): Promise<HTMLElement> {
  const ops = await serverOperations();
  const field = "shop" in of ? "Shop.insights" : "Product.insights";
  if (!ops.has(field)) return notAvailable(t("insightsMissing"));
  try {
    const insights =
      "shop" in of
        ? (await gql<{ shop: { insights: Insights | null } }>(`{ shop { insights { ${FIELDS} } } }`)).shop.insights
        : (
            await gql<{ product: { insights: Insights | null } | null }>(
              `query($id: ID!) { product(id: $id) { insights { ${FIELDS} } } }`,
              { id: of.productId },
            )
          ).product?.insights;
    if (!insights?.reviews) return h("p", { id: "insights" }, t("noData"));
    return h(
      "div",
      { id: "insights" },
      h("p", null, `${day(insights.from)} – ${day(insights.to)}: ${num(insights.reviews)} ${t("count")}`),
      insights.aspects.length
        ? table(
            [t("aspects"), t("count"), "+", "−", "↗"],
            insights.aspects.map((a) =>
              h(
                "tr",
                null,
                h("th", { scope: "row" }, a.term),
                h("td", null, num(a.mentions)),
                h("td", null, pct(a.positiveShare)),
                h("td", null, pct(a.negativeShare)),
                h("td", null, a.direction.toLowerCase()),
              ),
            ),
          )
        : null,
      insights.emerging.length
        ? h(
            "ul",
            null,
            insights.emerging.map((e) =>
              h(
                "li",
                null,
                h("strong", null, e.term),
                ` (${e.direction.toLowerCase()}${e.productId ? `, ${e.productId}` : ""}): `,
                e.evidence,
              ),
            ),
          )
        : null,
    );
  } catch (err) {
    return errorText(err);
  }
}
