import { Contract, Interface, type Provider } from "ethers";
import {
  CERTCHAIN_REGISTRY_ABI,
  agencyIdOf,
  createRegistryReader,
  creditCodeFromBytes18,
  creditCodeToBytes18,
  fromHex,
  typeIdOf,
  type AccreditationRecord,
  type AgencyRecord,
  type AnchorRecord,
  type CertificateTypeRecord,
  type Hex,
  type RegistryReader,
  type SigningKeyRecord,
} from "@certchain/sdk/internal";

export interface RegistryReadsOptions {
  provider: Provider;
  address: Hex;
  chainId: number;
  /** Shown in verification results ("vouched for by …"). */
  name?: string;
}

/**
 * Everything the service reads from the registry. Writes are elsewhere: the root authority's in
 * registry-admin.ts, the operators' in operator.ts.
 */
export interface RegistryReads {
  readonly address: Hex;
  /**
   * The SDK's reader of this registry, as verifiers read it: verification, the agency list,
   * certificate statuses, status-list events and type records.
   */
  readonly reader: RegistryReader;
  /** The registry's id; null for a registry deployed before ids (the call reverts). Rejects while the chain cannot be reached. */
  registryId(): Promise<Hex | null>;
  /** Who anchored `root` and when; undefined when it never was. */
  anchorOf(root: Hex): Promise<AnchorRecord | undefined>;
  /** The transaction that anchored `root`, from its RootAnchored log in block `blockNumber`. */
  anchoringTransaction(root: Hex, blockNumber: number): Promise<Hex | undefined>;
  /**
   * Who anchored `root` as of the block with hash `blockHash` (EIP-1898: the node refuses a block
   * that is not on its canonical chain, so a vanished block is an error, never the latest state).
   */
  anchorAtBlock(root: Hex, blockHash: Hex): Promise<AnchorRecord | undefined>;
  /** A certificate's state as of the block with hash `blockHash` (EIP-1898, canonical only: a vanished block is an error). */
  statusAtBlock(agencyId: Hex, leaf: Hex, blockHash: Hex): Promise<"active" | "suspended" | "revoked">;
  /** The registry's RootAnchored logs of blocks `fromBlock`..`toBlock`, each with the hash of its block. */
  anchorLogs(fromBlock: number, toBlock: number): Promise<AnchorLog[]>;
  /** The certificates whose status changed (suspended, reinstated, revoked) in blocks `fromBlock`..`toBlock`: their leaves, once each. */
  statusChangedLeaves(fromBlock: number, toBlock: number): Promise<Hex[]>;
  /** The agency as registered (`registered: false` when the slug is free). */
  agency(slug: string): Promise<AgencyRecord>;
  /** The agency that holds a unified social credit code; undefined when none does. */
  agencyOfCreditCode(creditCode: string): Promise<Hex | undefined>;
  /** The agency's accreditation for one type version (`validUntil` 0: never accredited). */
  accreditation(slug: string, vct: string): Promise<AccreditationRecord>;
  /** The agency an operator account anchors for; undefined when it is no agency's operator. */
  operatorAgency(account: string): Promise<Hex | undefined>;
  /** Every signing key the agency registered, retired and revoked ones too, in registration order. */
  signingKeys(slug: string): Promise<SigningKeyRecord[]>;
  /** A type version as the registry holds it (a zero hash when not registered). */
  typeRecord(vct: string): Promise<CertificateTypeRecord>;
}

/** A RootAnchored log as the chain holds it now. */
export interface AnchorLog {
  root: Hex;
  agencyId: Hex;
  transaction: Hex;
  blockNumber: number;
  blockHash: Hex;
}

const registryInterface = new Interface(CERTCHAIN_REGISTRY_ABI);

/** The registry's `CertificateState` values, in the enum's order (contracts/Common.sol). */
const CHAIN_STATES = ["active", "suspended", "revoked"] as const;
const ROOT_ANCHORED = registryInterface.getEvent("RootAnchored")!.topicHash;
const STATUS_EVENTS = ["CertificateSuspended", "CertificateReinstated", "CertificateRevoked"].map((name) => registryInterface.getEvent(name)!.topicHash);

/** A JSON-RPC request through the provider as given (ethers cannot name a block by hash in `eth_call`). */
function rpcOf(provider: Provider): (method: string, params: unknown[]) => Promise<any> {
  const send = (provider as unknown as { send?: (method: string, params: unknown[]) => Promise<unknown> }).send;
  if (typeof send !== "function") throw new Error("the chain provider cannot send JSON-RPC requests");
  return (method, params) => send.call(provider, method, params);
}

const anchorRecordOf = (anchor: { agencyId: string; anchoredAt: bigint; blockNumber: bigint; size: bigint }): AnchorRecord | undefined =>
  Number(anchor.anchoredAt) === 0 ? undefined : { agencyId: anchor.agencyId as Hex, anchoredAt: Number(anchor.anchoredAt), blockNumber: Number(anchor.blockNumber), size: Number(anchor.size) };

/** The calldata of `anchorOf(root)`, for reads batched with others in one JSON-RPC request (chain-identity.ts). */
export const anchorOfCall = (root: Hex): string => registryInterface.encodeFunctionData("anchorOf", [root]);

