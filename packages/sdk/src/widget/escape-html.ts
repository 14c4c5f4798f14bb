/**
 * The project's one HTML escaper: for element content and quoted attribute
 * values. The widgets use it, and so do the API's own pages (the review form,
 * the disclosure page), which import this file: the SDK is published with no
 * runtime dependencies, so the shared code lives here, in a leaf that imports
 * nothing.
 *
 * Ours rather than the escape-html package: that one turns a non-string into
 * "[object Object]", and a page built from a corrupt document must fail, not
 * show it (the API's exposure.test.ts); `replace` on anything but a string throws.
 */
const ENTITIES: Record<string, string> = { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" };

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ENTITIES[c]!);
}
