import { CertchainError } from "@certchain/sdk";

/**
 * Every API error: stable code → HTTP status and default message (as fastify's lib/errors.js).
 * Client mistakes are 4xx; 5xx only for faults of the service, whose text is never shown.
 */
export const API_ERRORS = {
  BAD_REQUEST: [400, "The request is malformed."],
  URL_INVALID: [400, "The URL is not validly percent-encoded."],
  URI_TOO_LONG: [414, "A path segment of the URL is longer than 200 characters."],
  HEADERS_TOO_LARGE: [431, "The request line and headers exceed 16 KiB."],
  REQUEST_TIMEOUT: [408, "The request did not arrive in time."],
  EXPECTATION_FAILED: [417, "Only Expect: 100-continue is supported."],
  VALIDATION_FAILED: [400, "The request body does not match the schema."],
  INVALID_JSON: [400, "The request body is not valid JSON."],
  JSON_TOO_DEEP: [400, "The request body nests arrays and objects more than 32 levels deep."],
  JSON_FORBIDDEN_KEY: [400, "The request body is valid JSON but uses __proto__ or constructor.prototype as a key, which is refused."],
  HOST_MISSING: [400, "An HTTP/1.1 request needs a Host header."],
  CLAIMS_INVALID: [422, "The claims do not fit the certificate type's schema."],
  CLAIMS_TOO_COSTLY: [422, "Checking this request's claims took more than one request's share of the service (5 s); send smaller batches."],
  CERT_TYPE_UNKNOWN: [422, "No such certificate type."],
  CERT_TYPE_NOT_ACCREDITED: [403, "The agency is not accredited to issue this certificate type."],
  TYPE_METADATA_INVALID: [400, "The type metadata is not a usable certificate type document."],
  TYPE_CONFLICT: [409, "The type conflicts with one the service or the registry already has."],
  VALIDITY_INVALID: [422, "validFrom must be before validUntil."],
  BATCH_TOO_LARGE: [413, "A batch holds at most 10,000 certificates."],
  PAYLOAD_TOO_LARGE: [413, "The request body is too large."],
  UNSUPPORTED_MEDIA_TYPE: [415, "Send application/json (UTF-8: no other charset)."],
  AUTH_MISSING: [401, "A bearer token is required."],
  AUTH_INVALID: [401, "The bearer token is invalid."],
  AUTH_EXPIRED: [401, "The bearer token has expired."],
  AUTH_REVOKED: [401, "The bearer token has been revoked."],
  FORBIDDEN: [403, "This token may not do that."],
  FORBIDDEN_AGENCY: [403, "The certificate belongs to another agency."],
  CERT_NOT_FOUND: [404, "No such certificate."],
  CERT_ERASED: [410, "The certificate's personal data was erased; its anchor and status remain (the holder's file still verifies)."],
  AGENCY_NOT_FOUND: [404, "No such agency."],
  AGENCY_EXISTS: [409, "An agency with this slug is already registered."],
  AGENCY_SUSPENDED: [403, "The agency is suspended on this node: it issues nothing until the root authority resumes it."],
  TOKEN_NOT_FOUND: [404, "No such token for this agency."],
  CREDIT_CODE_TAKEN: [409, "Another agency is registered with this unified social credit code."],
  NOT_FOUND: [404, "No such resource."],
  PROOF_NOT_FOUND: [404, "This service issued no certificate with that leaf."],
  CERT_NOT_ANCHORED: [409, "The certificate is not anchored yet; try again after its batch is anchored."],
  STATUS_TRANSITION_INVALID: [409, "That status change is not possible from the certificate's current status."],
  IDEMPOTENCY_KEY_REUSED: [422, "This Idempotency-Key was used with a different request."],
  SHARE_NOT_FOUND: [404, "No such share link."],
  SHARE_GONE: [410, "The share link has expired or was withdrawn."],
  SHARE_WITHDRAW_FORBIDDEN: [403, "The withdrawal token does not match this share link."],
  SHARE_TOO_LARGE: [413, "The ciphertext exceeds 64 KiB."],
  SHARE_EXPIRY_INVALID: [422, "expiresAt must be in the future and at most 30 days ahead."],
  SHARE_CIPHERTEXT_INVALID: [400, "The ciphertext must be a JWE in compact form with alg dir and enc A256GCM."],
  PRESENTATION_QUERY_INVALID: [422, "The dcql_query is not a valid DCQL query (OpenID4VP 1.0 §6)."],
  PRESENTATION_REQUEST_NOT_FOUND: [404, "No such presentation request."],
  PRESENTATION_REQUEST_EXPIRED: [410, "The presentation request has expired."],
  PRESENTATION_REQUEST_CLOSED: [409, "The presentation request was already answered or declined: it takes one answer."],
  PRESENTATION_REPLAYED: [400, "This vp_token was already accepted as the answer to a request: a presentation is used once."],
  PRESENTATION_REJECTED: [400, "The answer does not verify for this request."],
  RESPONSE_INVALID: [400, "The response is not an OpenID4VP direct_post answer: state, and vp_token (JSON) or error."],
  WEBHOOK_URL_NOT_ALLOWED: [422, "The webhook must be an http(s) URL without credentials whose host is not a private, loopback or link-local address."],
  DEPARTMENT_NOT_ATTESTABLE: [503, "The department's signing key cannot be registered on the chain now, so nothing can vouch for its request; try again later."],
  RECEIPT_NOT_FOUND: [404, "No consent receipt with that leaf here."],
  RECEIPTS_NONE_TO_ANCHOR: [409, "Every consent receipt of this department is anchored already."],
  CERT_NOT_OFFERABLE: [409, "This certificate cannot be offered for collection: it is revoked or suspended, older than holder binding (format v1), or collected the most times it may be."],
  OFFER_NOT_FOUND: [404, "No such credential offer."],
  OFFER_GONE: [410, "The credential offer has expired, was already used, or was locked after too many wrong PINs."],
  // OpenID4VCI and OAuth 2.0 refusals: the token, nonce and credential endpoints answer them as
  // { error, error_description } with the OAuth error of OAUTH_ERRORS (routes/oid4vci.ts).
  TOKEN_REQUEST_INVALID: [400, "The token request is malformed (RFC 6749 §5.2)."],
  GRANT_TYPE_UNSUPPORTED: [400, "Only the pre-authorized code grant (urn:ietf:params:oauth:grant-type:pre-authorized_code) is supported."],
  PRE_AUTHORIZED_CODE_INVALID: [400, "The pre-authorized code is unknown, expired or already used."],
  TX_CODE_MISSING: [400, "This offer needs its transaction code (PIN): send it as tx_code."],
  TX_CODE_UNEXPECTED: [400, "This offer has no transaction code; send none."],
  TX_CODE_WRONG: [400, "The transaction code (PIN) is wrong."],
  TX_CODE_LOCKED: [400, "Too many wrong transaction codes: the offer is locked; ask the agency for a new one."],
  ACCESS_TOKEN_INVALID: [401, "The access token is missing, unknown or expired."],
  CREDENTIAL_REQUEST_INVALID: [400, "The credential request is malformed (OpenID4VCI 1.0 §8.2)."],
  CREDENTIAL_CONFIGURATION_UNKNOWN: [400, "The credential configuration is unknown or not covered by this access token."],
  CREDENTIAL_IDENTIFIER_UNKNOWN: [400, "This issuer hands out no credential identifiers; ask by credential_configuration_id."],
  CREDENTIAL_ENCRYPTION_UNSUPPORTED: [400, "Credential response encryption is not supported."],
  CREDENTIAL_REQUEST_DENIED: [400, "The credential cannot be issued."],
  C_NONCE_INVALID: [400, "The key proof's nonce is not a c_nonce of this issuer, or it expired or was used: fetch a fresh one."],
  RATE_LIMITED: [429, "Too many requests; slow down."],
  CHAIN_UNAVAILABLE: [503, "The chain is unreachable; try again later."],
  CHAIN_STATE_MISMATCH: [503, "The chain does not hold this service's anchors (a wrong, reset or unrebuilt chain); nothing is written to it until the operator repairs it."],
  ANCHORING_STUCK: [503, "Anchoring has been failing for over a minute; see /readyz."],
  OPERATOR_UNFUNDED: [503, "The agency's operator account cannot pay for transactions; send funds to it."],
  ROOT_AUTHORITY_UNFUNDED: [503, "The root authority's account cannot pay for transactions; send funds to it."],
  CHAIN_NONCE_CONFLICT: [503, "The chain refused the transaction's nonce: another program may be sending from the same account."],
  CHAIN_TX_NOT_MINED: [503, "The transaction was sent but not mined in time; it may still be."],
  CHAIN_TX_REVERTED: [502, "The chain reverted the transaction."],
  CHAIN_WRITE_REFUSED: [502, "The chain refused the transaction."],
  INTERNAL: [500, "Internal error."],
} as const satisfies Record<string, readonly [number, string]>;

