import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import { isCertchainError, KEY_PROOF_CODES } from "@certchain/sdk";
import { ownValue } from "@certchain/sdk/internal";
import { OAUTH_ERRORS, apiError, isApiErrorCode } from "../errors";
import { MAX_JSON_DEPTH, nestsDeeperThan } from "../lib/json-depth";
import { describeError } from "../plugins/app/errors";
import { errorResponses, openObject } from "../schemas";

const SLUG = { type: "string", minLength: 1, maxLength: 64, pattern: "^[a-z0-9]+(?:-[a-z0-9]+)*$" } as const;
const slugParams = { type: "object", properties: { slug: SLUG }, required: ["slug"] } as const;

/** Token and nonce requests are a few hundred bytes; a credential request carries one key proof (at most 8 KiB). */
const FORM_BODY_LIMIT = 4 * 1024;
const CREDENTIAL_BODY_LIMIT = 16 * 1024;

const PURGE_INTERVAL_MS = 10 * 60 * 1000;

/** Requests per client IP and minute on the public endpoints (the PIN has its own limit: the offer locks). */
export const OID4VCI_RATE_LIMITS = { offer: 60, token: 30, nonce: 60, credential: 30 } as const;

const BEARER = /^Bearer ([A-Za-z0-9._~+/-]+=*)$/;

const oauthErrorSchema = {
  type: "object",
  description: "OAuth 2.0 / OpenID4VCI error: `error` (e.g. invalid_grant, invalid_proof, invalid_nonce), `error_description`, and certchain's finer stable code in `certchain_code`.",
  properties: { error: { type: "string" }, error_description: { type: "string" }, certchain_code: { type: "string" } },
  required: ["error", "error_description"],
} as const;
const oauthErrors = { "4xx": oauthErrorSchema, "5xx": oauthErrorSchema } as const;

/**
 * The reply to a failure on the token, nonce and credential endpoints, in the shape OAuth 2.0
 * (RFC 6749 §5.2, RFC 6750 §3.1) and OpenID4VCI 1.0 (§8.3.1.2) give it: `{ error,
 * error_description }` with certchain's stable code beside them. Key proof refusals answer the
 * OpenID4VCI error the SDK names for their code (invalid_proof, invalid_nonce).
 */
function oauthErrorReply(fallback: "invalid_request" | "invalid_credential_request") {
  return (error: FastifyError, request: FastifyRequest, reply: FastifyReply) => {
    const thrown: unknown = error;
    let status: number;
    let code: string;
    let message: string;
    let oauth: string | undefined;
    if (isCertchainError(thrown) && ownValue(KEY_PROOF_CODES, thrown.code)) {
      [status, code, message, oauth] = [400, thrown.code, thrown.message, KEY_PROOF_CODES[thrown.code as keyof typeof KEY_PROOF_CODES][0]];
    } else {
      ({ status, code, message } = describeError(error, request));
      oauth = isApiErrorCode(code) ? OAUTH_ERRORS[code] : undefined;
    }
    oauth ??= status >= 500 ? "server_error" : fallback;
    if (status === 401) reply.header("www-authenticate", `Bearer error="${oauth}"`);
    return reply.status(status).header("cache-control", "no-store").send({ error: oauth, error_description: message, certchain_code: code });
  };
}

/**
 * OpenID4VCI 1.0, pre-authorized code flow, one credential issuer per agency this node serves
 * (`<PUBLIC_URL>/agencies/<slug>`, as its credentials' `iss`):
 *
 * - `GET /.well-known/openid-credential-issuer<path>/agencies/:slug`: Credential Issuer Metadata
 *   (the well-known segment goes between host and path, §12.2.2);
 * - `GET /.well-known/oauth-authorization-server<path>/agencies/:slug`: its Authorization Server
 *   Metadata (RFC 8414 §3.1: the issuer is its own authorization server);
 * - `GET /agencies/:slug/credential-offers/:id`: a Credential Offer by reference (credential_offer_uri);
 * - `POST /agencies/:slug/token`: the token endpoint (form-encoded, pre-authorized code grant);
 * - `POST /agencies/:slug/nonce`: a fresh c_nonce;
 * - `POST /agencies/:slug/credential`: the holder-bound credential, for a Bearer access token and one `jwt` key proof.
 *
 * The last three answer errors as OAuth does (`{ error, error_description }`), with `no-store`.
 */
