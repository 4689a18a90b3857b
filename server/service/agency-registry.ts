import { typeIdOf } from "@certchain/sdk";
import { revertNameOf } from "../chain/revert-name";
import type { Principal, RequestContext } from "../domain/principal";
import type { AccreditationView, AgencyView } from "../domain/views";
import { apiError } from "../errors";
import { requireRoot } from "./access";
import type { AgencyRequest } from "./agency-request";
import { checkAgencyRequest } from "./agency-request";
import { chainFailure, withDeadline } from "./chain-call";
import { ROOT_WRITES, type ServiceContext } from "./context";
import { parseTime } from "./iso-time";

/**
 * The agencies on the registry: the list anyone may read, and the root authority registering an
 * agency or accrediting one for a certificate type. The registry is the record: each write is a
 * root-authority transaction, then an audit entry.
 */
export function createAgencyRegistry(ctx: ServiceContext) {
  const { catalogue, gate, registry, audit } = ctx;

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

    /** Registers an agency and accredits it for `types` (open-ended, from now). */
    async registerAgency(principal: Principal, request: AgencyRequest, context: RequestContext): Promise<AgencyView> {
      requireRoot(principal);
      checkAgencyRequest(request);
      const unknown = request.types.filter((id) => !catalogue.byId(id));
      if (unknown.length > 0) throw apiError("CERT_TYPE_UNKNOWN", `No such certificate type: ${unknown.join(", ")}.`);
      const admin = ctx.rootAdmin();
      // One registration at a time: two requests for one slug would both find it free, and the
      // second transaction's revert used to come back as 503 instead of 409.
      await ctx.chainLock(ROOT_WRITES, async () => {
        let existing;
        let holder;
        try {
          await gate.ready();
          existing = await registry.agency(request.slug);
          if (!existing.registered) holder = await registry.agencyOfCreditCode(request.creditCode);
        } catch (error) {
          throw chainFailure(error);
        }
        if (existing.registered) throw apiError("AGENCY_EXISTS");
        if (holder !== undefined) throw apiError("CREDIT_CODE_TAKEN", undefined, { agencyId: holder });
        try {
          await admin.registerAgency(request.slug, request.name, request.creditCode);
          for (const id of request.types) await admin.setAccreditation(request.slug, catalogue.byId(id)!.type.vct);
        } catch (error) {
          // Another service on the same registry may have registered the slug or code in between.
          const revert = revertNameOf(error);
          if (revert === "CertchainAgencyAlreadyRegistered") throw apiError("AGENCY_EXISTS");
          if (revert === "CertchainCreditCodeTaken") throw apiError("CREDIT_CODE_TAKEN");
          throw chainFailure(error);
        }
      });
      // The agency's first key (made on its first issuance here) is of the suite asked for.
      if (request.algorithm !== undefined) await ctx.keys.chooseAlgorithm(request.slug, request.algorithm);
      await audit.append([
        { at: new Date(ctx.now()).toISOString(), actor: principal.subject, requestId: context.requestId, action: "agency.register", subject: request.slug, data: { name: request.name, creditCode: request.creditCode, types: request.types, algorithm: request.algorithm ?? "EdDSA" } },
      ]);
      const view = (await agencies()).find((agency) => agency.slug === request.slug);
      if (!view) throw apiError("CHAIN_UNAVAILABLE");
      return view;
    },

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
        throw chainFailure(error);
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
