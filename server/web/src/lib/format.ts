import { lang } from "./i18n";

/** A date-time in the reader's language and time zone, e.g. 2026年11月22日 22:40. */
export function formatTime(iso: string | null | undefined): string {
  if (!iso) return "—";
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return iso;
  return new Intl.DateTimeFormat(lang(), { dateStyle: "long", timeStyle: "short" }).format(date);
}

export function formatDate(iso: string | null | undefined): string {
  if (!iso) return "—";
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return iso;
  return new Intl.DateTimeFormat(lang(), { dateStyle: "long" }).format(date);
}

/** A claim value as printed: lists joined, objects as their fields, nothing as markup. */
export function formatValue(value: unknown): string {
  if (value === null || value === undefined) return "—";
  if (typeof value === "string") return value;
  if (typeof value === "number" || typeof value === "bigint") return value.toLocaleString(lang());
  if (typeof value === "boolean") return lang() === "en" ? (value ? "Yes" : "No") : value ? "是" : "否";
  if (Array.isArray(value)) return value.map(formatValue).join(lang() === "en" ? "; " : "；");
  if (typeof value === "object") {
    return Object.entries(value as Record<string, unknown>)
      .map(([k, v]) => `${k}: ${formatValue(v)}`)
      .join(lang() === "en" ? "; " : "；");
  }
  return String(value);
}
