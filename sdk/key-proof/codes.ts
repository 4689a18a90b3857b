/**
 * Why a key proof (OpenID4VCI 1.0 Appendix F.1, the `jwt` proof type) is refused: stable codes, each
 * with the OpenID4VCI error a credential endpoint answers with (`invalid_nonce` tells the wallet
 * to fetch a fresh `c_nonce` and try again) and a fixed message.
 */
export const KEY_PROOF_CODES = {
  KEY_PROOF_MALFORMED: ["invalid_proof", "The key proof is not a compact JWT with the required header and claims (alg, typ, jwk; aud, iat)."],
  KEY_PROOF_WRONG_TYPE: ["invalid_proof", "The key proof's typ is not openid4vci-proof+jwt."],
  KEY_PROOF_ALGORITHM_NOT_ALLOWED: ["invalid_proof", "The key proof is signed with an algorithm this issuer does not accept."],
  KEY_PROOF_KEY_UNSUPPORTED: ["invalid_proof", "The key proof does not carry its key as a P-256 or Ed25519 public jwk matching its alg (kid and x5c are not supported)."],
  KEY_PROOF_PRIVATE_KEY: ["invalid_proof", "The key proof's jwk contains a private key; that key must be considered compromised."],
  KEY_PROOF_SIGNATURE_INVALID: ["invalid_proof", "The key proof's signature does not verify with its jwk."],
  KEY_PROOF_AUDIENCE_MISMATCH: ["invalid_proof", "The key proof is addressed to another credential issuer (aud)."],
  KEY_PROOF_CLIENT_MISMATCH: ["invalid_proof", "The key proof names another client (iss) than the one making the request."],
  KEY_PROOF_NONCE_MISSING: ["invalid_proof", "The key proof carries no nonce, and this issuer hands out a c_nonce."],
  KEY_PROOF_NONCE_MISMATCH: ["invalid_nonce", "The key proof's nonce is not the c_nonce this issuer expects (used, expired or never issued): fetch a fresh one."],
  KEY_PROOF_STALE: ["invalid_proof", "The key proof was made too long ago (iat)."],
  KEY_PROOF_ISSUED_IN_FUTURE: ["invalid_proof", "The key proof's iat lies in the future."],
} as const satisfies Record<string, readonly ["invalid_proof" | "invalid_nonce", string]>;

/** A stable code of {@link KEY_PROOF_CODES}, e.g. `KEY_PROOF_NONCE_MISMATCH`. */
export type KeyProofCode = keyof typeof KEY_PROOF_CODES;
