/**
 * Messages the form pages (served by the API at /embed/review-form and
 * /embed/ask-form) post to the page that embeds them. Namespaced by `starling: 1` so they are
 * never confused with a host page's own messages. The API's form page
 * (packages/api/src/form/page.ts) sends exactly these shapes.
 */
export type FormMessage =
  | { starling: 1; type: "resize"; height: number }
  | { starling: 1; type: "submitted"; productId: string; reviewId: string; status: string }
  | { starling: 1; type: "asked"; productId: string; questionId: string; status: string };

export function isStarlingMessage(data: unknown): data is FormMessage {
  return typeof data === "object" && data !== null && (data as { starling?: unknown }).starling === 1;
}

/**
 * The `starling:aspect-selected` document event: the insights widget's shopper
 * chose a pro or con (`reviewIds`: the reviews its quotes came from), or closed
 * it (`reviewIds: null`, and `key`/`term` null), and a review list of the same
 * product shows just those reviews, or all again. A review list's "show all
 * reviews" sends the null form too, so the insights widget closes its choice.
 */
export interface AspectSelection {
  productId: string;
  key: string | null;
  term: string | null;
  reviewIds: string[] | null;
}

export const ASPECT_EVENT = "starling:aspect-selected";
