import { creditCodeFromBytes18 } from "../certificate-number/credit-code";
import { CertchainError, isCertchainError } from "../errors";
import { fromHex, type Hex } from "../lib/bytes";
import { deadline, DeadlineExceeded, untilAborted } from "../lib/deadline";
import { CERTCHAIN_REGISTRY_ABI } from "./abi";
import { abiEventTopic, abiFunction, decodeResult, encodeCall } from "./abi-codec";
import { httpTransport, JsonRpcError, providerTransport, type JsonRpcTransport, type RegistryProvider } from "./json-rpc";
import {
  CERTIFICATE_STATES,
  type AgencyRecord,
  type CertificateTypeRecord,
  type StatusRecord,
  type VerificationContextRecord,
} from "./types";

/**
 * A registry a verifier trusts: which chain, which contract, which deployment, and how to read
 * it. With several regions on chains that share a chain id (every Hardhat or Besu dev chain is
 * 31337 or 1337) and the same address, `id` and `genesisHash` are what tell them apart.
 */
export interface TrustedRegistry {
  chainId: number;
  address: Hex;
  /**
   * The registry's id (its contract's `registryId()`, fixed at deployment). Envelopes name it;
   * a certificate is matched to the entry with its id, and the reader refuses a contract whose
   * id differs (REGISTRY_ID_MISMATCH). Optional for registries deployed before ids existed.
   */
  id?: Hex;
  /** Shown in results ("vouched for by …"): the region or authority, e.g. "上海市". */
  name?: string;
  /** A connection the caller already has (an ethers `Provider`, an EIP-1193 provider). */
  provider?: RegistryProvider;
  /** A JSON-RPC endpoint. */
  rpcUrl?: string;
  /** Several endpoints of the same chain, tried in order when one fails or does not answer. */
  rpcUrls?: readonly string[];
  /** The chain's genesis block hash: a node of another chain with the same chain id is refused (REGISTRY_CHAIN_MISMATCH). */
  genesisHash?: Hex;
  /** The deadline of each read from this registry, in ms. Default: the call's `registryTimeoutMs`, else 5,000. */
  timeoutMs?: number;
}

/** One (root, key, type) triple whose on-chain context `RegistryReader.verificationContexts` reads. */
export interface VerificationQuery {
  root: Hex;
  keyId: Hex;
  typeId: Hex;
}

/** A transaction an envelope names as the one that anchored `root`. */
export interface AnchorTransactionQuery {
  root: Hex;
  transaction: Hex;
}

/** Per-read options of a {@link RegistryReader}: a caller's signal and the deadline. */
export interface RegistryReadOptions {
  /** Abandons the read (it rejects with the signal's reason). */
  signal?: AbortSignal;
  /** The deadline for registries without their own `timeoutMs`. Default 5,000 ms. */
  timeoutMs?: number;
}

/** What a node and contract were found to be: checked against the trust entry before any read. */
export interface RegistryIdentity {
  chainId: number;
  /** Block 0's hash; read only when the trust entry pins one. */
  genesisHash?: Hex;
  /** The contract's `registryId()`; null for a registry deployed before ids existed. */
  registryId: Hex | null;
}

/** The state of one endpoint, as `RegistryReader.probe` found it. */
export interface EndpointProbe {
  endpoint: string;
  ok: boolean;
  blockNumber?: number;
  /** Why not: CHAIN_UNREACHABLE, REGISTRY_CHAIN_MISMATCH or REGISTRY_ID_MISMATCH. */
  error?: { code: string; message: string };
}

/** A registry's readiness: every endpoint checked afresh (chain id, genesis, registry id, head). */
export interface RegistryProbe {
  ok: boolean;
  registryId: Hex | null;
  endpoints: EndpointProbe[];
}

