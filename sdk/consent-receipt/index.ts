export {
  CONSENT_RECEIPT_FORMAT,
  CONSENT_RECEIPT_VERSION,
  CONSENT_RECEIPT_ERRORS,
  consentReceiptOf,
  parseConsentReceipt,
  encodeConsentReceipt,
  consentReceiptLeaf,
  type ConsentReceipt,
  type ConsentReceiptCredential,
  type ConsentReceiptInput,
  type ConsentReceiptErrorCode,
} from "./receipt";
export { buildConsentReceiptTree, verifyConsentReceiptProof, type ConsentReceiptTree } from "./receipt-tree";
