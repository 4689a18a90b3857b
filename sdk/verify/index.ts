export { verify, verifyMany, verifyEach, type VerifyOptions, type VerifiedItem } from "./verify";
export { VERIFY_CODES, CHECKS, type CheckName, type VerifyCode } from "./codes";
export type { Verdict, VerificationResult, CheckResult } from "./result";
export type { WithheldClaim } from "./withheld";
