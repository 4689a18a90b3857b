import { randomBytes } from "node:crypto";
import { ContractFactory, type Signer } from "ethers";
import type { Hex } from "@certchain/sdk";
import { loadRegistryArtifact } from "./registry-artifact";

export interface Deployment {
  address: Hex;
  transaction: Hex;
  block: number;
  /** The registry's own id (`registryId()`), which envelopes name and verifiers match. */
  registryId: Hex;
  /** The random salt the id was derived from (a redeployment at the same address can reuse it). */
  salt: Hex;
}

/**
 * Deploys a CertchainRegistry whose root authority is `rootAuthority` (default: the deployer).
 * `salt` (default: 32 random bytes) makes the registry id unique even where another region's
 * deployment has the same chain id and address.
 */
export async function deployRegistry(deployer: Signer, rootAuthority?: string, salt: Hex = `0x${randomBytes(32).toString("hex")}`): Promise<Deployment> {
  const { abi, bytecode } = loadRegistryArtifact();
  const factory = new ContractFactory(abi as any, bytecode, deployer);
  const contract = await factory.deploy(rootAuthority ?? (await deployer.getAddress()), salt);
  const receipt = await contract.deploymentTransaction()!.wait();
  const registryId = (await contract.getFunction("registryId").staticCall({ blockTag: receipt!.blockNumber })) as Hex;
  return { address: (await contract.getAddress()) as Hex, transaction: receipt!.hash as Hex, block: receipt!.blockNumber, registryId, salt };
}
