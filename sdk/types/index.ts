export {
  defineCertificateType,
  typeIdOf,
  JSON_SCHEMA_DRAFT_2020_12,
  type CertificateType,
  type JsonSchema,
  type JsonSchemaObject,
  type LocalisedText,
} from "./define";
export { certificateTypes, findTypeById, findTypeByVct } from "./registry";
export { validateClaims, type ClaimError, type ValidateClaimsOptions, type ValidateClaimsResult } from "./validate-claims";
export { businessLicence } from "./definitions/business-licence";
export { marriageCertificate } from "./definitions/marriage-certificate";
export { birthMedicalCertificate } from "./definitions/birth-medical-certificate";
export { productionLicence } from "./definitions/production-licence";
export { notarisationReceipt } from "./definitions/notarisation-receipt";
