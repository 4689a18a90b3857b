import { lang } from "./i18n";

// Times and dates: display/time.ts (the same words as the CLI and the printout).

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
