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
  /**
   * Every anchored root checked against the registry in the background (roots within the
   * reorganisation window are followed instead): roots checked in the pass under way and in the
   * last full pass, when that ended, and settled roots the chain lacks (CHAIN_STATE_MISMATCH).
   */
  audit?: {
    rootsChecked: number;
    rootsInLastFullPass: number | null;
    lastFullPassAt: string | null;
    missing: { root: string; agency: string; block?: number; problem: string }[];
    /** Status changes on chain (settled blocks up to this one) compared with the store; mismatches are reported, the chain's status being what verifiers see. */
    statusesCheckedUpToBlock: number;
    statusesChecked: number;
    statusMismatches: { id: string; leaf: string; agency: string; here: string; onChain: string }[];
  };
  /** Reorganisations followed: anchors within the window, and those found dropped (sent again) or moved since the start. */
  reorgs?: { followed: number; dropped: number; moved: number; lastPassAt: string | null; lastError?: string };
  /**
   * The operator accounts of the agencies this node serves: how many, and those that cannot pay
   * for a transaction (their certificates stay pending, status changes answer 503
   * OPERATOR_UNFUNDED). One agency's empty account does not make the node unready.
   */
  operators?: { served: number; unfunded: { agency: string; account: string; balance: string; needed: string }[] };
}
