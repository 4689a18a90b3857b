/**
 * The issuing service: the contract between the HTTP layer (server/app.ts, server/routes/) and
 * the node behind it, and its assembly from one part per concern around one shared context
 * (context.ts). Routes only translate HTTP to these calls.
 */
import type { Hex, ProofRecord, ShareReader, SignatureAlgorithm, VerificationResult } from "@certchain/sdk";
import type { Batcher } from "../anchoring/batcher";
import type { RecordedAnchor } from "../chain/chain-identity";
import type { AuditEntry } from "../domain/audit-entry";
import type { BatchItemResult, CertificateRecord, ErasedCertificate, IssueRequest, KeptCertificate, StatusAction } from "../domain/certificate";
import type { Principal, RequestContext, TokenSubject } from "../domain/principal";
import type { Readiness } from "../domain/readiness";
import type { AgencyRecord } from "../domain/agency";
import type { AccreditationView, AgencyTokenView, AgencyView, TypeView } from "../domain/views";
import type { SigningPool } from "../keys/signing-pool";
import { createAgencyLifecycle } from "./agency-lifecycle";
import { createSites, type SiteView } from "./sites";
import { createAgencyRegistry } from "./agency-registry";
import type { AgencyRequest } from "./agency-request";
import { createAuditTrail } from "./audit-trail";
import { createBearerTokens } from "./bearer-tokens";
import { createCertificateLookup } from "./certificate-lookup";
import { createCertificateTypes } from "./certificate-types";
import { createCredentialOffers, type CreatedOffer, type CredentialOfferObject, type OfferRequest, type TokenResponse } from "./credential-offers";
import { createErasure } from "./erasure";
import { createHolderCopies } from "./holder-copies";
import { createOid4vciMetadata } from "./oid4vci-metadata";
import { createServiceContext, type IssuingServiceOptions } from "./context";
import { createIssuance } from "./issuance";
import { createKeyRotation } from "./key-rotation";
import { createPresentations, type Presentations } from "./presentations";
import { createReadiness } from "./readiness";
import { createStatusChanges } from "./status-changes";
import { createVerification } from "./verification";

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
  /** The record after the change (an erased certificate's status changes too: it comes back without an envelope). */
  changeStatus(principal: Principal, id: string, action: StatusAction, reason: number, context: RequestContext): Promise<KeptCertificate>;
  /**
   * Root only: crypto-shreds the certificate's personal data (its data key and ciphertext are
   * destroyed); id, leaf, anchor and status stay, and the audit log records it. Idempotent.
   */
  erase(principal: Principal, id: string, context: RequestContext): Promise<ErasedCertificate>;
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
  /** `algorithm`: the new key's suite; default the current key's. */
  rotateKey(principal: Principal, agency: string, context: RequestContext, algorithm?: SignatureAlgorithm): Promise<{ keyId: Hex; alg: SignatureAlgorithm; retired: Hex[] }>;
  /**
   * Root only: registers an agency that this node then serves: its signing key (of `algorithm`)
   * and operator account created and sealed here, registered on chain, accredited for `types`
   * (open-ended, from now), the operator funded on the dev chain. `service.operator` names the
   * account to fund elsewhere.
   */
  registerAgency(principal: Principal, request: AgencyRequest, context: RequestContext): Promise<AgencyView>;
  /** One agency of the registry; with `service` (state, operator, funds read now) when this node serves it. */
  agency(slug: string): Promise<AgencyView>;
  /** Root only: renames an agency on the registry (and here, when served). */
  renameAgency(principal: Principal, slug: string, name: string, context: RequestContext): Promise<AgencyRecord | undefined>;
  /** Root only: an agency served here stops issuing (true) or issues again (false). */
  setAgencySuspended(principal: Principal, slug: string, suspended: boolean, context: RequestContext): Promise<AgencyRecord>;
  /** Root only: a new operator account for an agency served here; the old one is removed from the registry. */
  rotateOperator(principal: Principal, slug: string, context: RequestContext): Promise<AgencyRecord>;
  readiness(): Promise<Readiness>;
  /**
   * Consented use (OpenID4VP 1.0): an agency's requests to citizens' wallets (its token), their
   * request objects and the wallets' direct_post answers (no token), and its consent receipts.
   */
  readonly presentations: Presentations["presentations"];
  consentReceipt: Presentations["consentReceipt"];
  consentReceipts: Presentations["consentReceipts"];
  anchorConsentReceipts: Presentations["anchorConsentReceipts"];
  attestVerifier: Presentations["attestVerifier"];
  /** Root only: a further site's own account may act as root authority on this registry (services/sites.ts). */
  addSite(principal: Principal, account: string, context: RequestContext): Promise<SiteView>;
  /** An agency's OpenID4VCI credential offer of one of its certificates (pre-authorized code, optional PIN). */
  createOffer(principal: Principal, certificateId: string, request: OfferRequest, context: RequestContext): Promise<CreatedOffer>;
  /** The Credential Offer at an offer's credential_offer_uri (OFFER_NOT_FOUND, OFFER_GONE). */
  credentialOffer(agency: string, offerId: string): Promise<CredentialOfferObject>;
  /** The token endpoint of an agency's credential issuer: the form as sent. */
  token(agency: string, form: Record<string, unknown>): Promise<TokenResponse>;
  /** A fresh c_nonce of an agency's credential issuer. */
  nonce(agency: string): { c_nonce: string };
  /** The credential endpoint: the holder-bound credential (a holder copy of the offered certificate). */
  credential(agency: string, accessToken: string | undefined, body: unknown): Promise<{ credential: string }>;
  /** OpenID4VCI Credential Issuer Metadata of an agency this node serves. */
  credentialIssuerMetadata(agency: string): Promise<Record<string, unknown>>;
  /** OAuth 2.0 Authorization Server Metadata (RFC 8414) of the same identifier. */
  authorizationServerMetadata(agency: string): Record<string, unknown>;
  /** Deletes long-expired offers and used c_nonces past their expiry. */
  purgeOffers(): Promise<number>;
  /** Verifies a bearer token (jose, HS256 allow-list) into a principal; throws AUTH_* codes. */
  authenticate(token: string): Promise<Principal>;
  issueToken(principal: TokenSubject | Omit<Principal, "tokenId">, expiresInSeconds?: number): Promise<string>;
  close(): Promise<void>;
}

