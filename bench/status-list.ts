// `npm run bench:status-list`: how long a status change takes to reach the published Token
// Status List, with the service as `npm start` runs it (its own process and Hardhat node):
// from the moment `POST /v1/certificates/:id/revoke` (or /suspend, /reinstate) answers until
// `GET` on the certificate's status_list.uri shows the new value. Polls the list every 10 ms.
// Prints medians and extremes; writes test-artifacts/bench/status-list.json. Not a test: no targets.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { findTypeById, inflateStatusList, parseCredential, parseStatusListToken, statusAt, type Envelope } from "@certchain/sdk";
import { killLeftoverNode, startServiceProcess, type ServiceProcess } from "../test/support/service-process";
import { freePort } from "../test/support/ports";
import { formatTable, seconds, stats, type Row } from "./report";
import { writeResults } from "./results-file";

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 10);
const log = (line: string) => process.stderr.write(`${line}\n`);
const claims = findTypeById("business-licence")!.schema.examples[0];

async function listed(uri: string, idx: number): Promise<number | undefined> {
  const token = parseStatusListToken(await (await fetch(uri)).text());
  return statusAt(await inflateStatusList(token.payload.status_list!.lst as string), idx % (1 << 20));
}

async function main() {
  const dataDir = mkdtempSync(path.join(tmpdir(), "certchain-bench-status-list-"));
  let service: ServiceProcess | undefined;
  try {
    log("bench:status-list: starting the service (npm start's script)…");
    service = await startServiceProcess(dataDir, { chainPort: await freePort(), viaTsNode: true, env: { BATCH_DELAY_MS: "200", RATE_LIMIT_PER_MINUTE: "0", LOG_LEVEL: "warn" } });
    const { apiUrl, agencies } = service.demo;
    const token = agencies[0].token;
    const call = async (method: string, url: string, body?: unknown, prefer?: string) => {
      const response = await fetch(`${apiUrl}${url}`, { method, headers: { authorization: `Bearer ${token}`, "content-type": "application/json", ...(prefer ? { prefer } : {}) }, body: JSON.stringify(body) });
      const json = (await response.json()) as any;
      if (!response.ok) throw new Error(`${method} ${url} → ${response.status}: ${JSON.stringify(json)}`);
      return json;
    };

    const timings: Record<"revoke" | "suspend" | "reinstate", number[]> = { revoke: [], suspend: [], reinstate: [] };
    const expected = { revoke: 1, suspend: 2, reinstate: 0 } as const;
    for (let round = 0; round < ROUNDS; round++) {
      const issued = await call("POST", "/v1/certificates", { type: "business-licence", claims }, "wait=30");
      const envelope = issued.envelope as Envelope;
      if (envelope.anchor.status !== "anchored") throw new Error("the certificate was not anchored within 30 s");
      const { idx, uri } = (parseCredential(envelope.credential).payload.status as any).status_list;
      for (const action of ["suspend", "reinstate", "revoke"] as const) {
        await call("POST", `/v1/certificates/${issued.id}/${action}`, { reason: 1 });
        const started = performance.now();
        while ((await listed(uri, idx)) !== expected[action]) {
          if (performance.now() - started > 60_000) throw new Error(`${action}: the list did not follow within a minute`);
          await new Promise((resolve) => setTimeout(resolve, 10));
        }
        timings[action].push(performance.now() - started);
        log(`  round ${round + 1}: ${action} → published list in ${seconds(timings[action][timings[action].length - 1])}`);
      }
    }

    const rows: Row[] = (["suspend", "reinstate", "revoke"] as const).flatMap((action) => {
      const s = stats(timings[action]);
      return [
        { metric: `${action} answered → published list shows it, median`, value: seconds(s.median), target: "within seconds" },
        { metric: "  fastest / slowest", value: `${seconds(s.min)} / ${seconds(s.max)}` },
      ];
    });
    process.stdout.write(`${formatTable(`status change → Token Status List, ${ROUNDS} rounds`, rows)}\n`);
    writeResults(path.join(__dirname, "..", "test-artifacts", "bench", "status-list.json"), { rounds: ROUNDS, ...timings });
  } finally {
    await service?.stop().catch(() => undefined);
    killLeftoverNode(dataDir);
    rmSync(dataDir, { recursive: true, force: true });
  }
}

main().catch((error) => {
  process.stderr.write(`bench:status-list failed: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
