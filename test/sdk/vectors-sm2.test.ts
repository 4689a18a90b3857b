import { expect } from "chai";
import { createHash } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { verifySDJWT } from "@meeco/sd-jwt";
import { sm2 as smCrypto } from "sm-crypto-v2";
import { startDevNode, type DevNode } from "../../server/chain/dev-node";
import { credentialLeaf, disclosedClaimsOf, parseCredential, parseEnvelope, processProof, subjectClaimsOf, verify, type Hex } from "@certchain/sdk";
import { fromHex, verifySignature } from "@certchain/sdk/internal";
import { opensslSm3, opensslVerifiesSm2 } from "../support/openssl-sm2";
import { freePort } from "../support/ports";
import { SM2_VECTORS, anchorSm2VectorsOnNode } from "../support/sm2-vectors";

const vectors = SM2_VECTORS;

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
      const { registry } = await anchorSm2VectorsOnNode(node.rpcUrl);
      const options = { registries: [registry] };
      for (const c of vectors.cases) {
        const result = await verify(c.envelope, options);
        expect(result.verdict, `${c.description}: ${JSON.stringify(result.reason)}`).to.equal(c.root ? "valid" : "pending");
        expect(result.claims).to.deep.equal(c.claims);
        if (c.root) expect(result.checks.find((check) => check.name === "signature")!.status, c.description).to.equal("passed");
      }
    });
  });
});
