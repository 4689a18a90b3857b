import type { SignatureAlgorithm } from "../credential/algorithms";
import { keyIdOf, type RawPublicKey } from "../credential/key-id";
import { base64urlDecode, concatBytes } from "../lib/bytes";

/** How a holder key of one JWS algorithm is written as a JWK (RFC 7517/7518, RFC 8037). */
export interface HolderKeyAlgorithm {
  kty: string;
  crv: string;
  /** Public coordinates, each `bytes` long once base64url-decoded. */
  coordinates: readonly string[];
  bytes: number;
  /** The raw public key as the SDK's signature check takes it (see `verifySignature`). */
  raw(coordinates: readonly Uint8Array[]): Uint8Array;
}

/**
 * Holder keys the SDK binds credentials to and checks key-binding JWTs and key proofs with, by
 * JWS `alg`. Table-driven so that another suite (SM2) is one more row.
 */
export const HOLDER_KEY_ALGORITHMS: Readonly<Record<SignatureAlgorithm, HolderKeyAlgorithm>> = {
  ES256: { kty: "EC", crv: "P-256", coordinates: ["x", "y"], bytes: 32, raw: ([x, y]) => concatBytes(Uint8Array.of(4), concatBytes(x, y)) },
  EdDSA: { kty: "OKP", crv: "Ed25519", coordinates: ["x"], bytes: 32, raw: ([x]) => x },
  SM2: { kty: "EC", crv: "SM2", coordinates: ["x", "y"], bytes: 32, raw: ([x, y]) => concatBytes(Uint8Array.of(4), concatBytes(x, y)) },
};

/** A holder's public key as a JWK: only the members RFC 7638 names (`kty`, `crv`, the coordinates). */
export type HolderPublicJwk = { kty: "EC"; crv: "P-256" | "SM2"; x: string; y: string } | { kty: "OKP"; crv: "Ed25519"; x: string };

/** A checked holder key: its public JWK, the JWS algorithm it signs with, and its raw bytes. */
export interface HolderKey {
  jwk: HolderPublicJwk;
  alg: SignatureAlgorithm;
  raw: RawPublicKey;
  /** base64url RFC 7638 JWK thumbprint (SHA-256). */
  thumbprint: string;
}

/** Why a value is not a usable holder key. */
export type HolderKeyProblem = "private" | "unsupported" | "malformed";

// A JWK member that only a private or symmetric key has (RFC 7518 §6.2.2, §6.3.2, §6.4; RFC 8037).
const PRIVATE_MEMBERS = ["d", "p", "q", "dp", "dq", "qi", "oth", "k"];

const isObject = (value: unknown): value is Record<string, unknown> => typeof value === "object" && value !== null && !Array.isArray(value);

/**
 * Reads a holder's public JWK: refuses any private part (a wallet that sends one has leaked its
 * key), and any key type or curve outside {@link HOLDER_KEY_ALGORITHMS}. Extra public members
 * (`kid`, `use`, `alg`, `key_ops`) are dropped. Never throws.
 */
export function readHolderKey(value: unknown): { ok: true; key: HolderKey } | { ok: false; problem: HolderKeyProblem } {
  if (!isObject(value)) return { ok: false, problem: "malformed" };
  if (PRIVATE_MEMBERS.some((name) => Object.hasOwn(value, name))) return { ok: false, problem: "private" };
  const entry = (Object.entries(HOLDER_KEY_ALGORITHMS) as [SignatureAlgorithm, HolderKeyAlgorithm][]).find(([, a]) => a.kty === value.kty && a.crv === value.crv);
  if (!entry) return { ok: false, problem: "unsupported" };
  const [alg, algorithm] = entry;
  const coordinates: Uint8Array[] = [];
  for (const name of algorithm.coordinates) {
    const text = value[name];
    if (typeof text !== "string" || text.length > 64) return { ok: false, problem: "malformed" };
    let bytes: Uint8Array;
    try {
      bytes = base64urlDecode(text);
    } catch {
      return { ok: false, problem: "malformed" };
    }
    if (bytes.length !== algorithm.bytes) return { ok: false, problem: "malformed" };
    coordinates.push(bytes);
  }
  const jwk = Object.fromEntries([["kty", algorithm.kty], ["crv", algorithm.crv], ...algorithm.coordinates.map((name) => [name, value[name] as string])]) as HolderPublicJwk;
  const raw: RawPublicKey = { alg, publicKey: algorithm.raw(coordinates) };
  return { ok: true, key: { jwk, alg, raw, thumbprint: keyIdOf(raw).kid } };
}

/**
 * The holder key a credential is bound to (SD-JWT VC `cnf.jwk`, RFC 7800): `absent` when the
 * credential has no `cnf`, a problem when its `cnf` is not a usable JWK (`cnf.kid` or `cnf.jkt`
 * are not supported: a verifier could not find the key without asking someone).
 */
export function holderKeyOfCredential(payload: Record<string, unknown>): { ok: true; key: HolderKey } | { ok: false; problem: HolderKeyProblem | "absent" } {
  if (!Object.hasOwn(payload, "cnf")) return { ok: false, problem: "absent" };
  const cnf = payload.cnf;
  if (!isObject(cnf) || !Object.hasOwn(cnf, "jwk")) return { ok: false, problem: "unsupported" };
  return readHolderKey(cnf.jwk);
}
