import type { SignatureAlgorithm } from "./algorithms";
import { verifySignature } from "./signature";
import { toHex } from "../lib/bytes";
import { SM2_CURVE, SM2_Z_PREFIX } from "./sm2";

const CURVE_HEX = Object.fromEntries(Object.entries(SM2_CURVE).map(([name, value]) => [name, value.toString(16).padStart(64, "0")])) as Record<keyof typeof SM2_CURVE, string>;

/** One signature to check: as {@link verifySignature} takes it. */
export interface SignatureJob {
  alg: SignatureAlgorithm;
  publicKey: Uint8Array;
  signingInput: Uint8Array;
  signature: Uint8Array;
}

/** The part of `node:worker_threads`' Worker the pool uses. */
export interface PoolWorker {
  postMessage(message: unknown, transfer?: ArrayBuffer[]): void;
  on(event: "message", listener: (message: unknown) => void): unknown;
  on(event: "error", listener: (error: unknown) => void): unknown;
  on(event: "exit", listener: (code: number) => void): unknown;
  ref(): void;
  unref(): void;
  terminate(): Promise<number>;
}

/** Verifies batches of signatures; see {@link createSignaturePool}. */
export interface SignaturePool {
  /** One answer per job, in order. Never throws: a signature that cannot be checked is false. */
  verify(jobs: readonly SignatureJob[]): Promise<boolean[]>;
  /** Ends the workers (the pool still answers, inline). */
  close(): Promise<void>;
  /** Signatures checked by workers and inline (on this thread), for tests and benchmarks. */
  readonly stats: { inWorkers: number; inline: number; workerFailures: number };
}

/**
 * SM2 in the worker, as ./sm2 checks it (GB/T 32918.2 §7.1, user id 1234567812345678, SM3 from
 * node:crypto): a plain script cannot import the SDK's TypeScript, so the steps are written out
 * again here, over the same @noble/curves, and tests hold both to the same answers. `sm2` is
 * null where @noble/curves cannot be loaded: the worker then answers 2, "not checked".
 */
const SM2_WORKER_SOURCE = `
const sm2 = (() => {
  try {
    const { weierstrass } = require(workerData.weierstrass);
    const big = (b) => BigInt("0x" + (Buffer.from(b).toString("hex") || "0"));
    const curve = { p: 0x${CURVE_HEX.p}n, n: 0x${CURVE_HEX.n}n, h: 1n, a: 0x${CURVE_HEX.a}n, b: 0x${CURVE_HEX.b}n, Gx: 0x${CURVE_HEX.Gx}n, Gy: 0x${CURVE_HEX.Gy}n };
    const Point = weierstrass(curve);
    const N = curve.n;
    const prefix = Buffer.from("${toHex(SM2_Z_PREFIX).slice(2)}", "hex");
    const keys = new Map();
    const keyOf = (bytes) => {
      const id = Buffer.from(bytes).toString("hex");
      let key = keys.get(id);
      if (key === undefined) {
        try {
          key = bytes.length === 65 && bytes[0] === 4 ? { point: Point.fromBytes(bytes), z: crypto.createHash("sm3").update(prefix).update(bytes.subarray(1)).digest(), uses: 0 } : null;
        } catch { key = null; }
        if (keys.size >= 1024) keys.clear();
        keys.set(id, key);
      }
      return key;
    };
    return {
      verify(publicKey, input, signature) {
        try {
          const key = keyOf(publicKey);
          if (!key || signature.length !== 64) return false;
          const r = big(signature.subarray(0, 32));
          const s = big(signature.subarray(32));
          if (r < 1n || r >= N || s < 1n || s >= N) return false;
          const e = big(crypto.createHash("sm3").update(key.z).update(input).digest());
          const t = (r + s) % N;
          if (t === 0n) return false;
          if (++key.uses === 16) key.point.precompute(8, false);
          const sum = Point.BASE.multiplyUnsafe(s).add(key.point.multiplyUnsafe(t));
          return !sum.is0() && (e + sum.x) % N === r;
        } catch { return false; }
      },
    };
  } catch {
    return null;
  }
})();
`;

