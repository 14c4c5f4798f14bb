import type { StarlingClient } from "../index.js";
import type { WidgetOptions } from "./badge.js";
import { shadow, warnOnce } from "./dom.js";
import { renderInsightsContent } from "./insights-html.js";

/** "What customers say" for a product in `host` (see renderInsightsContent). */
export async function mountInsights(
  host: HTMLElement,
  client: StarlingClient,
  productId: string,
  options: WidgetOptions = {},
): Promise<void> {
  const root = shadow(host);
  root.innerHTML = renderInsightsContent(undefined, options);
  try {
    const insights = await client.insights.product(productId);
    if (options.signal?.aborted) return;
    root.innerHTML = renderInsightsContent(insights, options);
    host.dataset.starlingState = "ready";
  } catch (err) {
    if (options.signal?.aborted) return;
    root.innerHTML = renderInsightsContent(undefined, options);
    host.dataset.starlingState = "error";
    warnOnce("insights_unavailable", err);
  }
}
