import type { Hex } from "../lib/bytes";

/** A root as the registry recorded it: the agency that anchored it and when. */
export interface AnchorRecord {
  agencyId: Hex;
  /** Seconds since the epoch; 0 when the root was never anchored. */
  anchoredAt: number;
  blockNumber: number;
  size: number;
}

/** An agency on the registry. */
export interface AgencyRecord {
  id: Hex;
  slug: string;
  name: string;
  registered: boolean;
  /** Its unified social credit code, the issuer segment of its certificate numbers ("" if none). */
  creditCode: string;
}

/** A signing key on the registry, with its validity window. */
export interface SigningKeyRecord {
  keyId: Hex;
  agencyId: Hex;
  /** Contract `KeyAlgorithm`: 0 unknown (no such key), 1 EdDSA, 2 ES256, 3 SM2. */
  alg: number;
  validFrom: number;
  /** 2^64-1 while in service: kept as bigint-safe number via Number (only compared). */
  validUntil: number;
  revoked: boolean;
  publicKey: Uint8Array;
}

/** An agency's accreditation for one certificate type (seconds since the epoch). */
export interface AccreditationRecord {
  validFrom: number;
  /** 0 when never accredited. */
  validUntil: number;
}

/** Everything the registry says about one (root, key, type) triple, read in one call. */
export interface VerificationContextRecord {
  anchor: AnchorRecord;
  agency: AgencyRecord;
  key: SigningKeyRecord;
  accreditation: AccreditationRecord;
}

/** A certificate's states on chain, in the contract's order. */
export const CERTIFICATE_STATES = ["active", "suspended", "revoked"] as const;
/** `active`, `suspended` or `revoked`. */
export type CertificateState = (typeof CERTIFICATE_STATES)[number];

/** A certificate's status as the anchoring agency last recorded it. */
export interface StatusRecord {
  state: CertificateState;
  reason: number;
  /** Seconds since the epoch; 0 for a certificate whose status never changed. */
  updatedAt: number;
}

/** A certificate type as the registry holds it (format v2): the hash of its Type Metadata document and its type code. */
export interface CertificateTypeRecord {
  /** SHA-256 of the document's bytes (0x…); zero when the type is not registered. */
  metadataHash: Hex;
  /** The four-character national type code, e.g. `SBZK`; "" when not registered. */
  typeCode: string;
  /** Seconds since the epoch; 0 when not registered. */
  registeredAt: number;
}
