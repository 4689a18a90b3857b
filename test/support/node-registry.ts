import { generateKeyPairSync } from "node:crypto";
import { HDNodeWallet } from "ethers";
import {
  buildMerkleTree,
  createAnchoredEnvelope,
  credentialLeaf,
  findTypeById,
  formatCertificateNumber,
  issueCredential,
  type Envelope,
  type Hex,
  type TrustedRegistry,
} from "@certchain/sdk";
import { deployRegistry } from "../../server/chain/deploy";
import { devProvider } from "../../server/chain/dev-node";
import { createOperatorClient } from "../../server/chain/operator";
import { createRegistryAdmin } from "../../server/chain/registry-admin";
import { DEV_MNEMONIC } from "../../server/config";
import { createNodeSigner, rawPublicKeyOf } from "../../server/keys/node-signer";
import { derivedCreditCode } from "../../server/service/identifiers";

export interface NodeRegistry {
  registry: TrustedRegistry & { address: Hex; rpcUrl: string; name: string };
  agency: { slug: string; name: string };
  /** Issues one certificate of `type` (its first example's claims) and anchors it alone. */
  issueAnchored(type: string, claims?: Record<string, unknown>): Promise<Envelope>;
}

/**
 * A registry deployed on an out-of-process node (e.g. `startDevNode`), with one agency, the
 * Shanghai market-regulation bureau, accredited for business and production licences, whose
 * key signs and whose operator anchors real certificates: what a verifier meets in production,
 * without the issuing service.
 */
export async function deployRegistryOnNode(rpcUrl: string): Promise<NodeRegistry> {
  const provider = devProvider(rpcUrl);
  const account = (i: number) => HDNodeWallet.fromPhrase(DEV_MNEMONIC, undefined, `m/44'/60'/0'/0/${i}`).connect(provider);
  const root = account(0);
  const operator = account(1);
  const { address } = await deployRegistry(root);
  const admin = createRegistryAdmin(address, root);
  const agency = { slug: "sh-amr", name: "上海市市场监督管理局", creditCode: derivedCreditCode("sh-amr") };
  const { privateKey } = generateKeyPairSync("ed25519");
  await admin.registerAgency(agency.slug, agency.name, agency.creditCode);
  for (const type of ["business-licence", "production-licence"]) await admin.setAccreditation(agency.slug, findTypeById(type)!.vct);
  await admin.addSigningKey(agency.slug, rawPublicKeyOf(privateKey));
  await admin.addOperator(agency.slug, operator.address);
  const signer = createNodeSigner(privateKey);
  const client = createOperatorClient(address, operator);
  const chainId = Number((await provider.getNetwork()).chainId);
  let serial = 0;

  return {
    registry: { chainId, address, rpcUrl, name: "本地开发链 (dev chain)" },
    agency,
    async issueAnchored(typeId, claims) {
      const type = findTypeById(typeId)!;
      const credential = await issueCredential({
        vct: type.vct,
        issuer: agency.slug,
        certificateNumber: formatCertificateNumber({ typeCode: type.typeCode, issuerCode: agency.creditCode, serial: String(++serial).padStart(8, "0"), version: 1 }),
        claims: claims ?? structuredClone(type.schema.examples[0]),
        signer,
      });
      const leaf = credentialLeaf(credential);
      const tree = buildMerkleTree([leaf]);
      const receipt = await client.anchorRoot(tree.root, tree.size);
      const block = (await provider.getBlock(receipt.blockNumber))!;
      return createAnchoredEnvelope(credential, {
        chainId,
        registry: address,
        root: tree.root,
        proof: tree.proofOf(leaf)!,
        transaction: receipt.hash as Hex,
        block: receipt.blockNumber,
        anchoredAt: new Date(block.timestamp * 1000).toISOString(),
      });
    },
  };
}
