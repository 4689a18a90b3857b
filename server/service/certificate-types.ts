import { bundledTypeVersions, typeIdOf, type CertificateTypeRecord } from "@certchain/sdk";
import type { RequestContext, Principal } from "../domain/principal";
import type { TypeView } from "../domain/views";
import { requireRoot } from "./access";
import { ROOT_WRITES, type ServiceContext } from "./context";
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
    /**
     * Puts the SDK's bundled types on the registry (the hash of each metadata document and its
     * type code), so the registry lists every type and a verifier without our SDK can check a
     * built-in type's document against the chain. Once per type version: registration is final.
     * Returns how many were missing.
     */
    async registerBuiltInTypes(): Promise<number> {
      let records: CertificateTypeRecord[];
      try {
        records = await ctx.registry.reader.typeRecords!(bundledTypeVersions.map((type) => typeIdOf(type.vct)));
      } catch {
        throw new Error(
          `the registry at ${ctx.registryAddress} predates format v2 (it has no certificate type registry). It keeps verifying the certificates ` +
            `anchored on it, but this service needs a v2 registry: start with a fresh DATA_DIR (see docs/format-v2.md, "Migration path")`,
        );
      }
      const missing = bundledTypeVersions.filter((_, i) => /^0x0+$/.test(records[i].metadataHash));
      for (const type of missing) await ctx.chainLock(ROOT_WRITES, () => ctx.rootAdmin().registerType(type.vct, type.metadataHash, type.typeCode));
      if (missing.length > 0) ctx.logger.info(`registered ${missing.length} built-in certificate type versions on the registry`);
      return missing.length;
    },

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