/**
 * The worker: node:crypto checks signatures synchronously (no promise per signature), with keys
 * imported through WebCrypto exactly as {@link verifySignature} imports them, so both accept the
 * same keys and give the same answers. Plain JS evaluated as the worker's script: nothing to
 * resolve on disk, whether the SDK runs from sources, a bundle or the packed package.
 */
const WORKER_SOURCE = `
const { parentPort, workerData } = require("node:worker_threads");
const crypto = require("node:crypto");
${SM2_WORKER_SOURCE}
const IMPORT = { EdDSA: { name: "Ed25519" }, ES256: { name: "ECDSA", namedCurve: "P-256" } };
const keys = new Map();
async function keyOf(alg, bytes) {
  const id = alg + ":" + Buffer.from(bytes).toString("hex");
  let key = keys.get(id);
  if (key === undefined) {
    if (keys.size >= 1024) keys.clear();
    key = crypto.webcrypto.subtle.importKey("raw", bytes, IMPORT[alg], true, ["verify"]).then((k) => crypto.KeyObject.from(k), () => null);
    keys.set(id, key);
  }
  return key;
}
parentPort.on("message", async ({ id, algs, publicKeys, keyIndex, data, offsets }) => {
  const bytes = new Uint8Array(data);
  const answers = new Uint8Array(keyIndex.length);
  const imported = await Promise.all(publicKeys.map((k, i) => (algs[i] === "SM2" ? null : keyOf(algs[i], k))));
  for (let j = 0; j < keyIndex.length; j++) {
    const key = imported[keyIndex[j]];
    const alg = algs[keyIndex[j]];
    const input = bytes.subarray(offsets[4 * j], offsets[4 * j] + offsets[4 * j + 1]);
    const signature = bytes.subarray(offsets[4 * j + 2], offsets[4 * j + 2] + offsets[4 * j + 3]);
    if (alg === "SM2") {
      answers[j] = sm2 ? (sm2.verify(publicKeys[keyIndex[j]], input, signature) ? 1 : 0) : 2;
      continue;
    }
    if (!key) continue;
    try {
      answers[j] = crypto.verify(alg === "EdDSA" ? null : "sha256", input, alg === "EdDSA" ? key : { key, dsaEncoding: "ieee-p1363" }, signature) ? 1 : 0;
    } catch {}
  }
  parentPort.postMessage({ id, answers }, [answers.buffer]);
});
`;

type WorkerThreads = { Worker: new (source: string, options: { eval: true; execArgv: string[]; workerData?: unknown }) => PoolWorker };
type NodeOs = { availableParallelism?: () => number; cpus: () => unknown[] };
const builtin = (id: string): unknown => (globalThis as { process?: { getBuiltinModule?: (id: string) => unknown } }).process?.getBuiltinModule?.(id);

/**
 * Where @noble/curves' Weierstrass module is, for the workers' SM2: resolved as this SDK resolves
 * its own imports (CommonJS), else from the process's working directory (an application bundle
 * or the ES module build). Not found: the workers answer "not checked" for SM2 and this thread
 * checks those signatures.
 */
declare const require: ((id: string) => unknown) & { resolve?: (id: string) => string };
type NodeModule = { createRequire(filename: string): { resolve(id: string): string } };
type NodeProcess = { cwd(): string; getBuiltinModule?: (id: string) => unknown };

function nobleWeierstrassPath(): string | undefined {
  const id = "@noble/curves/abstract/weierstrass.js";
  try {
    if (typeof require === "function" && typeof require.resolve === "function") return require.resolve(id);
  } catch {
    // a bundle: the SDK's own location has no node_modules
  }
  try {
    const process = (globalThis as { process?: NodeProcess }).process;
    const module = process?.getBuiltinModule?.("node:module") as NodeModule | undefined;
    return module?.createRequire(`${process!.cwd()}/noop.js`).resolve(id);
  } catch {
    return undefined;
  }
}

