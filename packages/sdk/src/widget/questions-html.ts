/**
 * A product's questions and answers as an HTML string: each question, who
 * asked and when, its answers marked by who wrote them (the shop, a verified
 * buyer, a customer) with their helpful votes, and the reviews that may
 * answer it. The same function renders on the server (inside a declarative
 * shadow root, with schema.org markup, no JavaScript needed) and in the
 * browser widget, which adds vote buttons and the ask form.
 *
 * Every text is the customers' as written, so everything is escaped; nothing
 * they wrote is ever parsed as HTML.
 */
import { jsonLdScript, questionsJsonLd } from "../json-ld.js";
import type { Answer, Question } from "../types.js";
import { escapeHtml } from "./escape-html.js";
import { formatDate, t, type Lang, type MessageKey } from "./i18n.js";

export interface QuestionsHtmlOptions {
  /** "en" or "de". @default "en" */
  lang?: Lang;
  /** Vote buttons on reviews' suggestions and answers (the widget wires them; the server leaves them out). */
  interactive?: boolean;
  /** Server only: add the schema.org Question/Answer JSON-LD for these questions. @default true */
  jsonLd?: boolean;
  /** Server only: the page's product name, for the JSON-LD's `about`. */
  productName?: string;
}

export const QUESTIONS_CSS =
  ":host{display:block}ol{list-style:none;margin:0;padding:0}.q{border-top:1px solid #ddd;padding:.7em 0}" +
  "h3{margin:0 0 .2em;font-size:1em}.meta{font-size:.85em;opacity:.8}.a{margin:.5em 0 0 1em;padding-left:.6em;border-left:3px solid #ccc}" +
  ".a[data-role=shop]{border-left-color:#2a6ebb}.role{display:inline-block;border:1px solid #bbb;border-radius:.3em;padding:0 .3em;margin-right:.4em;font-size:.85em}" +
  "p{margin:.3em 0;white-space:pre-line}.v{display:flex;gap:.4em;align-items:center;flex-wrap:wrap;font-size:.85em}" +
  "button{font:inherit;cursor:pointer}button:focus-visible,textarea:focus-visible,input:focus-visible{outline:2px solid #2a6ebb;outline-offset:2px}" +
  ".rel{font-size:.9em;margin:.4em 0 0 1em}.rel ul{margin:.2em 0;padding-left:1.2em}" +
  "form{display:grid;gap:.4em;margin-top:1em;max-width:36em}textarea{min-height:4em}label{font-weight:600}" +
  ".sr{position:absolute;width:1px;height:1px;overflow:hidden;clip-path:inset(50%);white-space:nowrap}";

const ROLE_WORDS: Record<Answer["author"]["role"], MessageKey> = {
  SHOP: "shopAnswer",
  VERIFIED_BUYER: "verifiedBuyer",
  CUSTOMER: "customer",
};

/** Helpful votes of an answer or a review: counts, and with `interactive` two buttons (wired by wireVotes). */
export function votesHtml(
  lang: Lang,
  itemType: "REVIEW" | "ANSWER",
  id: string,
  votes: Answer["helpfulVotes"],
  interactive: boolean,
): string {
  const summary = t(lang, "helpfulCount", { helpful: votes.helpful, notHelpful: votes.notHelpful });
  if (!interactive) return `<div class="v">${escapeHtml(summary)}</div>`;
  const button = (helpful: boolean) =>
    `<button type="button" data-vote="${helpful}" data-item-type="${itemType}" data-item-id="${escapeHtml(id)}" aria-pressed="false">` +
    `${escapeHtml(t(lang, helpful ? "helpful" : "notHelpful"))} <span aria-hidden="true">(${helpful ? votes.helpful : votes.notHelpful})</span></button>`;
  return `<div class="v" role="group" aria-label="${escapeHtml(summary)}">${button(true)}${button(false)}<span class="vs" role="status"></span></div>`;
}

function answerHtml(lang: Lang, a: Answer, interactive: boolean): string {
  const role = a.author.role;
  return (
    `<li class="a" data-answer-id="${escapeHtml(a.id)}" data-role="${role.toLowerCase()}">` +
    `<div class="meta"><span class="role">${escapeHtml(t(lang, ROLE_WORDS[role]))}</span>` +
    `${escapeHtml(t(lang, "answered", { name: a.author.name, date: formatDate(lang, a.createdAt) }))}</div>` +
    `<p>${escapeHtml(a.body)}</p>${votesHtml(lang, "ANSWER", a.id, a.helpfulVotes, interactive)}</li>`
  );
}

/** One question with its answers, as an `<li>`. */
export function questionHtml(lang: Lang, q: Question, interactive = false): string {
  const count = q.answers.length === 1 ? t(lang, "oneAnswer") : t(lang, "answers", { count: q.answers.length });
  const related = q.relatedReviews.length
    ? `<div class="rel"><span>${escapeHtml(t(lang, "inReviews"))}</span><ul>${q.relatedReviews
        .map(
          (r) =>
            `<li data-review-id="${escapeHtml(r.id)}"><span role="img" aria-label="${escapeHtml(t(lang, "outOf", { value: r.rating }))}">${"★".repeat(r.rating)}${"☆".repeat(5 - r.rating)}</span> ${escapeHtml(r.title)} <span class="meta">${escapeHtml(t(lang, "by", { name: r.reviewer.name }))}</span></li>`,
        )
        .join("")}</ul></div>`
    : "";
  return (
    `<li class="q" data-question-id="${escapeHtml(q.id)}"><article aria-label="${escapeHtml(q.body)}">` +
    `<h3>${escapeHtml(q.body)}</h3>` +
    `<div class="meta">${escapeHtml(t(lang, "asked", { name: q.author.name, date: formatDate(lang, q.createdAt) }))} · ${escapeHtml(count)}</div>` +
    (q.answers.length
      ? `<ol aria-label="${escapeHtml(count)}">${q.answers.map((a) => answerHtml(lang, a, interactive)).join("")}</ol>`
      : `<p class="meta">${escapeHtml(t(lang, "noAnswers"))}</p>`) +
    related +
    `</article></li>`
  );
}

/** The section's inner HTML (style included), to place in a shadow root. */
export function renderQuestionsContent(questions: readonly Question[], options: QuestionsHtmlOptions = {}): string {
  const lang = options.lang ?? "en";
  const items = questions.map((q) => questionHtml(lang, q, options.interactive ?? false)).join("");
  return (
    `<style>${QUESTIONS_CSS}</style><section aria-labelledby="starling-qa-h"><h2 id="starling-qa-h">${escapeHtml(t(lang, "questions"))}</h2>` +
    (questions.length ? `<ol class="qs">${items}</ol>` : `<ol class="qs"></ol><p class="empty">${escapeHtml(t(lang, "noQuestions"))}</p>`) +
    `</section>`
  );
}

/**
 * The questions as server-side HTML: a `<div>` with a declarative shadow root
 * (styles neither leak in nor out) and, by default, their schema.org JSON-LD
 * beside it. Pass `page.questions` from `client.questions.list(productId)`.
 * @example renderQuestionsHtml((await client.questions.list("camp-mug"))!.questions, { lang: "de", productName: "Becher" })
 */
export function renderQuestionsHtml(questions: readonly Question[], options: QuestionsHtmlOptions = {}): string {
  const ld =
    options.jsonLd === false || questions.length === 0
      ? ""
      : jsonLdScript(questionsJsonLd({ questions, productName: options.productName }));
  return `<div class="starling-questions"><template shadowrootmode="open">${renderQuestionsContent(questions, { ...options, interactive: false })}</template></div>${ld}`;
}
