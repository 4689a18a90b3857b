import type { SignatureAlgorithm } from "./algorithms";
import { verifySm2 } from "./sm2";

// SM2 is not in WebCrypto: it is checked by ./sm2 (pure JS, in Node too: see there why).
const IMPORT_PARAMS = {
  EdDSA: { name: "Ed25519" },
  ES256: { name: "ECDSA", namedCurve: "P-256" },
} as const;
const VERIFY_PARAMS = {
  EdDSA: { name: "Ed25519" },
  ES256: { name: "ECDSA", hash: "SHA-256" },
} as const;

// Importing a key costs about as much as a verification; verifying a batch reuses each key.
const keyCache = new Map<string, Promise<CryptoKey>>();
const KEY_CACHE_LIMIT = 1024;

function importKey(alg: Exclude<SignatureAlgorithm, "SM2">, publicKey: Uint8Array): Promise<CryptoKey> {
  // The key's bytes as one char each: a short key, built without an array per verification.
  const cacheKey = `${alg}:${String.fromCharCode.apply(null, publicKey as unknown as number[])}`;
  let key = keyCache.get(cacheKey);
  if (!key) {
    if (keyCache.size >= KEY_CACHE_LIMIT) keyCache.clear();
    key = crypto.subtle.importKey("raw", publicKey as BufferSource, IMPORT_PARAMS[alg], false, ["verify"]);
    keyCache.set(cacheKey, key);
  }
  return key;
}

/**
 * Verifies a JWS signature with WebCrypto (same code in Node and browsers; Node runs it on its
 * thread pool, so a batch verified concurrently uses every core), SM2 with ./sm2. Never throws:
 * a key that cannot be imported or a malformed signature verifies as false.
 */
export async function verifySignature(
  alg: SignatureAlgorithm,
  publicKey: Uint8Array,
  signingInput: Uint8Array,
  signature: Uint8Array,
): Promise<boolean> {
  try {
    if (alg === "SM2") return verifySm2(publicKey, signingInput, signature);
    const key = await importKey(alg, publicKey);
    return await crypto.subtle.verify(VERIFY_PARAMS[alg], key, signature as BufferSource, signingInput as BufferSource);
  } catch {
    return false;
  }
}
