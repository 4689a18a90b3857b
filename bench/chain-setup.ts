import type { KeyObject } from "node:crypto";
import { JsonRpcProvider, type Signer } from "ethers";
import { deployRegistry } from "../server/chain/deploy";
import { createOperatorClient, type OperatorClient } from "../server/chain/operator";
import { createRegistryAdmin } from "../server/chain/registry-admin";
import { rawPublicKeyOf } from "../server/keys/node-signer";
import type { Hex } from "@certchain/sdk";
import { ISSUER_CODE, benchType } from "./claims";

export interface SeededRegistry {
  provider: JsonRpcProvider;
  address: Hex;
  operator: OperatorClient;
  /** Gas of the deployment and seeding transactions (not counted per certificate). */
  setupGas: bigint;
}

/**
 * Deploys the registry on the node and seeds one agency, as test/support/chain-fixture.ts does:
 * registered, accredited for the benchmark's type, with the signing key and an operator.
 * Accounts: the node's defaults, #0 root authority, #1 operator.
 */
export async function deployAndSeed(rpcUrl: string, agency: { slug: string; name: string; privateKey: KeyObject }): Promise<SeededRegistry> {
  // Fresh reads after every transaction (TOOLCHAIN.md: the 250 ms cache returns stale nonces).
  const provider = new JsonRpcProvider(rpcUrl, 31337, { staticNetwork: true, cacheTimeout: -1 });
  const root: Signer = await provider.getSigner(0);
  const operator: Signer = await provider.getSigner(1);
  const deployment = await deployRegistry(root);
  const admin = createRegistryAdmin(deployment.address, root);
  const receipts = [
    await admin.registerAgency(agency.slug, agency.name, ISSUER_CODE),
    await admin.setAccreditation(agency.slug, benchType().vct),
    await admin.addSigningKey(agency.slug, rawPublicKeyOf(agency.privateKey)),
    await admin.addOperator(agency.slug, await operator.getAddress()),
  ];
  const deployReceipt = await provider.getTransactionReceipt(deployment.transaction);
  const setupGas = receipts.reduce((sum, r) => sum + r.gasUsed, deployReceipt?.gasUsed ?? 0n);
  return { provider, address: deployment.address, operator: createOperatorClient(deployment.address, operator), setupGas };
}