/** Reads one trusted registry; {@link createRegistryReader} makes one, or pass your own to `verify`. */
export interface RegistryReader {
  readonly chainId: number;
  readonly address: Hex;
  readonly name: string;
  /** The trust entry's registry id, if it names one. */
  readonly id?: Hex;
  /** The deadline of each read, when the trust entry sets one. */
  readonly timeoutMs?: number;
  /** Checks that the node serves `chainId` (and the pinned genesis) and that the contract's registry id is the trusted one. */
  assertChain(options?: RegistryReadOptions): Promise<unknown>;
  /** As `assertChain`, returning what was found (cached once checked). */
  identify?(options?: RegistryReadOptions): Promise<RegistryIdentity>;
  /** The chain's latest block number (for confirmations). */
  blockNumber(options?: RegistryReadOptions): Promise<number>;
  /** The registry's context of each (root, key, type) triple, in order. */
  verificationContexts(queries: readonly VerificationQuery[], options?: RegistryReadOptions): Promise<VerificationContextRecord[]>;
  /** Statuses as recorded by `agencyId`, the agency that anchored the certificates. */
  statuses(agencyId: Hex, leaves: readonly Hex[], options?: RegistryReadOptions): Promise<StatusRecord[]>;
  /** Every agency on the registry with its key and type ids. */
  agencies(options?: RegistryReadOptions): Promise<(AgencyRecord & { keyIds: Hex[]; typeIds: Hex[] })[]>;
  /**
   * One agency by id, in one call (`registered` false when there is none). Optional: without it,
   * `verifyPresentationRequest` reads `agencies()`.
   */
  agency?(agencyId: Hex, options?: RegistryReadOptions): Promise<AgencyRecord>;
  /**
   * The registered certificate types (format v2 registries), in order. Optional: a reader
   * without it vouches for no type metadata, so `verify` checks no claims of unbundled types.
   */
  typeRecords?(typeIds: readonly Hex[], options?: RegistryReadOptions): Promise<CertificateTypeRecord[]>;
  /**
   * The status-list indexes an agency's status changes carried (`StatusListIndexed` events, format
   * v2 registries), in chain order, from `fromBlock` to `toBlock` (the block read up to). Optional.
   */
  statusListIndexes?(agencyId: Hex, fromBlock?: number, options?: RegistryReadOptions): Promise<{ indexes: { leaf: Hex; index: number; blockNumber: number }[]; toBlock: number }>;
  /**
   * For each query, whether the transaction's receipt holds this registry's RootAnchored log for
   * the root (a root is anchored once, so that is the anchoring transaction). Optional: without
   * it, verify reports no transaction.
   */
  anchorTransactions?(queries: readonly AnchorTransactionQuery[], options?: RegistryReadOptions): Promise<boolean[]>;
  /** Checks every endpoint afresh, for readiness probes. */
  probe?(options?: RegistryReadOptions): Promise<RegistryProbe>;
}

const DEADLINED = new WeakSet<RegistryReader>();

/** Whether a reader puts a deadline on each of its requests itself (those of createRegistryReader do). */
export const enforcesDeadlines = (reader: RegistryReader): boolean => DEADLINED.has(reader);

/** The deadline of a registry read when neither the trust entry nor the call sets one. */
export const DEFAULT_REGISTRY_TIMEOUT_MS = 5_000;

// eth_call gas and response size stay well inside node limits at these sizes; a Hardhat node
// answers 1,000 statuses in ~10 ms but 2,000 in ~250 ms.
const CONTEXTS_PER_CALL = 256;
const STATUSES_PER_CALL = 1_000;
const LOG_SCAN_THRESHOLD = 256;
const PARALLEL_CALLS = 4;
/** A node behind a URL can be replaced (a dev chain restarted): its identity is checked again after this long. */
const IDENTITY_TTL_MS = 60_000;

const fn = (name: string) => abiFunction(CERTCHAIN_REGISTRY_ABI, name);
const REGISTRY_ID = fn("registryId");
const VERIFICATION_CONTEXTS = fn("verificationContexts");
const STATUSES_OF = fn("statusesOf");
const AGENCY_IDS = fn("agencyIds");
const AGENCY = fn("agency");
const KEY_IDS_OF = fn("keyIdsOf");
const TYPE_IDS_OF = fn("typeIdsOf");
const STATUS_TOPICS = ["CertificateSuspended", "CertificateReinstated", "CertificateRevoked"].map((name) => abiEventTopic(CERTCHAIN_REGISTRY_ABI, name));
const ROOT_ANCHORED = abiEventTopic(CERTCHAIN_REGISTRY_ABI, "RootAnchored");
const STATUS_LIST_INDEXED = abiEventTopic(CERTCHAIN_REGISTRY_ABI, "StatusListIndexed");
const CERTIFICATE_TYPES = fn("certificateTypes");

async function inChunks<T, R>(items: readonly T[], size: number, read: (chunk: T[]) => Promise<R[]>): Promise<R[]> {
  const chunks: T[][] = [];
  for (let i = 0; i < items.length; i += size) chunks.push(items.slice(i, i + size));
  const results: R[][] = new Array(chunks.length);
  let next = 0;
  const worker = async () => {
    while (next < chunks.length) {
      const index = next++;
      results[index] = await read(chunks[index]);
    }
  };
  await Promise.all(Array.from({ length: Math.min(PARALLEL_CALLS, chunks.length) }, worker));
  return results.flat();
}

