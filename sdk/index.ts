// The certchain SDK: every public export, by name. Runs in Node and in browsers.
export { CERTCHAIN_ERRORS, CertchainError, isCertchainError, type CertchainErrorCode } from "./errors";
export type { Hex } from "./lib/bytes";

// certificate types and numbers
export {
  certificateTypes,
  bundledTypeVersions,
  findTypeById,
  findTypeByVct,
  typeIdOf,
  certificateTypeFromMetadata,
  typeMetadataProblems,
  typeMetadataText,
  typeMetadataDigest,
  typeIdentityOf,
  matchesIntegrity,
  selectivePathsOf,
  validateClaims,
  defineCertificateType,
  businessLicence,
  marriageCertificate,
  birthMedicalCertificate,
  productionLicence,
  notarisationReceipt,
  type CertificateType,
  type JsonSchema,
  type JsonSchemaObject,
  type LocalisedText,
  type ClaimError,
  type ValidateClaimsOptions,
  type ValidateClaimsResult,
  type ClaimPath,
  type ClaimMetadata,
  type ClaimDisplayMetadata,
  type ClaimLabel,
  type TypeMetadataDocument,
  type TypeFromMetadata,
  type PointedProblem,
} from "./types";
export {
  formatCertificateNumber,
  parseCertificateNumber,
  checkCreditCode,
  creditCodeCheckCharacter,
  creditCodeToBytes18,
  creditCodeFromBytes18,
  type CheckCreditCodeResult,
  type CertificateNumberParts,
  type FormatCertificateNumberParameters,
  type ParseCertificateNumberResult,
} from "./certificate-number";

// credentials
export {
  ALLOWED_ALGORITHMS,
  DISCLOSURE_DIGEST_ALGORITHMS,
  issueCredential,
  createWebCryptoSigner,
  createSm2Signer,
  generateSm2PrivateKey,
  sm2PublicKeyOf,
  SM2_USER_ID,
  credentialLeaf,
  issuerSignedJwtOf,
  keyIdOf,
  keyIdFromKid,
  kidFromKeyId,
  publicJwkOf,
  issuerUriOf,
  agencySlugOf,
  agencyIssuerUrl,
  jwtVcIssuerMetadataUrl,
  parseCredential,
  disclosedClaimsOf,
  disclosurePathsOf,
  SD_HASH_ALGORITHMS,
  disclosureMapOf,
  disclosureDigest,
  subjectClaimsOf,
  VISIBLE_CLAIMS,
  type SignatureAlgorithm,
  type DisclosureDigestAlgorithm,
  type CredentialSigner,
  type IssueCredentialParameters,
  type RawPublicKey,
  type ParsedCredential,
  type Disclosure,
  type DisclosurePath,
} from "./credential";

// anchoring
export { buildMerkleTree, processProof, type MerkleTree } from "./merkle";
export {
  parseEnvelope,
  createPendingEnvelope,
  createAnchoredEnvelope,
  anchorPendingEnvelope,
  isServiceUrl,
  ENVELOPE_FORMAT,
  ENVELOPE_VERSION,
  ENVELOPE_VERSIONS,
  envelopeVersionOf,
  type EnvelopeVersion,
  type Envelope,
  type AnchorProof,
  type PendingAnchor,
} from "./envelope";

// presentations
export { presentCredential, presentSdJwt, disclosablePaths, type RevealPath } from "./presentation";

// consented use (issue 20): holder binding at collection (OpenID4VCI), presentations bound to a
// request (OpenID4VP, DCQL, RFC 9901 key binding), consent receipts for supervision
export { HOLDER_KEY_ALGORITHMS, readHolderKey, createWebCryptoHolderSigner, type HolderSigner, type HolderPublicJwk, type HolderKey, type HolderKeyAlgorithm, type HolderKeyProblem } from "./holder-binding";
export { createKeyProof, verifyKeyProof, KEY_PROOF_TYPE, KEY_PROOF_CODES, type CreateKeyProofParameters, type VerifyKeyProofOptions, type VerifiedKeyProof, type KeyProofCode } from "./key-proof";
export {
  parseDcqlQuery,
  matchDcqlQuery,
  chooseClaimOption,
  selectClaims,
  DCQL_LIMITS,
  DCQL_ERRORS,
  SD_JWT_VC_FORMAT,
  type DcqlQuery,
  type DcqlCredentialQuery,
  type DcqlCredentialSetQuery,
  type DcqlClaimsQuery,
  type ClaimsPathSegment,
  type ConcreteClaimPath,
  type DcqlMatch,
  type DcqlCandidate,
  type DcqlClaimOption,
  type DcqlErrorCode,
} from "./dcql";
export {
  presentWithKeyBinding,
  verifyPresentation,
  parseVpToken,
  KEY_BINDING_TYPE,
  PRESENTATION_CHECKS,
  PRESENTATION_CODES,
  PRESENT_ERRORS,
  type PresentWithKeyBindingParameters,
  type VerifyPresentationOptions,
  type PresentationVerificationResult,
  type PresentedCredentialResult,
  type PresentationCheckResult,
  type PresentationReason,
  type PresentationAnchor,
  type PresentationCheckName,
  type PresentationCode,
  type PresentErrorCode,
  type VpTokenEntry,
} from "./presentation";
export {
  consentReceiptOf,
  parseConsentReceipt,
  encodeConsentReceipt,
  consentReceiptLeaf,
  buildConsentReceiptTree,
  verifyConsentReceiptProof,
  CONSENT_RECEIPT_FORMAT,
  CONSENT_RECEIPT_VERSION,
  CONSENT_RECEIPT_ERRORS,
  type ConsentReceipt,
  type ConsentReceiptCredential,
  type ConsentReceiptInput,
  type ConsentReceiptTree,
  type ConsentReceiptErrorCode,
} from "./consent-receipt";

