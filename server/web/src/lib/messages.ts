// The pages' own words (the verdict's symbol, headings, notes); what the CLI prints as well is in
// display/verdict-texts.ts.
import type { Verdict } from "@certchain/sdk";
import type { Text } from "./i18n";

/** A symbol beside the word, so the verdict never rests on colour alone (decorative: the word says it). */
export const VERDICT_SYMBOLS: Record<Verdict, string> = {
  valid: "✓",
  revoked: "✕",
  suspended: "‖",
  expired: "⌛",
  invalid: "✕",
  unverifiable: "?",
  pending: "…",
};

export const VALID_EXPLANATION: Text = {
  "zh-CN": "发证机关的签名、区块链上的签发记录和证照状态均已核验无误。",
  en: "The issuing agency's signature, the record on the blockchain and the certificate's status all check out.",
};

export const T = {
  checking: { "zh-CN": "正在验证…", en: "Verifying…" },
  paperAttests: {
    "zh-CN": "这是打印件二维码里的内容。只有下面显示的信息经过发证机关签名证明：请与纸面上印刷的文字逐项核对，不一致时以这里显示的为准。",
    en: "This is what the printout's QR code holds. Only the details shown below are attested by the issuing agency: compare them with the printed text; where they differ, what is shown here counts.",
  },
  verdictHeading: { "zh-CN": "验证结果", en: "Verification result" },
  issuer: { "zh-CN": "发证机关", en: "Issuing agency" },
  issuerUnconfirmed: { "zh-CN": "（未经区块链确认）", en: "(not confirmed by the blockchain)" },
  number: { "zh-CN": "证照编号", en: "Certificate number" },
  anchoredAt: { "zh-CN": "上链时间", en: "Recorded on chain" },
  issuedAt: { "zh-CN": "签发时间", en: "Issued" },
  validity: { "zh-CN": "有效期", en: "Valid" },
  registry: { "zh-CN": "区块链登记簿", en: "Blockchain registry" },
  statusSince: { "zh-CN": "状态变更时间", en: "Status changed" },
  statusReason: { "zh-CN": "原因", en: "Reason" },
  revealed: { "zh-CN": "持证人展示的信息", en: "Information the holder shows" },
  noneRevealed: { "zh-CN": "持证人没有展示任何个人信息，仅证明持有此证照。", en: "The holder shows no personal details, only that they hold this certificate." },
  withheld: { "zh-CN": "持证人未展示的信息", en: "Information the holder keeps private" },
  withheldNote: { "zh-CN": "以下信息证照上有，但持证人选择不展示：", en: "The certificate holds these, but the holder chose not to show them:" },
  unknownType: { "zh-CN": "未知类型的证照", en: "Unknown certificate type" },
  linkExpires: { "zh-CN": "此分享链接有效期至", en: "This share link works until" },
  verifyAgain: { "zh-CN": "重新验证", en: "Verify again" },
  unexpected: { "zh-CN": "页面出错了，请刷新后重试。", en: "Something went wrong on this page. Reload and try again." },
  // The share page's closing note: what happened to the link's certificate in this browser.
  aboutChecking: {
    "zh-CN": "证照在本浏览器中解密，并对照区块链记录验证；链接中的密钥不会发送给服务器。",
    en: "The certificate is decrypted and verified in this browser against the blockchain; the link's key never leaves this device.",
  },
  aboutVerified: {
    "zh-CN": "证照在本浏览器中解密，并对照区块链记录完成验证；链接中的密钥不会发送给服务器。",
    en: "The certificate was decrypted and verified in this browser against the blockchain; the link's key never left this device.",
  },
  aboutUnchecked: {
    "zh-CN": "证照已在本浏览器中解密，但未能对照区块链完成验证；链接中的密钥不会发送给服务器。",
    en: "The certificate was decrypted in this browser, but it could not be checked against the blockchain; the link's key never left this device.",
  },
  aboutNotDecrypted: {
    "zh-CN": "链接中的密钥解不开这份证照，所以没有解密，也没有验证任何内容。密钥没有发送给服务器。",
    en: "The link's key did not open the certificate, so nothing was decrypted or verified. The key was not sent to the server.",
  },
  aboutNothingOpened: {
    "zh-CN": "这个链接没有打开任何证照，所以没有解密，也没有验证任何内容。",
    en: "This link opened no certificate, so nothing was decrypted or verified.",
  },
  aboutFailed: { "zh-CN": "页面出错，验证没有完成。", en: "The page failed before the check was finished." },
  tampered: {
    "zh-CN": "证照内容已被改动，与发证机关签发的不一致，因此不显示其中的任何信息。",
    en: "The certificate's content has been altered: it no longer matches what the issuing agency signed, so none of it is shown.",
  },
} satisfies Record<string, Text>;

/**
 * Reasons that mean the content was changed after the agency signed it: its claims cannot be
 * trusted, so pages say "tampered" instead of listing them (or saying nothing was revealed).
 */
export const TAMPERED_CODES: ReadonlySet<string> = new Set([
  "INTEGRITY_UNREFERENCED_DISCLOSURE",
  "INTEGRITY_DUPLICATE_DISCLOSURE",
  "INTEGRITY_DUPLICATE_DIGEST",
  "INTEGRITY_CLAIM_CONFLICT",
  "SIGNATURE_INVALID",
  "ANCHOR_PROOF_INVALID",
]);
