export { computeCheckCharacter, isValidCheckCharacter } from "./mod37-36";
export { checkCreditCode, creditCodeCheckCharacter, creditCodeFromBytes18, creditCodeToBytes18, type CheckCreditCodeResult } from "./credit-code";
export {
  CERTIFICATE_NUMBER_PREFIX,
  formatCertificateNumber,
  parseCertificateNumber,
  type CertificateNumberParts,
  type FormatCertificateNumberParameters,
  type ParseCertificateNumberResult,
} from "./certificate-number";
