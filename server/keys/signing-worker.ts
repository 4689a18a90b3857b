// Worker thread of the signing pool (signing-pool.ts): builds and signs SD-JWT VCs and computes
// their leaves, exactly as the main thread would (same SDK functions, same node:crypto signer).
import type { KeyObject } from "node:crypto";
import { parentPort, workerData } from "node:worker_threads";
import { credentialLeaf, issueCredential, type CredentialSigner } from "@certchain/sdk";
import { createNodeSigner } from "./node-signer";
import type { SigningRequest, SigningWorkerData, WorkerReply } from "./signing-pool";

const port = parentPort;
if (!port) throw new Error("signing-worker.ts must run in a worker thread");
const data = (workerData ?? {}) as SigningWorkerData;
// Keys arrive once per worker (a KeyObject crosses threads by structured clone), then by kid.
const signers = new Map<string, CredentialSigner>();
let received = 0;

async function handle(request: SigningRequest): Promise<WorkerReply> {
  if (request.key) signers.set(request.kid, createNodeSigner(request.key as KeyObject));
  const signer = signers.get(request.kid);
  if (!signer) return { id: request.id, error: `no key ${request.kid} in this worker` };
  const issued = [];
  for (const parameters of request.items) {
    const credential = await issueCredential({ ...parameters, signer });
    issued.push({ credential, leaf: credentialLeaf(credential) });
  }
  return { id: request.id, issued };
}

port.on("message", (request: SigningRequest) => {
  // Test hook: the thread dies holding a request, as a crash would leave it.
  if (data.crashOnRequest !== undefined && ++received === data.crashOnRequest) process.exit(1);
  handle(request).then(
    (reply) => port.postMessage(reply),
    (error: unknown) => port.postMessage({ id: request.id, error: error instanceof Error ? error.message : String(error) }),
  );
});
port.postMessage({ type: "ready" });
