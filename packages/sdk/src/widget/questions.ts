import type { StarlingClient } from "../index.js";
import { InvalidInputError, RateLimitError } from "../errors.js";
import type { WidgetOptions } from "./badge.js";
import { settle, shadow, warnOnce } from "./dom.js";
import { escapeHtml } from "./escape-html.js";
import { t, type Lang } from "./i18n.js";
import { questionHtml, renderQuestionsContent } from "./questions-html.js";

const TOKEN_KEY = "starling-voter";

/**
 * The voter's browser token: random, kept in localStorage so a reload is the
 * same voter (with the address, the API allows one vote per item). Where
 * storage is blocked it lives as long as the page.
 */
let pageToken: string | null = null;
export function voterToken(): string {
  try {
    const stored = localStorage.getItem(TOKEN_KEY);
    if (stored && /^[A-Za-z0-9_-]{16,128}$/.test(stored)) return stored;
  } catch {
    // Storage blocked (privacy settings, sandboxed frame): the page's own token below.
  }
  pageToken ??= Array.from(crypto.getRandomValues(new Uint8Array(18)), (b) => b.toString(16).padStart(2, "0")).join("");
  try {
    localStorage.setItem(TOKEN_KEY, pageToken);
  } catch {
    // As above.
  }
  return pageToken;
}

/**
 * A product's questions with their answers (newest first, "show more"), vote
 * buttons on each answer ("was this helpful?", one vote per voter), and a
 * form to ask a new question. Everything is native buttons, labelled fields
 * and live regions: usable by keyboard alone, and a screen reader hears each
 * question as a headed article, who answered, and what became of a vote or
 * a question.
 */
export function mountQuestions(
  host: HTMLElement,
  client: StarlingClient,
  productId: string,
  options: WidgetOptions & { pageSize?: number } = {},
): Promise<void> {
  const lang: Lang = options.lang ?? "en";
  const root = shadow(host);
  const ids = { q: `sq-q-${productId}`, n: `sq-n-${productId}`, s: `sq-s-${productId}` };
  root.innerHTML =
    renderQuestionsContent([], { lang, interactive: true }) +
    `<button type="button" class="more" hidden>${escapeHtml(t(lang, "moreQuestions"))}</button>` +
    `<form novalidate aria-labelledby="${ids.s}-h"><h3 id="${ids.s}-h">${escapeHtml(t(lang, "askTitle"))}</h3>` +
    `<label for="${escapeHtml(ids.q)}">${escapeHtml(t(lang, "askQuestion"))}</label>` +
    `<textarea id="${escapeHtml(ids.q)}" name="body" required maxlength="1000" aria-describedby="${escapeHtml(ids.s)}"></textarea>` +
    `<label for="${escapeHtml(ids.n)}">${escapeHtml(t(lang, "askName"))}</label>` +
    `<input id="${escapeHtml(ids.n)}" name="name" required maxlength="100" autocomplete="nickname">` +
    `<button type="submit">${escapeHtml(t(lang, "askSubmit"))}</button>` +
    `<p id="${escapeHtml(ids.s)}" class="status" role="status" aria-live="polite"></p></form>`;
  const list = root.querySelector<HTMLOListElement>("ol.qs")!;
  const empty = () => root.querySelector<HTMLParagraphElement>("p.empty");
  const more = root.querySelector<HTMLButtonElement>("button.more")!;
  const form = root.querySelector<HTMLFormElement>("form")!;
  const status = form.querySelector<HTMLParagraphElement>(".status")!;
  let next: (() => Promise<void>) | null = null;

  let latest = 0;
  const load = async (after: string | null) => {
    const request = ++latest;
    const page = await client.questions.list(productId, { first: options.pageSize ?? 5, after });
    if (request !== latest || options.signal?.aborted) return;
    if (!after) list.textContent = "";
    const questions = page?.questions ?? [];
    list.insertAdjacentHTML("beforeend", questions.map((q) => questionHtml(lang, q, true)).join(""));
    const none = empty();
    if (none) none.hidden = list.children.length > 0;
    more.hidden = !page?.hasNextPage;
    next = page?.hasNextPage ? () => load(page.endCursor) : null;
  };

  const run = settle(host, options.signal, "questions_unavailable", () => {
    const none = empty();
    if (none) {
      none.hidden = false;
      none.textContent = t(lang, "unavailable");
    }
  });

  more.onclick = () => void (next && run(next()));

  wireVotes(list, client, lang, options.signal);

  // Asking: the fields say what is missing; the status line says what happened.
  form.addEventListener(
    "submit",
    (event) => {
      event.preventDefault();
      const body = form.querySelector<HTMLTextAreaElement>("textarea")!;
      const name = form.querySelector<HTMLInputElement>("input")!;
      for (const field of [body, name]) field.removeAttribute("aria-invalid");
      const missing = [body, name].find((f) => f.value.trim() === "");
      if (missing) {
        missing.setAttribute("aria-invalid", "true");
        status.textContent = t(lang, "required");
        missing.focus();
        return;
      }
      const submit = form.querySelector<HTMLButtonElement>("button[type=submit]")!;
      submit.disabled = true;
      status.textContent = t(lang, "asking");
      client.questions.ask({ productId, body: body.value, author: { name: name.value }, language: lang }).then(
        ({ question }) => {
          submit.disabled = false;
          body.value = "";
          status.textContent = t(lang, question.status === "PUBLISHED" ? "askedOk" : "askedPending");
          if (question.status === "PUBLISHED") void run(load(null));
        },
        (err: unknown) => {
          submit.disabled = false;
          const field = err instanceof InvalidInputError ? err.field : undefined;
          const target = field === "author.name" ? name : field === "body" ? body : null;
          target?.setAttribute("aria-invalid", "true");
          const reason = err instanceof InvalidInputError || err instanceof RateLimitError ? err.message : t(lang, "unavailable");
          status.textContent = t(lang, "askFailed", { reason });
          target?.focus();
        },
      );
    },
    { signal: options.signal },
  );

  return run(load(null));
}

