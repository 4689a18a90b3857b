import { ContractFactory, type Signer } from "ethers";
import type { Hex } from "@certchain/sdk";
import { loadRegistryArtifact } from "./registry-artifact";

export interface Deployment {
  address: Hex;
  transaction: Hex;
  block: number;
}

/** Deploys a CertchainRegistry whose root authority is `rootAuthority` (default: the deployer). */
export async function deployRegistry(deployer: Signer, rootAuthority?: string): Promise<Deployment> {
  const { abi, bytecode } = loadRegistryArtifact();
  const factory = new ContractFactory(abi as any, bytecode, deployer);
  const contract = await factory.deploy(rootAuthority ?? (await deployer.getAddress()));
  const receipt = await contract.deploymentTransaction()!.wait();
  return { address: (await contract.getAddress()) as Hex, transaction: receipt!.hash as Hex, block: receipt!.blockNumber };
}
