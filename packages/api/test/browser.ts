/**
 * A real browser for the tests that need one (the form pages, the dashboard,
 * the playground here; the widgets in packages/sdk/test) and the benchmarks
 * that draw in one: Debian's Chromium driven by playwright-core, so nothing is
 * downloaded, with the same flags everywhere; pages that record their uncaught
 * errors; axe-core in a page. No vitest here, so a benchmark can import it.
 */
import { readFile } from "node:fs/promises";
import { createRequire } from "node:module";
import { type Browser, chromium, type Page } from "playwright-core";

/**
 * Debian's /usr/bin/chromium, headless. No sandbox: tests run as root in
 * containers, where Chromium refuses to start sandboxed. No GPU, and none of
 * the background traffic a first run starts (updates, sync): the tests are
 * offline and share two busy cores.
 */
export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: "/usr/bin/chromium",
    args: [
      "--headless",
      "--no-sandbox",
      "--disable-gpu",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
      "--no-first-run",
    ],
  });
}

export type WatchedPage = Page & { errors: string[] };

/** A fresh page that records every uncaught page error in `errors`, for the test to expect none. */
export async function watchedPage(browser: Browser, viewport = { width: 1000, height: 1400 }): Promise<WatchedPage> {
  const page = await browser.newPage({ viewport });
  const errors: string[] = [];
  page.on("pageerror", (e) => errors.push(e.message));
  return Object.assign(page, { errors });
}

let axeSource: Promise<string> | undefined;

/** axe-core in the page (evaluated over the DevTools protocol, so the page's CSP stays on); serious or critical violations. */
export async function axeViolations(page: Page): Promise<{ id: string; impact: string; nodes: string[] }[]> {
  axeSource ??= readFile(createRequire(import.meta.url).resolve("axe-core/axe.min.js"), "utf8");
  await page.evaluate(await axeSource);
  const result = await page.evaluate(async () => {
    const axe = (
      window as unknown as {
        axe: {
          run: (
            ctx: Document,
            opts: object,
          ) => Promise<{ violations: { id: string; impact: string; nodes: { target: string[] }[] }[]; passes: unknown[] }>;
        };
      }
    ).axe;
    const r = await axe.run(document, { resultTypes: ["violations"] });
    return { violations: r.violations, passes: r.passes.length };
  });
  // axe really looked at the page: dozens of rules apply to any page a test opens.
  if (result.passes <= 10) throw new Error(`axe-core passed only ${result.passes} rules: it did not look at the page`);
  return result.violations
    .filter((v) => v.impact === "serious" || v.impact === "critical")
    .map((v) => ({ id: v.id, impact: v.impact, nodes: v.nodes.map((n) => n.target.join(" ")) }));
}
