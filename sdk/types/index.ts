export {
  defineCertificateType,
  typeIdOf,
  JSON_SCHEMA_DRAFT_2020_12,
  type CertificateType,
  type JsonSchema,
  type JsonSchemaObject,
  type LocalisedText,
} from "./define";
export {
  certificateTypes,
  bundledTypeVersions,
  findTypeById,
  findTypeByVct,
  businessLicence,
  marriageCertificate,
  birthMedicalCertificate,
  productionLicence,
  notarisationReceipt,
} from "./registry";
export { validateClaims, type ClaimError, type ValidateClaimsOptions, type ValidateClaimsResult } from "./validate-claims";
export {
  certificateTypeFromMetadata,
  typeMetadataProblems,
  typeMetadataText,
  typeMetadataDigest,
  typeIdentityOf,
  matchesIntegrity,
  selectivePathsOf,
  type ClaimPath,
  type ClaimMetadata,
  type ClaimDisplayMetadata,
  type ClaimLabel,
  type TypeMetadataDocument,
  type TypeFromMetadata,
} from "./type-metadata";
export type { PointedProblem } from "./schema-problems";
