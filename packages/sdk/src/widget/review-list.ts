import type { StarlingClient } from "../index.js";
import type { Review } from "../types.js";
import type { WidgetOptions } from "./badge.js";
import { settle, shadow } from "./dom.js";
import { escapeHtml } from "./escape-html.js";
import { formatDate, t } from "./i18n.js";
import { ASPECT_EVENT, type AspectSelection, type FormMessage } from "./messages.js";
import { QUESTIONS_CSS, votesHtml } from "./questions-html.js";
import { wireVotes } from "./questions.js";

const LIST_CSS =
  ":host{display:block;min-height:12em}ol{list-style:none;margin:0;padding:0}li{border-top:1px solid #ddd;padding:.6em 0}" +
  "h4{margin:0 0 .2em;font-size:1em}.meta,.prov{font-size:.85em;opacity:.8}.prov{display:inline-block;border:1px solid #bbb;border-radius:.3em;padding:0 .3em;margin-left:.4em}" +
  "p{margin:.3em 0;white-space:pre-line}.f{display:flex;gap:.3em;flex-wrap:wrap;margin:.3em 0}button{font:inherit;cursor:pointer}" +
  ".s{display:flex;gap:.6em;align-items:baseline;flex-wrap:wrap}.all{background:none;border:0;padding:0;color:#1a5fb4;text-decoration:underline}" +
  "button[aria-pressed=true]{font-weight:700}.reply{margin:.4em 0 0 1em;padding-left:.6em;border-left:3px solid #ccc;font-size:.95em}";

/** The vote buttons' rules from the questions' style sheet. */
const VOTE_CSS = QUESTIONS_CSS.split("}")
  .filter((r) => r.startsWith(".v{") || r.startsWith("button:focus-visible"))
  .map((r) => `${r}}`)
  .join("");

/**
 * A product's reviews, with a star filter and "show more" pagination. Each
 * review shows its provenance label. Reloads when a review form on the page
 * reports a submitted review for the same product. Shows only the reviews an
 * insights widget's chosen pro or con quotes (`starling:aspect-selected`),
 * saying so, with a "show all reviews" button that brings the full list back.
 */
