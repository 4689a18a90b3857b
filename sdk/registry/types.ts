import type { Hex } from "../lib/bytes";

export interface AnchorRecord {
  agencyId: Hex;
  /** Seconds since the epoch; 0 when the root was never anchored. */
  anchoredAt: number;
  blockNumber: number;
  size: number;
}

export interface AgencyRecord {
  id: Hex;
  slug: string;
  name: string;
  registered: boolean;
  /** Its unified social credit code, the issuer segment of its certificate numbers ("" if none). */
  creditCode: string;
}

export interface SigningKeyRecord {
  keyId: Hex;
  agencyId: Hex;
  /** Contract `KeyAlgorithm`: 0 unknown (no such key), 1 EdDSA, 2 ES256. */
  alg: number;
  validFrom: number;
  /** 2^64-1 while in service: kept as bigint-safe number via Number (only compared). */
  validUntil: number;
  revoked: boolean;
  publicKey: Uint8Array;
}

export interface AccreditationRecord {
  validFrom: number;
  /** 0 when never accredited. */
  validUntil: number;
}

export interface VerificationContextRecord {
  anchor: AnchorRecord;
  agency: AgencyRecord;
  key: SigningKeyRecord;
  accreditation: AccreditationRecord;
}

export const CERTIFICATE_STATES = ["active", "suspended", "revoked"] as const;
export type CertificateState = (typeof CERTIFICATE_STATES)[number];

export interface StatusRecord {
  state: CertificateState;
  reason: number;
  /** Seconds since the epoch; 0 for a certificate whose status never changed. */
  updatedAt: number;
}
