import { createPublicKey, sign, type KeyObject } from "node:crypto";
import { createSm2Signer, keyIdOf, type CredentialSigner, type RawPublicKey, type SignatureAlgorithm } from "@certchain/sdk";

/** The DER of the SM2 curve's OID 1.2.156.10197.1.301 (GB/T 32918.5), as SPKI and PKCS#8 name it. */
const SM2_CURVE_OID = Buffer.from("06082a811ccf5501822d", "hex");
/** `ECPrivateKey` (RFC 5915) inside PKCS#8: version 1, then the 32-byte private key. */
const EC_PRIVATE_KEY_PREFIX = Buffer.from("020101" + "0420", "hex");

const isSm2 = (der: Buffer): boolean => der.includes(SM2_CURVE_OID);

/** The registry's raw form of a node:crypto public (or private) key. */
export function rawPublicKeyOf(key: KeyObject): RawPublicKey {
  const spki = createPublicKey(key).export({ format: "der", type: "spki" });
  // Node cannot export SM2 keys as JWK: the point is the SPKI's last 65 bytes (0x04 || x || y).
  if (isSm2(spki)) return { alg: "SM2", publicKey: new Uint8Array(spki.subarray(-65)) };
  const jwk = createPublicKey(key).export({ format: "jwk" });
  if (jwk.kty === "OKP" && jwk.crv === "Ed25519") return { alg: "EdDSA", publicKey: new Uint8Array(Buffer.from(jwk.x!, "base64url")) };
  if (jwk.kty === "EC" && jwk.crv === "P-256") {
    return { alg: "ES256", publicKey: new Uint8Array(Buffer.concat([Buffer.of(4), Buffer.from(jwk.x!, "base64url"), Buffer.from(jwk.y!, "base64url")])) };
  }
  throw new TypeError(`unsupported key type ${jwk.kty}/${jwk.crv}`);
}

/** The 32-byte private key of an SM2 KeyObject (PKCS#8 holding an RFC 5915 `ECPrivateKey`). */
export function sm2PrivateKeyBytes(privateKey: KeyObject): Uint8Array {
  const pkcs8 = privateKey.export({ format: "der", type: "pkcs8" });
  const at = pkcs8.indexOf(EC_PRIVATE_KEY_PREFIX);
  if (!isSm2(pkcs8) || at < 0) throw new TypeError("not an SM2 private key");
  return new Uint8Array(pkcs8.subarray(at + EC_PRIVATE_KEY_PREFIX.length, at + EC_PRIVATE_KEY_PREFIX.length + 32));
}

/**
 * A credential signer over a node:crypto private key. node:crypto signs Ed25519 about three times
 * faster than going through jose or WebCrypto, and issuing is bound by signing. SM2 keys sign
 * through the SDK (GB/T 32918 with the default user id): Node's own SM2 signing uses an empty
 * user id, and for a key generated as "ec"/SM2 it even signs ECDSA-with-SM3 (see sdk/credential/sm2.ts).
 */
export function createNodeSigner(privateKey: KeyObject): CredentialSigner & { alg: SignatureAlgorithm } {
  const publicKey = rawPublicKeyOf(privateKey);
  if (publicKey.alg === "SM2") {
    const { alg, kid, sign: signSm2 } = createSm2Signer(sm2PrivateKeyBytes(privateKey));
    return { alg, kid, sign: signSm2 };
  }
  const { kid } = keyIdOf(publicKey);
  if (publicKey.alg === "EdDSA") return { alg: "EdDSA", kid, sign: (input) => sign(null, input, privateKey) };
  return { alg: "ES256", kid, sign: (input) => sign("sha256", input, { key: privateKey, dsaEncoding: "ieee-p1363" }) };
}
