import { readFileSync } from "node:fs";
import {
  createShare,
  disclosablePaths,
  isCertchainError,
  parseEnvelope,
  presentCredential,
  resolvePendingEnvelope,
  shareLinkOf,
  verify,
  MAX_SHARE_LIFETIME_MS,
  PAPER_PREFIX,
  type Envelope,
} from "@certchain/sdk";
import { reasonText, VERDICT_LABELS } from "../../display/verdict-texts";
import { claimLabelOf } from "../../display/claim-labels";
import { formatTime } from "../../display/time";
import { printedQrMillimetres, renderCertificatePdf } from "../lib/paper/certificate-pdf";
import { paperQrOf, type ShareLinkMaker } from "../../display/paper-qr";
import { CONNECTION_OPTIONS, intOption, parse } from "./args";
import type { Command } from "./command";
import { optionalApiUrl, registryHelp, REGISTRY_OPTIONS, servicePublicUrl, trustedRegistries } from "./connection";
import { envelopeOf, writeFileAtomic } from "./files";
import { createApiClient } from "./http-client";
import { lang, t, type Text } from "./i18n";
import { CommandFailed, EXIT, UsageError, out } from "./output";
import { revealPaths } from "./reveal-paths";

const HELP: Text = {
  en: `Usage: certchain print <certificate file> --out <file.pdf> [--reveal a,b,c] [options]

Prints a certificate as an A4 PDF: the revealed details under the type's labels (Chinese, with
English beneath), the issuing agency and the time the chain recorded it, and a QR code holding
the whole presentation (only the revealed details) with its Merkle proof, so the paper verifies
against the chain with no server: \`certchain verify <the PDF or a photo of it>\`, or the /verify
page. The presentation file is attached inside the PDF as well.

If the presentation does not fit a QR code printed with 0.5 mm modules (QR version 30), the
QR code becomes a share link made through the service (--api, or the demo file): the printout
then says that it needs the internet and stops working when the link expires.

Options:
  --out <file.pdf>     where to write the PDF (required)
  --reveal <claims>    the details to show, comma-separated: claim names or their labels, in
                       Chinese or English, as CSV headers (company_name,名称 or Company name;
                       nested parts after a dot: spouses.0.name); default: all of them.
                       See \`certchain types show <type>\` for the names and labels.
  --link-days <n>      lifetime of a fallback share link, 1-30 days [30]
  --no-link            never fall back to a share link: fail when it does not fit
  --json               print what was done as JSON

{registry}

Exit status: 0 printed, 1 not printed (the certificate is not valid, or it does not fit), 2 usage error.`,
  "zh-CN": `用法：certchain print <证照文件> --out <文件.pdf> [--reveal a,b,c] [选项]

把证照打印成 A4 PDF：按证照类型的中文名称（下附英文）列出选择展示的信息、发证机关和区块链记录的上链时间，
以及一个二维码。二维码里是完整的展示数据（只含选择展示的信息）和上链证明，纸质件无需任何服务器即可对照
区块链核验：\`certchain verify <PDF 或照片>\`，或在“验证电子证照”页面（/verify）扫码。PDF 内还附有展示文件。

如果展示数据放不进模块为 0.5 毫米的二维码（二维码版本 30），二维码改为通过服务（--api 或演示文件）创建的
分享链接：打印件会注明扫码需要联网、链接过期后失效。

选项：
  --out <文件.pdf>     输出的 PDF 文件（必填）
  --reveal <信息>      要展示的信息，用逗号分隔：字段名或中英文标签，与 CSV 表头相同（如 名称,统一社会信用代码
                       或 company_name；嵌套项用点号：双方当事人.0.姓名）；默认全部展示。
                       字段名和标签见 \`certchain types show <类型>\`。
  --link-days <n>      备用分享链接的有效天数，1-30 [30]
  --no-link            放不下时不改用分享链接，直接报错
  --json               以 JSON 输出结果

{registry}

退出码：0 已打印，1 未打印（证照无效或放不下），2 用法错误。`,
};

const M = {
  oneFile: { en: "give one certificate file: certchain print <file> --out <file.pdf>", "zh-CN": "请给出一个证照文件：certchain print <文件> --out <文件.pdf>" },
  noOut: { en: "missing --out <file.pdf>", "zh-CN": "缺少 --out <文件.pdf>" },
  notCertificate: { en: "{file} is not a certificate file: {problem}", "zh-CN": "{file} 不是证照文件：{problem}" },
  pending: { en: "{file} is not anchored yet: print it once the batch is on the chain (certchain get <id> --wait)", "zh-CN": "{file} 尚未上链：请等批次上链后再打印（certchain get <编号> --wait）" },
  notValid: { en: "not printed: the certificate is {verdict}: {reason} [{code}]", "zh-CN": "未打印：证照核验结果为“{verdict}”：{reason} [{code}]" },
  tooLarge: {
    en: "not printed: {problem}; reveal fewer details, or allow a share link (drop --no-link, give --api)",
    "zh-CN": "未打印：展示数据放不进打印的二维码（{problem}）；请少展示几项信息，或允许改用分享链接（去掉 --no-link 并给出 --api）",
  },
  noService: { en: "no service to make a share link with (give --api)", "zh-CN": "没有可创建分享链接的服务（请给出 --api）" },
  written: {
    en: "wrote {file} ({kb} KB): QR code {kind}, version {version}, {chars} characters, {edge} mm wide with {module} mm modules; revealed: {revealed}",
    "zh-CN": "已写出 {file}（{kb} KB）：二维码为{kind}，版本 {version}，{chars} 个字符，宽 {edge} 毫米，模块 {module} 毫米；展示：{revealed}",
  },
  payloadKind: { en: "the presentation (CC1)", "zh-CN": "展示数据（CC1）" },
  linkKind: { en: "a share link until {expires}", "zh-CN": "分享链接（有效期至 {expires}）" },
  none: { en: "nothing", "zh-CN": "无" },
} satisfies Record<string, Text>;

