import { createPrivateKey, createPublicKey, generateKeyPairSync, sign, type KeyObject } from "node:crypto";
import { readHolderKey, type HolderPublicJwk } from "@certchain/sdk";
import type { Database } from "../store/database";
import { open, seal, type SealCipher, type SealedBox } from "./sealed-box";

/** Where the request-signing key lives: a sealed box in `meta`, beside the token secret (a passphrase change re-seals it with them). */
export const REQUEST_KEY = { sublevel: "meta", key: "request-signing-key" } as const;

/** The key a verifier signs its request objects with (OpenID4VP); its attestation names it in `cnf.jwk`. */
export interface RequestSigningKey {
  alg: "ES256";
  publicJwk: HolderPublicJwk;
  /** Raw JWS signature (r || s). */
  sign(input: Uint8Array): Uint8Array;
}

function signerOf(privateKey: KeyObject): RequestSigningKey {
  const read = readHolderKey(createPublicKey(privateKey).export({ format: "jwk" }));
  if (!read.ok) throw new Error("a request-signing key is a P-256 key");
  return {
    alg: "ES256",
    publicJwk: read.key.jwk,
    sign: (input) => new Uint8Array(sign("sha256", input, { key: privateKey, dsaEncoding: "ieee-p1363" })),
  };
}

/**
 * A request-signing key that lives in memory only: enough where every request comes with an
 * attestation of its own (the issuing service signs one per request with the agency's key), since
 * nothing is signed with it after the request object. Nothing of it is ever written to disk.
 */
export const generateRequestSigningKey = (): RequestSigningKey => signerOf(generateKeyPairSync("ec", { namedCurve: "P-256" }).privateKey);

/**
 * The verifier service's request-signing key: P-256 (ES256, what every OpenID4VP wallet verifies), created on
 * first use and kept sealed under the passphrase, because the attestations departments configure
 * (long-lived, made by their agencies) name it. It signs no certificate: only request objects.
 */
export async function loadRequestSigningKey(db: Database, passphrase: string, cipher?: SealCipher): Promise<RequestSigningKey> {
  const meta = db.sublevel<SealedBox>(REQUEST_KEY.sublevel);
  let box = await meta.get(REQUEST_KEY.key);
  if (box === undefined) {
    const { privateKey } = generateKeyPairSync("ec", { namedCurve: "P-256" });
    box = seal(privateKey.export({ format: "der", type: "pkcs8" }), passphrase, { cipher });
    await db.write([{ type: "put", sublevel: meta, key: REQUEST_KEY.key, value: box }]);
  }
  return signerOf(createPrivateKey({ key: open(box, passphrase), format: "der", type: "pkcs8" }));
}
