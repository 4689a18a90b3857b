import path from "node:path";
import { Worker } from "node:worker_threads";
import type { Hex } from "@certchain/sdk";
import type { IssueWorkerData, IssueWorkerMessage } from "./issue-worker";

export interface SignedBatch {
  /** Index i holds serial i's credential (serials run 0 … n-1). */
  credentials: string[];
  leaves: Hex[];
  /** Worker start-up (ts-node compiling the SDK), before timing starts. */
  startupMs: number;
  /** Wall time from "go" until every credential is back on the main thread. */
  wallMs: number;
  /** Per worker: time spent in issueCredential and in credentialLeaf. */
  workers: { signMs: number; leafMs: number; count: number }[];
}

const WORKER_FILE = path.join(__dirname, "issue-worker.ts");
// Workers do not inherit ts-node from `ts-node bench/run.ts`: register it in each.
const WORKER_EXEC_ARGV = ["-r", "ts-node/register/transpile-only"];

interface Running {
  worker: Worker;
  ready: Promise<void>;
  done: Promise<{ signMs: number; leafMs: number; count: number }>;
}

/**
 * Issues serials 0 … n-1 across `workerCount` threads with one shared signing key; each thread
 * signs a contiguous share and sends credentials + leaves back in chunks.
 */
export async function signInWorkers(options: {
  n: number;
  workerCount: number;
  privateKeyDer: Uint8Array;
  issuer: string;
  issuedAt: number;
  onProgress?: (done: number) => void;
}): Promise<SignedBatch> {
  const { n, workerCount } = options;
  const credentials: string[] = new Array(n);
  const leaves: Hex[] = new Array(n);
  let received = 0;
  const share = Math.ceil(n / workerCount);
  const running: Running[] = [];
  const startupStarted = performance.now();

  try {
    for (let w = 0; w < workerCount; w++) {
      const from = w * share;
      const to = Math.min(n, from + share);
      if (from >= to) break;
      const workerData: IssueWorkerData = {
        privateKeyDer: options.privateKeyDer,
        issuer: options.issuer,
        issuedAt: options.issuedAt,
        from,
        to,
        chunkSize: 1_000,
      };
      const worker = new Worker(WORKER_FILE, { execArgv: WORKER_EXEC_ARGV, workerData });
      let markReady!: () => void;
      const ready = new Promise<void>((resolve) => (markReady = resolve));
      const done = new Promise<{ signMs: number; leafMs: number; count: number }>((resolve, reject) => {
        worker.on("message", (message: IssueWorkerMessage) => {
          if (message.type === "ready") markReady();
          else if (message.type === "chunk") {
            for (let i = 0; i < message.credentials.length; i++) {
              credentials[message.from + i] = message.credentials[i];
              leaves[message.from + i] = message.leaves[i];
            }
            received += message.credentials.length;
            options.onProgress?.(received);
          } else if (message.type === "done") resolve(message);
        });
        worker.on("error", (error) => reject(new Error(`signing worker ${w} failed: ${error.message}`, { cause: error })));
        worker.on("exit", (code) => reject(new Error(`signing worker ${w} exited (code ${code}) before finishing its share`)));
      });
      // A worker failing during start-up must not leave `ready` pending forever.
      running.push({ worker, ready: Promise.race([ready, done.then(() => undefined)]), done });
    }
    await Promise.all(running.map((r) => r.ready));
    const startupMs = performance.now() - startupStarted;

    const started = performance.now();
    for (const r of running) r.worker.postMessage("go");
    const workers = await Promise.all(running.map((r) => r.done));
    const wallMs = performance.now() - started;

    if (received !== n) throw new Error(`expected ${n} credentials from the workers, received ${received}`);
    return { credentials, leaves, startupMs, wallMs, workers };
  } finally {
    await Promise.all(running.map((r) => r.worker.terminate()));
  }
}
