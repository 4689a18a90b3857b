import { expect } from "chai";
import type { FastifyInstance } from "fastify";
import { createShare, presentCredential, shareLinkOf } from "@certchain/sdk";
import type { Service } from "../../../server/service/create-service";
import { createShareStore } from "../../../server/store/share-store";
import { startSilentServer, type SilentServer } from "../../support/silent-server";
import { buildTestApp, bearer, exampleClaims, waitForStatus, type TestApp } from "./support";

const KEY = "LSIG7aOQTKzI7h2miIVlMeasor_qsjLt32kAUxKMitQ";
const ID = "q2ZkX0a9Rt-Yb_3wLm8NcA";

/** POST /v1/verify never fetches a URL it is handed: its own share links are read from its store. */
describe("HTTP: POST /v1/verify and share links", function () {
  this.timeout(120_000);
  let t: TestApp;
  let app: FastifyInstance;
  let silent: SilentServer;

  before(async () => {
    t = await buildTestApp();
    app = await t.appWith({ rateLimit: false, shares: createShareStore((t.service as Service).db.sublevel("shares")) });
    silent = await startSilentServer();
  });
  after(async () => {
    await silent?.close();
    await t?.close();
  });

  const verify = (envelope: unknown, headers: Record<string, string> = {}) => app.inject({ method: "POST", url: "/v1/verify", payload: { envelope } as object, headers });

  it("a link to any other host is answered at once with SHARE_HOST_NOT_ALLOWED, and the host is never contacted (a silent host held it 15 s)", async function () {
    for (const link of [`${silent.origin}/s/${ID}#${KEY}`, `http://169.254.169.254/s/${ID}#${KEY}`, `https://localhost.evil.example/s/${ID}#${KEY}`]) {
      const res = await verify(link);
      expect(res.statusCode, res.body).to.equal(200);
      expect(res.json().verdict).to.equal("unverifiable");
      expect(res.json().reason).to.deep.include({ check: "share", code: "SHARE_HOST_NOT_ALLOWED" });
    }
    expect(silent.connections).to.equal(0);
  });

  it("its own links (the origin the request came to) are read from the share store: valid, and SHARE_NOT_FOUND for an unknown or withdrawn one", async function () {
    const issued = await app.inject({ method: "POST", url: "/v1/certificates", headers: bearer(t.tokens.amr), payload: { type: "business-licence", claims: exampleClaims("business-licence") } });
    const { id } = issued.json();
    const { envelope } = await waitForStatus(app, t.tokens.amr, id, "anchored");
    const { ciphertext, key } = await createShare(presentCredential(envelope, ["company_name"]));
    const created = await app.inject({ method: "POST", url: "/v1/shares", payload: { ciphertext, expiresAt: new Date(Date.now() + 3_600_000).toISOString() } });
    expect(created.statusCode, created.body).to.equal(201);
    const share = created.json();

    // inject's requests come to http://localhost:80, which is the origin http://localhost.
    const own = await verify(shareLinkOf("http://localhost", share.id, key));
    expect(own.json().verdict, JSON.stringify(own.json().reason)).to.equal("valid");
    expect(Object.keys(own.json().claims)).to.deep.equal(["company_name"]);
    expect(own.json().share).to.deep.include({ id: share.id, apiBase: "http://localhost" });

    const viaHost = await verify(shareLinkOf("https://certs.example.gov.cn", share.id, key), { host: "certs.example.gov.cn", "x-forwarded-proto": "https" });
    expect(viaHost.json().reason?.code, "no trustProxy: the protocol stays http, so an https link is another origin").to.equal("SHARE_HOST_NOT_ALLOWED");

    expect((await verify(shareLinkOf("http://localhost", ID, key))).json().reason.code).to.equal("SHARE_NOT_FOUND");
    await app.inject({ method: "DELETE", url: `/v1/shares/${share.id}`, headers: { authorization: `Bearer ${share.withdrawToken}` } });
    const withdrawn = await verify(shareLinkOf("http://localhost", share.id, key));
    expect(withdrawn.json().reason.code).to.equal("SHARE_NOT_FOUND");
    expect(withdrawn.json().verdict).to.equal("invalid");
  });

  it("an app without a share store opens no share link at all", async function () {
    const res = await t.app.inject({ method: "POST", url: "/v1/verify", payload: { envelope: shareLinkOf("http://localhost", ID, KEY) } });
    expect(res.json().reason.code).to.equal("SHARE_HOST_NOT_ALLOWED");
  });
});
