/**
 * The contract between the HTTP layer (server/app.ts, server/routes/) and the issuing service
 * (server/service/). Routes only translate HTTP to these calls; everything else lives behind them.
 */
import type { Envelope, Hex, ProofRecord, ShareReader, TypeMetadataDocument, VerificationResult } from "@certchain/sdk";
import type { AgencyRequest } from "./agency-request";

/** Who is calling, from a verified bearer token. */
export type Principal =
  | { kind: "root"; subject: string; tokenId: string }
  | {
      kind: "agency";
      agency: string /* slug */;
      /** Ignored: tokens of earlier releases listed types; the registry's accreditations decide now. */
      types?: string[];
      subject: string;
      tokenId: string;
    };

/** A principal before a token id is assigned (Omit<> over the union would drop the agency fields). */
export type TokenSubject = Principal extends infer P ? (P extends Principal ? Omit<P, "tokenId"> : never) : never;

/** Where a request came from, for the audit log and idempotency. */
export interface RequestContext {
  requestId: string;
  idempotencyKey?: string;
}

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
  /** Its entry in the agency's Token Status List (format v2 credentials). */
  statusIndex?: number;
}

export interface IssueRequest {
  type: string; // type id
  claims: Record<string, unknown>;
  validFrom?: string; // ISO 8601
  validUntil?: string;
}

export type BatchItemResult =
  | { index: number; ok: true; certificate: CertificateRecord }
  | { index: number; ok: false; error: { code: string; message: string; details?: unknown } };

export type StatusAction = "revoke" | "suspend" | "reinstate";

export interface AgencyView {
  id: Hex;
  slug: string;
  name: string;
  /** Unified social credit code, as the registry holds it. */
  creditCode: string;
  types: { id: string | null; vct: string | null; typeId: Hex }[];
  keyIds: Hex[];
}

/** A certificate type as the API lists it: the shape of earlier releases, plus its metadata document. */
export interface TypeView {
  id: string;
  vct: string;
  version: number;
  typeCode: string;
  names: { "zh-CN": string; en: string };
  /** Top-level claim labels, in display order. */
  claims: Record<string, { "zh-CN": string; en: string }>;
  schema: Record<string, unknown>;
  /** SD-JWT VC Type Metadata (the exact document is served at `metadataUrl`). */
  metadata: TypeMetadataDocument;
  metadataUrl: string;
  /** `vct#integrity` of its credentials. */
  integrity: string;
  builtIn: boolean;
}

export interface AccreditationView {
  agency: string;
  type: string;
  vct: string;
  typeId: Hex;
  validFrom: string;
  validUntil: string | null;
}

export interface AgencyTokenView {
  id: string;
  agency: string;
  subject: string;
  expiresAt: string;
  revokedAt?: string;
}

export interface AuditEntry {
  seq: number;
  at: string;
  actor: string;
  requestId: string;
  action: string; // "certificate.issue", "certificate.revoke", "key.rotate", "batch.anchor", …
  subject: string;
  data?: Record<string, unknown>;
  prevHash: Hex;
  hash: Hex;
}

export interface Readiness {
  ready: boolean;
  /** Why not ready: CHAIN_UNAVAILABLE, CHAIN_STATE_MISMATCH or ANCHORING_STUCK. */
  code?: string;
  chain: {
    /** starting | replaying | restarting | ready | unreachable | mismatch (server/chain/chain-gate.ts) */
    phase: string;
    since?: string;
    reachable: boolean;
    chainId?: number;
    blockNumber?: number;
    error?: string;
    /** Why not ready and the way out, in plain words. */
    detail?: string;
    progress?: { replayed: number; total: number };
  };
  anchoring: { backlog: number; oldestPendingAgeMs: number | null; lastAnchorAt: string | null; stuck: boolean; lastError?: string };
}

/**
 * Every method throws `CertchainError` with a code from server/errors.ts for refusals
 * (e.g. CERT_TYPE_NOT_ACCREDITED, CLAIMS_INVALID, CERT_NOT_FOUND, FORBIDDEN_AGENCY).
 */
