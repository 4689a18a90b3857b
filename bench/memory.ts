import { readFileSync } from "node:fs";
import { Worker } from "node:worker_threads";

/**
 * Peak resident memory of this process (main thread and all worker threads: RSS is per process),
 * sampled every 10 ms from a thread of its own, so a main thread busy in synchronous work (e.g.
 * verifyMany parsing 100,000 envelopes) does not hide its peak.
 */
export interface MemorySampler {
  /** Starts a new phase: the peak restarts from the current RSS. */
  reset(): void;
  /** Peak RSS since the last reset, in bytes. */
  peak(): number;
  stop(): Promise<void>;
}

const SAMPLER_SOURCE = `
const { workerData } = require("node:worker_threads");
const peak = new Int32Array(workerData.buffer);
const sample = () => {
  const kib = Math.ceil(process.memoryUsage.rss() / 1024);
  for (;;) {
    const old = Atomics.load(peak, 0);
    if (kib <= old || Atomics.compareExchange(peak, 0, old, kib) === old) break;
  }
};
sample();
setInterval(sample, 10);
`;

export function startMemorySampler(): MemorySampler {
  const buffer = new SharedArrayBuffer(4);
  const peakKib = new Int32Array(buffer);
  const worker = new Worker(SAMPLER_SOURCE, { eval: true, workerData: { buffer } });
  worker.unref();
  const current = () => Math.ceil(process.memoryUsage.rss() / 1024);
  Atomics.store(peakKib, 0, current());
  return {
    reset: () => Atomics.store(peakKib, 0, current()),
    peak: () => Math.max(Atomics.load(peakKib, 0), current()) * 1024,
    stop: async () => {
      await worker.terminate();
    },
  };
}

/** Lifetime peak RSS of this process (kernel's maxrss, covers every thread), in bytes. */
export const processMaxRss = (): number => process.resourceUsage().maxRSS * 1024;

/** Peak RSS (VmHWM) of another process on Linux, in bytes; undefined where /proc is unavailable. */
export function processPeakRss(pid: number): number | undefined {
  try {
    const match = /^VmHWM:\s+(\d+)\s+kB/m.exec(readFileSync(`/proc/${pid}/status`, "utf8"));
    return match ? Number(match[1]) * 1024 : undefined;
  } catch {
    return undefined;
  }
}
