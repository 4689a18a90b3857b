import type { SignatureAlgorithm } from "./algorithms";
import { keyIdOf } from "./key-id";
import { sm2PublicKeyOf, signSm2 } from "./sm2";

/**
 * Signs JWS signing input. The private key never enters the SDK: a server passes a node:crypto
 * or HSM-backed function, a test a WebCrypto key (see `createWebCryptoSigner`).
 * Signatures are raw JWS bytes (Ed25519: 64 bytes; ES256 and SM2: r || s, 64 bytes).
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
export function createWebCryptoSigner(alg: Exclude<SignatureAlgorithm, "SM2">, kid: string, privateKey: CryptoKey): CredentialSigner {
  return {
    alg,
    kid,
    sign: async (input) => new Uint8Array(await crypto.subtle.sign(WEBCRYPTO_PARAMS[alg], privateKey, input as BufferSource)),
  };
}

/**
 * A {@link CredentialSigner} over an SM2 private key (32 bytes): SM2 with SM3 and the user id
 * `1234567812345678` (GB/T 32918, GM/T 0009), in Node and browsers alike. Its `kid` is derived.
 *
 * @example
 * const signer = createSm2Signer(privateKey);
 * const sdJwt = await issueCredential({ ...parameters, signer }); // alg "SM2", _sd_alg "sm3"
 */
export function createSm2Signer(privateKey: Uint8Array): CredentialSigner & { publicKey: Uint8Array } {
  const publicKey = sm2PublicKeyOf(privateKey);
  const key = privateKey.slice();
  return { alg: "SM2", kid: keyIdOf({ alg: "SM2", publicKey }).kid, publicKey, sign: (input) => signSm2(key, input, publicKey) };
}