export interface IssuingService {
  issue(principal: Principal, request: IssueRequest, context: RequestContext): Promise<CertificateRecord>;
  /** Good items are issued even when others fail; results in input order. */
  issueBatch(principal: Principal, items: IssueRequest[], context: RequestContext): Promise<BatchItemResult[]>;
  get(principal: Principal, id: string): Promise<CertificateRecord>;
  /**
   * The current records of `ids` once none is pending, or when `timeoutMs` has passed, whichever
   * is first (never later, even when the chain is down). Unknown ids come back undefined.
   */
  awaitAnchors(ids: readonly string[], timeoutMs: number): Promise<(CertificateRecord | undefined)[]>;
  /**
   * Public proof lookup by leaf (SHA-256 of the issuer-signed JWT, hex): the anchor proof once
   * anchored, `pending` before, undefined for a leaf this node never issued. Nothing personal.
   */
  proofOf(leaf: string): Promise<{ status: "anchored"; proof: ProofRecord } | { status: "pending" } | undefined>;
  changeStatus(principal: Principal, id: string, action: StatusAction, reason: number, context: RequestContext): Promise<CertificateRecord>;
  /**
   * The SDK's verdict. A pending envelope this node issued is verified with the proof from its
   * store; a share link is opened only when it is of `shares.origin`, read with `shares.read`
   * (never over HTTP). Any other share link is the verdict SHARE_HOST_NOT_ALLOWED: the service
   * never fetches a URL it is handed. Types added through this service's API are known.
   */
  verify(input: unknown, shares?: { origin: string; read: ShareReader }): Promise<VerificationResult>;
  /** Where the service is reachable (`PUBLIC_URL`): the base of credentials' `iss`, type `vct`s and status lists. */
  readonly publicUrl: string;
  /** JWT VC Issuer Metadata of an agency: its keys from the registry, for standard verifiers. */
  issuerMetadata(agency: string): Promise<{ issuer: string; jwks: { keys: Record<string, string>[] } }>;
  /** The agency's current Status List Token (`statuslist+jwt`), derived from chain events; undefined when not served here. */
  statusListToken(agency: string, list: number): Promise<string | undefined>;
  types(): TypeView[];
  /** Every version of every type (older versions too: certificates issued under them keep displaying). */
  typeVersions(): TypeView[];
  /** Root only: adds a type (or its next version) from Type Metadata, on the registry too. */
  registerType(principal: Principal, request: { id: string; typeCode: string; metadata: Record<string, unknown> }, context: RequestContext): Promise<{ type: TypeView; created: boolean }>;
  /** The exact text of a type version's document, for its vct URL; undefined when unknown. */
  typeDocument(id: string, version: number): string | undefined;
  /** Root only: accredits an agency for a type (`type`: id, newest version, or vct) on the registry. */
  accredit(principal: Principal, agency: string, request: { type: string; validFrom?: string; validUntil?: string }, context: RequestContext): Promise<AccreditationView>;
  /** Root only: a new bearer token for an agency this node serves. */
  mintAgencyToken(principal: Principal, agency: string, request: { subject?: string; expiresInSeconds?: number }, context: RequestContext): Promise<AgencyTokenView & { token: string }>;
  /** Root only: refuses the token from now on (durable). */
  revokeAgencyToken(principal: Principal, agency: string, tokenId: string, context: RequestContext): Promise<AgencyTokenView>;
  agencies(): Promise<AgencyView[]>;
  audit(principal: Principal, options?: { after?: number; limit?: number }): Promise<{ entries: AuditEntry[]; intact: boolean; head: Hex }>;
  rotateKey(principal: Principal, agency: string, context: RequestContext): Promise<{ keyId: Hex; retired: Hex[] }>;
  /** Root only: registers an agency on the registry and accredits it for `types` (open-ended, from now). */
  registerAgency(principal: Principal, request: AgencyRequest, context: RequestContext): Promise<AgencyView>;
  readiness(): Promise<Readiness>;
  /** Verifies a bearer token (jose, HS256 allow-list) into a principal; throws AUTH_* codes. */
  authenticate(token: string): Promise<Principal>;
  issueToken(principal: TokenSubject | Omit<Principal, "tokenId">, expiresInSeconds?: number): Promise<string>;
  close(): Promise<void>;
}
