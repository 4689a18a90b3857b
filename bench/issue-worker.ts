// Worker thread: signs a contiguous share of the benchmark's certificates and computes their
// leaves. Loaded as TypeScript through ts-node (see signing-pool.ts for how it is spawned).
import { createPrivateKey } from "node:crypto";
import { parentPort, workerData } from "node:worker_threads";
import { createNodeSigner } from "../server/keys/node-signer";
import { credentialLeaf, issueCredential, type Hex } from "@certchain/sdk";
import { benchType, certificateNumberFor, claimsFor } from "./claims";

export interface IssueWorkerData {
  /** The agency's Ed25519 signing key, PKCS#8 DER. */
  privateKeyDer: Uint8Array;
  issuer: string;
  issuedAt: number;
  /** Serials [from, to) to issue. */
  from: number;
  to: number;
  /** Certificates per message back to the main thread. */
  chunkSize: number;
}

export type IssueWorkerMessage =
  | { type: "ready" }
  | { type: "chunk"; from: number; credentials: string[]; leaves: Hex[] }
  | { type: "done"; signMs: number; leafMs: number; count: number };

const port = parentPort;
if (!port) throw new Error("issue-worker.ts must run in a worker thread");
const data = workerData as IssueWorkerData;
const type = benchType();
const signer = createNodeSigner(createPrivateKey({ key: Buffer.from(data.privateKeyDer), format: "der", type: "pkcs8" }));

async function run(): Promise<void> {
  let signMs = 0;
  let leafMs = 0;
  for (let from = data.from; from < data.to; from += data.chunkSize) {
    const to = Math.min(from + data.chunkSize, data.to);
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
    port!.postMessage({ type: "chunk", from, credentials, leaves } satisfies IssueWorkerMessage);
  }
  port!.postMessage({ type: "done", signMs, leafMs, count: data.to - data.from } satisfies IssueWorkerMessage);
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
