import { VERIFY_CODES } from "../verify/codes";
import { blankResult, type CheckResult, type VerificationResult } from "../verify/result";
import { verify, type VerifyOptions } from "../verify/verify";
import { notarisationReceipt } from "../types/registry";
import { DOCUMENT_CODES, type DocumentCode } from "./codes";
import { digestOfDocument, normaliseDocumentDigest } from "./digest";

/** The `document` check: whether the file (or digest) matches the one the receipt notarised. */
export interface DocumentCheckResult {
  name: "document";
  status: "passed" | "failed" | "skipped";
  code?: DocumentCode;
  message?: string;
}

/** What {@link verifyDocument} returns: the receipt's verification result plus the `document` check. */
export interface DocumentVerificationResult extends Omit<VerificationResult, "checks" | "reason"> {
  /** As the SDK's, or the `document` check's when that decides. */
  reason: VerificationResult["reason"] | { check: "document"; code: DocumentCode; message: string };
  /** The SDK's checks in pipeline order, then `document`. */
  checks: (CheckResult | DocumentCheckResult)[];
  document: {
    /** SHA-256 of the file given (or the digest given), lowercase hex; null when unusable. */
    digest: string | null;
    /** The digest the receipt discloses; null when withheld or unreadable. */
    notarisedDigest: string | null;
    matches: boolean;
  };
}

const RECEIPT_TYPE_ID = notarisationReceipt.id;

function digestOfInput(input: unknown): string | undefined {
  if (input instanceof Uint8Array || input instanceof ArrayBuffer) return digestOfDocument(input);
  return normaliseDocumentDigest(input);
}

function unreadable(): VerificationResult {
  const code = "FORMAT_MALFORMED" as const;
  const message = VERIFY_CODES[code][1];
  const blank = blankResult();
  return {
    ...blank,
    reason: { check: "format", code, message },
    checks: blank.checks.map((check) => (check.name === "format" ? { ...check, status: "failed" as const, code, message } : check)),
  };
}

/**
 * Verifies a notarisation receipt together with the document it is about: the receipt goes
 * through the SDK's whole pipeline (it is a certificate like any other), then a `document` check
 * compares the file's SHA-256 with the notarised digest. A valid result proves the file existed,
 * unchanged, no later than `anchoredAt`, and names the notary office in `issuer`.
 *
 * The `document` check decides the verdict when the receipt is otherwise valid
 * (`DOCUMENT_MISMATCH`, `DOCUMENT_DIGEST_WITHHELD`: verdict `invalid`); a revoked, pending or
 * unverifiable receipt keeps that verdict and still reports the comparison. A certificate of
 * another type (`NOT_A_NOTARISATION_RECEIPT`) or an unusable document argument
 * (`DOCUMENT_INPUT_INVALID`) is `invalid` whatever else holds. Never throws.
 *
 * @param receipt the receipt envelope or a presentation of it (object or JSON text)
 * @param document the file's bytes, or its SHA-256 as 64 hex digits
 * @example
 * const result = await verifyDocument(receipt, new Uint8Array(await file.arrayBuffer()), { registries });
 * if (result.verdict === "valid") console.log(`${result.issuer?.name} notarised it by ${result.anchoredAt}`);
 * else console.log(result.reason?.code); // e.g. "DOCUMENT_MISMATCH"
 */
export async function verifyDocument(receipt: unknown, document: Uint8Array | ArrayBuffer | string, options: VerifyOptions): Promise<DocumentVerificationResult> {
  let base: VerificationResult;
  try {
    base = await verify(receipt, options);
  } catch {
    base = unreadable();
  }

  let digest: string | null = null;
  try {
    digest = digestOfInput(document) ?? null;
  } catch {
    digest = null;
  }
  const disclosed = base.claims.document_digest;
  const notarisedDigest = typeof disclosed === "string" ? disclosed : null;
  const integrityFailed = base.checks.some((c) => c.name === "integrity" && c.status !== "passed");

  let check: DocumentCheckResult;
  const failed = (code: DocumentCode): DocumentCheckResult => ({ name: "document", status: "failed", code, message: DOCUMENT_CODES[code] });
  if (base.certificate === null) check = { name: "document", status: "skipped" };
  else if (base.certificate.type?.id !== RECEIPT_TYPE_ID) check = failed("NOT_A_NOTARISATION_RECEIPT");
  else if (digest === null) check = failed("DOCUMENT_INPUT_INVALID");
  else if (integrityFailed) check = { name: "document", status: "skipped" };
  else if (notarisedDigest === null) check = failed("DOCUMENT_DIGEST_WITHHELD");
  else if (notarisedDigest !== digest) check = failed("DOCUMENT_MISMATCH");
  else check = { name: "document", status: "passed" };

  // Not a receipt, or nothing to compare with: no other verdict would answer the question asked.
  const overrides = check.code === "NOT_A_NOTARISATION_RECEIPT" || check.code === "DOCUMENT_INPUT_INVALID";
  const decides = check.status === "failed" && (overrides || base.verdict === "valid");
  return {
    ...base,
    verdict: decides ? "invalid" : base.verdict,
    reason: decides ? { check: "document", code: check.code!, message: check.message! } : base.reason,
    checks: [...base.checks, check],
    document: { digest, notarisedDigest, matches: check.status === "passed" },
  };
}
