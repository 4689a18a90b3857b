/** Whether the node can do its work now (GET /readyz), and why not. */
export interface Readiness {
  ready: boolean;
  /** Why not ready: CHAIN_UNAVAILABLE, CHAIN_STATE_MISMATCH or ANCHORING_STUCK. */
  code?: string;
  chain: {
    /** starting | replaying | restarting | ready | unreachable | mismatch (server/chain/chain-gate.ts) */
    phase: string;
    since?: string;
    reachable: boolean;
    chainId?: number;
    blockNumber?: number;
    error?: string;
    /** Why not ready and the way out, in plain words. */
    detail?: string;
    progress?: { replayed: number; total: number };
  };
  anchoring: { backlog: number; oldestPendingAgeMs: number | null; lastAnchorAt: string | null; stuck: boolean; lastError?: string };
}
