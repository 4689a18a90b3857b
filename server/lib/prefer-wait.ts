/** The longest `Prefer: wait` the API honours, in seconds. */
export const MAX_PREFER_WAIT_SECONDS = 60;

/**
 * The `wait` preference of RFC 7240 (`Prefer: wait=10`, possibly beside others:
 * `Prefer: respond-async, wait=5`), in seconds, capped at 60; undefined when absent or not a
 * delta-seconds. Preference names are case-insensitive, values may be quoted, parameters after
 * `;` are ignored, the first `wait` wins, and anything unrecognised is ignored (as the RFC asks).
 */
export function preferredWaitSeconds(header: string | string[] | undefined): number | undefined {
  if (header === undefined) return undefined;
  const text = Array.isArray(header) ? header.join(",") : header;
  if (text.length > 4096) return undefined;
  for (const preference of text.split(",")) {
    const [token] = preference.split(";");
    const match = /^\s*wait\s*=\s*(?:"(\d{1,9})"|(\d{1,9}))\s*$/i.exec(token);
    if (!match) continue;
    return Math.min(Number(match[1] ?? match[2]), MAX_PREFER_WAIT_SECONDS);
  }
  return undefined;
}
