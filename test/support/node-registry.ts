import { readFileSync } from "node:fs";
import path from "node:path";
import { HDNodeWallet } from "ethers";
import {
  buildMerkleTree,
  createAnchoredEnvelope,
  credentialLeaf,
  findTypeById,
  formatCertificateNumber,
  issueCredential,
  type AnchorProof,
  type SignatureAlgorithm,
  type Envelope,
  type Hex,
  type TrustedRegistry,
} from "@certchain/sdk";
import { fromHex } from "@certchain/sdk/internal";
import { devProvider } from "../../server/chain/dev-node";
import { createOperatorClient } from "../../server/chain/operator";
import { DEV_MNEMONIC } from "../../server/config";
import { deployTestRegistry } from "./test-registry";

export interface NodeRegistry {
  registry: TrustedRegistry & { address: Hex; id: Hex; rpcUrl: string; name: string };
  agency: { slug: string; name: string };
  /** Issues one certificate of `type` (its first example's claims) and anchors it alone. */
  issueAnchored(type: string, claims?: Record<string, unknown>): Promise<Envelope>;
  /** Anchors any root for this registry's agency (e.g. another region's, to make an ambiguous one). */
  anchorRoot(root: Hex): Promise<void>;
  /**
   * Registers the frozen vectors' issuer (test/vectors) with their keys and anchors their roots
   * here, so the vector envelopes (format v1, no registry id) verify against this registry.
   */
  adoptVectors(): Promise<VectorCase[]>;
  /** Revokes an anchored certificate of this registry's agency. */
  revoke(envelope: Envelope, reason?: number): Promise<void>;
}

/** One frozen envelope of test/vectors/envelope-v1.json. */
export interface VectorCase {
  description: string;
  alg: SignatureAlgorithm;
  publicKey: Hex;
  envelope: Envelope;
  root: Hex | null;
  claims: Record<string, unknown>;
}

/** The issuer segment of the vectors' certificate numbers: the vector issuer's unified social credit code. */
const VECTOR_ISSUER_CODE = "11310000MB2F30001X";

export const VECTORS = JSON.parse(readFileSync(path.join(__dirname, "..", "vectors", "envelope-v1.json"), "utf8")) as { issuer: string; cases: VectorCase[] };

export interface NodeRegistryOptions {
  /** The region's name, as a trust entry would call it. */
  region?: string;
  agency?: { slug: string; name: string };
}

/**
 * A registry deployed on an out-of-process node (e.g. `startDevNode`), with one agency, the
 * Shanghai market-regulation bureau, accredited for business and production licences, whose
 * key signs and whose operator anchors real certificates: what a verifier meets in production,
 * without the issuing service.
 */
export async function deployRegistryOnNode(rpcUrl: string, options: NodeRegistryOptions = {}): Promise<NodeRegistry> {
  const provider = devProvider(rpcUrl);
  const account = (i: number) => HDNodeWallet.fromPhrase(DEV_MNEMONIC, undefined, `m/44'/60'/0'/0/${i}`).connect(provider);
  const root = account(0);
  const operator = account(1);
  const slugAndName = options.agency ?? { slug: "sh-amr", name: "上海市市场监督管理局" };
  const { address, registryId, admin, agencies } = await deployTestRegistry(root, [
    { ...slugAndName, types: ["business-licence", "production-licence"], operator, signingKey: "ed25519" },
  ]);
  const agency = { ...slugAndName, creditCode: agencies[0].creditCode };
  const signer = agencies[0].key!.signer;
  const client = createOperatorClient(address, operator);
  const chainId = Number((await provider.getNetwork()).chainId);
  let serial = 0;

  return {
    registry: { chainId, address, id: registryId, rpcUrl, name: options.region ?? "本地开发链 (dev chain)" },
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
        registryId,
        root: tree.root,
        proof: tree.proofOf(leaf)!,
        transaction: receipt.hash as Hex,
        block: receipt.blockNumber,
        anchoredAt: new Date(block.timestamp * 1000).toISOString(),
      });
    },
    async adoptVectors() {
      await admin.registerAgency(VECTORS.issuer, "向量测试机构", VECTOR_ISSUER_CODE);
      for (const id of ["business-licence", "marriage-certificate", "notarisation-receipt"]) await admin.setAccreditation(VECTORS.issuer, findTypeById(id)!.vct);
      for (const [publicKey, alg] of new Map(VECTORS.cases.map((c) => [c.publicKey, c.alg]))) await admin.addSigningKey(VECTORS.issuer, { alg, publicKey: fromHex(publicKey) });
      const vectorOperator = account(2);
      await admin.addOperator(VECTORS.issuer, vectorOperator.address);
      const vectorClient = createOperatorClient(address, vectorOperator);
      for (const root of new Set(VECTORS.cases.map((c) => c.root).filter((r): r is Hex => r !== null))) await vectorClient.anchorRoot(root, 3);
      return VECTORS.cases;
    },
    async anchorRoot(root) {
      await client.anchorRoot(root, 1);
    },
    async revoke(envelope, reason = 1) {
      const anchor = envelope.anchor as AnchorProof;
      await client.changeStatus("revoke", [{ leaf: credentialLeaf(envelope.credential), root: anchor.root, proof: anchor.proof }], reason);
    },
  };
}
