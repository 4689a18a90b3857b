/** Errors of the receipt helpers (`CertchainError` codes). */
export const CONSENT_RECEIPT_ERRORS = {
  CONSENT_RECEIPT_INVALID: "The consent receipt is not well formed (format, version, hashes, time, credentials).",
  CONSENT_RECEIPT_INPUT_INVALID: "A consent receipt needs the request object's text and a vp_token whose presentations can be read, and a time when none carries a key-binding JWT.",
} as const;

/** A code of {@link CONSENT_RECEIPT_ERRORS}. */
export type ConsentReceiptErrorCode = keyof typeof CONSENT_RECEIPT_ERRORS;
