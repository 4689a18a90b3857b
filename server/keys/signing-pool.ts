import type { KeyObject } from "node:crypto";
import os from "node:os";
import path from "node:path";
import { Worker } from "node:worker_threads";
import { credentialLeaf, issueCredential, type Hex, type IssueCredentialParameters } from "@certchain/sdk";
import type { ActiveSigner } from "./key-store";

/** What the pool signs: everything {@link issueCredential} takes but the signer. */
export type UnsignedCredential = Omit<IssueCredentialParameters, "signer">;

export interface IssuedCredential {
  credential: string;
  leaf: Hex;
}

/** Main thread → worker: one slice of a batch, with the key the first time this worker sees it. */
export interface SigningRequest {
  id: number;
  kid: string;
  key?: KeyObject;
  items: UnsignedCredential[];
}
export type WorkerReply = { type: "ready" } | { id: number; issued: IssuedCredential[] } | { id: number; error: string };
export interface SigningWorkerData {
  /** Test hook: the worker exits on receiving its n-th request. */
  crashOnRequest?: number;
}

export interface SigningPoolOptions {
  /** Worker threads; 0 signs on the main thread. Default: one fewer than the cores, at least 1. */
  size?: number;
  /** Credentials per message to a worker. Default 200. */
  slice?: number;
  /** Test hook, passed to the first worker only. */
  faults?: SigningWorkerData;
  /** Told when a worker dies (its work is redone on the main thread and it is replaced). */
  onWorkerExit?: (error: unknown) => void;
}

interface PoolWorker {
  thread: Worker;
  ready: boolean;
  keys: Set<string>;
  /** Requests sent and not answered: redone on the main thread if the thread dies. */
  outstanding: Map<number, { request: SigningRequest; signer: ActiveSigner; resolve: (issued: IssuedCredential[]) => void; reject: (error: unknown) => void }>;
}

const WORKER_FILE = path.join(__dirname, `signing-worker${path.extname(__filename)}`);
let bundled: string | undefined;

/**
 * How a worker thread is started. Compiled, from its file. From TypeScript sources (npm start,
 * the tests), as one JavaScript bundle built once by esbuild: ts-node in each thread would load
 * the TypeScript compiler there too (~125 MiB and seconds of start-up per thread); ts-node is
 * the fallback if esbuild fails.
 */
function workerScript(): { script: string; eval: boolean; execArgv: string[] } {
  if (path.extname(__filename) !== ".ts") return { script: WORKER_FILE, eval: false, execArgv: process.execArgv };
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    bundled ??= (require("esbuild") as typeof import("esbuild")).buildSync({
      entryPoints: [WORKER_FILE],
      bundle: true,
      platform: "node",
      format: "cjs",
      target: `node${process.versions.node.split(".")[0]}`,
      write: false,
      logLevel: "silent",
      // The SDK from its sources, as the main thread resolves it here (.npmrc, tsconfig paths).
      conditions: ["certchain-source"],
    }).outputFiles[0].text;
    return { script: bundled, eval: true, execArgv: process.execArgv };
  } catch {
    return { script: WORKER_FILE, eval: false, execArgv: [...process.execArgv, "-r", "ts-node/register/transpile-only"] };
  }
}
/** A pool whose workers keep dying stops replacing them (and signs on the main thread). */
const MAX_RESTARTS = 5;

/** The credentials of `items`, signed here on the main thread. */
export async function issueLocally(signer: ActiveSigner, items: readonly UnsignedCredential[]): Promise<IssuedCredential[]> {
  const issued: IssuedCredential[] = [];
  for (const parameters of items) {
    const credential = await issueCredential({ ...parameters, signer });
    issued.push({ credential, leaf: credentialLeaf(credential) });
  }
  return issued;
}

/**
 * Signs batches of credentials in worker threads (node:worker_threads), so a batch request's
 * SD-JWT building, Ed25519 signatures and leaf hashes run beside the main thread's HTTP, checks
 * and LevelDB writes. Falls back to the main thread whenever no worker is ready: while they start,
 * if they cannot start, and for the slices a
 * worker held when it died (it is then replaced, a few times at most). Results come back in
 * input order and are what the main thread would produce: the same SDK functions and signer.
 */
