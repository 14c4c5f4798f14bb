/** Invitations, API keys, settings (import and export: pages/import.ts, loaded with its page). */
import { ApiError, gql, type SessionInfo } from "../api.js";
import { errorText } from "../common.js";
import { h, labelledForm, submitButton, table, uid } from "../dom.js";
import { t, when } from "../i18n.js";

/** A table of plain cells: each row's cells as `<td>`s. */
function cellTable(headers: string[], rows: Node[][]): HTMLElement {
  return table(
    headers,
    rows.map((r) =>
      h(
        "tr",
        null,
        r.map((c) => h("td", null, c)),
      ),
    ),
  );
}

export async function invitationsPage(main: HTMLElement): Promise<void> {
  const product = h("input", { type: "text", required: true, maxlength: 100 });
  const order = h("input", { type: "text", required: true, maxlength: 100 });
  const email = h("input", { type: "email", maxlength: 254 });
  const out = h("div", { role: "status", "aria-live": "polite" });
  const list = h("div");
  const form = labelledForm(
    { class: "inline" },
    [
      [t("productId"), product],
      [t("orderRef"), order],
      [t("email"), email],
    ],
    t("createInvitation"),
  );
  const load = async () => {
    const d = await gql<{
      invitations: { id: string; productId: string; orderRef: string; createdAt: string; expiresAt: string; usedAt: string | null }[];
    }>(`{ invitations(first: 50) { id productId orderRef createdAt expiresAt usedAt } }`);
    list.replaceChildren(
      cellTable(
        [t("productId"), t("orderRef"), t("created"), t("expires"), t("used")],
        d.invitations.map((i) => [
          document.createTextNode(i.productId),
          document.createTextNode(i.orderRef),
          document.createTextNode(when(i.createdAt)),
          document.createTextNode(when(i.expiresAt)),
          document.createTextNode(i.usedAt ? when(i.usedAt) : t("unused")),
        ]),
      ),
    );
  };
  form.addEventListener("submit", async (e) => {
    e.preventDefault();
    try {
      const d = await gql<{ createInvitation: { token: string } }>(
        `mutation($i: CreateInvitationInput!) { createInvitation(input: $i) { token } }`,
        { i: { productId: product.value.trim(), orderRef: order.value.trim(), customerEmail: email.value.trim() || null } },
      );
      out.replaceChildren(h("p", null, t("token")), h("code", { class: "key" }, d.createInvitation.token));
      await load();
    } catch (err) {
      out.replaceChildren(errorText(err));
    }
  });
  main.append(h("h1", null, t("invitations")), form, out, list);
  await load();
}

interface ApiKey {
  id: string;
  kind: string;
  label: string | null;
  scopes: string[];
  prefix: string;
  createdAt: string;
  revokedAt: string | null;
}

