/**
 * A shop's site for the widget tests, and Chromium to open it in: a small
 * HTTP server on a free loopback port that serves the pages each test writes
 * and the built widget script (the test run's build), pointed at the real API.
 */
import { readFile } from "node:fs/promises";
import http from "node:http";
import type { AddressInfo } from "node:net";
import path from "node:path";
import { launchChromium, type WatchedPage, watchedPage } from "../../api/test/browser.js";
import type { TestApi } from "../../api/test/helpers.js";

const WIDGET_SCRIPT = path.resolve(import.meta.dirname, "../dist/starling-widgets.js");

export interface WidgetSite {
  url: string;
  /**
   * Serves `body` at `pathname` (each test adds its own page) and returns the
   * page's URL. `script: false` leaves the widget script out (server-rendered
   * HTML alone).
   */
  servePage(pathname: string, body: string, options?: { lang?: string; script?: boolean }): string;
  /** A fresh page in the site's browser that records its uncaught errors (`page.errors`). */
  newPage(viewport?: { width: number; height: number }): Promise<WatchedPage>;
  /** Closes the browser and the server. */
  close(): Promise<void>;
}

/** `head` goes into every page's <head> (a test's own styles). */
export async function startWidgetSite(api: TestApi, { head = "" } = {}): Promise<WidgetSite> {
  const script = await readFile(WIDGET_SCRIPT);
  const pages = new Map<string, string>();
  const server = http.createServer((req, res) => {
    const pathname = new URL(req.url ?? "/", "http://x").pathname;
    if (pathname === "/starling-widgets.js") return res.writeHead(200, { "content-type": "text/javascript" }).end(script);
    const html = pages.get(pathname);
    res.writeHead(html ? 200 : 404, { "content-type": "text/html; charset=utf-8" }).end(html ?? "not found");
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const browser = await launchChromium().catch(async (e) => {
    await new Promise((resolve) => server.close(resolve));
    throw e;
  });
  return {
    url,
    servePage(pathname, body, { lang = "en", script = true } = {}) {
      pages.set(
        pathname,
        `<!doctype html><html lang="${lang}"><head><meta charset="utf-8"><title>Shop</title>${head}</head><body>${body}` +
          (script
            ? `<script src="/starling-widgets.js" data-endpoint="${api.url}" data-key="${api.shop.publishableKey}" defer></script>`
            : "") +
          `</body></html>`,
      );
      return `${url}${pathname}`;
    },
    newPage: (viewport) => watchedPage(browser, viewport),
    async close() {
      await browser.close();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}
