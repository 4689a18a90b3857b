import { existsSync } from "node:fs";
import { notarisationReceipt } from "@certchain/sdk";
import { CONNECTION_HELP, CONNECTION_OPTIONS, intOption, parse } from "./args";
import { waitUntilAnchored, type CertificateView } from "./certificates";
import type { Command } from "./command";
import { connect } from "./connection";
import { requireFile, sha256File, sha256Hex, writeFileAtomic } from "./files";
import { EXIT, UsageError, err, out, printJson } from "./output";

const HELP = `Usage: certchain notarise <file> [--party <name> …] [options]

Hashes the file here (SHA-256; the file never leaves this machine), sends the digest and the
metadata to POST /v1/notarisations with a notary office's token, and writes the receipt to
<file>.receipt.json. Check a file against it later with \`certchain verify-file\`.

Options:
  --party <name>       a party to the document (repeatable; optional)
  --title <text>       the document's title
  --notes <text>       notes recorded in the receipt
  --out <file>         where the receipt goes [<file>.receipt.json]
  --force              overwrite an existing receipt file
  --wait               wait until the receipt is anchored before writing it (recommended: a
                       pending receipt cannot be verified yet)
  --timeout <seconds>  longest wait with --wait [300]
  --json               print the receipt record as JSON

${CONNECTION_HELP}

Rerunning the same command is safe: the request carries an Idempotency-Key derived from the
digest and metadata, so the service returns the same receipt instead of issuing another.`;

async function run(argv: string[]): Promise<number> {
  const { values, positionals } = parse("notarise", argv, {
    ...CONNECTION_OPTIONS,
    party: { type: "string", multiple: true },
    title: { type: "string" },
    notes: { type: "string" },
    out: { type: "string" },
    force: { type: "boolean" },
    wait: { type: "boolean" },
    timeout: { type: "string" },
    json: { type: "boolean" },
  });
  if (positionals.length !== 1) throw new UsageError("give exactly one file to notarise (see: certchain notarise --help)");
  const file = requireFile(positionals[0], "file");
  const parties = (values.party ?? []).map((p) => p.trim()).filter((p) => p !== "");
  const receiptFile = values.out ?? `${file}.receipt.json`;
  if (existsSync(receiptFile) && !values.force) throw new UsageError(`${receiptFile} already exists; use --force to overwrite it or --out <file>`);
  const timeoutMs = intOption("timeout", values.timeout, 300, 1, 86_400) * 1000;

  const { client } = connect(values, { kind: "agency", type: notarisationReceipt.id });
  const { digest, size } = await sha256File(file);
  const body = { digest, size, ...(parties.length > 0 ? { parties } : {}), ...(values.title ? { title: values.title } : {}), ...(values.notes ? { notes: values.notes } : {}) };
  const idempotencyKey = `certchain-cli-notarise-${sha256Hex(JSON.stringify(body))}`;
  let receipt = await client.post<CertificateView>("/v1/notarisations", { body, idempotencyKey });

  if (values.wait && receipt.status === "pending") {
    const { anchored } = await waitUntilAnchored(client, [receipt.id], { timeoutMs });
    if (anchored.length === 0) {
      writeFileAtomic(receiptFile, `${JSON.stringify(receipt.envelope, null, 2)}\n`);
      err(`the receipt ${receipt.id} is still pending after ${timeoutMs / 1000} s; wrote the pending receipt to ${receiptFile}. Rerun with --wait --force to fetch the anchored one.`);
      return EXIT.FAILED;
    }
    receipt = anchored[0];
  }
  writeFileAtomic(receiptFile, `${JSON.stringify(receipt.envelope, null, 2)}\n`);

  if (values.json) printJson({ id: receipt.id, status: receipt.status, digest, size, receipt: receiptFile });
  else {
    out(`notarised ${file}`);
    out(`  sha-256   ${digest}`);
    out(`  size      ${size} bytes`);
    out(`  receipt   ${receiptFile} (${receipt.id}, ${receipt.status})`);
    if (receipt.status === "pending") out("  the receipt is pending until its batch is anchored; rerun with --wait --force to fetch the anchored receipt");
  }
  return EXIT.OK;
}

export const notariseCommand: Command = { name: "notarise", help: HELP, run };
