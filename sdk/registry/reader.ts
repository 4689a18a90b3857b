import { Contract, Interface, JsonRpcProvider, type Provider } from "ethers";
import { creditCodeFromBytes18 } from "../certificate-number/credit-code";
import { fromHex, type Hex } from "../lib/bytes";
import { CERTCHAIN_REGISTRY_ABI } from "./abi";
import {
  CERTIFICATE_STATES,
  type AgencyRecord,
  type StatusRecord,
  type VerificationContextRecord,
} from "./types";

/** A registry a verifier trusts: which chain, which contract, and how to read it. */
export interface TrustedRegistry {
  chainId: number;
  address: Hex;
  /** Shown in results ("vouched for by …"). */
  name?: string;
  /** Either a provider or a JSON-RPC URL. */
  provider?: Provider;
  rpcUrl?: string;
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

/** Reads one trusted registry; {@link createRegistryReader} makes one, or pass your own to `verify`. */
export interface RegistryReader {
  readonly chainId: number;
  readonly address: Hex;
  readonly name: string;
  /** Checks that the provider really serves `chainId`. */
  assertChain(): Promise<void>;
  /** The chain's latest block number (for confirmations). */
  blockNumber(): Promise<number>;
  /** The registry's context of each (root, key, type) triple, in order. */
  verificationContexts(queries: readonly VerificationQuery[]): Promise<VerificationContextRecord[]>;
  /** Statuses as recorded by `agencyId`, the agency that anchored the certificates. */
  statuses(agencyId: Hex, leaves: readonly Hex[]): Promise<StatusRecord[]>;
  /** Every agency on the registry with its key and type ids. */
  agencies(): Promise<(AgencyRecord & { keyIds: Hex[]; typeIds: Hex[] })[]>;
  /**
   * For each query, whether the transaction's receipt holds this registry's RootAnchored log for
   * the root (a root is anchored once, so that is the anchoring transaction). Optional: without
   * it, verify reports no transaction.
   */
  anchorTransactions?(queries: readonly AnchorTransactionQuery[]): Promise<boolean[]>;
}

// eth_call gas and response size stay well inside node limits at these sizes; a Hardhat node
// answers 1,000 statuses in ~10 ms but 2,000 in ~250 ms.
const CONTEXTS_PER_CALL = 256;
const STATUSES_PER_CALL = 1_000;
const LOG_SCAN_THRESHOLD = 256;
const registryInterface = new Interface(CERTCHAIN_REGISTRY_ABI);
const STATUS_TOPICS = ["CertificateSuspended", "CertificateReinstated", "CertificateRevoked"].map((name) => registryInterface.getEvent(name)!.topicHash);
const ROOT_ANCHORED = registryInterface.getEvent("RootAnchored")!.topicHash;
const PARALLEL_CALLS = 4;

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

const num = (value: bigint | number): number => Number(value);

/**
 * Decodes `statusesOf`'s return data: an offset, a length, then three words per status. ethers'
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

/**
 * Reads a CertchainRegistry in as few calls as the contract allows: one `eth_call` per 256
 * (root, key, type) triples and one per 2,000 certificate statuses.
 *
 * @example
 * const reader = createRegistryReader({ chainId: 31337, address, rpcUrl: "http://127.0.0.1:8545" });
 * const [status] = await reader.statuses([leaf]);
 */
export function createRegistryReader(registry: TrustedRegistry): RegistryReader {
  const provider =
    registry.provider ??
    new JsonRpcProvider(registry.rpcUrl ?? "http://127.0.0.1:8545", registry.chainId, { staticNetwork: true, cacheTimeout: -1 });
  const contract = new Contract(registry.address, CERTCHAIN_REGISTRY_ABI, provider);
  const rpcUrl = registry.rpcUrl ?? (provider instanceof JsonRpcProvider ? provider._getConnection().url : undefined);
  // ethers gathers large HTTP responses slowly (a 1,000-status answer takes ~3x longer than
  // with fetch); big reads go straight to the JSON-RPC endpoint when there is one.
  const ethCall = async (data: string): Promise<string> => {
    if (!rpcUrl || typeof fetch !== "function") return provider.call({ to: registry.address, data });
    const response = await fetch(rpcUrl, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ jsonrpc: "2.0", id: 1, method: "eth_call", params: [{ to: registry.address, data }, "latest"] }),
    });
    const body = (await response.json()) as { result?: string; error?: { message?: string } };
    if (typeof body.result !== "string") throw new Error(`eth_call failed: ${body.error?.message ?? response.status}`);
    return body.result;
  };
  let chainChecked: Promise<void> | undefined;

  return {
    chainId: registry.chainId,
    address: registry.address,
    name: registry.name ?? `${registry.chainId}:${registry.address}`,

    assertChain() {
      chainChecked ??= provider.getNetwork().then((network) => {
        if (Number(network.chainId) !== registry.chainId) {
          chainChecked = undefined;
          throw new Error(`the provider serves chain ${network.chainId}, not ${registry.chainId}`);
        }
      }, (error) => {
        chainChecked = undefined;
        throw error;
      });
      return chainChecked;
    },

    blockNumber: () => provider.getBlockNumber(),

    verificationContexts: (queries) =>
      inChunks(queries, CONTEXTS_PER_CALL, async (chunk) => {
        const rows = await contract.verificationContexts(chunk.map((q) => [q.root, q.keyId, q.typeId]));
        return rows.map((row: any, i: number): VerificationContextRecord => ({
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

    async statuses(agencyId, leaves) {
      const readState = (subset: readonly Hex[]) =>
        inChunks(subset, STATUSES_PER_CALL, async (chunk) => {
          const data = contract.interface.encodeFunctionData("statusesOf", [agencyId, chunk]);
          return decodeStatuses(await ethCall(data), chunk.length);
        });
      if (leaves.length < LOG_SCAN_THRESHOLD) return readState(leaves);
      // A node reads ~10,000 storage slots a second, so for a large set ask first which of the
      // agency's certificates ever changed status (every change emits an event), and read state
      // only for those: the others have no record and are active.
      let changed: Set<string>;
      try {
        const logs = await provider.getLogs({ address: registry.address, fromBlock: 0, toBlock: "latest", topics: [STATUS_TOPICS, null, agencyId] });
        changed = new Set(logs.map((log) => log.topics[1].toLowerCase()));
      } catch {
        return readState(leaves); // e.g. a provider limiting log ranges: fall back to state reads
      }
      const subset = leaves.filter((leaf) => changed.has(leaf.toLowerCase()));
      const read = await readState(subset);
      const byLeaf = new Map(subset.map((leaf, i) => [leaf.toLowerCase(), read[i]]));
      return leaves.map((leaf) => byLeaf.get(leaf.toLowerCase()) ?? { state: "active", reason: 0, updatedAt: 0 });
    },

    anchorTransactions: (queries) =>
      Promise.all(
        queries.map(async ({ root, transaction }) => {
          const receipt = await provider.getTransactionReceipt(transaction);
          if (!receipt || receipt.status !== 1) return false;
          return receipt.logs.some(
            (log) => log.address.toLowerCase() === registry.address.toLowerCase() && log.topics[0] === ROOT_ANCHORED && log.topics[1]?.toLowerCase() === root.toLowerCase(),
          );
        }),
      ),

    async agencies() {
      const ids: Hex[] = await contract.agencyIds();
      return Promise.all(
        ids.map(async (id) => {
          const [agency, keyIds, typeIds] = await Promise.all([contract.agency(id), contract.keyIdsOf(id), contract.typeIdsOf(id)]);
          return { id, slug: agency.slug, name: agency.name, registered: agency.registered, creditCode: creditCodeFromBytes18(agency.creditCode), keyIds: [...keyIds], typeIds: [...typeIds] };
        }),
      );
    },
  };
}