export type ApiErrorCode = keyof typeof API_ERRORS;

/**
 * Service faults whose message and details the service composes from what it knows (an agency,
 * an account, the node's reason in a few words): shown to the caller, who can act on them. Every
 * other 5xx text stays hidden.
 */
export const SHOWN_SERVICE_FAULTS: ReadonlySet<ApiErrorCode> = new Set<ApiErrorCode>([
  "OPERATOR_UNFUNDED",
  "ROOT_AUTHORITY_UNFUNDED",
  "CHAIN_NONCE_CONFLICT",
  "CHAIN_TX_NOT_MINED",
  "CHAIN_TX_REVERTED",
  "CHAIN_WRITE_REFUSED",
]);

/** `details` is always a list in the API (the OpenAPI error schema says so): one object becomes a list of one. */
export const detailsList = (details: unknown): unknown[] | undefined => (details === undefined ? undefined : Array.isArray(details) ? details : [details]);

export function apiError(code: ApiErrorCode, message?: string, details?: unknown): CertchainError<ApiErrorCode> {
  return new CertchainError<ApiErrorCode>(code, message ?? API_ERRORS[code][1], details === undefined ? {} : { details: detailsList(details) });
}

/** Whether `code` is one of the table's own codes (never an inherited name such as "constructor"). */
export const isApiErrorCode = (code: unknown): code is ApiErrorCode => typeof code === "string" && Object.hasOwn(API_ERRORS, code);

