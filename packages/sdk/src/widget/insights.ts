import type { StarlingClient } from "../index.js";
import type { WidgetOptions } from "./badge.js";
import { settle, shadow } from "./dom.js";
import { renderInsightsContent } from "./insights-html.js";
import { ASPECT_EVENT, type AspectSelection } from "./messages.js";

/**
 * "What customers say" for a product in `host` (see renderInsightsContent).
 * Choosing a pro or con (opening its `<details>`) tells the page's review
 * lists of this product, by a `starling:aspect-selected` document event, to
 * show only the reviews its quotes came from; closing it, or choosing another,
 * says so too. A list's "show all reviews" closes the choice here.
 */
export async function mountInsights(
  host: HTMLElement,
  client: StarlingClient,
  productId: string,
  options: WidgetOptions = {},
): Promise<void> {
  const root = shadow(host);
  const doc = host.ownerDocument;
  let chosen: string | null = null;
  // `toggle` does not bubble: listen while it goes down. Switching aspects fires two (one closes, one opens): announce the state once.
  root.addEventListener(
    "toggle",
    () => {
      const open = root.querySelector<HTMLElement>("details[open]");
      const key = open?.dataset.key ?? null;
      if (key === chosen) return;
      chosen = key;
      const detail: AspectSelection = {
        productId,
        key,
        term: open?.dataset.term ?? null,
        reviewIds: open
          ? [...new Set(Array.from(open.querySelectorAll<HTMLElement>("li[data-review-id]"), (li) => li.dataset.reviewId!))]
          : null,
      };
      doc.dispatchEvent(new CustomEvent(ASPECT_EVENT, { detail }));
    },
    { capture: true, signal: options.signal },
  );
  doc.addEventListener(
    ASPECT_EVENT,
    (event) => {
      const { productId: product, reviewIds } = (event as CustomEvent<AspectSelection>).detail;
      if (product !== productId || reviewIds) return;
      root.querySelectorAll("details[open]").forEach((d) => {
        d.removeAttribute("open");
      });
    },
    { signal: options.signal },
  );
  const placeholder = () => (root.innerHTML = renderInsightsContent(undefined, options));
  placeholder();
  const run = settle(host, options.signal, "insights_unavailable", placeholder);
  await run(
    client.insights.product(productId).then((insights) => {
      if (!options.signal?.aborted) root.innerHTML = renderInsightsContent(insights, options);
    }),
  );
}
