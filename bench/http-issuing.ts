import { mkdirSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { Contract } from "ethers";
import { CERTCHAIN_REGISTRY_ABI, findTypeById } from "@certchain/sdk";
import { devProvider } from "../server/chain/dev-node";
import { killLeftoverNode, startServiceProcess, type ServiceProcess } from "../test/support/service-process";
import { freePort } from "../test/support/ports";
import { processPeakRss } from "./memory";

export interface HttpIssuingResult {
  /** Until the last certificate is anchored. */
  ms: number;
  /** Until the last batch request is answered (every certificate durably accepted). */
  acknowledgedMs: number;
  /** CPU time (user + system, all threads) of the service process while timed. */
  serviceCpuMs: number;
  issued: number;
  anchorTransactions: number;
  anchorGas: bigint;
  servicePeakRss: number | undefined;
}

// An agency's system sending 1,000 certificates per request, two requests in flight: bigger
// requests only keep more alive at once (more GC, more memory) for no more throughput; two in
// flight keep the service busy while one reply travels. BENCH_HTTP_ITEMS / BENCH_HTTP_CONCURRENCY override.
const ITEMS_PER_REQUEST = Number(process.env.BENCH_HTTP_ITEMS ?? 1_000);
const CONCURRENT_REQUESTS = Number(process.env.BENCH_HTTP_CONCURRENCY ?? 2);

/** CPU time (user + system) a process has used so far, in ms (Linux /proc; 0 elsewhere). */
function processCpuMs(pid: number): number {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1].split(" ");
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / 100;
  } catch {
    return 0;
  }
}

async function post(url: string, token: string, body: unknown): Promise<any> {
  const response = await fetch(url, { method: "POST", headers: { authorization: `Bearer ${token}`, "content-type": "application/json" }, body: JSON.stringify(body) });
  if (response.status !== 200) throw new Error(`POST ${url} → ${response.status}: ${(await response.text()).slice(0, 300)}`);
  return response.json();
}

/**
 * Issuance as an agency's system does it: the real service (`npm start`'s script, its own
 * process, with its own Hardhat node) takes batch requests over HTTP; the clock stops when the
 * last certificate is anchored. BENCH_SERVICE_CPU_PROF=<dir> writes the service's V8 CPU profile
 * there (summarise it with bench/cpu-profile-summary.ts).
 */
export async function runHttpIssuing(options: { n: number; log: (line: string) => void }): Promise<HttpIssuingResult> {
  const dataDir = mkdtempSync(path.join(tmpdir(), "certchain-bench-http-"));
  let service: ServiceProcess | undefined;
  try {
    const profileDir = process.env.BENCH_SERVICE_CPU_PROF;
    if (profileDir) mkdirSync(profileDir, { recursive: true });
    service = await startServiceProcess(dataDir, {
      chainPort: await freePort(),
      viaTsNode: true,
      // BENCH_SERVICE_NODE_ARGS: extra node flags for the service (experiments, e.g. V8 heap limits).
      execArgv: [...(profileDir ? ["--cpu-prof", `--cpu-prof-dir=${path.resolve(profileDir)}`] : []), ...(process.env.BENCH_SERVICE_NODE_ARGS?.split(/\s+/).filter(Boolean) ?? [])],
      env: { BATCH_SIZE: "10000", BATCH_DELAY_MS: "1000", RATE_LIMIT_PER_MINUTE: "0", LOG_LEVEL: "warn" },
    });
    const { demo } = service;
    const token = demo.agencies.find((a) => a.id === "sh-amr")!.token;
    const example = findTypeById("business-licence")!.schema.examples![0] as Record<string, unknown>;
    const requests = Math.ceil(options.n / ITEMS_PER_REQUEST);
    options.log(`bench: issuing ${options.n.toLocaleString("en-US")} certificates over HTTP in ${requests} batch requests…`);

    const started = performance.now();
    const cpuBefore = processCpuMs(service.child.pid!);
    let next = 0;
    let issued = 0;
    // First and last certificate of every request: read back once everything is anchored.
    const sample: string[] = [];
    const worker = async () => {
      while (next < requests) {
        const index = next++;
        const size = Math.min(ITEMS_PER_REQUEST, options.n - index * ITEMS_PER_REQUEST);
        const items = Array.from({ length: size }, (_, i) => ({
          type: "business-licence",
          claims: { ...example, company_name: `上海青禾数字科技有限公司第${index * ITEMS_PER_REQUEST + i}分公司` },
        }));
        const reply = await post(`${demo.apiUrl}/v1/certificates/batch`, token, { items });
        if (reply.failed !== 0) throw new Error(`${reply.failed} items refused: ${JSON.stringify(reply.results.find((r: any) => !r.ok))}`);
        issued += reply.issued;
        sample.push(reply.results[0].id, reply.results[reply.results.length - 1].id);
      }
    };
    await Promise.all(Array.from({ length: CONCURRENT_REQUESTS }, worker));
    const acknowledgedMs = performance.now() - started;
    for (;;) {
      const readiness = await (await fetch(`${demo.apiUrl}/readyz`)).json();
      if (readiness.anchoring.backlog === 0) break;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    const ms = performance.now() - started;
    const serviceCpuMs = processCpuMs(service.child.pid!) - cpuBefore;

    // Not timed: the service itself must hand out anchored envelopes with proofs.
    for (const id of sample) {
      const record = (await (await fetch(`${demo.apiUrl}/v1/certificates/${id}`, { headers: { authorization: `Bearer ${token}` } })).json()) as any;
      if (record.status !== "anchored" || !Array.isArray(record.envelope?.anchor?.proof)) throw new Error(`certificate ${id} is ${record.status} after the backlog drained`);
    }

    const provider = devProvider(demo.rpcUrl);
    const registry = new Contract(demo.registry, CERTCHAIN_REGISTRY_ABI, provider);
    const events = await registry.queryFilter(registry.filters.RootAnchored());
    const receipts = await Promise.all(events.map((event) => provider.getTransactionReceipt(event.transactionHash)));
    const anchored = events.reduce((sum, event: any) => sum + Number(event.args.size), 0);
    if (anchored !== issued) throw new Error(`anchored ${anchored} certificates, issued ${issued}`);
    provider.destroy();
    return {
      ms,
      acknowledgedMs,
      serviceCpuMs,
      issued,
      anchorTransactions: events.length,
      anchorGas: receipts.reduce((sum, receipt) => sum + (receipt?.gasUsed ?? 0n), 0n),
      servicePeakRss: processPeakRss(service.child.pid!),
    };
  } finally {
    await service?.stop().catch(() => undefined);
    killLeftoverNode(dataDir);
    rmSync(dataDir, { recursive: true, force: true });
  }
}
