export { buildMerkleTree, processProof, hashPair, type MerkleTree } from "./tree";
