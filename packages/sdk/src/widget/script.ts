/**
 * The one-file widget script for a `<script>` tag:
 *
 *   <script src="starling-widgets.js" data-endpoint="https://reviews.example.com" data-key="pk_…" data-lang="de" defer></script>
 *   <div data-starling="badge" data-product="camp-mug"></div>
 *   <starling-rating product="camp-mug"></starling-rating>
 *
 * It mounts every `[data-starling]` element when the page is ready, defines
 * the custom elements (`<starling-rating>`, `<starling-reviews>`,
 * `<starling-review-form>`, `<starling-insights>`), which mount themselves whenever they are added,
 * and exposes `window.Starling` ({ createClient, mountAll, defineElements, … })
 * for pages that add `[data-starling]` elements later.
 */
import { createClient } from "../index.js";
import { defineElements, mountAll, mountBadge, mountInsights, mountReviewForm, mountReviewList, pickLang, warnOnce } from "../widgets.js";

const api = { createClient, mountAll, mountBadge, mountReviewList, mountReviewForm, mountInsights, defineElements };

const script = document.currentScript as HTMLScriptElement | null;
const config = script?.dataset ?? {};

function start(): void {
  if (!config.endpoint || !config.key) return;
  try {
    const client = createClient({ endpoint: config.endpoint, key: config.key });
    const defaults = { lang: pickLang(config.lang ?? document.documentElement.lang) };
    void mountAll(client, document, defaults);
    // In the same tick as mountAll: badges of both kinds on the page share one request.
    defineElements(client, defaults);
    (window as unknown as { Starling: object }).Starling = { client, ...api };
  } catch (err) {
    warnOnce("bad_config", err);
  }
}

(window as unknown as { Starling: object }).Starling = api;
if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
else start();
