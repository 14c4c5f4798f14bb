/**
 * The customer review form, as its own page for an iframe: the shop's page
 * never handles the customer's input, and the form works the same on every
 * shop site. Accessible: every field has a label, stars are a radio group
 * (arrow keys), errors sit next to their field (aria-describedby,
 * aria-invalid) and are announced once through a role="alert" summary.
 */
import { FORM_SCRIPT } from "./client-script.js";
import { FORM_STRINGS, type FormLang } from "./strings.js";
import { escapeHtml } from "../http/html.js";

/** The mutation the page sends; the same public one any client uses. */
const SUBMIT_MUTATION =
  "mutation FormSubmitReview($input: SubmitReviewInput!) { submitReview(input: $input) { replayed review { id status provenance } } }";

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
button:disabled{opacity:.6}.notice{font-size:.8rem;color:#555}
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
  const config = {
    endpoint: "/graphql",
    key: opts.key,
    productId: opts.productId,
    lang: opts.lang,
    strings: s,
    mutation: SUBMIT_MUTATION,
    invitation: opts.invitationMalformed ? null : invitation,
    invitationMalformed: Boolean(opts.invitationMalformed),
  };
  // In reading order, so the arrow keys move through the radio group the way they point.
  const stars = [1, 2, 3, 4, 5]
    .map(
      (n) =>
        `<input type="radio" name="rating" id="star-${n}" value="${n}">` +
        `<label for="star-${n}" title="${e(s.star.replace("{n}", String(n)))}"><span aria-hidden="true">★</span>` +
        `<span class="sr">${e(s.star.replace("{n}", String(n)))}</span></label>`,
    )
    .join("");
  const text = (id: string, name: string, label: string, tag: "input" | "textarea", max: number) =>
    `<div class="field"><label for="f-${id}">${e(label)}</label>` +
    (tag === "input"
      ? `<input type="text" id="f-${id}" name="${name}" maxlength="${max}" aria-required="true" aria-describedby="e-${id}" autocomplete="${id === "name" ? "nickname" : "off"}">`
      : `<textarea id="f-${id}" name="${name}" maxlength="${max}" aria-required="true" aria-describedby="e-${id}"></textarea>`) +
    `<p class="error" id="e-${id}"></p></div>`;
  return `<!doctype html>
<html lang="${opts.lang}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="robots" content="noindex">
<title>${e(s.title)}</title>
<style nonce="${opts.nonce}">${CSS}</style>
</head>
<body>
<main>
<h1>${e(s.title)}</h1>
<p id="product"></p>
<p id="summary" role="alert"></p>
<form id="review-form" novalidate>
<fieldset id="f-rating" tabindex="-1" aria-describedby="e-rating" aria-required="true">
<legend>${e(s.rating)}</legend>
<div class="stars">${stars}</div>
<p class="error" id="e-rating"></p>
</fieldset>
${text("title", "title", s.reviewTitle, "input", 200)}
${text("body", "body", s.body, "textarea", 10000)}
${text("name", "name", s.name, "input", 100)}
<!-- The honeypot. Its name matches no autofill category, so a person's browser never fills it; bots that fill every field do. -->
<div class="trap" aria-hidden="true"><label for="f-hp">${e(s.trap)}</label><input type="text" id="f-hp" name="hp_check" tabindex="-1" autocomplete="off"></div>
<p class="notice" id="notice">${e(invitation && !opts.invitationMalformed ? s.noticeVerified : s.notice)}</p>
<button type="submit">${e(s.submit)}</button>
</form>
<div id="done" role="status" tabindex="-1" hidden><p id="thanks">${e(s.thanks)}</p><button type="button" id="another">${e(s.another)}</button></div>
</main>
<script type="application/json" id="starling-form-config">${scriptJson(config)}</script>
<script nonce="${opts.nonce}">${FORM_SCRIPT}</script>
</body>
</html>
`;
}
