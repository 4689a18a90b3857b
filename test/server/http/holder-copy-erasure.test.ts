import hre from "hardhat";
import { expect } from "chai";
import { createPendingEnvelope, parseCredential, verify, type Hex } from "@certchain/sdk";
import { searchFiles } from "../../support/data-dir-search";
import { freePort } from "../../support/ports";
import { bearer, buildTestApp, exampleClaims, type TestApp } from "./support";
import { collect, deviceKey } from "./oid4vci-support";

/** A legal representative no other test uses: found on disk only if some copy of it was left in clear. */
const REPRESENTATIVE = "慕容收证擦除丁";

/**
 * Issue 21 × issue 20: a holder copy (the certificate issued again to a wallet's key with
 * OpenID4VCI) carries the same personal data as its certificate. It is sealed at rest like any
 * certificate, and erasing the certificate erases its copies too; the holder's copy still verifies.
 */
describe("HTTP: holder copies' personal data at rest and erasure (issues 20 and 21)", function () {
  let t: TestApp;
  let baseUrl: string;
  let registries: { chainId: number; address: Hex; provider: typeof hre.ethers.provider }[];
  const flush = () => (t.service as unknown as { flush(): Promise<void> }).flush();

  before(async () => {
    const port = await freePort();
    baseUrl = `http://127.0.0.1:${port}`;
    t = await buildTestApp({}, { publicUrl: baseUrl, maxDelayMs: 600_000 });
    await t.app.listen({ port, host: "127.0.0.1" });
    registries = [{ chainId: 31337, address: t.registry, provider: hre.ethers.provider }];
  });
  after(async () => t?.close());

  it("a collected copy is sealed at rest; erasing its certificate erases the copy (audited), no copy can be collected after, and the holder's copy still verifies", async () => {
    const claims = { ...exampleClaims("business-licence"), legal_representative: REPRESENTATIVE };
    const issued = (await t.app.inject({ method: "POST", url: "/v1/certificates", headers: bearer(t.tokens.amr), payload: { type: "business-licence", claims } })).json();
    await flush();
    const offer = (await t.app.inject({ method: "POST", url: `/v1/certificates/${issued.id}/offer`, headers: bearer(t.tokens.amr) })).json();
    const { credential: copy } = await collect(t.app, offer.credential_offer_uri, await deviceKey());
    expect(parseCredential(copy).disclosures.some((d) => d.value === REPRESENTATIVE)).to.equal(true);
    await flush();
    expect(searchFiles(t.dataDir, [REPRESENTATIVE]), "nothing in clear, the copy included").to.deep.equal([]);

    const erased = await t.app.inject({ method: "POST", url: `/v1/certificates/${issued.id}/erase`, headers: bearer(t.tokens.root), payload: {} });
    expect(erased.statusCode, erased.body).to.equal(200);
    const audit = (await t.app.inject({ method: "GET", url: "/v1/audit?limit=1000", headers: bearer(t.tokens.root) })).json();
    const erasures = audit.entries.filter((e: any) => e.action === "certificate.erase" && e.subject === issued.id);
    expect(erasures.map((e: any) => e.data.copy ?? "certificate").sort()).to.deep.equal([`${issued.id}.1`, "certificate"].sort());
    // Another offer (or collecting again) would hand out the personal data it no longer has.
    const again = await t.app.inject({ method: "POST", url: `/v1/certificates/${issued.id}/offer`, headers: bearer(t.tokens.amr) });
    expect(again.statusCode, again.body).to.equal(410);
    expect(again.json().error.code).to.equal("CERT_ERASED");
    expect(searchFiles(t.dataDir, [REPRESENTATIVE])).to.deep.equal([]);
    expect((await verify(createPendingEnvelope(copy, 31337, t.registry, baseUrl), { registries, proofServices: [baseUrl] })).verdict).to.equal("valid");
  });
});
