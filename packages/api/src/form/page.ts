/**
 * The customer form pages (a review, a question), each its own page for an
 * iframe: the shop's page never handles the customer's input, and the form
 * works the same on every shop site. One page shell, style and script
 * (client-script.ts) for both. Accessible: every field has a label, stars are
 * a radio group (arrow keys), errors sit next to their field
 * (aria-describedby, aria-invalid) and are announced once through a
 * role="alert" summary.
 */
import { FORM_SCRIPT } from "./client-script.js";
import { ASK_FORM_STRINGS, FORM_STRINGS, type FormLang } from "./strings.js";
import { escapeHtml } from "../../../sdk/src/widget/escape-html.js";

/** The mutations the pages send; the same public ones any client uses. */
const SUBMIT_MUTATION =
  "mutation FormSubmitReview($input: SubmitReviewInput!) { submitReview(input: $input) { replayed review { id status provenance } } }";
const ASK_MUTATION =
  "mutation FormAskQuestion($input: AskQuestionInput!) { askQuestion(input: $input) { replayed question { id status relatedReviews { id title body } } } }";

const CSS = `
*{box-sizing:border-box}body{margin:0;padding:.75rem;font:15px/1.45 system-ui,sans-serif;color:#1d1d1f;background:#fff}
h1{font-size:1.15rem;margin:0 0 .25rem}#product{margin:0 0 .75rem;color:#555}
.field{margin:0 0 .8rem}label,legend{display:block;font-weight:600;margin-bottom:.2rem}
input[type=text],textarea{width:100%;font:inherit;padding:.45rem .5rem;border:1px solid #888;border-radius:.3rem}
textarea{min-height:6.5rem;resize:vertical}[aria-invalid=true]{border-color:#b00020;outline:1px solid #b00020}
fieldset{border:0;padding:0;margin:0 0 .8rem}.stars{display:flex;gap:.15rem}
.stars input{position:absolute;opacity:0;width:1px;height:1px}
.stars label{font-size:1.7rem;line-height:1;color:#bbb;cursor:pointer;font-weight:400;margin:0}
.stars label:has(~input:checked),.stars input:checked+label{color:#e8a200}
.stars:hover label{color:#bbb}.stars label:hover,.stars label:has(~label:hover){color:#e8a200}
.stars input:focus-visible+label{outline:2px solid #0a5dc2;outline-offset:2px}
.error{color:#b00020;margin:.2rem 0 0;font-size:.9rem}.error:empty{display:none}
#summary{color:#b00020;font-weight:600}#summary:empty{display:none}
.trap,.sr{position:absolute;left:-10000px;width:1px;height:1px;overflow:hidden}
button{font:inherit;padding:.5rem 1rem;border:0;border-radius:.3rem;background:#0a5dc2;color:#fff;cursor:pointer}
button:disabled{opacity:.6}.notice,.hint{font-size:.8rem;color:#555}.hint{margin:.1rem 0 .25rem}
#related ul{padding-left:1.1rem}#related li{margin:.3rem 0}
`;

