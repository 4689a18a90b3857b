// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.28;

import {Agency, SigningKey, Accreditation, Anchor, CertificateStatus, StatusUpdate, VerificationQuery, VerificationContext, KeyAlgorithm} from "../Common.sol";

/// @title The certchain trust registry: agencies, accreditations, signing keys, anchors, status.
interface ICertchainRegistry {
    // --- errors ---
    error CertchainUnknownAgency(bytes32 agencyId);
    error CertchainAgencyAlreadyRegistered(bytes32 agencyId);
    error CertchainInvalidSlug();
    error CertchainInvalidName();
    error CertchainInvalidCreditCode(bytes18 creditCode);
    error CertchainCreditCodeTaken(bytes18 creditCode, bytes32 agencyId);
    error CertchainInvalidWindow(uint64 validFrom, uint64 validUntil);
    error CertchainKeyAlreadyRegistered(bytes32 keyId);
    error CertchainUnknownKey(bytes32 keyId);
    error CertchainInvalidPublicKey(KeyAlgorithm alg, uint256 length);
    error CertchainKeyWindowExtended(bytes32 keyId, uint64 validUntil, uint64 requested);
    error CertchainOperatorAlreadyAssigned(address account, bytes32 agencyId);
    error CertchainNotAnOperator(address account);
    error CertchainEmptyBatch();
    error CertchainRootAlreadyAnchored(bytes32 root);
    error CertchainUnknownRoot(bytes32 root);
    error CertchainRootOfAnotherAgency(bytes32 root, bytes32 ownerAgencyId);
    error CertchainInvalidProof(bytes32 leaf, bytes32 root);
    error CertchainCertificateRevoked(bytes32 leaf);
    error CertchainCertificateAlreadySuspended(bytes32 leaf);
    error CertchainCertificateNotSuspended(bytes32 leaf);

    // --- events ---
    event AgencyRegistered(bytes32 indexed agencyId, string slug, string name, bytes18 creditCode);
    event AgencyRenamed(bytes32 indexed agencyId, string name);
    event AccreditationSet(bytes32 indexed agencyId, bytes32 indexed typeId, uint64 validFrom, uint64 validUntil);
    event SigningKeyAdded(bytes32 indexed agencyId, bytes32 indexed keyId, KeyAlgorithm alg, bytes publicKey, uint64 validFrom);
    event SigningKeyRetired(bytes32 indexed agencyId, bytes32 indexed keyId, uint64 validUntil);
    event SigningKeyRevoked(bytes32 indexed agencyId, bytes32 indexed keyId, uint64 validUntil);
    event OperatorAdded(bytes32 indexed agencyId, address indexed account);
    event OperatorRemoved(bytes32 indexed agencyId, address indexed account);
    event RootAnchored(bytes32 indexed root, bytes32 indexed agencyId, uint32 size, bytes32 auditHead);
    event CertificateSuspended(bytes32 indexed leaf, bytes32 indexed agencyId, uint16 reason);
    event CertificateReinstated(bytes32 indexed leaf, bytes32 indexed agencyId, uint16 reason);
    event CertificateRevoked(bytes32 indexed leaf, bytes32 indexed agencyId, uint16 reason);

    // --- root authority ---
    function registerAgency(string calldata slug, string calldata name, bytes18 creditCode) external returns (bytes32 agencyId);
    function renameAgency(bytes32 agencyId, string calldata name) external;
    function setAccreditation(bytes32 agencyId, bytes32 typeId, uint64 validFrom, uint64 validUntil) external;
    function addSigningKey(bytes32 agencyId, bytes32 keyId, KeyAlgorithm alg, bytes calldata publicKey, uint64 validFrom) external;
    function retireSigningKey(bytes32 keyId, uint64 validUntil) external;
    function revokeSigningKey(bytes32 keyId, uint64 validUntil) external;
    function addOperator(bytes32 agencyId, address account) external;
    function removeOperator(address account) external;

    // --- agency operators ---
    function anchorRoot(bytes32 root, uint32 size, bytes32 auditHead) external;
    function suspend(StatusUpdate[] calldata updates, uint16 reason) external;
    function reinstate(StatusUpdate[] calldata updates, uint16 reason) external;
    function revoke(StatusUpdate[] calldata updates, uint16 reason) external;

    // --- reads ---
    function agency(bytes32 agencyId) external view returns (Agency memory);
    function agencyIds() external view returns (bytes32[] memory);
    /// @dev The agency registered with `creditCode`, or zero.
    function agencyOfCreditCode(bytes18 creditCode) external view returns (bytes32);
    function keyIdsOf(bytes32 agencyId) external view returns (bytes32[] memory);
    function typeIdsOf(bytes32 agencyId) external view returns (bytes32[] memory);
    function signingKey(bytes32 keyId) external view returns (SigningKey memory);
    function accreditation(bytes32 agencyId, bytes32 typeId) external view returns (Accreditation memory);
    function operatorAgency(address account) external view returns (bytes32);
    function anchorOf(bytes32 root) external view returns (Anchor memory);
    /// @dev Statuses are per (agency, leaf); read them under the agency that anchored the root.
    function statusOf(bytes32 agencyId, bytes32 leaf) external view returns (CertificateStatus memory);
    function statusesOf(bytes32 agencyId, bytes32[] calldata leaves) external view returns (CertificateStatus[] memory);
    function verificationContexts(VerificationQuery[] calldata queries) external view returns (VerificationContext[] memory);
}
