// What a printed certificate says, whoever prints it: `certchain print` (a PDF) and the wallet's
// print view (the browser's own printing) lay out the same content, Chinese first with English
// beneath. Pure: no DOM, no Node.
import { PAPER_MODULE_MM, type LocalisedText, type VerificationResult } from "@certchain/sdk";
import { claimLabelOf, claimOrderOf, type ClaimPath, type ResultType } from "./claim-labels";
import { formatDate, formatTime } from "./time";

/** What the QR code holds: the presentation itself ("CC1:…"), or a share link when it does not fit. */
export interface PaperQr {
  text: string;
  kind: "payload" | "share-link";
  /** QR version (error correction M). */
  version: number;
  /** For a share link: when it stops working. */
  expiresAt?: string;
}

export const PAPER_TEXTS = {
  header: { "zh-CN": "电子证照打印件", en: "Printout of an electronic certificate" },
  number: { "zh-CN": "证照编号", en: "Certificate number" },
  revealed: { "zh-CN": "持证人选择展示的信息", en: "Details the holder chose to show" },
  noneRevealed: { "zh-CN": "未展示任何个人信息", en: "No personal details shown" },
  withheld: { "zh-CN": "未展示", en: "Not shown" },
  issuer: { "zh-CN": "发证机关", en: "Issuing agency" },
  anchoredAt: { "zh-CN": "上链时间", en: "Recorded on the chain" },
  validity: { "zh-CN": "有效期", en: "Valid" },
  noEnd: { "zh-CN": "长期", en: "no end date" },
  attestsPayload: {
    "zh-CN": "二维码内含本证照经发证机关签名的数据。只有扫码后显示的信息经过证明；如与本页印刷的文字不一致，以扫码结果为准。",
    en: "The QR code holds this certificate's data as signed by the issuing agency. Only the values a scan shows are attested; where they differ from the text printed here, the scan is what counts.",
  },
  attestsLink: {
    "zh-CN": "证照数据太多，二维码放不下，因此二维码是一个分享链接：扫码需要联网，链接过期或被撤回后无法再核验。",
    en: "The certificate's data does not fit a QR code, so the QR code is a share link: scanning it needs the internet, and it stops working when the link expires or is withdrawn.",
  },
  linkExpires: { "zh-CN": "链接有效期至", en: "The link works until" },
  printedAt: { "zh-CN": "打印时间", en: "Printed" },
  attachment: {
    "zh-CN": "本 PDF 内附证照展示文件，certchain verify 可直接核验本 PDF。",
    en: "This PDF also carries the certificate's presentation file as an attachment, which certchain verify reads.",
  },
} as const satisfies Record<string, LocalisedText>;

/** The QR code is printed at least this wide: small payloads get larger modules. */
const MIN_QR_MM = 45;
/** The light border every QR code needs around it, in modules (ISO/IEC 18004). */
export const QR_QUIET_MODULES = 4;

/** The printed size of a QR code of `modules` modules a side: 0.5 mm modules, at least 45 mm across with the quiet zone. */
export function qrPrintMillimetres(modules: number): { edge: number; module: number } {
  const total = modules + 2 * QR_QUIET_MODULES;
  const module = Math.max(PAPER_MODULE_MM, MIN_QR_MM / total);
  return { module, edge: module * total };
}

/**
 * How to verify the paper: at the service's own verify page when the printer knows it (the
 * wallet's origin, the CLI's service), else with any certchain verifier; always from the chain.
 */
export function howToVerify(verifyUrl?: string): LocalisedText {
  const where = verifyUrl
    ? { "zh-CN": `用手机或扫码枪打开 ${verifyUrl} 扫码或上传照片`, en: `open ${verifyUrl} on a phone and scan the code or upload a photo` }
    : { "zh-CN": "用任一 certchain 服务的“验证电子证照”页面（网址以 /verify 结尾）扫码或上传照片", en: "scan the code or upload a photo on the “Verify a certificate” page (/verify) of any certchain service" };
  return {
    "zh-CN": `核验：${where["zh-CN"]}，或运行 certchain verify <本 PDF 或照片>；任何 certchain 核验工具都可以。核验对照区块链进行，无需联系发证机关。`,
    en: `To verify: ${where.en}, or run certchain verify <this PDF or a photo>; any certchain verifier will do. It is checked against the blockchain, without contacting the issuing agency.`,
  };
}

