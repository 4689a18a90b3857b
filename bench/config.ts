import path from "node:path";

/** What the benchmark runs and what it is judged against (issue 2, "Benchmark (not a test)"). */
export interface BenchConfig {
  /** Certificates issued, anchored and verified (env BENCH_N, default 100,000). */
  n: number;
  /** Certificates per Merkle tree, i.e. per `anchorRoot` transaction. */
  batchSize: number;
  /** Signing worker threads (the machine has 2 cores). */
  workers: number;
  targets: { issuingPerSecond: number; verifyPerSecond: number; httpIssuingPerSecond: number; gasPerCertificate: number; servicePeakRssBytes: number };
  resultsFile: string;
}

function positiveInteger(name: string, fallback: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === "") return fallback;
  const value = Number(raw.replace(/[_,]/g, ""));
  if (!Number.isSafeInteger(value) || value <= 0) throw new Error(`${name} must be a positive integer, got ${JSON.stringify(raw)}`);
  return value;
}

export function loadConfig(): BenchConfig {
  return {
    n: positiveInteger("BENCH_N", 100_000),
    batchSize: positiveInteger("BENCH_BATCH", 10_000),
    workers: positiveInteger("BENCH_WORKERS", 2),
    // issue 2 (primitives, verifyMany) and issue 3 (the service end to end)
    targets: { issuingPerSecond: 8_000, verifyPerSecond: 5_000, httpIssuingPerSecond: 4_000, gasPerCertificate: 50, servicePeakRssBytes: 1024 ** 3 },
    // test-artifacts/ is gitignored.
    resultsFile: path.join(__dirname, "..", "test-artifacts", "bench", "results.json"),
  };
}
