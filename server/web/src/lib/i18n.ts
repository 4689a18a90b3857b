// The browser's language first (navigator.languages), Chinese when it names neither; a choice
// made with the switch overrides it and is kept per browser.

export type Lang = "zh-CN" | "en";
export type Text = { "zh-CN": string; en: string };

const STORAGE_KEY = "certchain.lang";
const listeners: ((lang: Lang) => void)[] = [];

/** The first of the browser's languages this page speaks: zh-* → zh-CN, en-* → en. */
export function langOfBrowser(languages: readonly string[]): Lang | undefined {
  for (const tag of languages) {
    const lower = tag.toLowerCase();
    if (lower === "zh" || lower.startsWith("zh-")) return "zh-CN";
    if (lower === "en" || lower.startsWith("en-")) return "en";
  }
  return undefined;
}

function initialLang(): Lang {
  const asked = new URLSearchParams(location.search).get("lang");
  if (asked === "en" || asked === "zh-CN") return asked;
  try {
    const chosen = localStorage.getItem(STORAGE_KEY);
    if (chosen === "en" || chosen === "zh-CN") return chosen;
  } catch {
    // storage disabled: the browser's language decides
  }
  const languages = navigator.languages?.length ? navigator.languages : [navigator.language ?? ""];
  return langOfBrowser(languages) ?? "zh-CN";
}

let current: Lang = initialLang();

export const lang = (): Lang => current;
export const tr = (text: Text): string => text[current];

export function setLang(next: Lang) {
  current = next;
  try {
    localStorage.setItem(STORAGE_KEY, next);
  } catch {
    // private mode: the choice lasts for this page only
  }
  applyStatic();
  for (const listener of listeners) listener(next);
}

export const onLangChange = (listener: (lang: Lang) => void) => listeners.push(listener);

/** Static texts of the page: elements carry `data-zh` (their markup text) and `data-en`. */
const statics = new Map<HTMLElement, Text>();

function applyStatic() {
  document.documentElement.lang = current;
  if (statics.size === 0) {
    document.querySelectorAll<HTMLElement>("[data-en]").forEach((el) => {
      statics.set(el, { "zh-CN": el.dataset.zh ?? el.textContent ?? "", en: el.dataset.en ?? "" });
    });
  }
  for (const [el, text] of statics) el.textContent = text[current];
  const title = document.querySelector<HTMLMetaElement>('meta[name="title-en"]');
  if (title) {
    title.dataset.zh ??= document.title;
    document.title = current === "en" ? title.content : title.dataset.zh!;
  }
  const toggle = document.getElementById("lang-toggle");
  if (toggle) {
    // The button names the language it switches to, in that language.
    toggle.textContent = current === "en" ? "中文" : "English";
    toggle.setAttribute("lang", current === "en" ? "zh-CN" : "en");
    toggle.setAttribute("aria-label", current === "en" ? "切换到中文" : "Switch to English");
  }
}

/** Wires the language button and applies the initial language. */
export function initLang() {
  applyStatic();
  document.getElementById("lang-toggle")?.addEventListener("click", () => setLang(current === "en" ? "zh-CN" : "en"));
}
