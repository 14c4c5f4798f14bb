import type { StarlingClient } from "../index.js";
import { renderBadgeContent } from "./badge-html.js";
import { settle, shadow } from "./dom.js";
import type { Lang } from "./i18n.js";

export interface WidgetOptions {
  /** "en" or "de". @default "en" */
  lang?: Lang;
  /**
   * Unmounts the widget when aborted: it stops listening to the page and ignores
   * answers still on their way (the custom elements abort on removal and on a
   * new `product`).
   */
  signal?: AbortSignal;
}

/**
 * A rating badge in `host`. Reserves one line of height at once, so the page
 * does not move when the rating arrives. Calls made for many badges in the
 * same tick share one request.
 */
export async function mountBadge(host: HTMLElement, client: StarlingClient, productId: string, options: WidgetOptions = {}): Promise<void> {
  const root = shadow(host);
  const placeholder = () => (root.innerHTML = renderBadgeContent(undefined, options));
  placeholder();
  const run = settle(host, options.signal, "rating_unavailable", placeholder);
  await run(
    client.products.rating(productId).then((product) => {
      // Superseded (another product, or removed): this answer belongs to no one now.
      if (!options.signal?.aborted) root.innerHTML = renderBadgeContent(product, { endpoint: client.endpoint, ...options });
    }),
  );
}
