/**
 * Every reason a verification can give, with the check that reports it and a fixed message.
 * Codes are stable: verifying systems branch on them; messages may improve.
 */
export const CHECKS = ["format", "integrity", "anchor", "issuer", "signature", "status", "validity", "schema"] as const;
/** The name of one check of the verification pipeline. */
export type CheckName = (typeof CHECKS)[number];

/** Every verification code: the check that reports it and its fixed message. */
export const VERIFY_CODES = {
  // format
  FORMAT_MALFORMED: ["format", "The certificate file is not a well-formed certchain envelope or SD-JWT."],
  FORMAT_UNSUPPORTED_VERSION: ["format", "The envelope's format version is not supported by this SDK."],
  FORMAT_ALGORITHM_NOT_ALLOWED: ["format", "The credential uses a signature algorithm that is not allowed."],
  FORMAT_WRONG_MEDIA_TYPE: ["format", "The credential is not of type dc+sd-jwt."],
  FORMAT_KEY_BINDING_UNSUPPORTED: ["format", "The presentation carries a key-binding JWT, which only verifyPresentation checks (against a request's nonce and audience)."],
  CERT_NUMBER_INVALID: ["format", "The certificate number is malformed or its check character is wrong."],
  // integrity
  INTEGRITY_UNREFERENCED_DISCLOSURE: ["integrity", "A disclosed value does not match any digest the issuer signed."],
  INTEGRITY_DUPLICATE_DISCLOSURE: ["integrity", "A disclosure appears more than once."],
  INTEGRITY_DUPLICATE_DIGEST: ["integrity", "A digest appears more than once in the signed credential."],
  INTEGRITY_CLAIM_CONFLICT: ["integrity", "A disclosure would overwrite a claim or use a reserved name."],
  INTEGRITY_UNSUPPORTED_HASH: ["integrity", "The credential uses a disclosure hash algorithm other than sha-256 and sm3."],
  // anchor
  ANCHOR_PENDING: ["anchor", "The certificate has not been anchored on the chain yet."],
  ANCHOR_UNTRUSTED_REGISTRY: ["anchor", "The certificate is anchored on a registry or chain this verifier does not trust."],
  ANCHOR_PROOF_INVALID: ["anchor", "The Merkle proof does not lead from this certificate to the stated root."],
  ANCHOR_ROOT_NOT_FOUND: ["anchor", "The stated root is not anchored on the trusted registry."],
  ANCHOR_UNCONFIRMED: ["anchor", "The anchoring transaction does not have enough confirmations yet."],
  ANCHOR_REGISTRY_AMBIGUOUS: ["anchor", "More than one trusted registry holds this certificate's root and the envelope names no registry id: it cannot be attributed to one."],
  CHAIN_UNREACHABLE: ["anchor", "The chain could not be read; the certificate could not be checked."],
  REGISTRY_CHAIN_MISMATCH: ["anchor", "The trusted registry's node serves another chain (its chain id or genesis block differs from the trust entry); nothing was read from it."],
  REGISTRY_ID_MISMATCH: ["anchor", "The contract at the trusted registry's address is not the trusted registry (its registry id differs from the trust entry); nothing was read from it."],
  // issuer
  ISSUER_MISMATCH: ["issuer", "The credential names an issuer other than the agency that anchored it."],
  CERT_NUMBER_MISMATCH: [
    "issuer",
    "The certificate number is not the anchoring agency's: its issuer segment is not the agency's registered unified social credit code, its type segment is not the certificate type's code, or it is not a national e-licence number at all.",
  ],
  ISSUER_KEY_UNKNOWN: ["issuer", "The signing key is not registered."],
  ISSUER_KEY_OF_ANOTHER_AGENCY: ["issuer", "The signing key belongs to another agency."],
  ISSUER_KEY_ALGORITHM_MISMATCH: ["issuer", "The credential's algorithm is not the registered key's algorithm."],
  ISSUER_KEY_NOT_YET_VALID: ["issuer", "The signing key was not yet valid when the certificate was anchored."],
  ISSUER_KEY_RETIRED: ["issuer", "The signing key had been retired before the certificate was anchored."],
  ISSUER_KEY_REVOKED: ["issuer", "The signing key had been revoked before the certificate was anchored."],
  ISSUER_NOT_ACCREDITED: ["issuer", "The agency was not accredited for this certificate type when it was anchored."],
  // signature
  SIGNATURE_INVALID: ["signature", "The issuer's signature does not verify."],
  // status
  STATUS_REVOKED: ["status", "The certificate has been revoked."],
  STATUS_SUSPENDED: ["status", "The certificate is suspended."],
  // status, warnings only: the verdict follows the chain
  STATUS_LIST_STALE: ["status", "The issuer's published status list disagrees with the chain; the chain's status is the one reported."],
  STATUS_LIST_UNAVAILABLE: ["status", "The issuer's published status list could not be read or its signature did not verify; the chain's status is the one reported."],
  // validity
  VALIDITY_EXPIRED: ["validity", "The certificate has expired."],
  VALIDITY_NOT_YET_VALID: ["validity", "The certificate is not valid yet."],
  // schema
  SCHEMA_INVALID: ["schema", "The disclosed claims do not fit the certificate type's schema."],
  SCHEMA_TYPE_UNKNOWN: ["schema", "The certificate type is not known to this SDK; its claims were not checked against a schema."],
  TYPE_METADATA_UNTRUSTED: ["schema", "The certificate type's metadata is not vouched for by the registry; its claims were not checked against a schema."],
  TYPE_METADATA_MISMATCH: ["schema", "The credential names type metadata (vct#integrity) other than the document registered for its type."],
} as const satisfies Record<string, readonly [CheckName, string]>;

/** A stable verification code, e.g. `SIGNATURE_INVALID`. */
export type VerifyCode = keyof typeof VERIFY_CODES;

export const messageOf = (code: VerifyCode): string => VERIFY_CODES[code][1];
