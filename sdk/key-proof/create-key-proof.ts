import type { HolderSigner } from "../holder-binding/holder-signer";
import { signCompactJws } from "../lib/compact-jws";

/** What {@link createKeyProof} signs. */
export interface CreateKeyProofParameters {
  /** The Credential Issuer Identifier (`aud`): the `credential_issuer` of the issuer's metadata. */
  credentialIssuer: string;
  /** The `c_nonce` from the issuer's nonce endpoint. Omit only for an issuer without one. */
  nonce?: string;
  /** Seconds since the epoch. Default: now. */
  issuedAt?: number;
  /** The wallet's `client_id` (`iss`); leave it out in the pre-authorized code flow with anonymous access, as OpenID4VCI requires. */
  clientId?: string;
  /** The device key the credential is to be bound to; its public JWK goes in the header. */
  holderSigner: HolderSigner;
}

/** The JOSE `typ` of a key proof (OpenID4VCI 1.0 Appendix F.1). */
export const KEY_PROOF_TYPE = "openid4vci-proof+jwt";

/**
 * Creates the key proof a wallet sends with a credential request (OpenID4VCI 1.0, `jwt` proof
 * type): a JWT with `typ: openid4vci-proof+jwt` and the holder's public `jwk` in its header, and
 * `aud` (the credential issuer), `iat` and `nonce` (the `c_nonce`) in its payload, signed with
 * the holder key. The issuer binds the credential to that key (`cnf.jwk`).
 *
 * @example
 * const jwt = await createKeyProof({ credentialIssuer: metadata.credential_issuer, nonce: c_nonce, holderSigner });
 * await fetch(metadata.credential_endpoint, { method: "POST", headers, body: JSON.stringify({ credential_configuration_id, proofs: { jwt: [jwt] } }) });
 */
export function createKeyProof(parameters: CreateKeyProofParameters): Promise<string> {
  const { credentialIssuer, nonce, clientId, holderSigner } = parameters;
  const payload: Record<string, unknown> = {};
  if (clientId !== undefined) payload.iss = clientId;
  payload.aud = credentialIssuer;
  payload.iat = parameters.issuedAt ?? Math.floor(Date.now() / 1000);
  if (nonce !== undefined) payload.nonce = nonce;
  return signCompactJws({ alg: holderSigner.alg, typ: KEY_PROOF_TYPE, jwk: holderSigner.publicJwk }, payload, (input) => holderSigner.sign(input));
}
