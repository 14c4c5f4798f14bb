/**
 * Browser widgets: a rating badge, a review list with star filter and
 * pagination, and the review form (an iframe served by the API, so the shop's
 * page never handles the customer's input).
 *
 * They never break the host page: each renders into its own shadow root (no
 * CSS in or out), keeps the size it reserved while loading, and on a failure
 * shows a quiet fallback and writes one `[starling]` warning per page, never
 * an exception.
 */
import type { StarlingClient } from "../index.js";
import type { Review } from "../types.js";
import { renderBadgeContent } from "./badge-html.js";
import { escapeHtml, formatDate, pickLang, t, type Lang } from "./i18n.js";
import { isStarlingMessage, type FormMessage } from "./messages.js";

export interface WidgetOptions {
  lang?: Lang;
}

let warned = false;
/** One console warning per page, however many widgets fail: the host page's console is not ours. */
export function warnOnce(code: string, error: unknown): void {
  if (warned) return;
  warned = true;
  console.warn(`[starling] ${code}: ${error instanceof Error ? error.message : String(error)}`);
}

function shadow(host: HTMLElement): ShadowRoot {
  return host.shadowRoot ?? host.attachShadow({ mode: "open" });
}

/**
 * A rating badge in `host`. Reserves one line of height at once, so the page
 * does not move when the rating arrives. Calls made for many badges in the
 * same tick share one request.
 */
export async function mountBadge(host: HTMLElement, client: StarlingClient, productId: string, options: WidgetOptions = {}): Promise<void> {
  const root = shadow(host);
  root.innerHTML = renderBadgeContent(undefined, options);
  try {
    root.innerHTML = renderBadgeContent(await client.products.rating(productId), options);
    host.dataset.starlingState = "ready";
  } catch (err) {
    root.innerHTML = renderBadgeContent(undefined, options);
    host.dataset.starlingState = "error";
    warnOnce("rating_unavailable", err);
  }
}

const LIST_CSS =
  ":host{display:block;min-height:12em}ol{list-style:none;margin:0;padding:0}li{border-top:1px solid #ddd;padding:.6em 0}" +
  "h4{margin:0 0 .2em;font-size:1em}.meta,.prov{font-size:.85em;opacity:.8}.prov{display:inline-block;border:1px solid #bbb;border-radius:.3em;padding:0 .3em;margin-left:.4em}" +
  "p{margin:.3em 0;white-space:pre-line}.f{display:flex;gap:.3em;flex-wrap:wrap;margin:.3em 0}button{font:inherit;cursor:pointer}" +
  "button[aria-pressed=true]{font-weight:700}";

/**
 * A product's reviews, with a star filter and "show more" pagination. Each
 * review shows its provenance label. Reloads when a review form on the page
 * reports a submitted review for the same product.
 */