/** The service as this process runs it: the contract, plus what the node itself and its tests reach for. */
export type LocalIssuingService = IssuingService & {
  /** Anchors everything pending now (all agencies, or one); resolves once anchored. */
  flush(agency?: string): Promise<void>;
  /** Reads the agency's accreditations into the cache (kept on disk), so issuing survives a later chain outage. */
  primeAccreditations(agency: string): Promise<void>;
  /** The worker threads that sign batch requests (none ready: the main thread signs). */
  readonly signing: SigningPool;
  /** The latest anchors of the agencies this node serves (a few each), for the chain-identity check. */
  recordedAnchors(agencies: readonly string[]): Promise<RecordedAnchor[]>;
  readonly batcher: Batcher;
  /** Puts the SDK's bundled types on the registry where it lacks them (a fresh registry); how many it lacked. */
  registerBuiltInTypes(): Promise<number>;
  /** Whether a production start already wrote the root token to its file; marking it so. */
  rootTokenWritten(): Promise<boolean>;
  markRootTokenWritten(): Promise<void>;
  /** The slugs of the agencies this node serves now. */
  servedAgencies(): string[];
  /** Finishes what a previous run left unfinished: registrations, operator rotations. */
  resumeAgencies(): Promise<void>;
};

/**
 * The issuing node: validate → sign → persist (synced) → hand to the batcher. Each concern is
 * one part over the shared context; this only puts them together.
 */
export async function createIssuingService(options: IssuingServiceOptions): Promise<LocalIssuingService> {
  const ctx = await createServiceContext(options);
  const { close: closeConsent, ...consent } = createPresentations(ctx, options.consent);
  const registry = createAgencyRegistry(ctx);
  const lifecycle = createAgencyLifecycle(ctx);
  return {
    ...createIssuance(ctx),
    ...createCertificateLookup(ctx),
    ...createStatusChanges(ctx),
    ...createErasure(ctx),
    ...createVerification(ctx),
    ...createCertificateTypes(ctx),
    ...registry,
    ...lifecycle,
    ...createSites(ctx),
    ...createKeyRotation(ctx),
    ...createBearerTokens(ctx),
    ...createAuditTrail(ctx),
    ...createReadiness(ctx),
    ...consent,
    ...createCredentialOffers(ctx),
    ...createHolderCopies(ctx),
    ...createOid4vciMetadata(ctx),
    publicUrl: ctx.publicUrl,
    batcher: ctx.batcher,
    signing: ctx.signing,
    flush: (agency) => ctx.batcher.flush(agency),
    recordedAnchors: (agencies) => ctx.batches.latestAnchored(agencies),
    servedAgencies: () => ctx.served.list().map((agency) => agency.slug),
    async resumeAgencies() {
      await registry.resumeRegistrations();
      await lifecycle.resumeRotations();
    },
    async close() {
      await closeConsent();
      await ctx.close();
    },
  };
}
