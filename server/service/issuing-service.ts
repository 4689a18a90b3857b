import type { Provider, Signer } from "ethers";
import {
  ENVELOPE_VERSION,
  agencyIdOf,
  agencyIssuerUrl,
  anchorPendingEnvelope,
  createPendingEnvelope,
  credentialLeaf,
  formatCertificateNumber,
  isCertchainError,
  parseEnvelope,
  selectivePathsOf,
  statusListPosition,
  statusListUri,
  typeIdOf,
  validateClaims,
  verify as sdkVerify,
  type Envelope,
  type Hex,
  type TypeFromMetadata,
} from "@certchain/sdk";
import { ownValue, snapshotOrUnreadable } from "@certchain/sdk/internal";
import { awaitAnchors } from "../anchoring/await-anchors";
import { createBatcher, type Batcher } from "../anchoring/batcher";
import { openChainGate, type ChainGate } from "../chain/chain-gate";
import type { RecordedAnchor } from "../chain/chain-identity";
import { createTokenRegistry, type TokenRecord } from "../auth/token-registry";
import { createTokenAuthority } from "../auth/tokens";
import { createOperatorClient } from "../chain/operator";
import { createRegistryAdmin } from "../chain/registry-admin";
import { createRegistryIdSource } from "../chain/registry-id";
import { createRegistryReads } from "../chain/registry-reads";
import { revertNameOf } from "../chain/revert-name";
import { apiError, detailsList } from "../errors";
import type { ActiveSigner, KeyStore } from "../keys/key-store";
import { createSigningPool, issueLocally, type IssuedCredential, type SigningPool, type UnsignedCredential } from "../keys/signing-pool";
import { createKeyedMutex } from "../lib/mutex";
import { createAuditLog, type NewAuditEntry } from "../store/audit-log";
import { createBatchStore } from "../store/batch-store";
import { createCertificateStore, type PendingEntry } from "../store/certificate-store";
import type { Database, WriteOp } from "../store/database";
import { createIdempotencyStore, requestHashOf, type StoredItemResult } from "../store/idempotency-store";
import { createAccreditationCache } from "./accreditations";
import { checkAgencyRequest } from "./agency-request";
import { createCreditCodeCache } from "./credit-codes";
import { createStatusListPublisher } from "../status-list/publisher";
import { createIssuerMetadataReader } from "./issuer-metadata";
import { createTypeCatalogue, type CatalogueEntry } from "./type-catalogue";
import { formatSerial, newCertificateId } from "./identifiers";
import type { BatchItemResult, CertificateRecord, CertificateState, IssueRequest, StatusAction } from "../domain/certificate";
import type { Principal, RequestContext } from "../domain/principal";
import type { Readiness } from "../domain/readiness";
import type { AgencyTokenView, AgencyView, TypeView } from "../domain/views";
import type { IssuingService } from "./types";

export const MAX_BATCH_ITEMS = 10_000;

export interface IssuingServiceOptions {
  db: Database;
  chain: {
    provider: Provider;
    registryAddress: Hex;
    chainId: number;
    rootAuthority: Signer;
    /** The operator account that anchors and changes status for an agency this node serves. */
    operatorSignerFor: ((agency: string) => Signer | undefined) | Record<string, Signer>;
    registryName?: string;
    /** Whether the chain may be used now (supervised chains); default: always. */
    gate?: ChainGate;
    /** Deadline of a chain read such as a verification (default 4 s). */
    timeoutMs?: number;
  };
  keys: KeyStore;
  tokenSecret: Uint8Array;
  batch?: { maxSize?: number; maxDelayMs?: number; finishSlice?: number };
  /** Worker threads signing batch requests (default 0: the main thread); they start in the background. */
  signingWorkers?: number;
  /** Blocks an anchor needs before proofs are handed out (1 = mined). */
  confirmations?: number;
  /** How often published status lists follow the chain for changes made elsewhere. Default 1 s. */
  statusListPollMs?: number;
  /**
   * Where this service is reachable (https in production): credentials name their issuer
   * `<publicUrl>/agencies/<slug>`, new types get `vct`s `<publicUrl>/types/<id>/<n>`, status lists
   * live under it, and pending envelopes name it as where to ask for their proofs
   * (GET <publicUrl>/v1/proofs/<leaf>). Default `http://127.0.0.1:3000` (pending envelopes then name no service).
   */
  publicUrl?: string;
  now?: () => number;
  /** Test hooks only. */
  faults?: { crashAt?: "prepared" | "sent" | "finishing"; signingWorkerCrashOnRequest?: number };
}

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
};

/** An issuance checked and numbered, not signed yet. */
interface Planned {
  agency: string;
  type: string;
  vct: string;
  statusIndex: number;
  certificateNumber: string;
  at: number;
  signer: ActiveSigner;
  unsigned: UnsignedCredential;
  actor: string;
  requestId: string;
}

interface Prepared {
  record: CertificateRecord;
  pending: PendingEntry;
  audit: NewAuditEntry;
}

const STATE_AFTER: Record<StatusAction, CertificateState> = { revoke: "revoked", suspend: "suspended", reinstate: "anchored" };

