/**
 * The shapes of a department's OpenID4VP 1.0 request as certchain sends it: a signed request
 * object (RFC 9101, fetched from `request_uri`) whose `client_id` has the `verifier_attestation:`
 * prefix (OpenID4VP 1.0 §5.9.3), with the Verifier Attestation JWT (§12) in its `jwt` header.
 */

/** The JOSE `typ` of a signed request object (RFC 9101 §10.8, OpenID4VP 1.0 §5). */
export const REQUEST_OBJECT_TYPE = "oauth-authz-req+jwt";
/** The JOSE `typ` of a Verifier Attestation JWT (OpenID4VP 1.0 §12). */
export const VERIFIER_ATTESTATION_TYPE = "verifier-attestation+jwt";
/** The client identifier prefix certchain's verifiers use (OpenID4VP 1.0 §5.9.3). */
export const VERIFIER_ATTESTATION_PREFIX = "verifier_attestation:";
/** A request object is a few KiB (the attestation and the query included): far above that is refused unread. */
export const MAX_REQUEST_OBJECT_LENGTH = 64 * 1024;
/** The longest `purpose` a request may state (characters). */
export const MAX_PURPOSE_LENGTH = 500;

/** What the wallet needs of a request it can show. */
export interface PresentationRequest {
  /** The verifier's client identifier, prefix included: every key-binding JWT's `aud`. */
  clientId: string;
  nonce: string;
  state: string;
  /** Where the answer (or the refusal) is POSTed, `application/x-www-form-urlencoded` (`direct_post`). */
  responseUri: string;
  /** The query, as the request carries it (the raw object, for `matchDcqlQuery` after `parseDcqlQuery`). */
  dcqlQuery: unknown;
  /** Why the department asks, in its own words (a certchain extension parameter), or null. */
  purpose: string | null;
  /** The name the verifier gives itself (`client_metadata.client_name`), unconfirmed, or null. */
  clientName: string | null;
  /** When the request stops being answerable (`exp`, ISO 8601), or null when it says nothing. */
  expiresAt: string | null;
}
