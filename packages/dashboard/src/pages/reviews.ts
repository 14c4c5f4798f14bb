import { gql } from "../api.js";
import { REVIEW_FIELDS, errorText, reviewCard, type ReviewData } from "../common.js";
import { h, labelledForm, select } from "../dom.js";
import { t } from "../i18n.js";

const STATUSES = ["PUBLISHED", "PENDING", "REJECTED", "QUARANTINED"];
const PROVENANCES = ["VERIFIED_PURCHASE", "INVITED", "ORGANIC", "IMPORTED"];

export async function reviewsPage(main: HTMLElement): Promise<void> {
  const text = h("input", { type: "search", name: "text", maxlength: 100 });
  const any = ["", t("any")] as const;
  const starsSel = select({ name: "stars" }, [any, ...[5, 4, 3, 2, 1].map((s) => [s, `${s} ★`] as const)]);
  const statusSel = select({ name: "status" }, [any, ...STATUSES.map((s) => [s, t(s.toLowerCase() as "published")] as const)]);
  const provSel = select({ name: "provenance" }, [any, ...PROVENANCES.map((s) => [s, s] as const)]);
  const product = h("input", { type: "text", name: "product", maxlength: 100 });
  const from = h("input", { type: "date", name: "from" });
  const to = h("input", { type: "date", name: "to" });
  const form = labelledForm(
    { class: "inline", role: "search" },
    [
      [t("text"), text],
      [t("stars"), starsSel],
      [t("status"), statusSel],
      [t("provenance"), provSel],
      [t("productId"), product],
      [t("from"), from],
      [t("to"), to],
    ],
    t("search"),
  );
  const count = h("p", { role: "status", "aria-live": "polite" });
  const results = h("div", { id: "results" });
  const more = h("button", { type: "button", hidden: true }, t("more"));
  let after: string | null = null;
  let shown = 0;

  const search = async (next: boolean) => {
    if (!next) {
      after = null;
      shown = 0;
      results.replaceChildren();
    }
    try {
      const d = await gql<{ searchReviews: { reviews: ReviewData[]; endCursor: string | null; hasNextPage: boolean } }>(
        `query($text: String, $stars: [Int!], $status: [ReviewStatus!], $prov: [String!], $product: ID, $from: DateTime, $to: DateTime, $after: String) {
          searchReviews(text: $text, stars: $stars, status: $status, provenance: $prov, productId: $product, from: $from, to: $to, first: 25, after: $after) {
            reviews { ${REVIEW_FIELDS} } endCursor hasNextPage } }`,
        {
          text: text.value.trim() || null,
          stars: starsSel.value ? [Number(starsSel.value)] : null,
          status: statusSel.value ? [statusSel.value] : null,
          prov: provSel.value ? [provSel.value] : null,
          product: product.value.trim() || null,
          from: from.value ? new Date(`${from.value}T00:00:00Z`).toISOString() : null,
          to: to.value ? new Date(`${to.value}T23:59:59.999Z`).toISOString() : null,
          after,
        },
      );
      const page = d.searchReviews;
      for (const r of page.reviews) results.append(reviewCard(r));
      shown += page.reviews.length;
      after = page.endCursor;
      more.hidden = !page.hasNextPage;
      count.textContent = shown ? t("results", { n: shown }) : t("noResults");
    } catch (err) {
      results.append(errorText(err));
    }
  };
  form.addEventListener("submit", (e) => {
    e.preventDefault();
    void search(false);
  });
  more.addEventListener("click", () => void search(true));
  main.append(h("h1", null, t("reviews")), form, count, results, more);
  await search(false);
}
