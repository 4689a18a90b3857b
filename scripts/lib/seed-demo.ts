import type { Signer } from "ethers";
import { createRegistryAdmin } from "../../server/chain/registry-admin";
import { createRegistryReader, findTypeById, type Hex } from "@certchain/sdk";
import { derivedCreditCode } from "../../server/service/identifiers";
import type { ChainSession } from "./dev-chain";
import { DEMO_AGENCIES } from "./demo-agencies";

/**
 * Registers the demo agencies (with unified social credit codes derived from their slugs), their
 * accreditations and operators — once: whatever the registry
 * already holds is left alone. Signing keys are the service's business (it generates, encrypts
 * and registers them).
 */
export async function seedDemo(chain: ChainSession, operators: Record<string, Signer>, log: (line: string) => void): Promise<void> {
  const admin = createRegistryAdmin(chain.deployment.address, chain.rootAuthority);
  const reader = createRegistryReader({ chainId: chain.chainId, address: chain.deployment.address as Hex, provider: chain.provider });
  const known = new Set((await reader.agencies()).map((a) => a.slug));
  for (const agency of DEMO_AGENCIES) {
    if (known.has(agency.slug)) continue;
    await admin.registerAgency(agency.slug, agency.name, derivedCreditCode(agency.slug));
    for (const type of agency.types) await admin.setAccreditation(agency.slug, findTypeById(type)!.vct);
    await admin.addOperator(agency.slug, await operators[agency.slug].getAddress());
    log(`seeded ${agency.name} (${agency.slug}) accredited for ${agency.types.join(", ")}`);
  }
}
