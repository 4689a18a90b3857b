import hre from "hardhat";
import { expect } from "chai";
import { credentialLeaf, parseEnvelope, verify, type Envelope, type FetchLike, type Hex } from "@certchain/sdk";
import { freePort } from "../../support/ports";
import { bearer, buildTestApp, exampleClaims, expectError, waitForStatus, type TestApp } from "./support";

const licence = () => ({ type: "business-licence", claims: exampleClaims("business-licence") });
const leafOf = (envelope: Envelope) => credentialLeaf(envelope.credential);

/** A fetch that records every URL it is asked for, then behaves like the real one. */
function recordingFetch(): { fetch: FetchLike; urls: string[] } {
  const urls: string[] = [];
  return { urls, fetch: (url, init) => (urls.push(url), fetch(url, init) as unknown as ReturnType<FetchLike>) };
}

describe("HTTP: pending is never a dead end (Prefer: wait, proof lookup, pending envelopes upgraded)", function () {
  describe("with anchoring running (batches close after 50 ms)", function () {
    let t: TestApp;
    let baseUrl: string;
    let registries: { chainId: number; address: Hex; provider: typeof hre.ethers.provider }[];

    before(async () => {
      const port = await freePort();
      baseUrl = `http://127.0.0.1:${port}`;
      t = await buildTestApp({}, { publicUrl: baseUrl });
      await t.app.listen({ port, host: "127.0.0.1" });
      registries = [{ chainId: 31337, address: t.registry, provider: hre.ethers.provider }];
    });
    after(async () => t?.close());

    const issue = (headers: Record<string, string> = {}, payload: object = licence()) =>
      t.app.inject({ method: "POST", url: "/v1/certificates", headers: { ...bearer(t.tokens.amr), ...headers }, payload });

    it("POST /v1/certificates with Prefer: wait=30 → 201 with the anchored envelope and Preference-Applied: wait=30", async () => {
      const res = await issue({ prefer: "wait=30" });
      expect(res.statusCode, res.body).to.equal(201);
      expect(res.headers["preference-applied"]).to.equal("wait=30");
      expect(String(res.headers.vary)).to.match(/prefer/i);
      const body = res.json();
      expect(body.status).to.equal("anchored");
      expect(body.envelope.anchor.status).to.equal("anchored");
      expect((await verify(body.envelope, { registries })).verdict).to.equal("valid");
    });

    it("the wait is capped at 60 s and read as RFC 7240 says (case, quotes, other preferences beside it)", async () => {
      const res = await issue({ prefer: 'respond-async, WAIT="600"; x=1' });
      expect(res.statusCode, res.body).to.equal(201);
      expect(res.headers["preference-applied"]).to.equal("wait=60");
      expect(res.json().status).to.equal("anchored");
    });

    it("without Prefer the reply is immediate and pending, naming the service its proof comes from", async () => {
      const res = await issue();
      expect(res.statusCode).to.equal(201);
      expect(res.headers).to.not.have.property("preference-applied");
      const { envelope } = res.json();
      expect(envelope.anchor).to.deep.equal({ status: "pending", chainId: 31337, registry: t.registry, service: baseUrl });
      // parseEnvelope keeps the field; a malformed one is refused.
      expect(parseEnvelope(JSON.stringify(envelope)).anchor).to.have.property("service", baseUrl);
      expect(() => parseEnvelope({ ...envelope, anchor: { ...envelope.anchor, service: "javascript:alert(1)" } })).to.throw(/service/);
    });

    it("POST /v1/certificates/batch with Prefer: wait returns every issued item anchored, the bad ones refused", async () => {
      const res = await t.app.inject({
        method: "POST",
        url: "/v1/certificates/batch",
        headers: { ...bearer(t.tokens.amr), prefer: "wait=30" },
        payload: { items: [licence(), { type: "business-licence", claims: {} }, licence()] },
      });
      expect(res.statusCode, res.body).to.equal(200);
      expect(res.headers["preference-applied"]).to.equal("wait=30");
      const { results } = res.json();
      expect(results.map((r: any) => r.ok)).to.deep.equal([true, false, true]);
      for (const r of [results[0], results[2]]) expect(r.envelope.anchor.status).to.equal("anchored");
      expect(results[1].error.code).to.equal("CLAIMS_INVALID");
    });

    it("GET /v1/proofs/<leaf>: no token, the proof only (nothing personal), readable from other origins; 404 unknown, 400 malformed", async () => {
      const issued = (await issue()).json();
      await waitForStatus(t.app, t.tokens.amr, issued.id, "anchored");
      const leaf = leafOf(issued.envelope);
      for (const spelled of [leaf, leaf.slice(2), leaf.toUpperCase().replace("0X", "0x")]) {
        const res = await t.app.inject({ method: "GET", url: `/v1/proofs/${spelled}` });
        expect(res.statusCode, res.body).to.equal(200);
        expect(res.headers["access-control-allow-origin"]).to.equal("*");
        const proof = res.json();
        expect(Object.keys(proof).sort()).to.deep.equal(["anchoredAt", "block", "chainId", "proof", "registry", "root", "transaction"]);
        expect(proof.registry).to.equal(t.registry);
        for (const value of Object.values(exampleClaims("business-licence"))) expect(res.body).to.not.include(String(value));
        expect(res.body).to.not.include(issued.id);
      }
      expectError(await t.app.inject({ method: "GET", url: `/v1/proofs/${"ab".repeat(32)}` }), 404, "PROOF_NOT_FOUND");
      expectError(await t.app.inject({ method: "GET", url: "/v1/proofs/xyz" }), 400, "VALIDATION_FAILED");
    });

    it("SDK verify of a pending envelope fetches the proof from an allowed service, checks it on chain and hands back the anchored envelope", async () => {
      const { id, envelope } = (await issue()).json();
      await waitForStatus(t.app, t.tokens.amr, id, "anchored");

      // Not allowed: nothing is fetched, the verdict stays pending.
      const denied = recordingFetch();
      const stays = await verify(envelope, { registries, fetch: denied.fetch });
      expect(stays.verdict).to.equal("pending");
      const elsewhere = await verify(envelope, { registries, fetch: denied.fetch, proofServices: ["https://other.example"] });
      expect(elsewhere.verdict).to.equal("pending");
      expect(denied.urls).to.deep.equal([]);

      const allowed = recordingFetch();
      const result = await verify(envelope, { registries, fetch: allowed.fetch, proofServices: [baseUrl] });
      expect(result.verdict, JSON.stringify(result.reason)).to.equal("valid");
      expect(allowed.urls).to.deep.equal([`${baseUrl}/v1/proofs/${leafOf(envelope).slice(2)}`]);
      expect(result.envelope?.anchor.status).to.equal("anchored");
      // The upgraded file verifies on its own, with no service.
      expect((await verify(result.envelope, { registries })).verdict).to.equal("valid");

      // An envelope from before the field existed: the allowed services are asked in turn.
      const { service: _drop, ...oldAnchor } = envelope.anchor;
      expect((await verify({ ...envelope, anchor: oldAnchor }, { registries, proofServices: [baseUrl] })).verdict).to.equal("valid");
    });

    it("the service is trusted for nothing but the proof bytes: a wrong proof fails the anchor check, another registry is ignored", async () => {
      const { id, envelope } = (await issue()).json();
      await waitForStatus(t.app, t.tokens.amr, id, "anchored");
      const lying = (change: (proof: any) => any): FetchLike => async (url, init) => {
        const response = await fetch(url, init);
        const body = change(await response.json());
        return { status: 200, ok: true, json: async () => body };
      };
      const wrongRoot = await verify(envelope, { registries, proofServices: [baseUrl], fetch: lying((p) => ({ ...p, root: `0x${"11".repeat(32)}` })) });
      expect(wrongRoot.verdict).to.equal("invalid");
      expect(wrongRoot.reason?.code).to.equal("ANCHOR_PROOF_INVALID");
      expect(wrongRoot).to.not.have.property("envelope");
      const otherRegistry = await verify(envelope, { registries, proofServices: [baseUrl], fetch: lying((p) => ({ ...p, registry: `0x${"22".repeat(20)}` })) });
      expect(otherRegistry.verdict).to.equal("pending");
    });

    it("a proof service that never answers costs at most the timeout; an AbortSignal stops it at once", async () => {
      const { envelope } = (await issue()).json();
      const hanging: FetchLike = (_url, init) =>
        new Promise((_resolve, reject) => init?.signal?.addEventListener("abort", () => reject(new Error("aborted"))));
      const started = Date.now();
      const slow = await verify(envelope, { registries, proofServices: [baseUrl], fetch: hanging, timeoutMs: 300 });
      expect(slow.verdict).to.equal("pending");
      expect(Date.now() - started).to.be.below(30_000);
      const controller = new AbortController();
      const pendingResult = verify(envelope, { registries, proofServices: [baseUrl], fetch: hanging, timeoutMs: 600_000, signal: controller.signal });
      controller.abort();
      expect((await pendingResult).verdict).to.equal("pending");
    });

    it("POST /v1/verify resolves a pending envelope from its own store: valid once anchored", async () => {
      const { id, envelope } = (await issue()).json();
      await waitForStatus(t.app, t.tokens.amr, id, "anchored");
      const res = await t.app.inject({ method: "POST", url: "/v1/verify", payload: { envelope } });
      expect(res.statusCode).to.equal(200);
      expect(res.json().verdict).to.equal("valid");
      expect(res.json().envelope.anchor.status).to.equal("anchored");
    });
  });

  describe("with anchoring far off (a batch waits 10 minutes, as with a chain that does not answer)", function () {
    let t: TestApp;
    before(async () => {
      t = await buildTestApp({}, { maxDelayMs: 600_000 });
    });
    after(async () => t?.close());

    it("Prefer: wait=1 holds the reply about a second, no longer, and returns the pending envelope without Preference-Applied", async () => {
      const started = Date.now();
      const res = await t.app.inject({ method: "POST", url: "/v1/certificates", headers: { ...bearer(t.tokens.amr), prefer: "wait=1" }, payload: licence() });
      const elapsed = Date.now() - started;
      expect(res.statusCode, res.body).to.equal(201);
      expect(res.json().status).to.equal("pending");
      expect(res.headers).to.not.have.property("preference-applied");
      expect(elapsed).to.be.at.least(900);
      expect(elapsed).to.be.below(15_000);

      // Meanwhile the proof lookup says pending (202), and /v1/verify says pending.
      const leaf = leafOf(res.json().envelope);
      const proof = await t.app.inject({ method: "GET", url: `/v1/proofs/${leaf}` });
      expect(proof.statusCode).to.equal(202);
      expect(proof.json()).to.deep.equal({ status: "pending" });
      expect(proof.headers["retry-after"]).to.equal("1");
      const verdict = await t.app.inject({ method: "POST", url: "/v1/verify", payload: { envelope: res.json().envelope } });
      expect(verdict.json().verdict).to.equal("pending");

      // Once the batch is anchored, the same leaf has its proof.
      await (t.service as unknown as { flush(): Promise<void> }).flush();
      expect((await t.app.inject({ method: "GET", url: `/v1/proofs/${leaf}` })).statusCode).to.equal(200);
    });
  });
});
