/** Elements from data: text is always set as text (review text is whatever a customer wrote), never as HTML. */
type Child = Node | string | number | null | undefined | false;
type Attrs = Record<string, string | number | boolean | null | undefined | EventListener>;

export function h<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  attrs: Attrs | null = null,
  ...children: (Child | Child[])[]
): HTMLElementTagNameMap[K] {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs ?? {})) {
    if (v === null || v === undefined || v === false) continue;
    if (typeof v === "function") el.addEventListener(k.replace(/^on/, ""), v);
    else if (v === true) el.setAttribute(k, "");
    else el.setAttribute(k, String(v));
  }
  for (const c of children.flat()) {
    if (c === null || c === undefined || c === false) continue;
    el.append(typeof c === "object" ? c : String(c));
  }
  return el;
}

/** A <select> of [value, label] options, each with a tooltip where a title is given. */
export function select(
  attrs: Attrs | null,
  options: readonly (readonly [value: string | number, label: string, title?: string])[],
): HTMLSelectElement {
  return h(
    "select",
    attrs,
    options.map(([value, label, title]) => h("option", { value, title }, label)),
  );
}

export function clear(el: Element, ...children: (Child | Child[])[]): void {
  el.replaceChildren();
  for (const c of children.flat()) if (c !== null && c !== undefined && c !== false) el.append(typeof c === "object" ? c : String(c));
}

let ids = 0;
export const uid = (p: string) => `${p}-${++ids}`;

/** A form control inside its label (tied by a fresh id, so a click on the words focuses the control). */
export function field(label: string, control: HTMLElement): HTMLElement {
  control.id = uid("f");
  return h("label", { for: control.id }, label, control);
}

/** A form's primary button, the one that submits it. */
export function submitButton(label: string): HTMLButtonElement {
  return h("button", { type: "submit", class: "primary" }, label);
}

/** A form of labelled controls (`[label, control]`, each put in its label by `field`) ending in `submit`, its button or that button's label. */
export function labelledForm(
  attrs: Attrs,
  fields: readonly (readonly [label: string, control: HTMLElement])[],
  submit: HTMLButtonElement | string,
): HTMLFormElement {
  return h(
    "form",
    attrs,
    fields.map(([label, control]) => field(label, control)),
    typeof submit === "string" ? submitButton(submit) : submit,
  );
}

/** A table with one header row (`headers`, each a column's `<th scope="col">`) over `rows`, the body's `<tr>`s. */
export function table(headers: Child[], rows: Node[], attrs: Attrs | null = null): HTMLTableElement {
  return h(
    "table",
    attrs,
    h(
      "thead",
      null,
      h(
        "tr",
        null,
        headers.map((c) => h("th", { scope: "col" }, c)),
      ),
    ),
    h("tbody", null, rows),
  );
}
