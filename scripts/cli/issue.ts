import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";
import { SingleBar } from "cli-progress";
import { findTypeById, validateClaims, type CertificateType, type Envelope } from "@certchain/sdk";
import { CONNECTION_HELP, CONNECTION_OPTIONS, intOption, parse } from "./args";
import { waitUntilAnchored, type CertificateView } from "./certificates";
import { createRowMapper } from "./claims-from-csv";
import type { Command } from "./command";
import { connect } from "./connection";
import { CsvError, csvLine, parseCsv } from "./csv";
import { canonicalJson, readJson, requireFile, sha256Hex, writeFileAtomic } from "./files";
import { ApiError, apiErrorLine, type ApiClient } from "./http-client";
import { serviceType } from "./service-types";
import { EXIT, UsageError, err, out, printJson } from "./output";

export const STATE_FILE = ".certchain-issue.json";
export const ERRORS_FILE = "errors.csv";
/**
 * Rows per API call. Fixed, not an option: the Idempotency-Key of a batch names its rows, so a
 * rerun must cut the same batches whatever flags it is given, or a lost state file plus a
 * different batch size would issue twice.
 */
export const ROWS_PER_REQUEST = 500;

const HELP = `Usage: certchain issue --type <type> --csv <file> [--out <dir>] [options]

Issues one certificate per CSV row. The header row names the claims of the type; nested claims
take dotted headers (spouses.0.name, spouses.1.id_number); lists are JSON (["a","b"]) or
separated by ";"; optional columns validFrom / validUntil (ISO 8601 date-time).

Every row is first checked against the type's schema here; bad rows are listed by row number
(as a spreadsheet numbers them: the header is row 1) in <out>/errors.csv and never sent, the
good rows are issued in batches. Envelopes are written to <out>/<row>-<id>.json.

Resumable: <out>/${STATE_FILE} records every issued row, and each batch carries an
Idempotency-Key derived from the CSV's hash and the batch, so rerunning the same command after
an interruption issues nothing twice. Rerun the unchanged file before editing it.

Options:
  --type <type>        certificate type id, as GET /v1/types lists them (types added through the
                       API included: the rows are checked against the type's metadata)
  --csv <file>         the rows (UTF-8, RFC 4180; a byte-order mark is fine)
  --out <dir>          where envelopes, state and errors go [<csv name>-certificates/ beside the CSV]
  --wait               wait until every certificate is anchored and write the anchored envelopes
  --timeout <seconds>  longest wait for anchoring with --wait [300]
  --dry-run            check the rows only; send nothing
  --json               print the summary as JSON

${CONNECTION_HELP}

Exit status: 0 every row issued (or issued before), 1 some rows failed, 2 usage error.`;

interface GoodRow {
  row: number;
  /** Content hash of the issue request and its occurrence in the file: names the row across reruns. */
  key: string;
  request: { type: string; claims: Record<string, unknown>; validFrom?: string; validUntil?: string };
}

interface RowError {
  row: number;
  code: string;
  field: string;
  message: string;
}

interface StateRow {
  row: number;
  id: string;
  status: CertificateView["status"];
  file: string;
}

interface State {
  version: 1;
  type: string;
  csvSha256: string;
  rows: Record<string, StateRow>;
  /**
   * Batches the service refused rows of, by key: their next attempt gets a new key, or the
   * service would replay the refusal (e.g. a transient CHAIN_UNAVAILABLE) forever.
   */
  retries?: Record<string, number>;
}

const ISO_DATE_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})$/;

function loadState(dir: string, type: CertificateType, csvSha256: string): State {
  const file = path.join(dir, STATE_FILE);
  if (!existsSync(file)) return { version: 1, type: type.id, csvSha256, rows: {} };
  const state = readJson(file, "state file") as State;
  if (state?.version !== 1 || typeof state.rows !== "object") throw new UsageError(`${file} is not a state file of this CLI; remove it or choose another --out`);
  if (state.type !== type.id) throw new UsageError(`${dir} holds a run of ${state.type}, not ${type.id}; choose another --out`);
  return state;
}

