import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";
import { validateClaims, type CertificateType, type Envelope } from "@certchain/sdk";
import { CONNECTION_OPTIONS, connectionHelp, intOption, parse } from "./args";
import { apiErrorText } from "./api-error-texts";
import { waitUntilAnchored, type CertificateView } from "./certificates";
import { columnLabelOf, reasonOf } from "./claim-columns";
import { createRowMapper, type RowMapper } from "./claims-from-csv";
import type { Command } from "./command";
import { connect } from "./connection";
import { CsvError, csvLine, parseCsv } from "./csv";
import { canonicalJson } from "../../server/lib/canonical-json";
import { readJson, requireFile, sha256Hex, writeFileAtomic } from "./files";
import { ApiError, apiErrorLine, type ApiClient } from "./http-client";
import { findKnownType, knownTypes } from "./service-types";
import { lang, t, type Text } from "./i18n";
import { EXIT, UsageError, err, out, printJson } from "./output";
import { onInterrupt, startProgress } from "./terminal";
import { checkAgencyToken } from "./token-check";

export const STATE_FILE = ".certchain-issue.json";
export const ERRORS_FILE = "errors.csv";
/**
 * Rows per API call. Fixed, not an option: the Idempotency-Key of a batch names its rows, so a
 * rerun must cut the same batches whatever flags it is given, or a lost state file plus a
 * different batch size would issue twice.
 */
export const ROWS_PER_REQUEST = 500;

const HELP: Text = {
  en: `Usage: certchain issue --type <type> --csv <file> [--out <dir>] [options]

Issues one certificate per CSV row, waits until they are anchored on the chain (with progress)
and writes the anchored certificate files. The header row names the columns: the claim names
or their labels, in Chinese or English (名称 or company_name; see \`certchain types show <type>\`,
whose --template writes a ready header). Nested claims take dotted headers (spouses.0.name);
lists are JSON (["a","b"]) or separated by ";"; optional columns validFrom / validUntil
(证照生效时间 / 证照失效时间; ISO 8601 date-time).

Every row is first checked here; bad rows are listed in <out>/errors.csv (row number as a
spreadsheet numbers them, the column, and the reason in plain words) and never sent; the good
rows are issued. Envelopes are written to <out>/<row>-<id>.json.

Resumable: <out>/${STATE_FILE} records every issued row, and each batch carries an
Idempotency-Key derived from the CSV's hash and the batch, so rerunning the same command after
an interruption (Ctrl-C is fine) issues nothing twice. Rerun the unchanged file before editing it.

Options:
  --type <type>        certificate type id (certchain types lists them, types added to the
                       service included: rows are checked against the type's metadata)
  --csv <file>         the rows (UTF-8, RFC 4180; a byte-order mark is fine)
  --out <dir>          where envelopes, state and errors go [<csv name>-certificates/ beside the CSV]
  --no-wait            do not wait for anchoring: write the pending envelopes and stop
  --timeout <seconds>  longest wait for anchoring [300]
  --dry-run            check the rows only; send nothing
  --json               print the summary as JSON
  --lang <zh-CN|en>    language of the messages [from LANG; Chinese unless English is asked for]

{connection}

Exit status: 0 every row issued (or issued before), 1 some rows failed, 2 usage error.`,
  "zh-CN": `用法：certchain issue --type <证照类型> --csv <文件> [--out <目录>] [选项]

按 CSV 每一行签发一张证照，等待上链完成（显示进度），并写出已上链的证照文件。第一行是列名：
可以写字段名，也可以写中文或英文的标签（如 名称 或 company_name；见 \`certchain types show <类型>\`，
加 --template 可直接生成表头）。嵌套字段用点号（spouses.0.name）；多项内容写成 JSON（["甲","乙"]）
或用英文分号 ; 分开；可选列 证照生效时间 / 证照失效时间（validFrom / validUntil，ISO 8601 时间）。

每一行都先在本机检查：有问题的行记入 <out>/errors.csv（行号与电子表格一致、列名、用通俗语言说明
原因），这些行不会发送；其余的行照常签发。证照文件写到 <out>/<行号>-<编号>.json。

可以续传：<out>/${STATE_FILE} 记录已签发的行，每批请求带有由文件内容和批次决定的幂等键，
中断（包括 Ctrl-C）后原样再运行一次，不会重复签发。请先把原文件重跑完，再修改它。

选项：
  --type <类型>        证照类型标识（certchain types 可列出，包括服务上新增的类型：按类型的元数据检查各行）
  --csv <文件>         数据（UTF-8，RFC 4180；带 BOM 也可以）
  --out <目录>         证照文件、进度和错误报告的位置 [CSV 旁边的 <文件名>-certificates/]
  --no-wait            不等待上链：写出待上链的证照文件后结束
  --timeout <秒>       等待上链的最长时间 [300]
  --dry-run            只检查，不发送
  --json               以 JSON 输出汇总
  --lang <zh-CN|en>    提示语言 [按 LANG 环境变量；默认中文]

{connection}

退出码：0 全部签发（或此前已签发），1 有行失败，2 用法错误。`,
};

