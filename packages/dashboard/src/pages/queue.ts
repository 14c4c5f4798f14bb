/**
 * The shop-wide moderation queue: pending and quarantined reviews with the
 * fraud checks' reasons; publish, reject for a listed reason, reinstate,
 * reply; several at once; and by keyboard alone (roving focus over the cards).
 */
import { gql } from "../api.js";
import { REVIEW_FIELDS, errorText, reviewCard, type ReviewData } from "../common.js";
import { h, uid } from "../dom.js";
import { t } from "../i18n.js";

const BATCH = 15; // the API's alias limit per request

type Action = { kind: "publish" } | { kind: "reject"; reason: string } | { kind: "reinstate" };

function mutationFor(reviews: ReviewData[], action: Action, note: string): { query: string; variables: Record<string, unknown> } {
  const vars: Record<string, unknown> = { note };
  const fields = reviews.map((r, i) => {
    vars[`r${i}`] = r.id;
    // A quarantined review is published by reinstating it (the API's transitions).
    const publish = action.kind === "publish" && r.status === "PENDING";
    if (action.kind === "reinstate" || (action.kind === "publish" && !publish))
      return `a${i}: reinstateReview(reviewId: $r${i}, note: $note) { id status }`;
    if (publish) return `a${i}: moderateReview(input: { reviewId: $r${i}, action: PUBLISH }) { id status }`;
    return `a${i}: moderateReview(input: { reviewId: $r${i}, action: REJECT, reason: ${(action as { reason: string }).reason}, note: $note }) { id status }`;
  });
  const usesNote = fields.some((f) => f.includes("$note"));
  if (!usesNote) delete vars.note;
  const decl = [...(usesNote ? ["$note: String!"] : []), ...reviews.map((_, i) => `$r${i}: ID!`)].join(", ");
  return { query: `mutation(${decl}) { ${fields.join(" ")} }`, variables: vars };
}

