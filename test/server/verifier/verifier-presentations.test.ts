import { createHash } from "node:crypto";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { expect } from "chai";
import hre from "hardhat";
import type { FastifyInstance } from "fastify";
import { findTypeById, matchDcqlQuery, parseDcqlQuery, presentWithKeyBinding, verifyPresentationRequest, type Envelope, type HolderSigner, type TrustedRegistry } from "@certchain/sdk";
import { buildVerifierApp } from "../../../server/verifier/app";
import { parseDepartments } from "../../../server/verifier/departments";
import { openVerifierPresentations, type VerifierPresentations } from "../../../server/verifier/presentations";
import { createVerifier } from "../../../server/verifier/verifier";
import type { Service } from "../../../server/service/create-service";
import { deviceKey, holderBoundCopy } from "../../support/holder-credentials";
import { bearer, buildTestApp, exampleClaims, expectError, waitForStatus, type TestApp } from "../http/support";

const licence = findTypeById("business-licence")!;
const example = licence.schema.examples[0] as Record<string, unknown>;
const QUERY = { credentials: [{ id: "licence", format: "dc+sd-jwt", meta: { vct_values: [licence.vct] }, claims: [{ path: ["company_name"] }, { path: ["unified_social_credit_code"] }] }] };
const PUBLIC_URL = "https://verifier.example.gov.cn";
const TOKEN = "bank-intake-token-0123456789";
const form = (fields: Record<string, string>) => ({ headers: { "content-type": "application/x-www-form-urlencoded" }, payload: new URLSearchParams(fields).toString() });

