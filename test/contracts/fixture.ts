import { createHash, generateKeyPairSync } from "node:crypto";
import { ethers } from "hardhat";
import { time } from "@nomicfoundation/hardhat-network-helpers";
import { SimpleMerkleTree } from "@openzeppelin/merkle-tree";
import type { Contract, ContractRunner, ContractTransactionResponse } from "ethers";

// Enum values and constants as the contract numbers them (Common.sol); part of the on-chain format.
export const KeyAlgorithm = { Unknown: 0, EdDSA: 1, ES256: 2, SM2: 3 } as const;
export const State = { Active: 0n, Suspended: 1n, Revoked: 2n } as const;
export const OPEN_ENDED = 2n ** 64n - 1n;
export const NO_STATUS_INDEX = 2n ** 64n - 1n;
export const ROOT_AUTHORITY_ROLE = ethers.id("ROOT_AUTHORITY_ROLE");

/** A unified social credit code as the registry stores it (bytes18 of its ASCII), computed here rather than by the code under test. */
export const creditCodeOf = (code: string) => ethers.hexlify(ethers.toUtf8Bytes(code));

export const AGENCY_A = { slug: "sh-samr", name: "上海市市场监督管理局", creditCode: creditCodeOf("11310000MB2F30001N") };
export const AGENCY_B = { slug: "bj-mca", name: "北京市民政局", creditCode: creditCodeOf("111100000000133381") };
export const agencyIdOf = (slug: string) => ethers.keccak256(ethers.toUtf8Bytes(slug));
export const typeIdOf = (vct: string) => ethers.keccak256(ethers.toUtf8Bytes(vct));

const base64url = (bytes: Buffer) => bytes.toString("base64url");
/** RFC 7638 thumbprint, computed here rather than by the code under test. */
const thumbprint = (members: Record<string, string>) =>
  "0x" + createHash("sha256").update(JSON.stringify(members, Object.keys(members).sort())).digest("hex");

export function ed25519Key() {
  const { publicKey } = generateKeyPairSync("ed25519");
  const raw = publicKey.export({ format: "der", type: "spki" }).subarray(-32);
  return { publicKey: ethers.hexlify(raw), keyId: thumbprint({ crv: "Ed25519", kty: "OKP", x: base64url(raw) }) };
}

export function es256Key() {
  const { publicKey } = generateKeyPairSync("ec", { namedCurve: "P-256" });
  const raw = publicKey.export({ format: "der", type: "spki" }).subarray(-65); // 0x04 || x || y
  const jwk = { crv: "P-256", kty: "EC", x: base64url(raw.subarray(1, 33)), y: base64url(raw.subarray(33)) };
  return { publicKey: ethers.hexlify(raw), keyId: thumbprint(jwk) };
}

export function sm2Key() {
  const { publicKey } = generateKeyPairSync("ec", { namedCurve: "SM2" });
  const raw = publicKey.export({ format: "der", type: "spki" }).subarray(-65); // 0x04 || x || y
  const jwk = { crv: "SM2", kty: "EC", x: base64url(raw.subarray(1, 33)), y: base64url(raw.subarray(33)) };
  return { publicKey: ethers.hexlify(raw), keyId: thumbprint(jwk) };
}

/** A batch of `count` certificate leaves and its OpenZeppelin-compatible tree. */
export function batch(label: string, count: number) {
  const leaves = Array.from({ length: count }, (_, i) => ethers.id(`${label}-cert-${i}`));
  const tree = SimpleMerkleTree.of(leaves);
  const updates = (...indices: number[]) =>
    indices.map((i) => ({ leaf: leaves[i], root: tree.root, proof: tree.getProof(i), statusIndex: NO_STATUS_INDEX }));
  /** Updates that carry status-list indexes (format v2 certificates): leaf i has index `base + i`. */
  const indexedUpdates = (base: number, ...indices: number[]) =>
    indices.map((i) => ({ leaf: leaves[i], root: tree.root, proof: tree.getProof(i), statusIndex: BigInt(base + i) }));
  return { leaves, tree, root: tree.root, updates, indexedUpdates };
}

export async function timestampOf(tx: ContractTransactionResponse): Promise<bigint> {
  const receipt = await tx.wait();
  const block = await ethers.provider.getBlock(receipt!.blockNumber);
  return BigInt(block!.timestamp);
}

/** Untyped contract (no typechain here) whose `connect` keeps the method index. */
export type Registry = { connect(runner: ContractRunner | null): Registry } & Contract;

/** An empty registry whose root authority is the first signer. */
export const DEPLOYMENT_SALT = ethers.id("test registry salt");

export async function deployRegistry() {
  const [root, operatorA, operatorA2, operatorB, stranger] = await ethers.getSigners();
  const registry = (await ethers.deployContract("CertchainRegistry", [root.address, DEPLOYMENT_SALT])) as Registry;
  return { registry, root, operatorA, operatorA2, operatorB, stranger };
}

/** Two agencies, each with an operator (A has a second one) and an accredited type and key. */
export async function deployWithAgencies() {
  const f = await deployRegistry();
  const { registry } = f;
  const idA = agencyIdOf(AGENCY_A.slug);
  const idB = agencyIdOf(AGENCY_B.slug);
  await registry.registerAgency(AGENCY_A.slug, AGENCY_A.name, AGENCY_A.creditCode);
  await registry.registerAgency(AGENCY_B.slug, AGENCY_B.name, AGENCY_B.creditCode);
  await registry.addOperator(idA, f.operatorA.address);
  await registry.addOperator(idA, f.operatorA2.address);
  await registry.addOperator(idB, f.operatorB.address);
  return { ...f, idA, idB };
}

/** Agency A has anchored batch `a` (7 leaves), agency B batch `b` (5 leaves). */
export async function deployWithAnchors() {
  const f = await deployWithAgencies();
  const a = batch("a", 7);
  const b = batch("b", 5);
  await f.registry.connect(f.operatorA).anchorRoot(a.root, a.leaves.length, ethers.ZeroHash);
  await f.registry.connect(f.operatorB).anchorRoot(b.root, b.leaves.length, ethers.ZeroHash);
  return { ...f, a, b };
}

export const latest = async () => BigInt(await time.latest());
