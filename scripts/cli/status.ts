import { STATUS_REASONS, statusReasonLabel } from "@certchain/sdk";
import { CONNECTION_HELP, CONNECTION_OPTIONS, intOption, parse } from "./args";
import { getCertificate, waitUntilAnchored, type CertificateView } from "./certificates";
import type { Command } from "./command";
import { connect } from "./connection";
import { writeFileAtomic } from "./files";
import { EXIT, UsageError, out, printJson } from "./output";

type Action = "revoke" | "suspend" | "reinstate";

const REASONS = Object.entries(STATUS_REASONS) as [string, (typeof STATUS_REASONS)[keyof typeof STATUS_REASONS]][];
const REASON_HELP = REASONS.map(([code, r]) => `    ${code.padStart(2)}  ${r.id.padEnd(20)} ${r["zh-CN"]}`).join("\n");

const VERBS: Record<Action, { past: string; summary: string }> = {
  revoke: { past: "revoked", summary: "revoke a certificate (final)" },
  suspend: { past: "suspended", summary: "suspend a certificate" },
  reinstate: { past: "reinstated", summary: "reinstate a suspended certificate" },
};

const helpOf = (action: Action) => `Usage: certchain ${action} <certificate id> --reason <code>

${VERBS[action].summary[0].toUpperCase()}${VERBS[action].summary.slice(1)}: the change is recorded on chain by the agency's operator,
with the reason; verifiers see it without calling the issuer. Only the issuing agency may.

Options:
  --reason <code>   reason code, by number or name:
${REASON_HELP}
  --json            print the certificate record as JSON

${CONNECTION_HELP}`;

/** A reason by number (0..65535, recorded as is) or by name (e.g. issued_in_error). */
export function reasonCode(raw: string | undefined): number {
  if (raw === undefined || raw === "") throw new UsageError("missing --reason <code> (a number or a name such as issued_in_error; see --help)");
  if (/^\d+$/.test(raw)) {
    const code = Number(raw);
    if (code > 65_535) throw new UsageError("--reason must be at most 65535");
    return code;
  }
  const found = REASONS.find(([, r]) => r.id === raw.toLowerCase().replace(/-/g, "_"));
  if (!found) throw new UsageError(`unknown reason ${JSON.stringify(raw)} (known: ${REASONS.map(([, r]) => r.id).join(", ")})`);
  return Number(found[0]);
}

function statusCommand(action: Action): Command {
  return {
    name: action,
    help: helpOf(action),
    async run(argv) {
      const { values, positionals } = parse(action, argv, { ...CONNECTION_OPTIONS, reason: { type: "string" }, json: { type: "boolean" } });
      if (positionals.length !== 1) throw new UsageError(`give exactly one certificate id: certchain ${action} <id> --reason <code>`);
      const reason = reasonCode(values.reason);
      const { client } = connect(values, { kind: "agency" });
      const record = await client.post<CertificateView & { statusReason?: number }>(`/v1/certificates/${encodeURIComponent(positionals[0])}/${action}`, { body: { reason } });
      if (values.json) printJson(record);
      else out(`${VERBS[action].past} ${record.id}: now ${record.status} (reason ${reason}, ${statusReasonLabel(reason)})`);
      return EXIT.OK;
    },
  };
}

export const revokeCommand = statusCommand("revoke");
export const suspendCommand = statusCommand("suspend");
export const reinstateCommand = statusCommand("reinstate");

const GET_HELP = `Usage: certchain get <certificate id> [--out <file>] [--wait]

Fetches a certificate of the caller's agency (GET /v1/certificates/:id) and prints or writes
its envelope; with --wait, once it is anchored (e.g. a receipt written while pending).

Options:
  --out <file>         write the envelope to this file
  --wait               wait until the certificate is anchored
  --timeout <seconds>  longest wait with --wait [300]
  --json               print the whole record as JSON

${CONNECTION_HELP}`;

export const getCommand: Command = {
  name: "get",
  help: GET_HELP,
  async run(argv) {
    const { values, positionals } = parse("get", argv, { ...CONNECTION_OPTIONS, out: { type: "string" }, wait: { type: "boolean" }, timeout: { type: "string" }, json: { type: "boolean" } });
    if (positionals.length !== 1) throw new UsageError("give exactly one certificate id: certchain get <id>");
    const timeoutMs = intOption("timeout", values.timeout, 300, 1, 86_400) * 1000;
    const { client } = connect(values, { kind: "agency" });
    let record = await getCertificate(client, positionals[0]);
    if (values.wait && record.status === "pending") {
      const { anchored } = await waitUntilAnchored(client, [record.id], { timeoutMs });
      if (anchored.length === 0) throw new UsageError(`${record.id} is still pending after ${timeoutMs / 1000} s`);
      record = anchored[0];
    }
    if (values.out) writeFileAtomic(values.out, `${JSON.stringify(record.envelope, null, 2)}\n`);
    if (values.json) printJson(record);
    else if (values.out) out(`${record.id} (${record.status}) written to ${values.out}`);
    else out(JSON.stringify(record.envelope, null, 2));
    return EXIT.OK;
  },
};
