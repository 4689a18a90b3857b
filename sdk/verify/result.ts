import type { Envelope } from "../envelope/envelope";
import type { Hex } from "../lib/bytes";
import type { ClaimLabel } from "../types/type-metadata";
import type { WithheldClaim } from "./withheld";
import type { CertificateState } from "../registry/types";
import type { ShareCode } from "../share/codes";
import { CHECKS, type CheckName, type VerifyCode } from "./codes";

/**
 * `unverifiable` is the one addition to DESIGN.md's six verdicts: when the chain cannot be read,
 * saying "invalid" would blame a good certificate for a network fault.
 */
export type Verdict = "valid" | "invalid" | "revoked" | "suspended" | "expired" | "pending" | "unverifiable";

/** One check's outcome; `code` and `message` say why when it failed or was skipped for a reason. */
export interface CheckResult {
  name: CheckName;
  status: "passed" | "failed" | "skipped";
  code?: VerifyCode;
  message?: string;
}

/** What `verify` returns for one certificate: never thrown, always this shape. */
export interface VerificationResult {
  verdict: Verdict;
  /** The check that decided the verdict; null when valid. "share": a share link failed before any check could run. */
  reason: { check: CheckName; code: VerifyCode; message: string } | { check: "share"; code: ShareCode; message: string } | null;
  /** Every check in pipeline order. */
  checks: CheckResult[];
  /** Subject claims the holder disclosed (never the withheld ones). */
  claims: Record<string, unknown>;
  /** Claims of the certificate type that this presentation does not disclose. */
  withheld: string[];
  /**
   * Nested claims this presentation leaves out (format v2 types with nested disclosures): a
   * spouse's ID number by path, or how many spouses. Absent when nothing nested is withheld.
   */
  withheldClaims?: WithheldClaim[];
  certificate: {
    number: string;
    vct: string;
    /** The certificate type, when known: names, and labels of every claim path (nested ones too) for display. */
    type: {
      id: string;
      names: { "zh-CN": string; en: string };
      /** Labels by claim path, top-level and nested, from the type's metadata. */
      labels?: readonly ClaimLabel[];
      /** Top-level claims in display order. */
      claimOrder?: readonly string[];
    } | null;
    leaf: Hex;
    issuedAt: string | null;
    validFrom: string | null;
    validUntil: string | null;
  } | null;
  issuer: { id: Hex; slug: string; name: string } | null;
  /** When the chain recorded the anchor: the certificate's trusted issuance time. */
  anchoredAt: string | null;
  /**
   * The root and block as the chain records them; `transaction` only when its receipt on the
   * chain shows it anchored this root (an envelope's transaction field is not signed), else null.
   */
  anchor: { root: Hex; block: number; transaction: Hex | null } | null;
  /** The trusted registry that vouched for the certificate; `id` is its registry id (null for one deployed before ids). */
  registry: { chainId: number; address: Hex; name: string; id: Hex | null } | null;
  status: { state: CertificateState; reason: number; since: string | null } | null;
  /**
   * Findings that do not change the verdict: e.g. `STATUS_LIST_STALE`, the issuer's published
   * status list disagreeing with the chain (the chain decides). Absent when there are none.
   */
  warnings?: { check: CheckName; code: VerifyCode; message: string }[];
  /** Set when the input was a share link: which link, and until when it lives. */
  share?: { apiBase: string; id: string; expiresAt: string | null } | null;
  /**
   * Set when the input was pending and its proof was fetched from an allowed proof service (or,
   * on the service, found in its own store) and passed the anchor check: the anchored envelope,
   * to keep in place of the pending file (it verifies with no service at all).
   */
  envelope?: Envelope;
}

/**
 * A result about which nothing is known yet: every check skipped, no certificate data. `checks`
 * replaces the skipped ones when the caller fills them in later anyway.
 */
export function blankResult(checks?: CheckResult[]): VerificationResult {
  return {
    verdict: "invalid",
    reason: null,
    checks: checks ?? CHECKS.map((name) => ({ name, status: "skipped" as const })),
    claims: {},
    withheld: [],
    certificate: null,
    issuer: null,
    anchoredAt: null,
    anchor: null,
    registry: null,
    status: null,
  };
}
