import { findTypeById, isCertchainError } from "@certchain/sdk";
import type { Logger } from "../../server/lib/logger";
import type { Service } from "../../server/service/create-service";
import { derivedCreditCode } from "../../server/service/identifiers";
import { DEMO_AGENCIES } from "./demo-agencies";

const NPM_START = { kind: "root", subject: "npm start", tokenId: "npm-start" } as const;

/**
 * The demo agencies of `npm start`, added the way the root authority adds any agency
 * (`registerAgency`, as POST /v1/agencies): each with a unified social credit code derived from
 * its slug, a signing key (of its suite: the civil-affairs bureau signs SM2) and an operator
 * account of its own, funded on the dev chain. Checked
 * on every start: an agency the node already serves is left alone, except that it gets
 * accredited for the newest version of each of its types when a release adds one; a
 * registration a killed start left unfinished was finished by the node before this runs.
 */
export async function seedDemo(service: Service, logger: Logger): Promise<void> {
  for (const agency of DEMO_AGENCIES) {
    const context = { requestId: `npm-start:${agency.slug}` };
    if (!service.servedAgencies().includes(agency.slug)) {
      try {
        const algorithm = "algorithm" in agency ? agency.algorithm : undefined;
        await service.registerAgency(NPM_START, { slug: agency.slug, name: agency.name, creditCode: derivedCreditCode(agency.slug), types: [...agency.types], ...(algorithm ? { algorithm } : {}) }, context);
        logger.info(`seeded ${agency.name} (${agency.slug}) accredited for ${agency.types.join(", ")}`);
      } catch (error) {
        // Registered on the registry, but not by this data directory: it stays someone else's.
        if (isCertchainError(error) && error.code === "AGENCY_EXISTS") logger.warn(`demo agency ${agency.slug} is on the registry but not served by this node: left alone`);
        else throw error;
      }
      continue;
    }
    const current = (await service.agency(agency.slug)).types.map((type) => type.vct);
    for (const type of agency.types) {
      const { vct } = findTypeById(type)!;
      if (current.includes(vct)) continue;
      await service.accredit(NPM_START, agency.slug, { type: vct }, context);
      logger.info(`accredited ${agency.slug} for ${vct}`);
    }
  }
}
