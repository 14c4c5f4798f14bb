import { h } from "./dom.js";
import { day, t, type Key } from "./i18n.js";

export const REVIEW_FIELDS = `id productId rating title body reviewer { name } provenance createdAt status
  trust { weight suspicion reasons { code text } } reply { body }`;

export interface ReviewData {
  id: string;
  productId: string;
  rating: number;
  title: string;
  body: string;
  reviewer: { name: string };
  provenance: string;
  createdAt: string;
  status: string;
  trust: { weight: number; suspicion: number; reasons: { code: string; text: string }[] } | null;
  reply: { body: string } | null;
}

export const stars = (n: number) => "★".repeat(n) + "☆".repeat(5 - n);

export function statusWord(s: string): string {
  return t(s.toLowerCase() as Key);
}

/** A review as a card; `extra` goes at its end (the queue's actions). */
export function reviewCard(r: ReviewData, extra: Node[] = [], attrs: Record<string, string | number> = {}): HTMLElement {
  const reasons = (r.trust?.reasons ?? []).filter((x) => x.text);
  return h(
    "article",
    { class: "review", "data-review": r.id, ...attrs },
    h(
      "div",
      { class: "meta" },
      h("span", { "aria-label": `${r.rating} / 5` }, stars(r.rating)),
      " · ",
      statusWord(r.status),
      " · ",
      r.provenance,
      " · ",
      day(r.createdAt),
      " · ",
      t("product"),
      " ",
      r.productId,
    ),
    h("div", { class: "title" }, r.title),
    h("p", null, r.body),
    h(
      "div",
      { class: "meta" },
      t("reviewBy", { name: r.reviewer.name }),
      r.trust ? ` · ${t("weight", { w: r.trust.weight.toFixed(2) })}` : "",
    ),
    reasons.length
      ? h(
          "ul",
          { class: "reasons", "aria-label": t("why") },
          reasons.map((x) => h("li", null, x.text)),
        )
      : null,
    r.reply ? h("p", { class: "meta" }, "↳ ", r.reply.body) : null,
    ...extra,
  );
}

export function notAvailable(what: string): HTMLElement {
  return h("p", { class: "note", role: "status" }, t("notAvailable", { what }));
}

export function errorText(err: unknown): HTMLElement {
  return h("p", { class: "error", role: "alert" }, t("error", { msg: err instanceof Error ? err.message : String(err) }));
}
