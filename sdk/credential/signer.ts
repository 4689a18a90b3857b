import type { SignatureAlgorithm } from "./algorithms";

/**
 * Signs JWS signing input. The private key never enters the SDK: a server passes a node:crypto
 * or HSM-backed function, a test a WebCrypto key (see `createWebCryptoSigner`).
 * Signatures are raw JWS bytes (Ed25519: 64 bytes; ES256: r || s, 64 bytes).
 */
export interface CredentialSigner {
  alg: SignatureAlgorithm;
  /** base64url RFC 7638 thumbprint of the public key: see `keyIdOf`. */
  kid: string;
  /** The raw JWS signature of `signingInput` (`<header>.<payload>` as bytes). */
  sign(signingInput: Uint8Array): Uint8Array | Promise<Uint8Array>;
}

const WEBCRYPTO_PARAMS = {
  EdDSA: { name: "Ed25519" },
  ES256: { name: "ECDSA", hash: "SHA-256" },
} as const;

/**
 * A {@link CredentialSigner} over a WebCrypto private key (Ed25519 or P-256), for browsers,
 * tests and demos; servers usually sign with node:crypto or an HSM.
 */
export function createWebCryptoSigner(alg: SignatureAlgorithm, kid: string, privateKey: CryptoKey): CredentialSigner {
  return {
    alg,
    kid,
    sign: async (input) => new Uint8Array(await crypto.subtle.sign(WEBCRYPTO_PARAMS[alg], privateKey, input as BufferSource)),
  };
}
