import type { FastifyInstance } from "fastify";
import { errorResponses } from "../../../schemas";
import { contextOf } from "../../request-context";

/** `POST /v1/sites`: a further issuing site on this registry (server/service/sites.ts). */
export default async function sites(app: FastifyInstance): Promise<void> {
  app.post<{ Body: { account: string } }>(
    "/",
    {
      bodyLimit: 1024,
      config: { auth: "root" },
      schema: {
        tags: ["admin"],
        summary: "Let a further site act as root authority on this registry",
        description:
          "Root authority only. Grants the registry's root-authority role to `account`, the further site's own root account (account 0 of its CHAIN_MNEMONIC). That site, started with JOIN_REGISTRY set to this registry's address, registers its own agencies, signing keys and operator accounts from it: no account writes for two sites, so no nonce is shared, and an agency registered by one site is refused to the other (AGENCY_EXISTS). Idempotent: `added` is false when the account already held the role.",
        body: {
          type: "object",
          properties: { account: { type: "string", pattern: "^0x[0-9a-fA-F]{40}$", description: "The further site's root account." } },
          required: ["account"],
          additionalProperties: false,
          examples: [{ account: "0x70997970C51812dc3A010C7d01b50e0d17dc79C8" }],
        },
        response: {
          200: {
            type: "object",
            description: "The account may act as root authority on this registry (now, or already before).",
            properties: { account: { type: "string" }, added: { type: "boolean" } },
            required: ["account", "added"],
            examples: [{ account: "0x70997970C51812dc3A010C7d01b50e0d17dc79C8", added: true }],
          },
          ...errorResponses,
        },
      },
    },
    async (request) => app.service.addSite(request.principal!, request.body.account, contextOf(request)),
  );
}
