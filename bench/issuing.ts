import type { KeyObject } from "node:crypto";
import { buildMerkleTree, type Hex, type MerkleTree, type SignatureAlgorithm } from "@certchain/sdk";
import { generateSigningKey } from "../server/keys/key-store";
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
  /** The signing pool's wall time; trees and proofs are built inside it, so it equals `totalMs`. */
  signWallMs: number;
  /** Summed over the workers (CPU-ish time inside the SDK calls). */
  signCpuMs: number;
  leafCpuMs: number;
  /** Main-thread time building trees and proofs (overlapped with signing, so part of `totalMs`). */
  treeMs: number;
  proofMs: number;
  /** Main-thread time on trees and proofs after the last credential arrived (not overlapped). */
  tailMs: number;
  /** Process CPU time (main thread + workers) over `totalMs`. */
  cpuMs: number;
  /** Wall time from "go" until every certificate is signed, has its leaf, is in a tree and has its proof. */
  totalMs: number;
  peakRss: number;
}

/**
 * Issuing primitives for `n` certificates: sign + leaf in worker threads; on the main thread, each
 * anchor batch's Merkle tree and every leaf's proof as soon as the batch's last leaf arrives, while
 * the workers sign later batches. The clock runs from "go" until the last proof.
 */
export async function runIssuing(options: { n: number; batchSize: number; workerCount: number; issuer: string; memory: MemorySampler; log: (line: string) => void; algorithm?: SignatureAlgorithm }): Promise<IssuingResult> {
  const { n, batchSize, memory, log } = options;
  // Ed25519 unless a suite is asked for (the SM2 rows).
  const privateKey = generateSigningKey(options.algorithm ?? "EdDSA");
  const privateKeyDer = new Uint8Array(privateKey.export({ format: "der", type: "pkcs8" }));
  memory.reset();

  const batchCount = Math.ceil(n / batchSize);
  const batches: Batch[] = new Array(batchCount);
  const missing = Array.from({ length: batchCount }, (_, k) => Math.min(batchSize, n - k * batchSize));
  const leaves: Hex[] = new Array(n);
  let treeMs = 0;
  let proofMs = 0;
  let lastBuiltAt = 0;
  const buildBatch = (k: number) => {
    const from = k * batchSize;
    const to = Math.min(from + batchSize, n);
    const batchLeaves = leaves.slice(from, to);
    const t0 = performance.now();
    const tree = buildMerkleTree(batchLeaves);
    const t1 = performance.now();
    const proofs = batchLeaves.map((leaf) => {
      const proof = tree.proofOf(leaf);
      if (!proof) throw new Error(`no proof for leaf ${leaf} in its own tree`);
      return proof;
    });
    lastBuiltAt = performance.now();
    treeMs += t1 - t0;
    proofMs += lastBuiltAt - t1;
    batches[k] = { from, to, tree, proofs };
  };

  let nextReport = 0;
  let lastChunkAt = 0;
  const signed = await signInWorkers({
    n,
    batchSize,
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
    onChunk: (from, chunkLeaves) => {
      lastChunkAt = performance.now();
      for (let i = 0; i < chunkLeaves.length; i++) leaves[from + i] = chunkLeaves[i];
      // Chunks never straddle a batch (signing-pool.ts deals them inside batches).
      const k = Math.floor(from / batchSize);
      if ((missing[k] -= chunkLeaves.length) === 0) buildBatch(k);
    },
  });
  const unbuilt = missing.findIndex((count) => count !== 0);
  if (unbuilt !== -1) throw new Error(`batch ${unbuilt} is missing ${missing[unbuilt]} leaves`);

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
    tailMs: Math.max(0, lastBuiltAt - lastChunkAt),
    // onChunk builds each batch inside the message handler, so the last proof is done when the
    // workers' last message has been handled: the signing wall time already includes it.
    totalMs: signed.wallMs,
    cpuMs: signed.cpuMs,
    peakRss: memory.peak(),
  };
}
