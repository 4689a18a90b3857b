import { agencyIdOf } from "@certchain/sdk";
import { ownValue } from "@certchain/sdk/internal";
import { createOperatorClient, type StatusUpdate } from "../chain/operator";
import { revertNameOf } from "../chain/revert-name";
import { anchorOf, type CertificateState, type KeptCertificate, type StatusAction } from "../domain/certificate";
import type { Principal, RequestContext } from "../domain/principal";
import { apiError } from "../errors";
import { requireAgency } from "./access";
import { loadCertificate } from "./certificate-lookup";
import { chainWriteFailure } from "./chain-call";
import type { ServiceContext } from "./context";
import { actionApplies, statusUpdateOf } from "./holder-copy-status";

const STATE_AFTER: Record<StatusAction, CertificateState> = { revoke: "revoked", suspend: "suspended", reinstate: "anchored" };

/** The chain's states (the registry's `CertificateState`) as this node names them. */
const CHAIN_STATE: Record<string, CertificateState> = { active: "anchored", suspended: "suspended", revoked: "revoked" };

/** Local pre-check of the contract's rules, so an impossible change costs no transaction. */
function transitionAllowed(state: CertificateState, action: StatusAction): boolean {
  if (state === "revoked" || state === "pending") return false;
  if (action === "suspend") return state !== "suspended";
  if (action === "reinstate") return state === "suspended";
  return true;
}

/**
 * Revoking, suspending and reinstating a certificate: recorded on chain by the issuing agency's
 * operator first, then in the record and the audit log (one synced write). One change at a time
 * per certificate.
 */
export function createStatusChanges(ctx: ServiceContext) {
  const { certificates, audit, gate, registry } = ctx;

  /** The anchored copies `action` applies to on chain now (their state read from the chain). */
  async function anchoredCopyUpdates(copies: readonly KeptCertificate[], action: StatusAction): Promise<StatusUpdate[]> {
    const anchored = copies.flatMap((copy) => statusUpdateOf(copy) ?? []);
    if (anchored.length === 0) return [];
    const states = await registry.reader.statuses(agencyIdOf(copies[0].agency), anchored.map((u) => u.leaf)).catch(() => {
      throw apiError("CHAIN_UNAVAILABLE");
    });
    return anchored.filter((_, i) => actionApplies(action, states[i].state));
  }

  return {
    async changeStatus(principal: Principal, id: string, action: StatusAction, reason: number, context: RequestContext): Promise<KeptCertificate> {
      const agencyPrincipal = requireAgency(principal, (agency) => ctx.operatorFor(agency) !== undefined);
      if (!Object.hasOwn(STATE_AFTER, action)) throw apiError("BAD_REQUEST", "Unknown status action.");
      if (!Number.isInteger(reason) || reason < 0 || reason > 65_535) throw apiError("VALIDATION_FAILED", "reason must be an integer from 0 to 65535.", [{ path: "/reason", message: "out of range" }]);
      return ctx.certificateLock(id, async () => {
        const record = await loadCertificate(certificates, id);
        if (record.agency !== agencyPrincipal.agency) throw apiError("FORBIDDEN_AGENCY");
        const anchor = anchorOf(record);
        if (record.status === "pending" || anchor.status !== "anchored") throw apiError("CERT_NOT_ANCHORED");
        if (!transitionAllowed(record.status, action)) throw apiError("STATUS_TRANSITION_INVALID", undefined, { status: record.status, action });
        await gate.ready();
        // Its holder copies change with it, in the same transaction when anchored; the others
        // follow once anchored (holder-copy-status.ts).
        const copies = await certificates.copiesOf(id);
        const copyUpdates = await anchoredCopyUpdates(copies, action);
        let account = "";
        try {
          await ctx.chainLock(record.agency, async () => {
            // Inside the lock: an operator rotation switches accounts between two transactions.
            const signer = ctx.operatorFor(record.agency)!;
            account = await signer.getAddress();
            await createOperatorClient(ctx.registryAddress, signer).changeStatus(action, [{ leaf: record.leaf, root: anchor.root, proof: anchor.proof, statusIndex: record.statusIndex }, ...copyUpdates], reason);
          });
        } catch (error) {
          const revert = revertNameOf(error);
          if (revert === undefined) {
            const failure = chainWriteFailure(error, { role: "operator", agency: record.agency, account });
            if (failure.code === "OPERATOR_UNFUNDED") ctx.funds.reportUnfunded(record.agency);
            throw failure;
          }
          // The chain may already be where we want it (a crash after the transaction, before our write).
          const [onChain] = await registry.reader.statuses(agencyIdOf(record.agency), [record.leaf]).catch(() => [undefined]);
          if (onChain === undefined || ownValue(CHAIN_STATE, onChain.state) !== STATE_AFTER[action]) {
            throw apiError("STATUS_TRANSITION_INVALID", undefined, { status: record.status, action, revert });
          }
        }
        // The published list follows the chain on its own; this only makes it look now.
        void ctx.statusLists.kick();
        const updated: KeptCertificate = { ...record, status: STATE_AFTER[action], statusReason: reason };
        const at = new Date(ctx.now()).toISOString();
        await audit.append(
          [
            { at, actor: principal.subject, requestId: context.requestId, action: `certificate.${action}`, subject: id, data: { agency: record.agency, reason, leaf: record.leaf } },
            ...copyUpdates.map((u) => ({ at, actor: principal.subject, requestId: context.requestId, action: `certificate.${action}`, subject: id, data: { agency: record.agency, reason, leaf: u.leaf, copy: copies.find((c) => c.leaf === u.leaf)!.id } })),
          ],
          [...certificates.updateOps(updated), ...copies.flatMap((copy) => certificates.updateOps({ ...copy, status: STATE_AFTER[action], statusReason: reason }))],
        );
        if (copies.length > copyUpdates.length) void ctx.holderCopies.settle(copies.map((c) => c.id));
        return updated;
      });
    },
  };
}
