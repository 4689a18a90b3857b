export {
  CONSENT_RECEIPT_FORMAT,
  CONSENT_RECEIPT_VERSION,
  consentReceiptOf,
  parseConsentReceipt,
  encodeConsentReceipt,
  consentReceiptLeaf,
  type ConsentReceipt,
  type ConsentReceiptCredential,
  type ConsentReceiptInput,
} from "./receipt";
export { CONSENT_RECEIPT_ERRORS, type ConsentReceiptErrorCode } from "./codes";
export { buildConsentReceiptTree, verifyConsentReceiptProof, type ConsentReceiptTree } from "./receipt-tree";
export { verifyAnchoredConsentReceipt, ANCHORED_RECEIPT_CODES, type AnchoredReceiptCode, type VerifyAnchoredConsentReceiptOptions, type AnchoredConsentReceiptResult } from "./verify-anchored";
