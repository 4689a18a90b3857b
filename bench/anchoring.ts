import type { JsonRpcProvider } from "ethers";
import { createAnchoredEnvelope, type Envelope, type Hex } from "@certchain/sdk";
import type { OperatorClient } from "../server/chain/operator";
import type { Batch } from "./issuing";

export interface AnchoringResult {
  envelopes: Envelope[];
  transactions: number;
  gasUsed: bigint;
  ms: number;
}

/** One `anchorRoot` transaction per batch, then every certificate's anchored envelope. */
export async function anchorBatches(options: {
  provider: JsonRpcProvider;
  operator: OperatorClient;
  registry: Hex;
  credentials: readonly string[];
  batches: readonly Batch[];
}): Promise<AnchoringResult> {
  const { provider, operator, registry, credentials, batches } = options;
  const started = performance.now();
  const envelopes: Envelope[] = new Array(credentials.length);
  let gasUsed = 0n;
  for (const batch of batches) {
    const receipt = await operator.anchorRoot(batch.tree.root, batch.tree.size);
    if (receipt.status !== 1) throw new Error(`anchorRoot for batch ${batch.from}…${batch.to - 1} failed (status ${receipt.status})`);
    gasUsed += receipt.gasUsed;
    const block = await provider.getBlock(receipt.blockNumber);
    if (!block) throw new Error(`block ${receipt.blockNumber} of the anchor transaction is missing`);
    const anchoredAt = new Date(block.timestamp * 1000).toISOString();
    for (let serial = batch.from; serial < batch.to; serial++) {
      envelopes[serial] = createAnchoredEnvelope(credentials[serial], {
        chainId: 31337,
        registry,
        root: batch.tree.root,
        proof: batch.proofs[serial - batch.from],
        transaction: receipt.hash as Hex,
        block: receipt.blockNumber,
        anchoredAt,
      });
    }
  }
  return { envelopes, transactions: batches.length, gasUsed, ms: performance.now() - started };
}
