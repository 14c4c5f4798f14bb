import type { StarlingClient } from "../index.js";
import type { WidgetOptions } from "./badge.js";
import { mountWidget, type WidgetKind } from "./mount-all.js";

/** The custom elements' names, and the widget each one is. */
const ELEMENT_NAMES: Readonly<Record<string, WidgetKind>> = {
  "starling-rating": "badge",
  "starling-reviews": "reviews",
  "starling-review-form": "form",
  "starling-questions": "questions",
  "starling-insights": "insights",
};

/** What each element last mounted (product and lang), and how to unmount it. Kept off the element, so no property of ours meets the page's. */
const mounted = new WeakMap<HTMLElement, { key: string; abort: AbortController }>();

/**
 * Defines `<starling-rating product="…">`, `<starling-reviews product="…">`
 * and `<starling-review-form product="…">` (each with an optional `lang`),
 * talking to Starling through `client`. They render exactly as the
 * `[data-starling]` elements do (the same mount functions), and in addition
 * mount whenever they are added to the page (a single-page app's navigation
 * needs no `mountAll`), mount again on a new `product` or `lang`, and stop
 * listening to the page when removed. Badges added in the same tick share one
 * request. A name that is already defined (a second call, or a second copy of
 * the script) keeps its first definition: the browser allows only one.
 */
export function defineElements(client: StarlingClient, defaults: WidgetOptions = {}): void {
  for (const [name, kind] of Object.entries(ELEMENT_NAMES)) {
    if (customElements.get(name)) continue;
    customElements.define(
      name,
      class extends HTMLElement {
        static get observedAttributes() {
          return ["product", "lang"];
        }
        connectedCallback() {
          update(this, kind, client, defaults);
        }
        attributeChangedCallback() {
          // Before the element is in the page, connectedCallback mounts it.
          if (this.isConnected) update(this, kind, client, defaults);
        }
        disconnectedCallback() {
          mounted.get(this)?.abort.abort();
          mounted.delete(this);
        }
      },
    );
  }
}

function update(el: HTMLElement, kind: WidgetKind, client: StarlingClient, defaults: WidgetOptions): void {
  const product = el.getAttribute("product");
  const lang = el.getAttribute("lang");
  const key = `${product}\n${lang}`;
  // An upgrade calls attributeChangedCallback per attribute and then connectedCallback: mount once.
  if (mounted.get(el)?.key === key) return;
  mounted.get(el)?.abort.abort();
  mounted.delete(el);
  if (!product) return;
  const abort = new AbortController();
  mounted.set(el, { key, abort });
  void mountWidget(el, kind, client, product, lang, { ...defaults, signal: abort.signal });
}