/** One printed row: a label pair and the value's text (a nested object's fields: one line each, labelled). */
export interface PrintoutRow {
  label: LocalisedText;
  value: string;
}

const scalarText = (value: unknown): string => {
  if (value === null || value === undefined) return "—";
  if (typeof value === "string") return value;
  if (typeof value === "number" || typeof value === "boolean") return String(value);
  return JSON.stringify(value);
};

const fallbackLabel = (path: ClaimPath): LocalisedText => {
  const text = path.map(String).join(".");
  return { "zh-CN": text, en: text };
};

/** A nested object's fields as lines "姓名 Name：周立恒". */
function fieldLines(type: ResultType, path: ClaimPath, value: object): string {
  return Object.entries(value)
    .map(([k, v]) => {
      const label = claimLabelOf(type, [...path, k]) ?? fallbackLabel([...path, k]);
      return `${label["zh-CN"]} ${label.en}：${typeof v === "object" && v !== null ? JSON.stringify(v) : scalarText(v)}`;
    })
    .join("\n");
}

/** The rows of one claim: a value; an object's fields; an array of objects one row per element. */
function rowsOf(type: ResultType, path: ClaimPath, value: unknown): PrintoutRow[] {
  const label = claimLabelOf(type, path) ?? fallbackLabel(path);
  if (Array.isArray(value) && value.some((v) => typeof v === "object" && v !== null)) return value.flatMap((v, i) => rowsOf(type, [...path, i], v));
  if (Array.isArray(value)) return [{ label, value: value.map(scalarText).join("；") }];
  if (typeof value === "object" && value !== null) return [{ label, value: fieldLines(type, path, value) }];
  return [{ label, value: scalarText(value) }];
}

/** The revealed claims as rows, in the type's order, then anything else the presentation carries. */
export function claimRows(result: VerificationResult): PrintoutRow[] {
  const type = result.certificate?.type;
  const order = claimOrderOf(type);
  const rank = (name: string) => (order.indexOf(name) === -1 ? order.length : order.indexOf(name));
  return Object.entries(result.claims)
    .sort(([a], [b]) => rank(a) - rank(b))
    .flatMap(([name, value]) => rowsOf(type, [name], value));
}


/** Everything a printout shows besides the QR code itself; `verifyUrl`: the verify page to name, when known. */
export function printoutOf(result: VerificationResult, qr: PaperQr, verifyUrl?: string) {
  const certificate = result.certificate!;
  const P = PAPER_TEXTS;
  const typeNames: LocalisedText = certificate.type?.names ?? { "zh-CN": certificate.vct, en: certificate.vct };
  const withheld = result.withheld.map((name) => claimLabelOf(certificate.type, [name]) ?? fallbackLabel([name]));
  const facts: PrintoutRow[] = [
    { label: P.issuer, value: result.issuer?.name ?? "—" },
    { label: P.anchoredAt, value: formatTime(result.anchoredAt) },
    { label: P.validity, value: `${formatDate(certificate.validFrom ?? certificate.issuedAt)} — ${certificate.validUntil ? formatDate(certificate.validUntil) : `${P.noEnd["zh-CN"]} / ${P.noEnd.en}`}` },
  ];
  const expiry = formatTime(qr.expiresAt);
  const how = howToVerify(verifyUrl);
  const attests: LocalisedText[] =
    qr.kind === "payload" ? [P.attestsPayload, how] : [P.attestsLink, { "zh-CN": `${P.linkExpires["zh-CN"]} ${expiry}`, en: `${P.linkExpires.en} ${expiry}` }, how];
  return { typeNames, number: certificate.number, rows: claimRows(result), withheld, facts, attests };
}