const num = (value: unknown): number => Number(value as bigint);

/**
 * Decodes `statusesOf`'s return data: an offset, a length, then three words per status. A
 * generic decoder spends ~0.5 s on 2,000 rows; this fixed layout takes well under a millisecond.
 */
export function decodeStatuses(data: string, expected: number): StatusRecord[] {
  const word = (i: number) => data.slice(2 + i * 64, 2 + (i + 1) * 64);
  const wordNumber = (i: number) => parseInt(word(i).slice(-16), 16);
  const offsetWords = wordNumber(0) / 32;
  const length = wordNumber(offsetWords);
  if (length !== expected || data.length !== 2 + (offsetWords + 1 + 3 * length) * 64) throw new Error("unexpected statusesOf response");
  const out: StatusRecord[] = new Array(length);
  for (let i = 0; i < length; i++) {
    const at = offsetWords + 1 + 3 * i;
    out[i] = { state: CERTIFICATE_STATES[wordNumber(at)] ?? "active", reason: wordNumber(at + 1), updatedAt: wordNumber(at + 2) };
  }
  return out;
}

const mismatch = (code: "REGISTRY_CHAIN_MISMATCH" | "REGISTRY_ID_MISMATCH", message: string) => new CertchainError(code, message);
const isMismatch = (error: unknown) => isCertchainError(error, "REGISTRY_CHAIN_MISMATCH") || isCertchainError(error, "REGISTRY_ID_MISMATCH");

/** Any failure to read, as the SDK reports it: a mismatch keeps its code, everything else is CHAIN_UNREACHABLE. */
function unreachable(error: unknown, where: string): CertchainError {
  if (isMismatch(error)) return error as CertchainError;
  if (error instanceof DeadlineExceeded) return new CertchainError("CHAIN_UNREACHABLE", `${where} did not answer within ${error.timeoutMs} ms`, { cause: error });
  const detail = error instanceof Error && error.message ? `: ${error.message}` : "";
  return new CertchainError("CHAIN_UNREACHABLE", `${where} could not be read${detail}`, { cause: error });
}

/** What made an attempt fail: a mismatch as such, else the deadline if it passed (a fetch aborted by it fails with a bare AbortError). */
const causeOf = (error: unknown, signal: AbortSignal): unknown => (isMismatch(error) || !signal.aborted ? error : signal.reason);

/** A revert (no `registryId()` on a contract deployed before ids, or not a registry at all), as providers report it. */
const isRevert = (error: unknown): boolean =>
  error instanceof JsonRpcError || (error as { code?: unknown })?.code === "CALL_EXCEPTION" || /revert/i.test(String((error as Error)?.message ?? ""));

interface Endpoint {
  transport: JsonRpcTransport;
  identity?: Promise<RegistryIdentity>;
  checkedAt?: number;
}

/**
 * Reads a CertchainRegistry with plain JSON-RPC, in as few calls as the contract allows: one
 * `eth_call` per 256 (root, key, type) triples and one per 1,000 certificate statuses. Before
 * the first read (and again after a minute) it asks the node its chain id, compares the genesis
 * block hash when the entry pins one, and reads the contract's `registryId()`: a node of another
 * chain or another deployment is refused, not read. Every read has a deadline (the entry's
 * `timeoutMs`, else 5 s) and can be abandoned with a signal; with several `rpcUrls`, a failing
 * or silent endpoint hands over to the next.
 *
 * @example
 * const reader = createRegistryReader({ chainId: 31337, address, id: registryId, rpcUrl: "http://127.0.0.1:8545", name: "上海市" });
 * const [status] = await reader.statuses(agencyId, [leaf]);
 */