/** Checks every row locally; nothing is sent for a row that fails here. */
function checkRows(type: CertificateType, csvText: string): { good: GoodRow[]; errors: RowError[]; total: number } {
  let records;
  try {
    records = parseCsv(csvText);
  } catch (error) {
    if (error instanceof CsvError) throw new UsageError(`the CSV is malformed at ${error.message}`);
    throw error;
  }
  if (records.length < 2) throw new UsageError("the CSV has no data rows (the first row must be the header)");
  const [header, ...rows] = records;
  const mapper = createRowMapper(type, header.fields);
  const good: GoodRow[] = [];
  const errors: RowError[] = [];
  const occurrences = new Map<string, number>();
  for (const record of rows) {
    if (record.fields.length !== header.fields.length) {
      errors.push({ row: record.row, code: "CSV_FIELD_COUNT", field: "", message: `has ${record.fields.length} fields, the header has ${header.fields.length}` });
      continue;
    }
    const { claims, validFrom, validUntil } = mapper.toRequest(record.fields);
    const rowErrors: RowError[] = [];
    const outcome = validateClaims(type, claims);
    if (!outcome.ok) {
      for (const e of outcome.errors) rowErrors.push({ row: record.row, code: "CLAIMS_INVALID", field: e.path.slice(1).replace(/\//g, "."), message: e.message.startsWith("must have required property") ? "is required (the column is missing or the cell empty)" : e.message });
    }
    for (const [name, value] of [["validFrom", validFrom], ["validUntil", validUntil]] as const) {
      if (value !== undefined && (!ISO_DATE_TIME.test(value) || Number.isNaN(Date.parse(value)))) {
        rowErrors.push({ row: record.row, code: "VALIDITY_INVALID", field: name, message: "must be an ISO 8601 date-time with an offset, e.g. 2030-12-31T23:59:59+08:00" });
      }
    }
    if (validFrom && validUntil && Date.parse(validFrom) >= Date.parse(validUntil)) {
      rowErrors.push({ row: record.row, code: "VALIDITY_INVALID", field: "validUntil", message: "must be after validFrom" });
    }
    if (rowErrors.length > 0) {
      errors.push(...rowErrors);
      continue;
    }
    const request: GoodRow["request"] = { type: type.id, claims, ...(validFrom ? { validFrom } : {}), ...(validUntil ? { validUntil } : {}) };
    const content = sha256Hex(canonicalJson(request));
    const seen = occurrences.get(content) ?? 0;
    occurrences.set(content, seen + 1);
    good.push({ row: record.row, key: `${content}#${seen}`, request });
  }
  return { good, errors, total: rows.length };
}

function writeEnvelope(dir: string, row: number, id: string, envelope: Envelope): string {
  const name = `${row}-${id}.json`;
  writeFileAtomic(path.join(dir, name), `${JSON.stringify(envelope, null, 2)}\n`);
  return name;
}

interface BatchResult {
  index: number;
  ok: boolean;
  id?: string;
  status?: CertificateView["status"];
  envelope?: Envelope;
  error?: { code: string; message: string; details?: unknown };
}

function errorsOfRefusal(row: number, error: { code: string; message: string; details?: unknown }): RowError[] {
  const details = Array.isArray(error.details) ? (error.details as { path?: string; message?: string }[]) : [];
  if (details.length === 0) return [{ row, code: error.code, field: "", message: error.message }];
  return details.map((d) => ({ row, code: error.code, field: String(d.path ?? "").replace(/^(body\/items\/\d+\/)?(claims\/)?/, "").replace(/\//g, "."), message: String(d.message ?? error.message) }));
}

/**
 * The type the rows must fit, from the service's metadata (types added through the API
 * included). A dry run needs no token, and without any service configured it checks against
 * the SDK's bundled types.
 */
async function typeForRun(values: { type?: string; "dry-run"?: boolean } & Parameters<typeof connect>[0]): Promise<CertificateType> {
  if (values["dry-run"]) {
    let client: ApiClient;
    try {
      ({ client } = connect(values, { kind: "none" }));
    } catch (error) {
      const bundled = findTypeById(values.type);
      if (error instanceof UsageError && bundled) return bundled;
      throw error;
    }
    return serviceType(client, values.type!);
  }
  return serviceType(connect(values, { kind: "agency", type: values.type }).client, values.type!);
}

async function run(argv: string[]): Promise<number> {
  const { values } = parse("issue", argv, {
    ...CONNECTION_OPTIONS,
    type: { type: "string" },
    csv: { type: "string" },
    out: { type: "string" },
    wait: { type: "boolean" },
    timeout: { type: "string" },
    "dry-run": { type: "boolean" },
    json: { type: "boolean" },
  }, false);
  if (!values.type) throw new UsageError("missing --type <type> (see: certchain issue --help)");
  const csvFile = requireFile(values.csv, "--csv <file>");
  const type = await typeForRun(values);
  const timeoutMs = intOption("timeout", values.timeout, 300, 1, 86_400) * 1000;
  const outDir = values.out ?? path.join(path.dirname(csvFile), `${path.basename(csvFile, path.extname(csvFile))}-certificates`);

  const bytes = readFileSync(csvFile);
  const csvSha256 = sha256Hex(bytes);
  const { good, errors, total } = checkRows(type, bytes.toString("utf8"));

  if (values["dry-run"]) {
    return report({ values, outDir, total, issued: 0, skipped: 0, errors, pending: [], dryRun: true, good: good.length });
  }

  const { client } = connect(values, { kind: "agency", type: type.id });

  mkdirSync(outDir, { recursive: true });
  const state = loadState(outDir, type, csvSha256);
  state.csvSha256 = csvSha256;
  // The same file is cut into the same batches on every run, so a batch that reached the service
  // before a crash (its reply lost, or the state file with it) is sent again with the same key
  // and the service replays its first answer.
  const cut = ROWS_PER_REQUEST;
  // Rewritten whole, so at most every 2 s (100,000 rows make a file of ~15 MB). Losing the last
  // seconds to a crash is harmless: those batches are resent with their keys and replayed.
  let savedAt = 0;
  const saveState = (force = false) => {
    if (!force && Date.now() - savedAt < 2_000) return;
    writeFileAtomic(path.join(outDir, STATE_FILE), `${JSON.stringify(state)}\n`);
    savedAt = Date.now();
  };

  // Ctrl-C: keep what is known. A batch in flight may have been issued; a rerun replays it.
  const interrupted = () => {
    saveState(true);
    err(`\ninterrupted: progress saved in ${path.join(outDir, STATE_FILE)}; rerun the same command to resume`);
    process.exit(130);
  };
  process.once("SIGINT", interrupted);

  const skipped = good.filter((g) => state.rows[g.key]).length;
  const toSend = good.length - skipped;
  const bar = process.stderr.isTTY && !values.json ? new SingleBar({ stream: process.stderr, format: "issuing   {bar} {value}/{total} rows | {eta_formatted} left", hideCursor: true }) : undefined;
  bar?.start(toSend, 0);

  let issued = 0;
  let aborted: string | undefined;
  try {
    for (let start = 0, batch = 0; start < good.length; start += cut, batch++) {
      const sending = good.slice(start, start + cut).filter((g) => !state.rows[g.key]);
      if (sending.length === 0) continue;
      const base = sha256Hex([csvSha256, type.id, cut, batch, ...sending.map((g) => g.key)].join("\n"));
      const retry = state.retries?.[base] ?? 0;
      const idempotencyKey = `certchain-cli-issue-${base}${retry ? `-${retry}` : ""}`;
      let reply: { results: BatchResult[] };
      let refusals = false;
      try {
        reply = await client.post<{ results: BatchResult[] }>("/v1/certificates/batch", {
          body: { items: sending.map((g) => g.request) },
          idempotencyKey,
          timeoutMs: 600_000,
        });
      } catch (error) {
        if (!(error instanceof ApiError)) throw error;
        aborted = apiErrorLine(error);
        break;
      }
      for (const result of reply.results) {
        const row = sending[result.index];
        if (!row) continue;
        if (result.ok && result.id && result.envelope) {
          const file = writeEnvelope(outDir, row.row, result.id, result.envelope);
          state.rows[row.key] = { row: row.row, id: result.id, status: result.status ?? "pending", file };
          issued++;
        } else {
          errors.push(...errorsOfRefusal(row.row, result.error ?? { code: "UNKNOWN", message: "refused without a reason" }));
          refusals = true;
        }
      }
      if (refusals) state.retries = { ...state.retries, [base]: retry + 1 };
      saveState();
      bar?.increment(sending.length);
    }
  } finally {
    bar?.stop();
    saveState(true);
  }

  let pending = good.map((g) => state.rows[g.key]).filter((s): s is StateRow => s !== undefined && s.status === "pending");
  if (values.wait && !aborted && pending.length > 0) {
    pending = await waitForRows(client, outDir, pending, timeoutMs, Boolean(values.json), saveState);
  }
  process.removeListener("SIGINT", interrupted);
  const refused = new Set(errors.map((e) => e.row));
  const notSent = aborted ? good.filter((g) => !state.rows[g.key] && !refused.has(g.row)).length : 0;
  return report({ values, outDir, total, issued, skipped, errors, pending: pending.map((p) => p.id), aborted, notSent, good: good.length });
}

async function waitForRows(
  client: ApiClient,
  outDir: string,
  pending: StateRow[],
  timeoutMs: number,
  quiet: boolean,
  saveState: (force?: boolean) => void,
): Promise<StateRow[]> {
  const byId = new Map(pending.map((p) => [p.id, p]));
  const bar = process.stderr.isTTY && !quiet ? new SingleBar({ stream: process.stderr, format: "anchoring {bar} {value}/{total} certificates", hideCursor: true }) : undefined;
  bar?.start(pending.length, 0);
  const { pending: still } = await waitUntilAnchored(client, [...byId.keys()], {
    timeoutMs,
    onAnchored: (certificate) => {
      const entry = byId.get(certificate.id)!;
      entry.file = writeEnvelope(outDir, entry.row, certificate.id, certificate.envelope);
      entry.status = certificate.status;
      bar?.increment();
      saveState();
    },
  });
  bar?.stop();
  saveState(true);
  return still.map((id) => byId.get(id)!);
}

function report(r: {
  values: { json?: boolean };
  outDir: string;
  total: number;
  good: number;
  issued: number;
  skipped: number;
  errors: RowError[];
  pending: string[];
  aborted?: string;
  notSent?: number;
  dryRun?: boolean;
}): number {
  const failedRows = [...new Set(r.errors.map((e) => e.row))].sort((a, b) => a - b);
  const errorsFile = path.join(r.outDir, ERRORS_FILE);
  if (!r.dryRun || failedRows.length > 0) mkdirSync(r.outDir, { recursive: true });
  if (failedRows.length > 0) {
    const sorted = [...r.errors].sort((a, b) => a.row - b.row);
    writeFileSync(errorsFile, `${["row,code,field,message", ...sorted.map((e) => csvLine([e.row, e.code, e.field, e.message]))].join("\r\n")}\r\n`);
  } else if (existsSync(errorsFile)) {
    rmSync(errorsFile);
  }
  const summary = {
    rows: r.total,
    issued: r.issued,
    skipped: r.skipped,
    failed: failedRows.length,
    failedRows,
    pending: r.pending.length,
    out: r.outDir,
    errorsFile: failedRows.length > 0 ? errorsFile : null,
    ...(r.dryRun ? { dryRun: true, valid: r.good } : {}),
    ...(r.aborted ? { aborted: r.aborted, notSent: r.notSent ?? 0 } : {}),
  };
  if (r.values.json) printJson(summary);
  else {
    if (r.dryRun) out(`checked ${r.total} rows: ${r.good} valid, ${failedRows.length} invalid (dry run: nothing sent)`);
    else {
      out(`issued   ${String(r.issued).padStart(7)}`);
      out(`skipped  ${String(r.skipped).padStart(7)}  (issued by an earlier run)`);
      out(`failed   ${String(failedRows.length).padStart(7)}${failedRows.length ? `  ${failedRows.length === 1 ? "row" : "rows"} ${abbreviate(failedRows)}` : ""}`);
      if (r.pending.length > 0) out(`pending  ${String(r.pending.length).padStart(7)}  (not anchored yet: the envelopes are pending ones; rerun with --wait to fetch the proofs)`);
      out(`envelopes in ${r.outDir}`);
    }
    if (failedRows.length > 0) out(`errors by row in ${errorsFile}`);
  }
  if (r.aborted) {
    err(`stopped: ${r.aborted}; ${r.notSent ?? 0} rows not sent. Rerun the same command to resume.`);
    return EXIT.FAILED;
  }
  return failedRows.length > 0 ? EXIT.FAILED : EXIT.OK;
}

function abbreviate(rows: number[]): string {
  const shown = rows.slice(0, 10).join(", ");
  return rows.length > 10 ? `${shown}, … (${rows.length - 10} more)` : shown;
}

export const issueCommand: Command = { name: "issue", help: HELP, run };