const M = {
  missingType: { "zh-CN": "缺少 --type <证照类型>（见：certchain issue --help）", en: "missing --type <type> (see: certchain issue --help)" },
  unknownType: { "zh-CN": "没有 {type} 这种证照类型（可选：{known}；详见 certchain types）", en: "unknown certificate type {type} (known: {known}; see certchain types)" },
  csvMissing: { "zh-CN": "--csv <文件>", en: "--csv <file>" },
  malformed: { "zh-CN": "CSV 格式有误，{where}", en: "the CSV is malformed at {where}" },
  noRows: { "zh-CN": "CSV 里没有数据行（第一行必须是列名）", en: "the CSV has no data rows (the first row must be the header)" },
  fieldCount: { "zh-CN": "这一行有 {n} 格，表头有 {m} 列", en: "has {n} fields, the header has {m}" },
  dateTime: { "zh-CN": "应为带时区的日期时间，如 2030-12-31T23:59:59+08:00", en: "must be an ISO 8601 date-time with an offset, e.g. 2030-12-31T23:59:59+08:00" },
  afterFrom: { "zh-CN": "必须晚于证照生效时间", en: "must be after validFrom" },
  noReason: { "zh-CN": "服务拒绝了这一行，但没有说明原因", en: "refused without a reason" },
  stateFile: { "zh-CN": "{file} 不是本工具的进度文件：请删除它或换一个 --out", en: "{file} is not a state file of this CLI; remove it or choose another --out" },
  otherType: { "zh-CN": "{dir} 里是 {was} 的进度，不是 {type}：请换一个 --out", en: "{dir} holds a run of {was}, not {type}; choose another --out" },
  interrupted: {
    "zh-CN": "已中断：进度已保存在 {file}；原样再运行同一条命令即可继续，不会重复签发",
    en: "interrupted: progress saved in {file}; rerun the same command to resume (nothing is issued twice)",
  },
  issuing: { "zh-CN": "签发中", en: "issuing  " },
  anchoring: { "zh-CN": "上链中", en: "anchoring" },
  checked: { "zh-CN": "已检查 {total} 行：{good} 行有效，{bad} 行有误（仅检查，未发送）", en: "checked {total} rows: {good} valid, {bad} invalid (dry run: nothing sent)" },
  issued: { "zh-CN": "已签发  {n}", en: "issued   {n}" },
  skipped: { "zh-CN": "已跳过  {n}  （此前已签发）", en: "skipped  {n}  (issued by an earlier run)" },
  failed: { "zh-CN": "失败    {n}", en: "failed   {n}" },
  failedRows: { "zh-CN": "  第 {rows} 行", en: "  {word} {rows}" },
  pending: {
    "zh-CN": "待上链  {n}  （尚未上链，写出的是待上链文件；再运行一次即可取回已上链的文件）",
    en: "pending  {n}  (not anchored yet: the envelopes are pending ones; rerun to fetch the anchored ones)",
  },
  anchored: { "zh-CN": "已上链  {n}", en: "anchored {n}" },
  envelopes: { "zh-CN": "证照文件在 {dir}", en: "envelopes in {dir}" },
  errorsIn: { "zh-CN": "有问题的行见 {file}", en: "errors by row in {file}" },
  stopped: { "zh-CN": "已停止：{why}；{n} 行未发送。原样再运行同一条命令即可继续。", en: "stopped: {why}; {n} rows not sent. Rerun the same command to resume." },
  stoppedRefused: {
    "zh-CN": "已停止：{why}；{n} 行未发送。换上有效的令牌后再运行同一条命令即可继续，已签发的行不会重复签发。",
    en: "stopped: {why}; {n} rows not sent. Rerun the command with a valid token to resume; rows already issued are not issued again.",
  },
  otherAgency: {
    "zh-CN": "{dir} 里的证照是 {was} 签发的，而这个令牌属于 {agency}：请用 {was} 的令牌续传，或换一个 --out",
    en: "{dir} holds certificates issued by {was}, and this token is {agency}'s: resume with {was}'s token, or choose another --out",
  },
  more: { "zh-CN": "…（另有 {n} 行）", en: "… ({n} more)" },
  errorsHeader: { "zh-CN": "行号,列,原因,错误代码,字段", en: "row,column,reason,code,field" },
} satisfies Record<string, Text>;

