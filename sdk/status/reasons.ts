/**
 * Reason codes recorded on chain with a revocation, suspension or reinstatement (uint16).
 * The numbers are part of the on-chain format; labels are for display.
 */
export const STATUS_REASONS = {
  0: { id: "unspecified", "zh-CN": "未说明", en: "Unspecified" },
  1: { id: "issued_in_error", "zh-CN": "错误签发", en: "Issued in error" },
  2: { id: "superseded", "zh-CN": "已换发新证", en: "Superseded by a new certificate" },
  3: { id: "holder_request", "zh-CN": "持证人申请注销", en: "At the holder's request" },
  4: { id: "ceased", "zh-CN": "主体已注销或终止", en: "The subject has ceased to exist" },
  5: { id: "fraud", "zh-CN": "以欺骗等不正当手段取得", en: "Obtained by fraud" },
  6: { id: "court_order", "zh-CN": "司法或行政决定", en: "Court or administrative order" },
  7: { id: "under_investigation", "zh-CN": "调查处理中", en: "Under investigation" },
  8: { id: "conditions_not_met", "zh-CN": "不再符合许可条件", en: "Licence conditions no longer met" },
  9: { id: "conditions_restored", "zh-CN": "已恢复符合条件", en: "Conditions met again" },
} as const;

/** A reason code this SDK has a label for. */
export type StatusReasonCode = keyof typeof STATUS_REASONS;

/** The label of a reason code; unknown codes are shown by number, never hidden. */
export function statusReasonLabel(code: number, locale: "zh-CN" | "en" = "zh-CN"): string {
  const reason = Object.hasOwn(STATUS_REASONS, code) ? (STATUS_REASONS as Record<number, (typeof STATUS_REASONS)[StatusReasonCode]>)[code] : undefined;
  return reason ? reason[locale] : locale === "en" ? `Reason ${code}` : `原因代码 ${code}`;
}
