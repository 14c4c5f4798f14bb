/**
 * The rating badge as an HTML string: stars, the displayed rating, the number
 * of ratings and the period they cover (BGH I ZR 143/23 requires both next to
 * an advertised average), and a "how is this rating computed?" disclosure.
 *
 * The same function renders on the server (inside a declarative shadow root,
 * so a shop can ship stars with no JavaScript) and in the browser widget.
 */
import type { ProductRating } from "../types.js";
import { escapeHtml } from "./escape-html.js";
import { formatMonth, formatNumber, reasonWords, t, type Lang } from "./i18n.js";

export interface BadgeOptions {
  /** "en" or "de". @default "en" */
  lang?: Lang;
  /** Starling's URL: the disclosure then links to the shop's page on how it collects, checks and moderates reviews. */
  endpoint?: string;
}

/**
 * Scoped by the shadow root: nothing here reaches the host page, nothing there
 * reaches in (but inherited font and colour). Two fixed rows (stars, rating
 * and the disclosure; then the count and period), so the badge fits a narrow
 * product card without spilling into its neighbours, and its height is known
 * before the data arrives.
 */
export const BADGE_CSS =
  ":host{display:inline-block;position:relative;height:3em;line-height:1.5em;vertical-align:top;max-width:100%}" +
  ".b{display:flex;flex-direction:column;height:3em;max-width:100%}" +
  ".r{display:flex;gap:.4em;align-items:center;white-space:nowrap;height:1.5em}" +
  ".s{position:relative;display:inline-block;color:#c9c9c9;letter-spacing:.05em}" +
  ".s span{position:absolute;left:0;top:0;overflow:hidden;color:#e8a200}" +
  ".v{font-weight:600}.m{opacity:.8;font-size:.85em;line-height:1.765em;white-space:nowrap;overflow:hidden;text-overflow:ellipsis}" +
  "summary{cursor:pointer;list-style:none;display:inline-block;width:1.4em;height:1.4em;line-height:1.35em;text-align:center;" +
  "border:1px solid currentColor;border-radius:50%;font-size:.75em;opacity:.75}" +
  "summary::-webkit-details-marker{display:none}" +
  ".sr{position:absolute;width:1px;height:1px;overflow:hidden;clip-path:inset(50%);white-space:nowrap}" +
  ".p{position:absolute;z-index:2147483000;left:0;top:100%;width:min(26em,90vw);white-space:normal;line-height:1.4;" +
  "background:#fff;color:#222;border:1px solid #bbb;border-radius:.4em;padding:.6em .8em;box-shadow:0 .2em .8em #0003;font-size:.9em}" +
  ".p p{margin:.3em 0}";

/**
 * The badge's inner HTML (style included), to place in a shadow root. `null`
 * (no such product) and a product without ratings say "no ratings yet": an
 * average of nothing would be the shop's prior, not the product's rating.
 * `undefined` is the empty placeholder of the same height, shown while
 * loading or after a failure.
 */
export function renderBadgeContent(product: ProductRating | null | undefined, options: BadgeOptions = {}): string {
  const lang = options.lang ?? "en";
  if (product === undefined) return `<style>${BADGE_CSS}</style><span class="b"></span>`;
  if (!product || product.rating.count === 0) {
    return `<style>${BADGE_CSS}</style><span class="b"><span class="r m">${escapeHtml(t(lang, "noRatings"))}</span></span>`;
  }
  const r = product.rating;
  const n = (x: number) => formatNumber(lang, x);
  const value = n(r.average);
  const count = r.count === 1 ? t(lang, "oneRating") : t(lang, "ratings", { count: r.count });
  const period = r.period ? t(lang, "period", { from: formatMonth(lang, r.period.from), to: formatMonth(lang, r.period.to) }) : "";
  const meta = period ? `${count} · ${period}` : count;
  const label = `${t(lang, "outOf", { value })}, ${meta}`;
  const fill = Math.max(0, Math.min(100, (r.average / 5) * 100)).toFixed(1);
  const explain = t(lang, "bayes", {
    priorMean: n(r.prior.mean),
    priorCount: r.prior.reviewCount,
    strength: formatNumber(lang, r.prior.strength, 0),
    count: r.count,
    plainMean: n(r.plainMean ?? r.average),
    low: n(r.credibleInterval.low),
    high: n(r.credibleInterval.high),
  });
  const weights =
    r.discounted.count === 0
      ? t(lang, "fullWeight", { count: r.count })
      : t(lang, "discounted", {
          discounted: r.discounted.count,
          count: r.count,
          reasons: r.discounted.reasons.map((reason) => `${reasonWords(lang, reason)} (${reason.count})`).join(", "),
        });
  const paragraphs = [explain, weights, t(lang, "notCounted"), t(lang, "checks")].map((p) => `<p>${escapeHtml(p)}</p>`);
  if (options.endpoint) {
    const href = `${options.endpoint.replace(/\/+$/, "")}/shops/${encodeURIComponent(product.shopId)}/disclosure`;
    paragraphs.push(`<p><a href="${escapeHtml(href)}" target="_blank" rel="noopener">${escapeHtml(t(lang, "disclosure"))}</a></p>`);
  }
  return (
    `<style>${BADGE_CSS}</style>` +
    `<span class="b" role="group" aria-label="${escapeHtml(label)}"><span class="r">` +
    `<span class="s" aria-hidden="true">★★★★★<span style="width:${fill}%">★★★★★</span></span>` +
    `<span class="v" aria-hidden="true">${escapeHtml(value)}</span>` +
    `<details><summary title="${escapeHtml(t(lang, "how"))}"><span aria-hidden="true">?</span><span class="sr">${escapeHtml(t(lang, "how"))}</span></summary>` +
    `<div class="p">${paragraphs.join("")}</div></details></span>` +
    `<span class="m" aria-hidden="true" title="${escapeHtml(meta)}">${escapeHtml(meta)}</span></span>`
  );
}

/**
 * The badge as server-side HTML: a `<span>` with a declarative shadow root, so
 * its styles neither leak into nor inherit from the page's CSS, and it shows
 * with no client JavaScript. Pass the product from `client.products.rating(id)`.
 * @example renderBadgeHtml(await client.products.rating("camp-mug"), { lang: "de" })
 */
export function renderBadgeHtml(product: ProductRating | null, options: BadgeOptions = {}): string {
  const id = product ? ` data-starling-product="${escapeHtml(product.id)}"` : "";
  return `<span class="starling-badge"${id}><template shadowrootmode="open">${renderBadgeContent(product, options)}</template></span>`;
}
