/**
 * Reasons of the `document` check that {@link verifyDocument} adds after the SDK's pipeline.
 * Stable codes, as VERIFY_CODES; messages may improve.
 */
export const DOCUMENT_CODES = {
  DOCUMENT_MISMATCH: "The file differs from the notarised document.",
  NOT_A_NOTARISATION_RECEIPT: "The certificate is not a notarisation receipt.",
  DOCUMENT_DIGEST_WITHHELD: "The receipt does not disclose the document digest, so the file cannot be compared.",
  DOCUMENT_INPUT_INVALID: "The document must be given as bytes or as a 64-digit hex SHA-256 digest.",
} as const;

/** A stable code of the `document` check. */
export type DocumentCode = keyof typeof DOCUMENT_CODES;
