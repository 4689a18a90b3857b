// What a verification says to people, in Chinese and English: the verdict in a word, every
// reason code and share-link failure in plain words. The pages (server/web) show these and the
// CLI (scripts/cli) prints them, so a clerk reads the same words at a counter and in a terminal.
import type { LocalisedText, ShareCode, Verdict, VerifyCode } from "@certchain/sdk";

/** The verdict in one or two words: what a person at a counter reads first. */
export const VERDICT_LABELS: Record<Verdict, LocalisedText> = {
  valid: { "zh-CN": "有效", en: "Valid" },
  revoked: { "zh-CN": "已撤销", en: "Revoked" },
  suspended: { "zh-CN": "已暂停", en: "Suspended" },
  expired: { "zh-CN": "已过期", en: "Expired" },
  invalid: { "zh-CN": "无效", en: "Invalid" },
  unverifiable: { "zh-CN": "无法验证", en: "Cannot be verified" },
  pending: { "zh-CN": "待上链", en: "Not yet anchored" },
};

const TAMPERED: LocalisedText = {
  "zh-CN": "证照内容与发证机关签名的内容不一致，可能已被篡改。",
  en: "The certificate's content does not match what the issuing agency signed; it may have been altered.",
};

/** Every reason code in plain words, for people rather than programs. */
export const REASON_TEXTS: Record<VerifyCode, LocalisedText> = {
  FORMAT_MALFORMED: { "zh-CN": "这不是电子证照文件，或文件已损坏。", en: "This is not a certificate file, or the file is damaged." },
  FORMAT_UNSUPPORTED_VERSION: { "zh-CN": "此证照文件的格式版本不受支持，请更新验证软件。", en: "This certificate file's format version is not supported; update the verifying software." },
  FORMAT_ALGORITHM_NOT_ALLOWED: { "zh-CN": "证照使用了不被接受的签名算法。", en: "The certificate uses a signature algorithm that is not accepted." },
  FORMAT_WRONG_MEDIA_TYPE: { "zh-CN": "证照文件的类型不正确。", en: "The certificate file is of the wrong type." },
  FORMAT_KEY_BINDING_UNSUPPORTED: { "zh-CN": "这是回应某次用证请求的展示（带持证人绑定签名），只能由发出该请求的单位核验。", en: "This presentation answers a particular request (it carries the holder's binding signature); only the department that made that request can check it." },
  CERT_NUMBER_INVALID: { "zh-CN": "证照编号格式错误或校验位不符。", en: "The certificate number is malformed or its check character is wrong." },
  INTEGRITY_UNREFERENCED_DISCLOSURE: TAMPERED,
  INTEGRITY_DUPLICATE_DISCLOSURE: TAMPERED,
  INTEGRITY_DUPLICATE_DIGEST: TAMPERED,
  INTEGRITY_CLAIM_CONFLICT: TAMPERED,
  INTEGRITY_UNSUPPORTED_HASH: { "zh-CN": "证照使用了不被接受的摘要算法。", en: "The certificate uses a digest algorithm that is not accepted." },
  ANCHOR_PENDING: { "zh-CN": "证照已签发，但尚未记录到区块链上。请稍后再验证。", en: "The certificate was issued but is not on the blockchain yet. Verify again a little later." },
  ANCHOR_UNTRUSTED_REGISTRY: { "zh-CN": "证照登记在本系统不认可的区块链登记簿上。", en: "The certificate is recorded on a blockchain registry this system does not recognise." },
  ANCHOR_PROOF_INVALID: { "zh-CN": "证照与区块链上的签发记录对不上，可能已被篡改。", en: "The certificate does not match its record on the blockchain; it may have been altered." },
  ANCHOR_ROOT_NOT_FOUND: { "zh-CN": "区块链上找不到此证照的签发记录。", en: "The blockchain holds no record of this certificate being issued." },
  ANCHOR_UNCONFIRMED: { "zh-CN": "区块链上的签发记录尚未得到足够确认。请稍后再验证。", en: "The record on the blockchain is not confirmed enough yet. Verify again a little later." },
  ANCHOR_REGISTRY_AMBIGUOUS: {
    "zh-CN": "多个认可的区块链登记簿都记录了这份证照，无法确定由哪一个签发，因此不予认可。",
    en: "More than one recognised blockchain registry records this certificate, so it cannot be attributed to one and is not accepted.",
  },
  REGISTRY_CHAIN_MISMATCH: {
    "zh-CN": "本系统连接的区块链节点不是所认可登记簿所在的链，未能完成验证。这不代表证照有问题，请联系系统管理员。",
    en: "The blockchain node this system uses is not on the recognised registry's chain, so nothing could be checked. This says nothing against the certificate; tell the system's administrator.",
  },
  REGISTRY_ID_MISMATCH: {
    "zh-CN": "本系统连接的登记簿不是所认可的那一个，未能完成验证。这不代表证照有问题，请联系系统管理员。",
    en: "The registry this system reached is not the recognised one, so nothing could be checked. This says nothing against the certificate; tell the system's administrator.",
  },
  CHAIN_UNREACHABLE: {
    "zh-CN": "暂时无法连接区块链，未能完成验证。这不代表证照有问题，请稍后重试。",
    en: "The blockchain could not be reached, so the check could not finish. This says nothing against the certificate; try again later.",
  },
  ISSUER_MISMATCH: { "zh-CN": "证照上写的发证机关与区块链上登记的机关不一致。", en: "The issuing agency named on the certificate is not the one recorded on the blockchain." },
  CERT_NUMBER_MISMATCH: { "zh-CN": "证照编号与上链的发证机关或证照类型不符。", en: "The certificate number does not belong to the agency that recorded it on chain, or not to this type of certificate." },
  ISSUER_KEY_UNKNOWN: { "zh-CN": "签名所用的密钥没有登记，无法确认是发证机关签发的。", en: "The signing key is not registered, so the issuing agency cannot be confirmed." },
  ISSUER_KEY_OF_ANOTHER_AGENCY: { "zh-CN": "签名密钥属于另一个机关。", en: "The signing key belongs to another agency." },
  ISSUER_KEY_ALGORITHM_MISMATCH: { "zh-CN": "签名方式与登记的密钥不符。", en: "The signature does not match the registered key's kind." },
  ISSUER_KEY_NOT_YET_VALID: { "zh-CN": "签发时发证机关的签名密钥尚未生效。", en: "The agency's signing key was not yet in force when this was issued." },
  ISSUER_KEY_RETIRED: { "zh-CN": "签发时发证机关的签名密钥已经停用。", en: "The agency's signing key had been retired when this was issued." },
  ISSUER_KEY_REVOKED: { "zh-CN": "签发时发证机关的签名密钥已被吊销。", en: "The agency's signing key had been revoked when this was issued." },
  ISSUER_NOT_ACCREDITED: { "zh-CN": "签发时该机关无权签发此类证照。", en: "The agency was not authorised to issue this kind of certificate at the time." },
  SIGNATURE_INVALID: { "zh-CN": "发证机关的签名验证失败，证照可能已被篡改。", en: "The issuing agency's signature does not verify; the certificate may have been altered." },
  STATUS_REVOKED: { "zh-CN": "发证机关已撤销此证照。", en: "The issuing agency has revoked this certificate." },
  STATUS_SUSPENDED: { "zh-CN": "发证机关已暂停此证照的效力。", en: "The issuing agency has suspended this certificate." },
  STATUS_LIST_STALE: { "zh-CN": "发证机关公布的状态列表与区块链记录不一致，以区块链为准。", en: "The issuing agency's published status list disagrees with the blockchain; the blockchain's record stands." },
  STATUS_LIST_UNAVAILABLE: { "zh-CN": "未能读取发证机关公布的状态列表，以区块链记录为准。", en: "The issuing agency's published status list could not be read; the blockchain's record stands." },
  VALIDITY_EXPIRED: { "zh-CN": "证照已超过有效期。", en: "The certificate's validity period has ended." },
  VALIDITY_NOT_YET_VALID: { "zh-CN": "证照尚未到生效日期。", en: "The certificate is not in force yet." },
  SCHEMA_INVALID: { "zh-CN": "证照内容不符合该类证照的规定格式。", en: "The certificate's content does not fit the rules for its kind." },
  SCHEMA_TYPE_UNKNOWN: { "zh-CN": "本系统不认识此类证照，未核对其内容格式。", en: "This kind of certificate is unknown here; its content was not checked against a format." },
  TYPE_METADATA_UNTRUSTED: { "zh-CN": "此类证照的定义未经区块链登记簿确认，未核对其内容格式。", en: "This kind of certificate's definition is not confirmed by the blockchain registry; its content was not checked against a format." },
  TYPE_METADATA_MISMATCH: { "zh-CN": "证照声明的证照类型定义与区块链上登记的不一致。", en: "The certificate names a definition of its kind other than the one recorded on the blockchain." },
};

