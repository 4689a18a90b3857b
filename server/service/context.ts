import { createStatusChanges } from "./status-changes";
import { createStatusSettlement, type StatusSettlement } from "./status-settlement";
import { hkdfSync } from "node:crypto";
import { Wallet, type Provider, type Signer } from "ethers";
import type { Hex } from "@certchain/sdk";
import { createAnchorFollower, type AnchorFollower } from "../anchoring/anchor-follower";
import { createBatcher, type Batcher } from "../anchoring/batcher";
import { createRootAudit, type RootAudit } from "../anchoring/root-audit";
import { createTokenRegistry, type TokenRegistry } from "../auth/token-registry";
import { createTokenAuthority, type TokenAuthority } from "../auth/tokens";
import { openChainGate, type ChainGate } from "../chain/chain-gate";
import { DEFAULT_REORG_WINDOW } from "../chain/chain-identity";
import { receiptOf } from "../chain/receipt";
import { classifyWriteFailure } from "../chain/write-failure";
import { createRegistryAdmin, type RegistryAdmin } from "../chain/registry-admin";
import { createRegistryIdSource, type RegistryIdSource } from "../chain/registry-id";
import { createRegistryReads, type RegistryReads } from "../chain/registry-reads";
import type { KeyStore } from "../keys/key-store";
import { createSigningPool, type SigningPool } from "../keys/signing-pool";
import { silentLogger, type Logger } from "../lib/logger";
import { createKeyedMutex, type KeyedMutex } from "../lib/mutex";
import { createPersonalDataCipher, isDataCipherName, type PersonalDataCipher } from "../lib/personal-data-cipher";
import { createStatusListPublisher, type StatusListPublisher } from "../status-list/publisher";
import { createAgencyStore, type AgencyStore } from "../store/agency-store";
import { createAuditLog, type AuditLog } from "../store/audit-log";
import { createBatchStore, type BatchStore } from "../store/batch-store";
import { createCertificateStore, type CertificateStore } from "../store/certificate-store";
import type { Database } from "../store/database";
import { createIdempotencyStore, type IdempotencyStore } from "../store/idempotency-store";
import { createOfferStore, type OfferStore } from "../store/offer-store";
import { createAccreditationCache, type AccreditationCache } from "./accreditations";
import { createCreditCodeCache, type CreditCodeCache } from "./credit-codes";
import { createHolderCopyStatus, type HolderCopyStatus } from "./holder-copy-status";
import { createIssuerMetadataReader, type IssuerMetadataReader } from "./issuer-metadata";
import type { PresentationOptions } from "./presentations";
import type { Finality } from "../domain/finality";
import { createOperatorFunds, type OperatorFundsTracker } from "./operator-funds";
import { createServedAgencies, type ServedAgencies } from "./served-agencies";
import { createTypeCatalogue, type TypeCatalogue } from "./type-catalogue";

export interface IssuingServiceOptions {
  db: Database;
  chain: {
    provider: Provider;
    registryAddress: Hex;
    chainId: number;
    rootAuthority: Signer;
    /**
     * Agencies served with operator accounts held elsewhere (tools, tests). Every other agency the
     * node serves is in its own store, its operator's key sealed in `keys`.
     */
    operators?: Record<string, Signer>;
    /** A signer for an operator key held here; default a plain ethers Wallet on `provider`. */
    walletFor?: (privateKey: string) => Signer;
    /**
     * Dev chain only: new operator accounts get this much (wei) from the root authority, and
     * one found without funds is topped up. Absent on an external chain: someone funds them.
     */
    fundOperators?: bigint;
    registryName?: string;
    /** Whether the chain may be used now (supervised chains); default: always. */
    gate?: ChainGate;
    /** Deadline of a chain read such as a verification (default 4 s). */
    timeoutMs?: number;
  };
  keys: KeyStore;
  tokenSecret: Uint8Array;
  /** Where the node reports what operators must act on (funds); default: nowhere. */
  logger?: Logger;
  /** How often operator accounts' funds are read (default 15 s). */
  fundsCheckIntervalMs?: number;
  batch?: { maxSize?: number; maxDelayMs?: number; finishSlice?: number };
  /** Worker threads signing batch requests (default 0: the main thread); they start in the background. */
  signingWorkers?: number;
  /** Blocks an anchor needs before proofs are handed out (1 = mined). */
  confirmations?: number;
  /** When an anchor counts (FINALITY); default "confirmations". */
  finality?: Finality;
  /** Blocks behind the head in which reorganisations are followed (REORG_WINDOW); default 64. */
  reorgWindow?: number;
  /** How often the depth of a mined anchor, and the chain's recent anchors, are looked at (default 1 s). */
  anchorPollMs?: number;
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
  /** Consented use (OpenID4VP requests, answers, receipts): how answers are sealed, where webhooks may go. */
  consent: PresentationOptions;
  /** Test hooks only. */
  faults?: { crashAt?: "prepared" | "sent" | "finishing"; signingWorkerCrashOnRequest?: number; registrationCrashAfter?: string };
}