export async function oid4vciRoutes(app: FastifyInstance): Promise<void> {
  const base = new URL(app.service.publicUrl).pathname.replace(/\/+$/, "");

  // Offers expired more than a day ago, and used c_nonces past their expiry, go on a timer.
  let purging: Promise<unknown> | undefined;
  const purge = setInterval(() => {
    purging ??= app.service
      .purgeOffers()
      .catch((error: unknown) => app.log.warn({ err: error }, "purging expired credential offers failed"))
      .finally(() => (purging = undefined));
  }, PURGE_INTERVAL_MS);
  purge.unref();
  app.addHook("onClose", async () => {
    clearInterval(purge);
    await purging;
  });
  const metadataHeaders = (reply: FastifyReply) => reply.header("cache-control", "public, max-age=60").header("access-control-allow-origin", "*");

  app.get<{ Params: { slug: string } }>(
    `/.well-known/openid-credential-issuer${base}/agencies/:slug`,
    {
      schema: {
        tags: ["collecting"],
        summary: "OpenID4VCI Credential Issuer Metadata of an agency",
        description: "One `dc+sd-jwt` credential configuration per type the agency is accredited for (its id is the type id), `jwt` key proofs, the nonce, token and credential endpoints.",
        params: slugParams,
        response: { 200: { ...openObject, description: "The Credential Issuer Metadata (OpenID4VCI 1.0 §12.2.4)." }, ...errorResponses },
      },
    },
    async (request, reply) => metadataHeaders(reply).send(await app.service.credentialIssuerMetadata(request.params.slug)),
  );

  app.get<{ Params: { slug: string } }>(
    `/.well-known/oauth-authorization-server${base}/agencies/:slug`,
    {
      schema: {
        tags: ["collecting"],
        summary: "OAuth 2.0 Authorization Server Metadata of an agency's credential issuer",
        params: slugParams,
        response: { 200: { ...openObject, description: "The Authorization Server Metadata (RFC 8414 §2): the token endpoint and the pre-authorized code grant." }, ...errorResponses },
      },
    },
    async (request, reply) => metadataHeaders(reply).send(app.service.authorizationServerMetadata(request.params.slug)),
  );

  app.get<{ Params: { slug: string; id: string } }>(
    "/agencies/:slug/credential-offers/:id",
    {
      config: { rateLimit: { max: OID4VCI_RATE_LIMITS.offer, timeWindow: 60_000 } } as object,
      schema: {
        tags: ["collecting"],
        summary: "A Credential Offer, by reference (credential_offer_uri)",
        description: "404 OFFER_NOT_FOUND for an unknown offer; 410 OFFER_GONE once it expired, was redeemed, or was locked after wrong PINs.",
        params: { type: "object", properties: { slug: SLUG, id: { type: "string", minLength: 1, maxLength: 64 } }, required: ["slug", "id"] },
        response: { 200: { ...openObject, description: "The Credential Offer (OpenID4VCI 1.0 §4.1.1): credential_issuer, credential_configuration_ids, the pre-authorized code grant." }, ...errorResponses },
      },
    },
    async (request, reply) => reply.header("cache-control", "no-store").send(await app.service.credentialOffer(request.params.slug, request.params.id)),
  );

  await app.register(async (oauth) => {
    oauth.addContentTypeParser("application/x-www-form-urlencoded", { parseAs: "string", bodyLimit: FORM_BODY_LIMIT }, (_request, body, done) => {
      // A parameter sent twice stays a list: the token endpoint refuses it (RFC 6749 §3.2).
      const form: Record<string, string | string[]> = Object.create(null);
      for (const [name, value] of new URLSearchParams(body as string)) {
        const seen = form[name];
        form[name] = seen === undefined ? value : [...(Array.isArray(seen) ? seen : [seen]), value];
      }
      done(null, form);
    });
    // An empty JSON body is no body (a nonce request may carry the header anyway).
    const parse = oauth.getDefaultJsonParser("error", "error");
    oauth.removeContentTypeParser("application/json");
    oauth.addContentTypeParser("application/json", { parseAs: "string" }, (request, body, done) => {
      if ((body as string).trim() === "") return done(null, undefined);
      parse(request, body as string, (error: Error | null, value?: unknown) => {
        if (error) return done(error, undefined);
        if (nestsDeeperThan(value, MAX_JSON_DEPTH)) return done(Object.assign(new SyntaxError("too deep"), { statusCode: 400 }), undefined);
        done(null, value);
      });
    });
    oauth.addHook("onSend", async (_request, reply) => {
      reply.header("cache-control", "no-store");
    });

    await oauth.register(async (token) => {
      token.setErrorHandler(oauthErrorReply("invalid_request"));
      token.post<{ Params: { slug: string }; Body: Record<string, unknown> }>(
        "/agencies/:slug/token",
        {
          bodyLimit: FORM_BODY_LIMIT,
          config: { rateLimit: { max: OID4VCI_RATE_LIMITS.token, timeWindow: 60_000 } } as object,
          schema: {
            tags: ["collecting"],
            summary: "Token endpoint (pre-authorized code grant)",
            description:
              "`application/x-www-form-urlencoded`: `grant_type=urn:ietf:params:oauth:grant-type:pre-authorized_code`, `pre-authorized_code`, and `tx_code` when the offer has a PIN. The code works once; the access token is bound to that offer and works for 10 minutes. Five wrong PINs lock the offer.",
            params: slugParams,
            response: {
              200: { type: "object", description: "The access token (RFC 6749 §5.1), bound to this offer only.", properties: { access_token: { type: "string" }, token_type: { type: "string" }, expires_in: { type: "integer" } }, required: ["access_token", "token_type", "expires_in"] },
              ...oauthErrors,
            },
          },
        },
        async (request, reply) => {
          // RFC 6749 §3.2: the token request is form-encoded, never JSON.
          if (!/^application\/x-www-form-urlencoded\b/i.test(request.headers["content-type"] ?? "")) throw apiError("UNSUPPORTED_MEDIA_TYPE", "Send the token request as application/x-www-form-urlencoded.");
          const form = typeof request.body === "object" && request.body !== null ? request.body : {};
          return reply.header("pragma", "no-cache").send(await app.service.token(request.params.slug, form));
        },
      );
    });

    await oauth.register(async (credential) => {
      credential.setErrorHandler(oauthErrorReply("invalid_credential_request"));
      credential.post<{ Params: { slug: string } }>(
        "/agencies/:slug/nonce",
        {
          bodyLimit: FORM_BODY_LIMIT,
          config: { rateLimit: { max: OID4VCI_RATE_LIMITS.nonce, timeWindow: 60_000 } } as object,
          schema: {
            tags: ["collecting"],
            summary: "Nonce endpoint: a fresh c_nonce",
            description: "No body. The c_nonce works once, for 5 minutes, in a key proof for this credential issuer.",
            params: slugParams,
            response: { 200: { type: "object", description: "A fresh c_nonce (OpenID4VCI 1.0 §7.2).", properties: { c_nonce: { type: "string" } }, required: ["c_nonce"] }, ...oauthErrors },
          },
        },
        async (request) => app.service.nonce(request.params.slug),
      );

      credential.post<{ Params: { slug: string }; Body: unknown }>(
        "/agencies/:slug/credential",
        {
          bodyLimit: CREDENTIAL_BODY_LIMIT,
          config: { rateLimit: { max: OID4VCI_RATE_LIMITS.credential, timeWindow: 60_000 } } as object,
          schema: {
            tags: ["collecting"],
            summary: "Credential endpoint: the holder-bound credential",
            description:
              "`Authorization: Bearer <access token>`; JSON `{ credential_configuration_id, proofs: { jwt: [<key proof>] } }` (OpenID4VCI 1.0). The key proof (`typ: openid4vci-proof+jwt`, the public `jwk` in its header) has `aud` the credential issuer and `nonce` a c_nonce. Returns `{ credentials: [{ credential }] }`: the certificate as an SD-JWT VC with `cnf.jwk`, pending until anchored (its proof at GET /v1/proofs/<leaf>). A retry with the same key returns the same credential.",
            params: slugParams,
            response: {
              200: { type: "object", description: "The credential response (OpenID4VCI 1.0 §8.3): one holder-bound SD-JWT VC.", properties: { credentials: { type: "array", items: { type: "object", properties: { credential: { type: "string" } }, required: ["credential"] } } }, required: ["credentials"] },
              ...oauthErrors,
            },
          },
        },
        async (request) => {
          const header = request.headers.authorization;
          const token = typeof header === "string" ? BEARER.exec(header)?.[1] : undefined;
          const { credential: issued } = await app.service.credential(request.params.slug, token, request.body);
          return { credentials: [{ credential: issued }] };
        },
      );
    });
  });
}

export default oid4vciRoutes;
