import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import path from "node:path";
import { resolvePendingEnvelope, statusReasonLabel, verifyMany, type TrustedRegistry, type VerificationResult } from "@certchain/sdk";
import { reasonText, VERDICT_LABELS } from "../../display/verdict-texts";
import { formatTime } from "../../display/time";
import { CONNECTION_OPTIONS, parse } from "./args";
import type { Command } from "./command";
import { optionalApiUrl, registryHelp, REGISTRY_OPTIONS, trustedRegistries } from "./connection";
import { colon, lang, t, type Text } from "./i18n";
import { envelopeOf } from "./files";
import { ERRORS_FILE, STATE_FILE } from "./issue";
import { EXIT, UsageError, out, printJson, renderTable, truncate } from "./output";
import { loadShareLinkVerifier } from "./share-links";
import { paperFileKind, presentationFromPdf, qrTextFromImage, type PaperFileKind } from "../lib/paper/read-paper";

const HELP: Text = {
  en: `Usage: certchain verify <file|dir|link> [...] [options]

Verifies certificate files (envelopes), presentations, share links and printouts (the PDF of
\`certchain print\`, or a PNG/JPEG photo or scan of a printed page: its QR code) against the chain: the
issuer's signature and accreditation, the anchor, revocation and validity. Nothing is sent to
the issuer. A directory stands for the .json files in it (e.g. the --out of \`certchain issue\`).
A pending file (issued, not yet anchored) gets its proof from the issuing service when its
address is known (--api, or the demo file), and is then checked on the chain like any other.

Options:
  --json         one JSON result per input (the SDK's verification result) instead of a table
  --checks       list every check under each certificate
  --min-confirmations <n>  blocks an anchor needs [1]
  --lang <zh-CN|en>        language of the table [from LANG; Chinese unless English is asked for]
  --type-host <host>       also learn certificate types from vct URLs on this host (repeatable;
                           the service's own host with --api/--demo); a document is used only
                           if its SHA-256 is the one on the registry
  --share-service <origin>  also open share links of this origin (repeatable); links of the
                 service given by --api, the demo file or CERTCHAIN_API_URL are opened anyway,
                 any other host's are reported as SHARE_HOST_NOT_ALLOWED without being fetched

{registry}

Exit status: 0 when every input is valid, 1 otherwise, 2 usage error.`,
  "zh-CN": `用法：certchain verify <文件|目录|链接> [...] [选项]

对照区块链核验证照文件、展示文件、分享链接和打印件（\`certchain print\` 打印的 PDF，或打印页的 PNG/JPEG 照片、扫描件中的二维码）：发证机关的签名与授权、上链记录、撤销状态和有效期。
不会向发证机关发送任何内容。给出目录时核验其中的全部 .json 文件（如 \`certchain issue\` 的 --out）。
待上链的文件（已签发、尚未上链）会在知道签发服务地址时（--api 或演示文件）向其取回上链证明，
再像其他证照一样对照区块链核验。

选项：
  --json         每个输入输出一个 JSON 结果（SDK 的核验结果），不输出表格
  --checks       在每张证照下列出各项检查
  --min-confirmations <n>  上链记录需要的区块确认数 [1]
  --lang <zh-CN|en>        表格语言 [按 LANG 环境变量；默认中文]
  --type-host <主机>       也从此主机上的 vct 地址获取证照类型定义（可重复；有 --api/--demo 时含该服务的主机）；
                           只有 SHA-256 与登记簿一致的定义才会被使用
  --share-service <源>     另外允许打开此来源（协议、主机、端口）的分享链接（可重复）；--api、演示文件或
                 CERTCHAIN_API_URL 所指服务的链接总可打开，其他网站的链接报 SHARE_HOST_NOT_ALLOWED，不会访问

{registry}

退出码：全部有效为 0，否则为 1，用法错误为 2。`,
};

