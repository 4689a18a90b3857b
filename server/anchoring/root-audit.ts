import type { Provider } from "ethers";
import { agencyIdOf, type Hex } from "@certchain/sdk";
import type { ChainGate } from "../chain/chain-gate";
import { DEFAULT_REORG_WINDOW } from "../chain/chain-identity";
import type { RegistryReads } from "../chain/registry-reads";
import type { Logger } from "../lib/logger";
import type { CertificateState } from "../domain/certificate";
import type { BatchRecord, BatchStore } from "../store/batch-store";
import type { CertificateStore } from "../store/certificate-store";
import { createBackgroundLoop } from "../lib/background-loop";

export interface RootAuditOptions {
  provider: Provider;
  registry: RegistryReads;
  batches: BatchStore;
  /** For the status audit: the certificate of a leaf whose status changed on chain (undefined: another node's). */
  certificates: Pick<CertificateStore, "getByLeaf">;
  gate: ChainGate;
  logger: Logger;
  /** Anchors this close to the head are the anchor follower's; the audit checks settled ones. Default 64. */
  reorgWindow?: number;
  /** Batches read (and roots checked on chain, concurrently: ethers sends them as one JSON-RPC batch) per step. Default 100. */
  pageSize?: number;
  /** Pause between two steps. Default 1 s. */
  intervalMs?: number;
  /** Blocks whose status-change events one step reads. Default 5,000. */
  statusBlocksPerStep?: number;
}

export interface RootAuditStats {
  /** Roots checked on chain in the pass under way. */
  rootsChecked: number;
  /** Roots the last full pass checked. */
  rootsInLastFullPass: number | null;
  lastFullPassAt: string | null;
  /** Settled roots the chain lacks (or holds for another agency or time): the chain lost state. */
  missing: { root: Hex; agency: string; block?: number; problem: string }[];
  /** The status audit: settled blocks whose status-change events were compared with the store, up to this one (-1: none yet). */
  statusesCheckedUpToBlock: number;
  /** Certificates whose status changes were compared with the chain since the start. */
  statusesChecked: number;
  /** Certificates of this node whose status here differs from the chain's (the chain's is what verifiers see). */
  statusMismatches: { id: string; leaf: Hex; agency: string; here: CertificateState; onChain: string }[];
}

/** The registry's state a record's status stands for: pending and anchored certificates are active. */
export const chainStateOf = (status: CertificateState): "active" | "suspended" | "revoked" => (status === "suspended" || status === "revoked" ? status : "active");

/** What the chain says of a settled anchored batch, as a problem or undefined when it agrees. */
export function auditProblem(batch: BatchRecord, onChain: { agencyId: string; anchoredAt: number } | undefined): string | undefined {
  if (onChain === undefined) return "not on the chain";
  if (onChain.agencyId.toLowerCase() !== agencyIdOf(batch.agency).toLowerCase()) return "anchored by another agency";
  if (batch.anchoredAt !== undefined && onChain.anchoredAt !== Math.floor(Date.parse(batch.anchoredAt) / 1000)) return `anchored at another time (${new Date(onChain.anchoredAt * 1000).toISOString()})`;
  return undefined;
}

/**
 * Every anchored root of the store checked against the registry, not only the latest few: a
 * background walk over all batches, a page at a time (cheap: one batched read per page, one page
 * a second), starting again when it reaches the end. Roots within the reorganisation window are
 * left to the anchor follower. A settled root the chain lacks is reported (/readyz:
 * CHAIN_STATE_MISMATCH) until a pass finds it again.
 */
