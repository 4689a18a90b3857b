import { STATUS_REASONS, statusReasonLabel } from "@certchain/sdk";
import { CONNECTION_OPTIONS, connectionHelp, intOption, parse } from "./args";
import { getCertificate, waitUntilAnchored, type CertificateView } from "./certificates";
import type { Command } from "./command";
import { connect } from "./connection";
import { writeFileAtomic } from "./files";
import { lang, t, type Text } from "./i18n";
import { EXIT, UsageError, out, printJson } from "./output";

type Action = "revoke" | "suspend" | "reinstate";

const REASONS = Object.entries(STATUS_REASONS) as [string, (typeof STATUS_REASONS)[keyof typeof STATUS_REASONS]][];
const REASON_HELP = REASONS.map(([code, r]) => `    ${code.padStart(2)}  ${r.id.padEnd(20)} ${r["zh-CN"]}`).join("\n");

const VERBS: Record<Action, { past: Text; summary: Text }> = {
  revoke: { past: { en: "revoked", "zh-CN": "已撤销" }, summary: { en: "Revoke a certificate (final)", "zh-CN": "撤销证照（不可恢复）" } },
  suspend: { past: { en: "suspended", "zh-CN": "已暂停" }, summary: { en: "Suspend a certificate", "zh-CN": "暂停证照的效力" } },
  reinstate: { past: { en: "reinstated", "zh-CN": "已恢复" }, summary: { en: "Reinstate a suspended certificate", "zh-CN": "恢复已暂停的证照" } },
};

const STATE_WORDS: Record<string, Text> = {
  pending: { en: "pending", "zh-CN": "待上链" },
  anchored: { en: "anchored", "zh-CN": "有效" },
  suspended: { en: "suspended", "zh-CN": "已暂停" },
  revoked: { en: "revoked", "zh-CN": "已撤销" },
};

const helpOf = (action: Action): string =>
  lang() === "en"
    ? `Usage: certchain ${action} <certificate id> --reason <code>

${t(VERBS[action].summary)}: the change is recorded on chain by the agency's operator,
with the reason; verifiers see it without calling the issuer. Only the issuing agency may.

Options:
  --reason <code>   reason code, by number or name:
${REASON_HELP}
  --json            print the certificate record as JSON

${connectionHelp()}`
    : `用法：certchain ${action} <证照编号> --reason <原因>

${t(VERBS[action].summary)}：由本机关的上链账户把变更和原因记录到区块链上；核验方无需联系发证机关即可看到。
只有签发该证照的机关可以操作。

选项：
  --reason <原因>   原因代码（数字或名称）：
${REASON_HELP}
  --json            以 JSON 输出证照记录

${connectionHelp()}`;

const M = {
  missingReason: { en: "missing --reason <code> (a number or a name such as issued_in_error; see --help)", "zh-CN": "缺少 --reason <原因>（数字或名称，如 issued_in_error；见 --help）" },
  tooLarge: { en: "--reason must be at most 65535", "zh-CN": "--reason 不能大于 65535" },
  unknownReason: { en: "unknown reason {raw} (known: {known})", "zh-CN": "没有原因 {raw}（可选：{known}）" },
  oneId: { en: "give exactly one certificate id: certchain {action} <id> --reason <code>", "zh-CN": "请给出一个证照编号：certchain {action} <编号> --reason <原因>" },
  changed: { en: "{verb} {id}: now {state} (reason {reason}, {label})", "zh-CN": "{verb} {id}：现在为{state}（原因 {reason}：{label}）" },
  oneGetId: { en: "give exactly one certificate id: certchain get <id>", "zh-CN": "请给出一个证照编号：certchain get <编号>" },
  stillPending: { en: "{id} is still pending after {seconds} s", "zh-CN": "{id} 在 {seconds} 秒后仍未上链" },
  written: { en: "{id} ({status}) written to {file}", "zh-CN": "{id}（{status}）已写到 {file}" },
} satisfies Record<string, Text>;

