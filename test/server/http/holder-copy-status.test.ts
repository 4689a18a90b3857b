import hre from "hardhat";
import { expect } from "chai";
import { agencyIdOf, createPendingEnvelope, createRegistryReader, credentialLeaf, parseCredential, verify, type Hex } from "@certchain/sdk";
import { getListFromStatusListJWT } from "@sd-jwt/jwt-status-list";
import { freePort } from "../../support/ports";
import { bearer, buildTestApp, exampleClaims, type TestApp } from "./support";
import { collect, deviceKey } from "./oid4vci-support";

/**
 * A certificate's status reaches every leaf it has: its own and each holder copy's (the
 * credential collected into a wallet). Batches here close only when flushed, so a copy can be
 * held pending while its certificate changes.
 */
describe("HTTP: a holder copy's status follows its certificate's", function () {
  let t: TestApp;
  let baseUrl: string;
  let registries: { chainId: number; address: Hex; provider: typeof hre.ethers.provider }[];
  const flush = () => (t.service as unknown as { flush(): Promise<void> }).flush();
  const chainState = async (leaf: Hex) => (await createRegistryReader(registries[0]).statuses(agencyIdOf("sh-amr"), [leaf]))[0].state;
  const verdictOf = async (credential: string) => (await verify(createPendingEnvelope(credential, 31337, t.registry, baseUrl), { registries, proofServices: [baseUrl] })).verdict;

  before(async () => {
    const port = await freePort();
    baseUrl = `http://127.0.0.1:${port}`;
    t = await buildTestApp({}, { publicUrl: baseUrl, maxDelayMs: 600_000 });
    await t.app.listen({ port, host: "127.0.0.1" });
    registries = [{ chainId: 31337, address: t.registry, provider: hre.ethers.provider }];
  });
  after(async () => t?.close());

  async function certificateWithCopy(): Promise<{ id: string; leaf: Hex; copy: string }> {
    const res = await t.app.inject({ method: "POST", url: "/v1/certificates", headers: bearer(t.tokens.amr), payload: { type: "business-licence", claims: exampleClaims("business-licence") } });
    const issued = res.json();
    await flush();
    const offer = (await t.app.inject({ method: "POST", url: `/v1/certificates/${issued.id}/offer`, headers: bearer(t.tokens.amr) })).json();
    const { credential } = await collect(t.app, offer.credential_offer_uri, await deviceKey());
    return { id: issued.id, leaf: credentialLeaf(issued.envelope.credential), copy: credential };
  }
  const change = (id: string, action: string) => t.app.inject({ method: "POST", url: `/v1/certificates/${id}/${action}`, headers: bearer(t.tokens.amr), payload: { reason: 3 } });

  async function eventually(check: () => Promise<boolean>, what: string, timeoutMs = 20_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!(await check())) {
      if (Date.now() > deadline) throw new Error(`${what}: not within ${timeoutMs} ms`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }

  it("revoked with an anchored copy: both leaves in one transaction; a copy still pending is revoked once anchored", async () => {
    const { id, leaf, copy: anchoredCopy } = await certificateWithCopy();
    await flush();
    expect(await verdictOf(anchoredCopy)).to.equal("valid");
    // A second collection, left pending.
    const offer = (await t.app.inject({ method: "POST", url: `/v1/certificates/${id}/offer`, headers: bearer(t.tokens.amr) })).json();
    const { credential: pendingCopy } = await collect(t.app, offer.credential_offer_uri, await deviceKey());
    expect(parseCredential(pendingCopy).payload.status).to.deep.equal(parseCredential(anchoredCopy).payload.status);

    const revoked = await change(id, "revoke");
    expect(revoked.statusCode, revoked.body).to.equal(200);
    expect(await chainState(leaf)).to.equal("revoked");
    expect(await chainState(credentialLeaf(anchoredCopy))).to.equal("revoked");
    expect(await verdictOf(anchoredCopy)).to.equal("revoked");
    // Not on chain yet: nothing to revoke there, and no offer of the certificate now.
    expect(await chainState(credentialLeaf(pendingCopy))).to.equal("active");
    expect((await t.app.inject({ method: "POST", url: `/v1/certificates/${id}/offer`, headers: bearer(t.tokens.amr) })).statusCode).to.equal(409);

    await flush();
    await eventually(async () => (await chainState(credentialLeaf(pendingCopy))) === "revoked", "the copy anchored after the revocation is revoked");
    expect(await verdictOf(pendingCopy)).to.equal("revoked");
    // The audit log names each leaf revoked, the copies by their record.
    const audit = (await t.app.inject({ method: "GET", url: "/v1/audit?limit=1000", headers: bearer(t.tokens.root) })).json();
    const revocations = audit.entries.filter((e: any) => e.action === "certificate.revoke" && e.subject === id);
    expect(revocations.map((e: any) => e.data.leaf).sort()).to.deep.equal([leaf, credentialLeaf(anchoredCopy), credentialLeaf(pendingCopy)].sort());
  });

  it("suspended and reinstated: the copy with it, and the published status list says so at the shared index", async () => {
    const { id, leaf, copy } = await certificateWithCopy();
    await flush();
    expect((await change(id, "suspend")).statusCode).to.equal(200);
    expect(await chainState(leaf)).to.equal("suspended");
    expect(await chainState(credentialLeaf(copy))).to.equal("suspended");
    expect(await verdictOf(copy)).to.equal("suspended");
    const { idx, uri } = (parseCredential(copy).payload.status as { status_list: { idx: number; uri: string } }).status_list;
    const listed = async () => getListFromStatusListJWT((await t.app.inject({ method: "GET", url: new URL(uri).pathname })).body).getStatus(idx);
    await eventually(async () => (await listed()) === 2, "the status list says suspended at the copy's index");
    expect((await change(id, "reinstate")).statusCode).to.equal(200);
    expect(await chainState(credentialLeaf(copy))).to.equal("active");
    expect(await verdictOf(copy)).to.equal("valid");
    await eventually(async () => (await listed()) === 0, "the status list says valid again");
  });

  it("a copy collected while its certificate was pending anchors with it and stays valid", async () => {
    const res = await t.app.inject({ method: "POST", url: "/v1/certificates", headers: bearer(t.tokens.amr), payload: { type: "business-licence", claims: exampleClaims("business-licence") } });
    const offer = (await t.app.inject({ method: "POST", url: `/v1/certificates/${res.json().id}/offer`, headers: bearer(t.tokens.amr) })).json();
    const { credential } = await collect(t.app, offer.credential_offer_uri, await deviceKey());
    await flush();
    expect(await verdictOf(res.json().envelope.credential)).to.equal("valid");
    expect(await verdictOf(credential)).to.equal("valid");
  });
});
