/**
 * The contract between the HTTP layer (server/app.ts, server/routes/) and the issuing service
 * (server/service/). Routes only translate HTTP to these calls; everything else lives behind them.
 */
import type { CertificateType, Envelope, Hex, ProofRecord, ShareReader, VerificationResult } from "@certchain/sdk";
import type { AgencyRequest } from "./agency-request";

/** Who is calling, from a verified bearer token. */
export type Principal =
  | { kind: "root"; subject: string; tokenId: string }
  | { kind: "agency"; agency: string /* slug */; types: string[] /* type ids it may issue */; subject: string; tokenId: string };

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
  status: CertificateState;
  envelope: Envelope; // pending envelope until anchored, then with its proof
  leaf: Hex;
  createdAt: string; // ISO
  anchoredAt?: string;
  statusReason?: number;
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
  chain: { reachable: boolean; chainId?: number; blockNumber?: number; error?: string };
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
   * never fetches a URL it is handed.
   */
  verify(input: unknown, shares?: { origin: string; read: ShareReader }): Promise<VerificationResult>;
  types(): readonly CertificateType[];
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
