import { randomBytes } from "node:crypto";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { ContractFactory, type Signer } from "ethers";
import type { Hex } from "@certchain/sdk";
import { loadRegistryArtifact } from "./registry-artifact";
import { receiptOf } from "./receipt";

export interface Deployment {
  address: Hex;
  transaction: Hex;
  block: number;
  /** The registry's own id (`registryId()`), which envelopes name and verifiers match. */
  registryId: Hex;
  /** The random salt the id was derived from (a redeployment at the same address can reuse it). */
  salt: Hex;
}

/** `<data dir>/deployment.json`: where the registry is, and what its code must be. */
export interface DeploymentRecord extends Deployment {
  chainId: number;
  /** keccak256 of the registry's runtime code (recorded on the first identity check for older files). */
  codeHash?: Hex;
  /** The account that deployed it (account 0, the root authority). */
  deployer?: string;
}

export const readDeployment = (file: string): DeploymentRecord | undefined => (existsSync(file) ? (JSON.parse(readFileSync(file, "utf8")) as DeploymentRecord) : undefined);
export const writeDeployment = (file: string, record: DeploymentRecord): void => writeFileSync(file, `${JSON.stringify(record, null, 2)}\n`);

/**
 * Deploys a CertchainRegistry whose root authority is `rootAuthority` (default: the deployer).
 * `salt` (default: 32 random bytes) makes the registry id unique even where another region's
 * deployment has the same chain id and address; a redeployment passes the recorded salt so the
 * id certificates name stays the same.
 */
export async function deployRegistry(deployer: Signer, rootAuthority?: string, salt: Hex = `0x${randomBytes(32).toString("hex")}`): Promise<Deployment> {
  const { abi, bytecode } = loadRegistryArtifact();
  const factory = new ContractFactory(abi as any, bytecode, deployer);
  const contract = await factory.deploy(rootAuthority ?? (await deployer.getAddress()), salt);
  const receipt = await receiptOf(contract.deploymentTransaction()!);
  const registryId = (await contract.getFunction("registryId").staticCall({ blockTag: receipt!.blockNumber })) as Hex;
  return { address: (await contract.getAddress()) as Hex, transaction: receipt!.hash as Hex, block: receipt!.blockNumber, registryId, salt };
}
