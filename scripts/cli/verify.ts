import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import path from "node:path";
import { verifyMany, type TrustedRegistry, type VerificationResult } from "@certchain/sdk";
import { CONNECTION_OPTIONS, parse } from "./args";
import type { Command } from "./command";
import { REGISTRY_HELP, REGISTRY_OPTIONS, loadDemo, trustedRegistries } from "./connection";
import { ERRORS_FILE, STATE_FILE } from "./issue";
import { EXIT, UsageError, out, printJson, renderTable, truncate, truncateMiddle } from "./output";
import { loadShareLinkVerifier } from "./share-links";

const HELP = `Usage: certchain verify <file|dir|link> [...] [options]

Verifies certificate files (envelopes), presentations and share links against the chain: the
issuer's signature and accreditation, the anchor, revocation and validity. Nothing is sent to
the issuer. A directory stands for the .json files in it (e.g. the --out of \`certchain issue\`).

Options:
  --json         one JSON result per input (the SDK's verification result) instead of a table
  --checks       list every check under each certificate
  --min-confirmations <n>  blocks an anchor needs [1]
  --type-host <host>       also learn certificate types from vct URLs on this host (repeatable;
                           the service's own host with --api/--demo); a document is used only
                           if its SHA-256 is the one on the registry

${REGISTRY_HELP}

Exit status: 0 when every input is valid, 1 otherwise, 2 usage error.`;

interface Input {
  label: string;
  value?: unknown;
  /** Why the input could not be verified at all (a share link without share-link support). */
  skipped?: { code: string; message: string };
  link?: string;
}

const isLink = (arg: string) => /^https?:\/\//i.test(arg);

function expand(arg: string): Input[] {
  if (isLink(arg)) return [{ label: arg, link: arg }];
  if (!existsSync(arg)) throw new UsageError(`no such file: ${arg}`);
  if (statSync(arg).isDirectory()) {
    const files = readdirSync(arg)
      .filter((name) => name.endsWith(".json") && name !== STATE_FILE && name !== ERRORS_FILE && !name.startsWith("."))
      .sort((a, b) => a.localeCompare(b, "en", { numeric: true }));
    if (files.length === 0) throw new UsageError(`no .json files in ${arg}`);
    return files.flatMap((name) => fileInputs(path.join(arg, name)));
  }
  return fileInputs(arg);
}

/** An envelope, a presentation, an API reply `{ id, status, envelope }`, or a JSON array of them. */
function fileInputs(file: string): Input[] {
  const text = readFileSync(file, "utf8");
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    // Not JSON: the verifier reports it as malformed, with its own code.
    return [{ label: file, value: text }];
  }
  const unwrap = (v: unknown) => (v && typeof v === "object" && !("format" in v) && "envelope" in v ? (v as { envelope: unknown }).envelope : v);
  if (Array.isArray(value)) return value.map((v, i) => ({ label: `${file}[${i}]`, value: unwrap(v) }));
  return [{ label: file, value: unwrap(value) }];
}

type Outcome = { input: string; result?: Omit<VerificationResult, "reason"> & { reason: { check: string; code: string; message: string } | null }; skipped?: { code: string; message: string } };

async function run(argv: string[]): Promise<number> {
  const { values, positionals } = parse("verify", argv, {
    ...CONNECTION_OPTIONS,
    ...REGISTRY_OPTIONS,
    json: { type: "boolean" },
    checks: { type: "boolean" },
    "min-confirmations": { type: "string" },
    "type-host": { type: "string", multiple: true },
  });
  if (positionals.length === 0) throw new UsageError("nothing to verify: give certificate files, directories or share links (see: certchain verify --help)");
  const inputs = positionals.flatMap(expand);
  const registries: TrustedRegistry[] = await trustedRegistries(values);
  const minConfirmations = values["min-confirmations"] === undefined ? 1 : Number(values["min-confirmations"]);
  if (!Number.isSafeInteger(minConfirmations) || minConfirmations < 1) throw new UsageError("--min-confirmations must be a positive integer");

  const apiUrl = values.api ?? loadDemo(values)?.apiUrl ?? process.env.CERTCHAIN_API_URL;
  const hosts = [...(values["type-host"] ?? []), ...(apiUrl ? [new URL(apiUrl).host] : [])];
  const types = hosts.length > 0 ? { hosts } : undefined;
  const files = inputs.filter((i) => !i.link);
  const fileResults = await verifyMany(files.map((i) => i.value), { registries, minConfirmations, types });
  const resultOf = new Map<Input, Outcome["result"]>(files.map((input, i) => [input, fileResults[i]]));
  const links = inputs.filter((i) => i.link);
  if (links.length > 0) {
    const verifyShareLink = loadShareLinkVerifier();
    for (const input of links) {
      if (!verifyShareLink) input.skipped = { code: "SHARE_LINKS_UNSUPPORTED", message: "this build has no share-link support (sdk/share); verify the certificate file instead" };
      else resultOf.set(input, await verifyShareLink(input.link!, { registries, minConfirmations, types }));
    }
  }
  const outcomes: Outcome[] = inputs.map((input) => (input.skipped ? { input: input.label, skipped: input.skipped } : { input: input.label, result: resultOf.get(input)! }));

  if (values.json) printJson(outcomes.map((o) => (o.result ? { input: o.input, ...o.result } : { input: o.input, verdict: "skipped", reason: o.skipped })));
  else printTable(outcomes, Boolean(values.checks));
  return outcomes.every((o) => o.result?.verdict === "valid") ? EXIT.OK : EXIT.FAILED;
}

function printTable(outcomes: Outcome[], withChecks: boolean): void {
  const rows = outcomes.map((o) => {
    if (!o.result) return [truncateMiddle(o.input, 48), "skipped", "", "", "", `${o.skipped!.code}: ${o.skipped!.message}`];
    const r = o.result;
    return [
      truncateMiddle(o.input, 48),
      r.verdict,
      r.certificate?.type?.names["zh-CN"] ?? r.certificate?.vct ?? "",
      truncate(r.issuer?.name ?? "", 24),
      r.anchoredAt ? r.anchoredAt.replace(".000Z", "Z") : "",
      r.reason ? `${r.reason.code}: ${r.reason.message}` : "",
    ];
  });
  if (!withChecks) out(renderTable(["INPUT", "VERDICT", "TYPE", "ISSUER", "ANCHORED", "REASON"], rows));
  else {
    outcomes.forEach((o, i) => {
      out(renderTable(["INPUT", "VERDICT", "TYPE", "ISSUER", "ANCHORED", "REASON"], [rows[i]]));
      for (const check of o.result?.checks ?? []) out(`    ${check.name.padEnd(10)} ${check.status}${check.code ? `  ${check.code}` : ""}`);
      out();
    });
  }
  const counts = new Map<string, number>();
  for (const o of outcomes) counts.set(o.result?.verdict ?? "skipped", (counts.get(o.result?.verdict ?? "skipped") ?? 0) + 1);
  out(`\n${outcomes.length} checked: ${[...counts].map(([verdict, n]) => `${n} ${verdict}`).join(", ")}`);
}

export const verifyCommand: Command = { name: "verify", help: HELP, run };