export async function keysPage(main: HTMLElement): Promise<void> {
  const kind = h("select", null, h("option", { value: "SECRET" }, t("secret")), h("option", { value: "PUBLISHABLE" }, t("publishable")));
  const label = h("input", { type: "text", maxlength: 100 });
  const out = h("div", { role: "status", "aria-live": "polite", id: "key-status" });
  const list = h("div", { id: "key-list" });
  // A new key is shown here once, in this page's memory only; leaving the page forgets it.
  const showKey = (key: string) => out.replaceChildren(h("p", null, t("newKey")), h("code", { class: "key", id: "new-key" }, key));
  const fail = (err: unknown) =>
    out.replaceChildren(
      err instanceof ApiError && err.code === "LAST_KEY" ? h("p", { class: "error", role: "alert" }, t("lastKey")) : errorText(err),
    );
  const load = async () => {
    const d = await gql<{ apiKeys: ApiKey[] }>(`{ apiKeys { id kind label scopes prefix createdAt revokedAt } }`);
    list.replaceChildren(
      cellTable(
        [t("label"), t("kind"), t("prefix"), t("scopes"), t("created"), t("state"), t("actions")],
        d.apiKeys.map((k) => [
          document.createTextNode(k.label ?? ""),
          document.createTextNode(k.kind === "SECRET" ? t("secret") : t("publishable")),
          h("code", null, `${k.prefix}…`),
          document.createTextNode(k.scopes.join(", ")),
          document.createTextNode(when(k.createdAt)),
          document.createTextNode(k.revokedAt ? `${t("revoked")} ${when(k.revokedAt)}` : t("active")),
          k.revokedAt
            ? document.createTextNode("")
            : h(
                "span",
                { class: "actions" },
                h(
                  "button",
                  {
                    type: "button",
                    "data-rotate": k.id,
                    "aria-label": `${t("rotate")} ${k.label ?? k.prefix}`,
                    onclick: () =>
                      void act(`mutation($id: ID!) { rotateApiKey(id: $id) { key } }`, k.id, (d) => showKey(d.rotateApiKey.key)),
                  },
                  t("rotate"),
                ),
                " ",
                h(
                  "button",
                  {
                    type: "button",
                    "data-revoke": k.id,
                    "aria-label": `${t("revoke")} ${k.label ?? k.prefix}`,
                    onclick: () =>
                      void act(`mutation($id: ID!) { revokeApiKey(id: $id) { id } }`, k.id, () =>
                        out.replaceChildren(h("p", { class: "ok" }, t("done", { n: 1 }))),
                      ),
                  },
                  t("revoke"),
                ),
              ),
        ]),
      ),
    );
  };
  // biome-ignore lint/suspicious/noExplicitAny: each action's mutation answers its own shape
  const act = async (query: string, id: string, done: (d: any) => void) => {
    try {
      done(await gql(query, { id }));
      await load();
    } catch (err) {
      fail(err);
    }
  };
  const form = labelledForm(
    { class: "inline", id: "create-key" },
    [
      [t("kind"), kind],
      [t("label"), label],
    ],
    t("createKey"),
  );
  form.addEventListener("submit", async (e) => {
    e.preventDefault();
    try {
      const d = await gql<{ createApiKey: { key: string } }>(`mutation($i: CreateApiKeyInput!) { createApiKey(input: $i) { key } }`, {
        i: { kind: kind.value, label: label.value.trim() || null },
      });
      showKey(d.createApiKey.key);
      label.value = "";
      await load();
    } catch (err) {
      fail(err);
    }
  });
  main.append(h("h1", null, t("keys")), form, out, list);
  await load();
}

export async function settingsPage(main: HTMLElement, session: SessionInfo): Promise<void> {
  const d = await gql<{ shopSettings: { moderationMode: string; allowedOrigins: string[] } }>(
    `{ shopSettings { moderationMode allowedOrigins } }`,
  );
  const s = d.shopSettings;
  const status = h("p", { role: "status", "aria-live": "polite" });
  const radio = (value: string, label: string) => {
    const id = uid("mode");
    const input = h("input", { type: "radio", name: "mode", value, id });
    input.checked = s.moderationMode === value;
    return h("div", null, input, " ", h("label", { for: id }, label));
  };
  const modeForm = h(
    "form",
    { class: "stack" },
    h("fieldset", null, h("legend", null, t("moderationMode")), radio("POST", t("modePost")), radio("PRE", t("modePre"))),
    submitButton(t("save")),
  );
  modeForm.addEventListener("submit", async (e) => {
    e.preventDefault();
    const mode = (modeForm.querySelector<HTMLInputElement>('input[name="mode"]:checked')?.value ?? "POST") as string;
    try {
      await gql(`mutation($m: ModerationMode!) { setModerationMode(mode: $m) }`, { m: mode });
      status.textContent = t("saved");
    } catch (err) {
      status.replaceChildren(errorText(err));
    }
  });
  const origins = h("textarea", { rows: 4 });
  origins.value = s.allowedOrigins.join("\n");
  const originForm = labelledForm({ class: "stack" }, [[t("allowedOrigins"), origins]], t("save"));
  originForm.addEventListener("submit", async (e) => {
    e.preventDefault();
    try {
      const list = origins.value
        .split("\n")
        .map((o) => o.trim())
        .filter(Boolean);
      const r = await gql<{ setAllowedOrigins: string[] }>(`mutation($o: [String!]!) { setAllowedOrigins(origins: $o) }`, { o: list });
      origins.value = r.setAllowedOrigins.join("\n");
      status.textContent = t("saved");
    } catch (err) {
      status.replaceChildren(errorText(err));
    }
  });
  main.append(
    h("h1", null, t("settings")),
    status,
    modeForm,
    originForm,
    h("h2", null, t("disclosure")),
    h("iframe", { class: "disclosure", title: t("disclosure"), src: `/shops/${encodeURIComponent(session.shop.id)}/disclosure` }),
  );
}
