/**
 * `certchain <command> …`: operators issue, notarise and change statuses through the issuing
 * API; verifying departments verify files and links against the chain, without writing code.
 * Each command is one file; this one only dispatches and turns failures into one line.
 */
import { wantsHelp } from "./args";
import type { Command } from "./command";
import { ApiError, apiErrorLine } from "./http-client";
import { EXIT, describeError, err, out } from "./output";

/**
 * Commands are loaded when run: the SDK and its dependencies take a second to load through
 * ts-node, which `certchain --help` and usage mistakes need not pay.
 */
export const COMMANDS: readonly { name: string; summary: string; load(): Command }[] = [
  { name: "issue", summary: "issue certificates in bulk from a CSV file", load: () => (require("./issue") as typeof import("./issue")).issueCommand },
  { name: "verify", summary: "verify certificate files, presentations and share links", load: () => (require("./verify") as typeof import("./verify")).verifyCommand },
  { name: "notarise", summary: "notarise a file: anchor its digest and get a receipt", load: () => (require("./notarise") as typeof import("./notarise")).notariseCommand },
  { name: "verify-file", summary: "check a file against its notarisation receipt", load: () => (require("./verify-file") as typeof import("./verify-file")).verifyFileCommand },
  { name: "revoke", summary: "revoke a certificate (final)", load: () => (require("./status") as typeof import("./status")).revokeCommand },
  { name: "suspend", summary: "suspend a certificate", load: () => (require("./status") as typeof import("./status")).suspendCommand },
  { name: "reinstate", summary: "reinstate a suspended certificate", load: () => (require("./status") as typeof import("./status")).reinstateCommand },
  { name: "get", summary: "fetch a certificate's envelope (optionally once anchored)", load: () => (require("./status") as typeof import("./status")).getCommand },
  { name: "agency", summary: "list agencies; add or accredit one (root authority)", load: () => (require("./agency") as typeof import("./agency")).agencyCommand },
  { name: "key", summary: "rotate an agency's signing key (root authority)", load: () => (require("./key") as typeof import("./key")).keyCommand },
  { name: "types", summary: "add a certificate type from its metadata (root authority)", load: () => (require("./types") as typeof import("./types")).typesCommand },
];

const ALIASES: Record<string, string> = { notarize: "notarise", "verify-document": "verify-file" };

export const HELP = `Usage: certchain <command> [options]     (certchain <command> --help for details)

Commands:
${COMMANDS.map((c) => `  ${c.name.padEnd(12)} ${c.summary}`).join("\n")}

Environment: CERTCHAIN_API_URL, CERTCHAIN_TOKEN, CERTCHAIN_DEMO (a demo.json written by
\`npm start\`), CERTCHAIN_RPC_URL, CERTCHAIN_REGISTRY, CERTCHAIN_CHAIN_ID.

Exit status: 0 success, 1 the operation failed (e.g. a certificate is not valid), 2 usage error.`;

/** Runs one command line; returns the exit code. Never throws. */
export async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === "--help" || name === "-h" || name === "help") {
    const topic = name === "help" ? COMMANDS.find((c) => c.name === (ALIASES[rest[0]] ?? rest[0])) : undefined;
    out(topic ? topic.load().help : HELP);
    return EXIT.OK;
  }
  if (name === "--version" || name === "-v") {
    out(require("../../package.json").version);
    return EXIT.OK;
  }
  const entry = COMMANDS.find((c) => c.name === (ALIASES[name] ?? name));
  if (!entry) {
    err(`certchain: unknown command ${JSON.stringify(name)} (commands: ${COMMANDS.map((c) => c.name).join(", ")})`);
    return EXIT.USAGE;
  }
  try {
    const command = entry.load();
    if (wantsHelp(rest)) {
      out(command.help);
      return EXIT.OK;
    }
    return await command.run(rest);
  } catch (error) {
    if (error instanceof ApiError) {
      err(`certchain ${entry.name}: ${apiErrorLine(error)}`);
      return EXIT.FAILED;
    }
    const { line, exitCode } = describeError(error);
    err(`certchain ${entry.name}: ${line}`);
    return exitCode;
  }
}
