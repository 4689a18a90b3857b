// `npm run bench:pending`: how long "pending" lasts for a person, with the service as `npm start`
// runs it (its own process and Hardhat node, the default batch delay of 2 s):
//   1. POST /v1/certificates with `Prefer: wait=10` → the anchored envelope in the reply;
//   2. a share link made from a still-pending certificate → the moment the share page's
//      verification (the SDK, fetching the proof from the service, checking it on chain) says valid.
// Prints medians and extremes; writes test-artifacts/bench/pending.json. Not a test: no targets.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { createShare, findTypeById, presentCredential, shareLinkOf, verifyShareLink, type Envelope } from "@certchain/sdk";
import { killLeftoverNode, startServiceProcess, type ServiceProcess } from "../test/support/service-process";
import { freePort } from "../test/support/ports";
import { formatTable, seconds, stats, type Row } from "./report";
import { writeResults } from "./results-file";

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 10);
const log = (line: string) => process.stderr.write(`${line}\n`);
const claims = findTypeById("business-licence")!.schema.examples[0];

async function issue(service: ServiceProcess, prefer?: string): Promise<{ status: string; envelope: Envelope; ms: number }> {
  const started = performance.now();
  const response = await fetch(`${service.demo.apiUrl}/v1/certificates`, {
    method: "POST",
    headers: { authorization: `Bearer ${service.demo.agencies[0].token}`, "content-type": "application/json", ...(prefer ? { prefer } : {}) },
    body: JSON.stringify({ type: "business-licence", claims }),
  });
  const body = (await response.json()) as { status: string; envelope: Envelope };
  if (response.status !== 201) throw new Error(`issue → ${response.status}: ${JSON.stringify(body)}`);
  return { ...body, ms: performance.now() - started };
}

async function main() {
  const dataDir = mkdtempSync(path.join(tmpdir(), "certchain-bench-pending-"));
  let service: ServiceProcess | undefined;
  try {
    log("bench:pending: starting the service (npm start's script, default batch delay)…");
    service = await startServiceProcess(dataDir, { chainPort: await freePort(), viaTsNode: true, env: { BATCH_DELAY_MS: "2000", RATE_LIMIT_PER_MINUTE: "0", LOG_LEVEL: "warn" } });
    const registries = [{ chainId: service.demo.chainId, address: service.demo.registry as `0x${string}`, rpcUrl: service.demo.rpcUrl }];

    const waited: number[] = [];
    for (let i = 0; i < ROUNDS; i++) {
      const reply = await issue(service, "wait=10");
      if (reply.status !== "anchored") throw new Error(`round ${i}: the reply was ${reply.status} after ${seconds(reply.ms)}`);
      waited.push(reply.ms);
      log(`  POST with Prefer: wait=10 → anchored envelope in ${seconds(reply.ms)}`);
    }

    const linkValid: number[] = [];
    for (let i = 0; i < ROUNDS; i++) {
      const started = performance.now();
      const pending = await issue(service);
      if (pending.status !== "pending") throw new Error("expected a pending certificate");
      const { ciphertext, key } = await createShare(presentCredential(pending.envelope, ["company_name"]));
      const stored = await fetch(`${service.demo.apiUrl}/v1/shares`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ ciphertext, expiresAt: new Date(Date.now() + 3_600_000).toISOString() }),
      });
      const link = shareLinkOf(service.demo.apiUrl, ((await stored.json()) as { id: string }).id, key);
      // As the share page does it: its own origin is the proof service it allows.
      for (;;) {
        const result = await verifyShareLink(link, { registries, proofServices: [service.demo.apiUrl] });
        if (result.verdict === "valid") break;
        if (result.verdict !== "pending") throw new Error(`the link verified as ${result.verdict} (${result.reason?.code})`);
        if (performance.now() - started > 60_000) throw new Error("the link stayed pending for a minute");
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
      linkValid.push(performance.now() - started);
      log(`  pending link → valid ${seconds(linkValid[linkValid.length - 1])} after the certificate was issued`);
    }

    const w = stats(waited);
    const l = stats(linkValid);
    const rows: Row[] = [
      { metric: "POST /v1/certificates (Prefer: wait=10) → anchored envelope, median", value: seconds(w.median), target: "about 3 s" },
      { metric: "  fastest / slowest", value: `${seconds(w.min)} / ${seconds(w.max)}` },
      { metric: "pending share link → valid (from issuing), median", value: seconds(l.median) },
      { metric: "  fastest / slowest", value: `${seconds(l.min)} / ${seconds(l.max)}` },
    ];
    process.stdout.write(`${formatTable(`pending certificates, ${ROUNDS} rounds each, BATCH_DELAY_MS=2000`, rows)}\n`);
    writeResults(path.join(__dirname, "..", "test-artifacts", "bench", "pending.json"), { rounds: ROUNDS, batchDelayMs: 2000, preferWaitMs: waited, pendingLinkValidMs: linkValid });
  } finally {
    await service?.stop().catch(() => undefined);
    killLeftoverNode(dataDir);
    rmSync(dataDir, { recursive: true, force: true });
  }
}

main().catch((error) => {
  process.stderr.write(`bench:pending failed: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