function readEnvelope(file: string): Envelope {
  const text = readFileSync(file, "utf8");
  try {
    return parseEnvelope(envelopeOf(JSON.parse(text)));
  } catch (error) {
    throw new UsageError(t(M.notCertificate, { file, problem: error instanceof Error ? error.message : String(error) }));
  }
}

async function run(argv: string[]): Promise<number> {
  const { values, positionals } = parse("print", argv, {
    ...CONNECTION_OPTIONS,
    ...REGISTRY_OPTIONS,
    out: { type: "string" },
    reveal: { type: "string" },
    "link-days": { type: "string" },
    link: { type: "boolean" },
    json: { type: "boolean" },
  });
  if (positionals.length !== 1) throw new UsageError(t(M.oneFile));
  if (!values.out) throw new UsageError(t(M.noOut));
  const linkDays = intOption("link-days", values["link-days"], 30, 1, MAX_SHARE_LIFETIME_MS / 86_400_000);
  const file = positionals[0];
  let envelope = readEnvelope(file);

  const service = optionalApiUrl(values);
  if (envelope.anchor.status === "pending" && service) envelope = (await resolvePendingEnvelope(envelope, { proofServices: [service] })) ?? envelope;
  if (envelope.anchor.status === "pending") throw new CommandFailed(t(M.pending, { file }));

  const registries = await trustedRegistries(values);
  const full = await verify(envelope, { registries });
  const paths = revealPaths(values.reveal, full.claims, full.certificate?.type, disclosablePaths(envelope));
  const reveal = paths.map((path) => path.join("."));
  const presentation = presentCredential(envelope, paths);
  // What is printed is what a scan will show: the presentation as the chain judges it now.
  const result = await verify(presentation, { registries });
  if (result.verdict !== "valid") {
    const code = result.reason?.code ?? "";
    const words = reasonText(code);
    const reason = words ? t(words) : (result.reason?.message ?? "");
    // One language: the pages' word for the verdict in Chinese, the verdict itself in English (as `verify` prints it).
    const verdict = lang() === "en" ? result.verdict : t(VERDICT_LABELS[result.verdict]);
    throw new CommandFailed(t(M.notValid, { verdict, reason, code }));
  }

  const makeShareLink: ShareLinkMaker | undefined =
    values.link === false
      ? undefined
      : async (shown) => {
          if (!service) throw new CommandFailed(t(M.noService));
          // Encrypted here; the service stores ciphertext and never sees the key (URL fragment).
          const { ciphertext, key } = await createShare(shown);
          const client = createApiClient({ baseUrl: service });
          const created = await client.post<{ id: string; expiresAt: string }>("/v1/shares", {
            body: { ciphertext, expiresAt: new Date(Date.now() + linkDays * 86_400_000 - 60_000).toISOString() },
          });
          return { link: shareLinkOf(service, created.id, key), expiresAt: created.expiresAt };
        };
  let qr;
  try {
    qr = await paperQrOf(presentation, makeShareLink);
  } catch (error) {
    if (isCertchainError(error, "PAPER_TOO_LARGE")) throw new CommandFailed(t(M.tooLarge, { problem: error.message }));
    throw error;
  }
  // The paper names the verify page of the service we print through; without one, any verifier.
  const verifyUrl = service ? `${await servicePublicUrl(service)}/verify` : undefined;
  const pdf = await renderCertificatePdf({ presentation, result, qr, verifyUrl });
  writeFileAtomic(values.out, pdf);
  const size = printedQrMillimetres(qr.text);
  const summary = {
    file: values.out,
    bytes: pdf.length,
    revealed: reveal,
    verifyUrl: verifyUrl ?? null,
    qr: { kind: qr.kind, version: qr.version, characters: qr.text.length, edgeMm: Number(size.edge.toFixed(1)), moduleMm: Number(size.module.toFixed(2)), expiresAt: qr.expiresAt ?? null },
    // The presentation's QR text (even when a share link was printed instead): characters, and its bytes after deflate.
    payload: { version: qr.payloadVersion, characters: qr.payloadLength, bytes: Math.floor(((qr.payloadLength - PAPER_PREFIX.length) * 2) / 3) },
  };
  if (values.json) out(JSON.stringify(summary, null, 2));
  else
    out(
      t(M.written, {
        file: values.out,
        kb: (pdf.length / 1024).toFixed(1),
        kind: qr.kind === "payload" ? t(M.payloadKind) : t(M.linkKind, { expires: formatTime(qr.expiresAt) }),
        version: qr.version,
        chars: qr.text.length,
        edge: size.edge.toFixed(1),
        module: size.module.toFixed(2),
        // Under the labels the printout uses, in the run's language (the names are in --json).
        revealed: paths.length > 0 ? paths.map((path) => claimLabelOf(result.certificate?.type, path)?.[lang()] ?? path.join(".")).join(lang() === "en" ? ", " : "、") : t(M.none),
      }),
    );
  return EXIT.OK;
}

export const printCommand: Command = {
  name: "print",
  get help() {
    return t(HELP, { registry: registryHelp() });
  },
  run,
};
