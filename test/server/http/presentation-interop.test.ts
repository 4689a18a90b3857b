import { createServer, type IncomingMessage, type Server } from "node:http";
import { expect } from "chai";
import hre from "hardhat";
import { decodeJwt, decodeProtectedHeader, importJWK, jwtVerify, type JWK } from "jose";
import { SDJwtVcInstance } from "@sd-jwt/sd-jwt-vc";
import { digest, ES256, generateSalt } from "@sd-jwt/crypto-nodejs";
import { createWebCryptoHolderSigner, credentialLeaf, findTypeById, verifyPresentationRequest, type Envelope } from "@certchain/sdk";
import { WEBHOOK_SIGNATURE_HEADER, webhookSignature } from "../../../server/consent/webhooks";
import type { Service } from "../../../server/service/create-service";
import { freePort } from "../../support/ports";
import { holderBoundCopy, LICENCE_QUERY as QUERY } from "../../support/holder-credentials";
import { collect } from "./oid4vci-support";
import { bearer, buildTestApp, exampleClaims, waitForStatus, type TestApp } from "./support";

const licence = findTypeById("business-licence")!;
const example = licence.schema.examples[0] as Record<string, unknown>;

/** What an outside wallet reads from a request: only the specifications (RFC 9101, OpenID4VP 1.0 §5.9.3) and jose. */
interface OutsideRequest {
  clientId: string;
  nonce: string;
  state: string;
  responseUri: string;
  dcqlQuery: typeof QUERY;
}

/**
 * A wallet that is not ours: it opens the `openid4vp://` link, fetches the request object over
 * HTTP, checks it is signed by the key its Verifier Attestation names and that the client
 * identifiers agree, builds the presentation with @sd-jwt/sd-jwt-vc (a KB-JWT signed by the
 * holder's key with @sd-jwt/crypto-nodejs) and posts it by plain HTTP, form-encoded.
 */
function outsideWallet(credential: string, holderPrivateJwk: JsonWebKey) {
  return {
    async open(openid4vpUri: string): Promise<OutsideRequest> {
      const link = new URL(openid4vpUri);
      expect(link.protocol).to.equal("openid4vp:");
      const clientId = link.searchParams.get("client_id")!;
      const response = await fetch(link.searchParams.get("request_uri")!);
      expect(response.status).to.equal(200);
      expect(response.headers.get("content-type")).to.match(/^application\/oauth-authz-req\+jwt/);
      const requestObject = await response.text();
      const header = decodeProtectedHeader(requestObject);
      expect(header.typ).to.equal("oauth-authz-req+jwt");
      const attestation = decodeJwt(header.jwt as string);
      expect(decodeProtectedHeader(header.jwt as string).typ).to.equal("verifier-attestation+jwt");
      const { payload } = await jwtVerify(requestObject, await importJWK((attestation.cnf as { jwk: JWK }).jwk, header.alg), { typ: "oauth-authz-req+jwt" });
      expect(payload.client_id).to.equal(clientId);
      expect(clientId).to.equal(`verifier_attestation:${attestation.sub}`);
      expect(payload).to.include({ response_type: "vp_token", response_mode: "direct_post" });
      expect(attestation.redirect_uris).to.include(payload.response_uri);
      return { clientId, nonce: payload.nonce as string, state: payload.state as string, responseUri: payload.response_uri as string, dcqlQuery: payload.dcql_query as typeof QUERY };
    },

    async present(request: OutsideRequest, frame: Record<string, boolean>, kb: { aud?: string; nonce?: string } = {}): Promise<string> {
      const sdjwt = new SDJwtVcInstance({ hasher: digest, saltGenerator: generateSalt, kbSigner: await ES256.getSigner(holderPrivateJwk), kbSignAlg: "ES256" });
      const presentation = await sdjwt.present(credential, frame, {
        kb: { payload: { iat: Math.floor(Date.now() / 1000), aud: kb.aud ?? request.clientId, nonce: kb.nonce ?? request.nonce } },
      });
      return JSON.stringify({ [request.dcqlQuery.credentials[0].id]: [presentation] });
    },

    /** direct_post: application/x-www-form-urlencoded, `vp_token` as JSON, `state`. */
    async post(request: OutsideRequest, fields: Record<string, string>): Promise<{ status: number; body: Record<string, unknown> }> {
      const response = await fetch(request.responseUri, { method: "POST", headers: { "content-type": "application/x-www-form-urlencoded" }, body: new URLSearchParams({ state: request.state, ...fields }) });
      return { status: response.status, body: (await response.json()) as Record<string, unknown> };
    },
  };
}

