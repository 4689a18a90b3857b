/**
 * What the CLI prints and how it fails. Results go to stdout (a table, or JSON with --json);
 * progress and errors to stderr, errors as one line each. Exit codes: 0 success, 1 the operation
 * failed (an invalid certificate, an API refusal, rows that could not be issued), 2 a usage
 * mistake (bad option, missing file, no API URL).
 */
import { io } from "./run-context";

export const EXIT = { OK: 0, FAILED: 1, USAGE: 2, INTERNAL: 70 } as const;

/** A mistake of the person typing the command: one line, exit 2, never a stack trace. */
export class UsageError extends Error {
  readonly exitCode: number = EXIT.USAGE;
  constructor(message: string) {
    super(message);
    this.name = "UsageError";
  }
}

/** A failure already explained on stderr (or a failure with its own one-line message). */
export class CommandFailed extends Error {
  constructor(
    message: string,
    readonly exitCode: number = EXIT.FAILED,
  ) {
    super(message);
    this.name = "CommandFailed";
  }
}

/**
 * Text from elsewhere (labels of a type anyone registered, claims, the service's messages) may
 * hold terminal control sequences: an ESC can set the window title or clear the screen. Every
 * line printed goes through here: C0 and C1 control characters other than newline and tab are
 * dropped (the printable rest of a sequence stays visible, harmlessly). JSON output escapes them
 * itself.
 */
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/g;
export const printable = (text: string): string => text.replace(CONTROL, "");

export const out = (line = ""): void => void io().stdout.write(`${printable(String(line))}\n`);
export const err = (line: string): void => void io().stderr.write(`${printable(String(line))}\n`);
export const printJson = (value: unknown): void => out(JSON.stringify(value, null, 2));

// East Asian wide and fullwidth characters take two terminal columns: without this, tables of
// Chinese agency names and claim values do not line up.
const WIDE: readonly [number, number][] = [
  [0x1100, 0x115f], [0x2e80, 0x303e], [0x3041, 0x33ff], [0x3400, 0x4dbf], [0x4e00, 0x9fff], [0xa000, 0xa4cf],
  [0xac00, 0xd7a3], [0xf900, 0xfaff], [0xfe30, 0xfe4f], [0xff00, 0xff60], [0xffe0, 0xffe6], [0x1f300, 0x1f64f],
  [0x20000, 0x3fffd],
];

export function displayWidth(text: string): number {
  let width = 0;
  for (const char of text) {
    const code = char.codePointAt(0)!;
    if (code < 0x20 || (code >= 0x7f && code < 0xa0) || (code >= 0x300 && code <= 0x36f)) continue;
    width += WIDE.some(([from, to]) => code >= from && code <= to) ? 2 : 1;
  }
  return width;
}

export function truncate(text: string, max: number): string {
  if (displayWidth(text) <= max) return text;
  let result = "";
  for (const char of text) {
    if (displayWidth(result + char) > max - 1) break;
    result += char;
  }
  return `${result}…`;
}

const pad = (text: string, width: number) => text + " ".repeat(Math.max(0, width - displayWidth(text)));

/** A plain-text table; the last column is not padded (long reasons may wrap). */
export function renderTable(headers: readonly string[], rows: readonly (readonly string[])[]): string {
  const widths = headers.map((h, i) => Math.max(displayWidth(h), ...rows.map((r) => displayWidth(r[i] ?? ""))));
  const line = (cells: readonly string[]) =>
    cells
      .map((cell, i) => (i === cells.length - 1 ? cell : pad(cell, widths[i])))
      .join("  ")
      .trimEnd();
  return [line(headers), line(widths.map((w) => "-".repeat(w))), ...rows.map(line)].join("\n");
}

/** The one line printed for an error that escaped a command. */
export function describeError(error: unknown): { line: string; exitCode: number } {
  if (error instanceof UsageError || error instanceof CommandFailed) return { line: error.message, exitCode: error.exitCode };
  const named = error as { name?: string; code?: string; message?: string; status?: number };
  if (named?.name === "ApiError") return { line: named.message ?? "API error", exitCode: EXIT.FAILED };
  if (named?.code === "ENOENT" || named?.code === "EACCES" || named?.code === "EISDIR") return { line: named.message ?? String(error), exitCode: EXIT.USAGE };
  const message = error instanceof Error ? error.message : String(error);
  return { line: `internal error: ${message}${io().env.CERTCHAIN_DEBUG ? `\n${(error as Error)?.stack ?? ""}` : " (set CERTCHAIN_DEBUG=1 for details)"}`, exitCode: EXIT.INTERNAL };
}
