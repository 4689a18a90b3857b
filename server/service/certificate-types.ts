import type { RequestContext, Principal } from "../domain/principal";
import type { TypeView } from "../domain/views";
import { requireRoot } from "./access";
import type { ServiceContext } from "./context";
import type { CatalogueEntry, RegisterTypeRequest } from "./type-catalogue";

/** A catalogue entry as the API lists it. */
export const typeViewOf = ({ type, metadataUrl, builtIn }: CatalogueEntry): TypeView => ({
  id: type.id,
  vct: type.vct,
  version: type.version ?? 1,
  typeCode: type.typeCode,
  names: type.names,
  claims: type.claims,
  schema: type.schema,
  metadata: type.metadata,
  metadataUrl,
  integrity: type.integrity,
  builtIn,
});

/** The certificate types this node offers (bundled and added), their documents, and adding one (root authority). */
export function createCertificateTypes(ctx: ServiceContext) {
  const { catalogue } = ctx;
  return {
    types: (): TypeView[] => catalogue.list().map(typeViewOf),

    typeVersions: (): TypeView[] => catalogue.versions().map(typeViewOf),

    typeDocument: (id: string, version: number): string | undefined => catalogue.documentOf(id, version),

    async registerType(principal: Principal, request: RegisterTypeRequest, context: RequestContext): Promise<{ type: TypeView; created: boolean }> {
      requireRoot(principal);
      const { entry, created } = await catalogue.register(request);
      if (created) {
        await ctx.audit.append([
          { at: new Date(ctx.now()).toISOString(), actor: principal.subject, requestId: context.requestId, action: "type.register", subject: entry.type.vct, data: { id: entry.type.id, typeCode: entry.type.typeCode, metadataHash: entry.type.metadataHash } },
        ]);
      }
      return { type: typeViewOf(entry), created };
    },
  };
}
