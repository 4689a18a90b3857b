import { readFileSync } from "node:fs";
import { verifyDocument } from "@certchain/sdk";
import { CONNECTION_OPTIONS, parse } from "./args";
import type { Command } from "./command";
import { REGISTRY_HELP, REGISTRY_OPTIONS, trustedRegistries } from "./connection";
import { requireFile, sha256File } from "./files";
import { EXIT, UsageError, out, printJson } from "./output";

const HELP = `Usage: certchain verify-file <file> <receipt> [options]

Checks that <file> is the document a notarisation receipt is about: the receipt is verified
like any certificate (notary office, anchor, revocation), and the file's SHA-256, computed
here, must equal the notarised digest. A file that differs by one byte fails with
DOCUMENT_MISMATCH.

Options:
  --json    the verification result as JSON

${REGISTRY_HELP}

Exit status: 0 when the receipt is valid and the file matches, 1 otherwise, 2 usage error.`;

/** The receipt envelope, also from an API reply `{ id, status, envelope }`; other text as it is (the verifier reports it). */
function receiptOf(text: string): unknown {
  try {
    const value = JSON.parse(text);
    return value && typeof value === "object" && !("format" in value) && "envelope" in value ? value.envelope : value;
  } catch {
    return text;
  }
}

async function run(argv: string[]): Promise<number> {
  const { values, positionals } = parse("verify-file", argv, { ...CONNECTION_OPTIONS, ...REGISTRY_OPTIONS, json: { type: "boolean" } });
  if (positionals.length !== 2) throw new UsageError("give the file and its receipt: certchain verify-file <file> <receipt>");
  const file = requireFile(positionals[0], "file");
  const receiptFile = requireFile(positionals[1], "receipt");
  const registries = await trustedRegistries(values);
  const { digest } = await sha256File(file);
  const result = await verifyDocument(receiptOf(readFileSync(receiptFile, "utf8")), digest, { registries });

  if (values.json) printJson({ file, receipt: receiptFile, ...result });
  else {
    const ok = result.verdict === "valid";
    out(`${ok ? "VALID" : result.verdict.toUpperCase()}  ${file}`);
    if (result.reason) out(`  reason      ${result.reason.code}: ${result.reason.message}`);
    out(`  sha-256     ${result.document.digest}`);
    if (result.document.notarisedDigest !== null) out(`  notarised   ${result.document.notarisedDigest}${result.document.matches ? "  (matches)" : "  (differs)"}`);
    if (result.issuer) out(`  notary      ${result.issuer.name} (${result.issuer.slug})`);
    if (result.anchoredAt) out(`  existed by  ${result.anchoredAt}`);
    const title = result.claims.title;
    if (typeof title === "string") out(`  title       ${title}`);
    if (Array.isArray(result.claims.parties)) out(`  parties     ${result.claims.parties.join(", ")}`);
    if (result.certificate) out(`  receipt     ${result.certificate.number}`);
  }
  return result.verdict === "valid" ? EXIT.OK : EXIT.FAILED;
}

export const verifyFileCommand: Command = { name: "verify-file", help: HELP, run };
