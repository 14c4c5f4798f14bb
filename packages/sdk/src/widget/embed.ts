import type { StarlingClient } from "../index.js";
import type { WidgetOptions } from "./badge.js";
import { shadow } from "./dom.js";
import { t } from "./i18n.js";
import { isStarlingMessage } from "./messages.js";

/**
 * The review form: an iframe of the API's `/embed/review-form` page. The page
 * tells us its height and when a review was stored, by postMessage; we accept
 * messages only from that iframe and the API's origin, and re-dispatch a
 * submission as a `starling:review-submitted` event on the document.
 */
export function mountReviewForm(
  host: HTMLElement,
  client: StarlingClient,
  productId: string,
  options: WidgetOptions = {},
): HTMLIFrameElement {
  const lang = options.lang ?? "en";
  const src = new URL("/embed/review-form", client.endpoint);
  src.search = new URLSearchParams({ key: client.key, product: productId, lang }).toString();
  const iframe = document.createElement("iframe");
  iframe.src = src.href;
  iframe.title = t(lang, "formTitle");
  iframe.loading = "lazy";
  iframe.style.cssText = "border:0;width:100%;height:34em;display:block";
  window.addEventListener(
    "message",
    (event) => {
      if (event.source !== iframe.contentWindow || event.origin !== src.origin || !isStarlingMessage(event.data)) return;
      const message = event.data;
      if (message.type === "resize") iframe.style.height = `${Math.ceil(message.height)}px`;
      if (message.type === "submitted") {
        host.ownerDocument.dispatchEvent(new CustomEvent("starling:review-submitted", { detail: message }));
      }
    },
    { signal: options.signal },
  );
  // A block, also in an inline host such as <starling-review-form>, so the iframe's width is the host's.
  const style = document.createElement("style");
  style.textContent = ":host{display:block}";
  shadow(host).replaceChildren(style, iframe);
  return iframe;
}
