/**
 * "What customers say" as an HTML string: the product's pros and cons (the
 * aspects its published reviews praise or complain about most, each with how
 * many reviews say so), and for each the reviews' own words. Choosing one
 * shows its quotes and closes the one open before (exclusive `<details
 * name>`), so the list below always holds one aspect's quotes.
 *
 * Plain `<details>`/`<summary>`: keyboard (Tab, Enter or Space) and screen
 * readers (a button with its expanded state) work without any script, so the
 * same HTML serves the server-rendered version (a declarative shadow root,
 * like the badge) and the browser widget.
 */
import type { InsightAspect, Insights } from "../types.js";
import { escapeHtml } from "./escape-html.js";
import { t, type Lang } from "./i18n.js";

export interface InsightsWidgetOptions {
  /** "en" or "de". @default "en" */
  lang?: Lang;
  /** Pros and cons shown at most, each. @default 5 */
  max?: number;
}

export const INSIGHTS_CSS =
  ":host{display:block;min-height:6em}h3{margin:0 0 .4em;font-size:1.1em}.c{display:flex;gap:1.5em;flex-wrap:wrap}" +
  ".c section{flex:1 1 14em}h4{margin:.2em 0;font-size:.95em}ul{list-style:none;margin:0;padding:0}" +
  "summary{cursor:pointer;padding:.25em 0}summary:focus-visible{outline:2px solid #1a5fb4;outline-offset:2px}" +
  ".n{display:inline-block;min-width:1.6em;margin-left:.4em;padding:0 .35em;border-radius:.8em;font-size:.85em;text-align:center}" +
  ".pro .n{background:#e3f4e1;color:#1d5e18}.con .n{background:#fbe4e2;color:#8a1c12}" +
  "blockquote{margin:.3em 0 .5em 1em;padding-left:.6em;border-left:3px solid #ccc;font-size:.95em}.note{font-size:.8em;opacity:.75;margin:.6em 0 0}";

function item(lang: Lang, a: InsightAspect, side: "pro" | "con"): string {
  const count = side === "pro" ? a.positive : a.negative;
  const label = t(lang, side === "pro" ? "insightPro" : "insightCon", { term: a.term, count, mentions: a.mentions });
  const quotes = a.examples
    .map((q) => `<li data-review-id="${escapeHtml(q.reviewId)}"><blockquote>${escapeHtml(q.quote)}</blockquote></li>`)
    .join("");
  return (
    `<li><details name="starling-aspect" data-key="${escapeHtml(a.key)}" data-term="${escapeHtml(a.term)}">` +
    `<summary aria-label="${escapeHtml(label)}"><span aria-hidden="true">${escapeHtml(a.term)}<span class="n">${count}</span></span></summary>` +
    `<ul aria-label="${escapeHtml(t(lang, "insightQuotes", { term: a.term }))}">${quotes}</ul></details></li>`
  );
}

/**
 * The widget's inner HTML (style included), for a shadow root. `undefined`
 * is the empty placeholder (loading, or after a failure); `null` (no such
 * product) and a product without enough reviews say so.
 */
export function renderInsightsContent(insights: Insights | null | undefined, options: InsightsWidgetOptions = {}): string {
  const lang = options.lang ?? "en";
  const max = options.max ?? 5;
  const head = `<style>${INSIGHTS_CSS}</style><section class="w" aria-label="${escapeHtml(t(lang, "insightsTitle"))}"><h3>${escapeHtml(t(lang, "insightsTitle"))}</h3>`;
  if (insights === undefined) return `<style>${INSIGHTS_CSS}</style><section class="w"></section>`;
  const aspects = insights?.aspects ?? [];
  const pros = aspects.filter((a) => a.positive > 0 && a.positive >= a.negative).slice(0, max);
  const cons = aspects.filter((a) => a.negative > a.positive).slice(0, max);
  if (!pros.length && !cons.length) return `${head}<p class="note">${escapeHtml(t(lang, "insightsNone"))}</p></section>`;
  const column = (side: "pro" | "con", list: InsightAspect[]) =>
    list.length
      ? `<section class="${side}"><h4>${escapeHtml(t(lang, side === "pro" ? "insightsPros" : "insightsCons"))}</h4><ul>${list.map((a) => item(lang, a, side)).join("")}</ul></section>`
      : "";
  return `${head}<div class="c">${column("pro", pros)}${column("con", cons)}</div><p class="note">${escapeHtml(t(lang, "insightsNote"))}</p></section>`;
}

/**
 * The widget as server-side HTML (a declarative shadow root, no JavaScript
 * needed), from `client.insights.product(id)`.
 * @example renderInsightsHtml(await client.insights.product("camp-mug"), { lang: "de", productId: "camp-mug" })
 */
export function renderInsightsHtml(insights: Insights | null, options: InsightsWidgetOptions & { productId?: string } = {}): string {
  const id = options.productId ? ` data-starling-product="${escapeHtml(options.productId)}"` : "";
  return `<div class="starling-insights"${id}><template shadowrootmode="open">${renderInsightsContent(insights, options)}</template></div>`;
}
