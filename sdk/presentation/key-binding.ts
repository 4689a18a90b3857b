import { isAllowedAlgorithm } from "../credential/algorithms";
import { sdHashFunctionOf } from "../credential/sd-alg";
import { verifySignature } from "../credential/signature";
import { holderKeyOfCredential, type HolderKey } from "../holder-binding/holder-key";
import type { Hex } from "../lib/bytes";
import { decodeCompactJws } from "../lib/compact-jws";
import { sha256Hex } from "../lib/hash";
import type { PresentationCode } from "./codes";
import { MAX_KEY_BINDING_JWT_LENGTH } from "./vp-token";

/** The JOSE `typ` of a key-binding JWT (RFC 9901 §4.3). */
export const KEY_BINDING_TYPE = "kb+jwt";
/** Clocks disagree: a key-binding JWT this far ahead of ours still passes. */
export const KEY_BINDING_CLOCK_SKEW_SECONDS = 60;

/** What the holder check expects of a presentation. */
export interface KeyBindingExpectations {
  /** Whether holder binding is required (a credential without `cnf`, or a presentation without a key-binding JWT, fails). */
  required: boolean;
  nonce: string;
  audience: string;
  /** Seconds since the epoch. */
  now: number;
  maxAgeSeconds: number;
}

/** The outcome of the holder check: a failure code, or none (passed, or skipped when not required and nothing to check). */
export interface KeyBindingOutcome {
  status: "passed" | "failed" | "skipped";
  code?: PresentationCode;
  holderKey: HolderKey | null;
  /** The verified key-binding JWT: SHA-256 of its text (the receipt's `key_binding`) and its `iat`. */
  keyBinding: { digest: Hex; issuedAt: number } | null;
}

/**
 * Verifies holder binding as RFC 9901 §7.3 step 5 and OpenID4VP 1.0 §B.3 say: the credential names
 * its holder key in `cnf.jwk`; the key-binding JWT has `typ: kb+jwt`, an allowed `alg` that is the
 * key's, and `iat`, `aud`, `nonce` and `sd_hash`; it is signed by that key; `sd_hash` is the
 * hash (`_sd_alg`) of the presented SD-JWT up to and including its last `~`; `aud` and `nonce` are
 * this request's; `iat` is recent. `payload` is the issuer-signed payload, whose signature the
 * pipeline checks. Never throws.
 */
export async function checkKeyBinding(payload: Record<string, unknown>, sdJwt: string, kbJwt: string | undefined, expect: KeyBindingExpectations): Promise<KeyBindingOutcome> {
  const outcome = (code?: PresentationCode, holderKey: HolderKey | null = null): KeyBindingOutcome => ({ status: code ? "failed" : "skipped", ...(code ? { code } : {}), holderKey, keyBinding: null });
  const held = holderKeyOfCredential(payload);
  if (!held.ok) {
    // A key-binding JWT that no holder key can check claims a binding the credential does not have.
    if (!expect.required && kbJwt === undefined) return outcome();
    return outcome(held.problem === "absent" ? "HOLDER_BINDING_MISSING" : "HOLDER_KEY_UNSUPPORTED");
  }
  const key = held.key;
  if (kbJwt === undefined) return outcome(expect.required ? "KEY_BINDING_MISSING" : undefined, key);
  const jws = decodeCompactJws(kbJwt, MAX_KEY_BINDING_JWT_LENGTH);
  if (!jws || jws.header.typ !== KEY_BINDING_TYPE || "crit" in jws.header) return outcome("KEY_BINDING_MALFORMED", key);
  if (!isAllowedAlgorithm(jws.header.alg) || jws.header.alg !== key.alg) return outcome("KEY_BINDING_ALGORITHM_NOT_ALLOWED", key);
  const { iat, aud, nonce, sd_hash: sdHash } = jws.payload;
  if (!Number.isSafeInteger(iat) || typeof aud !== "string" || typeof nonce !== "string" || typeof sdHash !== "string") return outcome("KEY_BINDING_MALFORMED", key);
  if (jws.signature.length !== 64 || !(await verifySignature(key.alg, key.raw.publicKey, jws.signingInput, jws.signature))) return outcome("KEY_BINDING_SIGNATURE_INVALID", key);
  const hash = sdHashFunctionOf(payload);
  if (!hash || hash(sdJwt) !== sdHash) return outcome("KEY_BINDING_SD_HASH_MISMATCH", key);
  if (aud !== expect.audience) return outcome("KEY_BINDING_AUDIENCE_MISMATCH", key);
  if (nonce !== expect.nonce) return outcome("KEY_BINDING_NONCE_MISMATCH", key);
  if ((iat as number) > expect.now + KEY_BINDING_CLOCK_SKEW_SECONDS) return outcome("KEY_BINDING_ISSUED_IN_FUTURE", key);
  if ((iat as number) < expect.now - expect.maxAgeSeconds) return outcome("KEY_BINDING_STALE", key);
  return { status: "passed", holderKey: key, keyBinding: { digest: sha256Hex(kbJwt), issuedAt: iat as number } };
}
