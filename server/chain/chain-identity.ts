import { keccak256 } from "ethers";
import { agencyIdOf, type Hex } from "@certchain/sdk";
import { resultOf, type JsonRpc, type RpcCall } from "./json-rpc";
import { anchorFromResult, anchorOfCall } from "./registry-reads";

/** An anchor the service recorded: the chain must hold this root, for this agency, at this time. */
export interface RecordedAnchor {
  root: Hex;
  agency: string;
  /** ISO, as stored with the batch. */
  anchoredAt: string;
}

/** How many blocks under the head the anchor follower owns: anchors there may still move (anchoring/anchor-follower.ts). */
export const DEFAULT_REORG_WINDOW = 64;

export interface ExpectedChain {
  chainId: number;
  registry: Hex;
  /** keccak256 of the registry's runtime code, as recorded at deployment (absent in old deployment files). */
  codeHash?: Hex;
  /** Dev chain: the journal's genesis block. */
  genesisHash?: Hex;
  /** Dev chain: the journal's last block, which the node must hold (a half-replayed node does not). */
  tip?: { number: number; hash: Hex };
}

export type IdentityProblem = "chain-id" | "genesis" | "journal-tip" | "registry-missing" | "registry-changed" | "anchor-missing" | "anchor-different";

export type IdentityVerdict = { ok: true; codeHash: Hex } | { ok: false; problem: IdentityProblem; message: string };

/**
 * Whether the chain behind `rpc` is the one this service's certificates are anchored on: the
 * chain id, the genesis block (dev chain), the registry's code, and the service's most recent
 * anchors — each root on chain, for the agency and at the time recorded. One JSON-RPC batch;
 * a network failure throws (that is "unreachable", not "mismatch").
 */
export async function checkChainIdentity(rpc: JsonRpc, expected: ExpectedChain, anchors: readonly RecordedAnchor[]): Promise<IdentityVerdict> {
  const calls: RpcCall[] = [
    { method: "eth_chainId" },
    { method: "eth_getCode", params: [expected.registry, "latest"] },
    ...(expected.genesisHash ? [{ method: "eth_getBlockByNumber", params: ["0x0", false] }] : []),
    ...(expected.tip ? [{ method: "eth_getBlockByNumber", params: [`0x${expected.tip.number.toString(16)}`, false] }] : []),
    ...anchors.map((a) => ({ method: "eth_call", params: [{ to: expected.registry, data: anchorOfCall(a.root) }, "latest"] })),
  ];
  const answers = await rpc.batch(calls);
  const [chainIdAnswer, codeAnswer, ...rest] = answers;
  const chainId = Number(resultOf(chainIdAnswer, "eth_chainId"));
  if (chainId !== expected.chainId) return { ok: false, problem: "chain-id", message: `the node serves chain ${chainId}, the registry was deployed on chain ${expected.chainId}` };
  if (expected.genesisHash) {
    const genesis = resultOf(rest.shift()!, "eth_getBlockByNumber");
    if (genesis?.hash !== expected.genesisHash) return { ok: false, problem: "genesis", message: `the node's genesis block is ${genesis?.hash}, the journal's is ${expected.genesisHash}: it is another chain` };
  }
  if (expected.tip) {
    const block = resultOf(rest.shift()!, "eth_getBlockByNumber");
    if (block?.hash !== expected.tip.hash) {
      return { ok: false, problem: "journal-tip", message: `the node's block ${expected.tip.number} is ${block?.hash ?? "missing"}, the journal's is ${expected.tip.hash}: the node does not hold the journaled chain` };
    }
  }
  const code = resultOf(codeAnswer, "eth_getCode") as string;
  if (!code || code === "0x") return { ok: false, problem: "registry-missing", message: `there is no contract at the registry address ${expected.registry}: the chain lost its state (or is another chain)` };
  const codeHash = keccak256(code) as Hex;
  if (expected.codeHash && codeHash.toLowerCase() !== expected.codeHash.toLowerCase()) {
    return { ok: false, problem: "registry-changed", message: `the contract at ${expected.registry} is not the registry deployed there (code hash ${codeHash}, recorded ${expected.codeHash})` };
  }
  for (const [i, anchor] of anchors.entries()) {
    const onChain = anchorFromResult(resultOf(rest[i], "eth_call"));
    if (onChain === undefined) return { ok: false, problem: "anchor-missing", message: `root ${anchor.root} of ${anchor.agency}, anchored ${anchor.anchoredAt}, is not on the chain` };
    const at = onChain.anchoredAt;
    const recordedAt = Math.floor(Date.parse(anchor.anchoredAt) / 1000);
    if (onChain.agencyId.toLowerCase() !== agencyIdOf(anchor.agency).toLowerCase() || at !== recordedAt) {
      return {
        ok: false,
        problem: "anchor-different",
        message: `root ${anchor.root} is on the chain with another agency or time (${new Date(at * 1000).toISOString()}) than recorded (${anchor.agency}, ${anchor.anchoredAt})`,
      };
    }
  }
  return { ok: true, codeHash };
}
