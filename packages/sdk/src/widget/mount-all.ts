import type { StarlingClient } from "../index.js";
import { mountBadge, type WidgetOptions } from "./badge.js";
import { mountReviewForm } from "./embed.js";
import { pickLang } from "./i18n.js";
import { mountReviewList } from "./review-list.js";

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
