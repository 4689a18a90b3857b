import { createHash, timingSafeEqual } from "node:crypto";
import { decodeProtectedHeader, decodeJwt } from "jose";
import { readHolderKey, type HolderPublicJwk } from "@certchain/sdk";

/**
 * A department the standalone verifier asks citizens for (`--departments <file>`): who it is,
 * the SHA-256 of its bearer token (the token itself is never stored), and the Verifier
 * Attestation its agency signed for it (`POST /v1/verifier-attestations` on the agency's issuing
 * service), which names this verifier's request key and response_uri.
 */
export interface DepartmentEntry {
  id: string;
  /** The name given in requests when the department states none (unverified: wallets show the agency's registered name). */
  name: string;
  /** SHA-256 (hex) of the department's bearer token. */
  tokenSha256: string;
  attestation: string;
  /** The attestation's `sub`: the department's client identifier without its prefix. */
  subject: string;
  /** The attestation's `exp`, seconds. */
  expiresAt: number;
}

const ID = /^[a-z0-9][a-z0-9-]{0,62}$/;
const HEX_64 = /^[0-9a-f]{64}$/;

/**
 * Reads the departments file: a JSON array of `{ id, name?, token_sha256, attestation }`. Each
 * attestation must be a Verifier Attestation JWT naming `requestKey` (this verifier's) in
 * `cnf.jwk` and `responseUri` among its `redirect_uris`.
 *
 * @throws Error naming the entry and what is wrong with it.
 */
export function parseDepartments(text: string, requestKey: HolderPublicJwk, responseUri: string): DepartmentEntry[] {
  const value: unknown = JSON.parse(text);
  if (!Array.isArray(value) || value.length === 0) throw new Error("the departments file must be a non-empty JSON array");
  const thumbprint = (jwk: unknown) => {
    const read = readHolderKey(jwk);
    return read.ok ? read.key.thumbprint : undefined;
  };
  const ours = thumbprint(requestKey);
  const seen = new Set<string>();
  return value.map((entry, i) => {
    const where = `departments[${i}]`;
    if (typeof entry !== "object" || entry === null) throw new Error(`${where} must be an object`);
    const { id, name, token_sha256: tokenSha256, attestation } = entry as Record<string, unknown>;
    if (typeof id !== "string" || !ID.test(id) || seen.has(id)) throw new Error(`${where}.id must be a unique lowercase slug`);
    seen.add(id);
    if (typeof tokenSha256 !== "string" || !HEX_64.test(tokenSha256)) throw new Error(`${where}.token_sha256 must be the SHA-256 (64 lowercase hex digits) of the department's token`);
    if (typeof attestation !== "string") throw new Error(`${where}.attestation must be the Verifier Attestation JWT its agency signed`);
    let payload: Record<string, unknown>;
    try {
      if (decodeProtectedHeader(attestation).typ !== "verifier-attestation+jwt") throw new Error("typ");
      payload = decodeJwt(attestation);
    } catch {
      throw new Error(`${where}.attestation is not a Verifier Attestation JWT (typ verifier-attestation+jwt)`);
    }
    if (thumbprint((payload.cnf as { jwk?: unknown } | undefined)?.jwk) !== ours) throw new Error(`${where}.attestation names another request key than this verifier's (certchain verifier --print-request-key)`);
    if (!Array.isArray(payload.redirect_uris) || !payload.redirect_uris.includes(responseUri)) throw new Error(`${where}.attestation does not allow this verifier's response_uri ${responseUri}`);
    if (typeof payload.sub !== "string" || typeof payload.exp !== "number") throw new Error(`${where}.attestation has no sub or exp`);
    return { id, name: typeof name === "string" && name.length > 0 ? name : id, tokenSha256, attestation, subject: payload.sub, expiresAt: payload.exp };
  });
}

/** The department a bearer token belongs to (constant-time comparison of its SHA-256), or undefined. */
export function departmentOfToken(departments: readonly DepartmentEntry[], token: string): DepartmentEntry | undefined {
  const digest = createHash("sha256").update(token, "utf8").digest();
  return departments.find((d) => timingSafeEqual(Buffer.from(d.tokenSha256, "hex"), digest));
}
