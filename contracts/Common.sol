// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.28;

/// @dev Signature algorithms a signing key may use. The numbering is part of the on-chain format.
enum KeyAlgorithm {
    Unknown, // 0: never valid
    EdDSA, // 1: Ed25519, 32-byte public key
    ES256, // 2: P-256, 65-byte uncompressed public key (0x04 || x || y)
    SM2 // 3: SM2 with SM3 (GB/T 32918, 国密), 65-byte uncompressed public key (0x04 || x || y)
}

/// @dev A certificate without a status record is Active.
enum CertificateState {
    Active,
    Suspended,
    Revoked
}

/// @dev `id` is keccak256 of the UTF-8 slug; the slug is what credentials name in `iss`.
/// `creditCode` is the agency's unified social credit code (统一社会信用代码, GB 32100-2015),
/// 18 ASCII characters: the issuer segment every certificate number of the agency carries.
/// It shares a storage slot with `registered`.
struct Agency {
    string slug;
    string name;
    bool registered;
    bytes18 creditCode;
}

/// @dev `validUntil` is type(uint64).max while the key is in service; retiring or revoking it
/// moves `validUntil` back (never forward). Certificates anchored at or after `validUntil` fail.
struct SigningKey {
    bytes32 agencyId;
    KeyAlgorithm alg;
    uint64 validFrom;
    uint64 validUntil;
    bool revoked;
    bytes publicKey;
}

/// @dev The window in which an agency may issue a type. `validUntil == 0` marks "never accredited".
struct Accreditation {
    uint64 validFrom;
    uint64 validUntil;
}

/// @dev A Merkle root of a batch of certificate leaves, as recorded by the chain.
struct Anchor {
    bytes32 agencyId;
    uint64 anchoredAt;
    uint64 blockNumber;
    uint32 size;
}

struct CertificateStatus {
    CertificateState state;
    uint16 reason;
    uint64 updatedAt;
}

/// @dev One certificate in a bulk status change: the proof shows the leaf is under `root`,
/// and the root's anchor shows which agency owns it. `statusIndex` is the certificate's entry in
/// its agency's Token Status List (`status.status_list.idx` in the credential), or
/// `type(uint64).max` for a certificate without one (format v1). The contract cannot check it
/// (the credential is not on chain); it emits it so that anyone can rebuild the list from events.
struct StatusUpdate {
    bytes32 leaf;
    bytes32 root;
    bytes32[] proof;
    uint64 statusIndex;
}

/// @dev A certificate type as registered: the SHA-256 of its Type Metadata document (the exact
/// bytes served at its `vct` and named by `vct#integrity`) and its national type code (the type
/// segment of certificate numbers). `registeredAt == 0` means "not registered". Immutable.
struct CertificateTypeRecord {
    bytes32 metadataHash;
    bytes4 typeCode;
    uint64 registeredAt;
}

/// @dev What a verifier asks about one (root, key, type) triple, answered in one call.
struct VerificationQuery {
    bytes32 root;
    bytes32 keyId;
    bytes32 typeId;
}

struct VerificationContext {
    Anchor anchor;
    Agency agency;
    SigningKey key;
    Accreditation accreditation;
}
