/**
 * The CertchainRegistry ABI in human-readable form, kept by hand so the SDK needs no build
 * artifacts in a browser. A test compares it with the compiled contract's ABI.
 */
const ANCHOR = "tuple(bytes32 agencyId, uint64 anchoredAt, uint64 blockNumber, uint32 size)";
const AGENCY = "tuple(string slug, string name, bool registered, bytes18 creditCode)";
const KEY = "tuple(bytes32 agencyId, uint8 alg, uint64 validFrom, uint64 validUntil, bool revoked, bytes publicKey)";
const ACCREDITATION = "tuple(uint64 validFrom, uint64 validUntil)";
const STATUS = "tuple(uint8 state, uint16 reason, uint64 updatedAt)";
const STATUS_UPDATE = "tuple(bytes32 leaf, bytes32 root, bytes32[] proof)";
const QUERY = "tuple(bytes32 root, bytes32 keyId, bytes32 typeId)";
const CONTEXT = `tuple(${ANCHOR} anchor, ${AGENCY} agency, ${KEY} key, ${ACCREDITATION} accreditation)`;

/** The human-readable ABI of the CertchainRegistry contract's functions and events the SDK and service use. */
export const CERTCHAIN_REGISTRY_ABI = [
  // reads
  `function agency(bytes32 agencyId) view returns (${AGENCY})`,
  "function agencyIds() view returns (bytes32[])",
  "function agencyOfCreditCode(bytes18 creditCode) view returns (bytes32)",
  "function keyIdsOf(bytes32 agencyId) view returns (bytes32[])",
  "function typeIdsOf(bytes32 agencyId) view returns (bytes32[])",
  `function signingKey(bytes32 keyId) view returns (${KEY})`,
  `function accreditation(bytes32 agencyId, bytes32 typeId) view returns (${ACCREDITATION})`,
  "function operatorAgency(address account) view returns (bytes32)",
  `function anchorOf(bytes32 root) view returns (${ANCHOR})`,
  `function statusOf(bytes32 agencyId, bytes32 leaf) view returns (${STATUS})`,
  `function statusesOf(bytes32 agencyId, bytes32[] leaves) view returns (${STATUS}[])`,
  `function verificationContexts(${QUERY}[] queries) view returns (${CONTEXT}[])`,
  "function ROOT_AUTHORITY_ROLE() view returns (bytes32)",
  // root authority
  "function registerAgency(string slug, string name, bytes18 creditCode) returns (bytes32 agencyId)",
  "function renameAgency(bytes32 agencyId, string name)",
  "function setAccreditation(bytes32 agencyId, bytes32 typeId, uint64 validFrom, uint64 validUntil)",
  "function addSigningKey(bytes32 agencyId, bytes32 keyId, uint8 alg, bytes publicKey, uint64 validFrom)",
  "function retireSigningKey(bytes32 keyId, uint64 validUntil)",
  "function revokeSigningKey(bytes32 keyId, uint64 validUntil)",
  "function addOperator(bytes32 agencyId, address account)",
  "function removeOperator(address account)",
  // operators
  "function anchorRoot(bytes32 root, uint32 size, bytes32 auditHead)",
  `function suspend(${STATUS_UPDATE}[] updates, uint16 reason)`,
  `function reinstate(${STATUS_UPDATE}[] updates, uint16 reason)`,
  `function revoke(${STATUS_UPDATE}[] updates, uint16 reason)`,
  // events
  "event AgencyRegistered(bytes32 indexed agencyId, string slug, string name, bytes18 creditCode)",
  "event AgencyRenamed(bytes32 indexed agencyId, string name)",
  "event AccreditationSet(bytes32 indexed agencyId, bytes32 indexed typeId, uint64 validFrom, uint64 validUntil)",
  "event SigningKeyAdded(bytes32 indexed agencyId, bytes32 indexed keyId, uint8 alg, bytes publicKey, uint64 validFrom)",
  "event SigningKeyRetired(bytes32 indexed agencyId, bytes32 indexed keyId, uint64 validUntil)",
  "event SigningKeyRevoked(bytes32 indexed agencyId, bytes32 indexed keyId, uint64 validUntil)",
  "event OperatorAdded(bytes32 indexed agencyId, address indexed account)",
  "event OperatorRemoved(bytes32 indexed agencyId, address indexed account)",
  "event RootAnchored(bytes32 indexed root, bytes32 indexed agencyId, uint32 size, bytes32 auditHead)",
  "event CertificateSuspended(bytes32 indexed leaf, bytes32 indexed agencyId, uint16 reason)",
  "event CertificateReinstated(bytes32 indexed leaf, bytes32 indexed agencyId, uint16 reason)",
  "event CertificateRevoked(bytes32 indexed leaf, bytes32 indexed agencyId, uint16 reason)",
  // errors (so callers get decoded custom errors)
  "error CertchainUnknownAgency(bytes32 agencyId)",
  "error CertchainAgencyAlreadyRegistered(bytes32 agencyId)",
  "error CertchainInvalidSlug()",
  "error CertchainInvalidName()",
  "error CertchainInvalidCreditCode(bytes18 creditCode)",
  "error CertchainCreditCodeTaken(bytes18 creditCode, bytes32 agencyId)",
  "error CertchainInvalidWindow(uint64 validFrom, uint64 validUntil)",
  "error CertchainKeyAlreadyRegistered(bytes32 keyId)",
  "error CertchainUnknownKey(bytes32 keyId)",
  "error CertchainInvalidPublicKey(uint8 alg, uint256 length)",
  "error CertchainKeyWindowExtended(bytes32 keyId, uint64 validUntil, uint64 requested)",
  "error CertchainOperatorAlreadyAssigned(address account, bytes32 agencyId)",
  "error CertchainNotAnOperator(address account)",
  "error CertchainEmptyBatch()",
  "error CertchainRootAlreadyAnchored(bytes32 root)",
  "error CertchainUnknownRoot(bytes32 root)",
  "error CertchainRootOfAnotherAgency(bytes32 root, bytes32 ownerAgencyId)",
  "error CertchainInvalidProof(bytes32 leaf, bytes32 root)",
  "error CertchainCertificateRevoked(bytes32 leaf)",
  "error CertchainCertificateAlreadySuspended(bytes32 leaf)",
  "error CertchainCertificateNotSuspended(bytes32 leaf)",
] as const;
