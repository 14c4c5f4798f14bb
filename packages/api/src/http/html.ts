/**
 * Escaping for the HTML pages the service renders (the review form, the
 * disclosure page). Ours rather than the escape-html package: that one turns a
 * non-string into "[object Object]", and a page built from a corrupt document
 * must fail, not show it (exposure.test.ts).
 */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}