/** A reason by number (0..65535, recorded as is) or by name (e.g. issued_in_error). */
export function reasonCode(raw: string | undefined): number {
  if (raw === undefined || raw === "") throw new UsageError(t(M.missingReason));
  if (/^\d+$/.test(raw)) {
    const code = Number(raw);
    if (code > 65_535) throw new UsageError(t(M.tooLarge));
    return code;
  }
  const found = REASONS.find(([, r]) => r.id === raw.toLowerCase().replace(/-/g, "_") || r["zh-CN"] === raw.trim());
  if (!found) throw new UsageError(t(M.unknownReason, { raw: JSON.stringify(raw), known: REASONS.map(([, r]) => r.id).join(", ") }));
  return Number(found[0]);
}

function statusCommand(action: Action): Command {
  return {
    name: action,
    get help() {
      return helpOf(action);
    },
    async run(argv) {
      const { values, positionals } = parse(action, argv, { ...CONNECTION_OPTIONS, reason: { type: "string" }, json: { type: "boolean" } });
      if (positionals.length !== 1) throw new UsageError(t(M.oneId, { action }));
      const reason = reasonCode(values.reason);
      const { client } = connect(values, { kind: "agency" });
      const record = await client.post<CertificateView & { statusReason?: number }>(`/v1/certificates/${encodeURIComponent(positionals[0])}/${action}`, { body: { reason } });
      if (values.json) printJson(record);
      else out(t(M.changed, { verb: t(VERBS[action].past), id: record.id, state: STATE_WORDS[record.status] ? t(STATE_WORDS[record.status]) : record.status, reason, label: statusReasonLabel(reason, lang()) }));
      return EXIT.OK;
    },
  };
}

export const revokeCommand = statusCommand("revoke");
export const suspendCommand = statusCommand("suspend");
export const reinstateCommand = statusCommand("reinstate");

const GET_HELP: Text = {
  en: `Usage: certchain get <certificate id> [--out <file>] [--wait]

Fetches a certificate of the caller's agency (GET /v1/certificates/:id) and prints or writes
its envelope; with --wait, once it is anchored (e.g. a receipt written while pending).

Options:
  --out <file>         write the envelope to this file
  --wait               wait until the certificate is anchored
  --timeout <seconds>  longest wait with --wait [300]
  --json               print the whole record as JSON

{connection}`,
  "zh-CN": `用法：certchain get <证照编号> [--out <文件>] [--wait]

取回本机关的一张证照（GET /v1/certificates/:id），输出或写出它的证照文件；加 --wait 则等到上链后再取
（例如取回当初写出的待上链回执）。

选项：
  --out <文件>         把证照文件写到这里
  --wait               等待证照上链
  --timeout <秒>       --wait 的最长等待时间 [300]
  --json               以 JSON 输出完整记录

{connection}`,
};

export const getCommand: Command = {
  name: "get",
  get help() {
    return t(GET_HELP, { connection: connectionHelp() });
  },
  async run(argv) {
    const { values, positionals } = parse("get", argv, { ...CONNECTION_OPTIONS, out: { type: "string" }, wait: { type: "boolean" }, timeout: { type: "string" }, json: { type: "boolean" } });
    if (positionals.length !== 1) throw new UsageError(t(M.oneGetId));
    const timeoutMs = intOption("timeout", values.timeout, 300, 1, 86_400) * 1000;
    const { client } = connect(values, { kind: "agency" });
    let record = await getCertificate(client, positionals[0]);
    if (values.wait && record.status === "pending") {
      const { anchored } = await waitUntilAnchored(client, [record.id], { timeoutMs });
      if (anchored.length === 0) throw new UsageError(t(M.stillPending, { id: record.id, seconds: timeoutMs / 1000 }));
      record = anchored[0];
    }
    if (values.out) writeFileAtomic(values.out, `${JSON.stringify(record.envelope, null, 2)}\n`);
    if (values.json) printJson(record);
    else if (values.out) out(t(M.written, { id: record.id, status: STATE_WORDS[record.status] ? t(STATE_WORDS[record.status]) : record.status, file: values.out }));
    else out(JSON.stringify(record.envelope, null, 2));
    return EXIT.OK;
  },
};
