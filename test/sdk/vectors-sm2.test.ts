import { expect } from "chai";
import { createHash } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { verifySDJWT } from "@meeco/sd-jwt";
import { HDNodeWallet } from "ethers";
import { sm2 as smCrypto } from "sm-crypto-v2";
import { deployRegistry } from "../../server/chain/deploy";
import { startDevNode, devProvider, type DevNode } from "../../server/chain/dev-node";
import { createRegistryAdmin } from "../../server/chain/registry-admin";
import { createOperatorClient } from "../../server/chain/operator";
import { DEV_MNEMONIC } from "../../server/config";
import { credentialLeaf, disclosedClaimsOf, parseCredential, parseEnvelope, processProof, subjectClaimsOf, verify, type Envelope, type Hex, type SignatureAlgorithm } from "@certchain/sdk";
import { fromHex, verifySignature } from "@certchain/sdk/internal";
import { opensslSm3, opensslVerifiesSm2 } from "../support/openssl-sm2";
import { freePort } from "../support/ports";

interface VectorCase {
  description: string;
  alg: SignatureAlgorithm;
  publicKey: Hex;
  envelope: Envelope;
  leaf: Hex;
  root: Hex | null;
  claims: Record<string, unknown>;
}

const vectors = JSON.parse(readFileSync(path.join(__dirname, "..", "vectors", "envelope-sm2.json"), "utf8")) as { issuer: string; issuerUri: string; issuerCode: string; cases: VectorCase[] };

/** SM2 (国密) envelopes of format version 2, frozen: every later SDK must verify them exactly as this one does. */
describe("frozen envelope vectors (SM2 with SM3)", function () {
  this.timeout(60_000);

  for (const c of vectors.cases) {
    it(`${c.description}: parses, discloses the same claims, reaches its root; openssl, sm-crypto-v2 and @meeco/sd-jwt agree`, async function () {
      const envelope = parseEnvelope(JSON.stringify(c.envelope));
      const parsed = parseCredential(envelope.credential);
      expect([parsed.header.alg, parsed.payload._sd_alg, parsed.payload.iss]).to.deep.equal(["SM2", "sm3", vectors.issuerUri]);
      expect(subjectClaimsOf(disclosedClaimsOf(parsed))).to.deep.equal(c.claims);
      expect(credentialLeaf(envelope.credential)).to.equal(c.leaf);
      if (c.root) expect(processProof(c.leaf, (envelope.anchor as { proof: Hex[] }).proof)).to.equal(c.root);
      const publicKey = fromHex(c.publicKey);
      expect(await verifySignature("SM2", publicKey, parsed.signingInput, parsed.signature)).to.equal(true);
      expect(opensslVerifiesSm2(publicKey, parsed.signingInput, parsed.signature)).to.equal(true);
      expect(smCrypto.doVerifySignature(parsed.signingInput, Buffer.from(parsed.signature).toString("hex"), c.publicKey.slice(2), { hash: true })).to.equal(true);
      const independent = await verifySDJWT(
        envelope.credential,
        async (jwt: string) => {
          const [h, p, s] = jwt.split(".");
          return opensslVerifiesSm2(publicKey, `${h}.${p}`, Buffer.from(s, "base64url"));
        },
        // @meeco/sd-jwt 1.2 always asks for "sha-256", whatever `_sd_alg` says: it is handed SM3.
        async () => (data: string) => createHash("sm3").update(data).digest("base64url"),
      );
      expect(independent).to.deep.include(c.claims);
      for (const d of parsed.disclosures) expect(JSON.stringify(parsed.payload) + JSON.stringify(parsed.disclosures.map((x) => x.value))).to.include(opensslSm3(d.encoded).toString("base64url"));
    });
  }

  describe("on a chain that anchors them as they were", function () {
    this.timeout(120_000);
    let node: DevNode;
    let dir: string;

    before(async () => {
      dir = mkdtempSync(path.join(tmpdir(), "certchain-vectors-sm2-"));
      node = await startDevNode({ port: await freePort(), logFile: path.join(dir, "node.log") });
    });
    after(async () => {
      await node?.stop();
      rmSync(dir, { recursive: true, force: true });
    });

    it("verifies every frozen envelope end to end", async function () {
      const provider = devProvider(node.rpcUrl);
      const account = (i: number) => HDNodeWallet.fromPhrase(DEV_MNEMONIC, undefined, `m/44'/60'/0'/0/${i}`).connect(provider);
      const { address } = await deployRegistry(account(0));
      expect(address).to.equal(vectors.cases[0].envelope.anchor.registry);
      const admin = createRegistryAdmin(address, account(0));
      await admin.registerAgency(vectors.issuer, "向量测试机构（国密）", vectors.issuerCode);
      for (const vct of new Set(vectors.cases.map((c) => parseCredential(c.envelope.credential).payload.vct as string))) await admin.setAccreditation(vectors.issuer, vct);
      await admin.addSigningKey(vectors.issuer, { alg: "SM2", publicKey: fromHex(vectors.cases[0].publicKey) });
      const operator = account(1);
      await admin.addOperator(vectors.issuer, operator.address);
      const client = createOperatorClient(address, operator);
      for (const root of new Set(vectors.cases.map((c) => c.root).filter((r): r is Hex => r !== null))) await client.anchorRoot(root, 2);

      const options = { registries: [{ chainId: 31337, address: address as Hex, rpcUrl: node.rpcUrl }] };
      for (const c of vectors.cases) {
        const result = await verify(c.envelope, options);
        expect(result.verdict, `${c.description}: ${JSON.stringify(result.reason)}`).to.equal(c.root ? "valid" : "pending");
        expect(result.claims).to.deep.equal(c.claims);
        if (c.root) expect(result.checks.find((check) => check.name === "signature")!.status, c.description).to.equal("passed");
      }
    });
  });
});
