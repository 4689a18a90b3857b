import { agencyIssuerUrl, SD_JWT_VC_FORMAT, type TypeFromMetadata } from "@certchain/sdk";
import { apiError } from "../errors";
import type { ServiceContext } from "./context";
import { PRE_AUTHORIZED_CODE_GRANT } from "./credential-offers";
import { PROOF_ALGORITHMS } from "./holder-copies";

/** The endpoints of an agency's credential issuer, under its Credential Issuer Identifier. */
export const issuerEndpoints = (issuer: string) => ({
  token: `${issuer}/token`,
  nonce: `${issuer}/nonce`,
  credential: `${issuer}/credential`,
  offer: (id: string) => `${issuer}/credential-offers/${id}`,
});

const LOCALES = ["zh-CN", "en"] as const;

/** One credential configuration (OpenID4VCI 1.0 Appendix A.3, `dc+sd-jwt`) of a certificate type. */
function configurationOf(type: TypeFromMetadata, signingAlg: string | undefined) {
  return {
    format: SD_JWT_VC_FORMAT,
    vct: type.vct,
    cryptographic_binding_methods_supported: ["jwk"],
    ...(signingAlg ? { credential_signing_alg_values_supported: [signingAlg] } : {}),
    proof_types_supported: { jwt: { proof_signing_alg_values_supported: PROOF_ALGORITHMS } },
    credential_metadata: {
      display: LOCALES.map((locale) => ({ name: type.names[locale], locale })),
      claims: (type.metadata.claims ?? []).map((claim) => ({
        path: claim.path,
        ...(claim.mandatory !== undefined ? { mandatory: claim.mandatory } : {}),
        ...(claim.display ? { display: claim.display.map((d) => ({ name: d.label, locale: d.locale })) } : {}),
      })),
    },
  };
}

/**
 * What a wallet reads before redeeming an offer: the Credential Issuer Metadata (OpenID4VCI 1.0
 * §12.2) of an agency this node serves, and the OAuth 2.0 Authorization Server Metadata
 * (RFC 8414) of the same identifier: the credential issuer is its own authorization server (no
 * `authorization_servers`), with the token endpoint of the pre-authorized code flow only.
 */
export function createOid4vciMetadata(ctx: ServiceContext) {
  const served = (agency: string): string => {
    if (typeof agency !== "string" || ctx.operatorFor(agency) === undefined) throw apiError("AGENCY_NOT_FOUND", "This service issues no credentials for that agency.");
    return agencyIssuerUrl(ctx.publicUrl, agency);
  };

  return {
    async credentialIssuerMetadata(agency: string): Promise<Record<string, unknown>> {
      const issuer = served(agency);
      let name: string | undefined;
      try {
        name = (await ctx.registry.agency(agency)).name || undefined;
      } catch {
        name = undefined; // the chain is down: the metadata without the display name
      }
      const types = ctx.catalogue.list().map((entry) => entry.type);
      const accredited = await Promise.all(types.map((type) => ctx.accreditations.isAccredited(agency, type).catch(() => false)));
      const signingAlg = ctx.keys.activeSigner(agency)?.alg;
      const endpoints = issuerEndpoints(issuer);
      return {
        credential_issuer: issuer,
        credential_endpoint: endpoints.credential,
        nonce_endpoint: endpoints.nonce,
        ...(name ? { display: [{ name, locale: "zh-CN" }] } : {}),
        credential_configurations_supported: Object.fromEntries(types.flatMap((type, i) => (accredited[i] ? [[type.id, configurationOf(type, signingAlg)]] : []))),
      };
    },

    authorizationServerMetadata(agency: string): Record<string, unknown> {
      const issuer = served(agency);
      return {
        issuer,
        token_endpoint: issuerEndpoints(issuer).token,
        grant_types_supported: [PRE_AUTHORIZED_CODE_GRANT],
        // RFC 8414 asks for it; there is no authorization endpoint, so no response type.
        response_types_supported: [],
        token_endpoint_auth_methods_supported: ["none"],
        "pre-authorized_grant_anonymous_access_supported": true,
      };
    },
  };
}
