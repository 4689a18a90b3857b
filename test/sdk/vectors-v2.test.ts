import { expect } from "chai";
import { createHash, createPublicKey } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { compactVerify } from "jose";
import { verifySDJWT } from "@meeco/sd-jwt";
import { HDNodeWallet } from "ethers";
import { deployRegistry } from "../../server/chain/deploy";
import { startDevNode, devProvider, type DevNode } from "../../server/chain/dev-node";
import { createRegistryAdmin } from "../../server/chain/registry-admin";
import { createOperatorClient } from "../../server/chain/operator";
import { DEV_MNEMONIC } from "../../server/config";
import {
  certificateTypeFromMetadata,
  credentialLeaf,
  disclosedClaimsOf,
  parseCredential,
  parseEnvelope,
  processProof,
  publicJwkOf,
  subjectClaimsOf,
  verify,
  type Envelope,
  type Hex,
  type SignatureAlgorithm,
} from "@certchain/sdk";
import { fromHex, verifySignature } from "@certchain/sdk/internal";
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

const vectors = JSON.parse(readFileSync(path.join(__dirname, "..", "vectors", "envelope-v2.json"), "utf8")) as { issuer: string; issuerUri: string; issuerCode: string; typeMetadata: string[]; cases: VectorCase[] };

/** Envelopes of format version 2 (docs/format-v2.md), frozen: every later SDK must verify them exactly as this one does. */
describe("frozen envelope vectors (format version 2)", function () {
  for (const c of vectors.cases) {
    it(`${c.description}: parses, discloses the same claims, reaches its root, its signature holds, and @meeco/sd-jwt agrees`, async function () {
      const envelope = parseEnvelope(JSON.stringify(c.envelope));
      expect(envelope.version).to.equal(2);
      const parsed = parseCredential(envelope.credential);
      expect(parsed.payload.iss).to.equal(vectors.issuerUri);
      expect(subjectClaimsOf(disclosedClaimsOf(parsed))).to.deep.equal(c.claims);
      expect(credentialLeaf(envelope.credential)).to.equal(c.leaf);
      if (c.root) expect(processProof(c.leaf, (envelope.anchor as { proof: Hex[] }).proof)).to.equal(c.root);
      expect(await verifySignature(c.alg, fromHex(c.publicKey), parsed.signingInput, parsed.signature)).to.equal(true);
      const key = createPublicKey({ key: publicJwkOf({ alg: c.alg, publicKey: fromHex(c.publicKey) }), format: "jwk" });
      const independent = await verifySDJWT(envelope.credential, async (jwt: string) => Boolean(await compactVerify(jwt, key)), async () => (data: string) => createHash("sha256").update(data).digest("base64url"));
      expect(independent).to.deep.include(c.claims);
    });
  }

  describe("on a chain that anchors them as they were", function () {
    this.timeout(120_000);
    let node: DevNode;
    let dir: string;

    before(async () => {
      dir = mkdtempSync(path.join(tmpdir(), "certchain-vectors-v2-"));
      node = await startDevNode({ port: await freePort(), logFile: path.join(dir, "node.log") });
    });
    after(async () => {
      await node?.stop();
      rmSync(dir, { recursive: true, force: true });
    });

    it("verifies every frozen envelope end to end, the type added through an API learnt from its document and the registry's hash", async function () {
      const provider = devProvider(node.rpcUrl);
      const account = (i: number) => HDNodeWallet.fromPhrase(DEV_MNEMONIC, undefined, `m/44'/60'/0'/0/${i}`).connect(provider);
      const { address } = await deployRegistry(account(0));
      expect(address).to.equal(vectors.cases[0].envelope.anchor.registry);
      const admin = createRegistryAdmin(address, account(0));
      await admin.registerAgency(vectors.issuer, "向量测试机构", vectors.issuerCode);
      for (const text of vectors.typeMetadata) {
        const type = certificateTypeFromMetadata(text);
        await admin.registerType(type.vct, type.metadataHash, type.typeCode);
      }
      for (const vct of new Set(vectors.cases.map((c) => parseCredential(c.envelope.credential).payload.vct as string))) await admin.setAccreditation(vectors.issuer, vct);
      for (const [publicKey, alg] of new Map(vectors.cases.map((c) => [c.publicKey, c.alg]))) await admin.addSigningKey(vectors.issuer, { alg, publicKey: fromHex(publicKey) });
      const operator = account(1);
      await admin.addOperator(vectors.issuer, operator.address);
      const client = createOperatorClient(address, operator);
      for (const root of new Set(vectors.cases.map((c) => c.root).filter((r): r is Hex => r !== null))) await client.anchorRoot(root, 4);

      const options = { registries: [{ chainId: 31337, address: address as Hex, rpcUrl: node.rpcUrl }], types: { bundle: vectors.typeMetadata } };
      for (const c of vectors.cases) {
        const result = await verify(c.envelope, options);
        expect(result.verdict, `${c.description}: ${JSON.stringify(result.reason)}`).to.equal(c.root ? "valid" : "pending");
        expect(result.claims).to.deep.equal(c.claims);
        if (c.root) expect(result.checks.find((check) => check.name === "schema")!.status, c.description).to.equal("passed");
      }

      // Revoked with its status-list index on chain, a v2 certificate is revoked for every verifier reading the chain.
      const target = vectors.cases[0];
      const anchor = target.envelope.anchor as { root: Hex; proof: Hex[] };
      const idx = (parseCredential(target.envelope.credential).payload.status as any).status_list.idx;
      await client.changeStatus("revoke", [{ leaf: target.leaf, root: anchor.root, proof: anchor.proof, statusIndex: idx }], 1);
      expect((await verify(target.envelope, options)).verdict).to.equal("revoked");
    });
  });
});
