// One way to write a time, wherever a person reads it: the CLI's table, the wallet, the share and
// verify pages and the printout all show "2026-12-03 14:52:26 (UTC+8)" for the same instant, in
// the same zone (China's by default), its offset always written. JSON keeps ISO 8601 in UTC.

/** The zone times are shown in: China Standard Time (UTC+8), where the certificates are issued. */
export const DISPLAY_TIME_ZONE = "Asia/Shanghai";

const parts = (date: Date, timeZone: string): Record<string, string> =>
  Object.fromEntries(
    new Intl.DateTimeFormat("en-CA", {
      timeZone,
      year: "numeric",
      month: "2-digit",
      day: "2-digit",
      hour: "2-digit",
      minute: "2-digit",
      second: "2-digit",
      hourCycle: "h23",
      timeZoneName: "shortOffset",
    })
      .formatToParts(date)
      .map((p) => [p.type, p.value]),
  );

/** "GMT+8" → "UTC+8", "GMT+5:30" → "UTC+5:30", "GMT" or "GMT+0" → "UTC". */
const offsetOf = (zoneName: string | undefined): string => (zoneName ?? "GMT").replace(/^GMT([+-]0)?$/, "GMT").replace(/^GMT/, "UTC");

const dateOf = (iso: string | null | undefined): Date | undefined => {
  if (!iso) return undefined;
  const date = new Date(iso);
  return Number.isNaN(date.getTime()) ? undefined : date;
};

/**
 * An instant as people read it: "2026-12-03 14:52:26 (UTC+8)" (year-month-day, 24-hour clock,
 * the zone's offset). "—" for none; text that is no time is shown as it is.
 */
export function formatTime(iso: string | null | undefined, timeZone: string = DISPLAY_TIME_ZONE): string {
  const date = dateOf(iso);
  if (!date) return iso ? iso : "—";
  const p = parts(date, timeZone);
  return `${p.year}-${p.month}-${p.day} ${p.hour}:${p.minute}:${p.second} (${offsetOf(p.timeZoneName)})`;
}

/** The day of an instant in the same zone: "2026-12-03" (validity dates). */
export function formatDate(iso: string | null | undefined, timeZone: string = DISPLAY_TIME_ZONE): string {
  const date = dateOf(iso);
  if (!date) return iso ? iso : "—";
  const p = parts(date, timeZone);
  return `${p.year}-${p.month}-${p.day}`;
}
