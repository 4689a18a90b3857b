import type { Provider, Signer } from "ethers";
import {
  agencyIdOf,
  anchorPendingEnvelope,
  certificateTypes,
  createPendingEnvelope,
  createRegistryReader,
  credentialLeaf,
  creditCodeToBytes18,
  findTypeById,
  formatCertificateNumber,
  isCertchainError,
  issueCredential,
  parseEnvelope,
  typeIdOf,
  validateClaims,
  verify as sdkVerify,
  type CertificateType,
  type Envelope,
  type Hex,
} from "@certchain/sdk";
import { ownValue, snapshotOrUnreadable } from "@certchain/sdk/internal";
import { awaitAnchors } from "../anchoring/await-anchors";
import { createBatcher, type Batcher } from "../anchoring/batcher";
import { createTokenAuthority } from "../auth/tokens";
import { createOperatorClient } from "../chain/operator";
import { createRegistryAdmin } from "../chain/registry-admin";
import { revertNameOf } from "../chain/revert-name";
import { apiError, detailsList } from "../errors";
import type { KeyStore } from "../keys/key-store";
import { createKeyedMutex } from "../lib/mutex";
import { createAuditLog, type NewAuditEntry } from "../store/audit-log";
import { createBatchStore } from "../store/batch-store";
import { createCertificateStore, type PendingEntry } from "../store/certificate-store";
import type { Database, WriteOp } from "../store/database";
import { createIdempotencyStore, requestHashOf, type StoredItemResult } from "../store/idempotency-store";
import { createAccreditationCache } from "./accreditations";
import { checkAgencyRequest } from "./agency-request";
import { createCreditCodeCache } from "./credit-codes";
import { formatSerial, newCertificateId } from "./identifiers";
import type {
  AgencyView,
  BatchItemResult,
  CertificateRecord,
  CertificateState,
  IssueRequest,
  IssuingService,
  Principal,
  Readiness,
  RequestContext,
  StatusAction,
} from "./types";

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
  };
  keys: KeyStore;
  tokenSecret: Uint8Array;
  batch?: { maxSize?: number; maxDelayMs?: number; finishSlice?: number };
  /** Blocks an anchor needs before proofs are handed out (1 = mined). */
  confirmations?: number;
  /**
   * This service's public base URL, named in pending envelopes so holders and verifiers know
   * where to ask for the proof (GET <publicUrl>/v1/proofs/<leaf>). Without it envelopes name none.
   */
  publicUrl?: string;
  now?: () => number;
  /** Test hooks only. */
  faults?: { crashAt?: "prepared" | "sent" | "finishing" };
}

export type LocalIssuingService = IssuingService & {
  /** Anchors everything pending now (all agencies, or one); resolves once anchored. */
  flush(agency?: string): Promise<void>;
  /** Reads the agency's accreditations into the cache (kept on disk), so issuing survives a later chain outage. */
  primeAccreditations(agency: string): Promise<void>;
  readonly batcher: Batcher;
};

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

const errorOf = (error: unknown): { code: string; message: string; details?: unknown } =>
  isCertchainError(error) ? { code: error.code, message: error.message, ...(error.details !== undefined ? { details: detailsList(error.details) } : {}) } : { code: "INTERNAL", message: "Internal error." };

/**
 * The issuing node: validate → sign → persist (synced) → hand to the batcher. Every refusal is
 * decided before anything is written.
 */
