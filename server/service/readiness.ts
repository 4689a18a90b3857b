import { isCertchainError } from "@certchain/sdk";
import type { Readiness } from "../domain/readiness";
import { withDeadline } from "./chain-call";
import type { ServiceContext } from "./context";

/**
 * GET /readyz: the chain's phase as the gate knows it, checked with one probe when it says ready,
 * and whether anchoring keeps up. Not ready: CHAIN_STATE_MISMATCH, CHAIN_UNAVAILABLE or
 * ANCHORING_STUCK.
 */
export function createReadiness(ctx: ServiceContext) {
  return {
    async readiness(): Promise<Readiness> {
      const status = ctx.gate.status();
      const chainState: Readiness["chain"] = {
        phase: status.phase,
        since: status.since,
        reachable: status.phase === "ready",
        chainId: ctx.chainId,
        ...(status.blockNumber !== undefined ? { blockNumber: status.blockNumber } : {}),
        ...(status.detail ? { detail: status.detail } : {}),
        ...(status.progress ? { progress: status.progress } : {}),
      };
      if (status.phase === "ready") {
        try {
          chainState.blockNumber = await withDeadline(ctx.provider.getBlockNumber(), Math.min(ctx.timeoutMs, 3_000));
        } catch (error) {
          // The monitor has not noticed yet; report what this probe saw.
          chainState.phase = "unreachable";
          chainState.reachable = false;
          chainState.error = isCertchainError(error) ? "no answer in time" : error instanceof Error ? error.message.slice(0, 200) : "unreachable";
        }
      }
      // An account funded since it was last read is not reported unfunded.
      if (status.phase === "ready") await withDeadline(ctx.funds.recheckUnfunded(), Math.min(ctx.timeoutMs, 2_000)).catch(() => undefined);
      const stats = ctx.batcher.stats();
      // Stuck: work waiting much longer than a batch should take, while attempts keep failing.
      const stuck = stats.oldestPendingAgeMs !== null && stats.oldestPendingAgeMs > ctx.batchDelayMs + 60_000 && stats.failingSinceMs !== null;
      const audit = ctx.rootAudit.stats();
      const code = status.phase === "mismatch" || audit.missing.length > 0 ? "CHAIN_STATE_MISMATCH" : !chainState.reachable ? "CHAIN_UNAVAILABLE" : stuck ? "ANCHORING_STUCK" : undefined;
      return {
        ready: code === undefined,
        ...(code ? { code } : {}),
        chain: chainState,
        operators: { served: ctx.served.list().length, unfunded: ctx.funds.unfunded().map(({ agency, account, balance, needed }) => ({ agency, account, balance, needed })) },
        anchoring: { backlog: stats.backlog, oldestPendingAgeMs: stats.oldestPendingAgeMs, lastAnchorAt: stats.lastAnchorAt, stuck, ...(stats.lastError ? { lastError: stats.lastError } : {}) },
        audit,
        reorgs: ctx.anchorFollower.stats(),
      };
    },
  };
}