export function createRootAudit(options: RootAuditOptions) {
  const { provider, registry, batches, gate, logger } = options;
  const window = Math.max(1, options.reorgWindow ?? DEFAULT_REORG_WINDOW);
  const pageSize = Math.max(1, options.pageSize ?? 100);
  const intervalMs = options.intervalMs ?? 1_000;
  let cursor: Hex | undefined;
  let checked = 0;
  const stats: Pick<RootAuditStats, "rootsInLastFullPass" | "lastFullPassAt"> = { rootsInLastFullPass: null, lastFullPassAt: null };
  const missing = new Map<Hex, RootAuditStats["missing"][number]>();
  const statusSpan = Math.max(1, options.statusBlocksPerStep ?? 5_000);
  let statusCursor = -1;
  let statusesChecked = 0;
  const statusMismatches = new Map<Hex, RootAuditStats["statusMismatches"][number]>();

  /** Compares the store's status of each leaf with the chain's now; a mismatch is kept until a later look finds them equal. */
  async function compareStatuses(leaves: readonly Hex[]): Promise<void> {
    for (const leaf of leaves) {
      const record = await options.certificates.getByLeaf(leaf);
      if (record === undefined) continue; // another node's certificate
      // A change not settled yet is the status settlement's to finish (sent again if a reorganisation dropped it).
      if (record.statusChange !== undefined) {
        statusMismatches.delete(leaf);
        continue;
      }
      const [onChain] = await registry.reader.statuses(agencyIdOf(record.agency), [leaf]);
      statusesChecked += 1;
      if (onChain.state === chainStateOf(record.status)) statusMismatches.delete(leaf);
      else {
        if (!statusMismatches.has(leaf)) logger.error(`certificate ${record.id} of ${record.agency} is ${record.status} here but ${onChain.state} on the registry`);
        statusMismatches.set(leaf, { id: record.id, leaf, agency: record.agency, here: record.status, onChain: onChain.state });
      }
    }
  }

  /**
   * The status audit, one range of settled blocks a step: every certificate of this node whose status
   * changed there is compared with the chain (changes in the last REORG_WINDOW blocks may still be on
   * their way to the store, so they wait). Mismatches found earlier are looked at again each step.
   */
  async function statusStep(settledUpTo: number): Promise<void> {
    await compareStatuses([...statusMismatches.keys()]);
    if (statusCursor >= settledUpTo) return;
    const from = statusCursor + 1;
    const to = Math.min(settledUpTo, from + statusSpan - 1);
    await compareStatuses(await registry.statusChangedLeaves(from, to));
    statusCursor = to;
  }

  /** One page of the walk; true when it finished a full pass. */
  async function step(): Promise<boolean> {
    if (gate.status().phase !== "ready") return false;
    const settledUpTo = (await provider.getBlockNumber()) - window;
    await statusStep(settledUpTo);
    const page = await batches.page(cursor, pageSize);
    const settled = page.filter((b) => b.state === "anchored" && (b.block ?? 0) <= settledUpTo);
    const onChain = await Promise.all(settled.map((b) => registry.anchorOf(b.root)));
    settled.forEach((batch, i) => {
      const problem = auditProblem(batch, onChain[i]);
      if (problem === undefined) return void missing.delete(batch.root);
      if (!missing.has(batch.root)) logger.error(`CHAIN STATE MISMATCH: root ${batch.root} of ${batch.agency} (block ${batch.block}, settled) is ${problem}`);
      missing.set(batch.root, { root: batch.root, agency: batch.agency, ...(batch.block !== undefined ? { block: batch.block } : {}), problem });
    });
    // A batch sent again is no longer anchored: whatever was said of its old anchor is moot.
    for (const batch of page) if (batch.state !== "anchored") missing.delete(batch.root);
    checked += settled.length;
    cursor = page.at(-1)?.root;
    if (page.length < pageSize) {
      stats.rootsInLastFullPass = checked;
      stats.lastFullPassAt = new Date().toISOString();
      checked = 0;
      cursor = undefined;
      return true;
    }
    return false;
  }

  const loop = createBackgroundLoop(step, { intervalMs });

  return {
    /** One page now (tests); true when it completed a full pass. */
    step,
    stats: (): RootAuditStats => ({
      rootsChecked: checked,
      ...stats,
      missing: [...missing.values()],
      statusesCheckedUpToBlock: statusCursor,
      statusesChecked,
      statusMismatches: [...statusMismatches.values()],
    }),
    start: loop.start,
    stop: loop.stop,
  };
}

export type RootAudit = ReturnType<typeof createRootAudit>;