export function mountReviewList(
  host: HTMLElement,
  client: StarlingClient,
  productId: string,
  options: WidgetOptions & { pageSize?: number } = {},
): Promise<void> {
  const lang = options.lang ?? "en";
  const root = shadow(host);
  root.innerHTML =
    `<style>${LIST_CSS}${VOTE_CSS}</style><section aria-label="${escapeHtml(t(lang, "reviews"))}"><div class="f" role="group"></div>` +
    `<div class="s"><p class="total" aria-live="polite" tabindex="-1"></p><button type="button" class="all" hidden></button></div><ol></ol><button class="more" hidden></button></section>`;
  const filters = root.querySelector(".f")!;
  const list = root.querySelector("ol")!;
  const total = root.querySelector(".total")!;
  const more = root.querySelector<HTMLButtonElement>(".more")!;
  const all = root.querySelector<HTMLButtonElement>(".all")!;
  more.textContent = t(lang, "more");
  all.textContent = t(lang, "showAll");
  let stars: number[] | undefined;
  /** The insights widget's chosen aspect: only the reviews its quotes came from. */
  let aspect: { term: string; reviewIds: string[] } | null = null;
  let next: (() => Promise<void>) | null = null;

  const show = (reviews: Review[]) => {
    for (const r of reviews) {
      const li = document.createElement("li");
      li.dataset.reviewId = r.id;
      // Review text is the customer's, as written: escaped, never parsed as HTML.
      li.innerHTML =
        `<h4><span role="img" aria-label="${escapeHtml(t(lang, "outOf", { value: r.rating }))}">${"★".repeat(r.rating)}${"☆".repeat(5 - r.rating)}</span> ${escapeHtml(r.title)}</h4>` +
        `<div class="meta">${escapeHtml(t(lang, "by", { name: r.reviewer.name }))} · ${escapeHtml(formatDate(lang, r.createdAt))}` +
        `<span class="prov" data-provenance="${escapeHtml(r.provenance)}">${escapeHtml(t(lang, r.provenance))}</span></div>` +
        `<p>${escapeHtml(r.body)}</p>` +
        (r.reply
          ? `<blockquote class="reply"><strong>${escapeHtml(t(lang, "reply"))}</strong><p>${escapeHtml(r.reply.body)}</p></blockquote>`
          : "") +
        votesHtml(lang, "REVIEW", r.id, r.helpfulVotes, true);
      list.append(li);
    }
  };

  let latest = 0;
  const load = async (after: string | null) => {
    const request = ++latest;
    const chosen = aspect;
    const page = await client.reviews.list(
      productId,
      chosen
        ? { ids: chosen.reviewIds, ...(stars ? { stars } : {}) }
        : { first: options.pageSize ?? 5, after, ...(stars ? { stars } : {}) },
    );
    // A later filter click or reload superseded this answer: showing it would mix two lists.
    if (request !== latest || options.signal?.aborted) return;
    if (!after) list.textContent = "";
    if (!page) return;
    total.textContent =
      page.totalCount === 0
        ? t(lang, "none")
        : chosen
          ? t(lang, page.totalCount === 1 ? "aspectOne" : "aspectMany", { count: page.totalCount, term: chosen.term })
          : `${t(lang, "reviews")}: ${page.totalCount}`;
    all.hidden = !chosen;
    show(page.reviews);
    more.hidden = !page.hasNextPage;
    next = page.hasNextPage ? () => load(page.endCursor) : null;
  };

  // After an abort the host may already show another mount: leave its state and text alone.
  const run = settle(host, options.signal, "reviews_unavailable", () => (total.textContent = t(lang, "unavailable")));

  for (const value of [0, 5, 4, 3, 2, 1]) {
    const button = document.createElement("button");
    button.type = "button";
    button.textContent = value === 1 ? t(lang, "oneStar") : value ? t(lang, "starsFilter", { stars: value }) : t(lang, "allStars");
    button.setAttribute("aria-pressed", String(value === 0));
    button.onclick = () => {
      stars = value ? [value] : undefined;
      filters.querySelectorAll("button").forEach((b) => {
        b.setAttribute("aria-pressed", String(b === button));
      });
      void run(load(null));
    };
    filters.append(button);
  }
  more.onclick = () => void (next && run(next()));
  all.onclick = () => {
    aspect = null;
    // The button goes away: keep the keyboard user where the list's new count is read out.
    (total as HTMLElement).focus();
    void run(load(null));
    // The insights widget closes its choice (this list ignores its own event: it shows all already).
    host.ownerDocument.dispatchEvent(
      new CustomEvent<AspectSelection>(ASPECT_EVENT, { detail: { productId, key: null, term: null, reviewIds: null } }),
    );
  };
  host.ownerDocument.addEventListener(
    ASPECT_EVENT,
    (event) => {
      const chosen = (event as CustomEvent<AspectSelection>).detail;
      if (chosen.productId !== productId) return;
      if (!chosen.reviewIds && !aspect) return;
      aspect = chosen.reviewIds ? { term: chosen.term ?? "", reviewIds: chosen.reviewIds.slice(0, 20) } : null;
      void run(load(null));
    },
    { signal: options.signal },
  );
  wireVotes(list, client, lang, options.signal);
  // A review just published shows at once on a quiet API; a busy one may serve the page from before the
  // write while a slow reload of it runs (the API's PageCache), so the list asks again, a few times, with growing pauses.
  const showSubmitted = async (submitted: Extract<FormMessage, { type: "submitted" }>) => {
    for (let pause = 500; ; pause *= 2) {
      await load(null);
      const shown = list.querySelector(`li[data-review-id="${CSS.escape(submitted.reviewId)}"]`);
      if (shown || submitted.status !== "PUBLISHED" || stars || aspect || pause > 8_000 || options.signal?.aborted) return;
      await new Promise((resolve) => setTimeout(resolve, pause));
    }
  };
  host.ownerDocument.addEventListener(
    "starling:review-submitted",
    (event) => {
      const submitted = (event as CustomEvent<Extract<FormMessage, { type: "submitted" }>>).detail;
      if (submitted.productId === productId) void run(showSubmitted(submitted));
    },
    { signal: options.signal },
  );
  return run(load(null));
}