export function createSigningPool(options: SigningPoolOptions = {}) {
  const size = Math.max(0, options.size ?? Math.max(1, os.availableParallelism() - 1));
  const slice = Math.max(1, options.slice ?? 200);
  const workers = new Set<PoolWorker>();
  let nextId = 0;
  let restarts = 0;
  let closed = false;
  let next = 0;
  const counts = { inWorkers: 0, onMainThread: 0, workerDeaths: 0 };
  const local = (signer: ActiveSigner, items: readonly UnsignedCredential[]) => {
    counts.onMainThread += items.length;
    return issueLocally(signer, items);
  };

  function spawn(faults?: SigningWorkerData): void {
    let thread: Worker;
    try {
      const { script, eval: isSource, execArgv } = workerScript();
      thread = new Worker(script, { eval: isSource, execArgv, workerData: faults ?? {} });
    } catch (error) {
      options.onWorkerExit?.(error);
      return;
    }
    // A pool of idle workers must not keep the process alive.
    thread.unref();
    const worker: PoolWorker = { thread, ready: false, keys: new Set(), outstanding: new Map() };
    workers.add(worker);
    thread.on("message", (reply: WorkerReply) => {
      if ("type" in reply) {
        worker.ready = true;
        return;
      }
      const job = worker.outstanding.get(reply.id);
      if (!job) return;
      worker.outstanding.delete(reply.id);
      if ("error" in reply) job.reject(new Error(reply.error));
      else {
        counts.inWorkers += reply.issued.length;
        job.resolve(reply.issued);
      }
    });
    const died = (error: unknown) => {
      if (!workers.delete(worker)) return;
      const orphans = [...worker.outstanding.values()];
      worker.outstanding.clear();
      // What the thread held is signed here instead: nothing a caller waits for is lost.
      for (const job of orphans) local(job.signer, job.request.items).then(job.resolve, job.reject);
      if (closed) return;
      counts.workerDeaths += 1;
      options.onWorkerExit?.(error);
      if (restarts++ < MAX_RESTARTS) spawn();
    };
    thread.on("error", died);
    thread.on("exit", (code) => died(new Error(`signing worker exited with code ${code}`)));
  }

  for (let i = 0; i < size; i++) spawn(i === 0 ? options.faults : undefined);

  function send(worker: PoolWorker, signer: ActiveSigner, items: UnsignedCredential[]): Promise<IssuedCredential[]> {
    return new Promise((resolve, reject) => {
      const request: SigningRequest = { id: nextId++, kid: signer.kid, items };
      if (!worker.keys.has(signer.kid)) {
        request.key = signer.privateKey;
        worker.keys.add(signer.kid);
      }
      worker.outstanding.set(request.id, { request, signer, resolve, reject });
      worker.thread.postMessage(request);
    });
  }

  return {
    /** Credentials signed in workers and on the main thread so far, and workers that died. */
    stats: () => ({ ...counts }),

    /** Worker threads ready to sign now. */
    readyWorkers: (): number => [...workers].filter((w) => w.ready).length,

    /** Resolves once `count` workers are ready (or none can be: then false), within `timeoutMs`. */
    async whenReady(count = size, timeoutMs = 60_000): Promise<boolean> {
      const deadline = Date.now() + timeoutMs;
      while (Date.now() < deadline) {
        if ([...workers].filter((w) => w.ready).length >= count) return true;
        if (workers.size === 0) return false;
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
      return false;
    },

    /** `items` signed with `signer`, in input order; in the workers when any is ready, else here. */
    async issue(signer: ActiveSigner, items: readonly UnsignedCredential[]): Promise<IssuedCredential[]> {
      const ready = [...workers].filter((w) => w.ready);
      if (ready.length === 0 || closed || signer.privateKey === undefined) return local(signer, items);
      const slices: Promise<IssuedCredential[]>[] = [];
      for (let start = 0; start < items.length; start += slice) {
        slices.push(send(ready[next++ % ready.length], signer, items.slice(start, start + slice)));
      }
      return (await Promise.all(slices)).flat();
    },

    async close(): Promise<void> {
      closed = true;
      const threads = [...workers];
      await Promise.all(threads.map((w) => w.thread.terminate()));
    },
  };
}

export type SigningPool = ReturnType<typeof createSigningPool>;
