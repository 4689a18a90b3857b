import { agencyIdOf, type Hex } from "@certchain/sdk";
import { ownValue } from "@certchain/sdk/internal";
import { createOperatorClient, type StatusUpdate } from "../chain/operator";
import { revertNameOf } from "../chain/revert-name";
import { anchorOf, type CertificateState, type FollowedStatusChange, type KeptCertificate, type StatusAction, type UnsettledStatusChange } from "../domain/certificate";
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

  /**
   * Sends `action` for the certificate (and `copyUpdates`) with the agency's operator: the
   * transaction's hash, or undefined when the contract refused because the chain already holds
   * the state (a crash after the transaction, before our write; or a change sent again). Any other
   * refusal throws `refused()`.
   */
  async function sendChange(record: KeptCertificate, action: StatusAction, reason: number, copyUpdates: readonly StatusUpdate[], refused: () => Error): Promise<Hex | undefined> {
    const anchor = anchorOf(record);
    if (anchor.status !== "anchored") throw apiError("CERT_NOT_ANCHORED");
    let account = "";
    try {
      return await ctx.chainLock(record.agency, async () => {
        // Inside the lock: an operator rotation switches accounts between two transactions.
        const signer = ctx.operatorFor(record.agency)!;
        account = await signer.getAddress();
        const receipt = await createOperatorClient(ctx.registryAddress, signer).changeStatus(action, [{ leaf: record.leaf, root: anchor.root, proof: anchor.proof, statusIndex: record.statusIndex }, ...copyUpdates], reason);
        return receipt.hash as Hex;
      });
    } catch (error) {
      const revert = revertNameOf(error);
      if (revert === undefined) {
        const failure = chainWriteFailure(error, { role: "operator", agency: record.agency, account });
        if (failure.code === "OPERATOR_UNFUNDED") ctx.funds.reportUnfunded(record.agency);
        throw failure;
      }
      const [onChain] = await registry.reader.statuses(agencyIdOf(record.agency), [record.leaf]).catch(() => [undefined]);
      if (onChain === undefined || ownValue(CHAIN_STATE, onChain.state) !== STATE_AFTER[action]) throw refused();
      return undefined;
    }
  }

  return {
    /**
     * Sends certificate `id`'s status change `change` again (a reorganisation dropped its
     * transaction): same action and reason, a new transaction; "already in that state" counts as
     * sent. Nothing when a later change replaced it meanwhile. The record shows it unsettled again.
     */
    async resend(id: string, change: FollowedStatusChange): Promise<void> {
      await ctx.certificateLock(id, async () => {
        const record = await certificates.get(id);
        if (record === undefined || (await certificates.followedStatusChange(id))?.sentAt !== change.sentAt) return;
        const { action } = change;
        const reason = record.statusReason ?? 0;
        const copies = await certificates.copiesOf(id);
        const copyUpdates = await anchoredCopyUpdates(copies, action);
        const transaction = await sendChange(record, action, reason, copyUpdates, () => new Error(`the registry refused to ${action} certificate ${id} again`));
        const statusChange: UnsettledStatusChange = { action, ...(transaction !== undefined ? { transaction } : {}), sentAt: new Date(ctx.now()).toISOString() };
        await audit.append(
          [{ at: statusChange.sentAt, actor: "service", requestId: `status:${id}`, action: `certificate.${action}.resend`, subject: id, data: { agency: record.agency, reason, leaf: record.leaf, previous: change.transaction ?? null, transaction: transaction ?? null } }],
          certificates.statusChangeOps(id, { ...record, statusChange }, statusChange),
        );
        void ctx.statusLists.kick();
      });
    },

    /** Marks certificate `id`'s status change settled at block `block` (still followed within the reorganisation window). */
    async settled(id: string, change: FollowedStatusChange, block: number): Promise<void> {
      await ctx.certificateLock(id, async () => {
        const record = await certificates.get(id);
        if (record?.statusChange?.sentAt !== change.sentAt) return;
        const { statusChange: _settled, ...rest } = record;
        await audit.append([], certificates.statusChangeOps(id, rest, { ...change, settledBlock: block }));
      });
    },

    /** Stops following certificate `id`'s settled status change (deeper than the reorganisation window). */
    async forget(id: string, change: FollowedStatusChange): Promise<void> {
      await ctx.certificateLock(id, async () => {
        if ((await certificates.followedStatusChange(id))?.sentAt === change.sentAt) await audit.append([], certificates.statusChangeOps(id, undefined, undefined));
      });
    },

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
        const transaction = await sendChange(record, action, reason, copyUpdates, () => apiError("STATUS_TRANSITION_INVALID", undefined, { status: record.status, action }));
        // The published list follows the chain on its own; this only makes it look now.
        void ctx.statusLists.kick();
        // Settled once its block is deep enough and the state read back there (status-settlement.ts).
        const statusChange: UnsettledStatusChange = { action, ...(transaction !== undefined ? { transaction } : {}), sentAt: new Date(ctx.now()).toISOString() };
        const updated: KeptCertificate = { ...record, status: STATE_AFTER[action], statusReason: reason, statusChange };
        const at = new Date(ctx.now()).toISOString();
        await audit.append(
          [
            { at, actor: principal.subject, requestId: context.requestId, action: `certificate.${action}`, subject: id, data: { agency: record.agency, reason, leaf: record.leaf } },
            ...copyUpdates.map((u) => ({ at, actor: principal.subject, requestId: context.requestId, action: `certificate.${action}`, subject: id, data: { agency: record.agency, reason, leaf: u.leaf, copy: copies.find((c) => c.leaf === u.leaf)!.id } })),
          ],
          [...certificates.statusChangeOps(id, updated, statusChange), ...copies.flatMap((copy) => certificates.updateOps({ ...copy, status: STATE_AFTER[action], statusReason: reason }))],
        );
        if (copies.length > copyUpdates.length) void ctx.holderCopies.settle(copies.map((c) => c.id));
        return updated;
      });
    },
  };
}
