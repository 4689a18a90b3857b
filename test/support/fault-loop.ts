import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { startDevNode } from "../../server/chain/dev-node";
import { openJournal } from "../../server/chain/journal";
import { createJsonRpc, toQuantity } from "../../server/chain/json-rpc";
import { initialDateOf, replayBlocks } from "../../server/chain/replay";
import { isAlive } from "../../server/lib/process-info";
import { freePort } from "./ports";
import { killLeftoverNode, nodePidOf, readiness, startServiceProcess, waitFor, type ServiceProcess } from "./service-process";
import { anchoredEnvelopes, startIssuers, verifyAgainstChain } from "./workload";

/**
 * A seeded fault loop in the manner of FoundationDB's simulations and Jepsen (STYLE.md): the
 * three demo agencies issue concurrently through `npm start`'s service while, at moments and
 * with faults chosen by the seed, the service, its Hardhat node or both are killed (-9), the node
 * is paused and resumed or frozen for good, or the service dies inside a chain write (between
 * journaling a transaction and broadcasting it, or between broadcast and journaling its block).
 * Then: every acknowledged certificate must verify `valid` against the chain, again after a final
 * restart with the same anchor times, and the journal must rebuild the chain on a fresh node with
 * identical block hashes.
 *
 * The seed fixes the plan (faults, their order, timing and batch sizes); the processes' own
 * timing still varies from run to run, which is what the many runs of `npm run soak` explore.
 */
export type Fault = "kill-service" | "kill-node" | "kill-both" | "pause-node" | "freeze-node" | "crash-in-chain-write" | "ctrl-c";
const FAULTS: readonly Fault[] = ["kill-service", "kill-node", "kill-both", "pause-node", "freeze-node", "crash-in-chain-write", "ctrl-c"];

export interface FaultLoopResult {
  seed: number;
  faults: string[];
  acknowledged: number;
  anchored: number;
  /** Verified valid after the final restart, with unchanged anchor times. */
  verifiedValid: number;
  failures: string[];
  dataDir: string;
}

/** mulberry32: a small, well-distributed 32-bit PRNG; the same seed gives the same plan. */
export function randomFrom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const RESTART_AFTER_MS = 5_000;
/** Each agency's pause between its batch requests. */
const ISSUE_PAUSE_MS = 250;

