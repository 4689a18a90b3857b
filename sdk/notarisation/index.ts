export { digestOfDocument, createDocumentHasher, normaliseDocumentDigest, DOCUMENT_DIGEST_ALGORITHM, DOCUMENT_DIGEST_PATTERN } from "./digest";
export { verifyDocument, type DocumentVerificationResult, type DocumentCheckResult } from "./verify-document";
export { DOCUMENT_CODES, type DocumentCode } from "./codes";
