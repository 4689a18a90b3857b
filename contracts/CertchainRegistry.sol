// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.28;

import {AccessControl} from "@openzeppelin/contracts/access/AccessControl.sol";
import {MerkleProof} from "@openzeppelin/contracts/utils/cryptography/MerkleProof.sol";
import {ICertchainRegistry} from "./interfaces/ICertchainRegistry.sol";
import "./Common.sol";

/**
 * @title CertchainRegistry
 * @notice One contract holds the whole trust model so that a verifier needs one address:
 * the root authority registers agencies, their accredited certificate types, their signing
 * keys and their operator accounts; operators anchor Merkle roots of certificate batches and
 * change the status of certificates under their own roots.
 *
 * @dev Ownership of a certificate is proven, not recorded: a status change carries the leaf, the
 * root it was anchored under and the Merkle proof. The root's anchor names the agency, so only
 * that agency's operators can touch the leaf, and nothing per-certificate is written at issuance
 * (anchoring 10,000 certificates costs one storage write, not 10,000).
 * Statuses are kept per (agency, leaf): any operator can put any 32-byte value, such as another
 * agency's published leaf, in a tree of its own, so a status set by one agency must never be
 * read as another's. Verifiers read the status under the agency that anchored the root.
 *
 * Every registry has an id of its own, {registryId}, fixed at deployment. Two regions running
 * the same software on chains with the same chain id get contracts at the same address (same
 * deployer account, nonce 0); the id is what tells their certificates apart. Envelopes name it
 * and verifiers compare it with the contract's.
 */