/**
 * Node's worker threads, reached without an import a browser bundler would resolve; undefined
 * elsewhere. `weierstrass`: where the workers load @noble/curves' module for SM2 from.
 */
export function nodeWorkerFactory(options: { weierstrass?: string } = {}): (() => PoolWorker) | undefined {
  const threads = builtin("node:worker_threads") as WorkerThreads | undefined;
  if (!threads?.Worker) return undefined;
  // No inherited flags (a `--require` hook of the caller's): the worker needs only node:crypto,
  // and for SM2 @noble/curves, found where this SDK finds it.
  const workerData = { weierstrass: options.weierstrass ?? nobleWeierstrassPath() };
  return () => new threads.Worker(WORKER_SOURCE, { eval: true, execArgv: [], workerData });
}

function defaultSize(): number {
  const os = builtin("node:os") as NodeOs | undefined;
  const cores = os ? (os.availableParallelism?.() ?? os.cpus().length) : 1;
  return Math.max(1, Math.min(4, cores));
}

/** Fewer signatures than this are checked inline: starting a worker costs more than they do. */
const MIN_WORKER_BATCH = 64;
/** Signatures per message to a worker: several messages per batch keep every worker busy. */
const SLICE = 256;

interface Slot {
  worker: PoolWorker;
  /** Messages sent and not answered, by id: their jobs are checked inline if the worker dies. */
  outstanding: Map<number, { jobs: readonly SignatureJob[]; resolve: (answers: boolean[]) => void }>;
}

/**
 * A pool of worker threads that check signatures in batches, off the caller's thread, for
 * `verifyMany`: in Node, with `size` workers (default: the cores, at most four), started on first
 * use. Where workers are unavailable (browsers, `spawn` failing) and for small batches, it
 * checks inline with {@link verifySignature}. A worker that fails or exits is replaced on next
 * use and its outstanding signatures are checked inline: no answer is lost. Workers hold the
 * process open only while they have work (a CLI exits when done).
 */