const M = {
  noSuchFile: { "zh-CN": "找不到文件：{file}", en: "no such file: {file}" },
  noJson: { "zh-CN": "{dir} 里没有 .json 文件", en: "no .json files in {dir}" },
  nothing: { "zh-CN": "没有要核验的内容：请给出证照文件、目录或分享链接（见：certchain verify --help）", en: "nothing to verify: give certificate files, directories or share links (see: certchain verify --help)" },
  minConfirmations: { "zh-CN": "--min-confirmations 应为正整数", en: "--min-confirmations must be a positive integer" },
  badShareService: { "zh-CN": "--share-service 应为 http(s) 来源，如 https://certs.example.gov.cn，收到 {given}", en: "--share-service must be an http(s) origin such as https://certs.example.gov.cn, got {given}" },
  allowHint: { "zh-CN": "（可用 --share-service 允许其来源）", en: " (allow its origin with --share-service)" },
  noShareLinks: { "zh-CN": "此版本不支持分享链接（sdk/share）；请核验证照文件", en: "this build has no share-link support (sdk/share); verify the certificate file instead" },
  headers: { "zh-CN": "输入|结论|证照类型|发证机关|上链时间|原因", en: "INPUT|VERDICT|TYPE|ISSUER|ANCHORED|REASON" },
  skipped: { "zh-CN": "已跳过", en: "skipped" },
  statusReason: { "zh-CN": "撤销原因", en: "reason" },
  suspendReason: { "zh-CN": "暂停原因", en: "reason" },
  since: { "zh-CN": "自 {time} 起", en: "since {time}" },
  summary: { "zh-CN": "\n共核验 {n} 项：{counts}", en: "\n{n} checked: {counts}" },
  count: { "zh-CN": "{word} {n} 项", en: "{n} {word}" },
  noAttachment: { "zh-CN": "这个 PDF 里没有附带证照展示文件（不是 certchain print 打印的？请扫描或拍摄打印件上的二维码再核验）", en: "this PDF carries no certificate presentation (not made by certchain print? verify a scan or photo of its QR code instead)" },
  noQr: { "zh-CN": "图片中没有找到能识别的二维码（请拍得更清楚、更正，或让二维码占画面更大）", en: "no readable QR code in the image (take a sharper, straighter photo, or let the QR code fill more of it)" },
} satisfies Record<string, Text>;

interface Input {
  label: string;
  value?: unknown;
  /** Why the input could not be verified at all (a share link without share-link support). */
  skipped?: { code: string; message: string };
  link?: string;
}

const isLink = (arg: string) => /^https?:\/\//i.test(arg);

async function expand(arg: string): Promise<Input[]> {
  if (isLink(arg)) return [{ label: arg, link: arg }];
  if (!existsSync(arg)) throw new UsageError(t(M.noSuchFile, { file: arg }));
  if (statSync(arg).isDirectory()) {
    const files = readdirSync(arg)
      .filter((name) => name.endsWith(".json") && name !== STATE_FILE && name !== ERRORS_FILE && !name.startsWith("."))
      .sort((a, b) => a.localeCompare(b, "en", { numeric: true }));
    if (files.length === 0) throw new UsageError(t(M.noJson, { dir: arg }));
    return (await Promise.all(files.map((name) => fileInputs(path.join(arg, name))))).flat();
  }
  return fileInputs(arg);
}

/**
 * A printout: the PDF's attached presentation, or the QR code of a photo or scan (PNG, JPEG):
 * its presentation ("CC1:…") or the share link it holds.
 */
async function paperInput(file: string, bytes: Uint8Array, kind: PaperFileKind): Promise<Input> {
  if (kind === "pdf") {
    const text = await presentationFromPdf(bytes);
    return text === undefined ? { label: file, skipped: { code: "PAPER_NO_PRESENTATION", message: t(M.noAttachment) } } : { label: file, value: text };
  }
  const text = qrTextFromImage(bytes);
  if (text === undefined) return { label: file, skipped: { code: "PAPER_NO_QR_CODE", message: t(M.noQr) } };
  return isLink(text.trim()) ? { label: file, link: text.trim() } : { label: file, value: text };
}

/** An envelope, a presentation, an API reply `{ id, status, envelope }`, or a JSON array of them; or a printout (PDF, PNG, JPEG). */
async function fileInputs(file: string): Promise<Input[]> {
  const bytes = readFileSync(file);
  const kind = paperFileKind(bytes);
  if (kind) return [await paperInput(file, bytes, kind)];
  const text = bytes.toString("utf8");
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    // Not JSON: the verifier reports it as malformed, with its own code.
    return [{ label: file, value: text }];
  }
  if (Array.isArray(value)) return value.map((v, i) => ({ label: `${file}[${i}]`, value: envelopeOf(v) }));
  return [{ label: file, value: envelopeOf(value) }];
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
    "share-service": { type: "string", multiple: true },
  });
  if (positionals.length === 0) throw new UsageError(t(M.nothing));
  const inputs = (await Promise.all(positionals.map(expand))).flat();
  const registries: TrustedRegistry[] = await trustedRegistries(values);
  const minConfirmations = values["min-confirmations"] === undefined ? 1 : Number(values["min-confirmations"]);
  if (!Number.isSafeInteger(minConfirmations) || minConfirmations < 1) throw new UsageError(t(M.minConfirmations));

  const files = inputs.filter((i) => !i.link && !i.skipped);
  // Pending files get their proof from the issuing service we know of (the proof is then
  // checked on chain like any other: the service is trusted for nothing).
  const service = optionalApiUrl(values);
  // Share links are opened only from the service we talk to and the origins named here.
  const shareServices = [...shareServicesOf(values["share-service"] ?? []), ...(service ? [service] : [])];
  if (service) {
    for (const input of files) {
      const anchored = await resolvePendingEnvelope(input.value, { proofServices: [service] });
      if (anchored) input.value = anchored;
    }
  }
  // Types this SDK does not ship are learnt from their vct URLs on hosts we know (the service's own,
  // and --type-host); a document is used only if the registry holds its hash.
  const hosts = [...(values["type-host"] ?? []), ...(service ? [new URL(service).host] : [])];
  const types = hosts.length > 0 ? { hosts } : undefined;
  const fileResults = await verifyMany(files.map((i) => i.value), { registries, minConfirmations, types });
  const resultOf = new Map<Input, Outcome["result"]>(files.map((input, i) => [input, fileResults[i]]));
  const links = inputs.filter((i) => i.link && !i.skipped);
  if (links.length > 0) {
    const verifyShareLink = loadShareLinkVerifier();
    for (const input of links) {
      if (!verifyShareLink) input.skipped = { code: "SHARE_LINKS_UNSUPPORTED", message: t(M.noShareLinks) };
      else resultOf.set(input, await verifyShareLink(input.link!, { registries, minConfirmations, types, shareServices, ...(service ? { proofServices: [service] } : {}) }));
    }
  }
  const outcomes: Outcome[] = inputs.map((input) => (input.skipped ? { input: input.label, skipped: input.skipped } : { input: input.label, result: resultOf.get(input)! }));

  if (values.json) printJson(outcomes.map((o) => (o.result ? { input: o.input, ...o.result } : { input: o.input, verdict: "skipped", reason: o.skipped })));
  else printTable(outcomes, Boolean(values.checks));
  return outcomes.every((o) => o.result?.verdict === "valid") ? EXIT.OK : EXIT.FAILED;
}