/**
 * Makes the vote buttons under `container` (questions-html.ts' votesHtml, on
 * answers and reviews) work: one listener for every button, present and
 * future. A vote disables its pair while it is sent; the counts and a status
 * line (a live region) say what happened.
 */
export function wireVotes(container: HTMLElement, client: StarlingClient, lang: Lang, signal?: AbortSignal): void {
  container.addEventListener(
    "click",
    (event) => {
      const button = (event.target as Element).closest<HTMLButtonElement>("button[data-vote]");
      if (!button || button.disabled) return;
      const group = button.closest(".v")!;
      const say = group.querySelector<HTMLElement>(".vs")!;
      group.querySelectorAll("button").forEach((b) => {
        b.disabled = true;
      });
      const helpful = button.dataset.vote === "true";
      client.questions
        .vote({
          itemType: button.dataset.itemType as "REVIEW" | "ANSWER",
          itemId: button.dataset.itemId!,
          helpful,
          voterToken: voterToken(),
        })
        .then(
          (result) => {
            group.querySelectorAll<HTMLButtonElement>("button[data-vote]").forEach((b) => {
              b.setAttribute("aria-pressed", String((b.dataset.vote === "true") === result.helpful));
              b.querySelector("span")!.textContent = `(${b.dataset.vote === "true" ? result.votes.helpful : result.votes.notHelpful})`;
            });
            group.setAttribute(
              "aria-label",
              t(lang, "helpfulCount", { helpful: result.votes.helpful, notHelpful: result.votes.notHelpful }),
            );
            say.textContent = t(lang, result.alreadyVoted ? "alreadyVoted" : "voted");
          },
          (err: unknown) => {
            group.querySelectorAll("button").forEach((b) => {
              b.disabled = false;
            });
            say.textContent = t(lang, "voteFailed");
            warnOnce("vote_failed", err);
          },
        );
    },
    { signal },
  );
}