/** Local pre-check of the contract's rules, so an impossible change costs no transaction. */
function transitionAllowed(state: CertificateState, action: StatusAction): boolean {
  if (state === "revoked" || state === "pending") return false;
  if (action === "suspend") return state !== "suspended";
  if (action === "reinstate") return state === "suspended";
  return true;
}

/** The chainLock key of the root authority's registry writes (agency slugs cannot contain "!"). */
const ROOT_WRITES = "!root";

const CHAIN_STATE: Record<string, CertificateState> = { active: "anchored", suspended: "suspended", revoked: "revoked" };

function parseTime(value: unknown, field: string): number | undefined {
  if (value === undefined) return undefined;
  const ms = typeof value === "string" ? Date.parse(value) : NaN;
  if (!Number.isFinite(ms)) throw apiError("VALIDITY_INVALID", `${field} must be an ISO 8601 date-time`, [{ path: `/${field}`, message: "not a date-time" }]);
  return Math.floor(ms / 1000);
}

/** A chain call failed: the gate's own refusal as it is (mismatch or unavailable), anything else as CHAIN_UNAVAILABLE. */
const chainFailure = (error: unknown) =>
  isCertchainError(error) && (error.code === "CHAIN_STATE_MISMATCH" || error.code === "CHAIN_UNAVAILABLE") ? error : apiError("CHAIN_UNAVAILABLE");

function withDeadline<T>(work: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([work, new Promise<never>((_, reject) => (timer = setTimeout(() => reject(apiError("CHAIN_UNAVAILABLE")), ms)))]).finally(() => clearTimeout(timer));
}

const typeViewOf = ({ type, metadataUrl, builtIn }: CatalogueEntry): TypeView => ({
  id: type.id,
  vct: type.vct,
  version: type.version ?? 1,
  typeCode: type.typeCode,
  names: type.names,
  claims: type.claims,
  schema: type.schema,
  metadata: type.metadata,
  metadataUrl,
  integrity: type.integrity,
  builtIn,
});

const tokenViewOf = (record: TokenRecord): AgencyTokenView => ({
  id: record.id,
  agency: record.agency!,
  subject: record.subject,
  expiresAt: record.expiresAt,
  ...(record.revokedAt ? { revokedAt: record.revokedAt } : {}),
});

const errorOf = (error: unknown): { code: string; message: string; details?: unknown } =>
  isCertchainError(error) ? { code: error.code, message: error.message, ...(error.details !== undefined ? { details: detailsList(error.details) } : {}) } : { code: "INTERNAL", message: "Internal error." };

/**
 * The issuing node: validate → sign → persist (synced) → hand to the batcher. Every refusal is
 * decided before anything is written.
 */
