import type { KeyObject } from "node:crypto";
import hre from "hardhat";
import type { Signer } from "ethers";
import type { RegistryAdmin } from "../../server/chain/registry-admin";
import { createOperatorClient, type OperatorClient } from "../../server/chain/operator";
import { deployTestRegistry, type KeyType } from "./test-registry";
import {
  buildMerkleTree,
  createAnchoredEnvelope,
  credentialLeaf,
  findTypeById,
  formatCertificateNumber,
  issueCredential,
  selectivePathsOf,
  type CredentialSigner,
  type Envelope,
  type Hex,
  type TrustedRegistry,
} from "@certchain/sdk";

export interface TestAgency {
  slug: string;
  name: string;
  /** Registered unified social credit code: the issuer segment of its certificate numbers. */
  creditCode: string;
  privateKey: KeyObject;
  signer: CredentialSigner;
  keyId: Hex;
  operator: Signer;
  client: OperatorClient;
}

export interface TrustFixture {
  registry: TrustedRegistry & { address: Hex; id: Hex };
  admin: RegistryAdmin;
  amr: TestAgency;
  mca: TestAgency;
  outsider: Signer;
  addAgency(slug: string, name: string, typeIds: string[], operator: Signer, keyType?: KeyType, creditCode?: string): Promise<TestAgency>;
}

let serial = 0;

/** A deployed registry with two agencies: a market-regulation bureau and a civil-affairs bureau, each with its own signing key. */
export async function deployTrustFixture(): Promise<TrustFixture> {
  const [root, opAmr, opMca, outsider] = await hre.ethers.getSigners();
  const registry = await deployTestRegistry(root);

  async function addAgency(slug: string, name: string, typeIds: string[], operator: Signer, keyType: KeyType = "ed25519", creditCode?: string): Promise<TestAgency> {
    const agency = await registry.addAgency({ slug, name, types: typeIds, operator, signingKey: keyType, creditCode });
    const { privateKey, keyId, signer } = agency.key!;
    return { slug, name, creditCode: agency.creditCode, privateKey, signer, keyId, operator, client: createOperatorClient(registry.address, operator) };
  }

  const amr = await addAgency("sh-amr", "上海市市场监督管理局", ["business-licence", "production-licence"], opAmr);
  const mca = await addAgency("sh-mca", "上海市民政局", ["marriage-certificate"], opMca);
  return {
    registry: { chainId: 31337, address: registry.address, id: registry.registryId, provider: hre.ethers.provider, name: "test registry" },
    admin: registry.admin,
    amr,
    mca,
    outsider,
    addAgency,
  };
}

export interface IssueItem {
  type: string;
  claims?: Record<string, unknown>;
  certificateNumber?: string;
  validFrom?: number;
  validUntil?: number;
  /** Sign with this instead of the agency's registered signer. */
  signer?: CredentialSigner;
  /** Name this issuer in `iss` instead of the agency's slug. */
  issuer?: string;
}

/** A fresh national certificate number of an agency (its registered code) for a type code. */
export function numberFor(typeCode: string, issuerCode: string): string {
  serial += 1;
  return formatCertificateNumber({ typeCode, issuerCode, serial: String(serial).padStart(8, "0"), version: "1" });
}

export async function issueCredentials(agency: TestAgency, items: IssueItem[]): Promise<string[]> {
  return Promise.all(
    items.map((item) => {
      const type = findTypeById(item.type)!;
      return issueCredential({
        vct: type.vct,
        issuer: item.issuer ?? agency.slug,
        certificateNumber: item.certificateNumber ?? numberFor(type.typeCode, agency.creditCode),
        claims: item.claims ?? (type.schema.examples![0] as Record<string, unknown>),
        selectivePaths: selectivePathsOf(type),
        validFrom: item.validFrom,
        validUntil: item.validUntil,
        signer: item.signer ?? agency.signer,
      });
    }),
  );
}

/** Anchors credentials as one batch by `anchoring`'s operator and returns their envelopes. */
export async function anchorCredentials(fixture: TrustFixture, anchoring: TestAgency, credentials: string[]): Promise<{ envelopes: Envelope[]; root: Hex; proofs: Hex[][] }> {
  const leaves = credentials.map(credentialLeaf);
  const tree = buildMerkleTree(leaves);
  const receipt = await anchoring.client.anchorRoot(tree.root, tree.size);
  const block = await hre.ethers.provider.getBlock(receipt.blockNumber);
  const proofs = leaves.map((leaf) => tree.proofOf(leaf)!);
  const envelopes = credentials.map((credential, i) =>
    createAnchoredEnvelope(credential, {
      chainId: 31337,
      registry: fixture.registry.address,
      registryId: fixture.registry.id,
      root: tree.root,
      proof: proofs[i],
      transaction: receipt.hash as Hex,
      block: receipt.blockNumber,
      anchoredAt: new Date(block!.timestamp * 1000).toISOString(),
    }),
  );
  return { envelopes, root: tree.root, proofs };
}

export async function issueAndAnchor(fixture: TrustFixture, agency: TestAgency, items: IssueItem[]) {
  return anchorCredentials(fixture, agency, await issueCredentials(agency, items));
}
