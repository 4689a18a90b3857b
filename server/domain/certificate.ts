/**
 * A certificate as this node keeps it, and the requests that make or change one. Every layer
 * (store, anchoring, service, routes) speaks of certificates in these terms.
 */
import type { Envelope, Hex } from "@certchain/sdk";

/** Where a certificate stands: `pending` until its batch is anchored; suspended and revoked as the chain records them. */
export type CertificateState = "pending" | "anchored" | "suspended" | "revoked";

export interface CertificateRecord {
  id: string; // opaque, URL-safe
  agency: string; // slug
  type: string; // type id, e.g. "business-licence"
  /** The type version's vct (absent in records written before types were data: then the bundled type of `type`). */
  vct?: string;
  status: CertificateState;
  envelope: Envelope; // pending envelope until anchored, then with its proof
  leaf: Hex;
  createdAt: string; // ISO
  anchoredAt?: string;
  statusReason?: number;
  /**
   * A status change sent to the chain that is not settled there yet (its block not at the
   * configured depth, or dropped by a reorganisation and being sent again): `status` is what the
   * agency decided, this says the chain may not hold it yet. Removed once it is settled.
   */
  statusChange?: UnsettledStatusChange;
  /** Its entry in the agency's Token Status List (format v2 credentials). */
  statusIndex?: number;
  /**
   * Set on a holder copy: the id of the certificate it is a copy of. A holder copy is the
   * certificate issued again, bound to a wallet's device key (`cnf.jwk`) when the holder collects
   * it with OpenID4VCI: same claims, number, validity, type and status-list index, a leaf of its
   * own, anchored like any new credential, its status following the certificate's. Its record id
   * is `<certificate id>.<n>`, which no API route accepts as a certificate id.
   */
  copyOf?: string;
  /** A holder copy's holder key: its RFC 7638 thumbprint. */
  holderKey?: string;
}

/**
 * A certificate whose personal data was erased (crypto-shredded, PIPL's right to deletion): its
 * credential is gone for good; its id, leaf, anchor, status and audit trail stay, and the file
 * its holder keeps still verifies against the chain.
 */
export interface ErasedCertificate extends Omit<CertificateRecord, "envelope"> {
  erasedAt: string; // ISO
  /** The envelope's anchor, as the record's would be: pending until its batch is anchored, then with its proof. */
  anchor: Envelope["anchor"];
  envelope?: undefined;
}

/** What the node keeps of a certificate: the whole record, or what stays of it after an erasure. */
export type KeptCertificate = CertificateRecord | ErasedCertificate;

export const isErased = (record: KeptCertificate): record is ErasedCertificate => record.envelope === undefined;

/** The certificate's anchor (pending or with its proof), erased or not. */
export const anchorOf = (record: KeptCertificate): Envelope["anchor"] => (isErased(record) ? record.anchor : record.envelope.anchor);

/** The record id of a certificate's n-th holder copy (n from 1): certificate ids never hold a dot. */
export const holderCopyId = (certificate: string, n: number): string => `${certificate}.${n}`;

/** What an agency asks to be issued. */
export interface IssueRequest {
  type: string; // type id
  claims: Record<string, unknown>;
  validFrom?: string; // ISO 8601
  validUntil?: string;
}

/** One item of a batch issuance: issued, or refused with its own error. */
export type BatchItemResult =
  | { index: number; ok: true; certificate: CertificateRecord }
  | { index: number; ok: false; error: { code: string; message: string; details?: unknown } };

/** A status change on its way to being settled on chain (see `CertificateRecord.statusChange`). */
export interface UnsettledStatusChange {
  action: StatusAction;
  /** The last transaction sent for it; absent when the chain already held the state (another transaction set it). */
  transaction?: Hex;
  sentAt: string; // ISO
}

/**
 * A status change as the status settlement follows it: unsettled (`settledBlock` absent), then
 * settled at that block and still watched until it is deeper than the reorganisation window.
 */
export interface FollowedStatusChange extends UnsettledStatusChange {
  settledBlock?: number;
}

/** A status change an agency's operator records on chain. */
export type StatusAction = "revoke" | "suspend" | "reinstate";
