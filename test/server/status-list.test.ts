import { expect } from "chai";
import { importJWK, jwtVerify } from "jose";
import { getListFromStatusListJWT } from "@sd-jwt/jwt-status-list";
import {
  STATUS_LIST_CAPACITY,
  agencyIdOf,
  createRegistryReader,
  parseCredential,
  publicJwkOf,
  statusListEntriesFromChain,
  verify,
  type Envelope,
} from "@certchain/sdk";
import type { Service } from "../../server/service/create-service";
import { amrPrincipal, ctx, example, serviceFixture, type ServiceFixture } from "./service-fixture";

const PUBLIC_URL = "http://127.0.0.1:3000";

describe("Token Status List: published per agency, derived from chain events", function () {
  let fx: ServiceFixture;
  let service: Service;

  before(async function () {
    fx = await serviceFixture();
    service = await fx.start({ publicUrl: PUBLIC_URL });
  });
  after(async function () {
    await service?.close();
    await fx?.cleanup();
  });

  async function issueAnchored(n: number): Promise<{ id: string; envelope: Envelope; idx: number }[]> {
    const records = [];
    for (let i = 0; i < n; i++) records.push(await service.issue(amrPrincipal, { type: "business-licence", claims: example("business-licence") }, ctx()));
    await service.flush();
    return Promise.all(
      records.map(async (r) => {
        const { envelope } = await service.get(amrPrincipal, r.id);
        const idx = (parseCredential(envelope.credential).payload.status as any).status_list.idx;
        return { id: r.id, envelope, idx };
      }),
    );
  }

  const token = async () => (await service.statusListToken("sh-amr", 0))!;
  const listed = (jwt: string) => getListFromStatusListJWT(jwt);

  it("every certificate names its entry in list 0 at <PUBLIC_URL>/status-lists/<slug>/0; back to back, the indexes are not in order (issue 21, finding 4)", async function () {
    const issued = await issueAnchored(4);
    const refs = issued.map(({ envelope }) => (parseCredential(envelope.credential).payload.status as any).status_list);
    for (const ref of refs) expect(ref.uri).to.equal(`${PUBLIC_URL}/status-lists/sh-amr/0`);
    const indexes = refs.map((ref) => ref.idx as number);
    expect(new Set(indexes).size).to.equal(4);
    for (const idx of indexes) expect(idx).to.be.within(0, STATUS_LIST_CAPACITY - 1);
    // Handed out in order they were 40, 41, 42, 43: anyone reading the list learnt the order and volume of issuance.
    const steps = indexes.slice(1).map((idx, i) => idx - indexes[i]);
    expect(steps.every((step) => step === 1)).to.equal(false);
    expect(steps.every((step) => Math.abs(step) < 1_000)).to.equal(false);
  });

  it("is a statuslist+jwt signed with the agency's key, whose sub is its own URI, with iat, exp and ttl, 2 bits per entry", async function () {
    await issueAnchored(1);
    const jwt = await token();
    const signer = service.keys.activeSigner("sh-amr")!;
    // The agency's key as the registry holds it: the one its credentials name.
    const keyIds = (await createRegistryReader(fx.chain.registry).agencies()).find((a) => a.slug === "sh-amr")!.keyIds;
    expect(keyIds).to.include(signer.keyId);
    const onChain = await fx.chain.admin.contract.signingKey(signer.keyId);
    const publicKey = await importJWK(publicJwkOf({ alg: "EdDSA", publicKey: Buffer.from(onChain.publicKey.slice(2), "hex") }), "EdDSA");
    const { protectedHeader, payload } = await jwtVerify(jwt, publicKey, { typ: "statuslist+jwt" });
    expect(protectedHeader).to.include({ alg: "EdDSA", typ: "statuslist+jwt", kid: signer.kid });
    expect(payload).to.include({ sub: `${PUBLIC_URL}/status-lists/sh-amr/0`, iss: `${PUBLIC_URL}/agencies/sh-amr`, ttl: 60 });
    expect(payload.exp! - payload.iat!).to.equal(24 * 3600);
    expect((payload.status_list as any).bits).to.equal(2);
    expect(listed(jwt).getBitsPerStatus()).to.equal(2);
    expect(listed(jwt).statusList.length).to.equal(1 << 20);
  });

  it("follows revocation (1), suspension (2) and reinstatement (0) within one nudge, and equals what anyone rebuilds from the chain", async function () {
    const [a, b, c] = await issueAnchored(3);
    const before = (await jwtVerifyless(await token())).iat;
    await service.changeStatus(amrPrincipal, a.id, "revoke", 1, ctx());
    await service.changeStatus(amrPrincipal, b.id, "suspend", 2, ctx());
    await waitFor(async () => listed(await token()).getStatus(b.idx) === 2);
    let list = listed(await token());
    expect([list.getStatus(a.idx), list.getStatus(b.idx), list.getStatus(c.idx)]).to.deep.equal([1, 2, 0]);
    expect((await jwtVerifyless(await token())).iat).to.be.greaterThan(before);

    await service.changeStatus(amrPrincipal, b.id, "reinstate", 0, ctx());
    await waitFor(async () => listed(await token()).getStatus(b.idx) === 0);
    list = listed(await token());
    expect([list.getStatus(a.idx), list.getStatus(b.idx), list.getStatus(c.idx)]).to.deep.equal([1, 0, 0]);

    // The same list from chain data alone.
    const fromChain = await statusListEntriesFromChain(createRegistryReader(fx.chain.registry), agencyIdOf("sh-amr"));
    const published = new Map<number, number>();
    list.statusList.forEach((value, index) => value !== 0 && published.set(index, value));
    expect(published).to.deep.equal(fromChain);
  });

  it("is derived again from the chain after a restart: the same entries", async function () {
    const entries = (jwt: string) => listed(jwt).statusList.flatMap((v, i) => (v ? [[i, v]] : []));
    const before = entries(await token());
    await service.close();
    service = await fx.start({ publicUrl: PUBLIC_URL });
    expect(entries(await token())).to.deep.equal(before);
    expect(before.length).to.be.greaterThan(0);
  });

  it("our SDK never follows the list: a stale one is a warning (STATUS_LIST_STALE), a foreign-signed one STATUS_LIST_UNAVAILABLE, the verdict is the chain's", async function () {
    const [cert] = await issueAnchored(1);
    const stale = await token();
    await service.changeStatus(amrPrincipal, cert.id, "revoke", 1, ctx());
    await waitFor(async () => listed(await token()).getStatus(cert.idx) === 1);
    const uri = `${PUBLIC_URL}/status-lists/sh-amr/0`;
    const serving = (body: string) => async (url: string) => ({ ok: url === uri, status: url === uri ? 200 : 404, text: async () => body });
    const options = (body: string) => ({ registries: [fx.chain.registry], statusLists: { hosts: ["127.0.0.1:3000"], fetch: serving(body) } });

    const current = await verify(cert.envelope, options(await token()));
    expect(current.verdict).to.equal("revoked");
    expect(current.warnings).to.equal(undefined);

    const lagging = await verify(cert.envelope, options(stale));
    expect(lagging.verdict).to.equal("revoked");
    expect(lagging.warnings).to.deep.equal([{ check: "status", code: "STATUS_LIST_STALE", message: lagging.warnings![0].message }]);

    // A list signed by another agency's key (the MCA's) is not this agency's list.
    await service.issue({ kind: "agency", agency: "sh-mca", subject: "mca", tokenId: "t-mca" }, { type: "marriage-certificate", claims: example("marriage-certificate") }, ctx());
    const foreign = (await service.statusListToken("sh-mca", 0))!.replace(/^[^.]+\.[^.]+/, (await token()).split(".").slice(0, 2).join("."));
    const forged = await verify(cert.envelope, options(foreign));
    expect(forged.verdict).to.equal("revoked");
    expect(forged.warnings?.[0].code).to.equal("STATUS_LIST_UNAVAILABLE");

    // Without the option nothing is fetched.
    expect((await verify(cert.envelope, { registries: [fx.chain.registry] })).warnings).to.equal(undefined);
  });
});

async function jwtVerifyless(jwt: string): Promise<{ iat: number }> {
  return JSON.parse(Buffer.from(jwt.split(".")[1], "base64url").toString());
}

async function waitFor(condition: () => Promise<boolean>, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error("condition not met in time");
    await new Promise((r) => setTimeout(r, 50));
  }
}
