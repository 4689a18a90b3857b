/**
 * A standard SD-JWT VC verifier, built from the `@sd-jwt/*` libraries and jose only: nothing of
 * ours (no module from sdk/, no @certchain/sdk). It finds what it needs the way the drafts say:
 * the issuer's keys at `/.well-known/jwt-vc-issuer` inserted into `iss` (JWT VC Issuer Metadata),
 * the status through `status.status_list` (Token Status List, via @sd-jwt/jwt-status-list inside
 * @sd-jwt/sd-jwt-vc), the type metadata at the `vct` URL checked against `vct#integrity`.
 */
import { createHash } from "node:crypto";
import { compactVerify, importJWK, type JWK } from "jose";
import { SDJwtVcInstance } from "@sd-jwt/sd-jwt-vc";

const decode = (segment: string): Record<string, any> => JSON.parse(Buffer.from(segment, "base64url").toString("utf8"));

/** `https://host/path` → `https://host/.well-known/jwt-vc-issuer/path` (draft-ietf-oauth-sd-jwt-vc, JWT VC Issuer Metadata). */
export function issuerMetadataUrl(iss: string): string {
  const url = new URL(iss);
  return `${url.origin}/.well-known/jwt-vc-issuer${url.pathname.replace(/\/+$/, "")}`;
}

/** W3C SRI, verified as the SD-JWT VC draft specifies: base64 digest of the document's bytes. */
function matchesSri(bytes: Buffer, integrity: string): boolean {
  return integrity.split(/\s+/).some((expression) => {
    const [alg, digest] = expression.split("-", 2);
    if (!["sha256", "sha384", "sha512"].includes(alg)) return false;
    return createHash(alg).update(bytes).digest("base64") === digest;
  });
}

export interface StandardVerification {
  payload: Record<string, any>;
  /** The value at the credential's index in its status list: 0 valid, 1 revoked (INVALID), 2 suspended. */
  status: number | undefined;
  typeMetadata: Record<string, any> | undefined;
  /** Every URL fetched, in order. */
  fetched: string[];
}

/**
 * Verifies an SD-JWT VC with `@sd-jwt/sd-jwt-vc`'s own verifier. Throws when the signature, the
 * status list's signature or the type metadata's integrity fails, as the library does.
 *
 * `@sd-jwt/sd-jwt-vc` 0.19.0 compares `vct#integrity` with a hex digest, while SRI (which the
 * draft uses) is base64, so its built-in type metadata fetcher refuses correct values; the
 * fetcher here does the same HTTP GET and checks SRI as the draft says. All else is the library's.
 */
export async function verifyWithStandardLibrary(sdJwt: string): Promise<StandardVerification> {
  const fetched: string[] = [];
  const keysOf = new Map<string, Promise<{ issuer: string; jwks: { keys: JWK[] } }>>();
  const metadataOf = (iss: string) => {
    let pending = keysOf.get(iss);
    if (!pending) {
      const url = issuerMetadataUrl(iss);
      fetched.push(url);
      pending = fetch(url).then(async (response) => {
        if (!response.ok) throw new Error(`JWT VC Issuer Metadata: HTTP ${response.status}`);
        return (await response.json()) as { issuer: string; jwks: { keys: JWK[] } };
      });
      keysOf.set(iss, pending);
    }
    return pending;
  };

  // Called for the credential and for its Status List Token alike: the key is the issuer's, by kid.
  const verifier = async (data: string, signature: string): Promise<boolean> => {
    const [headerPart, payloadPart] = data.split(".");
    const header = decode(headerPart);
    const payload = decode(payloadPart);
    if (typeof payload.iss !== "string") return false;
    const metadata = await metadataOf(payload.iss);
    if (metadata.issuer !== payload.iss) return false;
    const jwk = metadata.jwks.keys.find((key) => key.kid === header.kid);
    if (!jwk) return false;
    const key = await importJWK(jwk, header.alg);
    await compactVerify(`${data}.${signature}`, key, { algorithms: ["EdDSA", "ES256"] });
    return true;
  };

  let status: number | undefined;
  const instance = new SDJwtVcInstance({
    verifier,
    hasher: async (data: string | ArrayBuffer, alg = "sha-256") =>
      new Uint8Array(createHash(alg.replace("-", "")).update(typeof data === "string" ? data : Buffer.from(data)).digest()),
    loadTypeMetadataFormat: true,
    vctFetcher: async (uri: string, integrity?: string) => {
      fetched.push(uri);
      const response = await fetch(uri, { signal: AbortSignal.timeout(10_000) });
      if (!response.ok) throw new Error(`type metadata: HTTP ${response.status}`);
      const bytes = Buffer.from(await response.arrayBuffer());
      if (integrity !== undefined && !matchesSri(bytes, integrity)) throw new Error(`type metadata at ${uri} does not match vct#integrity`);
      return JSON.parse(bytes.toString("utf8"));
    },
    statusListFetcher: async (uri: string) => {
      fetched.push(uri);
      const response = await fetch(uri, { headers: { accept: "application/statuslist+jwt" } });
      if (!response.ok || !response.headers.get("content-type")?.includes("application/statuslist+jwt")) throw new Error(`status list: HTTP ${response.status}`);
      return response.text();
    },
    // Report the status rather than throw: the caller says what it means.
    statusValidator: async (value: number) => void (status = value),
  });
  const result = await instance.verify(sdJwt);
  return { payload: result.payload as Record<string, any>, status, typeMetadata: result.typeMetadata?.mergedTypeMetadata as Record<string, any> | undefined, fetched };
}