describe("certchain verifier: department requests (OpenID4VP) attested by an agency on the registry", function () {
  this.timeout(180_000);
  let t: TestApp;
  let dir: string;
  let holder: HolderSigner;
  let bound: Envelope;
  let registries: TrustedRegistry[];
  let consent: VerifierPresentations;
  let app: FastifyInstance;
  let attestation: string;

  before(async function () {
    t = await buildTestApp();
    dir = mkdtempSync(path.join(tmpdir(), "certchain-verifier-consent-"));
    const issued = await t.app.inject({ method: "POST", url: "/v1/certificates", headers: bearer(t.tokens.amr), payload: { type: "business-licence", claims: exampleClaims("business-licence") } });
    const anchored = await waitForStatus(t.app, t.tokens.amr, issued.json().id, "anchored");
    holder = await deviceKey();
    const [, amrOperator] = await hre.ethers.getSigners();
    bound = await holderBoundCopy({ like: anchored.envelope, signer: (t.service as Service).keys.activeSigner("sh-amr")!, holder, operator: amrOperator, registry: { address: t.registry, id: t.registryId } });
    registries = [{ chainId: 31337, address: t.registry, id: t.registryId, provider: hre.ethers.provider, name: "test" } as unknown as TrustedRegistry];

    // The verifier's request key, which the agency then vouches for with its registered key.
    const first = await openVerifierPresentations({ dataDir: dir, passphrase: "verifier-test", publicUrl: PUBLIC_URL, registries });
    const requestKey = first.requestKey;
    await first.close();
    const attested = await t.app.inject({
      method: "POST",
      url: "/v1/verifier-attestations",
      headers: bearer(t.tokens.amr),
      payload: { request_key: requestKey, subject: `${PUBLIC_URL}/departments/bank-intake`, redirect_uris: [`${PUBLIC_URL}/v1/presentation-responses`] },
    });
    expect(attested.statusCode, attested.body).to.equal(201);
    attestation = attested.json().attestation;
    writeFileSync(path.join(dir, "departments.json"), JSON.stringify([{ id: "bank-intake", name: "开户窗口", token_sha256: createHash("sha256").update(TOKEN).digest("hex"), attestation }]));
    consent = await openVerifierPresentations({ dataDir: dir, passphrase: "verifier-test", publicUrl: PUBLIC_URL, registries, departmentsFile: path.join(dir, "departments.json") });
    expect(consent.requestKey).to.deep.equal(requestKey);
    app = await buildVerifierApp(createVerifier(registries), { rateLimit: false, presentations: consent });
  });
  after(async function () {
    await app?.close();
    await consent?.close();
    await t?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  async function ask() {
    const res = await app.inject({ method: "POST", url: "/v1/presentation-requests", headers: bearer(TOKEN), payload: { dcql_query: QUERY, purpose: "开立企业账户" } });
    expect(res.statusCode, res.body).to.equal(201);
    const created = res.json();
    const object = await app.inject({ method: "GET", url: new URL(created.request_uri).pathname });
    const checked = await verifyPresentationRequest(object.body, { registries, clientId: created.client_id });
    return { created, checked };
  }
  const answer = async (request: { nonce: string; clientId: string }) => {
    const [candidate] = matchDcqlQuery(parseDcqlQuery(QUERY), [bound]).credentials.licence;
    return JSON.stringify({ licence: [await presentWithKeyBinding(bound, { disclose: candidate.options[0].disclose, nonce: request.nonce, audience: request.clientId, holderSigner: holder })] });
  };
  const anchors = () => {
    const { status: _status, ...proof } = bound.anchor as unknown as Record<string, unknown>;
    return JSON.stringify([proof]);
  };

  it("a department's request shows the attesting agency's registered name as verified, and its answer is checked and used once", async function () {
    const { created, checked } = await ask();
    expect(created.client_id).to.equal(`verifier_attestation:${PUBLIC_URL}/departments/bank-intake`);
    expect(created.link).to.match(/^https:\/\/verifier\.example\.gov\.cn\/wallet\?/);
    expect(checked.verified, JSON.stringify(checked)).to.equal(true);
    expect(checked.verifier.agency).to.deep.include({ slug: "sh-amr", name: "上海市市场监督管理局" });
    expect(checked.request!.clientName).to.equal("开户窗口");
    const request = checked.request!;
    expect(request.responseUri).to.equal(`${PUBLIC_URL}/v1/presentation-responses`);

    const vpToken = await answer(request);
    // Without its anchor proof: the verifier asks nobody for it.
    const bare = await app.inject({ method: "POST", url: "/v1/presentation-responses", ...form({ state: request.state, vp_token: vpToken }) });
    expect(bare.json()).to.deep.include({ code: "ANCHOR_PROOF_UNAVAILABLE" });
    const ok = await app.inject({ method: "POST", url: "/v1/presentation-responses", ...form({ state: request.state, vp_token: vpToken, certchain_anchors: anchors() }) });
    expect(ok.statusCode, ok.body).to.equal(200);
    const read = (await app.inject({ method: "GET", url: `/v1/presentation-requests/${created.id}`, headers: bearer(TOKEN) })).json();
    expect(read.status).to.equal("answered");
    expect(read.result.credentials[0].claims).to.deep.equal({ company_name: example.company_name, unified_social_credit_code: example.unified_social_credit_code });
    expect(read.result.credentials[0].holder_binding).to.deep.include({ required: true, checked: true });

    const second = await ask();
    const replayed = await app.inject({ method: "POST", url: "/v1/presentation-responses", ...form({ state: second.checked.request!.state, vp_token: vpToken, certchain_anchors: anchors() }) });
    expect(replayed.json()).to.deep.include({ code: "PRESENTATION_REPLAYED" });
  });

  it("takes requests only with a department's token", async function () {
    expectError(await app.inject({ method: "POST", url: "/v1/presentation-requests", payload: { dcql_query: QUERY, purpose: "x" } }), 401, "AUTH_MISSING");
    expectError(await app.inject({ method: "POST", url: "/v1/presentation-requests", headers: bearer("not-a-department"), payload: { dcql_query: QUERY, purpose: "x" } }), 401, "AUTH_INVALID");
  });

  it("refuses a departments file whose attestation names another request key or response_uri", async function () {
    const entry = [{ id: "bank-intake", token_sha256: "a".repeat(64), attestation }];
    expect(() => parseDepartments(JSON.stringify(entry), holder.publicJwk, `${PUBLIC_URL}/v1/presentation-responses`)).to.throw(/another request key/);
    expect(() => parseDepartments(JSON.stringify(entry), consent.requestKey, "https://elsewhere.example/v1/presentation-responses")).to.throw(/response_uri/);
  });
});