/** Chinese: the word the pages show (有效, 已撤销 …); English: the verdict itself (valid, revoked …), as scripts expect. */
const verdictWord = (verdict: string): string =>
  lang() === "en" ? verdict : verdict in VERDICT_LABELS ? t(VERDICT_LABELS[verdict as keyof typeof VERDICT_LABELS]) : t(M.skipped);

/** The origins --share-service names, each checked to be http(s). */
function shareServicesOf(given: readonly string[]): string[] {
  return given.map((origin) => {
    try {
      const url = new URL(origin);
      if (url.protocol === "https:" || url.protocol === "http:") return url.origin;
    } catch {
      // reported below
    }
    throw new UsageError(t(M.badShareService, { given: JSON.stringify(origin) }));
  });
}

/** The reason in plain words, with the revocation or suspension reason and since when. */
function reasonColumn(r: NonNullable<Outcome["result"]>): string {
  if (!r.reason) return "";
  const code = r.reason.code;
  const words = reasonText(code);
  const text = words ? t(words) : r.reason.message;
  const parts = [`${text}${code === "SHARE_HOST_NOT_ALLOWED" ? t(M.allowHint) : ""} [${code}]`];
  if ((r.verdict === "revoked" || r.verdict === "suspended") && r.status) {
    parts.push(`${t(r.verdict === "revoked" ? M.statusReason : M.suspendReason)}${colon()}${statusReasonLabel(r.status.reason, lang())}`);
    if (r.status.since) parts.push(t(M.since, { time: formatTime(r.status.since) }));
  }
  return parts.join(lang() === "en" ? "; " : "；");
}

function printTable(outcomes: Outcome[], withChecks: boolean): void {
  // The input is never shortened: a clerk must be able to find the file or row it names.
  const rows = outcomes.map((o) => {
    if (!o.result) return [o.input, t(M.skipped), "", "", "", `${o.skipped!.message} [${o.skipped!.code}]`];
    const r = o.result;
    return [
      o.input,
      verdictWord(r.verdict),
      r.certificate?.type?.names[lang()] ?? r.certificate?.vct ?? "",
      truncate(r.issuer?.name ?? "", 24),
      r.anchoredAt ? formatTime(r.anchoredAt) : "",
      reasonColumn(r),
    ];
  });
  const headers = t(M.headers).split("|");
  if (!withChecks) out(renderTable(headers, rows));
  else {
    outcomes.forEach((o, i) => {
      out(renderTable(headers, [rows[i]]));
      for (const check of o.result?.checks ?? []) out(`    ${check.name.padEnd(10)} ${check.status}${check.code ? `  ${check.code}` : ""}`);
      out();
    });
  }
  const counts = new Map<string, number>();
  for (const o of outcomes) counts.set(o.result?.verdict ?? "skipped", (counts.get(o.result?.verdict ?? "skipped") ?? 0) + 1);
  const list = [...counts].map(([verdict, n]) => t(M.count, { n, word: verdictWord(verdict) })).join(lang() === "en" ? ", " : "，");
  out(t(M.summary, { n: outcomes.length, counts: list }));
}

export const verifyCommand: Command = {
  name: "verify",
  get help() {
    return t(HELP, { registry: registryHelp() });
  },
  run,
};
