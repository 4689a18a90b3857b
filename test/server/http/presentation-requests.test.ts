import { expect } from "chai";
import hre from "hardhat";
import {
  chooseClaimOption,
  consentReceiptLeaf,
  consentReceiptOf,
  findTypeById,
  matchDcqlQuery,
  parseDcqlQuery,
  presentWithKeyBinding,
  verifyAnchoredConsentReceipt,
  verifyPresentationRequest,
  type Envelope,
  type HolderSigner,
} from "@certchain/sdk";
import type { Service } from "../../../server/service/create-service";
import { deviceKey, holderBoundCopy, LICENCE_QUERY as QUERY } from "../../support/holder-credentials";
import { bearer, buildTestApp, exampleClaims, expectError, waitForStatus, type TestApp } from "./support";

const licence = findTypeById("business-licence")!;
const example = licence.schema.examples[0] as Record<string, unknown>;
const form = (fields: Record<string, string>) => ({ headers: { "content-type": "application/x-www-form-urlencoded" }, payload: new URLSearchParams(fields).toString() });
const pathOf = (url: string) => new URL(url).pathname;

describe("HTTP: department requests (OpenID4VP 1.0) on the issuing service", function () {
  this.timeout(180_000);
  let t: TestApp;
  let holder: HolderSigner;
  let bound: Envelope;
  let registries: { chainId: number; address: string; id: string; provider: unknown; name: string }[];

  before(async function () {
    t = await buildTestApp();
    const issued = await t.app.inject({ method: "POST", url: "/v1/certificates", headers: bearer(t.tokens.amr), payload: { type: "business-licence", claims: exampleClaims("business-licence") } });
    expect(issued.statusCode, issued.body).to.equal(201);
    const anchored = await waitForStatus(t.app, t.tokens.amr, issued.json().id, "anchored");
    const service = t.service as Service;
    holder = await deviceKey("ES256");
    const [, amrOperator] = await hre.ethers.getSigners();
    bound = await holderBoundCopy({ like: anchored.envelope, signer: service.keys.activeSigner("sh-amr")!, holder, operator: amrOperator, registry: { address: t.registry, id: t.registryId } });
    registries = [{ chainId: 31337, address: t.registry, id: t.registryId, provider: hre.ethers.provider, name: "test" }];
  });
  after(async () => t?.close());

  async function create(body: Record<string, unknown> = { dcql_query: QUERY, purpose: "办理企业银行开户" }, token = t.tokens.amr) {
    const res = await t.app.inject({ method: "POST", url: "/v1/presentation-requests", headers: bearer(token), payload: body });
    expect(res.statusCode, res.body).to.equal(201);
    const created = res.json();
    const object = await t.app.inject({ method: "GET", url: pathOf(created.request_uri) });
    expect(object.statusCode, object.body).to.equal(200);
    expect(object.headers["content-type"]).to.match(/^application\/oauth-authz-req\+jwt/);
    return { created, requestObject: object.body };
  }

  /** What the wallet does: check the request, present the required fields with key binding. */
  async function answerFor(requestObject: string, clientId: string, kept: string[] = []) {
    const checked = await verifyPresentationRequest(requestObject, { registries: registries as never, clientId });
    expect(checked.verified, JSON.stringify(checked)).to.equal(true);
    const request = checked.request!;
    const [candidate] = matchDcqlQuery(parseDcqlQuery(request.dcqlQuery), [bound]).credentials.licence;
    const option = chooseClaimOption(candidate, kept);
    const presentation = await presentWithKeyBinding(bound, { disclose: option.disclose, nonce: request.nonce, audience: request.clientId, holderSigner: holder });
    const vpToken = JSON.stringify({ licence: [presentation] });
    const { status: _status, ...anchor } = bound.anchor as unknown as Record<string, unknown>;
    return { request, vpToken, anchors: JSON.stringify([anchor]), verifier: checked.verifier };
  }

  it("creates a request whose signed request object names the agency, verified on the registry, and takes one answer", async function () {
    const { created, requestObject } = await create();
    expect(created.client_id).to.match(/^verifier_attestation:http:\/\/127\.0\.0\.1:3000\/agencies\/sh-amr$/);
    expect(created.link).to.include("/wallet?client_id=");
    expect(created.openid4vp_uri).to.match(/^openid4vp:\/\/\?client_id=/);
    expect(created.qr).to.match(/^data:image\/svg\+xml;base64,/);
    const pending = await t.app.inject({ method: "GET", url: `/v1/presentation-requests/${created.id}`, headers: bearer(t.tokens.amr) });
    expect(pending.json()).to.deep.include({ status: "pending", result: null, purpose: "办理企业银行开户" });

    const { request, vpToken, anchors, verifier } = await answerFor(requestObject, created.client_id);
    expect(verifier.agency).to.deep.include({ slug: "sh-amr", name: "上海市市场监督管理局" });
    expect(request.purpose).to.equal("办理企业银行开户");
    const answered = await t.app.inject({ method: "POST", url: pathOf(request.responseUri), ...form({ state: request.state, vp_token: vpToken, certchain_anchors: anchors }) });
    expect(answered.statusCode, answered.body).to.equal(200);
    expect(answered.json()).to.deep.equal({});

    const read = (await t.app.inject({ method: "GET", url: `/v1/presentation-requests/${created.id}`, headers: bearer(t.tokens.amr) })).json();
    expect(read.status).to.equal("answered");
    expect(read.result.verdict).to.equal("valid");
    const [credential] = read.result.credentials;
    expect(credential.claims).to.deep.equal({ company_name: example.company_name, unified_social_credit_code: example.unified_social_credit_code });
    expect(credential.holder_binding).to.deep.include({ required: true, checked: true });
    expect(credential.issuer).to.deep.include({ slug: "sh-amr" });
    // The department's receipt is the one the wallet computes from what it sent.
    expect(read.result.receipt).to.deep.equal(consentReceiptOf({ requestObject, vpToken }));
    expect(read.result.receipt_leaf).to.equal(consentReceiptLeaf(read.result.receipt));

    // One answer per request; the same vp_token to another request fails with a stable code.
    const again = await t.app.inject({ method: "POST", url: pathOf(request.responseUri), ...form({ state: request.state, vp_token: vpToken, certchain_anchors: anchors }) });
    expect(again.statusCode).to.equal(409);
    expect(again.json()).to.deep.include({ error: "invalid_request", code: "PRESENTATION_REQUEST_CLOSED" });
    const second = await create();
    const secondRequest = (await verifyPresentationRequest(second.requestObject, { registries: registries as never })).request!;
    const replayed = await t.app.inject({ method: "POST", url: pathOf(secondRequest.responseUri), ...form({ state: secondRequest.state, vp_token: vpToken, certchain_anchors: anchors }) });
    expect(replayed.statusCode).to.equal(400);
    expect(replayed.json()).to.deep.include({ error: "invalid_request", code: "PRESENTATION_REPLAYED" });
    expect((await t.app.inject({ method: "GET", url: `/v1/presentation-requests/${second.created.id}`, headers: bearer(t.tokens.amr) })).json().status).to.equal("pending");
    // The request object is not served once answered.
    expectError(await t.app.inject({ method: "GET", url: pathOf(created.request_uri) }), 409, "PRESENTATION_REQUEST_CLOSED");
  });

  it("refuses a presentation made for another request (nonce) with the SDK's code, and keeps the request open", async function () {
    const first = await create();
    const second = await create();
    const made = await answerFor(first.requestObject, first.created.client_id);
    const target = (await verifyPresentationRequest(second.requestObject, { registries: registries as never })).request!;
    const res = await t.app.inject({ method: "POST", url: pathOf(target.responseUri), ...form({ state: target.state, vp_token: made.vpToken, certchain_anchors: made.anchors }) });
    expect(res.statusCode).to.equal(400);
    expect(res.json()).to.deep.include({ code: "KEY_BINDING_NONCE_MISMATCH" });
    // Its rightful answer is still accepted.
    const right = await answerFor(second.requestObject, second.created.client_id, ["rep"]);
    const ok = await t.app.inject({ method: "POST", url: pathOf(target.responseUri), ...form({ state: target.state, vp_token: right.vpToken, certchain_anchors: right.anchors }) });
    expect(ok.statusCode, ok.body).to.equal(200);
    const read = (await t.app.inject({ method: "GET", url: `/v1/presentation-requests/${second.created.id}`, headers: bearer(t.tokens.amr) })).json();
    expect(Object.keys(read.result.credentials[0].claims)).to.have.members(["company_name", "unified_social_credit_code", "legal_representative"]);
  });

  it("records a decline (access_denied), pushes nothing personal, and refuses an unknown state, duplicate parameters and JSON", async function () {
    const { created, requestObject } = await create();
    const request = (await verifyPresentationRequest(requestObject, { registries: registries as never })).request!;
    expect((await t.app.inject({ method: "POST", url: pathOf(request.responseUri), ...form({ state: "no-such-state", error: "access_denied" }) })).json()).to.deep.include({ code: "PRESENTATION_REQUEST_NOT_FOUND" });
    const duplicated = await t.app.inject({ method: "POST", url: pathOf(request.responseUri), headers: { "content-type": "application/x-www-form-urlencoded" }, payload: `state=${request.state}&error=access_denied&error=x` });
    expect(duplicated.statusCode).to.equal(400);
    expect(duplicated.json()).to.deep.include({ code: "RESPONSE_INVALID" });
    const json = await t.app.inject({ method: "POST", url: pathOf(request.responseUri), payload: { state: request.state, vp_token: { licence: ["x"] } } });
    expect(json.statusCode).to.equal(400);
    const declined = await t.app.inject({ method: "POST", url: pathOf(request.responseUri), ...form({ state: request.state, error: "access_denied", error_description: "市民拒绝" }) });
    expect(declined.statusCode, declined.body).to.equal(200);
    const read = (await t.app.inject({ method: "GET", url: `/v1/presentation-requests/${created.id}`, headers: bearer(t.tokens.amr) })).json();
    expect(read).to.deep.include({ status: "declined", result: { error: "access_denied", error_description: "市民拒绝" } });
  });

  it("keeps requests to their department, and checks what departments send", async function () {
    const { created } = await create();
    expectError(await t.app.inject({ method: "GET", url: `/v1/presentation-requests/${created.id}`, headers: bearer(t.tokens.mca) }), 404, "PRESENTATION_REQUEST_NOT_FOUND");
    expectError(await t.app.inject({ method: "GET", url: `/v1/presentation-requests/${created.id}` }), 401, "AUTH_MISSING");
    expectError(await t.app.inject({ method: "POST", url: "/v1/presentation-requests", payload: { dcql_query: QUERY, purpose: "x" } }), 401, "AUTH_MISSING");
    expectError(await t.app.inject({ method: "POST", url: "/v1/presentation-requests", headers: bearer(t.tokens.root), payload: { dcql_query: QUERY, purpose: "x" } }), 403, "FORBIDDEN");
    const bad = await t.app.inject({ method: "POST", url: "/v1/presentation-requests", headers: bearer(t.tokens.amr), payload: { dcql_query: { credentials: [] }, purpose: "x" } });
    expectError(bad, 422, "PRESENTATION_QUERY_INVALID");
    expectError(await t.app.inject({ method: "POST", url: "/v1/presentation-requests", headers: bearer(t.tokens.amr), payload: { dcql_query: QUERY } }), 400, "VALIDATION_FAILED");
    for (const webhook of ["http://127.0.0.1:9/hook", "http://10.1.2.3/hook", "http://169.254.169.254/latest/meta-data", "http://[::1]/hook", "http://localhost/hook", "ftp://example.com/hook", "https://user:pw@example.com/hook"]) {
      const res = await t.app.inject({ method: "POST", url: "/v1/presentation-requests", headers: bearer(t.tokens.amr), payload: { dcql_query: QUERY, purpose: "x", webhook } });
      expectError(res, 422, "WEBHOOK_URL_NOT_ALLOWED");
    }
    expectError(await t.app.inject({ method: "GET", url: "/v1/presentation-requests/AAAAAAAAAAAAAAAAAAAAAA/request-object" }), 404, "PRESENTATION_REQUEST_NOT_FOUND");
  });

  it("anchors the agency's consent receipts as one root, and a receipt then proves the use from the chain alone", async function () {
    const list = (await t.app.inject({ method: "GET", url: "/v1/consent-receipts", headers: bearer(t.tokens.amr) })).json().receipts;
    expect(list.length).to.be.at.least(2);
    expect(list.every((r: { status: string }) => r.status === "pending")).to.equal(true);
    const anchored = await t.app.inject({ method: "POST", url: "/v1/consent-receipts/anchor", headers: bearer(t.tokens.amr) });
    expect(anchored.statusCode, anchored.body).to.equal(200);
    expect(anchored.json().size).to.equal(list.length);
    expectError(await t.app.inject({ method: "POST", url: "/v1/consent-receipts/anchor", headers: bearer(t.tokens.amr) }), 409, "RECEIPTS_NONE_TO_ANCHOR");
    // No token: a citizen or supervisor holding the receipt fetches its proof, then checks it against the chain.
    const one = (await t.app.inject({ method: "GET", url: `/v1/consent-receipts/${list[0].leaf}` })).json();
    expect(one.status).to.equal("anchored");
    const checked = await verifyAnchoredConsentReceipt(one.receipt, { proof: one.anchor.proof, root: one.anchor.root, registries: registries as never });
    expect(checked, JSON.stringify(checked)).to.deep.include({ valid: true });
    expect(checked.department).to.deep.include({ slug: "sh-amr", name: "上海市市场监督管理局" });
    expectError(await t.app.inject({ method: "GET", url: `/v1/consent-receipts/0x${"00".repeat(32)}` }), 404, "RECEIPT_NOT_FOUND");
    // The civil-affairs bureau has none.
    expect((await t.app.inject({ method: "GET", url: "/v1/consent-receipts", headers: bearer(t.tokens.mca) })).json().receipts).to.deep.equal([]);
  });
});
