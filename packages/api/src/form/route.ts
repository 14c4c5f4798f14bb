/**
 * The customer form pages for an iframe, one route machinery for both:
 *
 *   GET /embed/review-form?key=pk_…&product=<id>&lang=en|de[&invitation=<token>]
 *   GET /embed/ask-form?key=pk_…&product=<id>&lang=en|de
 *
 * Bad parameters get a 400 page that says which one and why, so a shop sees
 * its mistake in the iframe it just added. The invitation token (from
 * createInvitation, in the link the shop e-mails its customer) is checked by
 * the API when the review is sent; a link whose token is not even shaped like
 * one gets the form's own message at once, since it is the customer, not the
 * shop, who opened it.
 */
import { randomBytes } from "node:crypto";
import type express from "express";
import { identifier } from "../features/validate.js";
import { renderAskFormPage, renderReviewFormPage } from "./page.js";
import { escapeHtml } from "../../../sdk/src/widget/escape-html.js";
import { FORM_LANGS, type FormLang } from "./strings.js";

export const REVIEW_FORM_PATH = "/embed/review-form";
export const ASK_FORM_PATH = "/embed/ask-form";

interface FormPage {
  readonly path: string;
  /** Names the form in its 400 page. */
  readonly name: string;
  /** Whether the page takes a purchase invitation (`invitation=`). */
  readonly invitations: boolean;
  render(opts: {
    key: string;
    productId: string;
    lang: FormLang;
    nonce: string;
    invitation: string | null;
    invitationMalformed: boolean;
  }): string;
}

const FORM_PAGES: readonly FormPage[] = [
  { path: REVIEW_FORM_PATH, name: "Review form", invitations: true, render: renderReviewFormPage },
  { path: ASK_FORM_PATH, name: "Question form", invitations: false, render: renderAskFormPage },
];

/** Mounts every form page (the review form, the question form). */
export function mountFormPages(app: express.Express): void {
  for (const page of FORM_PAGES) app.get(page.path, formPageHandler(page));
}

function formPageHandler(page: FormPage): express.RequestHandler {
  return (req, res) => {
    const key = typeof req.query.key === "string" ? req.query.key : "";
    const product = typeof req.query.product === "string" ? req.query.product : "";
    const lang = typeof req.query.lang === "string" ? req.query.lang : "en";
    const invitation =
      page.invitations && typeof req.query.invitation === "string" && req.query.invitation !== "" ? req.query.invitation : null;
    const invitationMalformed = invitation !== null && !INVITATION_TOKEN.test(invitation);
    const problem = !/^pk_[A-Za-z0-9_-]+$/.test(key)
      ? // A secret key in a page URL would be in every visitor's browser history and in server logs.
        "key: must be your shop's publishable key (pk_…); never put a secret key (sk_…) in a web page"
      : !isIdentifier(product)
        ? "product: must be the shop's product id (letters, digits and . _ : / # @ + -)"
        : !(FORM_LANGS as readonly string[]).includes(lang)
          ? `lang: must be one of ${FORM_LANGS.join(", ")}`
          : null;
    // The page is made to be framed by any shop's site; it holds no secret
    // and acts only with the publishable key its URL carries.
    res.set("referrer-policy", "no-referrer");
    res.set("x-content-type-options", "nosniff");
    if (problem) {
      res.status(400).set("content-security-policy", "default-src 'none'");
      res
        .type("html")
        .send(`<!doctype html><meta charset="utf-8"><title>${page.name}: bad request</title><p>${page.name}: ${escapeHtml(problem)}</p>`);
      return;
    }
    const nonce = randomBytes(16).toString("base64");
    res.set(
      "content-security-policy",
      `default-src 'none'; script-src 'nonce-${nonce}'; style-src 'nonce-${nonce}'; connect-src 'self'; ` +
        "form-action 'none'; base-uri 'none'; frame-ancestors *",
    );
    res.set("cache-control", "no-store");
    res.type("html").send(page.render({ key, productId: product, lang: lang as FormLang, nonce, invitation, invitationMalformed }));
  };
}

/** What createInvitation issues: base64url payload, a dot, base64url signature; far shorter than this bound. */
const INVITATION_TOKEN = /^[A-Za-z0-9_-]{1,1024}\.[A-Za-z0-9_-]{16,128}$/;

function isIdentifier(value: string): boolean {
  try {
    identifier("product", value);
    return true;
  } catch {
    return false;
  }
}
