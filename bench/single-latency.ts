import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { findTypeById } from "@certchain/sdk";
import { loadConfig } from "../server/config";
import { killLeftoverNode, startServiceProcess, type ServiceProcess } from "../test/support/service-process";
import { freePort } from "../test/support/ports";

export interface LatencyResult {
  count: number;
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
  /** The batching settings the service ran with (its defaults). */
  batchDelayMs: number;
}

/** The value at quantile q (0..1) of a sample, nearest rank. */
export function quantile(values: readonly number[], q: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))];
}

/**
 * A citizen-facing desk issuing one certificate at a time: `count` sequential
 * `POST /v1/certificates` with `Prefer: wait=60`, each timed until its anchored envelope is back,
 * against the service with its default batching (`npm start`'s settings, a fresh data dir).
 */
export async function runSingleLatency(options: { count: number; log: (line: string) => void }): Promise<LatencyResult> {
  const defaults = loadConfig({}, []);
  const dataDir = mkdtempSync(path.join(tmpdir(), "certchain-bench-latency-"));
  let service: ServiceProcess | undefined;
  try {
    // startServiceProcess shortens the batch delay for tests: give the service its defaults back.
    service = await startServiceProcess(dataDir, {
      chainPort: await freePort(),
      viaTsNode: true,
      env: { BATCH_SIZE: String(defaults.batchSize), BATCH_DELAY_MS: String(defaults.batchDelayMs), RATE_LIMIT_PER_MINUTE: String(defaults.rateLimitPerMinute) },
    });
    const { demo } = service;
    const token = demo.agencies.find((a) => a.id === "sh-amr")!.token;
    const example = findTypeById("business-licence")!.schema.examples![0] as Record<string, unknown>;
    options.log(`bench: ${options.count} single certificates, one after the other, each with Prefer: wait (batch delay ${defaults.batchDelayMs} ms)…`);
    const latencies: number[] = [];
    for (let i = 0; i < options.count; i++) {
      const started = performance.now();
      const response = await fetch(`${demo.apiUrl}/v1/certificates`, {
        method: "POST",
        headers: { authorization: `Bearer ${token}`, "content-type": "application/json", prefer: "wait=60" },
        body: JSON.stringify({ type: "business-licence", claims: { ...example, company_name: `上海青禾数字科技有限公司单证${i}` } }),
      });
      const body = (await response.json()) as { status?: string; envelope?: { anchor?: { status?: string } } };
      latencies.push(performance.now() - started);
      if (response.status !== 201 && response.status !== 200) throw new Error(`POST /v1/certificates → ${response.status}: ${JSON.stringify(body).slice(0, 300)}`);
      if (body.status !== "anchored" || body.envelope?.anchor?.status !== "anchored") throw new Error(`certificate ${i} came back ${body.status} after Prefer: wait=60`);
    }
    return { count: latencies.length, p50Ms: quantile(latencies, 0.5), p99Ms: quantile(latencies, 0.99), maxMs: Math.max(...latencies), batchDelayMs: defaults.batchDelayMs };
  } finally {
    await service?.stop().catch(() => undefined);
    killLeftoverNode(dataDir);
    rmSync(dataDir, { recursive: true, force: true });
  }
}