export function createRegistryReader(registry: TrustedRegistry): RegistryReader {
  const urls = registry.rpcUrls && registry.rpcUrls.length > 0 ? [...registry.rpcUrls] : registry.rpcUrl ? [registry.rpcUrl] : [];
  const transports = registry.provider ? [providerTransport(registry.provider)] : (urls.length > 0 ? urls : ["http://127.0.0.1:8545"]).map((url) => httpTransport(url));
  const endpoints: Endpoint[] = transports.map((transport) => ({ transport }));
  const name = registry.name ?? `${registry.chainId}:${registry.address}`;
  const address = registry.address.toLowerCase();
  let preferred = 0;

  const timeoutOf = (options?: RegistryReadOptions) => registry.timeoutMs ?? options?.timeoutMs ?? DEFAULT_REGISTRY_TIMEOUT_MS;
  const ethCall = (endpoint: Endpoint, data: string, signal: AbortSignal) =>
    endpoint.transport.request("eth_call", [{ to: address, data }, "latest"], signal) as Promise<string>;

  /** Asks the node what it is; throws a mismatch when it is not the trusted registry. */
  async function checkIdentity(endpoint: Endpoint, signal: AbortSignal): Promise<RegistryIdentity> {
    const where = `${name} (${endpoint.transport.label})`;
    // Three reads in parallel, the genesis block only when pinned: the citizen pages read through
    // a proxy that allows eth_chainId and eth_call but no block lookups.
    const [chainIdHex, genesis, idData] = await Promise.all([
      endpoint.transport.request("eth_chainId", [], signal),
      registry.genesisHash ? endpoint.transport.request("eth_getBlockByNumber", ["0x0", false], signal) : undefined,
      ethCall(endpoint, encodeCall(REGISTRY_ID, []), signal).catch((error: unknown) => {
        if (isRevert(error)) return "0x";
        throw error;
      }),
    ]);
    const chainId = Number(chainIdHex);
    if (chainId !== registry.chainId) throw mismatch("REGISTRY_CHAIN_MISMATCH", `${where} serves chain ${chainId}, not ${registry.chainId}`);
    const genesisHash = registry.genesisHash ? (String((genesis as { hash?: unknown } | null)?.hash ?? "").toLowerCase() as Hex) : undefined;
    if (registry.genesisHash && genesisHash !== registry.genesisHash.toLowerCase()) {
      throw mismatch("REGISTRY_CHAIN_MISMATCH", `${where} has genesis block ${genesisHash || "(none)"}, not ${registry.genesisHash}: another chain with the same chain id`);
    }
    // "0x": no contract at the address, or one deployed before registry ids (a revert).
    const registryId = typeof idData === "string" && idData.length === 66 ? (idData.toLowerCase() as Hex) : null;
    if (registry.id && registryId !== registry.id.toLowerCase()) {
      throw mismatch("REGISTRY_ID_MISMATCH", `the contract at ${registry.address} on ${where} ${registryId ? `is registry ${registryId}` : "has no registry id"}, not ${registry.id}`);
    }
    return { chainId, ...(genesisHash ? { genesisHash } : {}), registryId };
  }

  /** The endpoint's identity, checked once and shared by concurrent reads (each waits only as long as its own deadline). */
  function identityOf(endpoint: Endpoint, options: RegistryReadOptions | undefined, signal: AbortSignal): Promise<RegistryIdentity> {
    if (!endpoint.identity || Date.now() - (endpoint.checkedAt ?? 0) > IDENTITY_TTL_MS) {
      const own = deadline(timeoutOf(options));
      endpoint.checkedAt = Date.now();
      const check = checkIdentity(endpoint, own.signal).finally(own.release);
      endpoint.identity = check;
      check.catch(() => {
        if (endpoint.identity === check) endpoint.identity = undefined;
      });
    }
    return untilAborted(endpoint.identity, signal);
  }

  /** Runs `work` on the preferred endpoint, then the others, each attempt within the deadline. */
  async function read<T>(what: string, options: RegistryReadOptions | undefined, work: (endpoint: Endpoint, signal: AbortSignal) => Promise<T>): Promise<T> {
    const failures: unknown[] = [];
    for (let k = 0; k < endpoints.length; k++) {
      const index = (preferred + k) % endpoints.length;
      const endpoint = endpoints[index];
      const limit = deadline(timeoutOf(options), options?.signal);
      try {
        const result = await untilAborted(
          identityOf(endpoint, options, limit.signal).then(() => work(endpoint, limit.signal)),
          limit.signal,
        );
        preferred = index;
        return result;
      } catch (error) {
        if (options?.signal?.aborted) throw new CertchainError("CHAIN_UNREACHABLE", `reading ${name} was aborted`, { cause: options.signal.reason });
        failures.push(unreachable(causeOf(error, limit.signal), `${name} (${endpoint.transport.label})`));
      } finally {
        limit.release();
      }
    }
    // A mismatch says more than a timeout: the entry points at the wrong chain or deployment.
    const failure = (failures.find(isMismatch) ?? failures[failures.length - 1]) as CertchainError;
    throw failures.length > 1 ? new CertchainError(failure.code, `${what}: ${failures.map((f) => (f as Error).message).join("; ")}`, { cause: failure }) : failure;
  }

  const callOnce = (what: string, data: string, options?: RegistryReadOptions) =>
    read(what, options, async (endpoint, signal) => {
      const result = await ethCall(endpoint, data, signal);
      // An empty answer to a registry read: there is no contract at the address (an entry without an id is not checked for one up front).
      if (result === "0x") throw mismatch("REGISTRY_ID_MISMATCH", `there is no registry contract at ${registry.address} on ${name} (${endpoint.transport.label})`);
      return result;
    });
  const decoded = async (what: string, call: typeof REGISTRY_ID, args: unknown[], options?: RegistryReadOptions) => decodeResult(call, await callOnce(what, encodeCall(call, args), options));

  const reader: RegistryReader = {
    chainId: registry.chainId,
    address: registry.address,
    name,
    ...(registry.id ? { id: registry.id } : {}),
    ...(registry.timeoutMs !== undefined ? { timeoutMs: registry.timeoutMs } : {}),

    identify: (options) => read("identity", options, (endpoint, signal) => identityOf(endpoint, options, signal)),

    assertChain: (options) => reader.identify!(options),

    blockNumber: (options) => read("block number", options, async (endpoint, signal) => Number(await endpoint.transport.request("eth_blockNumber", [], signal))),

    verificationContexts: (queries, options) =>
      inChunks(queries, CONTEXTS_PER_CALL, async (chunk) => {
        const [rows] = (await decoded("verification contexts", VERIFICATION_CONTEXTS, [chunk.map((q) => [q.root, q.keyId, q.typeId])], options)) as [any[]];
        if (rows.length !== chunk.length) throw new CertchainError("CHAIN_UNREACHABLE", `${name} answered ${rows.length} contexts for ${chunk.length} queries`);
        return rows.map((row, i): VerificationContextRecord => ({
          anchor: { agencyId: row.anchor.agencyId, anchoredAt: num(row.anchor.anchoredAt), blockNumber: num(row.anchor.blockNumber), size: num(row.anchor.size) },
          agency: { id: row.anchor.agencyId, slug: row.agency.slug, name: row.agency.name, registered: row.agency.registered, creditCode: creditCodeFromBytes18(row.agency.creditCode) },
          key: {
            keyId: chunk[i].keyId,
            agencyId: row.key.agencyId,
            alg: num(row.key.alg),
            validFrom: num(row.key.validFrom),
            validUntil: num(row.key.validUntil),
            revoked: row.key.revoked,
            publicKey: fromHex(row.key.publicKey),
          },
          accreditation: { validFrom: num(row.accreditation.validFrom), validUntil: num(row.accreditation.validUntil) },
        }));
      }),

    async statuses(agencyId, leaves, options) {
      const readState = (subset: readonly Hex[]) =>
        inChunks(subset, STATUSES_PER_CALL, async (chunk) => decodeStatuses(await callOnce("statuses", encodeCall(STATUSES_OF, [agencyId, chunk]), options), chunk.length));
      if (leaves.length < LOG_SCAN_THRESHOLD) return readState(leaves);
      // A node reads ~10,000 storage slots a second, so for a large set ask first which of the
      // agency's certificates ever changed status (every change emits an event), and read state
      // only for those: the others have no record and are active.
      let changed: Set<string>;
      try {
        const logs = (await read("status events", options, (endpoint, signal) =>
          endpoint.transport.request("eth_getLogs", [{ address, fromBlock: "0x0", toBlock: "latest", topics: [STATUS_TOPICS, null, agencyId] }], signal),
        )) as { topics: string[] }[];
        changed = new Set(logs.map((log) => log.topics[1].toLowerCase()));
      } catch (error) {
        if (options?.signal?.aborted || (isCertchainError(error, "CHAIN_UNREACHABLE") && /did not answer/.test(error.message))) throw error;
        return readState(leaves); // e.g. a provider limiting log ranges: fall back to state reads
      }
      const subset = leaves.filter((leaf) => changed.has(leaf.toLowerCase()));
      const states = await readState(subset);
      const byLeaf = new Map(subset.map((leaf, i) => [leaf.toLowerCase(), states[i]]));
      return leaves.map((leaf) => byLeaf.get(leaf.toLowerCase()) ?? { state: "active", reason: 0, updatedAt: 0 });
    },

    async typeRecords(typeIds, options) {
      if (typeIds.length === 0) return [];
      const [rows] = (await decoded("certificate types", CERTIFICATE_TYPES, [[...typeIds]], options)) as [any[]];
      if (rows.length !== typeIds.length) throw new CertchainError("CHAIN_UNREACHABLE", `${name} answered ${rows.length} type records for ${typeIds.length} ids`);
      return rows.map((row): CertificateTypeRecord => {
        const code = String(row.typeCode);
        return {
          metadataHash: String(row.metadataHash).toLowerCase() as Hex,
          typeCode: /^0x0+$/.test(code) ? "" : new TextDecoder().decode(fromHex(code)),
          registeredAt: num(row.registeredAt),
        };
      });
    },

    async statusListIndexes(agencyId, fromBlock = 0, options) {
      const toBlock = await reader.blockNumber(options);
      if (fromBlock > toBlock) return { indexes: [], toBlock };
      const logs = (await read("status list indexes", options, (endpoint, signal) =>
        endpoint.transport.request("eth_getLogs", [{ address, fromBlock: `0x${fromBlock.toString(16)}`, toBlock: `0x${toBlock.toString(16)}`, topics: [STATUS_LIST_INDEXED, agencyId.toLowerCase()] }], signal),
      )) as { topics: string[]; data: string; blockNumber: string }[];
      return {
        toBlock,
        indexes: logs.map((log) => ({ leaf: log.topics[2].toLowerCase() as Hex, index: Number(BigInt(log.data)), blockNumber: Number(log.blockNumber) })),
      };
    },

    anchorTransactions: (queries, options) =>
      Promise.all(
        queries.map(async ({ root, transaction }) => {
          const receipt = (await read("anchor transaction", options, (endpoint, signal) => endpoint.transport.request("eth_getTransactionReceipt", [transaction], signal))) as {
            status?: string | number;
            logs?: { address?: string; topics?: string[] }[];
          } | null;
          if (!receipt || Number(receipt.status) !== 1 || !Array.isArray(receipt.logs)) return false;
          return receipt.logs.some(
            (log) => log.address?.toLowerCase() === address && log.topics?.[0] === ROOT_ANCHORED && log.topics?.[1]?.toLowerCase() === root.toLowerCase(),
          );
        }),
      ),

    async agency(agencyId, options) {
      const [agency] = (await decoded("agency", AGENCY, [agencyId], options)) as [{ slug: string; name: string; registered: boolean; creditCode: string }];
      return { id: agencyId, slug: agency.slug, name: agency.name, registered: agency.registered, creditCode: creditCodeFromBytes18(agency.creditCode) };
    },

    async agencies(options) {
      const [ids] = (await decoded("agencies", AGENCY_IDS, [], options)) as [Hex[]];
      return Promise.all(
        ids.map(async (id) => {
          const [[agency], [keyIds], [typeIds]] = (await Promise.all([
            decoded("agency", AGENCY, [id], options),
            decoded("key ids", KEY_IDS_OF, [id], options),
            decoded("type ids", TYPE_IDS_OF, [id], options),
          ])) as [[{ slug: string; name: string; registered: boolean; creditCode: string }], [Hex[]], [Hex[]]];
          return { id, slug: agency.slug, name: agency.name, registered: agency.registered, creditCode: creditCodeFromBytes18(agency.creditCode), keyIds: [...keyIds], typeIds: [...typeIds] };
        }),
      );
    },

    async probe(options) {
      const results = await Promise.all(
        endpoints.map(async (endpoint): Promise<EndpointProbe & { registryId?: Hex | null }> => {
          const limit = deadline(timeoutOf(options), options?.signal);
          try {
            const [identity, head] = await untilAborted(
              Promise.all([checkIdentity(endpoint, limit.signal), endpoint.transport.request("eth_blockNumber", [], limit.signal)]),
              limit.signal,
            );
            endpoint.identity = Promise.resolve(identity);
            endpoint.checkedAt = Date.now();
            return { endpoint: endpoint.transport.label, ok: true, blockNumber: Number(head), registryId: identity.registryId };
          } catch (error) {
            const failure = unreachable(causeOf(error, limit.signal), `${name} (${endpoint.transport.label})`);
            return { endpoint: endpoint.transport.label, ok: false, error: { code: failure.code, message: failure.message } };
          } finally {
            limit.release();
          }
        }),
      );
      const registryId = results.find((r) => r.ok)?.registryId ?? null;
      return { ok: results.some((r) => r.ok), registryId, endpoints: results.map(({ registryId: _, ...rest }) => rest) };
    },
  };
  DEADLINED.add(reader);
  return reader;
}