/** A share link that failed before any certificate could be looked at: title and explanation. */
export const SHARE_FAILURES: Record<ShareCode, { title: LocalisedText; text: LocalisedText }> = {
  SHARE_LINK_INVALID: {
    title: { "zh-CN": "链接不完整", en: "Incomplete link" },
    text: { "zh-CN": "链接缺少必要的部分（# 号后面的密钥）。请向持证人重新索取完整的链接。", en: "The link is missing a part (the key after #). Ask the holder for the complete link." },
  },
  SHARE_NOT_FOUND: {
    title: { "zh-CN": "链接已失效", en: "Link no longer available" },
    text: { "zh-CN": "此分享链接已过期、已被持证人撤回或不存在。请向持证人重新索取。", en: "This share link has expired, was withdrawn by its holder, or never existed. Ask the holder for a new one." },
  },
  SHARE_DECRYPT_FAILED: {
    title: { "zh-CN": "无法解密", en: "Cannot decrypt" },
    text: { "zh-CN": "无法解密：链接不完整或已被篡改。请向持证人重新索取完整的链接。", en: "Cannot decrypt: the link is incomplete or was tampered with. Ask the holder for the complete link." },
  },
  SHARE_UNREACHABLE: {
    title: { "zh-CN": "暂时无法打开", en: "Cannot open right now" },
    text: { "zh-CN": "暂时无法连接分享服务，请检查网络后重试。", en: "The share service could not be reached. Check the connection and try again." },
  },
  SHARE_HOST_NOT_ALLOWED: {
    title: { "zh-CN": "不打开其他网站的链接", en: "Link of another site" },
    text: { "zh-CN": "此页面只验证本站生成的分享链接。请直接在浏览器中打开该链接，或上传证照文件进行验证。", en: "This page verifies share links made on this site only. Open the link itself in a browser, or verify the certificate file." },
  },
  SHARE_TOO_LARGE: {
    title: { "zh-CN": "内容过大", en: "Too large" },
    text: { "zh-CN": "所选内容过多，无法生成分享链接。请少选几项后重试。", en: "Too much is selected to fit in a share link. Select fewer fields and try again." },
  },
};

/**
 * Plain words for any reason a result can carry, certificate check or share link. For a code of
 * neither (a document check's, a code a newer SDK added), undefined: show the result's message.
 */
export function reasonText(code: VerifyCode | ShareCode): LocalisedText;
export function reasonText(code: string): LocalisedText | undefined;
export function reasonText(code: string): LocalisedText | undefined {
  if (Object.hasOwn(SHARE_FAILURES, code)) return SHARE_FAILURES[code as ShareCode].text;
  return Object.hasOwn(REASON_TEXTS, code) ? REASON_TEXTS[code as VerifyCode] : undefined;
}