export async function runFaultLoop(options: { seed: number; rounds: number; log?: (line: string) => void; keepDataDir?: boolean }): Promise<FaultLoopResult> {
  const began = Date.now();
  const elapsed = () => `${((Date.now() - began) / 1000).toFixed(1)} s`;
  const log = options.log ? (line: string) => options.log!(`[${elapsed()}] ${line}`) : () => undefined;
  const random = randomFrom(options.seed);
  const sizes = randomFrom(options.seed ^ 0x5bd1e995);
  const dataDir = mkdtempSync(path.join(tmpdir(), "certchain-faults-"));
  const chainPort = await freePort();
  const env = { CHAIN_TIMEOUT_MS: "2000", DEV_NODE_RESTART_AFTER_MS: String(RESTART_AFTER_MS), BATCH_DELAY_MS: "150", BATCH_SIZE: "60" };
  const started: ServiceProcess[] = [];
  const start = async (extra: Record<string, string> = {}) => {
    // Generous: under `nice` on a shared machine a start can take minutes of wall time.
    const process = await startServiceProcess(dataDir, { chainPort, env: { ...env, ...extra }, startTimeoutMs: 600_000 });
    started.push(process);
    return process;
  };
  const result: FaultLoopResult = { seed: options.seed, faults: [], acknowledged: 0, anchored: 0, verifiedValid: 0, failures: [], dataDir };
  let service: ServiceProcess | undefined;
  // Each fault once per seven rounds, in the seed's order: short runs still see distinct faults.
  const plan: Fault[] = [];
  const nextFault = (): Fault => {
    if (plan.length === 0) {
      const deck = [...FAULTS];
      while (deck.length > 0) plan.push(deck.splice(Math.floor(random() * deck.length), 1)[0]);
    }
    return plan.shift()!;
  };
  let issuers: ReturnType<typeof startIssuers> | undefined;
  const dead = (s: ServiceProcess) => s.child.exitCode !== null || s.child.signalCode !== null;
  const ready = (what: string) => waitFor(`${what}: /readyz 200`, async () => (await readiness(service!.demo)).status === 200, 600_000, 250);

  try {
    service = await start();
    // The demo's start waits for its chain before seeding (server/issuing-node.ts): no agencies here
    // means that wait ran out, and the issuers would have nothing to issue for.
    if (service.demo.agencies.length === 0) throw new Error("the service started without the demo agencies (its chain was not ready within a minute)");
    log(`service started`);
    // Paced, not back to back: requests are still in flight at every fault and certificates are
    // acknowledged shortly before it, but the volume no longer grows with how long restarts take
    // (flat out, a slow recovery left thousands to issue, anchor and verify twice: most of the CPU).
    issuers = startIssuers(() => service!.demo, { size: () => 1 + Math.floor(sizes() * 12), pauseMs: ISSUE_PAUSE_MS });
    for (let round = 0; round < options.rounds; round++) {
      if (!service) throw new Error("no service");
      await sleep(400 + random() * 2_500);
      const fault = nextFault();
      const node = nodePidOf(dataDir);
      let label: string = fault;
      switch (fault) {
        case "kill-service":
          await service.crash();
          service = await start();
          break;
        case "kill-node":
          if (node) process.kill(node, "SIGKILL");
          break;
        case "kill-both":
          await service.crash();
          if (node && isAlive(node)) process.kill(node, "SIGKILL");
          service = await start();
          break;
        case "pause-node": {
          const ms = Math.round(500 + random() * (RESTART_AFTER_MS - 1_500));
          label = `pause-node ${ms} ms`;
          if (node) process.kill(node, "SIGSTOP");
          await sleep(ms);
          if (node && isAlive(node)) process.kill(node, "SIGCONT");
          break;
        }
        case "freeze-node":
          if (node) {
            process.kill(node, "SIGSTOP");
            await waitFor("the frozen node to be replaced", () => !isAlive(node), 120_000, 250);
          }
          break;
        case "crash-in-chain-write": {
          const point = random() < 0.5 ? "journaled" : "broadcast";
          const nth = 1 + Math.floor(random() * 2);
          label = `crash-in-chain-write ${point}:${nth}`;
          await service.crash();
          service = undefined;
          try {
            const crashing = await start({ CERTCHAIN_FAULT: `${point}:${nth}` });
            await waitFor("the service to die in its chain write", () => dead(crashing), 30_000, 100).catch(() => undefined);
            if (!dead(crashing)) {
              label += " (not reached)";
              await crashing.crash();
            }
          } catch (error) {
            // Anchoring resumes while the service starts: it may die in a chain write before it is up.
            if (!/killed by SIGKILL/.test((error as Error).message)) throw error;
            label += " (while starting)";
          }
          service = await start();
          break;
        }
        case "ctrl-c":
          await service.stop();
          service = await start();
          break;
      }
      result.faults.push(label);
      log(`seed ${options.seed} round ${round + 1}: ${label}; ${issuers.acknowledged.length} acknowledged so far`);
      await ready(label);
      log(`round ${round + 1}: ready again; ${issuers.acknowledged.length} acknowledged so far`);
    }
    await issuers.stop();
    const acknowledged = [...issuers.acknowledged];
    result.acknowledged = acknowledged.length;

    log(`issuers stopped: ${acknowledged.length} acknowledged, ${issuers.failures()} failed requests`);
    const envelopes = await anchoredEnvelopes(service.demo, acknowledged, 300_000);
    result.anchored = envelopes.length;
    log(`all ${envelopes.length} anchored`);
    const first = await verifyAgainstChain(service.demo, envelopes);
    log(`verified before the final restart`);
    result.failures.push(...first.failures.map((f) => `before the final restart: ${f}`));

    // Final restart: Ctrl-C stops the node, so the chain is rebuilt from the journal alone.
    await service.stop();
    service = await start();
    await ready("final restart");
    log(`final restart ready`);
    const again = await anchoredEnvelopes(service.demo, acknowledged, 300_000);
    const second = await verifyAgainstChain(service.demo, again);
    result.failures.push(...second.failures.map((f) => `after the final restart: ${f}`));
    second.results.forEach((r, i) => {
      if (r.verdict === "valid" && r.anchoredAt === first.results[i].anchoredAt) result.verifiedValid += 1;
      else if (r.verdict === "valid") result.failures.push(`#${i}: anchor time changed across the final restart (${first.results[i].anchoredAt} → ${r.anchoredAt})`);
    });
    await service.stop();
    service = undefined;
    log(`verified after the final restart`);
    result.failures.push(...(await replayJournalOnFreshNode(dataDir)));
    log(`journal replayed on a fresh node`);
  } catch (error) {
    result.failures.push(`aborted: ${(error as Error).message}`);
  } finally {
    await issuers?.stop();
    await service?.stop().catch(() => undefined);
    killLeftoverNode(dataDir);
    if (result.failures.length === 0 && !options.keepDataDir) rmSync(dataDir, { recursive: true, force: true });
    // For the post-mortem: what each service run printed.
    else started.forEach((s, i) => writeFileSync(path.join(dataDir, `service-${i + 1}.log`), s.output()));
  }
  return result;
}

/** The journal alone rebuilds the chain: a fresh node, every block replayed, the last hash equal. Returns failures. */
export async function replayJournalOnFreshNode(dataDir: string): Promise<string[]> {
  const journal = openJournal(path.join(dataDir, "chain-journal.jsonl"));
  const failures: string[] = [];
  try {
    if (journal.state.pendingTxs().length > 0) failures.push(`journal: ${journal.state.pendingTxs().length} transactions neither mined nor abandoned after the final restart`);
    const node = await startDevNode({ port: await freePort(), logFile: path.join(dataDir, "replay-check.log"), initialDate: initialDateOf(journal.state.genesis!) });
    try {
      const rpc = createJsonRpc(node.rpcUrl, { timeoutMs: 60_000 });
      await replayBlocks(rpc, journal.state, { from: 1 });
      const last = journal.state.lastBlock!;
      const hash = (await rpc.call("eth_getBlockByNumber", [toQuantity(last.number), false]))?.hash;
      if (hash !== last.hash) failures.push(`journal: block ${last.number} replays to ${hash}, journaled ${last.hash}`);
    } finally {
      await node.stop();
    }
  } catch (error) {
    failures.push(`journal: ${(error as Error).message}`);
  } finally {
    journal.close();
  }
  return failures;
}