/** JSON for a <script type="application/json"> element: nothing in it can close the element. */
function scriptJson(value: unknown): string {
  return JSON.stringify(value).replace(/[<>&\u2028\u2029]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`);
}

export function renderReviewFormPage(opts: {
  key: string;
  productId: string;
  lang: FormLang;
  nonce: string;
  /** The purchase invitation's token from the link the shop sent (`invitation=`), if any. */
  invitation?: string | null;
  /** The token in the link is not even shaped like one: say so before the customer writes anything. */
  invitationMalformed?: boolean;
}): string {
  const s = FORM_STRINGS[opts.lang];
  const e = escapeHtml;
  const invitation = opts.invitation ?? null;
  // In reading order, so the arrow keys move through the radio group the way they point.
  const stars = [1, 2, 3, 4, 5]
    .map(
      (n) =>
        `<input type="radio" name="rating" id="star-${n}" value="${n}">` +
        `<label for="star-${n}" title="${e(s.star.replace("{n}", String(n)))}"><span aria-hidden="true">★</span>` +
        `<span class="sr">${e(s.star.replace("{n}", String(n)))}</span></label>`,
    )
    .join("");
  const script: FormScript = {
    kind: "review",
    mutation: SUBMIT_MUTATION,
    fields: { rating: "rating", title: "title", body: "body", "reviewer.name": "name" },
    labels: { rating: s.rating, title: s.reviewTitle, body: s.body, "reviewer.name": s.name },
    invitation: opts.invitationMalformed ? null : invitation,
    invitationMalformed: Boolean(opts.invitationMalformed),
  };
  return renderFormPage(
    opts,
    s,
    script,
    `<form id="review-form" novalidate>
<fieldset id="f-rating" tabindex="-1" aria-describedby="e-rating" aria-required="true">
<legend>${e(s.rating)}</legend>
<div class="stars">${stars}</div>
<p class="error" id="e-rating"></p>
</fieldset>
${textField("title", "title", s.reviewTitle, "input", 200)}
${textField("body", "body", s.body, "textarea", 10000)}
${textField("name", "name", s.name, "input", 100)}
${honeypot(s.trap)}
<p class="notice" id="notice">${e(invitation && !opts.invitationMalformed ? s.noticeVerified : s.notice)}</p>
<button type="submit">${e(s.submit)}</button>
</form>
<div id="done" role="status" tabindex="-1" hidden><p id="thanks">${e(s.thanks)}</p><button type="button" id="another">${e(s.another)}</button></div>`,
  );
}

/**
 * The question form: a question and the name to show with it, sent through
 * `askQuestion` with the publishable key (source `form`, never linked to a
 * customer id). Once asked, it lists the reviews that may already answer it.
 */
export function renderAskFormPage(opts: { key: string; productId: string; lang: FormLang; nonce: string }): string {
  const s = ASK_FORM_STRINGS[opts.lang];
  const e = escapeHtml;
  const script: FormScript = {
    kind: "question",
    mutation: ASK_MUTATION,
    fields: { body: "body", "author.name": "name" },
    labels: { body: s.body, "author.name": s.name },
    invitation: null,
    invitationMalformed: false,
  };
  return renderFormPage(
    opts,
    s,
    script,
    `<form id="ask-form" novalidate>
${textField("body", "body", s.body, "textarea", 1000, s.bodyHint)}
${textField("name", "name", s.name, "input", 100)}
${honeypot(s.trap)}
<p class="notice" id="notice">${e(s.notice)}</p>
<button type="submit">${e(s.submit)}</button>
</form>
<div id="done" role="status" tabindex="-1" hidden><p id="thanks">${e(s.thanks)}</p>
<section id="related" aria-labelledby="related-title" hidden><p id="related-title">${e(s.related)}</p><ul id="related-list"></ul></section>
<button type="button" id="another">${e(s.another)}</button></div>`,
  );
}

/** A labelled text field with its error line (and an optional hint), both tied to it by aria-describedby. */
function textField(id: string, name: string, label: string, tag: "input" | "textarea", max: number, hint?: string): string {
  const e = escapeHtml;
  const describedBy = hint ? `h-${id} e-${id}` : `e-${id}`;
  return (
    `<div class="field"><label for="f-${id}">${e(label)}</label>` +
    (hint ? `<p class="hint" id="h-${id}">${e(hint)}</p>` : "") +
    (tag === "input"
      ? `<input type="text" id="f-${id}" name="${name}" maxlength="${max}" aria-required="true" aria-describedby="${describedBy}" autocomplete="${id === "name" ? "nickname" : "off"}">`
      : `<textarea id="f-${id}" name="${name}" maxlength="${max}" aria-required="true" aria-describedby="${describedBy}"></textarea>`) +
    `<p class="error" id="e-${id}"></p></div>`
  );
}

/** The honeypot. Its name matches no autofill category, so a person's browser never fills it; bots that fill every field do. */
function honeypot(label: string): string {
  return `<div class="trap" aria-hidden="true"><label for="f-hp">${escapeHtml(label)}</label><input type="text" id="f-hp" name="hp_check" tabindex="-1" autocomplete="off"></div>`;
}

/** What the form script does with the page's form: which mutation it sends, built from which fields, under which labels. */
interface FormScript {
  kind: "review" | "question";
  mutation: string;
  fields: Record<string, string>;
  labels: Record<string, string>;
  invitation: string | null;
  invitationMalformed: boolean;
}

/**
 * The page around a form: its words' language, the nonce'd style and script,
 * and the script's settings (where it sends what, in which words) as inert JSON.
 */
function renderFormPage(
  page: { key: string; productId: string; lang: FormLang; nonce: string },
  strings: { title: string },
  script: FormScript,
  form: string,
): string {
  const e = escapeHtml;
  const { kind, ...sending } = script;
  const config = { kind, endpoint: "/graphql", key: page.key, productId: page.productId, lang: page.lang, strings, ...sending };
  return `<!doctype html>
<html lang="${page.lang}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="robots" content="noindex">
<title>${e(strings.title)}</title>
<style nonce="${page.nonce}">${CSS}</style>
</head>
<body>
<main>
<h1>${e(strings.title)}</h1>
<p id="product"></p>
<p id="summary" role="alert"></p>
${form}
</main>
<script type="application/json" id="starling-form-config">${scriptJson(config)}</script>
<script nonce="${page.nonce}">${FORM_SCRIPT}</script>
</body>
</html>
`;
}
