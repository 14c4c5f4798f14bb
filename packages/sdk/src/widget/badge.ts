import type { StarlingClient } from "../index.js";
import { renderBadgeContent } from "./badge-html.js";
import { shadow, warnOnce } from "./dom.js";
import type { Lang } from "./i18n.js";

export interface WidgetOptions {
  /** "en" or "de". @default "en" */
  lang?: Lang;
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
    root.innerHTML = renderBadgeContent(await client.products.rating(productId), { endpoint: client.endpoint, ...options });
    host.dataset.starlingState = "ready";
  } catch (err) {
    root.innerHTML = renderBadgeContent(undefined, options);
    host.dataset.starlingState = "error";
    warnOnce("rating_unavailable", err);
  }
}
