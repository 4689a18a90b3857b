/**
 * An RFC 4180 CSV reader, our own: no CSV package is among the dependencies, adding one is not
 * ours to decide, and the format needs ~60 lines. Beyond the RFC it accepts what spreadsheet
 * exports produce: LF or CRLF line ends, a UTF-8 byte-order mark (Excel and WPS write one for
 * Chinese text), and a missing final line end. It refuses what would silently shift columns:
 * a quote inside an unquoted field, text after a closing quote, an unterminated quote.
 */

export interface CsvRecord {
  /** 1-based record number, header included: the row number a spreadsheet shows. */
  row: number;
  /** 1-based line of the file where the record starts (differs when quoted fields hold line breaks). */
  line: number;
  fields: string[];
}

export class CsvError extends Error {
  constructor(
    message: string,
    readonly line: number,
  ) {
    super(`line ${line}: ${message}`);
    this.name = "CsvError";
  }
}

export function parseCsv(text: string): CsvRecord[] {
  const records: CsvRecord[] = [];
  let i = text.charCodeAt(0) === 0xfeff ? 1 : 0;
  let line = 1;
  let fields: string[] = [];
  let recordLine = 1;
  const n = text.length;

  let row = 0;
  const endRecord = () => {
    // A blank line is no record (spreadsheets leave them at the end) but still a row number;
    // a lone "" is a record of one empty field.
    row++;
    if (!(fields.length === 1 && fields[0] === "" && !lastWasQuoted)) records.push({ row, line: recordLine, fields });
    fields = [];
  };
  let lastWasQuoted = false;

  while (i < n) {
    recordLine = fields.length === 0 ? line : recordLine;
    let value = "";
    lastWasQuoted = false;
    if (text[i] === '"') {
      lastWasQuoted = true;
      const startLine = line;
      i++;
      for (;;) {
        if (i >= n) throw new CsvError("unterminated quoted field", startLine);
        const c = text[i];
        if (c === '"') {
          if (text[i + 1] === '"') {
            value += '"';
            i += 2;
            continue;
          }
          i++;
          break;
        }
        if (c === "\n") line++;
        value += c;
        i++;
      }
      if (i < n && text[i] !== "," && text[i] !== "\n" && text[i] !== "\r") throw new CsvError("text after a closing quote", line);
    } else {
      const start = i;
      while (i < n && text[i] !== "," && text[i] !== "\n" && text[i] !== "\r") {
        if (text[i] === '"') throw new CsvError('a quote inside an unquoted field (quote the whole field and double the quote: "a ""b"" c")', line);
        i++;
      }
      value = text.slice(start, i);
    }
    fields.push(value);
    if (i >= n) break;
    if (text[i] === ",") {
      i++;
      if (i >= n) fields.push("");
      continue;
    }
    // Line end: CRLF, LF or a lone CR.
    if (text[i] === "\r" && text[i + 1] === "\n") i++;
    i++;
    line++;
    endRecord();
  }
  if (fields.length > 0) endRecord();
  return records;
}

/** Quotes a field when it needs it (for the error report). */
export const csvField = (value: string): string => (/[",\r\n]/.test(value) || /^\s|\s$/.test(value) ? `"${value.replace(/"/g, '""')}"` : value);

export const csvLine = (fields: readonly (string | number)[]): string => fields.map((f) => csvField(String(f))).join(",");
