import { agencyIdOf, type Hex } from "@certchain/sdk";
import type { Provider } from "ethers";
import type { Finality } from "../domain/finality";
import type { FollowedStatusChange } from "../domain/certificate";
import { DEFAULT_REORG_WINDOW } from "../chain/chain-identity";
import type { Logger } from "../lib/logger";
import type { ChainGate } from "../chain/chain-gate";
import type { RegistryReads } from "../chain/registry-reads";
import type { CertificateStore } from "../store/certificate-store";
import { chainStateOf } from "../anchoring/root-audit";
import { createBackgroundLoop, errorSummary } from "../lib/background-loop";

export interface StatusSettlementOptions {
  provider: Provider;
  registry: RegistryReads;
  certificates: Pick<CertificateStore, "get" | "followedStatusChanges">;
  gate: ChainGate;
  logger: Logger;
  confirmations: number;
  finality?: Finality;
  /** Blocks behind the head within which a settled change is still watched. Default 64. */
  reorgWindow?: number;
  /** Sends a certificate's change again (status-changes.ts). */
  resend(id: string, change: FollowedStatusChange): Promise<void>;
  /** Marks it settled at a block (status-changes.ts). */
  settled(id: string, change: FollowedStatusChange, block: number): Promise<void>;
  /** Stops watching it (status-changes.ts). */
  forget(id: string, change: FollowedStatusChange): Promise<void>;
  intervalMs?: number;
}

export interface StatusSettlementStats {
  /** Status changes not settled on chain at the last pass. */
  unsettled: number;
  /** Status changes found dropped by a reorganisation (and sent again) since the start. */
  resent: number;
  lastError?: string;
}

/**
 * What to do with a followed status change, from reads of the chain: a pure decision. `atDepth` is
 * the state at the configured depth (only asked while unsettled), `atHead` at the head, `mined`
 * whether its transaction has a receipt on the canonical chain.
 */
export function settlementOf(input: { settled: boolean; atDepth?: string; target: string; mined: boolean; atHead: string }): "settled" | "wait" | "resend" {
  if (!input.settled && input.atDepth === input.target) return "settled";
  // Its transaction (or another that set the same state) is on the chain, not deep enough yet.
  if (input.mined || input.atHead === input.target) return "wait";
  return "resend";
}

/**
 * Status changes (suspend, reinstate, revoke) as anchors are handled: one counts as done on chain
 * only once the state is read back, by block hash, at the block of the configured depth
 * (CONFIRMATIONS, or the node's finalized block with FINALITY=finalized). Until then the record
 * keeps `statusChange` (GET shows it). Settled, it is still watched until deeper than the
 * reorganisation window. A change whose transaction a reorganisation dropped (no receipt, and the
 * head does not hold the state) is sent again, a new transaction, with no operator action (it is
 * unsettled again meanwhile); the contract's "already in that state" counts as sent.
 */
export function createStatusSettlement(options: StatusSettlementOptions) {
  const { provider, registry, certificates, gate, logger } = options;
  const confirmations = Math.max(1, options.confirmations);
  const intervalMs = options.intervalMs ?? 1_000;
  const window = Math.max(1, options.reorgWindow ?? DEFAULT_REORG_WINDOW);
  const stats: StatusSettlementStats = { unsettled: 0, resent: 0 };
  let lastHead: string | undefined;
  let lastCount = -1;

  async function depthBlock(): Promise<{ number: number; hash: Hex } | undefined> {
    const block = options.finality === "finalized" ? await provider.getBlock("finalized") : await provider.getBlock(Math.max(0, (await provider.getBlockNumber()) - confirmations + 1));
    return block?.hash ? { number: block.number, hash: block.hash as Hex } : undefined;
  }

  async function pass(): Promise<void> {
    if (gate.status().phase !== "ready") return;
    const followed = await certificates.followedStatusChanges();
    stats.unsettled = followed.filter(([, change]) => change.settledBlock === undefined).length;
    if (followed.length === 0) return;
    // Nothing on the chain changed since a pass that went through everything: nothing to look at.
    const latest = await provider.getBlock("latest");
    if (latest === null || latest.hash === null || (latest.hash === lastHead && followed.length === lastCount)) return;
    const head = latest.number;
    const depth = stats.unsettled > 0 ? await depthBlock() : undefined;
    let clean = depth !== undefined || stats.unsettled === 0;
    for (const [id, change] of followed) {
      if (loop.stopped()) return;
      const settled = change.settledBlock !== undefined;
      if (settled && head - change.settledBlock! + 1 > window) {
        await options.forget(id, change);
        continue;
      }
      const record = await certificates.get(id);
      if (record === undefined) continue;
      const agencyId = agencyIdOf(record.agency);
      const target = chainStateOf(record.status);
      // A depth block that vanished meanwhile makes the node refuse: look again next pass.
      const atDepth = settled || depth === undefined ? undefined : await registry.statusAtBlock(agencyId, record.leaf, depth.hash).catch(() => {
              clean = false;
              return undefined;
            });
      if (!settled && atDepth === target) {
        await options.settled(id, change, depth!.number);
        continue;
      }
      const atHead = (await registry.reader.statuses(agencyId, [record.leaf]))[0].state;
      const mined = atHead !== target && change.transaction !== undefined && (await provider.getTransactionReceipt(change.transaction)) !== null;
      if (settlementOf({ settled, atDepth, target, mined, atHead }) === "resend") {
        logger.warn(`the ${change.action} of certificate ${id} (${record.agency}, transaction ${change.transaction ?? "none"}) left the canonical chain in a reorganisation: sending it again`);
        await options.resend(id, change);
        stats.resent += 1;
      }
    }
    delete stats.lastError;
    // Only a pass that read everything lets the next one skip an unchanged head.
    lastHead = clean ? latest.hash : undefined;
    lastCount = followed.length;
  }

  const loop = createBackgroundLoop(pass, { intervalMs, onError: (error) => (stats.lastError = errorSummary(error)) });

  return {
    /** One pass now (tests; the timer runs them in the background). */
    pass,
    stats: (): StatusSettlementStats => ({ ...stats }),
    start: loop.start,
    stop: loop.stop,
  };
}

export type StatusSettlement = ReturnType<typeof createStatusSettlement>;
