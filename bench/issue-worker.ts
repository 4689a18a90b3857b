// Worker thread: signs a contiguous share of the benchmark's certificates and computes their
// leaves. Loaded as TypeScript through ts-node (see signing-pool.ts for how it is spawned).
import { createPrivateKey } from "node:crypto";
import { parentPort, workerData } from "node:worker_threads";
import { createNodeSigner } from "../server/keys/node-signer";
import { credentialLeaf, issueCredential } from "@certchain/sdk";
import { benchType, certificateNumberFor, claimsFor } from "./claims";

export interface IssueWorkerData {
  /** The agency's signing key (Ed25519, or SM2 for the SM2 rows), PKCS#8 DER. */
  privateKeyDer: Uint8Array;
  issuer: string;
  issuedAt: number;
  /** Serial ranges [from, to) to issue, in order (chunks dealt in turn: see signing-pool.ts). */
  ranges: { from: number; to: number }[];
  /** Certificates per message back to the main thread. */
  chunkSize: number;
}

export type IssueWorkerMessage =
  | { type: "ready" }
  // One string per chunk, lines joined by "\n" (credentials and leaves never contain one): the
  // main thread receives one large string instead of a thousand small ones, and the substrings
  // split from it point into it rather than being copied by every young-generation collection.
  | { type: "chunk"; from: number; credentials: string; leaves: string }
  | { type: "done"; signMs: number; leafMs: number; count: number };

const port = parentPort;
if (!port) throw new Error("issue-worker.ts must run in a worker thread");
const data = workerData as IssueWorkerData;
const type = benchType();
const signer = createNodeSigner(createPrivateKey({ key: Buffer.from(data.privateKeyDer), format: "der", type: "pkcs8" }));

async function run(): Promise<void> {
  let signMs = 0;
  let leafMs = 0;
  let count = 0;
  for (const range of data.ranges) {
    count += range.to - range.from;
    for (let from = range.from; from < range.to; from += data.chunkSize) await issueChunk(from, Math.min(from + data.chunkSize, range.to));
  }
  port!.postMessage({ type: "done", signMs, leafMs, count } satisfies IssueWorkerMessage);

  async function issueChunk(from: number, to: number): Promise<void> {
    const started = performance.now();
    const pending: Promise<string>[] = [];
    for (let serial = from; serial < to; serial++) {
      pending.push(
        issueCredential({
          vct: type.vct,
          issuer: data.issuer,
          certificateNumber: certificateNumberFor(type, serial),
          claims: claimsFor(type, serial),
          issuedAt: data.issuedAt,
          signer,
        }),
      );
    }
    const credentials = await Promise.all(pending);
    const signed = performance.now();
    const leaves = credentials.map(credentialLeaf);
    leafMs += performance.now() - signed;
    signMs += signed - started;
    port!.postMessage({ type: "chunk", from, credentials: credentials.join("\n"), leaves: leaves.join("\n") } satisfies IssueWorkerMessage);
  }
}

port.once("message", (message: unknown) => {
  if (message !== "go") throw new Error(`unexpected message ${JSON.stringify(message)}`);
  run().catch((error) => {
    // Rethrown outside the promise so the main thread's "error" event receives it.
    setImmediate(() => {
      throw error;
    });
  });
});
port.postMessage({ type: "ready" } satisfies IssueWorkerMessage);