export async function queuePage(main: HTMLElement): Promise<void> {
  const reasons = (
    await gql<{ __type: { enumValues: { name: string; description: string }[] } }>(
      `{ __type(name: "RejectionReason") { enumValues { name description } } }`,
    )
  ).__type.enumValues;
  const status = h("p", { class: "status", role: "status", "aria-live": "polite" });
  const reasonId = uid("reason");
  const noteId = uid("note");
  const reasonSelect = h(
    "select",
    { id: reasonId },
    reasons.map((r) => h("option", { value: r.name }, `${r.name}: ${r.description}`)),
  );
  const noteInput = h("input", { id: noteId, type: "text", maxlength: 1000, value: "" });
  const selectAll = h("input", { type: "checkbox", id: uid("all") });
  const list = h("ul", { class: "queue", "aria-label": t("queue") });
  list.style.listStyle = "none";
  list.style.padding = "0";
  let reviews: ReviewData[] = [];
  const selected = new Set<string>();
  let active = 0;

  const run = async (targets: ReviewData[], action: Action) => {
    if (!targets.length) return;
    status.textContent = t("loading");
    try {
      let n = 0;
      for (let i = 0; i < targets.length; i += BATCH) {
        const { query, variables } = mutationFor(
          targets.slice(i, i + BATCH),
          action,
          noteInput.value.trim() || "from the dashboard's moderation queue",
        );
        const d = await gql<Record<string, unknown>>(query, variables);
        n += Object.keys(d).length;
      }
      for (const r of targets) selected.delete(r.id);
      await load();
      status.textContent = t("done", { n });
    } catch (err) {
      status.textContent = t("failed", { msg: err instanceof Error ? err.message : String(err) });
    }
  };

  const reply = async (r: ReviewData, body: string) => {
    try {
      await gql(`mutation($id: ID!, $b: String!) { replyToReview(reviewId: $id, body: $b) { id } }`, { id: r.id, b: body });
      await load();
      status.textContent = t("done", { n: 1 });
    } catch (err) {
      status.textContent = t("failed", { msg: err instanceof Error ? err.message : String(err) });
    }
  };

  const cards = () => [...list.querySelectorAll<HTMLElement>("article.review")];
  const focusCard = (i: number) => {
    const all = cards();
    if (!all.length) return;
    active = Math.max(0, Math.min(all.length - 1, i));
    all.forEach((c, j) => {
      c.tabIndex = j === active ? 0 : -1;
    });
    all[active]!.focus();
  };

  const render = () => {
    list.replaceChildren();
    if (!reviews.length) list.append(h("li", null, t("queueEmpty")));
    reviews.forEach((r, i) => {
      const box = h("input", { type: "checkbox", id: `sel-${r.id}`, "aria-label": t("select", { id: r.id }) });
      box.checked = selected.has(r.id);
      box.addEventListener("change", () => {
        if (box.checked) selected.add(r.id);
        else selected.delete(r.id);
        card.dataset.selected = String(box.checked);
      });
      const replyArea = h("textarea", { rows: 2, maxlength: 5000, "aria-label": `${t("reply")}: ${r.title}` });
      const replyForm = h("form", { class: "inline", hidden: true }, replyArea, h("button", { type: "submit" }, t("send")));
      replyForm.addEventListener("submit", (e) => {
        e.preventDefault();
        if (replyArea.value.trim()) void reply(r, replyArea.value.trim());
      });
      const actions = h(
        "div",
        { class: "actions" },
        box,
        r.status === "PENDING"
          ? h(
              "button",
              { type: "button", class: "primary", "data-action": "publish", onclick: () => void run([r], { kind: "publish" }) },
              t("publish"),
            )
          : null,
        r.status !== "PENDING"
          ? h(
              "button",
              { type: "button", class: "primary", "data-action": "reinstate", onclick: () => void run([r], { kind: "reinstate" }) },
              `${t("publish")} (${t("reinstate")})`,
            )
          : null,
        h(
          "button",
          { type: "button", "data-action": "reject", onclick: () => void run([r], { kind: "reject", reason: reasonSelect.value }) },
          t("reject"),
        ),
        h(
          "button",
          {
            type: "button",
            "data-action": "reply",
            onclick: () => {
              replyForm.hidden = !replyForm.hidden;
              if (!replyForm.hidden) replyArea.focus();
            },
          },
          t("reply"),
        ),
      );
      const card = reviewCard(r, [actions, replyForm], { tabindex: i === active ? 0 : -1, "data-selected": String(selected.has(r.id)) });
      card.addEventListener("focus", () => (active = i));
      list.append(h("li", null, card));
    });
  };

  const load = async () => {
    const d = await gql<{ reviewQueue: { reviews: ReviewData[] } }>(`{ reviewQueue(first: 100) { reviews { ${REVIEW_FIELDS} } } }`);
    reviews = d.reviewQueue.reviews;
    active = Math.min(active, Math.max(0, reviews.length - 1));
    render();
  };

  const chosen = () => reviews.filter((r) => selected.has(r.id));
  selectAll.addEventListener("change", () => {
    for (const r of reviews) selectAll.checked ? selected.add(r.id) : selected.delete(r.id);
    render();
  });

  // Keyboard shortcuts while the focus is on a card (not while typing in a field).
  list.addEventListener("keydown", (e) => {
    const target = e.target as HTMLElement;
    if (!target.matches("article.review") || e.ctrlKey || e.metaKey || e.altKey) return;
    const r = reviews[active];
    const key = e.key;
    if (key === "j" || key === "ArrowDown") focusCard(active + 1);
    else if (key === "k" || key === "ArrowUp") focusCard(active - 1);
    else if (key === "x" && r) {
      const box = target.querySelector<HTMLInputElement>('input[type="checkbox"]')!;
      box.click();
    } else if (key === "A" && e.shiftKey) {
      selectAll.click();
    } else if (key === "p" && r) void run(chosen().length ? chosen() : [r], { kind: "publish" });
    else if (key === "i" && r) void run(chosen().length ? chosen() : [r], { kind: "reinstate" });
    else if (key === "r" && r) void run(chosen().length ? chosen() : [r], { kind: "reject", reason: reasonSelect.value });
    else if (key === "e" && r) target.querySelector<HTMLButtonElement>('[data-action="reply"]')!.click();
    else return;
    e.preventDefault();
  });

  main.append(
    h("h1", null, t("queue")),
    h("p", { id: "queue-help" }, t("queueHelp")),
    h(
      "div",
      { class: "toolbar" },
      h("label", null, selectAll, " ", t("selectAll")),
      h("label", { for: reasonId }, t("reason")),
      reasonSelect,
      h("label", { for: noteId }, t("note")),
      noteInput,
      h("button", { type: "button", id: "publish-selected", onclick: () => void run(chosen(), { kind: "publish" }) }, t("publishSelected")),
      h(
        "button",
        { type: "button", id: "reject-selected", onclick: () => void run(chosen(), { kind: "reject", reason: reasonSelect.value }) },
        t("rejectSelected"),
      ),
      h(
        "button",
        { type: "button", id: "reinstate-selected", onclick: () => void run(chosen(), { kind: "reinstate" }) },
        t("reinstateSelected"),
      ),
    ),
    status,
    list,
  );
  try {
    await load();
    focusCard(0);
  } catch (err) {
    main.append(errorText(err));
  }
}
