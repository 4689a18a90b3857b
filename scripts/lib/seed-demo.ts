import type { Signer } from "ethers";
import { bundledTypeVersions, findTypeById, typeIdOf, type CertificateTypeRecord } from "@certchain/sdk";
import { createRegistryAdmin } from "../../server/chain/registry-admin";
import { createRegistryReads, type RegistryReads } from "../../server/chain/registry-reads";
import type { Logger } from "../../server/lib/logger";
import { derivedCreditCode } from "../../server/service/identifiers";
import type { ChainSession } from "../../server/chain/open-chain";
import { DEMO_AGENCIES } from "./demo-agencies";

/**
 * Registers the built-in types, the demo agencies (with unified social credit codes derived
 * from their slugs), their accreditations and operators, checking each against the registry
 * first: whatever it already holds is left alone, and whatever it lacks is added. So a start
 * killed half-way through seeding (say, after an agency was registered and before its operator
 * was) is completed by the next one, and a demo agency gets accredited for the newest version of
 * each of its types when a release adds one. Signing keys are the service's business (it
 * generates, encrypts and registers them).
 */
export async function seedDemo(chain: ChainSession, operators: Record<string, Signer>, logger: Logger): Promise<void> {
  const admin = createRegistryAdmin(chain.deployment.address, chain.rootAuthority);
  const registry = createRegistryReads({ chainId: chain.chainId, address: chain.deployment.address, provider: chain.provider });
  await registerBuiltInTypes(admin, registry, logger);
  const known = new Set((await registry.reader.agencies()).map((a) => a.slug));
  for (const agency of DEMO_AGENCIES) {
    const registered = known.has(agency.slug);
    if (!registered) await admin.registerAgency(agency.slug, agency.name, derivedCreditCode(agency.slug));
    const accredited: string[] = [];
    for (const type of agency.types) {
      const { vct } = findTypeById(type)!;
      if ((await registry.accreditation(agency.slug, vct)).validUntil === 0) {
        await admin.setAccreditation(agency.slug, vct);
        accredited.push(vct);
      }
    }
    const operator = await operators[agency.slug].getAddress();
    const operatorAdded = (await registry.operatorAgency(operator)) === undefined;
    if (operatorAdded) await admin.addOperator(agency.slug, operator);
    if (!registered) logger.info(`seeded ${agency.name} (${agency.slug}) accredited for ${agency.types.join(", ")}`);
    else {
      for (const vct of accredited) logger.info(`accredited ${agency.slug} for ${vct}`);
      if (operatorAdded) logger.info(`added the operator ${operator} of ${agency.slug}, which an interrupted start had not`);
    }
  }
}

/**
 * Puts the SDK's bundled types on the registry (hash of each metadata document and type code),
 * so the registry lists every type and a verifier without our SDK can check a built-in type's
 * document against the chain. Once per type version: registration is final.
 */
async function registerBuiltInTypes(admin: ReturnType<typeof createRegistryAdmin>, registry: RegistryReads, logger: Logger): Promise<void> {
  let records: CertificateTypeRecord[];
  try {
    records = await registry.reader.typeRecords!(bundledTypeVersions.map((type) => typeIdOf(type.vct)));
  } catch {
    throw new Error(
      `the registry at ${registry.address} predates format v2 (it has no certificate type registry). It keeps verifying the certificates ` +
        `anchored on it, but this service needs a v2 registry: start with a fresh DATA_DIR (see docs/format-v2.md, "Migration path")`,
    );
  }
  const missing = bundledTypeVersions.filter((_, i) => /^0x0+$/.test(records[i].metadataHash));
  for (const type of missing) await admin.registerType(type.vct, type.metadataHash, type.typeCode);
  if (missing.length > 0) logger.info(`registered ${missing.length} built-in certificate type versions on the registry`);
}
