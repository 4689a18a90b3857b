import { expect } from "chai";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { HDNodeWallet } from "ethers";
import { deployRegistry } from "../../server/chain/deploy";
import { startDevNode, devProvider, type DevNode } from "../../server/chain/dev-node";
import { createRegistryAdmin } from "../../server/chain/registry-admin";
import { createOperatorClient } from "../../server/chain/operator";
import { DEV_MNEMONIC } from "../../server/config";
import {
  credentialLeaf,
  disclosedClaimsOf,
  findTypeById,
  parseCredential,
  parseEnvelope,
  processProof,
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

/** What the frozen vectors' certificate numbers carry as their issuer segment. */
const VECTOR_ISSUER_CODE = "11310000MB2F30001X";

const vectors = JSON.parse(readFileSync(path.join(__dirname, "..", "vectors", "envelope-v1.json"), "utf8")) as { issuer: string; cases: VectorCase[] };

/**
 * Envelopes of format version 1, frozen when the format was: every later SDK must read them and
 * verify them exactly as before (EAS broke old offchain attestations when its format changed).
 */
describe("frozen envelope vectors (format version 1)", function () {
  for (const c of vectors.cases) {
    it(`${c.description}: parses, discloses the same claims, reaches its root and its signature holds`, async function () {
      const envelope = parseEnvelope(JSON.stringify(c.envelope));
      const parsed = parseCredential(envelope.credential);
      expect(subjectClaimsOf(disclosedClaimsOf(parsed))).to.deep.equal(c.claims);
      expect(credentialLeaf(envelope.credential)).to.equal(c.leaf);
      if (c.root) expect(processProof(c.leaf, (envelope.anchor as { proof: Hex[] }).proof)).to.equal(c.root);
      expect(await verifySignature(c.alg, fromHex(c.publicKey), parsed.signingInput, parsed.signature)).to.equal(true);
    });
  }

  describe("on a chain that anchors them as they were", function () {
    this.timeout(120_000);
    let node: DevNode;
    let dir: string;

    before(async () => {
      dir = mkdtempSync(path.join(tmpdir(), "certchain-vectors-"));
      node = await startDevNode({ port: await freePort(), logFile: path.join(dir, "node.log") });
    });
    after(async () => {
      await node?.stop();
      rmSync(dir, { recursive: true, force: true });
    });

    it("verifies every frozen envelope end to end (the registry lands at the frozen address on a fresh chain)", async function () {
      const provider = devProvider(node.rpcUrl);
      const account = (i: number) => HDNodeWallet.fromPhrase(DEV_MNEMONIC, undefined, `m/44'/60'/0'/0/${i}`).connect(provider);
      const { address } = await deployRegistry(account(0));
      expect(address).to.equal(vectors.cases[0].envelope.anchor.registry);
      const admin = createRegistryAdmin(address, account(0));
      // The numbers' issuer segment: the frozen vectors' code, registered as it is (its check
      // character does not satisfy GB 32100, which the registry leaves to the root authority's client).
      await admin.registerAgency(vectors.issuer, "向量测试机构", VECTOR_ISSUER_CODE);
      for (const id of ["business-licence", "marriage-certificate", "notarisation-receipt"]) await admin.setAccreditation(vectors.issuer, findTypeById(id)!.vct);
      for (const key of new Map(vectors.cases.map((c) => [c.publicKey, c.alg])).entries()) {
        await admin.addSigningKey(vectors.issuer, { alg: key[1], publicKey: fromHex(key[0]) });
      }
      const operator = account(1);
      await admin.addOperator(vectors.issuer, operator.address);
      const client = createOperatorClient(address, operator);
      for (const root of new Set(vectors.cases.map((c) => c.root).filter((r): r is Hex => r !== null))) await client.anchorRoot(root, 3);

      for (const c of vectors.cases) {
        const result = await verify(c.envelope, { registries: [{ chainId: 31337, address: address as Hex, rpcUrl: node.rpcUrl }] });
        expect(result.verdict, `${c.description}: ${JSON.stringify(result.reason)}`).to.equal(c.root ? "valid" : "pending");
        expect(result.claims).to.deep.equal(c.claims);
      }
    });
  });
});
