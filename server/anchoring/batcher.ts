import type { Provider, Signer } from "ethers";
import { agencyIdOf, buildMerkleTree, type Hex, type MerkleTree } from "@certchain/sdk";
import { createOperatorClient } from "../chain/operator";
import { receiptOf } from "../chain/receipt";
import { createRegistryIdSource, type RegistryIdSource } from "../chain/registry-id";
import type { RegistryReads } from "../chain/registry-reads";
import { revertNameOf } from "../chain/revert-name";
import { classifyWriteFailure, shortChainMessage } from "../chain/write-failure";
import type { AuditLog } from "../store/audit-log";
import type { BatchRecord, BatchStore } from "../store/batch-store";
import type { BatchAnchor, CertificateStore, PendingEntry } from "../store/certificate-store";
import type { Database } from "../store/database";
import type { Finality } from "../domain/finality";

export interface BatcherOptions {
  db: Database;
  certificates: CertificateStore;
  batches: BatchStore;
  audit: AuditLog;
  /** For the chain's head (confirmations). */
  provider: Provider;
  registry: RegistryReads;
  /** Where the registry's id comes from (named in every anchored envelope). */
  registryIds?: RegistryIdSource;
  chainId: number;
  operatorSignerFor(agency: string): Signer | undefined;
  /** Serialises one agency's transactions (shared with status changes: same operator nonce). */
  chainLock<T>(agency: string, section: () => Promise<T>): Promise<T>;
  maxSize?: number;
  maxDelayMs?: number;
  /** Certificates whose proofs go into one LevelDB write when a batch is finished. Default 1,000. */
  finishSlice?: number;
  confirmations?: number;
  /**
   * When an anchor counts: "confirmations" (its block `confirmations` deep) or "finalized" (its
   * block at or below the node's `finalized` block). Either way the root is then read back from
   * the registry at that block, by block hash.
   */
  finality?: Finality;
  /** How often the depth of a mined anchor is looked at. Default 1,000 ms. */
  depthPollMs?: number;
  now?: () => number;
  backoff?: { initialMs?: number; maxMs?: number };
  /**
   * Resolves when chain calls may go ahead, throws when not (the attempt is retried with
   * backoff): no anchor is read or sent while the chain is down, being rebuilt, or not ours.
   */
  chainReady?: () => Promise<void>;
  /** Resolves once block `blockNumber` is journaled (dev chain): proofs never name a block a replay would not rebuild. */
  durable?: (blockNumber: number) => Promise<void>;
  /**
   * Told of each failed attempt of an agency's batch (the attempt is retried): an operator
   * without funds is reported here. Returns what /readyz shows as the last error, if it knows better.
   */
  onFailure?: (agency: string, error: unknown) => string | undefined;
  /** Test hook: behave as if the process died right after this step ("finishing": after the first proof slice). */
  crashAt?: "prepared" | "sent" | "finishing";
}

/** Where a root stands once its block is deep enough, read back at that depth. */
interface SettledAnchor {
  transaction: Hex;
  block: number;
  blockHash: Hex;
  anchoredAt: number;
}

/** The root was in a block that left the canonical chain before it was deep enough: send it again. */
export class AnchorVanishedError extends Error {
  constructor(root: Hex, at: string) {
    super(`root ${root} is no longer on the canonical chain at ${at} (a reorganisation dropped its block): it is anchored again`);
  }
}

export interface BatcherStats {
  backlog: number;
  openBatches: number;
  oldestPendingAgeMs: number | null;
  lastAnchorAt: string | null;
  lastError?: string;
  failingSinceMs: number | null;
}

/** What `onBatchAnchored` listeners hear: a batch whose proofs are all on disk. */
export interface AnchoredBatch {
  agency: string;
  root: Hex;
  ids: readonly string[];
}

export class SimulatedCrash extends Error {
  constructor(step: string) {
    super(`simulated crash after ${step}`);
  }
}

/**
 * Anchors pending certificates, one batch at a time per agency:
 *
 *   prepare  — take up to maxSize pending certificates, build the tree, and durably record the
 *              batch as "prepared" while removing them from the pending index (one write: a
 *              certificate is in the index or in exactly one batch);
 *   send     — unless the chain already has the root, send anchorRoot from the agency's operator;
 *              the contract refuses a root twice, so a resend can never double-anchor;
 *   settle   — wait until the anchor's block is `confirmations` deep (or finalized), then read the
 *              root back from the registry at that depth by block hash (EIP-1898) and find its
 *              transaction from the RootAnchored log of the block that holds it now: a root whose
 *              block vanished in a reorganisation is sent again, never reported anchored;
 *   finish   — wait for the block to be journaled (dev chain), store every certificate's proof
 *              beside its record (the record is not rewritten) and mark the batch anchored.
 *
 * Any failure is retried with exponential backoff (capped) while issuance goes on; on restart,
 * open batches are finished first, from the chain's view of them.
 */
