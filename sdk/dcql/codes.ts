/**
 * Errors thrown by the DCQL helpers (`CertchainError` codes): a query that is not a valid
 * OpenID4VP 1.0 DCQL query, or a wallet's choice of claims that is none of the query's options.
 */
export const DCQL_ERRORS = {
  DCQL_QUERY_INVALID: "The dcql_query is not a valid DCQL query (OpenID4VP 1.0 §6), or exceeds this SDK's limits.",
  DCQL_SELECTION_INVALID: "The chosen claims are none of the combinations the credential query allows (claim_sets).",
} as const;

/** A code of {@link DCQL_ERRORS}. */
export type DcqlErrorCode = keyof typeof DCQL_ERRORS;