/** The answer to {@link anchorOfCall}: undefined when the root was never anchored. */
export const anchorFromResult = (data: string): AnchorRecord | undefined => anchorRecordOf(registryInterface.decodeFunctionResult("anchorOf", data)[0]);

/**
 * The one place the service reads the registry from: single reads (an anchor, an agency, an
 * accreditation, keys) through one ethers contract, and the SDK's reader, built once, for what
 * verifiers read too.
 *
 * @example
 * const registry = createRegistryReads({ provider, address, chainId: 31337 });
 * const { validFrom, validUntil } = await registry.accreditation("sh-amr", vct);
 */
export function createRegistryReads(options: RegistryReadsOptions): RegistryReads {
  const contract = new Contract(options.address, registryInterface, options.provider);
  const reader = createRegistryReader({ chainId: options.chainId, address: options.address, provider: options.provider, name: options.name });

  return {
    address: options.address,
    reader,

    registryId: () =>
      contract.registryId().then(
        (id: string) => id.toLowerCase() as Hex,
        (error: { code?: string }) => {
          // A revert is an answer (no id); a network failure is not.
          if (error?.code === "CALL_EXCEPTION" || error?.code === "BAD_DATA") return null;
          throw error;
        },
      ),

    anchorOf: async (root) => anchorRecordOf(await contract.anchorOf(root)),

    async anchoringTransaction(root, blockNumber) {
      const [log] = await contract.queryFilter(contract.filters.RootAnchored(root), blockNumber, blockNumber);
      return log?.transactionHash as Hex | undefined;
    },

    async anchorAtBlock(root, blockHash) {
      const data = await rpcOf(options.provider)("eth_call", [{ to: options.address, data: anchorOfCall(root) }, { blockHash, requireCanonical: true }]);
      return anchorFromResult(data);
    },

    async statusAtBlock(agencyId, leaf, blockHash) {
      const data = await rpcOf(options.provider)("eth_call", [{ to: options.address, data: registryInterface.encodeFunctionData("statusOf", [agencyId, leaf]) }, { blockHash, requireCanonical: true }]);
      const state = Number(registryInterface.decodeFunctionResult("statusOf", data)[0].state);
      return CHAIN_STATES[state];
    },

    async anchorLogs(fromBlock, toBlock) {
      if (toBlock < fromBlock) return [];
      const logs: { topics: string[]; transactionHash: string; blockNumber: string; blockHash: string; removed?: boolean }[] = await rpcOf(options.provider)("eth_getLogs", [
        { address: options.address, topics: [ROOT_ANCHORED], fromBlock: `0x${fromBlock.toString(16)}`, toBlock: `0x${toBlock.toString(16)}` },
      ]);
      return logs
        .filter((log) => !log.removed)
        .map((log) => ({
          root: log.topics[1].toLowerCase() as Hex,
          agencyId: log.topics[2].toLowerCase() as Hex,
          transaction: log.transactionHash as Hex,
          blockNumber: Number(log.blockNumber),
          blockHash: log.blockHash.toLowerCase() as Hex,
        }));
    },

    async statusChangedLeaves(fromBlock, toBlock) {
      if (toBlock < fromBlock) return [];
      const logs: { topics: string[]; removed?: boolean }[] = await rpcOf(options.provider)("eth_getLogs", [
        { address: options.address, topics: [STATUS_EVENTS], fromBlock: `0x${fromBlock.toString(16)}`, toBlock: `0x${toBlock.toString(16)}` },
      ]);
      return [...new Set(logs.filter((log) => !log.removed).map((log) => log.topics[1].toLowerCase() as Hex))];
    },

    async agency(slug) {
      const id = agencyIdOf(slug);
      const agency = await contract.agency(id);
      return { id, slug: agency.slug, name: agency.name, registered: agency.registered, creditCode: creditCodeFromBytes18(agency.creditCode) };
    },

    async agencyOfCreditCode(creditCode) {
      const holder: string = await contract.agencyOfCreditCode(creditCodeToBytes18(creditCode));
      return BigInt(holder) === 0n ? undefined : (holder as Hex);
    },

    async accreditation(slug, vct) {
      const window = await contract.accreditation(agencyIdOf(slug), typeIdOf(vct));
      return { validFrom: Number(window.validFrom), validUntil: Number(window.validUntil) };
    },

    async operatorAgency(account) {
      const agencyId: string = await contract.operatorAgency(account);
      return BigInt(agencyId) === 0n ? undefined : (agencyId as Hex);
    },

    async signingKeys(slug) {
      const keyIds: Hex[] = await contract.keyIdsOf(agencyIdOf(slug));
      return Promise.all(
        keyIds.map(async (keyId): Promise<SigningKeyRecord> => {
          const key = await contract.signingKey(keyId);
          return {
            keyId,
            agencyId: key.agencyId,
            alg: Number(key.alg),
            validFrom: Number(key.validFrom),
            validUntil: Number(key.validUntil),
            revoked: key.revoked,
            publicKey: fromHex(key.publicKey),
          };
        }),
      );
    },

    async typeRecord(vct) {
      const [record] = await reader.typeRecords!([typeIdOf(vct)]);
      return record;
    },
  };
}
