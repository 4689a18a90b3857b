import { typeIdOf } from "@certchain/sdk";
import type { Principal, RequestContext } from "../domain/principal";
import type { AccreditationView, AgencyServiceView, AgencyView } from "../domain/views";
import { apiError } from "../errors";
import { requireRoot } from "./access";
import { createAgencyRegistration } from "./agency-registration";
import type { AgencyRequest } from "./agency-request";
import { checkAgencyRequest } from "./agency-request";
import { chainFailure, chainWriteFailure, withDeadline } from "./chain-call";
import { ROOT_WRITES, type ServiceContext } from "./context";
import { parseTime } from "./iso-time";

/**
 * The agencies on the registry: the list anyone may read, and the root authority registering an
 * agency this node serves (agency-registration.ts) or accrediting one for a certificate type.
 * The registry is the record of who an agency is; this node's store holds what it serves.
 */
export function createAgencyRegistry(ctx: ServiceContext) {
  const { catalogue, gate, registry, audit } = ctx;
  const registration = createAgencyRegistration(ctx);

  /** How this node serves the agency, when it does: its state and its operator account, with its funds as last read. */
  function serviceViewOf(slug: string): AgencyServiceView | undefined {
    const served = ctx.served.get(slug);
    if (served === undefined) return undefined;
    const funds = ctx.funds.all().find((entry) => entry.agency === slug && entry.account === served.account);
    return {
      state: served.state,
      operator: served.account,
      ...(funds ? { funds: { balance: funds.balance, needed: funds.needed, funded: funds.funded, checkedAt: funds.checkedAt } } : {}),
      ...(served.record?.formerOperators?.length ? { formerOperators: served.record.formerOperators.map((f) => f.account) } : {}),
    };
  }

  async function agencies(): Promise<AgencyView[]> {
    const byTypeId = new Map(catalogue.versions().map((e) => [typeIdOf(e.type.vct).toLowerCase(), e.type]));
    let onChain;
    try {
      await gate.ready();
      onChain = await withDeadline(registry.reader.agencies(), ctx.timeoutMs + 1_000);
    } catch (error) {
      throw chainFailure(error);
    }
    return onChain.map((a) => ({
      ...(serviceViewOf(a.slug) ? { service: serviceViewOf(a.slug) } : {}),
      id: a.id,
      slug: a.slug,
      name: a.name,
      creditCode: a.creditCode,
      keyIds: a.keyIds,
      types: a.typeIds.map((typeId) => {
        const type = byTypeId.get(typeId.toLowerCase());
        return { id: type?.id ?? null, vct: type?.vct ?? null, typeId };
      }),
    }));
  }

  return {
    agencies,

    /**
     * Registers an agency that this node serves from now on: its signing key and an operator
     * account of its own (both sealed here), registered on chain by the root authority,
     * accredited for `types` (open-ended, from now), its operator funded on the dev chain.
     */
    async registerAgency(principal: Principal, request: AgencyRequest, context: RequestContext): Promise<AgencyView> {
      requireRoot(principal);
      checkAgencyRequest(request);
      const unknown = request.types.filter((id) => !catalogue.byId(id));
      if (unknown.length > 0) throw apiError("CERT_TYPE_UNKNOWN", `No such certificate type: ${unknown.join(", ")}.`);
      await registration.register(request, { actor: principal.subject, requestId: context.requestId });
      await ctx.funds.check(request.slug).catch(() => undefined);
      const view = (await agencies()).find((agency) => agency.slug === request.slug);
      if (!view) throw apiError("CHAIN_UNAVAILABLE");
      return view;
    },

    /** One agency as GET /v1/agencies lists it, with its operator's funds read now when this node serves it. */
    async agency(slug: string): Promise<AgencyView> {
      if (ctx.served.get(slug) !== undefined) await ctx.funds.check(slug).catch(() => undefined);
      const view = (await agencies()).find((agency) => agency.slug === slug);
      if (!view) throw apiError("AGENCY_NOT_FOUND");
      return view;
    },

    /** On start: registrations a previous run left unfinished (and agencies of an earlier release's data directory). */
    resumeRegistrations: () => registration.resume(),

    /** Accredits an agency for a type (`type`: id, newest version, or vct). */
    async accredit(principal: Principal, agency: string, request: { type: string; validFrom?: string; validUntil?: string }, context: RequestContext): Promise<AccreditationView> {
      requireRoot(principal);
      const entry = catalogue.byId(request.type) ?? catalogue.byVct(request.type);
      if (!entry) throw apiError("CERT_TYPE_UNKNOWN", undefined, { type: request.type });
      const validFrom = parseTime(request.validFrom, "validFrom") ?? 0;
      const validUntil = parseTime(request.validUntil, "validUntil") ?? 0;
      if (validUntil !== 0 && validFrom >= validUntil) throw apiError("VALIDITY_INVALID");
      const admin = ctx.rootAdmin();
      let registered;
      try {
        await gate.ready();
        registered = (await withDeadline(registry.agency(agency), ctx.timeoutMs)).registered;
      } catch (error) {
        throw chainFailure(error);
      }
      if (!registered) throw apiError("AGENCY_NOT_FOUND");
      try {
        await ctx.chainLock(ROOT_WRITES, () => admin.setAccreditation(agency, entry.type.vct, validFrom, validUntil));
      } catch (error) {
        throw chainWriteFailure(error, { role: "root", account: await ctx.rootAccount() });
      }
      ctx.accreditations.forget(agency, entry.type);
      await audit.append([
        { at: new Date(ctx.now()).toISOString(), actor: principal.subject, requestId: context.requestId, action: "agency.accredit", subject: agency, data: { type: entry.type.id, vct: entry.type.vct, validFrom, validUntil } },
      ]);
      return {
        agency,
        type: entry.type.id,
        vct: entry.type.vct,
        typeId: typeIdOf(entry.type.vct),
        validFrom: new Date(validFrom * 1000).toISOString(),
        validUntil: validUntil === 0 ? null : new Date(validUntil * 1000).toISOString(),
      };
    },
  };
}
