// Tiny DOM helpers. Text always goes in through textContent: certificate values are data, never markup.

type Child = Node | string | null | undefined | false;
type Attrs = Record<string, string | boolean | number | null | undefined | ((event: Event) => void)>;

/** `h("p", { class: "x" }, "text", child)`: attributes, `on<event>` listeners and children. */
export function h<K extends keyof HTMLElementTagNameMap>(tag: K, attrs: Attrs = {}, ...children: (Child | Child[])[]): HTMLElementTagNameMap[K] {
  const element = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs)) {
    if (value === null || value === undefined || value === false) continue;
    if (typeof value === "function") element.addEventListener(name.slice(2).toLowerCase(), value);
    else if (value === true) element.setAttribute(name, "");
    else element.setAttribute(name, String(value));
  }
  for (const child of children.flat()) {
    if (child === null || child === undefined || child === false) continue;
    element.append(typeof child === "string" ? document.createTextNode(child) : child);
  }
  return element;
}

export function byId<T extends HTMLElement = HTMLElement>(id: string): T {
  const element = document.getElementById(id);
  if (!element) throw new Error(`missing #${id}`);
  return element as T;
}

export function show(element: HTMLElement, visible = true) {
  element.hidden = !visible;
}

/** Replaces an element's children. */
export function fill(element: HTMLElement, ...children: (Child | Child[])[]) {
  element.replaceChildren();
  for (const child of children.flat()) if (child) element.append(typeof child === "string" ? document.createTextNode(child) : child);
}