/**
 * A department's business system: the first push is held unanswered until `release()`, then
 * refused (503), so a retry must follow; later ones are taken (204).
 */
async function departmentSystem() {
  const pushes: { headers: IncomingMessage["headers"]; body: string; answeredWith: number }[] = [];
  let first = true;
  let release!: () => void;
  const released = new Promise<void>((resolve) => (release = resolve));
  const waiting: (() => void)[] = [];
  const server: Server = createServer((request, response) => {
    let body = "";
    request.setEncoding("utf8");
    request.on("data", (chunk: string) => (body += chunk));
    request.on("end", async () => {
      const held = first;
      first = false;
      if (held) await released;
      const status = held ? 503 : 204;
      pushes.push({ headers: request.headers, body, answeredWith: status });
      response.writeHead(status).end();
      waiting.splice(0).forEach((wake) => wake());
    });
  });
  const port = await freePort();
  await new Promise<void>((resolve) => server.listen(port, "127.0.0.1", resolve));
  return {
    url: `http://127.0.0.1:${port}/certchain-results`,
    pushes,
    release: () => release(),
    async until(count: number): Promise<void> {
      while (pushes.length < count) await new Promise<void>((wake) => waiting.push(wake));
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

describe("HTTP: OpenID4VP answers from an outside wallet, and attacks on requests", function () {
  this.timeout(180_000);
  let t: TestApp;
  let port: number;
  let bound: Envelope;
  let holderPrivateJwk: JsonWebKey;
  let skewMs = 0;
  const registries = () => [{ chainId: 31337, address: t.registry, id: t.registryId, provider: hre.ethers.provider, name: "test" }] as never;

  before(async function () {
    port = await freePort();
    t = await buildTestApp({}, { publicUrl: `http://127.0.0.1:${port}`, now: () => Date.now() + skewMs, webhooks: { allowPrivate: true, retryDelaysMs: [20, 20] } });
    await t.app.listen({ port, host: "127.0.0.1" });
    const issued = await t.app.inject({ method: "POST", url: "/v1/certificates", headers: bearer(t.tokens.amr), payload: { type: "business-licence", claims: exampleClaims("business-licence") } });
    const anchored = await waitForStatus(t.app, t.tokens.amr, issued.json().id, "anchored");
    // The holder's key pair lives outside certchain's code: the outside wallet signs with its private JWK.
    const pair = (await crypto.subtle.generateKey({ name: "ECDSA", namedCurve: "P-256" }, true, ["sign", "verify"])) as CryptoKeyPair;
    holderPrivateJwk = await crypto.subtle.exportKey("jwk", pair.privateKey);
    const [, amrOperator] = await hre.ethers.getSigners();
    bound = await holderBoundCopy({ like: anchored.envelope, signer: (t.service as Service).keys.activeSigner("sh-amr")!, holder: await createWebCryptoHolderSigner(pair), operator: amrOperator, registry: { address: t.registry, id: t.registryId } });
  });
  after(async () => t?.close());

  async function create(extra: Record<string, unknown> = {}) {
    const res = await fetch(`http://127.0.0.1:${port}/v1/presentation-requests`, {
      method: "POST",
      headers: { ...bearer(t.tokens.amr), "content-type": "application/json" },
      body: JSON.stringify({ dcql_query: QUERY, purpose: "办理企业银行开户", ...extra }),
    });
    expect(res.status).to.equal(201);
    return (await res.json()) as { id: string; openid4vp_uri: string; request_uri: string; client_id: string; webhook_secret?: string };
  }
  const read = async (id: string) => (await t.app.inject({ method: "GET", url: `/v1/presentation-requests/${id}`, headers: bearer(t.tokens.amr) })).json();
  // The anchor proof, as the certchain_anchors extension carries it (an outside wallet may hold the envelope file too).
  const anchors = () => {
    const { status: _status, ...proof } = bound.anchor as unknown as Record<string, unknown>;
    return JSON.stringify([proof]);
  };

  it("accepts a presentation built with @sd-jwt/* and a KB-JWT by the holder's key, posted by plain HTTP", async function () {
    const created = await create();
    const wallet = outsideWallet(bound.credential as string, holderPrivateJwk);
    const request = await wallet.open(created.openid4vp_uri);
    const vpToken = await wallet.present(request, { company_name: true, unified_social_credit_code: true });

    // vp_token alone: this service holds no proof of a certificate it did not anchor itself, and says so.
    const alone = await wallet.post(request, { vp_token: vpToken });
    expect(alone.status).to.equal(400);
    expect(alone.body).to.deep.include({ error: "invalid_request", code: "ANCHOR_PROOF_UNAVAILABLE" });
    expect((await read(created.id)).status).to.equal("pending");

    const accepted = await wallet.post(request, { vp_token: vpToken, certchain_anchors: anchors() });
    expect(accepted, JSON.stringify(accepted.body)).to.deep.equal({ status: 200, body: {} });
    const result = (await read(created.id)).result;
    expect(result.verdict).to.equal("valid");
    expect(result.credentials[0].claims).to.deep.equal({ company_name: example.company_name, unified_social_credit_code: example.unified_social_credit_code });
    expect(result.credentials[0].holder_binding).to.deep.include({ required: true, checked: true });
  });

  it("accepts a bare vp_token (no anchor proof) from an outside wallet for a credential collected here by OpenID4VCI: the service finds the proof itself", async function () {
    const issued = await t.app.inject({ method: "POST", url: "/v1/certificates", headers: bearer(t.tokens.amr), payload: { type: "business-licence", claims: exampleClaims("business-licence") } });
    await waitForStatus(t.app, t.tokens.amr, issued.json().id, "anchored");
    const offer = await t.app.inject({ method: "POST", url: `/v1/certificates/${issued.json().id}/offer`, headers: bearer(t.tokens.amr), payload: {} });
    expect(offer.statusCode, offer.body).to.equal(201);
    const pair = (await crypto.subtle.generateKey({ name: "ECDSA", namedCurve: "P-256" }, true, ["sign", "verify"])) as CryptoKeyPair;
    const { credential } = await collect(t.app, offer.json().credential_offer_uri, await createWebCryptoHolderSigner(pair));
    // The holder copy is anchored in the service's next batch.
    const leaf = credentialLeaf(credential);
    for (let proof = await t.app.inject({ method: "GET", url: `/v1/proofs/${leaf}` }); proof.statusCode !== 200; proof = await t.app.inject({ method: "GET", url: `/v1/proofs/${leaf}` })) {
      expect(proof.statusCode, proof.body).to.equal(202);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    const created = await create();
    const wallet = outsideWallet(credential, await crypto.subtle.exportKey("jwk", pair.privateKey));
    const request = await wallet.open(created.openid4vp_uri);
    const accepted = await wallet.post(request, { vp_token: await wallet.present(request, { company_name: true, unified_social_credit_code: true }) });
    expect(accepted, JSON.stringify(accepted.body)).to.deep.equal({ status: 200, body: {} });
    const result = (await read(created.id)).result;
    expect(result.verdict).to.equal("valid");
    expect(result.credentials[0].holder_binding).to.deep.include({ required: true, checked: true });
  });

  it("refuses what an attacker can send: extra disclosures, another audience, missing required fields, answers to an expired request", async function () {
    const created = await create();
    const wallet = outsideWallet(bound.credential as string, holderPrivateJwk);
    const request = await wallet.open(created.openid4vp_uri);
    const refused = async (vpToken: string, code: string) => {
      const res = await wallet.post(request, { vp_token: vpToken, certchain_anchors: anchors() });
      expect(res.status, JSON.stringify(res.body)).to.equal(400);
      expect(res.body).to.deep.include({ error: "invalid_request", code });
    };
    await refused(await wallet.present(request, { company_name: true, unified_social_credit_code: true, registered_capital: true }), "DCQL_CLAIM_NOT_REQUESTED");
    await refused(await wallet.present(request, { company_name: true }), "DCQL_CLAIM_MISSING");
    await refused(await wallet.present(request, { company_name: true, unified_social_credit_code: true }, { aud: "verifier_attestation:https://elsewhere.example" }), "KEY_BINDING_AUDIENCE_MISMATCH");
    await refused(JSON.stringify({ licence: [`${(bound.credential as string).split("~")[0]}~`] }), "KEY_BINDING_MISSING");
    expect((await read(created.id)).status).to.equal("pending");

    // Ten minutes on, the request is expired: nothing is served or accepted, and the department reads it so.
    skewMs = 601_000;
    try {
      const object = await fetch(created.request_uri);
      expect(object.status).to.equal(410);
      expect(((await object.json()) as { error: { code: string } }).error.code).to.equal("PRESENTATION_REQUEST_EXPIRED");
      const late = await wallet.post(request, { vp_token: await wallet.present(request, { company_name: true, unified_social_credit_code: true }), certchain_anchors: anchors() });
      expect(late.status).to.equal(410);
      expect(late.body).to.deep.include({ code: "PRESENTATION_REQUEST_EXPIRED" });
      expect(await read(created.id)).to.deep.include({ status: "expired", result: null });
    } finally {
      skewMs = 0;
    }
  });

  it("takes one answer when two arrive at once", async function () {
    const created = await create();
    const wallet = outsideWallet(bound.credential as string, holderPrivateJwk);
    const request = await wallet.open(created.openid4vp_uri);
    const [a, b] = await Promise.all([
      wallet.post(request, { vp_token: await wallet.present(request, { company_name: true, unified_social_credit_code: true }), certchain_anchors: anchors() }),
      wallet.post(request, { vp_token: await wallet.present(request, { company_name: true, unified_social_credit_code: true, legal_representative: true }), certchain_anchors: anchors() }),
    ]);
    expect([a.status, b.status].sort()).to.deep.equal([200, 409]);
    expect([a, b].find((r) => r.status === 409)!.body).to.deep.include({ code: "PRESENTATION_REQUEST_CLOSED" });
  });

  it("shows a request object altered after signing as such to the wallet", async function () {
    const created = await create();
    const text = await (await fetch(created.request_uri)).text();
    const [header, payload, signature] = text.split(".");
    const altered = { ...JSON.parse(Buffer.from(payload, "base64url").toString("utf8")), response_uri: "https://attacker.example/collect" };
    const forged = `${header}.${Buffer.from(JSON.stringify(altered)).toString("base64url")}.${signature}`;
    const checked = await verifyPresentationRequest(forged, { registries: registries(), clientId: created.client_id });
    expect(checked).to.deep.include({ ok: false, verified: false, code: "REQUEST_OBJECT_SIGNATURE_INVALID", request: null });
    // The untouched one checks, and names the agency from the registry.
    const genuine = await verifyPresentationRequest(text, { registries: registries(), clientId: created.client_id });
    expect(genuine.verified, JSON.stringify(genuine)).to.equal(true);
    expect(genuine.verifier.agency!.name).to.equal("上海市市场监督管理局");
  });

  it("pushes the result to the department's webhook, signed with its secret, retried after a failure, without holding up the answer", async function () {
    const system = await departmentSystem();
    try {
      const created = await create({ webhook: system.url });
      expect(created.webhook_secret).to.be.a("string");
      const wallet = outsideWallet(bound.credential as string, holderPrivateJwk);
      const request = await wallet.open(created.openid4vp_uri);
      const answered = await wallet.post(request, { vp_token: await wallet.present(request, { company_name: true, unified_social_credit_code: true }), certchain_anchors: anchors() });
      // The wallet has its answer while the first push is still on the wire.
      expect(answered.status).to.equal(200);
      expect(system.pushes).to.have.length(0);
      system.release();
      await system.until(2);
      expect(system.pushes.map((p) => p.answeredWith)).to.deep.equal([503, 204]);
      for (const push of system.pushes) {
        const signature = String(push.headers[WEBHOOK_SIGNATURE_HEADER]);
        const at = Number(/^t=(\d+),/.exec(signature)![1]);
        expect(signature).to.equal(webhookSignature(created.webhook_secret!, push.body, at));
        expect(push.headers["certchain-request-id"]).to.equal(created.id);
      }
      const pushed = JSON.parse(system.pushes[1].body);
      expect(pushed).to.deep.include({ id: created.id, status: "answered" });
      expect(pushed.result.credentials[0].claims).to.deep.equal({ company_name: example.company_name, unified_social_credit_code: example.unified_social_credit_code });
    } finally {
      await system.close();
    }
  });
});
