import { expect } from "chai";
import type { FastifyInstance, LightMyRequestResponse } from "fastify";
import { createKeyProof, createWebCryptoHolderSigner, type HolderSigner } from "@certchain/sdk";

export const PRE_AUTHORIZED_GRANT = "urn:ietf:params:oauth:grant-type:pre-authorized_code";

/** A wallet's device key as the /wallet page makes it: P-256, non-extractable, in WebCrypto. */
export async function deviceKey(): Promise<HolderSigner> {
  const pair = (await crypto.subtle.generateKey({ name: "ECDSA", namedCurve: "P-256" }, false, ["sign", "verify"])) as CryptoKeyPair;
  return createWebCryptoHolderSigner(pair);
}

/** The path of a URL of the service (inject takes paths). */
export const pathOf = (url: string): string => {
  const u = new URL(url);
  return u.pathname + u.search;
};

/** Asserts an OAuth-shaped error: status, `error`, and certchain's finer code. */
export function expectOAuthError(res: LightMyRequestResponse, status: number, error: string, code?: string): { error: string; error_description: string; certchain_code: string } {
  expect(res.statusCode, res.body).to.equal(status);
  expect(res.headers["content-type"]).to.match(/^application\/json/);
  expect(res.headers["cache-control"]).to.equal("no-store");
  const body = res.json();
  expect(body.error, res.body).to.equal(error);
  expect(body.error_description).to.be.a("string").that.is.not.empty;
  if (code !== undefined) expect(body.certchain_code, res.body).to.equal(code);
  return body;
}

export const tokenRequest = (app: FastifyInstance, tokenEndpoint: string, fields: Record<string, string>) =>
  app.inject({ method: "POST", url: pathOf(tokenEndpoint), headers: { "content-type": "application/x-www-form-urlencoded" }, payload: new URLSearchParams(fields).toString() });

export interface Collected {
  credential: string;
  accessToken: string;
  responses: Record<string, LightMyRequestResponse>;
}

/**
 * A wallet's whole redemption, step by step by OpenID4VCI 1.0, over HTTP: the offer from its
 * credential_offer_uri, the issuer's metadata at the well-known path, the authorization server's
 * metadata (RFC 8414), the token, a c_nonce, the credential request with a key proof.
 */
export async function collect(app: FastifyInstance, offerUri: string, holderSigner: HolderSigner, options: { txCode?: string } = {}): Promise<Collected> {
  const responses: Record<string, LightMyRequestResponse> = {};
  responses.offer = await app.inject({ method: "GET", url: pathOf(offerUri) });
  expect(responses.offer.statusCode, responses.offer.body).to.equal(200);
  const offer = responses.offer.json();
  const issuer = new URL(offer.credential_issuer);
  responses.metadata = await app.inject({ method: "GET", url: `/.well-known/openid-credential-issuer${issuer.pathname}` });
  expect(responses.metadata.statusCode, responses.metadata.body).to.equal(200);
  const metadata = responses.metadata.json();
  responses.authorizationServer = await app.inject({ method: "GET", url: `/.well-known/oauth-authorization-server${issuer.pathname}` });
  expect(responses.authorizationServer.statusCode, responses.authorizationServer.body).to.equal(200);
  const as = responses.authorizationServer.json();
  const grant = offer.grants[PRE_AUTHORIZED_GRANT];
  responses.token = await tokenRequest(app, as.token_endpoint, {
    grant_type: PRE_AUTHORIZED_GRANT,
    "pre-authorized_code": grant["pre-authorized_code"],
    ...(options.txCode !== undefined ? { tx_code: options.txCode } : {}),
  });
  expect(responses.token.statusCode, responses.token.body).to.equal(200);
  const accessToken = responses.token.json().access_token;
  responses.nonce = await app.inject({ method: "POST", url: pathOf(metadata.nonce_endpoint) });
  expect(responses.nonce.statusCode, responses.nonce.body).to.equal(200);
  const proof = await createKeyProof({ credentialIssuer: metadata.credential_issuer, nonce: responses.nonce.json().c_nonce, holderSigner });
  responses.credential = await app.inject({
    method: "POST",
    url: pathOf(metadata.credential_endpoint),
    headers: { authorization: `Bearer ${accessToken}`, "content-type": "application/json" },
    payload: { credential_configuration_id: offer.credential_configuration_ids[0], proofs: { jwt: [proof] } },
  });
  expect(responses.credential.statusCode, responses.credential.body).to.equal(200);
  return { credential: responses.credential.json().credentials[0].credential, accessToken, responses };
}
