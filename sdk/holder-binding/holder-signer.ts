import type { SignatureAlgorithm } from "../credential/algorithms";
import { CertchainError } from "../errors";
import { readHolderKey, type HolderPublicJwk } from "./holder-key";

/**
 * Signs as the holder (a citizen's wallet): key proofs at collection (OpenID4VCI) and key-binding
 * JWTs at presentation (RFC 9901). The private key never enters the SDK.
 */
export interface HolderSigner {
  alg: SignatureAlgorithm;
  /** The public key credentials are bound to (`cnf.jwk`). */
  publicJwk: HolderPublicJwk;
  /** The raw JWS signature of `signingInput` (ES256: r || s, 64 bytes; Ed25519: 64 bytes). */
  sign(signingInput: Uint8Array): Uint8Array | Promise<Uint8Array>;
}

const SIGN_PARAMS = {
  ES256: { name: "ECDSA", hash: "SHA-256" },
  EdDSA: { name: "Ed25519" },
} as const;

// WebCrypto has no SM2: its key pairs are P-256 or Ed25519.
function algorithmOf(key: CryptoKey): Exclude<SignatureAlgorithm, "SM2"> | undefined {
  const algorithm = key.algorithm as { name?: string; namedCurve?: string };
  if (algorithm.name === "ECDSA" && algorithm.namedCurve === "P-256") return "ES256";
  if (algorithm.name === "Ed25519") return "EdDSA";
  return undefined;
}

/**
 * A {@link HolderSigner} over a WebCrypto key pair (P-256 or Ed25519): the wallet's device key,
 * whose private half can stay non-extractable (only the public half is exported, as a JWK).
 *
 * @throws CertchainError `HOLDER_KEY_UNSUPPORTED` for another kind of key.
 * @example
 * const pair = await crypto.subtle.generateKey({ name: "ECDSA", namedCurve: "P-256" }, false, ["sign", "verify"]);
 * const holderSigner = await createWebCryptoHolderSigner(pair);
 */
export async function createWebCryptoHolderSigner(keyPair: CryptoKeyPair): Promise<HolderSigner> {
  const alg = algorithmOf(keyPair.privateKey);
  if (!alg || algorithmOf(keyPair.publicKey) !== alg) throw new CertchainError("HOLDER_KEY_UNSUPPORTED", "a holder key is a P-256 (ES256) or Ed25519 (EdDSA) key pair");
  const read = readHolderKey(await crypto.subtle.exportKey("jwk", keyPair.publicKey));
  if (!read.ok) throw new CertchainError("HOLDER_KEY_UNSUPPORTED", "the public key could not be exported as a JWK");
  const { privateKey } = keyPair;
  return {
    alg,
    publicJwk: read.key.jwk,
    sign: async (input) => new Uint8Array(await crypto.subtle.sign(SIGN_PARAMS[alg], privateKey, input as BufferSource)),
  };
}
