/**
 * Why a wallet cannot show a department's request, or cannot say who sent it
 * (`verifyPresentationRequest`). Stable codes: wallets branch on them; messages may improve.
 * `CHAIN_UNREACHABLE` (from `VERIFY_CODES`) is reported too, when no trusted registry answered.
 */
export const REQUEST_CODES = {
  // the request object itself (the wallet cannot show it)
  REQUEST_OBJECT_MALFORMED: "The request object is not a compact JWT with typ oauth-authz-req+jwt and the parameters OpenID4VP 1.0 requires.",
  REQUEST_OBJECT_UNSUPPORTED: "The request asks for something this wallet does not do (response_type vp_token with response_mode direct_post only).",
  REQUEST_OBJECT_SIGNATURE_INVALID: "The request object is not signed by the key its verifier attestation names, or was altered after signing.",
  REQUEST_OBJECT_EXPIRED: "The request has expired (exp).",
  REQUEST_CLIENT_ID_MISMATCH: "The client_id of the link, of the request object and of its verifier attestation do not agree, or its prefix is not verifier_attestation.",
  REQUEST_RESPONSE_URI_NOT_ALLOWED: "The response_uri is not an http(s) URL the verifier attestation allows (redirect_uris).",
  REQUEST_QUERY_INVALID: "The request's dcql_query is not a valid DCQL query.",
  // who is asking (the request can be shown, its sender not confirmed)
  VERIFIER_ATTESTATION_MALFORMED: "The verifier attestation (the jwt header) is not a JWT with typ verifier-attestation+jwt, iss, sub, exp and a public cnf.jwk.",
  VERIFIER_ATTESTATION_EXPIRED: "The verifier attestation has expired, or is not valid yet.",
  VERIFIER_NOT_TRUSTED: "The verifier attestation is not signed by a current key of an agency on a trusted registry.",
} as const satisfies Record<string, string>;

/** A code of {@link REQUEST_CODES}. */
export type RequestCode = keyof typeof REQUEST_CODES;
