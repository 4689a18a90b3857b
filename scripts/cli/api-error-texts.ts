import { t, type Text } from "./i18n";

/**
 * The service's refusals in the clerk's language, by stable code (server/errors.ts). A code not
 * listed here is shown with the service's own (English) message.
 */
const TEXTS: Record<string, Text> = {
  API_UNREACHABLE: { "zh-CN": "无法连接服务 {url}（{cause}）：请确认服务已启动（npm start）、地址正确", en: "cannot reach the API at {url} ({cause}): is the service running (npm start) and the address right?" },
  VALIDATION_FAILED: { "zh-CN": "请求格式不正确", en: "the request does not match the API's schema" },
  CLAIMS_INVALID: { "zh-CN": "证照内容不符合该类证照的规定", en: "the claims do not fit the certificate type" },
  CERT_TYPE_UNKNOWN: { "zh-CN": "服务不认识这种证照类型", en: "the service does not know this certificate type" },
  CERT_TYPE_NOT_ACCREDITED: { "zh-CN": "本机关无权签发这种证照（未获授权，或令牌不含此类型）", en: "this agency may not issue this certificate type (not accredited, or the token does not include it)" },
  VALIDITY_INVALID: { "zh-CN": "生效时间必须早于失效时间", en: "the validity window is wrong: validFrom must come before validUntil" },
  AUTH_MISSING: { "zh-CN": "缺少令牌：请用 --token 提供，或设置 CERTCHAIN_TOKEN", en: "no token: give --token or set CERTCHAIN_TOKEN" },
  AUTH_INVALID: { "zh-CN": "令牌无效", en: "the token is invalid" },
  AUTH_EXPIRED: { "zh-CN": "令牌已过期，请向管理员申领新令牌", en: "the token has expired; ask for a new one" },
  AUTH_REVOKED: { "zh-CN": "令牌已被撤销，请向管理员申领新令牌", en: "the token was revoked; ask for a new one" },
  FORBIDDEN: { "zh-CN": "此令牌无权执行此操作", en: "this token may not do that" },
  FORBIDDEN_AGENCY: { "zh-CN": "这张证照属于其他机关", en: "the certificate belongs to another agency" },
  CERT_NOT_FOUND: { "zh-CN": "找不到这张证照", en: "no such certificate" },
  AGENCY_NOT_FOUND: { "zh-CN": "找不到这个机关", en: "no such agency" },
  AGENCY_EXISTS: { "zh-CN": "已有同名机关", en: "an agency with this slug already exists" },
  AGENCY_SUSPENDED: { "zh-CN": "该机关已被暂停签发，须由根管理机构恢复", en: "the agency is suspended on this service: the root authority must resume it" },
  CERT_NOT_ANCHORED: { "zh-CN": "证照尚未上链，请稍后再试", en: "the certificate is not anchored yet; try again shortly" },
  STATUS_TRANSITION_INVALID: { "zh-CN": "证照当前状态下不能这样变更", en: "that status change is not possible from the certificate's current status" },
  IDEMPOTENCY_KEY_REUSED: { "zh-CN": "同一幂等键用于了不同的请求", en: "this Idempotency-Key was used with a different request" },
  RATE_LIMITED: { "zh-CN": "请求过于频繁，请稍后再试", en: "too many requests; slow down" },
  CHAIN_UNAVAILABLE: { "zh-CN": "暂时无法连接区块链，请稍后再试", en: "the chain is unreachable; try again later" },
  PAYLOAD_TOO_LARGE: { "zh-CN": "请求内容过大", en: "the request is too large" },
  INTERNAL: { "zh-CN": "服务内部错误", en: "internal error of the service" },
};

/** A refusal in plain words; `fallback` (the service's message) for codes without a text. */
export function apiErrorText(code: string, fallback: string, params: Record<string, string> = {}): string {
  const text = TEXTS[code];
  return text ? t(text, params) : fallback;
}
