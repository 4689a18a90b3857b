import { apiError } from "../errors";

/**
 * Where the service stands with its chain:
 *   starting     opening the chain, checking its identity
 *   replaying    rebuilding a fresh dev node from the journal
 *   restarting   the dev node died or froze and is being started again
 *   ready        reads and writes go ahead
 *   unreachable  the node does not answer (requests fail fast with CHAIN_UNAVAILABLE)
 *   mismatch     the chain is not the one our certificates are anchored on: nothing is written
 */
export type ChainPhase = "starting" | "replaying" | "restarting" | "ready" | "unreachable" | "mismatch";

export interface ChainStatus {
  phase: ChainPhase;
  /** When this phase began (ISO). */
  since: string;
  chainId: number;
  /** The head last seen. */
  blockNumber?: number;
  /** Why the chain is not ready, and the way out, in plain words. */
  detail?: string;
  /** While replaying: blocks done of total. */
  progress?: { replayed: number; total: number };
}

/** What the service needs of the chain's state: a gate in front of chain calls. */
export interface ChainGate {
  status(): ChainStatus;
  /**
   * Resolves at once when the chain is ready; otherwise waits up to `waitMs` for it, then
   * throws CHAIN_STATE_MISMATCH (mismatch) or CHAIN_UNAVAILABLE (anything else).
   */
  ready(waitMs?: number): Promise<void>;
  /** Runs a chain write once ready; a restart waits for writes in flight (each has a deadline). */
  write<T>(section: () => Promise<T>): Promise<T>;
  /**
   * Counts the times the chain stopped being ready. A write that began in one generation must
   * not broadcast in another: the node it prepared the transaction with may have been replaced.
   */
  generation(): number;
  /** Resolves once block `blockNumber` is journaled (dev chain); at once on other chains. */
  durable(blockNumber: number): Promise<void>;
}

/** The supervisor's side of the gate. */
export interface ChainGateControl extends ChainGate {
  set(phase: ChainPhase, extra?: Partial<Omit<ChainStatus, "phase" | "since" | "chainId">>): void;
  update(extra: Partial<Omit<ChainStatus, "phase" | "since" | "chainId">>): void;
  /** Waits until no write is in flight (or `timeoutMs` passed). */
  drainWrites(timeoutMs: number): Promise<void>;
  onChange(listener: (status: ChainStatus) => void): void;
}

export const DEFAULT_WAIT_MS = 2_000;

export function createChainGate(options: { chainId: number; phase?: ChainPhase; waitMs?: number; durable?: (blockNumber: number) => Promise<void> }): ChainGateControl {
  let status: ChainStatus = { phase: options.phase ?? "starting", since: new Date().toISOString(), chainId: options.chainId };
  const defaultWait = options.waitMs ?? DEFAULT_WAIT_MS;
  const waiters = new Set<() => void>();
  const listeners: ((status: ChainStatus) => void)[] = [];
  let inFlight = 0;
  let generation = 0;
  const drained = new Set<() => void>();

  const notReady = () =>
    status.phase === "mismatch"
      ? apiError("CHAIN_STATE_MISMATCH", undefined, { phase: status.phase, ...(status.detail ? { detail: status.detail } : {}) })
      : apiError("CHAIN_UNAVAILABLE", undefined, { phase: status.phase });

  const gate: ChainGateControl = {
    status: () => status,
    async ready(waitMs = defaultWait) {
      if (status.phase === "ready") return;
      // A chain of the wrong identity does not fix itself in two seconds: say so at once.
      if (status.phase === "mismatch" || waitMs <= 0) throw notReady();
      let wake = () => {};
      const woken = new Promise<void>((resolve) => waiters.add((wake = resolve)));
      let timer: NodeJS.Timeout | undefined;
      try {
        await Promise.race([woken, new Promise<void>((resolve) => (timer = setTimeout(resolve, waitMs)))]);
      } finally {
        clearTimeout(timer);
        waiters.delete(wake);
      }
      if ((status.phase as ChainPhase) !== "ready") throw notReady();
    },
    async write(section) {
      await gate.ready();
      inFlight += 1;
      try {
        return await section();
      } finally {
        inFlight -= 1;
        if (inFlight === 0) for (const wake of drained) wake();
      }
    },
    durable: options.durable ?? (async () => undefined),
    generation: () => generation,
    set(phase, extra = {}) {
      const changed = phase !== status.phase;
      if (changed && status.phase === "ready") generation += 1;
      status = { chainId: status.chainId, phase, since: changed ? new Date().toISOString() : status.since, ...(changed ? {} : pick(status)), ...extra };
      if (phase !== "replaying") delete status.progress;
      if (phase === "ready") delete status.detail;
      // Waiters learn both outcomes waiting cannot change: ready, or the wrong chain.
      if (phase === "ready" || phase === "mismatch") for (const wake of [...waiters]) wake();
      if (changed) for (const listener of listeners) listener(status);
    },
    update(extra) {
      status = { ...status, ...extra };
    },
    async drainWrites(timeoutMs) {
      if (inFlight === 0) return;
      let wake = () => {};
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([new Promise<void>((resolve) => drained.add((wake = resolve))), new Promise<void>((resolve) => (timer = setTimeout(resolve, timeoutMs)))]);
      clearTimeout(timer);
      drained.delete(wake);
    },
    onChange(listener) {
      listeners.push(listener);
    },
  };
  return gate;
}

const pick = ({ blockNumber, detail, progress }: ChainStatus) => ({
  ...(blockNumber !== undefined ? { blockNumber } : {}),
  ...(detail !== undefined ? { detail } : {}),
  ...(progress !== undefined ? { progress } : {}),
});

/** A gate that is always open: for a chain nobody supervises (tests on an in-process network). */
export const openChainGate = (chainId: number): ChainGateControl => createChainGate({ chainId, phase: "ready" });
