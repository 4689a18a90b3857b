import { CONSENT_RECEIPT_ERRORS } from "./consent-receipt/codes";
import { DCQL_ERRORS } from "./dcql/codes";
import { KEY_PROOF_CODES } from "./key-proof/codes";
import { PRESENT_ERRORS, PRESENTATION_CODES } from "./presentation/codes";
import { SHARE_CODES } from "./share/codes";
import { VERIFY_CODES } from "./verify/codes";

/**
 * Every code a `CertchainError` thrown by the SDK carries, with a short description (as jose's
 * error codes and fastify's error table). Codes are stable; descriptions may improve.
 *
 * Parsing and chain reads throw verification and share-link codes: `verify` and
 * `verifyShareLink` report such an error as the result's reason, so those entries share the
 * message of `VERIFY_CODES` or `SHARE_CODES`. The others are refusals of the SDK's own
 * functions (bad arguments, unusable definitions) and are never a verification result.
 *
 * @example
 * try {
 *   presentCredential(envelope, ["spouse"]);
 * } catch (error) {
 *   if (isCertchainError(error, "PRESENTATION_UNKNOWN_CLAIM")) console.log(CERTCHAIN_ERRORS[error.code]);
 * }
 */
export const CERTCHAIN_ERRORS = {
  // certificate types and numbers
  CERT_TYPE_INVALID: "A certificate type definition or type metadata document is not usable.",
  CERT_TYPE_SCHEMA_INVALID: "A certificate type's JSON Schema cannot be compiled, so claims cannot be checked against it.",
  VCT_INVALID: "The vct (certificate type identifier) is not a string.",
  CERT_NUMBER_PART_INVALID: "A part given to formatCertificateNumber does not match its rule.",
  CHECK_INPUT_INVALID: "The input of a MOD 37,36 check character is not a string of 0-9A-Z.",
  // presentations, paper, documents
  PRESENTATION_UNKNOWN_CLAIM: "A claim asked to be revealed is not disclosed in this certificate.",
  PAPER_NOT_ENCODABLE: "The presentation cannot be packed into a paper QR payload (it is not anchored yet, carries a key-binding JWT, or is not canonical base64url).",
  DOCUMENT_INVALID: "The document to hash is not given as bytes (Uint8Array or ArrayBuffer).",
  // chain reads
  CHAIN_RPC_ERROR: "A JSON-RPC node refused a request (an error answer such as a revert); registry reads report it as CHAIN_UNREACHABLE or a registry mismatch.",
  // holder binding and presentations with key binding (the wallet's side)
  HOLDER_KEY_UNSUPPORTED: PRESENTATION_CODES.HOLDER_KEY_UNSUPPORTED[1],
  PRESENTATION_NOT_HOLDER_BOUND: PRESENT_ERRORS.PRESENTATION_NOT_HOLDER_BOUND,
  PRESENTATION_HOLDER_KEY_MISMATCH: PRESENT_ERRORS.PRESENTATION_HOLDER_KEY_MISMATCH,
  // OpenID4VCI key proofs (verifyKeyProof)
  ...(Object.fromEntries(Object.entries(KEY_PROOF_CODES).map(([code, [, message]]) => [code, message])) as { [Code in keyof typeof KEY_PROOF_CODES]: (typeof KEY_PROOF_CODES)[Code][1] }),
  // DCQL queries and a wallet's choice of claims
  ...DCQL_ERRORS,
  // consent receipts
  ...CONSENT_RECEIPT_ERRORS,
  // trust lists
  TRUST_LIST_INVALID: "The trust list (registries option or trust-list file) is malformed.",
  TRUST_LIST_AMBIGUOUS: "Two entries of the trust list cannot be told apart.",
  // verification codes thrown while parsing or reading the chain
  FORMAT_MALFORMED: VERIFY_CODES.FORMAT_MALFORMED[1],
  FORMAT_UNSUPPORTED_VERSION: VERIFY_CODES.FORMAT_UNSUPPORTED_VERSION[1],
  FORMAT_ALGORITHM_NOT_ALLOWED: VERIFY_CODES.FORMAT_ALGORITHM_NOT_ALLOWED[1],
  FORMAT_WRONG_MEDIA_TYPE: VERIFY_CODES.FORMAT_WRONG_MEDIA_TYPE[1],
  FORMAT_KEY_BINDING_UNSUPPORTED: VERIFY_CODES.FORMAT_KEY_BINDING_UNSUPPORTED[1],
  INTEGRITY_UNREFERENCED_DISCLOSURE: VERIFY_CODES.INTEGRITY_UNREFERENCED_DISCLOSURE[1],
  INTEGRITY_DUPLICATE_DISCLOSURE: VERIFY_CODES.INTEGRITY_DUPLICATE_DISCLOSURE[1],
  INTEGRITY_DUPLICATE_DIGEST: VERIFY_CODES.INTEGRITY_DUPLICATE_DIGEST[1],
  INTEGRITY_CLAIM_CONFLICT: VERIFY_CODES.INTEGRITY_CLAIM_CONFLICT[1],
  INTEGRITY_UNSUPPORTED_HASH: VERIFY_CODES.INTEGRITY_UNSUPPORTED_HASH[1],
  CHAIN_UNREACHABLE: VERIFY_CODES.CHAIN_UNREACHABLE[1],
  REGISTRY_CHAIN_MISMATCH: VERIFY_CODES.REGISTRY_CHAIN_MISMATCH[1],
  REGISTRY_ID_MISMATCH: VERIFY_CODES.REGISTRY_ID_MISMATCH[1],
  // share-link codes thrown while making or opening a share
  SHARE_LINK_INVALID: SHARE_CODES.SHARE_LINK_INVALID,
  SHARE_DECRYPT_FAILED: SHARE_CODES.SHARE_DECRYPT_FAILED,
  SHARE_TOO_LARGE: SHARE_CODES.SHARE_TOO_LARGE,
} as const satisfies Record<string, string>;

/** A code of {@link CERTCHAIN_ERRORS}: what an error thrown by the SDK says went wrong. */
export type CertchainErrorCode = keyof typeof CERTCHAIN_ERRORS;

/**
 * One error type for the whole project, with stable machine codes (as jose's `code`).
 * Messages are for people; programs branch on `code`.
 *
 * The SDK throws only codes of {@link CERTCHAIN_ERRORS}, and by default the constructor accepts
 * only those, so a code missing from the table does not compile. Code with a table of its own
 * (the service's API errors) names it: `new CertchainError<ApiErrorCode>(code, message)`.
 */
export class CertchainError<Code extends string = CertchainErrorCode> extends Error {
  readonly code: Code;
  readonly details?: unknown;

  // NoInfer: the code never widens the type parameter, so a stray string is an error, not a new code.
  constructor(code: NoInfer<Code>, message: string, options: { details?: unknown; cause?: unknown } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = "CertchainError";
    this.code = code;
    if (options.details !== undefined) this.details = options.details;
  }
}

/**
 * Whether `value` is a {@link CertchainError}, optionally with the given `code`. Any code may be
 * asked for: errors of the service's API share the type.
 */
export function isCertchainError<Code extends string = string>(value: unknown, code?: Code): value is CertchainError<Code> {
  return value instanceof CertchainError && (code === undefined || value.code === code);
}
