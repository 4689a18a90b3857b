import { generateKeyPairSync, type KeyObject } from "node:crypto";
import { buildMerkleTree, type Hex, type MerkleTree } from "@certchain/sdk";
import type { MemorySampler } from "./memory";
import { signInWorkers } from "./signing-pool";

/** One anchor batch: the tree over its leaves and each leaf's proof. */
export interface Batch {
  /** Serials [from, to). */
  from: number;
  to: number;
  tree: MerkleTree;
  proofs: Hex[][];
}

export interface IssuingResult {
  privateKey: KeyObject;
  credentials: string[];
  batches: Batch[];
  startupMs: number;
  signWallMs: number;
  /** Summed over the workers (CPU-ish time inside the SDK calls). */
  signCpuMs: number;
  leafCpuMs: number;
  treeMs: number;
  proofMs: number;
  /** Signing wall time + tree + proofs. */
  totalMs: number;
  peakRss: number;
}

/**
 * Issuing primitives for `n` certificates: sign + leaf in worker threads, then per anchor batch
 * a Merkle tree and every leaf's proof on the main thread.
 */
export async function runIssuing(options: { n: number; batchSize: number; workerCount: number; issuer: string; memory: MemorySampler; log: (line: string) => void }): Promise<IssuingResult> {
  const { n, batchSize, memory, log } = options;
  const { privateKey } = generateKeyPairSync("ed25519");
  const privateKeyDer = new Uint8Array(privateKey.export({ format: "der", type: "pkcs8" }));
  memory.reset();

  let nextReport = 0;
  const signed = await signInWorkers({
    n,
    workerCount: options.workerCount,
    privateKeyDer,
    issuer: options.issuer,
    issuedAt: Math.floor(Date.now() / 1000),
    onProgress: (done) => {
      if (done >= nextReport) {
        nextReport += Math.max(10_000, Math.ceil(n / 10));
        if (done < n) log(`  signed ${done.toLocaleString("en-US")} / ${n.toLocaleString("en-US")}`);
      }
    },
  });

  const batches: Batch[] = [];
  let treeMs = 0;
  let proofMs = 0;
  for (let from = 0; from < n; from += batchSize) {
    const to = Math.min(from + batchSize, n);
    const leaves = signed.leaves.slice(from, to);
    const t0 = performance.now();
    const tree = buildMerkleTree(leaves);
    const t1 = performance.now();
    const proofs = leaves.map((leaf) => {
      const proof = tree.proofOf(leaf);
      if (!proof) throw new Error(`no proof for leaf ${leaf} in its own tree`);
      return proof;
    });
    const t2 = performance.now();
    treeMs += t1 - t0;
    proofMs += t2 - t1;
    batches.push({ from, to, tree, proofs });
  }

  return {
    privateKey,
    credentials: signed.credentials,
    batches,
    startupMs: signed.startupMs,
    signWallMs: signed.wallMs,
    signCpuMs: signed.workers.reduce((sum, w) => sum + w.signMs, 0),
    leafCpuMs: signed.workers.reduce((sum, w) => sum + w.leafMs, 0),
    treeMs,
    proofMs,
    totalMs: signed.wallMs + treeMs + proofMs,
    peakRss: memory.peak(),
  };
}
