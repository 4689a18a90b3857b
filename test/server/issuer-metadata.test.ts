import { expect } from "chai";
import { generateKeyPairSync } from "node:crypto";
import hre from "hardhat";
import { keyIdOf, publicJwkOf } from "@certchain/sdk";
import { buildApp } from "../../server/app";
import { createRegistryReads } from "../../server/chain/registry-reads";
import { createIssuerMetadataReader } from "../../server/service/issuer-metadata";
import { rawPublicKeyOf } from "../../server/keys/node-signer";
import { deployTrustFixture, type TrustFixture } from "../support/chain-fixture";
import { serviceFixture } from "./service-fixture";

describe("JWT VC Issuer Metadata: an agency's keys, from the registry", function () {
  let fx: TrustFixture;
  let clock = 0;
  const reader = (publicUrl = "https://certs.example.gov.cn") =>
    createIssuerMetadataReader({ registry: createRegistryReads({ provider: hre.ethers.provider as any, address: fx.registry.address, chainId: 31337 }), publicUrl, now: () => (clock += 10_000) });

  before(async () => {
    fx = await deployTrustFixture();
  });

  it("lists the agency's registered key as a JWK whose kid is the credentials' kid, issuer = the credentials' iss", async function () {
    const metadata = await reader().metadataOf("sh-amr");
    expect(metadata.issuer).to.equal("https://certs.example.gov.cn/agencies/sh-amr");
    const raw = rawPublicKeyOf(fx.amr.privateKey);
    expect(metadata.jwks.keys).to.deep.equal([{ ...publicJwkOf(raw), kid: keyIdOf(raw).kid, alg: "EdDSA", use: "sig" }]);
  });

  it("keeps retired keys (certificates signed before a rotation keep verifying) and leaves revoked keys out", async function () {
    const second = rawPublicKeyOf(generateKeyPairSync("ed25519").privateKey);
    const third = rawPublicKeyOf(generateKeyPairSync("ec", { namedCurve: "P-256" }).privateKey);
    await fx.admin.addSigningKey("sh-mca", second);
    await fx.admin.addSigningKey("sh-mca", third);
    const latest = (await hre.ethers.provider.getBlock("latest"))!.timestamp;
    await fx.admin.retireSigningKey(keyIdOf(rawPublicKeyOf(fx.mca.privateKey)).keyId, latest);
    await fx.admin.revokeSigningKey(keyIdOf(second).keyId, latest);
    const kids = (await reader().metadataOf("sh-mca")).jwks.keys.map((k) => k.kid);
    expect(kids).to.deep.equal([keyIdOf(rawPublicKeyOf(fx.mca.privateKey)).kid, keyIdOf(third).kid]);
    const p256 = (await reader().metadataOf("sh-mca")).jwks.keys[1];
    expect(p256).to.include({ kty: "EC", crv: "P-256", alg: "ES256" });
  });

  it("is served where the draft looks: /.well-known/jwt-vc-issuer inserted between host and the path of PUBLIC_URL", async function () {
    const sfx = await serviceFixture();
    const service = await sfx.start({ publicUrl: "https://gov.example.cn/certchain/" });
    const app = await buildApp(service, { rateLimit: false });
    try {
      const res = await app.inject({ method: "GET", url: "/.well-known/jwt-vc-issuer/certchain/agencies/sh-amr" });
      expect(res.statusCode, res.body).to.equal(200);
      expect(res.json().issuer).to.equal("https://gov.example.cn/certchain/agencies/sh-amr");
      expect(res.headers["access-control-allow-origin"]).to.equal("*");
      const unknown = await app.inject({ method: "GET", url: "/.well-known/jwt-vc-issuer/certchain/agencies/sh-nobody" });
      expect(unknown.statusCode).to.equal(404);
      expect(unknown.json().error.code).to.equal("AGENCY_NOT_FOUND");
      expect((await app.inject({ method: "GET", url: "/.well-known/jwt-vc-issuer/agencies/sh-amr" })).statusCode).to.equal(404);
    } finally {
      await app.close();
      await service.close();
      await sfx.cleanup();
    }
  });
});