export function createBatcher(options: BatcherOptions) {
  const { db, certificates, batches, audit, provider, registry, chainId } = options;
  const maxSize = options.maxSize ?? 10_000;
  const maxDelayMs = options.maxDelayMs ?? 2_000;
  const confirmations = Math.max(1, options.confirmations ?? 1);
  const finality: Finality = options.finality ?? "confirmations";
  const depthPollMs = options.depthPollMs ?? 1_000;
  const now = options.now ?? Date.now;
  const initialBackoff = options.backoff?.initialMs ?? 250;
  const maxBackoff = options.backoff?.maxMs ?? 10_000;
  const registryIds = options.registryIds ?? createRegistryIdSource(registry);

  const queues = new Map<string, PendingEntry[]>();
  const open = new Map<string, BatchRecord[]>();
  // The tree of each batch prepared in this run, for its proofs (after a restart they are rebuilt from the leaves).
  const trees = new Map<Hex, MerkleTree>();
  const running = new Map<string, Promise<void>>();
  const timers = new Map<string, NodeJS.Timeout>();
  const flushing = new Map<string, number>();
  const waiters = new Set<() => void>();
  const anchoredListeners = new Set<(batch: AnchoredBatch) => void>();
  let stopped = false;
  let crashed: Error | undefined;
  let wakeSleepers: () => void = () => {};
  let stopSignal = new Promise<void>((resolve) => (wakeSleepers = resolve));
  let lastAnchorAt: string | null = null;
  let lastError: string | undefined;
  let failingSince: number | null = null;

  const list = <T>(map: Map<string, T[]>, agency: string): T[] => {
    let items = map.get(agency);
    if (items === undefined) map.set(agency, (items = []));
    return items;
  };
  const sleep = (ms: number) => Promise.race([new Promise<void>((resolve) => setTimeout(resolve, ms).unref()), stopSignal]);
  const isDue = (agency: string): boolean => {
    const queue = list(queues, agency);
    if (queue.length === 0) return false;
    return queue.length >= maxSize || (flushing.get(agency) ?? 0) > 0 || now() - queue[0].at >= maxDelayMs;
  };
  const hasWork = (agency: string) => list(open, agency).length > 0 || list(queues, agency).length > 0;
  const notify = () => waiters.forEach((wake) => wake());

  function schedule(agency: string): void {
    if (stopped || running.has(agency)) return;
    if (list(open, agency).length > 0 || isDue(agency)) return kick(agency);
    const queue = list(queues, agency);
    if (queue.length > 0 && !timers.has(agency)) {
      const delay = Math.max(0, queue[0].at + maxDelayMs - now());
      const timer = setTimeout(() => {
        timers.delete(agency);
        schedule(agency);
      }, delay);
      timer.unref();
      timers.set(agency, timer);
    }
  }

  function kick(agency: string): void {
    clearTimeout(timers.get(agency));
    timers.delete(agency);
    const run = drain(agency)
      .catch((error) => {
        // Only a simulated crash gets here: everything else is retried inside drain.
        crashed = error;
      })
      .finally(() => {
        running.delete(agency);
        notify();
        schedule(agency);
      });
    running.set(agency, run);
  }

  async function drain(agency: string): Promise<void> {
    while (!stopped) {
      const pendingBatches = list(open, agency);
      if (pendingBatches.length > 0) {
        await withRetry(agency, () => complete(pendingBatches[0]));
        if (stopped) return;
        pendingBatches.shift();
        notify();
        continue;
      }
      if (!isDue(agency)) return;
      await withRetry(agency, () => prepare(agency));
    }
  }

  async function withRetry(agency: string, step: () => Promise<void>): Promise<void> {
    for (let attempt = 0; !stopped; attempt++) {
      try {
        await step();
        lastError = undefined;
        failingSince = null;
        return;
      } catch (error) {
        if (error instanceof SimulatedCrash) {
          stopped = true;
          wakeSleepers();
          throw error;
        }
        if (stopped) return;
        lastError = options.onFailure?.(agency, error) ?? describeFailure(agency, error);
        failingSince ??= now();
        await sleep(Math.min(maxBackoff, initialBackoff * 2 ** attempt));
      }
    }
  }

  async function prepare(agency: string): Promise<void> {
    const queue = list(queues, agency);
    const taken = queue.slice(0, maxSize);
    if (taken.length === 0) return;
    const tree = buildMerkleTree(taken.map((e) => e.leaf as Hex));
    const batch: BatchRecord = {
      root: tree.root,
      agency,
      ids: taken.map((e) => e.id),
      leaves: taken.map((e) => e.leaf as Hex),
      // A snapshot of the audit chain's head: anchoring it fixes everything logged before it.
      auditHead: (await audit.head()).hash,
      state: "prepared",
      preparedAt: new Date(now()).toISOString(),
    };
    await db.write([...batches.putOps(batch), ...certificates.unpendOps(taken)]);
    // Only this agency's drain removes from the front, and only after the write: the queue and
    // the pending index agree at every await.
    queue.splice(0, taken.length);
    list(open, agency).push(batch);
    trees.set(batch.root, tree);
    if (options.crashAt === "prepared") throw new SimulatedCrash("prepared");
  }

  async function send(batch: BatchRecord): Promise<void> {
    const operator = options.operatorSignerFor(batch.agency);
    if (operator === undefined) throw new Error(`no operator account for agency ${batch.agency}`);
    await options.chainLock(batch.agency, async () => {
      try {
        const tx = await createOperatorClient(registry.address, operator).sendAnchorRoot(batch.root, batch.leaves.length, batch.auditHead);
        batch.state = "sent";
        batch.transaction = tx.hash as Hex;
        await db.write(batches.putOps(batch));
        await receiptOf(tx);
      } catch (error) {
        // Another attempt (before a crash, or still in the mempool) got there first: fine.
        if (revertNameOf(error) !== "CertchainRootAlreadyAnchored") throw error;
      }
    });
    if (options.crashAt === "sent") throw new SimulatedCrash("sent");
  }

  async function complete(batch: BatchRecord): Promise<void> {
    await options.chainReady?.();
    let anchor = await registry.anchorOf(batch.root);
    if (anchor === undefined) {
      await send(batch);
      anchor = await registry.anchorOf(batch.root);
      if (anchor === undefined) throw new Error(`root ${batch.root} not visible on chain after its transaction`);
    }
    if (anchor.agencyId.toLowerCase() !== agencyIdOf(batch.agency).toLowerCase()) {
      throw new Error(`root ${batch.root} is anchored by another agency`);
    }
    const settled = await settle(batch, anchor.blockNumber);
    if (settled === undefined) return;
    await options.durable?.(settled.block);
    await finish(batch, settled.transaction, settled.block, settled.blockHash, new Date(settled.anchoredAt * 1000).toISOString());
  }

  /** The block at the configured depth once the chain has one over `blockNumber`; undefined until then. */
  async function checkpointOver(blockNumber: number): Promise<{ number: number; hash: Hex } | undefined> {
    if (finality === "finalized") {
      const finalized = await provider.getBlock("finalized");
      return finalized !== null && finalized.number >= blockNumber ? { number: finalized.number, hash: finalized.hash as Hex } : undefined;
    }
    const head = await provider.getBlockNumber();
    if (head - blockNumber + 1 < confirmations) return undefined;
    const atDepth = await provider.getBlock(blockNumber + confirmations - 1);
    return atDepth === null ? undefined : { number: atDepth.number, hash: atDepth.hash as Hex };
  }

  /**
   * Waits until the anchor mined in `blockNumber` is deep enough, then reads it back there by
   * block hash; undefined when stopped meanwhile. The height alone proves nothing: a reorganisation
   * may have replaced the block that held it, so the root is read from the state at the checkpoint.
   */
  async function settle(batch: BatchRecord, blockNumber: number): Promise<SettledAnchor | undefined> {
    let checkpoint: { number: number; hash: Hex } | undefined;
    while ((checkpoint = await checkpointOver(blockNumber)) === undefined) {
      await sleep(depthPollMs);
      if (stopped) return undefined;
    }
    // A checkpoint that itself left the canonical chain meanwhile makes the node refuse the call: retried.
    const atDepth = await registry.anchorAtBlock(batch.root, checkpoint.hash);
    if (atDepth === undefined) {
      // The next attempt finds the root missing at the head too and sends it again.
      throw new AnchorVanishedError(batch.root, `block ${checkpoint.number} (${checkpoint.hash})`);
    }
    if (atDepth.agencyId.toLowerCase() !== agencyIdOf(batch.agency).toLowerCase()) throw new Error(`root ${batch.root} is anchored by another agency`);
    // The log of the block that holds the root on the canonical chain now (re-included elsewhere, it names the new block).
    const holder = await provider.getBlock(atDepth.blockNumber);
    const log = (await registry.anchorLogs(atDepth.blockNumber, atDepth.blockNumber)).find((l) => l.root === batch.root.toLowerCase());
    if (holder === null || log === undefined || log.blockHash !== holder.hash?.toLowerCase()) {
      throw new Error(`the chain moved while the anchor of ${batch.root} was read back: read again`);
    }
    return { transaction: log.transaction, block: atDepth.blockNumber, blockHash: log.blockHash, anchoredAt: atDepth.anchoredAt };
  }

  async function finish(batch: BatchRecord, transaction: Hex, block: number, blockHash: Hex, anchoredAt: string): Promise<void> {
    const tree = trees.get(batch.root) ?? buildMerkleTree(batch.leaves);
    // Proofs go to disk beside the records (no record is read or rewritten), a slice at a time,
    // each slice synced, so a 10,000-certificate batch never sits in one LevelDB write whole. Only
    // the last write marks the batch anchored: a crash in between leaves it open, and the next
    // pass writes the same proofs again (a status change made meanwhile is in the record, untouched).
    const slice = Math.max(1, options.finishSlice ?? 1_000);
    const registryId = await registryIds.get();
    const anchor: BatchAnchor = { chainId, registry: registry.address, ...(registryId !== undefined ? { registryId } : {}), transaction, block, anchoredAt };
    for (let start = 0; start < batch.ids.length; start += slice) {
      const end = Math.min(start + slice, batch.ids.length);
      const paths: Hex[][] = [];
      for (let i = start; i < end; i++) paths.push(tree.proofOf(batch.leaves[i])!);
      await db.write(certificates.anchorOps(batch.root, anchor, batch.ids.slice(start, end), paths));
      if (options.crashAt === "finishing") throw new SimulatedCrash("finishing");
    }
    const done: BatchRecord = { ...batch, state: "anchored", transaction, block, blockHash, anchoredAt };
    await audit.append(
      [{ at: new Date(now()).toISOString(), actor: `operator:${batch.agency}`, requestId: `batch:${batch.root}`, action: "batch.anchor", subject: batch.root, data: { agency: batch.agency, size: batch.leaves.length, transaction, block, auditHead: batch.auditHead } }],
      batches.putOps(done),
    );
    trees.delete(batch.root);
    lastAnchorAt = new Date(now()).toISOString();
    for (const listener of anchoredListeners) {
      try {
        listener({ agency: batch.agency, root: batch.root, ids: batch.ids });
      } catch {
        // a listener's fault is its own; anchoring goes on
      }
    }
  }

  /** A failed attempt in a few words: what the node said (never transaction hex), or that it said nothing. */
  function describeFailure(agency: string, error: unknown): string {
    const failure = classifyWriteFailure(error);
    switch (failure.kind) {
      case "unreachable":
        return `${agency}: ${error instanceof Error ? shortChainMessage(error.message) : "the chain did not answer"}`;
      case "unfunded":
        return `${agency}: OPERATOR_UNFUNDED: its operator account cannot pay for the anchor (${failure.message})`;
      case "reverted":
        return `${agency}: the registry reverted the anchor: ${failure.name}`;
      default:
        return `${agency}: ${failure.message}`;
    }
  }

  return {
    /** Loads what a previous run left: open batches first, then the pending index. */
    async start(): Promise<void> {
      for (const batch of await batches.openBatches()) list(open, batch.agency).push(batch);
      const pending = await certificates.pendingEntries();
      pending.sort((a, b) => a.at - b.at);
      for (const entry of pending) list(queues, entry.agency).push(entry);
      for (const agency of new Set([...open.keys(), ...queues.keys()])) schedule(agency);
    },

    /** Called after the certificates are durably stored as pending. */
    enqueue(entries: readonly PendingEntry[]): void {
      const agencies = new Set<string>();
      for (const entry of entries) {
        list(queues, entry.agency).push(entry);
        agencies.add(entry.agency);
      }
      for (const agency of agencies) schedule(agency);
    },

    /** Anchors everything pending now (or of one agency); resolves when it is anchored. */
    async flush(agency?: string): Promise<void> {
      const agencies = agency !== undefined ? [agency] : [...new Set([...open.keys(), ...queues.keys()])];
      for (const a of agencies) flushing.set(a, (flushing.get(a) ?? 0) + 1);
      try {
        for (;;) {
          if (crashed) throw crashed;
          if (stopped) throw new Error("the batcher is stopped");
          const busy = agencies.filter(hasWork);
          if (busy.length === 0) return;
          let wake = () => {};
          await new Promise<void>((resolve) => {
            waiters.add((wake = resolve));
            for (const a of busy) schedule(a);
          }).finally(() => waiters.delete(wake));
        }
      } finally {
        for (const a of agencies) flushing.set(a, (flushing.get(a) ?? 1) - 1);
      }
    },

    /**
     * Calls `listener` each time a batch is anchored and all its proofs are durably written
     * (so a read of its certificates now returns anchored envelopes). Returns the unsubscribe.
     */
    onBatchAnchored(listener: (batch: AnchoredBatch) => void): () => void {
      anchoredListeners.add(listener);
      return () => void anchoredListeners.delete(listener);
    },

    /**
     * A batch whose anchor left the canonical chain (anchor-follower.ts saw its block replaced):
     * its certificates read as pending again, in one write with its audit entry, and it is anchored
     * again before the agency's next new batch: the same root, a new transaction. No operator acts.
     */
    async reopen(batch: BatchRecord, reason: string): Promise<void> {
      if (stopped || list(open, batch.agency).some((b) => b.root === batch.root)) return;
      const reopened: BatchRecord = { root: batch.root, agency: batch.agency, ids: batch.ids, leaves: batch.leaves, auditHead: batch.auditHead, state: "prepared", preparedAt: batch.preparedAt };
      await audit.append(
        [{ at: new Date(now()).toISOString(), actor: "service", requestId: `batch:${batch.root}`, action: "batch.unanchor", subject: batch.root, data: { agency: batch.agency, transaction: batch.transaction, block: batch.block, reason } }],
        [...batches.putOps(reopened, batch), ...certificates.unanchorOps(batch.root)],
      );
      list(open, batch.agency).push(reopened);
      schedule(batch.agency);
    },

    /**
     * A batch whose anchor a reorganisation put in another block (the same root, on chain, deep
     * enough): its record and its certificates' anchor name the new block, transaction and time.
     */
    async moved(batch: BatchRecord, to: { transaction: Hex; block: number; blockHash: Hex; anchoredAt: string }): Promise<void> {
      const updated: BatchRecord = { ...batch, ...to };
      const current = await certificates.batchAnchorOf(batch.root);
      const ops = [...batches.putOps(updated, batch), ...(current ? certificates.reanchorOps(batch.root, { ...current, transaction: to.transaction, block: to.block, anchoredAt: to.anchoredAt }) : [])];
      // A batch anchored before block hashes were kept only gets its hash recorded.
      if (batch.blockHash === undefined && batch.block === to.block && batch.transaction === to.transaction) return db.write(ops);
      await audit.append(
        [{ at: new Date(now()).toISOString(), actor: "service", requestId: `batch:${batch.root}`, action: "batch.reinclude", subject: batch.root, data: { agency: batch.agency, previous: { transaction: batch.transaction, block: batch.block, anchoredAt: batch.anchoredAt }, ...to } }],
        ops,
      );
    },

    stats(): BatcherStats {
      let backlog = 0;
      let oldest: number | null = null;
      for (const queue of queues.values()) {
        backlog += queue.length;
        if (queue.length > 0) oldest = Math.min(oldest ?? Infinity, queue[0].at);
      }
      let openCount = 0;
      for (const list of open.values()) {
        for (const batch of list) {
          openCount += 1;
          backlog += batch.ids.length;
          oldest = Math.min(oldest ?? Infinity, Date.parse(batch.preparedAt));
        }
      }
      return {
        backlog,
        openBatches: openCount,
        oldestPendingAgeMs: oldest === null ? null : Math.max(0, now() - oldest),
        lastAnchorAt,
        lastError,
        failingSinceMs: failingSince === null ? null : now() - failingSince,
      };
    },

    async stop(): Promise<void> {
      stopped = true;
      wakeSleepers();
      for (const timer of timers.values()) clearTimeout(timer);
      timers.clear();
      notify();
      // A transaction wait on a dead chain never ends; don't let it hold shutdown hostage.
      await Promise.race([Promise.allSettled([...running.values()]), new Promise((resolve) => setTimeout(resolve, 5_000).unref())]);
      stopSignal = new Promise<void>((resolve) => (wakeSleepers = resolve));
    },
  };
}

export type Batcher = ReturnType<typeof createBatcher>;
