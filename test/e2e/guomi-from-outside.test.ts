import { expect } from "chai";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { sm2 as smCrypto } from "sm-crypto-v2";
import { marriageCertificate } from "@certchain/sdk";
import { freePort } from "../support/ports";
import { opensslSm3, opensslVerifiesSm2 } from "../support/openssl-sm2";
import { killLeftoverNode, startServiceProcess, type ServiceProcess } from "../support/service-process";

// Issue 19, "tested from outside": a plain `npm start`, and only its HTTP API, the issuer's
// published keys (/.well-known/jwt-vc-issuer), the `openssl` command line and sm-crypto-v2. The
// civil-affairs bureau's marriage certificate is SM2-signed with SM3 digests that code which is
// not ours checks.

describe("e2e: npm start's SM2 (国密) certificates, checked from outside with openssl and sm-crypto-v2", function () {
  this.timeout(300_000);
  let dataDir: string;
  let service: ServiceProcess | undefined;

  before(async function () {
    dataDir = mkdtempSync(path.join(tmpdir(), "certchain-guomi-"));
    service = await startServiceProcess(dataDir, { chainPort: await freePort() });
  });
  after(async function () {
    await service?.stop().catch(() => undefined);
    killLeftoverNode(dataDir);
    rmSync(dataDir, { recursive: true, force: true });
  });

  it("a marriage certificate of sh-mca: its JWS verifies with the published SM2 JWK in openssl and sm-crypto-v2, its digests are OpenSSL's SM3, and /v1/verify says valid", async function () {
    const { apiUrl, agencies } = service!.demo;
    const token = agencies.find((agency) => agency.id === "sh-mca")!.token;
    const issued = await fetch(`${apiUrl}/v1/certificates`, {
      method: "POST",
      headers: { authorization: `Bearer ${token}`, "content-type": "application/json", prefer: "wait=60" },
      body: JSON.stringify({ type: "marriage-certificate", claims: marriageCertificate.schema.examples[0] }),
    });
    const body = (await issued.json()) as { envelope: { credential: string; anchor: { status: string } }; id: string };
    expect(issued.status, JSON.stringify(body)).to.equal(201);
    let envelope = body.envelope;
    const id = body.id;
    for (const deadline = Date.now() + 60_000; envelope.anchor.status !== "anchored" && Date.now() < deadline; await new Promise((r) => setTimeout(r, 300))) {
      envelope = ((await (await fetch(`${apiUrl}/v1/certificates/${id}`, { headers: { authorization: `Bearer ${token}` } })).json()) as { envelope: typeof envelope }).envelope;
    }

    const [jwt, ...disclosures] = envelope.credential.split("~").filter((part) => part !== "");
    const [h, p, s] = jwt.split(".");
    const header = JSON.parse(Buffer.from(h, "base64url").toString());
    const payload = JSON.parse(Buffer.from(p, "base64url").toString());
    expect([header.alg, payload._sd_alg]).to.deep.equal(["SM2", "sm3"]);

    // The key as a standard SD-JWT VC verifier finds it: the issuer's metadata at its iss.
    const iss = new URL(payload.iss);
    const metadata = (await (await fetch(`${iss.origin}/.well-known/jwt-vc-issuer${iss.pathname}`)).json()) as { jwks: { keys: Record<string, string>[] } };
    const jwk = metadata.jwks.keys.find((key) => key.kid === header.kid)!;
    expect(jwk).to.deep.include({ kty: "EC", crv: "SM2", alg: "SM2" });
    const publicKey = new Uint8Array(Buffer.concat([Buffer.of(4), Buffer.from(jwk.x, "base64url"), Buffer.from(jwk.y, "base64url")]));

    const signingInput = `${h}.${p}`;
    const signature = Buffer.from(s, "base64url");
    expect(opensslVerifiesSm2(publicKey, signingInput, signature), "openssl pkeyutl -verify -digest sm3 -pkeyopt distid:1234567812345678").to.equal(true);
    expect(smCrypto.doVerifySignature(signingInput, signature.toString("hex"), Buffer.from(publicKey).toString("hex"), { hash: true }), "sm-crypto-v2").to.equal(true);
    // One bit off, and neither accepts it.
    const flipped = Buffer.from(signature);
    flipped[9] ^= 1;
    expect(opensslVerifiesSm2(publicKey, signingInput, flipped)).to.equal(false);
    expect(smCrypto.doVerifySignature(signingInput, flipped.toString("hex"), Buffer.from(publicKey).toString("hex"), { hash: true })).to.equal(false);

    // Every disclosure's SM3, computed by `openssl dgst -sm3`, is a digest the issuer signed.
    const signed = JSON.stringify(payload) + disclosures.map((d) => Buffer.from(d, "base64url").toString()).join("");
    for (const disclosure of disclosures) expect(signed).to.include(opensslSm3(disclosure).toString("base64url"));

    expect(envelope.anchor.status).to.equal("anchored");
    const verdict = (await (await fetch(`${apiUrl}/v1/verify`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ envelope }) })).json()) as { verdict: string };
    expect(verdict.verdict).to.equal("valid");
  });
});