export function createSignaturePool(options: { size?: number; spawn?: () => PoolWorker } = {}): SignaturePool {
  const spawn = options.spawn ?? nodeWorkerFactory();
  const size = Math.max(1, options.size ?? defaultSize());
  const slots: (Slot | undefined)[] = new Array(size).fill(undefined);
  const stats = { inWorkers: 0, inline: 0, workerFailures: 0 };
  let nextId = 0;
  let closed = false;

  const inline = async (jobs: readonly SignatureJob[]): Promise<boolean[]> => {
    stats.inline += jobs.length;
    return Promise.all(jobs.map((job) => verifySignature(job.alg, job.publicKey, job.signingInput, job.signature)));
  };

  const retire = (index: number, slot: Slot) => {
    if (slots[index] !== slot) return;
    slots[index] = undefined;
    stats.workerFailures += 1;
    const lost = [...slot.outstanding.values()];
    slot.outstanding.clear();
    slot.worker.terminate().catch(() => undefined);
    for (const { jobs, resolve } of lost) void inline(jobs).then(resolve);
  };

  const slotAt = (index: number): Slot | undefined => {
    const existing = slots[index];
    if (existing || !spawn || closed) return existing;
    let worker: PoolWorker;
    try {
      worker = spawn();
    } catch {
      return undefined;
    }
    const slot: Slot = { worker, outstanding: new Map() };
    worker.on("message", (message) => {
      const { id, answers } = message as { id: number; answers: Uint8Array };
      const pending = slot.outstanding.get(id);
      if (!pending) return;
      slot.outstanding.delete(id);
      if (slot.outstanding.size === 0) worker.unref();
      // 2: a worker that could not load the SM2 code leaves those signatures to this thread.
      const unchecked = pending.jobs.filter((_, j) => answers[j] === 2);
      stats.inWorkers += pending.jobs.length - unchecked.length;
      if (unchecked.length === 0) return pending.resolve(Array.from(answers, (a) => a === 1));
      void inline(unchecked).then((checked) => {
        let k = 0;
        pending.resolve(Array.from(answers, (a) => (a === 2 ? checked[k++] : a === 1)));
      });
    });
    worker.on("error", () => retire(index, slot));
    worker.on("exit", () => retire(index, slot));
    worker.unref();
    slots[index] = slot;
    return slot;
  };

  const send = (slot: Slot, jobs: readonly SignatureJob[]): Promise<boolean[]> =>
    new Promise((resolve) => {
      // One buffer per message, handed over rather than copied: inputs and signatures side by side.
      let total = 0;
      for (const job of jobs) total += job.signingInput.length + job.signature.length;
      const data = new Uint8Array(total);
      const offsets = new Uint32Array(4 * jobs.length);
      const keyIds = new Map<string, number>();
      // A group's jobs share the key object of their chain context: found by identity first.
      const byObject = new Map<Uint8Array, number>();
      const algs: SignatureAlgorithm[] = [];
      const publicKeys: Uint8Array[] = [];
      const keyIndex = new Uint16Array(jobs.length);
      let at = 0;
      jobs.forEach((job, j) => {
        let k = byObject.get(job.publicKey);
        if (k === undefined || algs[k] !== job.alg) {
          const keyId = `${job.alg}:${String.fromCharCode.apply(null, job.publicKey as unknown as number[])}`;
          k = keyIds.get(keyId);
          if (k === undefined) {
            keyIds.set(keyId, (k = publicKeys.length));
            algs.push(job.alg);
            publicKeys.push(job.publicKey.slice());
          }
          byObject.set(job.publicKey, k);
        }
        keyIndex[j] = k;
        data.set(job.signingInput, at);
        offsets[4 * j] = at;
        offsets[4 * j + 1] = job.signingInput.length;
        at += job.signingInput.length;
        data.set(job.signature, at);
        offsets[4 * j + 2] = at;
        offsets[4 * j + 3] = job.signature.length;
        at += job.signature.length;
      });
      const id = nextId++;
      slot.outstanding.set(id, { jobs, resolve });
      slot.worker.ref();
      try {
        slot.worker.postMessage({ id, algs, publicKeys, keyIndex, data: data.buffer, offsets }, [data.buffer]);
      } catch {
        slot.outstanding.delete(id);
        void inline(jobs).then(resolve);
      }
    });

  async function verify(jobs: readonly SignatureJob[]): Promise<boolean[]> {
    try {
      if (jobs.length < MIN_WORKER_BATCH || !spawn || closed) return await inline(jobs);
      const parts: Promise<boolean[]>[] = [];
      for (let start = 0, n = 0; start < jobs.length; start += SLICE, n++) {
        const slice = jobs.slice(start, start + SLICE);
        // The least busy worker; none could be started: inline.
        let best: Slot | undefined;
        for (let i = 0; i < size; i++) {
          const slot = slotAt((n + i) % size);
          if (slot && (!best || slot.outstanding.size < best.outstanding.size)) best = slot;
        }
        parts.push(best ? send(best, slice) : inline(slice));
      }
      return (await Promise.all(parts)).flat();
    } catch {
      // Something no check foresaw (a job that is not bytes): each signature on its own.
      return inline(jobs).catch(() => jobs.map(() => false));
    }
  }

  async function close(): Promise<void> {
    closed = true;
    const open = slots.filter((slot): slot is Slot => slot !== undefined);
    slots.fill(undefined);
    for (const slot of open) {
      const lost = [...slot.outstanding.values()];
      slot.outstanding.clear();
      for (const { jobs, resolve } of lost) void inline(jobs).then(resolve);
    }
    await Promise.all(open.map((slot) => slot.worker.terminate().catch(() => undefined)));
  }

  return { verify, close, stats };
}

let shared: SignaturePool | undefined;

/** The pool `verifyMany` uses, created on first use (its workers start only for large batches). */
export function sharedSignaturePool(): SignaturePool {
  shared ??= createSignaturePool();
  return shared;
}
