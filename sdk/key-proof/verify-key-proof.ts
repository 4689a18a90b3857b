import { isAllowedAlgorithm, type SignatureAlgorithm } from "../credential/algorithms";
import { verifySignature } from "../credential/signature";
import { CertchainError } from "../errors";
import { HOLDER_KEY_ALGORITHMS, readHolderKey, type HolderPublicJwk } from "../holder-binding/holder-key";
import { decodeCompactJws } from "../lib/compact-jws";
import { KEY_PROOF_CODES, type KeyProofCode } from "./codes";
import { KEY_PROOF_TYPE } from "./create-key-proof";

/** What a credential issuer expects of a key proof. */
export interface VerifyKeyProofOptions {
  /** This issuer's Credential Issuer Identifier: the proof's `aud` must be exactly it. */
  credentialIssuer: string;
  /**
   * The `c_nonce` this issuer handed out for the request, which the proof must carry; `null` for
   * an issuer without a nonce endpoint (a nonce in the proof is then not looked at). Whether a
   * nonce is fresh and unused is the issuer's store's to say: look it up, then pass it here.
   */
  nonce: string | null;
  /** The client's `client_id`, when known: the proof's `iss` must then be it. */
  clientId?: string;
  /** Algorithms accepted (the metadata's `proof_signing_alg_values_supported`). Default: every holder key algorithm (`HOLDER_KEY_ALGORITHMS`: ES256, EdDSA). */
  algorithms?: readonly SignatureAlgorithm[];
  /** How old `iat` may be, in seconds. Default 300. */
  maxAgeSeconds?: number;
  /** The time to judge `iat` at. Default: now. */
  now?: Date | number;
}

/** A key proof that passed: the key to bind the credential to (`issueCredential`'s `holderKey`). */
export interface VerifiedKeyProof {
  jwk: HolderPublicJwk;
  alg: SignatureAlgorithm;
  /** base64url RFC 7638 thumbprint of `jwk`. */
  thumbprint: string;
  /** The proof's `iat`, seconds since the epoch. */
  issuedAt: number;
}

/** Longest key proof read: a header with a P-256 jwk and a payload of a few claims are far smaller. */
const MAX_KEY_PROOF_LENGTH = 8 * 1024;
/** Clocks disagree: an `iat` this far ahead of ours still passes. */
const CLOCK_SKEW_SECONDS = 60;
const DEFAULT_MAX_AGE_SECONDS = 300;

const refuse = (code: KeyProofCode, detail?: string): never => {
  throw new CertchainError(code, detail ? `${KEY_PROOF_CODES[code][1]} (${detail})` : KEY_PROOF_CODES[code][1]);
};

/**
 * Verifies the key proof of a credential request (OpenID4VCI 1.0, `jwt` proof type) and returns
 * the holder key it proves possession of. Checks, in order: a compact JWT; `typ`
 * `openid4vci-proof+jwt`; `alg` allowed (never `none` or a MAC); the key as a public `jwk` of that
 * algorithm (no private part; `kid` and `x5c` are not supported); the signature; `aud` the
 * credential issuer; `iss` the client when one is given; `nonce` the `c_nonce`; `iat` neither
 * older than `maxAgeSeconds` nor ahead of the clock.
 *
 * @throws CertchainError with a {@link KEY_PROOF_CODES} code; `KEY_PROOF_CODES[code][0]` is the
 * OpenID4VCI error to answer with (`invalid_proof` or `invalid_nonce`).
 * @example
 * const { jwk } = await verifyKeyProof(request.proofs.jwt[0], { credentialIssuer, nonce: storedNonce });
 * const credential = await issueCredential({ ...parameters, holderKey: jwk });
 */
export async function verifyKeyProof(jwt: unknown, options: VerifyKeyProofOptions): Promise<VerifiedKeyProof> {
  const proof = decodeCompactJws(jwt, MAX_KEY_PROOF_LENGTH);
  if (!proof) return refuse("KEY_PROOF_MALFORMED");
  const { header, payload } = proof;
  if (header.typ !== KEY_PROOF_TYPE) return refuse("KEY_PROOF_WRONG_TYPE");
  if ("crit" in header) return refuse("KEY_PROOF_MALFORMED", "critical header parameters are not supported");
  const allowed = options.algorithms ?? (Object.keys(HOLDER_KEY_ALGORITHMS) as SignatureAlgorithm[]);
  if (!isAllowedAlgorithm(header.alg) || !allowed.includes(header.alg)) return refuse("KEY_PROOF_ALGORITHM_NOT_ALLOWED", JSON.stringify(header.alg ?? null));
  if (!("jwk" in header) || "kid" in header || "x5c" in header) return refuse("KEY_PROOF_KEY_UNSUPPORTED");
  const read = readHolderKey(header.jwk);
  if (!read.ok) return refuse(read.problem === "private" ? "KEY_PROOF_PRIVATE_KEY" : "KEY_PROOF_KEY_UNSUPPORTED");
  const key = read.key;
  if (key.alg !== header.alg) return refuse("KEY_PROOF_KEY_UNSUPPORTED", `a ${key.jwk.crv} key does not sign ${header.alg}`);
  if (typeof payload.aud !== "string" || !Number.isSafeInteger(payload.iat)) return refuse("KEY_PROOF_MALFORMED");
  if (proof.signature.length !== 64 || !(await verifySignature(key.alg, key.raw.publicKey, proof.signingInput, proof.signature))) return refuse("KEY_PROOF_SIGNATURE_INVALID");
  if (payload.aud !== options.credentialIssuer) return refuse("KEY_PROOF_AUDIENCE_MISMATCH");
  if (options.clientId !== undefined && payload.iss !== options.clientId) return refuse("KEY_PROOF_CLIENT_MISMATCH");
  if (options.nonce !== null) {
    if (payload.nonce === undefined) return refuse("KEY_PROOF_NONCE_MISSING");
    if (payload.nonce !== options.nonce) return refuse("KEY_PROOF_NONCE_MISMATCH");
  }
  const now = Math.floor(Number(options.now ?? Date.now()) / 1000);
  const iat = payload.iat as number;
  if (iat > now + CLOCK_SKEW_SECONDS) return refuse("KEY_PROOF_ISSUED_IN_FUTURE");
  if (iat < now - (options.maxAgeSeconds ?? DEFAULT_MAX_AGE_SECONDS)) return refuse("KEY_PROOF_STALE");
  return { jwk: key.jwk, alg: key.alg, thumbprint: key.thumbprint, issuedAt: iat };
}
