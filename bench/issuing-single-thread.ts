// `npx ts-node --transpile-only bench/issuing-single-thread.ts [n]`: the issuing primitives on one
// thread (issueCredential + credentialLeaf, then trees of 10,000 and every proof), process CPU µs
// (user + system: comparable on a busy machine, unlike wall time) per certificate for each step. Run under `node --cpu-prof` (NODE_OPTIONS) to profile the SDK path
// without worker threads in the way. BENCH_FAKE_SIGNATURE=1 signs nothing (a constant 64 bytes):
// what is left is everything but the signature.
import { generateKeyPairSync } from "node:crypto";
import { buildMerkleTree, credentialLeaf, issueCredential } from "@certchain/sdk";
import { createNodeSigner } from "../server/keys/node-signer";
import { benchType, certificateNumberFor, claimsFor } from "./claims";

const cpuMs = (): number => {
  const { user, system } = process.cpuUsage();
  return (user + system) / 1000;
};

async function main(): Promise<void> {
  const n = Number(process.argv[2] ?? 20_000);
  const type = benchType();
  const realSigner = createNodeSigner(generateKeyPairSync("ed25519").privateKey);
  const fakeSignature = new Uint8Array(64);
  const signer = process.env.BENCH_FAKE_SIGNATURE === "1" ? { ...realSigner, sign: () => fakeSignature } : realSigner;
  const issuedAt = Math.floor(Date.now() / 1000);
  const inputs = Array.from({ length: n }, (_, serial) => ({ certificateNumber: certificateNumberFor(type, serial), claims: claimsFor(type, serial) }));

  const t0 = cpuMs();
  const credentials: string[] = [];
  for (const input of inputs) credentials.push(await issueCredential({ vct: type.vct, issuer: "sh-amr", issuedAt, signer, ...input }));
  const t1 = cpuMs();
  const leaves = credentials.map(credentialLeaf);
  const t2 = cpuMs();
  let proofMs = 0;
  for (let from = 0; from < n; from += 10_000) {
    const batch = leaves.slice(from, from + 10_000);
    const tree = buildMerkleTree(batch);
    const p0 = cpuMs();
    for (const leaf of batch) if (!tree.proofOf(leaf)) throw new Error("missing proof");
    proofMs += cpuMs() - p0;
  }
  const t3 = cpuMs();
  const us = (ms: number) => ((ms * 1000) / n).toFixed(1).padStart(6);
  console.log(`n=${n} (process CPU)  issue ${us(t1 - t0)} µs  leaf ${us(t2 - t1)} µs  tree ${us(t3 - t2 - proofMs)} µs  proofs ${us(proofMs)} µs  total ${us(t3 - t0)} µs/cert`);
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
