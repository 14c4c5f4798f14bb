/**
 * The shop's dashboard: sign-in, then pages by the URL's fragment
 * (#/overview, #/product/<id>, #/queue, …). The secret key typed at sign-in
 * goes to the server once and is dropped; the page holds only the CSRF token.
 */
import "./style.css";
import { currentSession, signIn, signOut, type SessionInfo } from "./api.js";
import { errorText } from "./common.js";
import { clear, h, submitButton, uid } from "./dom.js";
import { lang, setLang, t, type Key } from "./i18n.js";
import { overviewPage } from "./pages/overview.js";
import { productPage, productsPage } from "./pages/product.js";
import { queuePage } from "./pages/queue.js";
import { reviewsPage } from "./pages/reviews.js";
import { invitationsPage, keysPage, settingsPage } from "./pages/admin.js";
import { webhooksPage } from "./pages/webhooks.js";

const app = document.getElementById("app")!;

const PAGES: [string, Key][] = [
  ["overview", "overview"],
  ["products", "products"],
  ["queue", "queue"],
  ["reviews", "reviews"],
  ["invitations", "invitations"],
  ["keys", "keys"],
  ["webhooks", "webhooks"],
  ["import", "importExport"],
  ["settings", "settings"],
];

let session: SessionInfo | null = null;

function signInView(error?: string): void {
  document.title = t("title");
  const link = /^#link=([A-Za-z0-9_-]+)$/.exec(location.hash)?.[1] ?? null;
  // The link's token leaves the address bar at once (history, screenshots, shoulder surfing).
  if (link) history.replaceState(null, "", location.pathname);
  const id = uid("key");
  const input = h("input", { id, type: "password", autocomplete: "off", spellcheck: "false", required: !link, name: "key" });
  const status = h("p", { role: "alert", class: "error" }, error ?? "");
  const form = h(
    "form",
    { class: "stack" },
    link ? h("p", null, t("linkHelp")) : h("p", null, t("signInHelp")),
    link ? null : h("label", { for: id }, t("secretKey"), input),
    submitButton(link ? t("useLink") : t("signIn")),
  );
  form.addEventListener("submit", async (e) => {
    e.preventDefault();
    const key = input.value;
    input.value = "";
    try {
      session = await signIn(link ? { link } : { key });
      location.hash = "#/overview";
      shell();
    } catch (err) {
      status.textContent = err instanceof Error ? err.message : String(err);
    }
  });
  clear(
    app,
    h(
      "main",
      { class: "signin", id: "main" },
      h("h1", null, t("signInTitle")),
      form,
      status,
      langSwitch(() => signInView()),
    ),
  );
}

function langSwitch(rerender: () => void): HTMLElement {
  const id = uid("lang");
  const select = h("select", { id }, h("option", { value: "en" }, "English"), h("option", { value: "de" }, "Deutsch"));
  select.value = lang;
  select.addEventListener("change", () => {
    setLang(select.value as "en" | "de");
    rerender();
  });
  return h("div", null, h("label", { for: id }, t("language"), " "), select);
}

function shell(): void {
  const s = session!;
  document.documentElement.lang = lang;
  const main = h("main", { id: "main", tabindex: -1 });
  const route = location.hash.replace(/^#\/?/, "") || "overview";
  const [name, ...rest] = route.split("/");
  const current = name === "product" ? "products" : name;
  const nav = h(
    "nav",
    { class: "side", "aria-label": t("nav") },
    h(
      "ul",
      null,
      PAGES.map(([p, key]) => h("li", null, h("a", { href: `#/${p}`, "aria-current": p === current ? "page" : null }, t(key)))),
    ),
  );
  const out = h("button", { type: "button", id: "sign-out" }, t("signOut"));
  out.addEventListener("click", async () => {
    await signOut().catch(() => undefined);
    session = null;
    signInView();
  });
  clear(
    app,
    h(
      "a",
      {
        class: "skip",
        href: "#main",
        onclick: (e: Event) => {
          e.preventDefault();
          main.focus();
        },
      },
      t("skip"),
    ),
    h("header", { class: "top" }, h("span", { class: "brand" }, `Starling · ${s.shop.name}`), langSwitch(shell), out),
    h("div", { class: "layout" }, nav, main),
  );
  const title = PAGES.find(([p]) => p === current)?.[1] ?? "overview";
  document.title = `${t(title)} · ${t("title")}`;
  main.setAttribute("aria-busy", "true");
  const page: Promise<void> =
    name === "product" && rest.length
      ? productPage(main, decodeURIComponent(rest.join("/")))
      : name === "products"
        ? productsPage(main)
        : name === "queue"
          ? queuePage(main)
          : name === "reviews"
            ? reviewsPage(main)
            : name === "invitations"
              ? invitationsPage(main)
              : name === "keys"
                ? keysPage(main)
                : name === "webhooks"
                  ? webhooksPage(main)
                  : name === "import"
                    ? // Its own chunk, with the CSV parser: loaded when the page opens, not on first load.
                      import("./pages/import.js").then((m) => m.importExportPage(main))
                    : name === "settings"
                      ? settingsPage(main, s)
                      : overviewPage(main);
  page
    .catch((err: unknown) => {
      if ((err as { code?: string }).code === "UNAUTHENTICATED") {
        session = null;
        return signInView();
      }
      main.append(errorText(err));
    })
    .finally(() => {
      main.removeAttribute("aria-busy");
      main.setAttribute("data-ready", "true");
    });
}

window.addEventListener("hashchange", () => {
  if (session) shell();
});

document.documentElement.lang = lang;
currentSession().then(
  (s) => {
    session = s;
    if (s && !location.hash.startsWith("#link=")) shell();
    else signInView();
  },
  (err: unknown) => clear(app, errorText(err)),
);
