// The fixed words of a printed certificate, Chinese first with English beneath (the wallet's
// print page uses the same ones, so a paper looks the same whichever way it was printed).
import type { LocalisedText } from "@certchain/sdk";

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
  howToVerify: {
    "zh-CN": "核验：用手机或扫码枪在“验证电子证照”页面（/verify）扫码或上传照片，或运行 certchain verify <本 PDF 或照片>。核验对照区块链进行，无需联系发证机关。",
    en: "To verify: scan the code or upload a photo on the “Verify a certificate” page (/verify), or run certchain verify <this PDF or a photo>. It is checked against the blockchain, without contacting the issuing agency.",
  },
  footer: {
    "zh-CN": "打印时间",
    en: "This PDF also carries the certificate's presentation file as an attachment, which certchain verify reads.",
  },
} as const satisfies Record<string, LocalisedText>;