contract CertchainRegistry is AccessControl, ICertchainRegistry {
    bytes32 public constant ROOT_AUTHORITY_ROLE = keccak256("ROOT_AUTHORITY_ROLE");
    uint64 private constant OPEN_ENDED = type(uint64).max;
    /// @dev `StatusUpdate.statusIndex` of a certificate without a status-list entry.
    uint64 public constant NO_STATUS_INDEX = type(uint64).max;

    /// @inheritdoc ICertchainRegistry
    bytes32 public immutable registryId;

    mapping(bytes32 agencyId => Agency) private _agencies;
    mapping(bytes18 creditCode => bytes32 agencyId) private _agencyOfCreditCode;
    bytes32[] private _agencyIds;
    mapping(bytes32 agencyId => bytes32[]) private _keyIds;
    mapping(bytes32 agencyId => bytes32[]) private _typeIds;
    mapping(bytes32 keyId => SigningKey) private _keys;
    mapping(bytes32 agencyId => mapping(bytes32 typeId => Accreditation)) private _accreditations;
    mapping(address account => bytes32 agencyId) private _operators;
    mapping(bytes32 root => Anchor) private _anchors;
    mapping(bytes32 agencyId => mapping(bytes32 leaf => CertificateStatus)) private _statuses;
    mapping(bytes32 typeId => CertificateTypeRecord) private _types;
    bytes32[] private _registeredTypeIds;

    /**
     * @dev `salt` is chosen at random by the deployer, so that two deployments by the same account
     * at the same nonce on chains with the same id still get different ids. The id depends only
     * on the deployment (chain id, address, constructor arguments): replaying the deployment
     * transaction on a fresh dev chain restores the same id.
     *
     * Emits {RegistryDeployed}.
     */
    constructor(address rootAuthority, bytes32 salt) {
        registryId = keccak256(abi.encode(block.chainid, address(this), rootAuthority, salt));
        _grantRole(DEFAULT_ADMIN_ROLE, rootAuthority);
        _grantRole(ROOT_AUTHORITY_ROLE, rootAuthority);
        emit RegistryDeployed(registryId, block.chainid, rootAuthority, salt);
    }

    // ------------------------------------------------------------------ root authority

    /**
     * @dev Registers an agency under `keccak256(slug)` with its unified social credit code, which
     * verifiers compare with the issuer segment of the agency's certificate numbers.
     *
     * Requirements:
     * - caller has ROOT_AUTHORITY_ROLE;
     * - `slug` is 1..64 bytes and not registered yet; `name` is 1..256 bytes;
     * - `creditCode` has the structure of GB 32100-2015: 18 characters of
     *   `0-9 A-H J-N P-R T U W-Y`, characters 3 to 8 (the administrative division) digits; and no
     *   other agency holds it. The check character (the 18th) is verified by the root authority's
     *   client when the code is entered, not here: codes are records, and a registry must be able
     *   to hold one exactly as it appears on certificates already issued.
     *
     * Emits {AgencyRegistered}.
     */
    function registerAgency(string calldata slug, string calldata name, bytes18 creditCode)
        external
        onlyRole(ROOT_AUTHORITY_ROLE)
        returns (bytes32 agencyId)
    {
        uint256 slugLength = bytes(slug).length;
        if (slugLength == 0 || slugLength > 64) revert CertchainInvalidSlug();
        _requireName(name);
        _requireCreditCode(creditCode);
        agencyId = keccak256(bytes(slug));
        if (_agencies[agencyId].registered) revert CertchainAgencyAlreadyRegistered(agencyId);
        bytes32 holder = _agencyOfCreditCode[creditCode];
        if (holder != bytes32(0)) revert CertchainCreditCodeTaken(creditCode, holder);
        _agencies[agencyId] = Agency({slug: slug, name: name, registered: true, creditCode: creditCode});
        _agencyOfCreditCode[creditCode] = agencyId;
        _agencyIds.push(agencyId);
        emit AgencyRegistered(agencyId, slug, name, creditCode);
    }

    /// @dev Emits {AgencyRenamed}. Requirements: caller has ROOT_AUTHORITY_ROLE, the agency exists.
    function renameAgency(bytes32 agencyId, string calldata name) external onlyRole(ROOT_AUTHORITY_ROLE) {
        _requireAgency(agencyId);
        _requireName(name);
        _agencies[agencyId].name = name;
        emit AgencyRenamed(agencyId, name);
    }

    /**
     * @dev Sets the window in which `agencyId` may issue `typeId` (`keccak256` of the type's `vct`).
     * `validUntil == 0` means open-ended. Ending an accreditation is setting `validUntil` to the end.
     *
     * Requirements: caller has ROOT_AUTHORITY_ROLE; the agency exists; validFrom < validUntil.
     *
     * Emits {AccreditationSet}.
     */
    function setAccreditation(bytes32 agencyId, bytes32 typeId, uint64 validFrom, uint64 validUntil) external onlyRole(ROOT_AUTHORITY_ROLE) {
        _requireAgency(agencyId);
        uint64 until = validUntil == 0 ? OPEN_ENDED : validUntil;
        if (validFrom >= until) revert CertchainInvalidWindow(validFrom, validUntil);
        Accreditation storage current = _accreditations[agencyId][typeId];
        if (current.validUntil == 0) _typeIds[agencyId].push(typeId);
        current.validFrom = validFrom;
        current.validUntil = until;
        emit AccreditationSet(agencyId, typeId, validFrom, until);
    }

    /**
     * @dev Registers a signing key. `keyId` is the key's RFC 7638 JWK thumbprint (SHA-256), which
     * credentials carry (base64url) as `kid`.
     *
     * Requirements: caller has ROOT_AUTHORITY_ROLE; the agency exists; the key id is new; the public
     * key has the algorithm's length (Ed25519: 32 bytes; P-256 and SM2: 65 bytes, uncompressed).
     *
     * Emits {SigningKeyAdded}.
     */
    function addSigningKey(bytes32 agencyId, bytes32 keyId, KeyAlgorithm alg, bytes calldata publicKey, uint64 validFrom)
        external
        onlyRole(ROOT_AUTHORITY_ROLE)
    {
        _requireAgency(agencyId);
        if (_keys[keyId].alg != KeyAlgorithm.Unknown) revert CertchainKeyAlreadyRegistered(keyId);
        bool wellFormed = (alg == KeyAlgorithm.EdDSA && publicKey.length == 32)
            || ((alg == KeyAlgorithm.ES256 || alg == KeyAlgorithm.SM2) && publicKey.length == 65 && publicKey[0] == 0x04);
        if (!wellFormed) revert CertchainInvalidPublicKey(alg, publicKey.length);
        _keys[keyId] = SigningKey({
            agencyId: agencyId,
            alg: alg,
            validFrom: validFrom,
            validUntil: OPEN_ENDED,
            revoked: false,
            publicKey: publicKey
        });
        _keyIds[agencyId].push(keyId);
        emit SigningKeyAdded(agencyId, keyId, alg, publicKey, validFrom);
    }

    /**
     * @dev Takes a key out of service from `validUntil` on (rotation). Certificates anchored before
     * stay valid. Requirements: caller has ROOT_AUTHORITY_ROLE; the key exists; the window only shrinks.
     *
     * Emits {SigningKeyRetired}.
     */
    function retireSigningKey(bytes32 keyId, uint64 validUntil) external onlyRole(ROOT_AUTHORITY_ROLE) {
        SigningKey storage key = _shrinkKeyWindow(keyId, validUntil);
        emit SigningKeyRetired(key.agencyId, keyId, validUntil);
    }

    /**
     * @dev Marks a key compromised from `validUntil` on, which may lie in the past: certificates
     * anchored from then on fail, earlier ones stay valid (the anchor time cannot be back-dated).
     * Requirements: as {retireSigningKey}.
     *
     * Emits {SigningKeyRevoked}.
     */
    function revokeSigningKey(bytes32 keyId, uint64 validUntil) external onlyRole(ROOT_AUTHORITY_ROLE) {
        SigningKey storage key = _shrinkKeyWindow(keyId, validUntil);
        key.revoked = true;
        emit SigningKeyRevoked(key.agencyId, keyId, validUntil);
    }

    /**
     * @dev Allows `account` to anchor and change status for `agencyId`. An account serves one agency.
     * Requirements: caller has ROOT_AUTHORITY_ROLE; the agency exists; the account serves no agency.
     *
     * Emits {OperatorAdded}.
     */
    function addOperator(bytes32 agencyId, address account) external onlyRole(ROOT_AUTHORITY_ROLE) {
        _requireAgency(agencyId);
        bytes32 current = _operators[account];
        if (current != bytes32(0)) revert CertchainOperatorAlreadyAssigned(account, current);
        _operators[account] = agencyId;
        emit OperatorAdded(agencyId, account);
    }

    /// @dev Emits {OperatorRemoved}. Requirements: caller has ROOT_AUTHORITY_ROLE; `account` is an operator.
    function removeOperator(address account) external onlyRole(ROOT_AUTHORITY_ROLE) {
        bytes32 agencyId = _operators[account];
        if (agencyId == bytes32(0)) revert CertchainNotAnOperator(account);
        delete _operators[account];
        emit OperatorRemoved(agencyId, account);
    }

    /**
     * @dev Registers a certificate type under `keccak256(vct)`: the SHA-256 of its Type Metadata
     * document and its national type code. Registration is final: changed metadata is a new type
     * version with a new `vct`. Accreditation stays a separate step ({setAccreditation}), which
     * does not require registration (registries of format v1 accredited unregistered URN types).
     *
     * Requirements:
     * - caller has ROOT_AUTHORITY_ROLE;
     * - `vct` is 1..512 bytes, `metadataHash` and `typeCode` are non-zero;
     * - the type is not registered yet.
     *
     * Emits {TypeRegistered}.
     */
    function registerType(string calldata vct, bytes32 metadataHash, bytes4 typeCode)
        external
        onlyRole(ROOT_AUTHORITY_ROLE)
        returns (bytes32 typeId)
    {
        uint256 length = bytes(vct).length;
        if (length == 0 || length > 512 || metadataHash == bytes32(0) || typeCode == bytes4(0)) revert CertchainInvalidType();
        typeId = keccak256(bytes(vct));
        if (_types[typeId].registeredAt != 0) revert CertchainTypeAlreadyRegistered(typeId);
        _types[typeId] = CertificateTypeRecord({metadataHash: metadataHash, typeCode: typeCode, registeredAt: uint64(block.timestamp)});
        _registeredTypeIds.push(typeId);
        emit TypeRegistered(typeId, vct, metadataHash, typeCode);
    }

    // ------------------------------------------------------------------ operators

    /**
     * @dev Anchors the Merkle root of a batch of `size` certificates for the caller's agency; the
     * block timestamp becomes their trusted issuance time. `auditHead` is the issuer's audit-log
     * head at the time, committed so the log cannot be rewritten unnoticed.
     *
     * Requirements: caller is an operator; `root` is non-zero and never anchored; `size > 0`.
     *
     * Emits {RootAnchored}.
     */
    function anchorRoot(bytes32 root, uint32 size, bytes32 auditHead) external {
        bytes32 agencyId = _requireOperator();
        if (size == 0 || root == bytes32(0)) revert CertchainEmptyBatch();
        if (_anchors[root].anchoredAt != 0) revert CertchainRootAlreadyAnchored(root);
        _anchors[root] = Anchor({agencyId: agencyId, anchoredAt: uint64(block.timestamp), blockNumber: uint64(block.number), size: size});
        emit RootAnchored(root, agencyId, size, auditHead);
    }

    /**
     * @dev Suspends each certificate (all or none). Requirements: see {_authorize}; none is revoked
     * or already suspended. Emits {CertificateSuspended} per certificate.
     */
    function suspend(StatusUpdate[] calldata updates, uint16 reason) external {
        bytes32 agencyId = _requireOperator();
        for (uint256 i = 0; i < updates.length; ++i) {
            bytes32 leaf = _authorize(updates[i], agencyId);
            CertificateState state = _statuses[agencyId][leaf].state;
            if (state == CertificateState.Revoked) revert CertchainCertificateRevoked(leaf);
            if (state == CertificateState.Suspended) revert CertchainCertificateAlreadySuspended(leaf);
            _setStatus(agencyId, leaf, CertificateState.Suspended, reason);
            emit CertificateSuspended(leaf, agencyId, reason);
            _emitStatusIndex(agencyId, leaf, updates[i].statusIndex);
        }
    }

    /**
     * @dev Lifts a suspension (all or none). Requirements: see {_authorize}; each is suspended
     * (a revoked one fails with {CertchainCertificateRevoked}). Emits {CertificateReinstated} per certificate.
     */
    function reinstate(StatusUpdate[] calldata updates, uint16 reason) external {
        bytes32 agencyId = _requireOperator();
        for (uint256 i = 0; i < updates.length; ++i) {
            bytes32 leaf = _authorize(updates[i], agencyId);
            CertificateState state = _statuses[agencyId][leaf].state;
            if (state == CertificateState.Revoked) revert CertchainCertificateRevoked(leaf);
            if (state != CertificateState.Suspended) revert CertchainCertificateNotSuspended(leaf);
            _setStatus(agencyId, leaf, CertificateState.Active, reason);
            emit CertificateReinstated(leaf, agencyId, reason);
            _emitStatusIndex(agencyId, leaf, updates[i].statusIndex);
        }
    }

    /**
     * @dev Revokes each certificate, permanently (all or none). Requirements: see {_authorize};
     * none is revoked already. Emits {CertificateRevoked} per certificate.
     */
    function revoke(StatusUpdate[] calldata updates, uint16 reason) external {
        bytes32 agencyId = _requireOperator();
        for (uint256 i = 0; i < updates.length; ++i) {
            bytes32 leaf = _authorize(updates[i], agencyId);
            if (_statuses[agencyId][leaf].state == CertificateState.Revoked) revert CertchainCertificateRevoked(leaf);
            _setStatus(agencyId, leaf, CertificateState.Revoked, reason);
            emit CertificateRevoked(leaf, agencyId, reason);
            _emitStatusIndex(agencyId, leaf, updates[i].statusIndex);
        }
    }

    // ------------------------------------------------------------------ reads

    function agency(bytes32 agencyId) external view returns (Agency memory) {
        return _agencies[agencyId];
    }

    function agencyIds() external view returns (bytes32[] memory) {
        return _agencyIds;
    }

    function agencyOfCreditCode(bytes18 creditCode) external view returns (bytes32) {
        return _agencyOfCreditCode[creditCode];
    }

    function keyIdsOf(bytes32 agencyId) external view returns (bytes32[] memory) {
        return _keyIds[agencyId];
    }

    function typeIdsOf(bytes32 agencyId) external view returns (bytes32[] memory) {
        return _typeIds[agencyId];
    }

    function signingKey(bytes32 keyId) external view returns (SigningKey memory) {
        return _keys[keyId];
    }

    function accreditation(bytes32 agencyId, bytes32 typeId) external view returns (Accreditation memory) {
        return _accreditations[agencyId][typeId];
    }

    function operatorAgency(address account) external view returns (bytes32) {
        return _operators[account];
    }

    function anchorOf(bytes32 root) external view returns (Anchor memory) {
        return _anchors[root];
    }

    /// @dev `agencyId` is the agency that anchored the certificate's root (see {anchorOf}).
    function statusOf(bytes32 agencyId, bytes32 leaf) external view returns (CertificateStatus memory) {
        return _statuses[agencyId][leaf];
    }

    /// @dev Many statuses in one call: verifiers read a whole batch without one request per certificate.
    function statusesOf(bytes32 agencyId, bytes32[] calldata leaves) external view returns (CertificateStatus[] memory statuses) {
        statuses = new CertificateStatus[](leaves.length);
        for (uint256 i = 0; i < leaves.length; ++i) statuses[i] = _statuses[agencyId][leaves[i]];
    }

    /// @dev Everything the `issuer` check needs for each (root, key, type), in one call. The key and
    /// accreditation are looked up for the agency that anchored the root, not the one the credential names.
    function verificationContexts(VerificationQuery[] calldata queries) external view returns (VerificationContext[] memory contexts) {
        contexts = new VerificationContext[](queries.length);
        for (uint256 i = 0; i < queries.length; ++i) {
            Anchor memory anchor = _anchors[queries[i].root];
            contexts[i] = VerificationContext({
                anchor: anchor,
                agency: _agencies[anchor.agencyId],
                key: _keys[queries[i].keyId],
                accreditation: _accreditations[anchor.agencyId][queries[i].typeId]
            });
        }
    }

    function certificateType(bytes32 typeId) external view returns (CertificateTypeRecord memory) {
        return _types[typeId];
    }

    /// @dev Many type records in one call (a verifier resolves the distinct types of a batch at once).
    function certificateTypes(bytes32[] calldata typeIds) external view returns (CertificateTypeRecord[] memory records) {
        records = new CertificateTypeRecord[](typeIds.length);
        for (uint256 i = 0; i < typeIds.length; ++i) records[i] = _types[typeIds[i]];
    }

    function registeredTypeIds() external view returns (bytes32[] memory) {
        return _registeredTypeIds;
    }

    // ------------------------------------------------------------------ internals

    function _requireAgency(bytes32 agencyId) private view {
        if (!_agencies[agencyId].registered) revert CertchainUnknownAgency(agencyId);
    }

    function _requireName(string calldata name) private pure {
        uint256 length = bytes(name).length;
        if (length == 0 || length > 256) revert CertchainInvalidName();
    }

    /// @dev GB 32100-2015's structure: 18 characters of its 31-character alphabet (digits and
    /// capitals without I, O, S, V, Z), the 3rd to 8th (administrative division code) digits.
    function _requireCreditCode(bytes18 creditCode) private pure {
        for (uint256 i = 0; i < 18; ++i) {
            bytes1 c = creditCode[i];
            bool digit = c >= "0" && c <= "9";
            bool letter = c >= "A" && c <= "Y" && c != "I" && c != "O" && c != "S" && c != "V";
            if (!(digit || (letter && (i < 2 || i > 7)))) revert CertchainInvalidCreditCode(creditCode);
        }
    }

    function _requireOperator() private view returns (bytes32 agencyId) {
        agencyId = _operators[msg.sender];
        if (agencyId == bytes32(0)) revert CertchainNotAnOperator(msg.sender);
    }

    function _shrinkKeyWindow(bytes32 keyId, uint64 validUntil) private returns (SigningKey storage key) {
        key = _keys[keyId];
        if (key.alg == KeyAlgorithm.Unknown) revert CertchainUnknownKey(keyId);
        if (validUntil > key.validUntil) revert CertchainKeyWindowExtended(keyId, key.validUntil, validUntil);
        key.validUntil = validUntil;
    }

    /// @dev The leaf is under a root that the caller's agency anchored.
    function _authorize(StatusUpdate calldata update, bytes32 agencyId) private view returns (bytes32) {
        bytes32 owner = _anchors[update.root].agencyId;
        if (owner == bytes32(0)) revert CertchainUnknownRoot(update.root);
        if (owner != agencyId) revert CertchainRootOfAnotherAgency(update.root, owner);
        if (!MerkleProof.verifyCalldata(update.proof, update.root, update.leaf)) revert CertchainInvalidProof(update.leaf, update.root);
        return update.leaf;
    }

    function _emitStatusIndex(bytes32 agencyId, bytes32 leaf, uint64 statusIndex) private {
        if (statusIndex != NO_STATUS_INDEX) emit StatusListIndexed(agencyId, leaf, statusIndex);
    }

    function _setStatus(bytes32 agencyId, bytes32 leaf, CertificateState state, uint16 reason) private {
        _statuses[agencyId][leaf] = CertificateStatus({state: state, reason: reason, updatedAt: uint64(block.timestamp)});
    }
}
