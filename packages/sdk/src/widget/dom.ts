/** What every widget does to the host page's console and DOM. */

let warned = false;
/** One console warning per page, however many widgets fail: the host page's console is not ours. */
export function warnOnce(code: string, error: unknown): void {
  if (warned) return;
  warned = true;
  console.warn(`[starling] ${code}: ${error instanceof Error ? error.message : String(error)}`);
}

/** The widget's own shadow root in `host`: no CSS in or out. */
export function shadow(host: HTMLElement): ShadowRoot {
  return host.shadowRoot ?? host.attachShadow({ mode: "open" });
}
