/**
 * The one-file widget script for a `<script>` tag:
 *
 *   <script src="starling-widgets.js" data-endpoint="https://reviews.example.com" data-key="pk_…" data-lang="de" defer></script>
 *   <div data-starling="badge" data-product="camp-mug"></div>
 *
 * It mounts every `[data-starling]` element when the page is ready, and
 * exposes `window.Starling` ({ createClient, mountAll, … }) for pages that add
 * elements later.
 */
import { createClient } from "../index.js";
import { mountAll, mountBadge, mountReviewForm, mountReviewList, pickLang, warnOnce } from "../widgets.js";

const script = document.currentScript as HTMLScriptElement | null;
const config = script?.dataset ?? {};

function start(): void {
  if (!config.endpoint || !config.key) return;
  try {
    const client = createClient({ endpoint: config.endpoint, key: config.key });
    void mountAll(client, document, { lang: pickLang(config.lang ?? document.documentElement.lang) });
    (window as unknown as { Starling: object }).Starling = { client, createClient, mountAll, mountBadge, mountReviewList, mountReviewForm };
  } catch (err) {
    warnOnce("bad_config", err);
  }
}

(window as unknown as { Starling: object }).Starling = { createClient, mountAll, mountBadge, mountReviewList, mountReviewForm };
if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
else start();
