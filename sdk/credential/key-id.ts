import { base64urlDecode, base64urlEncode, fromHex, toHex, utf8, type Hex } from "../lib/bytes";
import { sha256 } from "../lib/hash";
import type { SignatureAlgorithm } from "./algorithms";

/** A public key as the registry stores it: Ed25519 32 bytes, P-256 and SM2 65 bytes uncompressed. */
export interface RawPublicKey {
  alg: SignatureAlgorithm;
  publicKey: Uint8Array;
}

/**
 * The public JWK of a raw key (members as RFC 7638 orders them). SM2 keys are `kty: "EC"` with
 * `crv: "SM2"`, as draft-dang-webauthn-sm2 registers the curve.
 */
export function publicJwkOf({ alg, publicKey }: RawPublicKey): Record<string, string> {
  if (alg === "EdDSA") {
    if (publicKey.length !== 32) throw new TypeError("an Ed25519 public key has 32 bytes");
    return { crv: "Ed25519", kty: "OKP", x: base64urlEncode(publicKey) };
  }
  const crv = alg === "SM2" ? "SM2" : "P-256";
  if (publicKey.length !== 65 || publicKey[0] !== 4) throw new TypeError(`a ${crv} public key has 65 bytes, uncompressed`);
  return { crv, kty: "EC", x: base64urlEncode(publicKey.slice(1, 33)), y: base64urlEncode(publicKey.slice(33)) };
}

/**
 * The key's RFC 7638 JWK thumbprint (SHA-256): the on-chain key id, and (base64url) the JWT `kid`.
 * Deriving the id from the key means a `kid` can never point at a different key than it names.
 */
export function keyIdOf(key: RawPublicKey): { keyId: Hex; kid: string } {
  const jwk = publicJwkOf(key);
  const canonical = JSON.stringify(Object.fromEntries(Object.keys(jwk).sort().map((k) => [k, jwk[k]])));
  const digest = sha256(utf8(canonical));
  return { keyId: toHex(digest), kid: base64urlEncode(digest) };
}

/** The on-chain key id a `kid` names, or undefined when it is not a 32-byte base64url value. */
export function keyIdFromKid(kid: unknown): Hex | undefined {
  if (typeof kid !== "string" || kid.length !== 43) return undefined;
  try {
    return toHex(base64urlDecode(kid));
  } catch {
    return undefined;
  }
}

/** The JWT `kid` (base64url) of an on-chain key id; the inverse of {@link keyIdFromKid}. */
export const kidFromKeyId = (keyId: Hex): string => base64urlEncode(fromHex(keyId));
