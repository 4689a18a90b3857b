/**
 * The CLI speaks to clerks: Chinese first, English on request. The language comes from
 * `--lang` (any command), else CERTCHAIN_LANG, else the locale (LC_ALL, LC_MESSAGES, LANG: the
 * first one set wins, as POSIX has it); a locale that names neither (C, POSIX, unset) means
 * Chinese. Messages are `{ "zh-CN", en }` pairs next to the code that prints them.
 */
import { UsageError } from "./output";
import { io, perRun } from "./run-context";

export type Lang = "zh-CN" | "en";
export type Text = { readonly "zh-CN": string; readonly en: string };

/** `zh_CN.UTF-8`, `zh-Hans` → zh-CN; `en_GB.UTF-8`, `en` → en; anything else → undefined. */
export function langOfLocale(value: string | undefined): Lang | undefined {
  if (!value) return undefined;
  const lower = value.trim().toLowerCase();
  if (/^zh([_.@-]|$)/.test(lower)) return "zh-CN";
  if (/^en([_.@-]|$)/.test(lower)) return "en";
  return undefined;
}

export function detectLang(flag: string | undefined, env: NodeJS.ProcessEnv = io().env): Lang {
  if (flag !== undefined) {
    const chosen = langOfLocale(flag);
    if (!chosen) throw new UsageError(`unknown --lang ${JSON.stringify(flag)} (use zh-CN or en) / 不支持的语言 ${JSON.stringify(flag)}（可选 zh-CN 或 en）`);
    return chosen;
  }
  const explicit = langOfLocale(env.CERTCHAIN_LANG);
  if (explicit) return explicit;
  const locale = env.LC_ALL || env.LC_MESSAGES || env.LANG;
  return langOfLocale(locale) ?? "zh-CN";
}

// Per run: a run in process (the tests) speaks its own language and leaves its caller's alone.
const language = perRun((): { current: Lang } => ({ current: "zh-CN" }));

export const lang = (): Lang => language().current;
export const setLang = (next: Lang): void => void (language().current = next);

/** The text in the current language, with `{name}` placeholders filled in. */
export function t(text: Text, params: Record<string, string | number> = {}): string {
  return text[lang()].replace(/\{(\w+)\}/g, (whole, name: string) => (name in params ? String(params[name]) : whole));
}

/** Takes `--lang <x>` or `--lang=x` out of a command line (it applies to every command). */
export function takeLangOption(argv: readonly string[]): { argv: string[]; flag?: string } {
  const rest: string[] = [];
  let flag: string | undefined;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === "--") {
      rest.push(...argv.slice(i));
      break;
    }
    const given = arg === "--lang" ? (argv[++i] ?? "") : arg.startsWith("--lang=") ? arg.slice("--lang=".length) : undefined;
    if (given === undefined) rest.push(arg);
    // Like every single-valued flag (args.ts), --lang once: the last of two must not win silently.
    else if (flag !== undefined) throw new UsageError(`--lang is given 2 times (${JSON.stringify(flag)}, ${JSON.stringify(given)}) but takes one value / --lang 只能给一次`);
    else flag = given;
  }
  return flag === undefined ? { argv: rest } : { argv: rest, flag };
}

/** ": " or "：", as each language punctuates a label. */
export const colon = (): string => (lang() === "en" ? ": " : "：");
