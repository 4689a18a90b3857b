import { verifyMany, type Envelope, type Hex, type VerificationResult } from "@certchain/sdk";
import type { MemorySampler } from "./memory";

export interface VerifyingResult {
  ms: number;
  valid: number;
  peakRss: number;
}

function describeFailures(results: readonly VerificationResult[]): string {
  const byReason = new Map<string, number>();
  for (const r of results) {
    if (r.verdict === "valid") continue;
    const key = `${r.verdict}: ${r.reason?.code ?? "?"} ${r.reason?.message ?? ""}`.trim();
    byReason.set(key, (byReason.get(key) ?? 0) + 1);
  }
  return [...byReason].slice(0, 10).map(([reason, count]) => `    ${count.toLocaleString("en-US")} × ${reason}`).join("\n");
}

/** Times one `verifyMany` over every envelope; every certificate must come back valid. */
export async function runVerifyMany(options: { envelopes: readonly Envelope[]; registry: { chainId: number; address: Hex; rpcUrl: string }; memory: MemorySampler }): Promise<VerifyingResult> {
  const { envelopes, memory } = options;
  memory.reset();
  const started = performance.now();
  const results = await verifyMany(envelopes, { registries: [options.registry] });
  const ms = performance.now() - started;
  const peakRss = memory.peak();

  if (results.length !== envelopes.length) throw new Error(`verifyMany returned ${results.length} results for ${envelopes.length} envelopes`);
  const valid = results.filter((r) => r.verdict === "valid").length;
  if (valid !== envelopes.length) {
    throw new Error(`verifyMany: only ${valid.toLocaleString("en-US")} of ${envelopes.length.toLocaleString("en-US")} certificates are valid; expected all:\n${describeFailures(results)}`);
  }
  return { ms, valid, peakRss };
}
