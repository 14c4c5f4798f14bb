/** What every widget does to the host page's console and DOM. */

let warned = false;
/** One console warning per page, however many widgets fail: the host page's console is not ours. */
export function warnOnce(code: string, error: unknown): void {
  if (warned) return;
  warned = true;
  console.warn(`[starling] ${code}: ${error instanceof Error ? error.message : String(error)}`);
}

/**
 * How a widget's loading ends: `work` settles it "ready" in the host's
 * `data-starling-state`, or "error", where `failed` shows it and the console
 * gets one warning under `code`. Once `signal` has aborted, the host may
 * already show another mount: its state and content are left alone.
 */
export function settle(host: HTMLElement, signal: AbortSignal | undefined, code: string, failed: () => void) {
  return (work: Promise<unknown>): Promise<void> =>
    work.then(
      () => void (signal?.aborted || (host.dataset.starlingState = "ready")),
      (err) => {
        if (signal?.aborted) return;
        host.dataset.starlingState = "error";
        failed();
        warnOnce(code, err);
      },
    );
}

/** The widget's own shadow root in `host`: no CSS in or out. */
export function shadow(host: HTMLElement): ShadowRoot {
  return host.shadowRoot ?? host.attachShadow({ mode: "open" });
}