/** Sends `amount` wei from `from` to `account`, once mined (the dev chain's funding of operator accounts). */
export async function fundAccount(from: Signer, account: string, amount: bigint): Promise<void> {
  const tx = await from.sendTransaction({ to: account, value: amount });
  await receiptOf(tx);
}

/** The `chainLock` key of the root authority's registry writes (agency slugs cannot contain "!"). */
export const ROOT_WRITES = "!root";

/**
 * What every part of the issuing service shares (issuance.ts, status-changes.ts, verification.ts,
 * …): the database and its stores, the registry (reads, the root authority's writes, each
 * agency's operator), the chain gate, the keys, what the registry says (cached), the batcher, the
 * signing pool, and the locks that keep one account's transactions in order.
 */
export interface ServiceContext {
  readonly now: () => number;
  /** Where the service is reachable, without a trailing slash (see IssuingServiceOptions.publicUrl). */
  readonly publicUrl: string;
  /** The service pending envelopes name for their proofs: only one that was configured (a default URL may not be reachable). */
  readonly proofService: string | undefined;
  readonly chainId: number;
  readonly registryAddress: Hex;
  readonly provider: Provider;
  readonly confirmations: number;
  /** Blocks under the head in which anchors may still move (REORG_WINDOW). */
  readonly reorgWindow: number;
  /** Deadline of a chain read made for a caller. */
  readonly timeoutMs: number;
  /** The longest a certificate waits for its batch (readiness calls anchoring stuck well after it). */
  readonly batchDelayMs: number;
  readonly db: Database;
  readonly keys: KeyStore;
  readonly logger: Logger;
  /** The agencies this node serves (its store), with their operators. */
  readonly served: ServedAgencies;
  readonly agencyStore: AgencyStore;
  /** Operator accounts' funds, as last read. */
  readonly funds: OperatorFundsTracker;
  /** The root authority's account (for messages naming it). */
  readonly rootAccount: () => Promise<string>;
  /** The root authority as a signer (funding operators on the dev chain). */
  readonly rootSigner: Signer;
  readonly fundOperators: bigint | undefined;
  readonly faults: IssuingServiceOptions["faults"];
  /** Seals each certificate's personal data under a data key of its own (opened once from the key store). */
  readonly personalData: PersonalDataCipher;
  readonly certificates: CertificateStore;
  readonly batches: BatchStore;
  readonly idempotency: IdempotencyStore;
  /** OpenID4VCI credential offers, their codes and tokens (hashed), used c_nonces. */
  readonly offers: OfferStore;
  /** The key c_nonces are MACed with (derived from the token secret: stateless until used). */
  readonly nonceKey: Buffer;
  readonly audit: AuditLog;
  readonly tokenRegistry: TokenRegistry;
  readonly tokens: TokenAuthority;
  readonly gate: ChainGate;
  readonly registry: RegistryReads;
  readonly registryIds: RegistryIdSource;
  /** The root authority's writes (agencies, accreditations, keys, types). Run them under `chainLock(ROOT_WRITES, …)`. */
  rootAdmin(): RegistryAdmin;
  /** The operator account of an agency this node serves (active or suspended); undefined for any other agency. */
  operatorFor(agency: string): Signer | undefined;
  readonly accreditations: AccreditationCache;
  readonly creditCodes: CreditCodeCache;
  readonly issuerMetadata: IssuerMetadataReader;
  readonly catalogue: TypeCatalogue;
  readonly statusLists: StatusListPublisher;
  readonly batcher: Batcher;
  /** Follows the registry's recent anchors: a batch a reorganisation dropped is anchored again. */
  readonly anchorFollower: AnchorFollower;
  /** Every settled anchored root checked against the registry, a page at a time, pass after pass. */
  readonly rootAudit: RootAudit;
  readonly signing: SigningPool;
  /** One account's transactions at a time (one nonce): keyed by agency for operators, ROOT_WRITES for the root authority. */
  readonly chainLock: KeyedMutex;
  /** One change of a certificate's records at a time, by certificate id (status changes, holder copies, erasure). */
  readonly certificateLock: KeyedMutex;
  /** Issuances in progress, per agency: a key rotation waits for them before retiring the old key. */
  readonly inFlight: InFlight;
  /** Keeps holder copies' status on chain in line with their certificates'. */
  readonly holderCopies: HolderCopyStatus;
  /** Settles status changes on chain, sending again those a reorganisation dropped (status-settlement.ts). */
  readonly statusSettlement: StatusSettlement;
  /** Stops publishing status lists, anchoring and the signing workers. */
  close(): Promise<void>;
}