// chain reads
export {
  CERTCHAIN_REGISTRY_ABI,
  createRegistryReader,
  parseTrustList,
  checkTrustList,
  DEFAULT_REGISTRY_TIMEOUT_MS,
  CERTIFICATE_STATES,
  agencyIdOf,
  type RegistryReader,
  type TrustedRegistry,
  type VerificationQuery,
  type RegistryReadOptions,
  type RegistryIdentity,
  type RegistryProbe,
  type EndpointProbe,
  type RegistryProvider,
  type CertificateState,
  type StatusRecord,
  type AnchorRecord,
  type AgencyRecord,
  type SigningKeyRecord,
  type CertificateTypeRecord,
  type AccreditationRecord,
  type VerificationContextRecord,
} from "./registry";

// verification
// `verify` takes anything a department is handed: a certificate file, a presentation, or a share link.
export { verifyAny as verify, type VerifyAnyOptions } from "./verify/verify-input";
export type { TypeMetadataOptions } from "./types/resolve";
export type { TextFetchLike } from "./lib/fetch-text";
// pending certificates: their proofs come from an issuing service the caller allows, then verify checks them on chain
export { fetchAnchorProof, resolvePendingEnvelope, PROOF_TIMEOUT_MS, type ProofLookupOptions, type ProofRecord, type ProofLookup } from "./verify/pending-proof";
export { verifyMany, verifyEach, VERIFY_CODES, CHECKS, type VerifyOptions, type VerifiedItem, type VerificationResult, type Verdict, type CheckResult, type VerifyCode, type CheckName, type WithheldClaim } from "./verify";

// paper: a printed QR code holds the whole presentation and its Merkle proof (docs/paper.md);
// `verify` reads its text ("CC1:…") like a file
export {
  encodePaperPayload,
  decodePaperPayload,
  isPaperPayload,
  paperQrVersion,
  base45Encode,
  base45Decode,
  PAPER_PREFIX,
  MAX_PAPER_TEXT,
  MAX_PAPER_INFLATED,
  PAPER_MAX_QR_VERSION,
  PAPER_MODULE_MM,
  QR_ALPHANUMERIC_CAPACITY_M,
} from "./paper";

// share links (citizens share a presentation, encrypted in the browser)
export {
  createShare,
  openShare,
  parseShareLink,
  shareLinkOf,
  isShareLink,
  verifyShareLink,
  isAllowedShareService,
  DEFAULT_SHARE_TIMEOUT_MS,
  SHARE_CODES,
  MAX_SHARE_CIPHERTEXT,
  MAX_SHARE_LIFETIME_MS,
  type Share,
  type ShareLink,
  type ShareVerificationResult,
  type VerifyShareLinkOptions,
  type FetchLike,
  type ShareReader,
  type ShareRecord,
  type ShareCode,
} from "./share";

// status reason codes
export { STATUS_REASONS, statusReasonLabel, type StatusReasonCode } from "./status/reasons";

// Token Status List (format v2): published per agency, derived from the chain, never followed by verify
export {
  STATUS_LIST_BITS,
  STATUS_LIST_CAPACITY,
  STATUS_LIST_VALUES,
  statusListUri,
  statusListPosition,
  packStatusList,
  statusAt,
  inflateStatusList,
  parseStatusListToken,
  statusListEntriesFromChain,
  type StatusListToken,
} from "./status/status-list";
export type { StatusListOptions, PublishedStatus } from "./status/check-status-list";

// notarisation (proof of existence)
export {
  digestOfDocument,
  createDocumentHasher,
  normaliseDocumentDigest,
  verifyDocument,
  DOCUMENT_CODES,
  type DocumentVerificationResult,
  type DocumentCheckResult,
  type DocumentCode,
} from "./notarisation";