export function mountReviewList(host: HTMLElement, client: StarlingClient, productId: string, options: WidgetOptions & { pageSize?: number } = {}): Promise<void> {
  const lang = options.lang ?? "en";
  const root = shadow(host);
  root.innerHTML =
    `<style>${LIST_CSS}</style><section aria-label="${escapeHtml(t(lang, "reviews"))}"><div class="f" role="group"></div>` +
    `<p class="total" aria-live="polite"></p><ol></ol><button class="more" hidden></button></section>`;
  const filters = root.querySelector(".f")!;
  const list = root.querySelector("ol")!;
  const total = root.querySelector(".total")!;
  const more = root.querySelector<HTMLButtonElement>(".more")!;
  more.textContent = t(lang, "more");
  let stars: number[] | undefined;
  let next: (() => Promise<void>) | null = null;

  const show = (reviews: Review[]) => {
    for (const r of reviews) {
      const li = document.createElement("li");
      li.dataset.reviewId = r.id;
      // Review text is the customer's, as written: escaped, never parsed as HTML.
      li.innerHTML =
        `<h4><span aria-label="${escapeHtml(t(lang, "outOf", { value: r.rating }))}">${"★".repeat(r.rating)}${"☆".repeat(5 - r.rating)}</span> ${escapeHtml(r.title)}</h4>` +
        `<div class="meta">${escapeHtml(t(lang, "by", { name: r.reviewer.name }))} · ${escapeHtml(formatDate(lang, r.createdAt))}` +
        `<span class="prov" data-provenance="${escapeHtml(r.provenance)}">${escapeHtml(t(lang, r.provenance))}</span></div>` +
        `<p>${escapeHtml(r.body)}</p>`;
      list.append(li);
    }
  };

  const load = async (after: string | null) => {
    const page = await client.reviews.list(productId, { first: options.pageSize ?? 5, after, ...(stars ? { stars } : {}) });
    if (!after) list.textContent = "";
    if (!page) return;
    total.textContent = page.totalCount === 0 ? t(lang, "none") : `${t(lang, "reviews")}: ${page.totalCount}`;
    show(page.reviews);
    more.hidden = !page.hasNextPage;
    next = page.hasNextPage ? () => load(page.endCursor) : null;
  };

  const run = (work: Promise<void>) =>
    work.then(
      () => void (host.dataset.starlingState = "ready"),
      (err) => {
        host.dataset.starlingState = "error";
        total.textContent = t(lang, "unavailable");
        warnOnce("reviews_unavailable", err);
      },
    );

  for (const value of [0, 5, 4, 3, 2, 1]) {
    const button = document.createElement("button");
    button.type = "button";
    button.textContent = value === 1 ? t(lang, "oneStar") : value ? t(lang, "starsFilter", { stars: value }) : t(lang, "allStars");
    button.setAttribute("aria-pressed", String(value === 0));
    button.onclick = () => {
      stars = value ? [value] : undefined;
      filters.querySelectorAll("button").forEach((b) => b.setAttribute("aria-pressed", String(b === button)));
      void run(load(null));
    };
    filters.append(button);
  }
  more.onclick = () => void (next && run(next()));
  host.ownerDocument.addEventListener("starling:review-submitted", (event) => {
    if ((event as CustomEvent<Extract<FormMessage, { type: "submitted" }>>).detail.productId === productId) void run(load(null));
  });
  return run(load(null));
}

/**
 * The review form: an iframe of the API's `/embed/review-form` page. The page
 * tells us its height and when a review was stored, by postMessage; we accept
 * messages only from that iframe and the API's origin, and re-dispatch a
 * submission as a `starling:review-submitted` event on the document.
 */
export function mountReviewForm(host: HTMLElement, client: StarlingClient, productId: string, options: WidgetOptions = {}): HTMLIFrameElement {
  const lang = options.lang ?? "en";
  const src = new URL("/embed/review-form", client.endpoint);
  src.search = new URLSearchParams({ key: client.key, product: productId, lang }).toString();
  const iframe = document.createElement("iframe");
  iframe.src = src.href;
  iframe.title = t(lang, "formTitle");
  iframe.loading = "lazy";
  iframe.style.cssText = "border:0;width:100%;height:34em;display:block";
  window.addEventListener("message", (event) => {
    if (event.source !== iframe.contentWindow || event.origin !== src.origin || !isStarlingMessage(event.data)) return;
    const message = event.data;
    if (message.type === "resize") iframe.style.height = `${Math.ceil(message.height)}px`;
    if (message.type === "submitted") {
      host.ownerDocument.dispatchEvent(new CustomEvent("starling:review-submitted", { detail: message }));
    }
  });
  shadow(host).replaceChildren(iframe);
  return iframe;
}

/**
 * Mounts every `[data-starling]` element under `root`: `data-starling="badge"`,
 * `"reviews"` or `"form"`, with `data-product` (and optional `data-lang`).
 * Badges mounted together cost one request.
 */
export function mountAll(client: StarlingClient, root: ParentNode = document, defaults: WidgetOptions = {}): Promise<void> {
  const work: Promise<unknown>[] = [];
  root.querySelectorAll<HTMLElement>("[data-starling]").forEach((el) => {
    const product = el.dataset.product;
    const kind = el.dataset.starling;
    const opts = { lang: el.dataset.lang ? pickLang(el.dataset.lang) : (defaults.lang ?? "en") };
    if (!product || el.dataset.starlingState) return;
    el.dataset.starlingState = "loading";
    if (kind === "badge") work.push(mountBadge(el, client, product, opts));
    else if (kind === "reviews") work.push(mountReviewList(el, client, product, opts));
    else if (kind === "form") mountReviewForm(el, client, product, opts);
  });
  return Promise.all(work).then(() => {});
}

export { renderBadgeContent, renderBadgeHtml, type BadgeOptions } from "./badge-html.js";
export { pickLang, type Lang } from "./i18n.js";
export type { FormMessage } from "./messages.js";
