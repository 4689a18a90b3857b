import type { AgencyRecord } from "../domain/agency";
import type { Principal, RequestContext } from "../domain/principal";
import { apiError } from "../errors";
import { requireRoot } from "./access";
import { checkAgencyName } from "./agency-request";
import { chainRead, rootChainWrite } from "./chain-call";
import { fundAccount, type ServiceContext } from "./context";
import { receiptOf } from "../chain/receipt";

/**
 * What the root authority does with an agency this node serves, once registered: rename it (on
 * the registry too), suspend and resume its issuing (this node's decision: certificates already
 * issued keep verifying, and its batches still anchor), and rotate its operator account.
 *
 * A rotation is a small persisted state machine like a registration: the new account (its key
 * sealed) is recorded first, then registered on chain, then funded (on the dev chain by the
 * root authority; elsewhere the old account's balance moves over), then the node switches to
 * it between two of the agency's transactions, and the old account is removed from the
 * registry. A start finishes a rotation a previous run left unfinished.
 */
export function createAgencyLifecycle(ctx: ServiceContext) {
  const { agencyStore, registry, keys } = ctx;
  const at = () => new Date(ctx.now()).toISOString();
  const rootWrite = <T>(write: () => Promise<T>): Promise<T> => rootChainWrite(ctx, write);
  const read = <T>(work: () => Promise<T>): Promise<T> => chainRead(ctx, work);

  async function servedRecord(slug: string): Promise<AgencyRecord> {
    const record = typeof slug === "string" ? await agencyStore.get(slug) : undefined;
    if (record === undefined || record.state === "registering") throw apiError("AGENCY_NOT_FOUND", "This node does not serve that agency.");
    return record;
  }

  async function commit(record: AgencyRecord, principal: Principal, context: RequestContext, action: string, data: Record<string, unknown>): Promise<AgencyRecord> {
    await ctx.audit.append([{ at: at(), actor: principal.subject, requestId: context.requestId, action, subject: record.slug, data }], agencyStore.putOps(record));
    await ctx.served.put(record);
    return record;
  }

  /** Removes former operators the registry still lists (a crash between the switch and the removal). */
  async function removeFormerOperators(record: AgencyRecord): Promise<void> {
    for (const former of record.formerOperators ?? []) {
      if ((await read(() => registry.operatorAgency(former.account))) !== undefined) await rootWrite(() => ctx.rootAdmin().removeOperator(former.account));
    }
  }

  async function completeRotation(record: AgencyRecord, actor: { principal: Principal; context: RequestContext }): Promise<AgencyRecord> {
    let current = record;
    const rotation = () => current.rotation!;
    const save = async (next: AgencyRecord) => {
      await ctx.db.write(agencyStore.putOps(next));
      current = next;
    };
    if (rotation().step === "created") {
      if ((await read(() => registry.operatorAgency(rotation().to))) === undefined) await rootWrite(() => ctx.rootAdmin().addOperator(current.slug, rotation().to));
      await save({ ...current, rotation: { ...rotation(), step: "operator-registered" }, updatedAt: at() });
    }
    if (rotation().step === "operator-registered") {
      if (ctx.fundOperators !== undefined) {
        const balance = await read(() => ctx.provider.getBalance(rotation().to));
        if (balance < ctx.fundOperators / 2n) await rootWrite(() => fundAccount(ctx.rootSigner, rotation().to, ctx.fundOperators!));
      } else await moveFunds(current.slug, rotation().to);
      await save({ ...current, rotation: { ...rotation(), step: "funded" }, updatedAt: at() });
    }
    // The switch, between two of the agency's transactions: nothing is in flight from the old account.
    const old = current.operator;
    const switched: AgencyRecord = { ...current, operator: rotation().to, formerOperators: [...(current.formerOperators ?? []), { account: old, until: at() }], updatedAt: at() };
    delete switched.rotation;
    await ctx.chainLock(current.slug, () => commit(switched, actor.principal, actor.context, "agency.operator-rotate", { from: old, to: switched.operator }));
    await removeFormerOperators(switched);
    void ctx.funds.check(switched.slug).catch(() => undefined);
    return switched;
  }

  /** External chain: the old operator account's balance, less the fee, goes to the new one (best effort: the new one can be funded by hand too). */
  async function moveFunds(slug: string, to: string): Promise<void> {
    const from = ctx.served.get(slug);
    if (from === undefined) return;
    try {
      await ctx.chainLock(slug, async () => {
        const [balance, fees] = await Promise.all([ctx.provider.getBalance(from.account), ctx.provider.getFeeData()]);
        const price = fees.maxFeePerGas ?? fees.gasPrice ?? 0n;
        const fee = price * 21_000n;
        if (balance <= fee * 2n) return;
        const tx = await from.operator.sendTransaction({ to, value: balance - fee, gasLimit: 21_000n, ...(fees.maxFeePerGas ? { maxFeePerGas: price, maxPriorityFeePerGas: fees.maxPriorityFeePerGas ?? 0n } : { gasPrice: price }) });
        await receiptOf(tx);
      });
    } catch (error) {
      ctx.logger.warn(`could not move the funds of ${slug}'s old operator account ${from.account} to ${to}: ${error instanceof Error ? error.message.slice(0, 160) : String(error)}; fund ${to} by hand`);
    }
  }

  return {
    /** Root only: a new display name, on the registry and here. */
    async renameAgency(principal: Principal, slug: string, name: string, context: RequestContext): Promise<AgencyRecord | undefined> {
      requireRoot(principal);
      checkAgencyName(name);
      const onChain = await read(() => registry.agency(slug));
      if (!onChain.registered) throw apiError("AGENCY_NOT_FOUND");
      if (onChain.name !== name) await rootWrite(() => ctx.rootAdmin().renameAgency(slug, name));
      const record = await agencyStore.get(slug);
      if (record === undefined) {
        await ctx.audit.append([{ at: at(), actor: principal.subject, requestId: context.requestId, action: "agency.rename", subject: slug, data: { from: onChain.name, to: name } }]);
        return undefined;
      }
      return commit({ ...record, name, updatedAt: at() }, principal, context, "agency.rename", { from: onChain.name, to: name });
    },

    /** Root only: the agency issues nothing until resumed (its certificates keep verifying; pending ones still anchor). */
    async setAgencySuspended(principal: Principal, slug: string, suspended: boolean, context: RequestContext): Promise<AgencyRecord> {
      requireRoot(principal);
      const record = await servedRecord(slug);
      const state = suspended ? "suspended" : "active";
      if (record.state === state) return record;
      return commit({ ...record, state, updatedAt: at() }, principal, context, suspended ? "agency.suspend" : "agency.resume", {});
    },

    /** Root only: the agency gets a new operator account of its own; the old one is removed from the registry. */
    async rotateOperator(principal: Principal, slug: string, context: RequestContext): Promise<AgencyRecord> {
      requireRoot(principal);
      let record = await servedRecord(slug);
      if (record.rotation === undefined) {
        const operator = keys.newOperatorKey(slug);
        record = { ...record, rotation: { to: operator.address, step: "created" }, updatedAt: at() };
        await ctx.db.write([...agencyStore.putOps(record), ...operator.ops]);
      }
      return completeRotation(record, { principal, context });
    },

    /** On start: rotations a previous run left unfinished, and old operators it did not remove. */
    async resumeRotations(): Promise<void> {
      const node: Principal = { kind: "root", subject: "node", tokenId: "start" };
      for (const record of await agencyStore.list()) {
        try {
          if (record.rotation !== undefined) await completeRotation(record, { principal: node, context: { requestId: "start" } });
          else if (record.formerOperators?.length) await removeFormerOperators(record);
        } catch (error) {
          ctx.logger.warn(`the operator rotation of ${record.slug} is unfinished: ${error instanceof Error ? error.message : String(error)}; the next start, or rotating again, continues it`);
        }
      }
    },
  };
}
