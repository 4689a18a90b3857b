import { agencyIdOf, type CertificateState as ChainState } from "@certchain/sdk";
import { createOperatorClient, type StatusUpdate } from "../chain/operator";
import { anchorOf, type CertificateState, type KeptCertificate, type StatusAction } from "../domain/certificate";
import type { ServiceContext } from "./context";

/** The chain's state a certificate of this node's state has (pending ones are active once anchored). */
const CHAIN_STATE_OF: Record<CertificateState, ChainState> = { pending: "active", anchored: "active", suspended: "suspended", revoked: "revoked" };

/** The one status change that takes a leaf from `from` to `to` on chain, if any (revoked is final). */
export function actionBetween(from: ChainState, to: ChainState): StatusAction | undefined {
  if (from === to || from === "revoked") return undefined;
  if (to === "revoked") return "revoke";
  return to === "suspended" ? "suspend" : "reinstate";
}

/** Whether `action` applies to a leaf in `state` on chain (the contract's own rules). */
export function actionApplies(action: StatusAction, state: ChainState): boolean {
  if (action === "revoke") return state !== "revoked";
  if (action === "suspend") return state === "active";
  return state === "suspended";
}

export const statusUpdateOf = (record: KeptCertificate): StatusUpdate | undefined => {
  const anchor = anchorOf(record);
  return anchor.status === "anchored" ? { leaf: record.leaf, root: anchor.root, proof: anchor.proof, statusIndex: record.statusIndex } : undefined;
};

/**
 * Keeps every holder copy's status on chain in line with its certificate's. A status change
 * takes the certificate and its anchored copies in one transaction (status-changes.ts); a copy
 * still pending then, or made while its certificate is pending, is "to settle" (a sublevel entry
 * written with the copy): once its batch is anchored it is brought to its certificate's state
 * here, and only then is the entry deleted. Run after every anchored batch, after status changes,
 * at start, and again after a failure. The published status lists need nothing: a copy carries
 * its certificate's status-list index.
 */
export function createHolderCopyStatus(ctx: ServiceContext) {
  const { certificates, registry, audit } = ctx;
  let stopped = false;
  let retry: NodeJS.Timeout | undefined;
  const running = new Set<Promise<void>>();

  async function settleOne(copyId: string, certificateId: string): Promise<void> {
    await ctx.certificateLock(certificateId, async () => {
      const [certificate, copy] = await certificates.getMany([certificateId, copyId]);
      if (!certificate || !copy) return void (await ctx.db.write(certificates.settledOps(copyId)));
      const update = statusUpdateOf(copy);
      if (update === undefined) return; // its batch is not anchored yet: settled when it is
      const agencyId = agencyIdOf(copy.agency);
      const [onChain] = await registry.reader.statuses(agencyId, [copy.leaf]);
      const action = actionBetween(onChain.state, CHAIN_STATE_OF[certificate.status]);
      if (action !== undefined) {
        await ctx.gate.ready();
        await ctx.chainLock(copy.agency, async () => {
          // Inside the lock: an operator rotation switches accounts between two transactions.
          const operator = ctx.operatorFor(copy.agency);
          if (operator === undefined) throw new Error(`no operator account for agency ${copy.agency}`);
          await createOperatorClient(ctx.registryAddress, operator).changeStatus(action, [update], certificate.statusReason ?? 0);
        });
        void ctx.statusLists.kick();
      }
      const settled: KeptCertificate = { ...copy, status: certificate.status === "pending" ? copy.status : certificate.status, statusReason: certificate.statusReason };
      const entries =
        action === undefined
          ? []
          : [{ at: new Date(ctx.now()).toISOString(), actor: `operator:${copy.agency}`, requestId: `copy:${copyId}`, action: `certificate.${action}`, subject: certificateId, data: { agency: copy.agency, reason: certificate.statusReason ?? 0, leaf: copy.leaf, copy: copyId } }];
      await audit.append(entries, [...certificates.updateOps(settled), ...certificates.settledOps(copyId)]);
    });
  }

  async function settle(ids?: readonly string[]): Promise<void> {
    if (stopped) return;
    const due = await certificates.copiesToSettle(ids);
    let failed = false;
    for (const [copyId, certificateId] of due) {
      if (stopped) return;
      try {
        await settleOne(copyId, certificateId);
      } catch {
        failed = true; // the chain or the gate: tried again shortly
      }
    }
    if (failed && !stopped && retry === undefined) {
      retry = setTimeout(() => {
        retry = undefined;
        run();
      }, 5_000);
      retry.unref();
    }
  }

  function run(ids?: readonly string[]): Promise<void> {
    const work = settle(ids).catch(() => undefined);
    running.add(work);
    void work.finally(() => running.delete(work));
    return work;
  }

  const unsubscribe = ctx.batcher.onBatchAnchored((batch) => void run(batch.ids.filter((id) => id.includes("."))));

  return {
    /** Brings the copies to settle (all, or those of `ids`) in line; resolves when done (failures are retried later). */
    settle: (ids?: readonly string[]): Promise<void> => run(ids),
    async stop(): Promise<void> {
      stopped = true;
      unsubscribe();
      clearTimeout(retry);
      await Promise.allSettled([...running]);
    },
  };
}

export type HolderCopyStatus = ReturnType<typeof createHolderCopyStatus>;