interface GoodRow {
  row: number;
  /** Content hash of the issue request and its occurrence in the file: names the row across reruns. */
  key: string;
  request: { type: string; claims: Record<string, unknown>; validFrom?: string; validUntil?: string };
}

interface RowError {
  row: number;
  code: string;
  /** The claim path (`company_name`, `spouses.0.name`) or request field; "" for the whole row. */
  field: string;
  /** The column as the clerk's file names it (or the claim's label). */
  column: string;
  /** Why, in plain words. */
  reason: string;
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
  /** The agency whose token issued the rows (written since tokens are checked first). */
  agency?: string;
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
  if (state?.version !== 1 || typeof state.rows !== "object") throw new UsageError(t(M.stateFile, { file }));
  if (state.type !== type.id) throw new UsageError(t(M.otherType, { dir, was: state.type, type: type.id }));
  return state;
}

/** Checks every row locally; nothing is sent for a row that fails here. */
function checkRows(type: CertificateType, csvText: string): { good: GoodRow[]; errors: RowError[]; total: number; mapper: RowMapper } {
  let records;
  try {
    records = parseCsv(csvText);
  } catch (error) {
    if (error instanceof CsvError) throw new UsageError(t(M.malformed, { where: error.message }));
    throw error;
  }
  if (records.length < 2) throw new UsageError(t(M.noRows));
  const [header, ...rows] = records;
  const mapper = createRowMapper(type, header.fields);
  const good: GoodRow[] = [];
  const errors: RowError[] = [];
  const occurrences = new Map<string, number>();
  const columnOf = (field: string) => columnLabelOf(type, field === "" ? "" : `/${field.replace(/\./g, "/")}`, mapper.headerOf);
  for (const record of rows) {
    if (record.fields.length !== header.fields.length) {
      errors.push({ row: record.row, code: "CSV_FIELD_COUNT", field: "", column: "", reason: t(M.fieldCount, { n: record.fields.length, m: header.fields.length }) });
      continue;
    }
    const { claims, validFrom, validUntil } = mapper.toRequest(record.fields);
    const rowErrors: RowError[] = [];
    const outcome = validateClaims(type, claims);
    if (!outcome.ok) {
      // One reason per cell: ajv may report a cell several times (anyOf branches, type and format).
      const seen = new Set<string>();
      for (const e of outcome.errors) {
        if (seen.has(e.path)) continue;
        seen.add(e.path);
        const field = e.path.slice(1).replace(/\//g, ".");
        rowErrors.push({ row: record.row, code: "CLAIMS_INVALID", field, column: columnOf(field), reason: reasonOf(type, claims, e.path) });
      }
    }
    for (const [name, value] of [["validFrom", validFrom], ["validUntil", validUntil]] as const) {
      if (value !== undefined && (!ISO_DATE_TIME.test(value) || Number.isNaN(Date.parse(value)))) {
        rowErrors.push({ row: record.row, code: "VALIDITY_INVALID", field: name, column: mapper.headerOf(name) ?? name, reason: t(M.dateTime) });
      }
    }
    if (validFrom && validUntil && Date.parse(validFrom) >= Date.parse(validUntil)) {
      rowErrors.push({ row: record.row, code: "VALIDITY_INVALID", field: "validUntil", column: mapper.headerOf("validUntil") ?? "validUntil", reason: t(M.afterFrom) });
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
  return { good, errors, total: rows.length, mapper };
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

/** The service's refusal of a row, per field where it names them, in plain words. */
function errorsOfRefusal(type: CertificateType, mapper: RowMapper, row: GoodRow, error: { code: string; message: string; details?: unknown }): RowError[] {
  const details = Array.isArray(error.details) ? (error.details as { path?: string; message?: string }[]).filter((d) => typeof d?.path === "string") : [];
  if (details.length === 0) return [{ row: row.row, code: error.code, field: "", column: "", reason: apiErrorText(error.code, error.message) }];
  return details.map((d) => {
    const pointer = `/${String(d.path).replace(/^(body\/items\/\d+\/)?(claims\/?)?/, "").replace(/^\//, "")}`.replace(/\/$/, "");
    const field = pointer.slice(1).replace(/\//g, ".");
    const reason = error.code === "CLAIMS_INVALID" ? reasonOf(type, row.request.claims, pointer) : apiErrorText(error.code, String(d.message ?? error.message));
    return { row: row.row, code: error.code, field, column: columnLabelOf(type, pointer, mapper.headerOf), reason };
  });
}

async function run(argv: string[]): Promise<number> {
  const { values } = parse("issue", argv, {
    ...CONNECTION_OPTIONS,
    type: { type: "string" },
    csv: { type: "string" },
    out: { type: "string" },
    wait: { type: "boolean", default: true },
    timeout: { type: "string" },
    "dry-run": { type: "boolean" },
    json: { type: "boolean" },
  }, false);
  if (!values.type) throw new UsageError(t(M.missingType));
  // The type's metadata from the service (types added through its API included); a dry run
  // without any service configured checks against the SDK's bundled types.
  let typeClient: ApiClient | undefined;
  try {
    typeClient = connect(values, { kind: "none" }).client;
  } catch (error) {
    if (!(error instanceof UsageError) || !values["dry-run"]) throw error;
  }
  const { types } = await knownTypes(typeClient);
  const type = findKnownType(types, values.type);
  if (!type) throw new UsageError(t(M.unknownType, { type: values.type, known: types.map((c) => c.id).join(", ") }));
  const csvFile = requireFile(values.csv, t(M.csvMissing));
  const timeoutMs = intOption("timeout", values.timeout, 300, 1, 86_400) * 1000;
  const outDir = values.out ?? path.join(path.dirname(csvFile), `${path.basename(csvFile, path.extname(csvFile))}-certificates`);

  const bytes = readFileSync(csvFile);
  const csvSha256 = sha256Hex(bytes);
  const { good, errors, total, mapper } = checkRows(type, bytes.toString("utf8"));

  if (values["dry-run"]) {
    return report({ values, outDir, total, issued: 0, skipped: 0, errors, pending: [], anchored: 0, dryRun: true, good: good.length });
  }

  const { client, tokenSource } = connect(values, { kind: "agency", type: type.id });
  // The token first: a resumed run with nothing left to send would otherwise never show it to the service.
  const principal = await checkAgencyToken(client, tokenSource);
  mkdirSync(outDir, { recursive: true });
  const state = loadState(outDir, type, csvSha256);
  state.csvSha256 = csvSha256;
  if (principal?.kind === "agency") {
    if (state.agency !== undefined && state.agency !== principal.agency) throw new UsageError(t(M.otherAgency, { dir: outDir, was: state.agency, agency: principal.agency }));
    state.agency = principal.agency;
  }
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
  const removeInterrupt = onInterrupt(() => {
    saveState(true);
    err(`\n${t(M.interrupted, { file: path.join(outDir, STATE_FILE) })}`);
  });

  const skipped = good.filter((g) => state.rows[g.key]).length;
  const toSend = good.length - skipped;
  const progress = startProgress(t(M.issuing), toSend);

  let issued = 0;
  let aborted: string | undefined;
  let refusedToken = false;
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
        // A token revoked or expired mid-run: running again as it is would be refused again.
        refusedToken = error.status === 401 || error.status === 403;
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
          errors.push(...errorsOfRefusal(type, mapper, row, result.error ?? { code: "UNKNOWN", message: t(M.noReason) }));
          refusals = true;
        }
      }
      if (refusals) state.retries = { ...state.retries, [base]: retry + 1 };
      saveState();
      progress.increment(sending.length);
    }
  } finally {
    progress.stop();
    saveState(true);
  }

  const rows = good.map((g) => state.rows[g.key]).filter((s): s is StateRow => s !== undefined);
  let pending = rows.filter((s) => s.status === "pending");
  if (values.wait && !aborted && pending.length > 0) {
    pending = await waitForRows(client, outDir, pending, timeoutMs, saveState);
  }
  removeInterrupt();
  const refused = new Set(errors.map((e) => e.row));
  const notSent = aborted ? good.filter((g) => !state.rows[g.key] && !refused.has(g.row)).length : 0;
  return report({ values, outDir, total, issued, skipped, errors, pending: pending.map((p) => p.id), anchored: rows.length - pending.length, aborted, refusedToken, notSent, good: good.length });
}

async function waitForRows(client: ApiClient, outDir: string, pending: StateRow[], timeoutMs: number, saveState: (force?: boolean) => void): Promise<StateRow[]> {
  const byId = new Map(pending.map((p) => [p.id, p]));
  const progress = startProgress(t(M.anchoring), pending.length);
  try {
    const { pending: still } = await waitUntilAnchored(client, [...byId.keys()], {
      timeoutMs,
      onAnchored: (certificate) => {
        const entry = byId.get(certificate.id)!;
        entry.file = writeEnvelope(outDir, entry.row, certificate.id, certificate.envelope);
        entry.status = certificate.status;
        progress.increment();
        saveState();
      },
    });
    return still.map((id) => byId.get(id)!);
  } finally {
    progress.stop();
    saveState(true);
  }
}

function report(r: {
  values: { json?: boolean; wait?: boolean };
  outDir: string;
  total: number;
  good: number;
  issued: number;
  skipped: number;
  errors: RowError[];
  pending: string[];
  anchored: number;
  aborted?: string;
  /** The service refused the token mid-run (401/403): the advice is a token, not a plain rerun. */
  refusedToken?: boolean;
  notSent?: number;
  dryRun?: boolean;
}): number {
  const failedRows = [...new Set(r.errors.map((e) => e.row))].sort((a, b) => a - b);
  const errorsFile = path.join(r.outDir, ERRORS_FILE);
  if (!r.dryRun || failedRows.length > 0) mkdirSync(r.outDir, { recursive: true });
  if (failedRows.length > 0) {
    const sorted = [...r.errors].sort((a, b) => a.row - b.row);
    // A byte-order mark, so spreadsheet programs open the Chinese text as UTF-8.
    const lines = [t(M.errorsHeader), ...sorted.map((e) => csvLine([e.row, e.column, e.reason, e.code, e.field]))];
    writeFileSync(errorsFile, `\ufeff${lines.join("\r\n")}\r\n`);
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
    anchored: r.anchored,
    out: r.outDir,
    errorsFile: failedRows.length > 0 ? errorsFile : null,
    ...(r.dryRun ? { dryRun: true, valid: r.good } : {}),
    ...(r.aborted ? { aborted: r.aborted, notSent: r.notSent ?? 0 } : {}),
  };
  if (r.values.json) printJson(summary);
  else {
    if (r.dryRun) out(t(M.checked, { total: r.total, good: r.good, bad: failedRows.length }));
    else {
      out(t(M.issued, { n: String(r.issued).padStart(7) }));
      out(t(M.skipped, { n: String(r.skipped).padStart(7) }));
      const rows = failedRows.length ? t(M.failedRows, { word: failedRows.length === 1 ? "row" : "rows", rows: abbreviate(failedRows) }) : "";
      out(t(M.failed, { n: String(failedRows.length).padStart(7) }) + rows);
      if (r.values.wait && r.anchored > 0) out(t(M.anchored, { n: String(r.anchored).padStart(7) }));
      if (r.pending.length > 0) out(t(M.pending, { n: String(r.pending.length).padStart(7) }));
      out(t(M.envelopes, { dir: r.outDir }));
    }
    if (failedRows.length > 0) out(t(M.errorsIn, { file: errorsFile }));
  }
  if (r.aborted) {
    err(t(r.refusedToken ? M.stoppedRefused : M.stopped, { why: r.aborted, n: r.notSent ?? 0 }));
    return EXIT.FAILED;
  }
  return failedRows.length > 0 ? EXIT.FAILED : EXIT.OK;
}

function abbreviate(rows: number[]): string {
  const separator = lang() === "en" ? ", " : "、";
  const shown = rows.slice(0, 10).join(separator);
  return rows.length > 10 ? `${shown}${separator}${t(M.more, { n: rows.length - 10 })}` : shown;
}

export const issueCommand: Command = {
  name: "issue",
  get help() {
    return t(HELP, { connection: connectionHelp() });
  },
  run,
};
