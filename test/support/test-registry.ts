import { generateKeyPairSync, type KeyObject } from "node:crypto";
import type { Signer } from "ethers";
import { findTypeById, keyIdOf, type Hex } from "@certchain/sdk";
import { deployRegistry } from "../../server/chain/deploy";
import { createRegistryAdmin, type RegistryAdmin } from "../../server/chain/registry-admin";
import { createNodeSigner, rawPublicKeyOf } from "../../server/keys/node-signer";
import { derivedCreditCode } from "../../server/service/identifiers";

/**
 * The one way the tests set up a registry, on any chain (the in-process Hardhat network, a
 * Hardhat node of their own): deployed by `root`, with agencies registered, accredited and
 * given an operator, each with a signing key of the test's own or none (then the issuing
 * service generates and registers its key). The fixtures differ only in these options:
 * test/support/chain-fixture.ts (SDK tests), test/server/http/support.ts (HTTP tests),
 * test/support/node-registry.ts (verifiers against a node).
 */
export interface AgencySpec {
  slug: string;
  name: string;
  types: readonly string[];
  operator: Signer;
  /** Unified social credit code [derived from the slug, as `npm start` does]. */
  creditCode?: string;
  /** A signing key made and registered here [none: the service makes its own]. */
  signingKey?: KeyType;
}

/** An agency key's algorithm: Ed25519, P-256 (ES256) or SM2 (国密). */
export type KeyType = "ed25519" | "ec" | "sm2";

const generateKey = (keyType: KeyType): KeyObject =>
  keyType === "ed25519" ? generateKeyPairSync("ed25519").privateKey : generateKeyPairSync("ec", { namedCurve: keyType === "ec" ? "P-256" : "SM2" }).privateKey;

export interface RegisteredAgency {
  slug: string;
  name: string;
  creditCode: string;
  operator: Signer;
  /** Present when the spec asked for a signing key. */
  key?: { privateKey: KeyObject; keyId: Hex; signer: ReturnType<typeof createNodeSigner> };
}

export interface TestRegistry {
  address: Hex;
  registryId: Hex;
  admin: RegistryAdmin;
  /** Registers one more agency. */
  addAgency(spec: AgencySpec): Promise<RegisteredAgency>;
}

/** Deploys a registry and registers `agencies`, in order. */
export async function deployTestRegistry(root: Signer, agencies: readonly AgencySpec[] = []): Promise<TestRegistry & { agencies: RegisteredAgency[] }> {
  const { address, registryId } = await deployRegistry(root);
  const admin = createRegistryAdmin(address, root);
  async function addAgency(spec: AgencySpec): Promise<RegisteredAgency> {
    const creditCode = spec.creditCode ?? derivedCreditCode(spec.slug);
    await admin.registerAgency(spec.slug, spec.name, creditCode);
    for (const type of spec.types) await admin.setAccreditation(spec.slug, findTypeById(type)!.vct);
    let key: RegisteredAgency["key"];
    if (spec.signingKey) {
      const privateKey = generateKey(spec.signingKey);
      const raw = rawPublicKeyOf(privateKey);
      await admin.addSigningKey(spec.slug, raw);
      key = { privateKey, keyId: keyIdOf(raw).keyId, signer: createNodeSigner(privateKey) };
    }
    await admin.addOperator(spec.slug, await spec.operator.getAddress());
    return { slug: spec.slug, name: spec.name, creditCode, operator: spec.operator, key };
  }
  const registered: RegisteredAgency[] = [];
  for (const spec of agencies) registered.push(await addAgency(spec));
  return { address: address as Hex, registryId: registryId as Hex, admin, addAgency, agencies: registered };
}
