/**
 * Webhooks (issue 15), where the server has them (`webhookEndpoints`):
 * endpoints, their deliveries, redeliver. Without them the page says the
 * feature is not available on this server.
 */
import { gql, serverOperations } from "../api.js";
import { errorText, notAvailable } from "../common.js";
import { field, h, submitButton, table, uid } from "../dom.js";
import { t, when } from "../i18n.js";

interface Endpoint {
  id: string;
  url: string;
  description: string | null;
  events: string[];
  enabled: boolean;
  disabledReason: string | null;
}

interface Attempt {
  id: string;
  deliveryId: string;
  eventType: string;
  at: string;
  attempt: number;
  ok: boolean;
  statusCode: number | null;
  error: string | null;
  manual: boolean;
}

export async function webhooksPage(main: HTMLElement): Promise<void> {
  main.append(h("h1", null, t("webhooks")));
  const ops = await serverOperations();
  if (!ops.has("webhookEndpoints")) {
    main.append(notAvailable(t("webhooksMissing")));
    return;
  }
  const types =
    (
      await gql<{ __type: { enumValues: { name: string; description: string | null }[] } | null }>(
        `{ __type(name: "WebhookEventType") { enumValues { name description } } }`,
      )
    ).__type?.enumValues ?? [];
  const status = h("div", { role: "status", "aria-live": "polite", id: "webhook-status" });
  const list = h("div", { id: "webhook-list" });
  const deliveries = h("div", { id: "webhook-deliveries" });
  const url = h("input", { type: "url", required: true, maxlength: 2000 });
  const description = h("input", { type: "text", maxlength: 200 });
  const boxes = types.map((e) => {
    const id = uid("ev");
    const box = h("input", { type: "checkbox", id, value: e.name });
    return { box, el: h("div", null, box, " ", h("label", { for: id }, e.name.toLowerCase().replace(/_/g, "."))) };
  });
  const form = h(
    "form",
    { class: "stack", id: "create-webhook" },
    field("URL", url),
    field(t("label"), description),
    h(
      "fieldset",
      null,
      h("legend", null, t("webhookEvents")),
      boxes.map((b) => b.el),
    ),
    submitButton(t("createWebhook")),
  );

  const showDeliveries = async (e: Endpoint) => {
    try {
      const d = await gql<{ webhookDeliveries: Attempt[] }>(
        `query($id: ID!) { webhookDeliveries(endpointId: $id, first: 50) { id deliveryId eventType at attempt ok statusCode error manual } }`,
        { id: e.id },
      );
      deliveries.replaceChildren(
        h("h2", null, `${t("deliveries")}: ${e.url}`),
        d.webhookDeliveries.length
          ? table(
              [t("when"), t("event"), t("attempt"), t("result"), t("actions")],
              d.webhookDeliveries.map((a) =>
                h(
                  "tr",
                  null,
                  h("td", null, when(a.at)),
                  h("td", null, a.eventType.toLowerCase().replace(/_/g, ".")),
                  h("td", null, `${a.attempt}${a.manual ? " (manual)" : ""}`),
                  h("td", { class: a.ok ? "ok" : "error" }, a.ok ? `${a.statusCode ?? ""} OK` : `${a.statusCode ?? ""} ${a.error ?? ""}`),
                  h(
                    "td",
                    null,
                    h(
                      "button",
                      { type: "button", "aria-label": `${t("redeliver")} ${a.deliveryId}`, onclick: () => void redeliver(a, e) },
                      t("redeliver"),
                    ),
                  ),
                ),
              ),
            )
          : h("p", null, t("noDeliveries")),
      );
    } catch (err) {
      deliveries.replaceChildren(errorText(err));
    }
  };
  const redeliver = async (a: Attempt, e: Endpoint) => {
    try {
      await gql(`mutation($id: ID!) { redeliverWebhook(deliveryId: $id) }`, { id: a.deliveryId });
      status.replaceChildren(h("p", { class: "ok" }, t("done", { n: 1 })));
      await showDeliveries(e);
    } catch (err) {
      status.replaceChildren(errorText(err));
    }
  };
  const load = async () => {
    const d = await gql<{ webhookEndpoints: Endpoint[] }>(`{ webhookEndpoints { id url description events enabled disabledReason } }`);
    list.replaceChildren(
      table(
        ["URL", t("label"), t("webhookEvents"), t("state"), t("actions")],
        d.webhookEndpoints.map((e) =>
          h(
            "tr",
            null,
            h("td", null, e.url),
            h("td", null, e.description ?? ""),
            h("td", null, e.events.map((x) => x.toLowerCase().replace(/_/g, ".")).join(", ")),
            h("td", null, e.enabled ? t("active") : `${t("disabled")}${e.disabledReason ? `: ${e.disabledReason}` : ""}`),
            h(
              "td",
              null,
              h(
                "button",
                { type: "button", "aria-label": `${t("deliveries")} ${e.url}`, onclick: () => void showDeliveries(e) },
                t("deliveries"),
              ),
            ),
          ),
        ),
      ),
    );
  };
  form.addEventListener("submit", async (ev) => {
    ev.preventDefault();
    try {
      const d = await gql<{ createWebhookEndpoint: { secret: string } }>(
        `mutation($i: CreateWebhookEndpointInput!) { createWebhookEndpoint(input: $i) { secret } }`,
        {
          i: {
            url: url.value.trim(),
            description: description.value.trim() || null,
            events: boxes.filter((b) => b.box.checked).map((b) => b.box.value),
          },
        },
      );
      // Shown once, from this page's memory only.
      status.replaceChildren(h("p", null, t("webhookSecret")), h("code", { class: "key" }, d.createWebhookEndpoint.secret));
      await load();
    } catch (err) {
      status.replaceChildren(errorText(err));
    }
  });
  main.append(form, status, list, deliveries);
  await load();
}