export async function createIssuingService(options: IssuingServiceOptions): Promise<LocalIssuingService> {
  const { db, keys, chain } = options;
  const now = options.now ?? Date.now;
  // Pending envelopes name a service only when one was configured: a default URL may not be reachable.
  const proofService = options.publicUrl?.replace(/\/+$/, "") || undefined;
  const confirmations = Math.max(1, options.confirmations ?? 1);
  const operatorFor =
    typeof chain.operatorSignerFor === "function"
      ? chain.operatorSignerFor
      : (agency: string) => ownValue(chain.operatorSignerFor as Record<string, Signer>, agency);

  const certificates = createCertificateStore(db);
  const batches = createBatchStore(db);
  const idempotency = createIdempotencyStore(db);
  const audit = createAuditLog(db);
  const serials = db.sublevel<number>("serials");
  const statusIndexes = db.sublevel<number>("status-indexes");
  const publicUrl = (options.publicUrl ?? "http://127.0.0.1:3000").replace(/\/+$/, "");
  const tokenRegistry = await createTokenRegistry(db);
  const tokens = createTokenAuthority(options.tokenSecret, tokenRegistry.isRevoked);
  const gate = chain.gate ?? openChainGate(chain.chainId);
  const timeoutMs = chain.timeoutMs ?? 4_000;
  const registry = createRegistryReads({ provider: chain.provider, address: chain.registryAddress, chainId: chain.chainId, name: chain.registryName });
  const reader = registry.reader;
  const accreditations = createAccreditationCache(db, registry, now, () => gate.status().phase === "ready");
  const registryIds = createRegistryIdSource(registry);
  const creditCodes = createCreditCodeCache(db, registry);
  const rootAdmin = () => createRegistryAdmin(chain.registryAddress, chain.rootAuthority);
  const issuerMetadata = createIssuerMetadataReader({ registry, publicUrl });
  const chainLock = createKeyedMutex();
  // Types are registered by the root authority's account, as keys and agencies are: one at a time.
  const catalogue = await createTypeCatalogue({
    db,
    publicUrl,
    registry,
    admin: rootAdmin,
    rootWrite: (write) => chainLock(ROOT_WRITES, write),
  });
  const requestLock = createKeyedMutex();
  const certificateLock = createKeyedMutex();
  await certificates.ensureLeafIndex();
  const batcher = createBatcher({
    db,
    certificates,
    batches,
    audit,
    provider: chain.provider,
    registry,
    registryIds,
    chainId: chain.chainId,
    operatorSignerFor: operatorFor,
    chainLock,
    maxSize: options.batch?.maxSize,
    maxDelayMs: options.batch?.maxDelayMs,
    finishSlice: options.batch?.finishSlice,
    confirmations,
    now,
    chainReady: () => gate.ready(0),
    durable: (blockNumber) => gate.durable(blockNumber),
    crashAt: options.faults?.crashAt,
  });
  await batcher.start();
  // Pending envelopes name the registry id from the first one on; a chain that does not answer
  // now only delays it (issuing goes on, the id is read again in the background).
  await Promise.race([registryIds.get().catch(() => undefined), new Promise((resolve) => setTimeout(resolve, 2_000).unref())]);
  void catalogue.resume();

  // Serials are handed out synchronously from memory and persisted with the certificates that
  // use them; a crash can only lose serials of certificates that were never acknowledged.
  const serialCounters = new Map<string, Promise<{ value: number }>>();
  const counterOf = (agency: string) => {
    let counter = serialCounters.get(agency);
    if (counter === undefined) serialCounters.set(agency, (counter = serials.get(agency).then((v) => ({ value: v ?? 0 }))));
    return counter;
  };

  // Token Status List indexes, per agency, handed out and persisted as serials are.
  const indexCounters = new Map<string, Promise<{ value: number }>>();
  const indexCounterOf = (agency: string) => {
    let counter = indexCounters.get(agency);
    if (counter === undefined) indexCounters.set(agency, (counter = statusIndexes.get(agency).then((v) => ({ value: v ?? 0 }))));
    return counter;
  };
  const servedAgencies = typeof chain.operatorSignerFor === "function" ? [] : Object.keys(chain.operatorSignerFor);
  const statusLists = createStatusListPublisher({
    reader,
    publicUrl,
    agencies: servedAgencies,
    serves: (agency) => operatorFor(agency) !== undefined,
    signerFor: (agency) => keys.activeSigner(agency),
    pollMs: options.statusListPollMs,
  });
  statusLists.start();

  // Issuances in progress per agency: a key rotation waits for them before retiring the old key.
  const inFlight = new Map<string, Set<Promise<unknown>>>();
  function track<T>(agency: string, work: Promise<T>): Promise<T> {
    let set = inFlight.get(agency);
    if (set === undefined) inFlight.set(agency, (set = new Set()));
    set.add(work);
    const remove = () => set!.delete(work);
    work.then(remove, remove);
    return work;
  }

  function requireAgency(principal: Principal): Extract<Principal, { kind: "agency" }> {
    if (principal?.kind !== "agency") throw apiError("FORBIDDEN", "Only an agency token may do that.");
    if (operatorFor(principal.agency) === undefined) throw apiError("AGENCY_NOT_FOUND", "This node does not serve that agency.");
    return principal;
  }

  function requireRoot(principal: Principal): void {
    if (principal?.kind !== "root") throw apiError("FORBIDDEN", "Only the root authority may do that.");
  }

  async function checkAllowed(principal: Extract<Principal, { kind: "agency" }>, request: IssueRequest): Promise<TypeFromMetadata> {
    if (typeof request !== "object" || request === null) throw apiError("BAD_REQUEST", "Each item must be an object.");
    const type = catalogue.byId(request.type)?.type;
    if (type === undefined) throw apiError("CERT_TYPE_UNKNOWN", undefined, { type: request.type });
    // The token names the agency; the registry decides what it may issue.
    if (!(await accreditations.isAccredited(principal.agency, type))) throw apiError("CERT_TYPE_NOT_ACCREDITED", undefined, { type: type.id, vct: type.vct });
    const claims = validateClaims(type, request.claims);
    if (!claims.ok) throw apiError("CLAIMS_INVALID", undefined, claims.errors);
    return type;
  }

  /** Everything of one issuance but the signature: checks, serial and status index, what to sign. */
  async function plan(principal: Extract<Principal, { kind: "agency" }>, request: IssueRequest, context: RequestContext): Promise<Planned> {
    const type = await checkAllowed(principal, request);
    const validFrom = parseTime(request.validFrom, "validFrom");
    const validUntil = parseTime(request.validUntil, "validUntil");
    if (validFrom !== undefined && validUntil !== undefined && validFrom >= validUntil) throw apiError("VALIDITY_INVALID");
    const agency = principal.agency;
    const signer = keys.activeSigner(agency) ?? (await ensureKey(agency));
    // The registry's code, as verifiers will compare it with the number's issuer segment.
    const issuerCode = await creditCodes.codeOf(agency);
    const counter = await counterOf(agency);
    const indexCounter = await indexCounterOf(agency);
    const serial = (counter.value += 1);
    // Indexes start at 0, one per certificate, never reused.
    const statusIndex = indexCounter.value++;
    const certificateNumber = formatCertificateNumber({
      typeCode: type.typeCode,
      issuerCode,
      serial: formatSerial(serial),
      version: 1,
    });
    const at = now();
    const unsigned: UnsignedCredential = {
      vct: type.vct,
      issuer: agency,
      issuerUri: agencyIssuerUrl(publicUrl, agency),
      vctIntegrity: type.integrity,
      selectivePaths: selectivePathsOf(type),
      status: { idx: statusIndex, uri: statusListUri(publicUrl, agency, statusListPosition(statusIndex).list) },
      certificateNumber,
      claims: request.claims,
      issuedAt: Math.floor(at / 1000),
      validFrom,
      validUntil,
    };
    return { agency, type: type.id, vct: type.vct, statusIndex, certificateNumber, at, signer, unsigned, actor: principal.subject, requestId: context.requestId };
  }

  /** The record, pending-index entry and audit entry of a planned issuance, once signed. */
  function sealed(p: Planned, { credential, leaf }: IssuedCredential): Prepared {
    const id = newCertificateId(p.at);
    const createdAt = new Date(p.at).toISOString();
    const { agency } = p;
    return {
      record: { id, agency, type: p.type, vct: p.vct, statusIndex: p.statusIndex, status: "pending", envelope: createPendingEnvelope(credential, chain.chainId, chain.registryAddress, proofService, registryIds.current(), ENVELOPE_VERSION), leaf, createdAt },
      pending: { id, agency, leaf, at: p.at },
      audit: { at: createdAt, actor: p.actor, requestId: p.requestId, action: "certificate.issue", subject: id, data: { agency, type: p.type, certificateNumber: p.certificateNumber, leaf, keyId: p.signer.keyId } },
    };
  }

  /** One certificate, signed here: a single issuance waits for nothing else. */
  async function prepare(principal: Extract<Principal, { kind: "agency" }>, request: IssueRequest, context: RequestContext): Promise<Prepared> {
    const p = await plan(principal, request, context);
    const [issued] = await issueLocally(p.signer, [p.unsigned]);
    return sealed(p, issued);
  }

  /** Signs planned issuances in the signing pool, one call per key (a rotation may fall in between). */
  async function signAll(planned: readonly Planned[]): Promise<IssuedCredential[]> {
    const issued: IssuedCredential[] = new Array(planned.length);
    const bySigner = new Map<Planned["signer"], number[]>();
    planned.forEach((p, i) => {
      const indexes = bySigner.get(p.signer);
      if (indexes) indexes.push(i);
      else bySigner.set(p.signer, [i]);
    });
    await Promise.all(
      [...bySigner].map(async ([signer, indexes]) => {
        const signed = await signing.issue(signer, indexes.map((i) => planned[i].unsigned));
        indexes.forEach((at, k) => (issued[at] = signed[k]));
      }),
    );
    return issued;
  }

  async function ensureKey(agency: string) {
    try {
      // With the root authority's other writes: one account, one nonce at a time, and two first
      // issuances of an agency register one key, not two.
      return await chainLock(ROOT_WRITES, () => keys.ensureSigningKey(agency));
    } catch (cause) {
      throw apiError("CHAIN_UNAVAILABLE", "The agency's signing key cannot be registered now; try again later.");
    }
  }

  /** One synced write for all of a request's certificates, their audit entries, serial and idempotency record. */
  async function commit(agency: string, prepared: readonly Prepared[], extra: readonly WriteOp[]): Promise<void> {
    const counter = await counterOf(agency);
    const indexCounter = await indexCounterOf(agency);
    await audit.append(
      prepared.map((p) => p.audit),
      () => [
        ...prepared.flatMap((p) => certificates.insertOps(p.record, p.pending.at)),
        { type: "put", sublevel: serials, key: agency, value: counter.value },
        { type: "put", sublevel: statusIndexes, key: agency, value: indexCounter.value },
        ...extra,
      ],
    );
    batcher.enqueue(prepared.map((p) => p.pending));
  }

  /** Runs a request once per (agency, Idempotency-Key); a retry gets the stored outcome. */
  async function idempotent<T>(
    agency: string,
    context: RequestContext,
    kind: string,
    body: unknown,
    run: (remember: (results: StoredItemResult[]) => WriteOp[]) => Promise<T>,
    replay: (results: StoredItemResult[]) => Promise<T>,
  ): Promise<T> {
    const key = context?.idempotencyKey;
    if (key === undefined) return run(() => []);
    const requestHash = requestHashOf(kind, body);
    return requestLock(`${agency}!${key}`, async () => {
      const stored = await idempotency.get(agency, key);
      if (stored !== undefined) {
        if (stored.requestHash !== requestHash) throw apiError("IDEMPOTENCY_KEY_REUSED");
        return replay(stored.results);
      }
      return run((results) => idempotency.putOps(agency, key, { requestHash, results, at: new Date(now()).toISOString() }));
    });
  }

  async function load(id: string): Promise<CertificateRecord> {
    const record = typeof id === "string" && id.length > 0 && id.length <= 128 ? await certificates.get(id) : undefined;
    if (record === undefined) throw apiError("CERT_NOT_FOUND");
    return record;
  }

  /** A pending envelope this node issued, with its anchor from the store once anchored; else undefined. */
  async function anchoredFromStore(input: unknown): Promise<Envelope | undefined> {
    let envelope: Envelope;
    try {
      envelope = parseEnvelope(input);
    } catch {
      return undefined;
    }
    if (envelope.anchor.status !== "pending") return undefined;
    if (envelope.anchor.chainId !== chain.chainId || envelope.anchor.registry.toLowerCase() !== chain.registryAddress.toLowerCase()) return undefined;
    const record = await certificates.getByLeaf(credentialLeaf(envelope.credential));
    const anchor = record?.envelope.anchor;
    if (anchor?.status !== "anchored") return undefined;
    return anchorPendingEnvelope(envelope, anchor);
  }

  async function issueBatch(principal: Principal, items: IssueRequest[], context: RequestContext): Promise<BatchItemResult[]> {
    const agencyPrincipal = requireAgency(principal);
    if (!Array.isArray(items) || items.length === 0) throw apiError("BAD_REQUEST", "items must be a non-empty array.");
    if (items.length > MAX_BATCH_ITEMS) throw apiError("BATCH_TOO_LARGE");
    const agency = agencyPrincipal.agency;
    return idempotent(
      agency,
      context,
      "batch",
      items,
      (remember) =>
        track(
          agency,
          (async () => {
            const results: BatchItemResult[] = new Array(items.length);
            const planned: Planned[] = [];
            const plannedIndex: number[] = [];
            for (let index = 0; index < items.length; index++) {
              try {
                planned.push(await plan(agencyPrincipal, items[index], context));
                plannedIndex.push(index);
              } catch (error) {
                if (!isCertchainError(error)) throw error;
                results[index] = { index, ok: false, error: errorOf(error) };
              }
            }
            // Signatures in the worker pool, in input order: serials were handed out above.
            const issued = await signAll(planned);
            const prepared = planned.map((p, k) => sealed(p, issued[k]));
            prepared.forEach((p, k) => (results[plannedIndex[k]] = { index: plannedIndex[k], ok: true, certificate: p.record }));
            const stored = results.map((r): StoredItemResult => (r.ok ? { index: r.index, ok: true, id: r.certificate.id } : r));
            await commit(agency, prepared, remember(stored));
            return results;
          })(),
        ),
      async (stored) => {
        const records = await certificates.getMany(stored.flatMap((r) => (r.ok ? [r.id] : [])));
        let next = 0;
        return stored.map((r): BatchItemResult => (r.ok ? { index: r.index, ok: true, certificate: records[next++]! } : r));
      },
    );
  }

  /** Whether the chain holds the record's root for its agency at the recorded time (one read, with a deadline). */
  async function chainHolds(record: CertificateRecord): Promise<boolean> {
    const anchor = record.envelope.anchor;
    if (anchor.status !== "anchored") return false;
    try {
      const onChain = await withDeadline(registry.anchorOf(anchor.root), timeoutMs);
      return onChain !== undefined && onChain.agencyId.toLowerCase() === agencyIdOf(record.agency).toLowerCase() && onChain.anchoredAt === Math.floor(Date.parse(anchor.anchoredAt) / 1000);
    } catch {
      return false;
    }
  }

  // Started last: nothing above can fail and leave its threads behind. Stopped with the service.
  const signing = createSigningPool({
    size: options.signingWorkers ?? 0,
    faults: options.faults?.signingWorkerCrashOnRequest !== undefined ? { crashOnRequest: options.faults.signingWorkerCrashOnRequest } : undefined,
  });

  const service: LocalIssuingService = {
    batcher,
    signing,
    flush: (agency) => batcher.flush(agency),
    recordedAnchors: (agencies) => batches.latestAnchored(agencies),
    async primeAccreditations(agency) {
      await Promise.all([...catalogue.list().map((entry) => accreditations.isAccredited(agency, entry.type)), creditCodes.codeOf(agency)]);
    },

    async issue(principal, request, context) {
      const agencyPrincipal = requireAgency(principal);
      const agency = agencyPrincipal.agency;
      return idempotent(
        agency,
        context,
        "single",
        request,
        (remember) =>
          track(
            agency,
            (async () => {
              const p = await prepare(agencyPrincipal, request, context);
              await commit(agency, [p], remember([{ index: 0, ok: true, id: p.record.id }]));
              return p.record;
            })(),
          ),
        async ([first]) => load((first as { id: string }).id),
      );
    },

    issueBatch,

    async get(principal, id) {
      const record = await load(id);
      if (principal?.kind !== "root" && (principal?.kind !== "agency" || principal.agency !== record.agency)) throw apiError("FORBIDDEN_AGENCY");
      if (gate.status().phase === "mismatch" && record.envelope.anchor.status === "anchored" && !(await chainHolds(record))) {
        // The stored envelope says "anchored" but this chain lacks the root: do not hand out a claim the chain denies.
        throw apiError("CHAIN_STATE_MISMATCH", undefined, { root: record.envelope.anchor.root });
      }
      return record;
    },

    async changeStatus(principal, id, action, reason, context) {
      const agencyPrincipal = requireAgency(principal);
      if (!Object.hasOwn(STATE_AFTER, action)) throw apiError("BAD_REQUEST", "Unknown status action.");
      if (!Number.isInteger(reason) || reason < 0 || reason > 65_535) throw apiError("VALIDATION_FAILED", "reason must be an integer from 0 to 65535.", [{ path: "/reason", message: "out of range" }]);
      return certificateLock(id, async () => {
        const record = await load(id);
        if (record.agency !== agencyPrincipal.agency) throw apiError("FORBIDDEN_AGENCY");
        const anchor = record.envelope.anchor;
        if (record.status === "pending" || anchor.status !== "anchored") throw apiError("CERT_NOT_ANCHORED");
        if (!transitionAllowed(record.status, action)) throw apiError("STATUS_TRANSITION_INVALID", undefined, { status: record.status, action });
        await gate.ready();
        const operator = createOperatorClient(chain.registryAddress, operatorFor(record.agency)!);
        try {
          await chainLock(record.agency, () => operator.changeStatus(action, [{ leaf: record.leaf, root: anchor.root, proof: anchor.proof, statusIndex: record.statusIndex }], reason));
        } catch (error) {
          const revert = revertNameOf(error);
          if (revert === undefined) throw chainFailure(error);
          // The chain may already be where we want it (a crash after the transaction, before our write).
          const [onChain] = await reader.statuses(agencyIdOf(record.agency), [record.leaf]).catch(() => [undefined]);
          if (onChain === undefined || ownValue(CHAIN_STATE, onChain.state) !== STATE_AFTER[action]) {
            throw apiError("STATUS_TRANSITION_INVALID", undefined, { status: record.status, action, revert });
          }
        }
        // The published list follows the chain on its own; this only makes it look now.
        void statusLists.kick();
        const updated: CertificateRecord = { ...record, status: STATE_AFTER[action], statusReason: reason };
        await audit.append(
          [{ at: new Date(now()).toISOString(), actor: principal.subject, requestId: context.requestId, action: `certificate.${action}`, subject: id, data: { agency: record.agency, reason, leaf: record.leaf } }],
          certificates.updateOps(updated),
        );
        return updated;
      });
    },

    awaitAnchors: (ids, timeoutMs) => awaitAnchors(batcher, certificates, ids, timeoutMs),

    async proofOf(leaf) {
      const record = typeof leaf === "string" && /^(0x)?[0-9a-fA-F]{64}$/.test(leaf) ? await certificates.getByLeaf(leaf) : undefined;
      if (record === undefined) return undefined;
      const anchor = record.envelope.anchor;
      if (anchor.status !== "anchored") return { status: "pending" };
      const { root, proof, registry, registryId, chainId, anchoredAt, transaction, block } = anchor;
      return { status: "anchored", proof: { root, proof, registry, ...(registryId ? { registryId } : {}), chainId, anchoredAt, transaction, block } };
    },

    async verify(given, shares) {
      // Not while the chain is down, being rebuilt or not ours: a half-replayed chain would call good certificates invalid.
      await gate.ready();
      const options = {
        registries: [reader],
        minConfirmations: confirmations,
        // Share links: only this service's own, read from its store (the route passes it).
        shareServices: shares ? [shares.origin] : [],
        readShare: shares?.read,
        // Belt and braces: the service fetches no URL it is handed (no proof services either).
        fetch: async () => Promise.reject(new Error("the service fetches no URL")),
        // The types this service knows come along as documents; the SDK still uses one only if the registry holds its hash.
        types: { bundle: catalogue.versions().filter((entry) => !entry.builtIn).map((entry) => entry.type.metadataText) },
      };
      // Verification reads the chain through the SDK; its deadline is ours.
      const check = (envelope: unknown) => withDeadline(sdkVerify(envelope, options), timeoutMs + 1_000);
      // Read once: the store lookup and the checks see the same plain copy.
      const input = snapshotOrUnreadable(given);
      // A pending envelope of ours is resolved from our own store: no HTTP to ourselves.
      const anchored = await anchoredFromStore(input).catch(() => undefined);
      const result = await check(anchored ?? input);
      if (result.reason?.code === "CHAIN_UNREACHABLE") throw apiError("CHAIN_UNAVAILABLE");
      if (anchored === undefined) return result;
      return result.checks.some((c) => c.name === "anchor" && c.status === "passed") ? { ...result, envelope: anchored } : result;
    },

    publicUrl,
    issuerMetadata: (agency) => issuerMetadata.metadataOf(agency),
    statusListToken: (agency, list) => statusLists.token(agency, list),
    types: () => catalogue.list().map(typeViewOf),
    typeVersions: () => catalogue.versions().map(typeViewOf),

    async registerType(principal, request, context) {
      requireRoot(principal);
      const { entry, created } = await catalogue.register(request);
      if (created) {
        await audit.append([
          { at: new Date(now()).toISOString(), actor: principal.subject, requestId: context.requestId, action: "type.register", subject: entry.type.vct, data: { id: entry.type.id, typeCode: entry.type.typeCode, metadataHash: entry.type.metadataHash } },
        ]);
      }
      return { type: typeViewOf(entry), created };
    },

    typeDocument: (id, version) => catalogue.documentOf(id, version),

    async accredit(principal, agency, request, context) {
      requireRoot(principal);
      const entry = catalogue.byId(request.type) ?? catalogue.byVct(request.type);
      if (!entry) throw apiError("CERT_TYPE_UNKNOWN", undefined, { type: request.type });
      const validFrom = parseTime(request.validFrom, "validFrom") ?? 0;
      const validUntil = parseTime(request.validUntil, "validUntil") ?? 0;
      if (validUntil !== 0 && validFrom >= validUntil) throw apiError("VALIDITY_INVALID");
      const admin = rootAdmin();
      let registered;
      try {
        await gate.ready();
        registered = (await withDeadline(registry.agency(agency), timeoutMs)).registered;
      } catch (error) {
        throw chainFailure(error);
      }
      if (!registered) throw apiError("AGENCY_NOT_FOUND");
      try {
        await chainLock(ROOT_WRITES, () => admin.setAccreditation(agency, entry.type.vct, validFrom, validUntil));
      } catch (error) {
        throw chainFailure(error);
      }
      accreditations.forget(agency, entry.type);
      await audit.append([
        { at: new Date(now()).toISOString(), actor: principal.subject, requestId: context.requestId, action: "agency.accredit", subject: agency, data: { type: entry.type.id, vct: entry.type.vct, validFrom, validUntil } },
      ]);
      return {
        agency,
        type: entry.type.id,
        vct: entry.type.vct,
        typeId: typeIdOf(entry.type.vct),
        validFrom: new Date(validFrom * 1000).toISOString(),
        validUntil: validUntil === 0 ? null : new Date(validUntil * 1000).toISOString(),
      };
    },

    async mintAgencyToken(principal, agency, request, context) {
      requireRoot(principal);
      if (operatorFor(agency) === undefined) throw apiError("AGENCY_NOT_FOUND", "This node does not serve that agency.");
      const subject = request.subject ?? `${agency}-system`;
      const minted = await tokens.mint({ kind: "agency", agency, subject }, request.expiresInSeconds ?? 30 * 24 * 3600);
      const record: TokenRecord = { id: minted.id, kind: "agency", agency, subject, expiresAt: minted.expiresAt.toISOString(), createdAt: new Date(now()).toISOString() };
      await tokenRegistry.remember(record);
      await audit.append([{ at: record.createdAt, actor: principal.subject, requestId: context.requestId, action: "token.mint", subject: agency, data: { tokenId: record.id, subject, expiresAt: record.expiresAt } }]);
      return { ...tokenViewOf(record), token: minted.token };
    },

    async revokeAgencyToken(principal, agency, tokenId, context) {
      requireRoot(principal);
      const record = typeof tokenId === "string" && tokenId.length <= 64 ? await tokenRegistry.get(tokenId) : undefined;
      if (!record || record.agency !== agency) throw apiError("TOKEN_NOT_FOUND");
      const revoked = await tokenRegistry.revoke(record, new Date(now()));
      await audit.append([{ at: revoked.revokedAt!, actor: principal.subject, requestId: context.requestId, action: "token.revoke", subject: agency, data: { tokenId } }]);
      return tokenViewOf(revoked);
    },

    async agencies(): Promise<AgencyView[]> {
      const byTypeId = new Map(catalogue.versions().map((e) => [typeIdOf(e.type.vct).toLowerCase(), e.type]));
      let agencies;
      try {
        await gate.ready();
        agencies = await withDeadline(reader.agencies(), timeoutMs + 1_000);
      } catch (error) {
        throw chainFailure(error);
      }
      return agencies.map((a) => ({
        id: a.id,
        slug: a.slug,
        name: a.name,
        creditCode: a.creditCode,
        keyIds: a.keyIds,
        types: a.typeIds.map((typeId) => {
          const type = byTypeId.get(typeId.toLowerCase());
          return { id: type?.id ?? null, vct: type?.vct ?? null, typeId };
        }),
      }));
    },

    async audit(principal, opts = {}) {
      requireRoot(principal);
      const [entries, check, head] = await Promise.all([audit.list(opts), audit.verify(), audit.head()]);
      return { entries, intact: check.intact, head: head.hash };
    },

    async rotateKey(principal, agency, context) {
      requireRoot(principal);
      if (typeof agency !== "string" || operatorFor(agency) === undefined) throw apiError("AGENCY_NOT_FOUND");
      let replaced;
      try {
        await gate.ready();
        replaced = await chainLock(ROOT_WRITES, () => keys.replaceSigningKey(agency));
      } catch (error) {
        throw chainFailure(error);
      }
      // Every certificate signed with an old key must be anchored before that key is retired,
      // or its anchor time would fall after the key's end and it would never verify.
      await Promise.allSettled([...(inFlight.get(agency) ?? [])]);
      await batcher.flush(agency);
      let validUntil: number;
      try {
        const latest = await chain.provider.getBlock("latest");
        validUntil = latest!.timestamp + 1;
        await chainLock(ROOT_WRITES, () => keys.retire(agency, replaced.previous, validUntil));
      } catch {
        // The new key is in use; retiring the old ones can be done by rotating again.
        throw apiError("CHAIN_UNAVAILABLE", "The new key is registered and in use, but the old ones could not be retired now; rotate again later.");
      }
      issuerMetadata.forget(agency);
      await audit.append([
        { at: new Date(now()).toISOString(), actor: principal.subject, requestId: context.requestId, action: "key.rotate", subject: agency, data: { keyId: replaced.signer.keyId, retired: replaced.previous, validUntil } },
      ]);
      return { keyId: replaced.signer.keyId, retired: replaced.previous };
    },

    async registerAgency(principal, request, context) {
      requireRoot(principal);
      checkAgencyRequest(request);
      const unknown = request.types.filter((id) => !catalogue.byId(id));
      if (unknown.length > 0) throw apiError("CERT_TYPE_UNKNOWN", `No such certificate type: ${unknown.join(", ")}.`);
      const admin = createRegistryAdmin(chain.registryAddress, chain.rootAuthority);
      // One registration at a time: two requests for one slug would both find it free, and the
      // second transaction's revert used to come back as 503 instead of 409.
      await chainLock(ROOT_WRITES, async () => {
        let existing;
        let holder;
        try {
          await gate.ready();
          existing = await registry.agency(request.slug);
          if (!existing.registered) holder = await registry.agencyOfCreditCode(request.creditCode);
        } catch (error) {
          throw chainFailure(error);
        }
        if (existing.registered) throw apiError("AGENCY_EXISTS");
        if (holder !== undefined) throw apiError("CREDIT_CODE_TAKEN", undefined, { agencyId: holder });
        try {
          await admin.registerAgency(request.slug, request.name, request.creditCode);
          for (const id of request.types) await admin.setAccreditation(request.slug, catalogue.byId(id)!.type.vct);
        } catch (error) {
          // Another service on the same registry may have registered the slug or code in between.
          const revert = revertNameOf(error);
          if (revert === "CertchainAgencyAlreadyRegistered") throw apiError("AGENCY_EXISTS");
          if (revert === "CertchainCreditCodeTaken") throw apiError("CREDIT_CODE_TAKEN");
          throw chainFailure(error);
        }
      });
      await audit.append([
        { at: new Date(now()).toISOString(), actor: principal.subject, requestId: context.requestId, action: "agency.register", subject: request.slug, data: { name: request.name, creditCode: request.creditCode, types: request.types } },
      ]);
      const view = (await service.agencies()).find((agency) => agency.slug === request.slug);
      if (!view) throw apiError("CHAIN_UNAVAILABLE");
      return view;
    },

    async readiness(): Promise<Readiness> {
      const status = gate.status();
      const chainState: Readiness["chain"] = {
        phase: status.phase,
        since: status.since,
        reachable: status.phase === "ready",
        chainId: chain.chainId,
        ...(status.blockNumber !== undefined ? { blockNumber: status.blockNumber } : {}),
        ...(status.detail ? { detail: status.detail } : {}),
        ...(status.progress ? { progress: status.progress } : {}),
      };
      if (status.phase === "ready") {
        try {
          chainState.blockNumber = await withDeadline(chain.provider.getBlockNumber(), Math.min(timeoutMs, 3_000));
        } catch (error) {
          // The monitor has not noticed yet; report what this probe saw.
          chainState.phase = "unreachable";
          chainState.reachable = false;
          chainState.error = isCertchainError(error) ? "no answer in time" : error instanceof Error ? error.message.slice(0, 200) : "unreachable";
        }
      }
      const stats = batcher.stats();
      const maxDelayMs = options.batch?.maxDelayMs ?? 2_000;
      // Stuck: work waiting much longer than a batch should take, while attempts keep failing.
      const stuck = stats.oldestPendingAgeMs !== null && stats.oldestPendingAgeMs > maxDelayMs + 60_000 && stats.failingSinceMs !== null;
      const code = status.phase === "mismatch" ? "CHAIN_STATE_MISMATCH" : !chainState.reachable ? "CHAIN_UNAVAILABLE" : stuck ? "ANCHORING_STUCK" : undefined;
      return {
        ready: code === undefined,
        ...(code ? { code } : {}),
        chain: chainState,
        anchoring: { backlog: stats.backlog, oldestPendingAgeMs: stats.oldestPendingAgeMs, lastAnchorAt: stats.lastAnchorAt, stuck, ...(stats.lastError ? { lastError: stats.lastError } : {}) },
      };
    },

    authenticate: (token) => tokens.authenticate(token),
    async issueToken(principal, expiresInSeconds) {
      const minted = await tokens.mint(principal, expiresInSeconds);
      const agency = principal.kind === "agency" ? (principal as { agency: string }).agency : undefined;
      await tokenRegistry.remember({ id: minted.id, kind: principal.kind, ...(agency ? { agency } : {}), subject: principal.subject, expiresAt: minted.expiresAt.toISOString(), createdAt: new Date(now()).toISOString() });
      return minted.token;
    },
    async close() {
      statusLists.stop();
      await batcher.stop();
      await signing.close();
    },
  };
  return service;
}
