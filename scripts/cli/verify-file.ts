import { readFileSync } from "node:fs";
import { verifyDocument } from "@certchain/sdk";
import { CONNECTION_OPTIONS, parse } from "./args";
import type { Command } from "./command";
import { registryHelp, REGISTRY_OPTIONS, trustedRegistries } from "./connection";
import { envelopeOf, requireFile, sha256File } from "./files";
import { reasonText, VERDICT_LABELS } from "../../display/verdict-texts";
import { formatTime } from "../../display/time";
import { lang, t, type Text } from "./i18n";
import { EXIT, UsageError, out, printJson } from "./output";

const HELP: Text = {
  en: `Usage: certchain verify-file <file> <receipt> [options]

Checks that <file> is the document a notarisation receipt is about: the receipt is verified
like any certificate (notary office, anchor, revocation), and the file's SHA-256, computed
here, must equal the notarised digest. A file that differs by one byte fails with
DOCUMENT_MISMATCH.

Options:
  --json    the verification result as JSON

{registry}

Exit status: 0 when the receipt is valid and the file matches, 1 otherwise, 2 usage error.`,
  "zh-CN": `用法：certchain verify-file <文件> <回执> [选项]

核对 <文件> 是否就是公证回执所指的文件：回执像其他证照一样核验（公证处、上链记录、撤销状态），
文件的 SHA-256 摘要在本机计算，必须与回执中的摘要一致。哪怕改动一个字节也会以 DOCUMENT_MISMATCH 失败。

选项：
  --json    以 JSON 输出核验结果

{registry}

退出码：回执有效且文件一致为 0，否则为 1，用法错误为 2。`,
};

const M = {
  two: { "zh-CN": "请给出文件和它的回执：certchain verify-file <文件> <回执>", en: "give the file and its receipt: certchain verify-file <file> <receipt>" },
  file: { "zh-CN": "文件", en: "file" },
  receipt: { "zh-CN": "回执", en: "receipt" },
} satisfies Record<string, Text>;

const DOCUMENT_REASONS: Record<string, string> = {
  DOCUMENT_MISMATCH: "文件与公证时的文件不一致（哪怕只改了一个字节）。",
  DOCUMENT_DIGEST_WITHHELD: "回执没有展示文件摘要，无法比对文件。",
  NOT_A_NOTARISATION_RECEIPT: "这不是公证回执。",
};

/** A document or certificate reason in Chinese; the SDK's message where there is no translation. */
const documentReason = (code: string, message: string): string =>
  DOCUMENT_REASONS[code] ?? reasonText(code)?.["zh-CN"] ?? message;

/** The receipt envelope, also from an API reply `{ id, status, envelope }`; other text as it is (the verifier reports it). */
function receiptOf(text: string): unknown {
  try {
    return envelopeOf(JSON.parse(text));
  } catch {
    return text;
  }
}

async function run(argv: string[]): Promise<number> {
  const { values, positionals } = parse("verify-file", argv, { ...CONNECTION_OPTIONS, ...REGISTRY_OPTIONS, json: { type: "boolean" } });
  if (positionals.length !== 2) throw new UsageError(t(M.two));
  const file = requireFile(positionals[0], t(M.file));
  const receiptFile = requireFile(positionals[1], t(M.receipt));
  const registries = await trustedRegistries(values);
  const { digest } = await sha256File(file);
  const result = await verifyDocument(receiptOf(readFileSync(receiptFile, "utf8")), digest, { registries });

  if (values.json) printJson({ file, receipt: receiptFile, ...result });
  else {
    const ok = result.verdict === "valid";
    const zh = lang() === "zh-CN";
    const line = (en: string, cn: string, value: string) => out(`  ${(zh ? cn : en).padEnd(zh ? 8 : 11)} ${value}`);
    out(`${ok ? (zh ? "有效" : "VALID") : zh ? t(VERDICT_LABELS[result.verdict]) : result.verdict.toUpperCase()}  ${file}`);
    if (result.reason) line("reason", "原因", `${result.reason.code}: ${zh ? documentReason(result.reason.code, result.reason.message) : result.reason.message}`);
    line("sha-256", "SHA-256", result.document.digest ?? "—");
    if (result.document.notarisedDigest !== null) {
      line("notarised", "回执摘要", `${result.document.notarisedDigest}${result.document.matches ? (zh ? "（一致）" : "  (matches)") : zh ? "（不一致）" : "  (differs)"}`);
    }
    if (result.issuer) line("notary", "公证处", `${result.issuer.name} (${result.issuer.slug})`);
    if (result.anchoredAt) line("existed by", "存在于", formatTime(result.anchoredAt));
    const title = result.claims.title;
    if (typeof title === "string") line("title", "标题", title);
    if (Array.isArray(result.claims.parties)) line("parties", "当事人", result.claims.parties.join(zh ? "、" : ", "));
    if (result.certificate) line("receipt", "回执编号", result.certificate.number);
  }
  return result.verdict === "valid" ? EXIT.OK : EXIT.FAILED;
}

export const verifyFileCommand: Command = {
  name: "verify-file",
  get help() {
    return t(HELP, { registry: registryHelp() });
  },
  run,
};
