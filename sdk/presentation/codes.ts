/**
 * The checks `verifyPresentation` adds to the verification pipeline, in pipeline order after
 * `integrity`: `holder` (holder binding: the credential's `cnf` key signed a key-binding JWT for
 * this request) and `query` (the presentation answers the request's DCQL query).
 */
export const PRESENTATION_CHECKS = ["holder", "query"] as const;
/** The name of a check `verifyPresentation` adds. */
export type PresentationCheckName = (typeof PRESENTATION_CHECKS)[number];

/**
 * Every reason `verifyPresentation` adds to `VERIFY_CODES`, with the check that reports it and a
 * fixed message. Stable codes: systems branch on them; messages may improve.
 */
export const PRESENTATION_CODES = {
  // holder
  HOLDER_BINDING_MISSING: ["holder", "The credential is not bound to a holder key (it has no cnf), and this request requires holder binding."],
  HOLDER_KEY_UNSUPPORTED: ["holder", "The credential's holder key (cnf) is not a P-256 or Ed25519 public jwk."],
  KEY_BINDING_MISSING: ["holder", "The presentation has no key-binding JWT, and this request requires holder binding."],
  KEY_BINDING_MALFORMED: ["holder", "The key-binding JWT is not a compact JWT with typ kb+jwt and the claims iat, aud, nonce and sd_hash."],
  KEY_BINDING_ALGORITHM_NOT_ALLOWED: ["holder", "The key-binding JWT uses an algorithm that is not allowed, or not the holder key's."],
  KEY_BINDING_SIGNATURE_INVALID: ["holder", "The key-binding JWT is not signed by the credential's holder key, or was altered."],
  KEY_BINDING_SD_HASH_MISMATCH: ["holder", "The key-binding JWT was made for other disclosures than those presented (sd_hash)."],
  KEY_BINDING_AUDIENCE_MISMATCH: ["holder", "The presentation was made for another verifier (aud): it is replayed or misdirected."],
  KEY_BINDING_NONCE_MISMATCH: ["holder", "The presentation was made for another request (nonce): it is replayed."],
  KEY_BINDING_STALE: ["holder", "The key-binding JWT was made too long ago (iat)."],
  KEY_BINDING_ISSUED_IN_FUTURE: ["holder", "The key-binding JWT's iat lies in the future."],
  // query
  DCQL_CREDENTIAL_NOT_REQUESTED: ["query", "The response answers a credential query the request does not contain."],
  DCQL_CREDENTIAL_MISSING: ["query", "The response leaves out a credential the request requires (credentials, credential_sets)."],
  DCQL_TOO_MANY_PRESENTATIONS: ["query", "The response holds several presentations for a credential query that allows one (multiple: false)."],
  DCQL_FORMAT_UNSUPPORTED: ["query", "The credential query asks for a format other than dc+sd-jwt, which this SDK cannot verify."],
  DCQL_VCT_MISMATCH: ["query", "The credential is not of a type the credential query accepts (meta.vct_values)."],
  DCQL_CLAIM_MISSING: ["query", "The presentation leaves out claims the credential query requires."],
  DCQL_VALUE_MISMATCH: ["query", "A requested claim has a value the credential query does not accept (values)."],
  DCQL_CLAIM_NOT_REQUESTED: ["query", "The presentation discloses claims the request did not ask for."],
  // anchor (a compact presentation carries no Merkle proof of its own)
  ANCHOR_PROOF_UNAVAILABLE: ["anchor", "The presentation came without its anchor proof and none was found (anchors, proofServices): it could not be checked against the chain."],
} as const satisfies Record<string, readonly ["holder" | "query" | "anchor", string]>;

/** A stable code of {@link PRESENTATION_CODES}, e.g. `KEY_BINDING_NONCE_MISMATCH`. */
export type PresentationCode = keyof typeof PRESENTATION_CODES;

/**
 * Errors thrown while building a presentation (`CertchainError` codes), for the wallet's
 * programmer rather than a verifier.
 */
export const PRESENT_ERRORS = {
  PRESENTATION_UNKNOWN_CLAIM: "A claim to reveal is not in the certificate.",
  PRESENTATION_NOT_HOLDER_BOUND: "The credential has no holder key (cnf): it cannot be presented with key binding.",
  PRESENTATION_HOLDER_KEY_MISMATCH: "The holder signer's key is not the key the credential is bound to.",
} as const;

/** A code of {@link PRESENT_ERRORS}. */
export type PresentErrorCode = keyof typeof PRESENT_ERRORS;