export interface InFlight {
  /** Counts `work` as in progress for `agency` until it settles. */
  track<T>(agency: string, work: Promise<T>): Promise<T>;
  /** Resolves when everything in progress for `agency` now has settled. */
  settled(agency: string): Promise<void>;
}

function createInFlight(): InFlight {
  const byAgency = new Map<string, Set<Promise<unknown>>>();
  return {
    track(agency, work) {
      let set = byAgency.get(agency);
      if (set === undefined) byAgency.set(agency, (set = new Set()));
      set.add(work);
      const remove = () => set!.delete(work);
      work.then(remove, remove);
      return work;
    },
    async settled(agency) {
      await Promise.allSettled([...(byAgency.get(agency) ?? [])]);
    },
  };
}

/**
 * Opens everything the service's parts share, in the order they depend on each other: stores,
 * tokens, registry reads and caches, the type catalogue, the batcher (started: it resumes what a
 * previous run left), the status-list publisher, and last the signing pool's threads.
 */
export async function createServiceContext(options: IssuingServiceOptions): Promise<ServiceContext> {
  const { db, keys, chain } = options;
  const now = options.now ?? Date.now;
  const logger = options.logger ?? silentLogger;
  const agencyStore = createAgencyStore(db);
  const served = await createServedAgencies({
    store: agencyStore,
    keys,
    walletFor: chain.walletFor ?? ((privateKey) => new Wallet(privateKey, chain.provider)),
    external: chain.operators,
  });
  const operatorFor = served.operatorFor;
  const publicUrl = (options.publicUrl ?? "http://127.0.0.1:3000").replace(/\/+$/, "");
  const confirmations = Math.max(1, options.confirmations ?? 1);

  // SEAL_CIPHER chooses for personal data as for keys (AES-256-GCM, or SM4 with HMAC-SM3); every record opens with the cipher it names.
  const personalData = createPersonalDataCipher(await keys.personalDataKey(), isDataCipherName(keys.sealCipher) ? keys.sealCipher : "aes-256-gcm");
  const certificates = createCertificateStore(db, personalData);
  const batches = createBatchStore(db);
  const audit = createAuditLog(db);
  const tokenRegistry = await createTokenRegistry(db);
  const tokens = createTokenAuthority(options.tokenSecret, tokenRegistry.isRevoked);
  const gate = chain.gate ?? openChainGate(chain.chainId);
  const registry = createRegistryReads({ provider: chain.provider, address: chain.registryAddress, chainId: chain.chainId, name: chain.registryName });
  const registryIds = createRegistryIdSource(registry);
  const rootAdmin = () => createRegistryAdmin(chain.registryAddress, chain.rootAuthority);
  const chainLock = createKeyedMutex();
  // Set once the batcher has started (it reports unfunded operators to it).
  let funds: OperatorFundsTracker | undefined;
  // Types are registered by the root authority's account, as keys and agencies are: one at a time.
  const catalogue = await createTypeCatalogue({ db, publicUrl, registry, admin: rootAdmin, rootWrite: (write) => chainLock(ROOT_WRITES, write) });
  await certificates.ensureLeafIndex();
  // Data directories from before encryption at rest: their certificates are sealed before any request.
  await certificates.ensureSealed();
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
    finality: options.finality,
    depthPollMs: options.anchorPollMs,
    now,
    chainReady: () => gate.ready(0),
    durable: (blockNumber) => gate.durable(blockNumber),
    onFailure: (agency, error) => {
      if (classifyWriteFailure(error).kind !== "unfunded") return undefined;
      funds?.reportUnfunded(agency);
      const account = served.get(agency)?.account ?? "(unknown)";
      return `${agency}: OPERATOR_UNFUNDED: the operator account ${account} of agency ${agency} cannot pay for the anchor; send funds to it`;
    },
    crashAt: options.faults?.crashAt,
  });
  await batcher.start();
  const anchorFollower = createAnchorFollower({
    provider: chain.provider,
    registry,
    batches,
    batcher,
    gate,
    logger,
    reorgWindow: Math.max(1, options.reorgWindow ?? DEFAULT_REORG_WINDOW),
    confirmations,
    finality: options.finality,
    intervalMs: options.anchorPollMs,
  });
  anchorFollower.start();
  const rootAudit = createRootAudit({ provider: chain.provider, registry, batches, certificates, gate, logger, reorgWindow: options.reorgWindow, intervalMs: options.anchorPollMs });
  rootAudit.start();
  // Pending envelopes name the registry id from the first one on; a chain that does not answer
  // now only delays it (issuing goes on, the id is read again in the background).
  await Promise.race([registryIds.get().catch(() => undefined), new Promise((resolve) => setTimeout(resolve, 2_000).unref())]);
  void catalogue.resume();

  const statusLists = createStatusListPublisher({
    reader: registry.reader,
    publicUrl,
    agencies: served.list().map((agency) => agency.slug),
    serves: (agency) => operatorFor(agency) !== undefined,
    signerFor: (agency) => keys.activeSigner(agency),
    pollMs: options.statusListPollMs,
  });
  statusLists.start();

  funds = createOperatorFunds({
    provider: chain.provider,
    served,
    logger,
    now,
    intervalMs: options.fundsCheckIntervalMs,
    topUp:
      chain.fundOperators === undefined
        ? undefined
        : (agency, account) => chainLock(ROOT_WRITES, () => fundAccount(chain.rootAuthority, account, chain.fundOperators!)).then(() => logger.info(`funded the operator account ${account} of ${agency} on the dev chain`)),
  });
  funds.start();
  batcher.onBatchAnchored(({ agency }) => funds!.succeeded(agency));

  // Started last: nothing above can fail and leave its threads behind. Stopped with the service.
  const signing = createSigningPool({
    size: options.signingWorkers ?? 0,
    faults: options.faults?.signingWorkerCrashOnRequest !== undefined ? { crashOnRequest: options.faults.signingWorkerCrashOnRequest } : undefined,
  });

  const ctx: ServiceContext = {
    now,
    publicUrl,
    proofService: options.publicUrl?.replace(/\/+$/, "") || undefined,
    chainId: chain.chainId,
    registryAddress: chain.registryAddress,
    provider: chain.provider,
    confirmations,
    reorgWindow: Math.max(1, options.reorgWindow ?? DEFAULT_REORG_WINDOW),
    timeoutMs: chain.timeoutMs ?? 4_000,
    batchDelayMs: options.batch?.maxDelayMs ?? 2_000,
    db,
    keys,
    logger,
    served,
    agencyStore,
    funds: funds!,
    rootAccount: () => chain.rootAuthority.getAddress(),
    rootSigner: chain.rootAuthority,
    fundOperators: chain.fundOperators,
    faults: options.faults,
    personalData,
    certificates,
    batches,
    idempotency: createIdempotencyStore(db),
    offers: createOfferStore(db),
    nonceKey: Buffer.from(hkdfSync("sha256", options.tokenSecret, Buffer.alloc(0), "certchain openid4vci c_nonce", 32)),
    audit,
    tokenRegistry,
    tokens,
    gate,
    registry,
    registryIds,
    rootAdmin,
    operatorFor,
    accreditations: createAccreditationCache(db, registry, now, () => gate.status().phase === "ready"),
    creditCodes: createCreditCodeCache(db, registry),
    issuerMetadata: createIssuerMetadataReader({ registry, publicUrl }),
    catalogue,
    statusLists,
    batcher,
    anchorFollower,
    rootAudit,
    signing,
    chainLock,
    certificateLock: createKeyedMutex(),
    inFlight: createInFlight(),
    holderCopies: undefined as unknown as HolderCopyStatus,
    statusSettlement: undefined as unknown as StatusSettlement,
    async close() {
      await ctx.holderCopies.stop();
      await ctx.statusSettlement.stop();
      funds!.stop();
      statusLists.stop();
      await anchorFollower.stop();
      await rootAudit.stop();
      await batcher.stop();
      await signing.close();
    },
  };
  // Made last: it listens to the batcher and settles what a previous run left.
  (ctx as { holderCopies: HolderCopyStatus }).holderCopies = createHolderCopyStatus(ctx);
  void ctx.holderCopies.settle();
  const statusChanges = createStatusChanges(ctx);
  (ctx as { statusSettlement: StatusSettlement }).statusSettlement = createStatusSettlement({
    provider: chain.provider,
    registry,
    certificates,
    gate,
    logger,
    confirmations,
    finality: options.finality,
    reorgWindow: Math.max(1, options.reorgWindow ?? DEFAULT_REORG_WINDOW),
    resend: statusChanges.resend,
    settled: statusChanges.settled,
    forget: statusChanges.forget,
    intervalMs: options.anchorPollMs,
  });
  ctx.statusSettlement.start();
  return ctx;
}
