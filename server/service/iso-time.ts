import { apiError } from "../errors";

/** An optional ISO 8601 date-time field of a request, in seconds since the epoch. */
export function parseTime(value: unknown, field: string): number | undefined {
  if (value === undefined) return undefined;
  const ms = typeof value === "string" ? Date.parse(value) : NaN;
  if (!Number.isFinite(ms)) throw apiError("VALIDITY_INVALID", `${field} must be an ISO 8601 date-time`, [{ path: `/${field}`, message: "not a date-time" }]);
  return Math.floor(ms / 1000);
}
