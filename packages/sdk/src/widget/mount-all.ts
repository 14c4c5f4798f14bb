import type { StarlingClient } from "../index.js";
import { mountBadge, type WidgetOptions } from "./badge.js";
import { mountReviewForm } from "./embed.js";
import { pickLang } from "./i18n.js";
import { mountReviewList } from "./review-list.js";
import { mountQuestions } from "./questions.js";
import { mountInsights } from "./insights.js";

/** The widgets by their `data-starling` names; the custom elements map onto the same names. */
export type WidgetKind = "badge" | "reviews" | "form" | "questions" | "insights";
const WIDGET_KINDS = new Set<WidgetKind>(["badge", "reviews", "form", "questions", "insights"]);

/**
 * Mounts one widget in `el`, for both ways of placing one (`[data-starling]`
 * elements and the custom elements): marks it loading (the badge and list then
 * mark it ready or error), in `lang` (the element's own) or else the defaults'.
 */
export function mountWidget(
  el: HTMLElement,
  kind: WidgetKind,
  client: StarlingClient,
  product: string,
  lang: string | null | undefined,
  defaults: WidgetOptions = {},
): Promise<void> | undefined {
  el.dataset.starlingState = "loading";
  const options = { ...defaults, lang: lang ? pickLang(lang) : (defaults.lang ?? "en") };
  if (kind === "badge") return mountBadge(el, client, product, options);
  if (kind === "reviews") return mountReviewList(el, client, product, options);
  if (kind === "questions") return mountQuestions(el, client, product, options);
  if (kind === "insights") return mountInsights(el, client, product, options);
  mountReviewForm(el, client, product, options);
}

/**
 * Mounts every `[data-starling]` element under `root`: `data-starling="badge"`,
 * `"reviews"`, `"form"`, `"questions"` or `"insights"`, with `data-product` (and optional `data-lang`).
 * Badges mounted together cost one request.
 */
export function mountAll(client: StarlingClient, root: ParentNode = document, defaults: WidgetOptions = {}): Promise<void> {
  const work: (Promise<void> | undefined)[] = [];
  root.querySelectorAll<HTMLElement>("[data-starling]").forEach((el) => {
    const { product, starling: kind, starlingState } = el.dataset;
    if (!product || starlingState || !WIDGET_KINDS.has(kind as WidgetKind)) return;
    work.push(mountWidget(el, kind as WidgetKind, client, product, el.dataset.lang, defaults));
  });
  return Promise.all(work).then(() => {});
}
