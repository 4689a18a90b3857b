import { expect } from "chai";
import { ethers, network } from "hardhat";
import { Wallet } from "ethers";
import { DEPLOYMENT_SALT, deployRegistry } from "./fixture";
import { loadFixture } from "@nomicfoundation/hardhat-network-helpers";
import { loadRegistryArtifact } from "../../server/chain/registry-artifact";

/** The id as the contract documents it, computed here rather than by the contract. */
const expectedId = (chainId: bigint, address: string, rootAuthority: string, salt: string) =>
  ethers.keccak256(ethers.AbiCoder.defaultAbiCoder().encode(["uint256", "address", "address", "bytes32"], [chainId, address, rootAuthority, salt]));

describe("CertchainRegistry: registry id", () => {
  it("is keccak256(chain id, own address, root authority, salt) and is announced by RegistryDeployed", async () => {
    const { registry, root } = await loadFixture(deployRegistry);
    const { chainId } = await ethers.provider.getNetwork();
    const id = expectedId(chainId, await registry.getAddress(), root.address, DEPLOYMENT_SALT);
    expect(await registry.registryId()).to.equal(id);
    await expect(registry.deploymentTransaction()).to.emit(registry, "RegistryDeployed").withArgs(id, chainId, root.address, DEPLOYMENT_SALT);
  });

  it("differs between two deployments at the same address on the same chain id (different salts)", async () => {
    const [root] = await ethers.getSigners();
    const snapshot = await network.provider.send("evm_snapshot");
    const first = await ethers.deployContract("CertchainRegistry", [root.address, ethers.id("region A")]);
    const firstAddress = await first.getAddress();
    const firstId = await first.registryId();
    await network.provider.send("evm_revert", [snapshot]);
    const second = await ethers.deployContract("CertchainRegistry", [root.address, ethers.id("region B")]);
    expect(await second.getAddress()).to.equal(firstAddress);
    expect(await second.registryId()).to.not.equal(firstId);
  });

  it("survives a replay of the deployment transaction byte for byte (as the dev-chain journal does)", async () => {
    const deployer = Wallet.createRandom().connect(ethers.provider);
    const [funder] = await ethers.getSigners();
    await (await funder.sendTransaction({ to: deployer.address, value: ethers.parseEther("1") })).wait();
    const { abi, bytecode } = loadRegistryArtifact();
    const factory = new ethers.ContractFactory(abi as any, bytecode, deployer);
    const request = await factory.getDeployTransaction(deployer.address, ethers.id("replayed"));
    const { chainId } = await ethers.provider.getNetwork();
    const raw = await deployer.signTransaction({ ...request, nonce: 0, chainId, gasLimit: 6_000_000n, gasPrice: ethers.parseUnits("10", "gwei"), type: 0 });

    const snapshot = await network.provider.send("evm_snapshot");
    const ids: string[] = [];
    for (let i = 0; i < 2; i++) {
      const hash = await ethers.provider.send("eth_sendRawTransaction", [raw]);
      const receipt = (await ethers.provider.getTransactionReceipt(hash))!;
      ids.push(await new ethers.Contract(receipt.contractAddress!, abi as any, ethers.provider).registryId());
      await network.provider.send("evm_revert", [snapshot]);
    }
    expect(ids[0]).to.match(/^0x[0-9a-f]{64}$/);
    expect(ids[1]).to.equal(ids[0]);
  });
});
