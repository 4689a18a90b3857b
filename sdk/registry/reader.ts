import { Contract, JsonRpcProvider, type Provider } from "ethers";
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

export interface VerificationQuery {
  root: Hex;
  keyId: Hex;
  typeId: Hex;
}

export interface RegistryReader {
  readonly chainId: number;
  readonly address: Hex;
  readonly name: string;
  /** Checks that the provider really serves `chainId`. */
  assertChain(): Promise<void>;
  blockNumber(): Promise<number>;
  verificationContexts(queries: readonly VerificationQuery[]): Promise<VerificationContextRecord[]>;
  /** Statuses as recorded by `agencyId`, the agency that anchored the certificates. */
  statuses(agencyId: Hex, leaves: readonly Hex[]): Promise<StatusRecord[]>;
  agencies(): Promise<(AgencyRecord & { keyIds: Hex[]; typeIds: Hex[] })[]>;
}

// eth_call gas and response size stay well inside node limits at these sizes.
const CONTEXTS_PER_CALL = 256;
const STATUSES_PER_CALL = 2_000;
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
          agency: { id: row.anchor.agencyId, slug: row.agency.slug, name: row.agency.name, registered: row.agency.registered },
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

    statuses: (agencyId, leaves) =>
      inChunks(leaves, STATUSES_PER_CALL, async (chunk) => {
        const rows = await contract.statusesOf(agencyId, chunk);
        return rows.map((row: any): StatusRecord => ({
          state: CERTIFICATE_STATES[num(row.state)] ?? "active",
          reason: num(row.reason),
          updatedAt: num(row.updatedAt),
        }));
      }),

    async agencies() {
      const ids: Hex[] = await contract.agencyIds();
      return Promise.all(
        ids.map(async (id) => {
          const [agency, keyIds, typeIds] = await Promise.all([contract.agency(id), contract.keyIdsOf(id), contract.typeIdsOf(id)]);
          return { id, slug: agency.slug, name: agency.name, registered: agency.registered, keyIds: [...keyIds], typeIds: [...typeIds] };
        }),
      );
    },
  };
}