export const statusOfCode = (code: string): number => (isApiErrorCode(code) ? API_ERRORS[code][0] : 500);

/** The one error shape of every reply: `{ error: { code, message, details? } }`, details a list. */
export const errorBody = (code: string, message: string, details?: unknown) => ({
  error: details === undefined ? { code, message } : { code, message, details: detailsList(details) },
});

/** The OAuth 2.0 / OpenID4VCI `error` each code is answered with on the token, nonce and credential endpoints. */
export const OAUTH_ERRORS: Partial<Record<ApiErrorCode, string>> = {
  TOKEN_REQUEST_INVALID: "invalid_request",
  GRANT_TYPE_UNSUPPORTED: "unsupported_grant_type",
  PRE_AUTHORIZED_CODE_INVALID: "invalid_grant",
  TX_CODE_MISSING: "invalid_request",
  TX_CODE_UNEXPECTED: "invalid_request",
  TX_CODE_WRONG: "invalid_grant",
  TX_CODE_LOCKED: "invalid_grant",
  ACCESS_TOKEN_INVALID: "invalid_token",
  CREDENTIAL_REQUEST_INVALID: "invalid_credential_request",
  CREDENTIAL_CONFIGURATION_UNKNOWN: "unknown_credential_configuration",
  CREDENTIAL_IDENTIFIER_UNKNOWN: "unknown_credential_identifier",
  CREDENTIAL_ENCRYPTION_UNSUPPORTED: "invalid_encryption_parameters",
  CREDENTIAL_REQUEST_DENIED: "credential_request_denied",
  C_NONCE_INVALID: "invalid_nonce",
  RATE_LIMITED: "slow_down",
  CHAIN_UNAVAILABLE: "temporarily_unavailable",
  CHAIN_STATE_MISMATCH: "temporarily_unavailable",
};
