export { computeCheckCharacter, isValidCheckCharacter } from "./mod37-36";
export {
  CERTIFICATE_NUMBER_PREFIX,
  formatCertificateNumber,
  parseCertificateNumber,
  type CertificateNumberParts,
  type FormatCertificateNumberParameters,
  type ParseCertificateNumberResult,
} from "./certificate-number";
