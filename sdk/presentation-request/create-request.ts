import type { CredentialSigner } from "../credential/signer";
import { parseDcqlQuery } from "../dcql/query";
import { readHolderKey, type HolderPublicJwk } from "../holder-binding/holder-key";
import type { HolderSigner } from "../holder-binding/holder-signer";
import { signCompactJws } from "../lib/compact-jws";
import { MAX_PURPOSE_LENGTH, REQUEST_OBJECT_TYPE, VERIFIER_ATTESTATION_PREFIX, VERIFIER_ATTESTATION_TYPE } from "./request-object";

/** What {@link createVerifierAttestation} needs. */
export interface CreateVerifierAttestationParameters {
  /** The attesting agency's issuer identifier (`<publicUrl>/agencies/<slug>`): the wallet looks its key up on the registry. */
  issuer: string;
  /** The verifier's client identifier without its prefix. */
  subject: string;
  /** The public key that will sign the verifier's request objects (`cnf.jwk`). */
  requestKey: HolderPublicJwk;
  /** Seconds since the epoch. */
  issuedAt?: number;
  expiresAt: number;
  /** The only places answers may be sent (`redirect_uris`: the `response_uri`s of its requests). */
  redirectUris?: readonly string[];
  /** The agency's signing key as the registry holds it (its `kid` is the key's on-chain id). */
  signer: CredentialSigner;
}

/**
 * A Verifier Attestation JWT (OpenID4VP 1.0 §12): an agency on the registry vouches that the
 * verifier `subject` signs its requests with `requestKey` (`cnf.jwk`) and receives answers only
 * at `redirectUris`. Signed with the agency's registered key, so a wallet checks it against the
 * chain (see `verifyPresentationRequest`).
 *
 * @throws TypeError for a private or unsupported `requestKey`, or an empty subject.
 * @example
 * const attestation = await createVerifierAttestation({ issuer: agencyIssuerUrl(publicUrl, "sh-amr"), subject: clientId, requestKey: jwk, expiresAt, redirectUris: [responseUri], signer });
 */
export async function createVerifierAttestation(parameters: CreateVerifierAttestationParameters): Promise<string> {
  const key = readHolderKey(parameters.requestKey);
  if (!key.ok) throw new TypeError(`requestKey must be a public P-256, Ed25519 or SM2 JWK (${key.problem})`);
  if (typeof parameters.subject !== "string" || parameters.subject.length === 0) throw new TypeError("subject must be the client identifier without its prefix");
  const payload: Record<string, unknown> = {
    iss: parameters.issuer,
    sub: parameters.subject,
    iat: parameters.issuedAt ?? Math.floor(Date.now() / 1000),
    exp: parameters.expiresAt,
    cnf: { jwk: key.key.jwk },
  };
  if (parameters.redirectUris) payload.redirect_uris = [...parameters.redirectUris];
  const { signer } = parameters;
  return signCompactJws({ alg: signer.alg, typ: VERIFIER_ATTESTATION_TYPE, kid: signer.kid }, payload, (input) => signer.sign(input));
}

/** What {@link createRequestObject} needs. */
export interface CreateRequestObjectParameters {
  /** The Verifier Attestation JWT that vouches for `signer`'s key. */
  attestation: string;
  /** The client identifier without its prefix (the attestation's `sub`). */
  subject: string;
  responseUri: string;
  nonce: string;
  state: string;
  dcqlQuery: unknown;
  purpose?: string;
  /** Client metadata (RFC 7591 names: `client_name`, `logo_uri`; OpenID4VP's `vp_formats_supported`). */
  clientMetadata?: Record<string, unknown>;
  /** Seconds since the epoch. */
  issuedAt?: number;
  expiresAt: number;
  /** The request-signing key: the one the attestation names in `cnf.jwk`. */
  signer: Pick<HolderSigner, "alg" | "sign">;
}

/**
 * A signed OpenID4VP 1.0 request object (RFC 9101, `typ: oauth-authz-req+jwt`) for the
 * `verifier_attestation` client identifier prefix: `response_type: vp_token`, `response_mode:
 * direct_post`, the DCQL query, the attestation in the `jwt` header. `purpose` is a certchain
 * extension parameter (wallets that do not know it ignore it).
 *
 * @throws CertchainError `DCQL_QUERY_INVALID`; TypeError for a `purpose` over 500 characters.
 */
export async function createRequestObject(parameters: CreateRequestObjectParameters): Promise<string> {
  parseDcqlQuery(parameters.dcqlQuery);
  if (parameters.purpose !== undefined && (typeof parameters.purpose !== "string" || parameters.purpose.length > MAX_PURPOSE_LENGTH)) throw new TypeError(`purpose must be a string of at most ${MAX_PURPOSE_LENGTH} characters`);
  const clientId = VERIFIER_ATTESTATION_PREFIX + parameters.subject;
  const iat = parameters.issuedAt ?? Math.floor(Date.now() / 1000);
  const payload: Record<string, unknown> = {
    iss: clientId,
    aud: "https://self-issued.me/v2",
    iat,
    exp: parameters.expiresAt,
    client_id: clientId,
    response_type: "vp_token",
    response_mode: "direct_post",
    response_uri: parameters.responseUri,
    nonce: parameters.nonce,
    state: parameters.state,
    dcql_query: typeof parameters.dcqlQuery === "string" ? JSON.parse(parameters.dcqlQuery) : parameters.dcqlQuery,
    ...(parameters.purpose !== undefined ? { purpose: parameters.purpose } : {}),
    ...(parameters.clientMetadata ? { client_metadata: parameters.clientMetadata } : {}),
  };
  const { signer } = parameters;
  return signCompactJws({ alg: signer.alg, typ: REQUEST_OBJECT_TYPE, jwt: parameters.attestation }, payload, (input) => signer.sign(input));
}