export async function createIssuingService(options: IssuingServiceOptions): Promise<LocalIssuingService> {
  const { db, keys, chain } = options;
  const now = options.now ?? Date.now;
  const publicUrl = options.publicUrl?.replace(/\/+$/, "") || undefined;
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
  const tokens = createTokenAuthority(options.tokenSecret);
  const accreditations = createAccreditationCache(db, chain.provider, chain.registryAddress, now);
  const creditCodes = createCreditCodeCache(db, chain.provider, chain.registryAddress);
  const reader = createRegistryReader({ chainId: chain.chainId, address: chain.registryAddress, provider: chain.provider, name: chain.registryName });
  const chainLock = createKeyedMutex();
  const requestLock = createKeyedMutex();
  const certificateLock = createKeyedMutex();
  await certificates.ensureLeafIndex();
  const batcher = createBatcher({
    db,
    certificates,
    batches,
    audit,
    provider: chain.provider,
    registryAddress: chain.registryAddress,
    chainId: chain.chainId,
    operatorSignerFor: operatorFor,
    chainLock,
    maxSize: options.batch?.maxSize,
    maxDelayMs: options.batch?.maxDelayMs,
    finishSlice: options.batch?.finishSlice,
    confirmations,
    now,
    crashAt: options.faults?.crashAt,
  });
  await batcher.start();

  // Serials are handed out synchronously from memory and persisted with the certificates that
  // use them; a crash can only lose serials of certificates that were never acknowledged.
  const serialCounters = new Map<string, Promise<{ value: number }>>();
  const counterOf = (agency: string) => {
    let counter = serialCounters.get(agency);
    if (counter === undefined) serialCounters.set(agency, (counter = serials.get(agency).then((v) => ({ value: v ?? 0 }))));
    return counter;
  };

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

  async function checkAllowed(principal: Extract<Principal, { kind: "agency" }>, request: IssueRequest): Promise<CertificateType> {
    if (typeof request !== "object" || request === null) throw apiError("BAD_REQUEST", "Each item must be an object.");
    const type = findTypeById(request.type);
    if (type === undefined) throw apiError("CERT_TYPE_UNKNOWN", undefined, { type: request.type });
    if (!principal.types.includes(type.id) || !(await accreditations.isAccredited(principal.agency, type))) {
      throw apiError("CERT_TYPE_NOT_ACCREDITED", undefined, { type: type.id });
    }
    const claims = validateClaims(type, request.claims);
    if (!claims.ok) throw apiError("CLAIMS_INVALID", undefined, claims.errors);
    return type;
  }

  async function prepare(principal: Extract<Principal, { kind: "agency" }>, request: IssueRequest, context: RequestContext): Promise<Prepared> {
    const type = await checkAllowed(principal, request);
    const validFrom = parseTime(request.validFrom, "validFrom");
    const validUntil = parseTime(request.validUntil, "validUntil");
    if (validFrom !== undefined && validUntil !== undefined && validFrom >= validUntil) throw apiError("VALIDITY_INVALID");
    const agency = principal.agency;
    const signer = keys.activeSigner(agency) ?? (await ensureKey(agency));
    // The registry's code, as verifiers will compare it with the number's issuer segment.
    const issuerCode = await creditCodes.codeOf(agency);
    const counter = await counterOf(agency);
    const serial = (counter.value += 1);
    const certificateNumber = formatCertificateNumber({
      typeCode: type.typeCode,
      issuerCode,
      serial: formatSerial(serial),
      version: 1,
    });
    const at = now();
    const credential = await issueCredential({
      vct: type.vct,
      issuer: agency,
      certificateNumber,
      claims: request.claims,
      issuedAt: Math.floor(at / 1000),
      validFrom,
      validUntil,
      signer,
    });
    const leaf = credentialLeaf(credential);
    const id = newCertificateId(at);
    const createdAt = new Date(at).toISOString();
    return {
      record: { id, agency, type: type.id, status: "pending", envelope: createPendingEnvelope(credential, chain.chainId, chain.registryAddress, publicUrl), leaf, createdAt },
      pending: { id, agency, leaf, at },
      audit: { at: createdAt, actor: principal.subject, requestId: context.requestId, action: "certificate.issue", subject: id, data: { agency, type: type.id, certificateNumber, leaf, keyId: signer.keyId } },
    };
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
    await audit.append(
      prepared.map((p) => p.audit),
      () => [...prepared.flatMap((p) => certificates.insertOps(p.record, p.pending.at)), { type: "put", sublevel: serials, key: agency, value: counter.value }, ...extra],
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
            const results: BatchItemResult[] = [];
            const prepared: Prepared[] = [];
            for (let index = 0; index < items.length; index++) {
              try {
                const p = await prepare(agencyPrincipal, items[index], context);
                prepared.push(p);
                results.push({ index, ok: true, certificate: p.record });
              } catch (error) {
                if (!isCertchainError(error)) throw error;
                results.push({ index, ok: false, error: errorOf(error) });
              }
            }
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

  const service: LocalIssuingService = {
    batcher,
    flush: (agency) => batcher.flush(agency),
    async primeAccreditations(agency) {
      await Promise.all([...certificateTypes.map((type) => accreditations.isAccredited(agency, type)), creditCodes.codeOf(agency)]);
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
      if (principal?.kind === "root") return record;
      if (principal?.kind !== "agency" || principal.agency !== record.agency) throw apiError("FORBIDDEN_AGENCY");
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
        const operator = createOperatorClient(chain.registryAddress, operatorFor(record.agency)!);
        try {
          await chainLock(record.agency, () => operator.changeStatus(action, [{ leaf: record.leaf, root: anchor.root, proof: anchor.proof }], reason));
        } catch (error) {
          const revert = revertNameOf(error);
          if (revert === undefined) throw apiError("CHAIN_UNAVAILABLE");
          // The chain may already be where we want it (a crash after the transaction, before our write).
          const [onChain] = await reader.statuses(agencyIdOf(record.agency), [record.leaf]).catch(() => [undefined]);
          if (onChain === undefined || ownValue(CHAIN_STATE, onChain.state) !== STATE_AFTER[action]) {
            throw apiError("STATUS_TRANSITION_INVALID", undefined, { status: record.status, action, revert });
          }
        }
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
      const { root, proof, registry, chainId, anchoredAt, transaction, block } = anchor;
      return { status: "anchored", proof: { root, proof, registry, chainId, anchoredAt, transaction, block } };
    },

    async verify(given, shares) {
      const options = {
        registries: [reader],
        minConfirmations: confirmations,
        // Share links: only this service's own, read from its store (the route passes it).
        shareServices: shares ? [shares.origin] : [],
        readShare: shares?.read,
        // Belt and braces: the service fetches no URL it is handed (no proof services either).
        fetch: async () => Promise.reject(new Error("the service fetches no URL")),
      };
      // Read once: the store lookup and the checks see the same plain copy.
      const input = snapshotOrUnreadable(given);
      // A pending envelope of ours is resolved from our own store: no HTTP to ourselves.
      const anchored = await anchoredFromStore(input).catch(() => undefined);
      if (anchored === undefined) return sdkVerify(input, options);
      const result = await sdkVerify(anchored, options);
      return result.checks.some((c) => c.name === "anchor" && c.status === "passed") ? { ...result, envelope: anchored } : result;
    },

    types: () => certificateTypes,

    async agencies(): Promise<AgencyView[]> {
      const byTypeId = new Map(certificateTypes.map((t) => [typeIdOf(t.vct).toLowerCase(), t]));
      let agencies;
      try {
        agencies = await reader.agencies();
      } catch {
        throw apiError("CHAIN_UNAVAILABLE");
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
        replaced = await chainLock(ROOT_WRITES, () => keys.replaceSigningKey(agency));
      } catch {
        throw apiError("CHAIN_UNAVAILABLE");
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
      await audit.append([
        { at: new Date(now()).toISOString(), actor: principal.subject, requestId: context.requestId, action: "key.rotate", subject: agency, data: { keyId: replaced.signer.keyId, retired: replaced.previous, validUntil } },
      ]);
      return { keyId: replaced.signer.keyId, retired: replaced.previous };
    },

    async registerAgency(principal, request, context) {
      requireRoot(principal);
      checkAgencyRequest(request);
      const unknown = request.types.filter((id) => !findTypeById(id));
      if (unknown.length > 0) throw apiError("CERT_TYPE_UNKNOWN", `No such certificate type: ${unknown.join(", ")}.`);
      const admin = createRegistryAdmin(chain.registryAddress, chain.rootAuthority);
      // One registration at a time: two requests for one slug would both find it free, and the
      // second transaction's revert used to come back as 503 instead of 409.
      await chainLock(ROOT_WRITES, async () => {
        let existing;
        try {
          existing = await admin.contract.agency(agencyIdOf(request.slug));
        } catch {
          throw apiError("CHAIN_UNAVAILABLE");
        }
        if (existing.registered) throw apiError("AGENCY_EXISTS");
        let holder;
        try {
          holder = await admin.contract.agencyOfCreditCode(creditCodeToBytes18(request.creditCode));
        } catch {
          throw apiError("CHAIN_UNAVAILABLE");
        }
        if (BigInt(holder) !== 0n) throw apiError("CREDIT_CODE_TAKEN", undefined, { agencyId: holder });
        try {
          await admin.registerAgency(request.slug, request.name, request.creditCode);
          for (const id of request.types) await admin.setAccreditation(request.slug, findTypeById(id)!.vct);
        } catch (error) {
          // Another service on the same registry may have registered the slug or code in between.
          const revert = revertNameOf(error);
          if (revert === "CertchainAgencyAlreadyRegistered") throw apiError("AGENCY_EXISTS");
          if (revert === "CertchainCreditCodeTaken") throw apiError("CREDIT_CODE_TAKEN");
          throw apiError("CHAIN_UNAVAILABLE");
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
      const chainState: Readiness["chain"] = { reachable: false, chainId: chain.chainId };
      try {
        const blockNumber = await Promise.race([
          chain.provider.getBlockNumber(),
          new Promise<never>((_, reject) => setTimeout(() => reject(new Error("timeout")), 3_000).unref()),
        ]);
        Object.assign(chainState, { reachable: true, blockNumber });
      } catch (error) {
        chainState.error = error instanceof Error ? error.message.slice(0, 200) : "unreachable";
      }
      const stats = batcher.stats();
      const maxDelayMs = options.batch?.maxDelayMs ?? 2_000;
      // Stuck: work waiting much longer than a batch should take, while attempts keep failing.
      const stuck = stats.oldestPendingAgeMs !== null && stats.oldestPendingAgeMs > maxDelayMs + 60_000 && stats.failingSinceMs !== null;
      return {
        ready: chainState.reachable && !stuck,
        chain: chainState,
        anchoring: { backlog: stats.backlog, oldestPendingAgeMs: stats.oldestPendingAgeMs, lastAnchorAt: stats.lastAnchorAt, stuck, ...(stats.lastError ? { lastError: stats.lastError } : {}) },
      };
    },

    authenticate: (token) => tokens.authenticate(token),
    issueToken: (principal, expiresInSeconds) => tokens.issue(principal, expiresInSeconds),
    close: () => batcher.stop(),
  };
  return service;
}
