import path from "node:path";
import { Worker } from "node:worker_threads";
import type { Hex } from "@certchain/sdk";
import type { IssueWorkerData, IssueWorkerMessage } from "./issue-worker";

export interface SignedBatch {
  /** Index i holds serial i's credential (serials run 0 … n-1); leaves go to `onChunk`. */
  credentials: string[];
  /** Worker start-up (ts-node compiling the SDK), before timing starts. */
  startupMs: number;
  /** Wall time from "go" until every credential is back on the main thread and `onChunk` has run for each. */
  wallMs: number;
  /** CPU time of the whole process (main thread and workers, user + system) over the same span. */
  cpuMs: number;
  /** Per worker: time spent in issueCredential and in credentialLeaf. */
  workers: { signMs: number; leafMs: number; count: number }[];
}

/** Certificates per message from a worker, and the unit dealt to the workers. */
const CHUNK = 1_000;
const WORKER_FILE = path.join(__dirname, "issue-worker.ts");
// Workers do not inherit ts-node from `ts-node bench/run.ts`: register it in each.
const WORKER_EXEC_ARGV = ["-r", "ts-node/register/transpile-only"];

interface Running {
  worker: Worker;
  ready: Promise<void>;
  done: Promise<{ signMs: number; leafMs: number; count: number }>;
}

/**
 * Issues serials 0 … n-1 across `workerCount` threads with one shared signing key. Chunks of
 * `CHUNK` serials are dealt to the threads in turn, batch by batch, so every thread works on the
 * same anchor batch (`batchSize` serials) at a time and batches complete one after another, the
 * last one alone at the very end; each chunk's credentials + leaves go to `onChunk` as they arrive.
 */
export async function signInWorkers(options: {
  n: number;
  batchSize: number;
  workerCount: number;
  privateKeyDer: Uint8Array;
  issuer: string;
  issuedAt: number;
  onProgress?: (done: number) => void;
  /** Called on the main thread for every chunk as it arrives (serials [from, from + leaves.length)). */
  onChunk?: (from: number, leaves: Hex[]) => void;
}): Promise<SignedBatch> {
  const { n, workerCount } = options;
  const credentials: string[] = new Array(n);
  let received = 0;
  const rangesOf: { from: number; to: number }[][] = Array.from({ length: workerCount }, () => []);
  let dealt = 0;
  for (let batch = 0; batch < n; batch += options.batchSize) {
    const batchEnd = Math.min(n, batch + options.batchSize);
    // Chunks never straddle a batch, so each completes a known part of one batch.
    for (let from = batch; from < batchEnd; from += CHUNK) rangesOf[dealt++ % workerCount].push({ from, to: Math.min(batchEnd, from + CHUNK) });
  }
  const running: Running[] = [];
  const startupStarted = performance.now();

  try {
    for (let w = 0; w < workerCount; w++) {
      const ranges = rangesOf[w];
      if (ranges.length === 0) break;
      const workerData: IssueWorkerData = {
        privateKeyDer: options.privateKeyDer,
        issuer: options.issuer,
        issuedAt: options.issuedAt,
        ranges,
        chunkSize: CHUNK,
      };
      const worker = new Worker(WORKER_FILE, { execArgv: WORKER_EXEC_ARGV, workerData });
      let markReady!: () => void;
      const ready = new Promise<void>((resolve) => (markReady = resolve));
      const done = new Promise<{ signMs: number; leafMs: number; count: number }>((resolve, reject) => {
        worker.on("message", (message: IssueWorkerMessage) => {
          if (message.type === "ready") markReady();
          else if (message.type === "chunk") {
            const chunk = message.credentials.split("\n");
            for (let i = 0; i < chunk.length; i++) credentials[message.from + i] = chunk[i];
            received += chunk.length;
            options.onProgress?.(received);
            try {
              options.onChunk?.(message.from, message.leaves.split("\n") as Hex[]);
            } catch (error) {
              reject(error);
            }
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
    const cpuStarted = process.cpuUsage();
    for (const r of running) r.worker.postMessage("go");
    const workers = await Promise.all(running.map((r) => r.done));
    const wallMs = performance.now() - started;
    const cpu = process.cpuUsage(cpuStarted);

    if (received !== n) throw new Error(`expected ${n} credentials from the workers, received ${received}`);
    return { credentials, startupMs, wallMs, cpuMs: (cpu.user + cpu.system) / 1000, workers };
  } finally {
    await Promise.all(running.map((r) => r.worker.terminate()));
  }
}
