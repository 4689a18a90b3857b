import { CHECKS, type VerifyCode } from "./codes";
import type { CheckResult, Verdict, VerificationResult } from "./result";

const VERDICT_OF: Partial<Record<VerifyCode, Verdict>> = {
  ANCHOR_PENDING: "pending",
  ANCHOR_UNCONFIRMED: "pending",
  CHAIN_UNREACHABLE: "unverifiable",
  // The trust entry's endpoint is the wrong chain or deployment: nothing is known about the certificate.
  REGISTRY_CHAIN_MISMATCH: "unverifiable",
  REGISTRY_ID_MISMATCH: "unverifiable",
  STATUS_REVOKED: "revoked",
  STATUS_SUSPENDED: "suspended",
  VALIDITY_EXPIRED: "expired",
};

/** The verdict a failure with this code gives: `invalid` unless it says something more particular. */
export const verdictOfCode = (code: VerifyCode): Verdict => VERDICT_OF[code] ?? "invalid";

/** The first failed check, in pipeline order, decides; no failure means valid. */
export function decideVerdict(checks: readonly CheckResult[]): Pick<VerificationResult, "verdict" | "reason"> {
  for (const name of CHECKS) {
    const check = checks.find((c) => c.name === name);
    if (check?.status === "failed" && check.code) {
      return { verdict: verdictOfCode(check.code), reason: { check: name, code: check.code, message: check.message ?? "" } };
    }
  }
  return { verdict: "valid", reason: null };
}
