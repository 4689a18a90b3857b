import path from "node:path";

/** What the benchmark runs and what it is judged against (issue 2, "Benchmark (not a test)"). */
export interface BenchConfig {
  /** Certificates issued, anchored and verified (env BENCH_N, default 100,000). */
  n: number;
  /** Certificates per Merkle tree, i.e. per `anchorRoot` transaction. */
  batchSize: number;
  /** Signing worker threads (the machine has 2 cores). */
  workers: number;
  /** Sequential single POSTs with `Prefer: wait` timed for the latency figure (env BENCH_LATENCY_N, default 200; 0 skips). */
  latencyCount: number;
  /** Certificates of the SM2 (国密) rows, issued, anchored and verified as the main ones (env BENCH_SM2_N, default 10,000, at most BENCH_N; 0 skips). */
  sm2Count: number;
  /** Whether the service end to end and the single-certificate latency run (env BENCH_SERVICE=0 skips both). */
  service: boolean;
  targets: {
    issuingPerSecond: number;
    verifyPerSecond: number;
    httpIssuingPerSecond: number;
    /** The service's figure as a share of the primitives figure of the same run. */
    httpToIssuingRatio: number;
    gasPerCertificate: number;
    servicePeakRssBytes: number;
    verifyPeakRssBytes: number;
    singleP50Ms: number;
    singleP99Ms: number;
  };
  resultsFile: string;
}

function positiveInteger(name: string, fallback: number, allowZero = false): number {
  const raw = process.env[name];
  if (raw === undefined || raw === "") return fallback;
  const value = Number(raw.replace(/[_,]/g, ""));
  if (!Number.isSafeInteger(value) || value < (allowZero ? 0 : 1)) throw new Error(`${name} must be a ${allowZero ? "non-negative" : "positive"} integer, got ${JSON.stringify(raw)}`);
  return value;
}

export function loadConfig(): BenchConfig {
  return {
    n: positiveInteger("BENCH_N", 100_000),
    batchSize: positiveInteger("BENCH_BATCH", 10_000),
    workers: positiveInteger("BENCH_WORKERS", 2),
    latencyCount: positiveInteger("BENCH_LATENCY_N", 200, true),
    sm2Count: Math.min(positiveInteger("BENCH_SM2_N", 10_000, true), positiveInteger("BENCH_N", 100_000)),
    service: process.env.BENCH_SERVICE !== "0",
    // issue 12 ("Twice as fast end to end, half the memory"); gas from issue 3
    targets: {
      issuingPerSecond: 25_000,
      verifyPerSecond: 10_000,
      httpIssuingPerSecond: 8_000,
      httpToIssuingRatio: 0.5,
      gasPerCertificate: 50,
      servicePeakRssBytes: 512 * 1024 ** 2,
      verifyPeakRssBytes: 512 * 1024 ** 2,
      singleP50Ms: 2_500,
      singleP99Ms: 4_000,
    },
    // test-artifacts/ is gitignored.
    resultsFile: path.join(__dirname, "..", "test-artifacts", "bench", "results.json"),
  };
}
