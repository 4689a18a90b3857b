import { expect } from "chai";
import { execFile } from "node:child_process";
import { generateKeyPairSync, type KeyObject } from "node:crypto";
import path from "node:path";
import { Worker } from "node:worker_threads";
import { createSignaturePool, nodeWorkerFactory, verifySignature, type PoolWorker, type SignatureJob } from "@certchain/sdk/internal";
import { createNodeSigner, rawPublicKeyOf } from "../../server/keys/node-signer";

const ROOT = path.join(__dirname, "..", "..");

function jobOf(key: KeyObject, text: string): SignatureJob {
  const { alg, publicKey } = rawPublicKeyOf(key);
  const signingInput = new TextEncoder().encode(text);
  const signature = new Uint8Array(createNodeSigner(key).sign(signingInput) as Uint8Array);
  return { alg, publicKey, signingInput, signature };
}

/** Good and bad signatures of every algorithm, interleaved: what verifyMany hands the pool. */
function mixedJobs(n: number): SignatureJob[] {
  const keys = [generateKeyPairSync("ed25519").privateKey, generateKeyPairSync("ec", { namedCurve: "P-256" }).privateKey, generateKeyPairSync("ec", { namedCurve: "SM2" }).privateKey];
  const others = { EdDSA: rawPublicKeyOf(generateKeyPairSync("ed25519").privateKey).publicKey, SM2: rawPublicKeyOf(generateKeyPairSync("ec", { namedCurve: "SM2" }).privateKey).publicKey };
  return Array.from({ length: n }, (_, i) => {
    const job = jobOf(keys[i % 3], `header.payload-${i}`);
    switch (Math.floor(i / 3) % 6) {
      case 1:
        return { ...job, signingInput: new TextEncoder().encode(`header.payload-${i}!`) }; // tampered input
      case 2:
        return job.alg === "ES256" ? job : { ...job, publicKey: others[job.alg as "EdDSA" | "SM2"] }; // another key
      case 4:
        return job.alg === "SM2" ? { ...job, signature: new Uint8Array(64).fill(0xff) } : job; // r, s out of range
      case 3:
        return { ...job, publicKey: new Uint8Array([1, 2, 3]) }; // no key at all
      case 5:
        return { ...job, signature: job.signature.map((b, k) => (k === 0 ? b ^ 1 : b)) }; // flipped bit
      default:
        return job;
    }
  });
}

const expectedOf = (jobs: SignatureJob[]) => Promise.all(jobs.map((j) => verifySignature(j.alg, j.publicKey, j.signingInput, j.signature)));

/** A real worker thread running `source` instead of the pool's checker. */
const faultyWorker = (source: string) => (): PoolWorker => new Worker(source, { eval: true, execArgv: [] }) as unknown as PoolWorker;

describe("sdk signature pool (verifyMany's signature checks in worker threads)", function () {
  this.timeout(120_000);
  let jobs: SignatureJob[];
  let expected: boolean[];
  before(async () => {
    jobs = mixedJobs(600);
    expected = await expectedOf(jobs);
    // The batch holds both answers, or the comparisons below would prove little.
    expect(expected.filter(Boolean).length).to.be.within(100, 500);
  });

  it("checks a large batch in worker threads, with verifySignature's answers, job for job", async () => {
    const pool = createSignaturePool({ size: 2 });
    try {
      expect(await pool.verify(jobs)).to.deep.equal(expected);
      expect(pool.stats).to.deep.equal({ inWorkers: jobs.length, inline: 0, workerFailures: 0 });
      // Again, with the workers (and their imported keys) already there.
      expect(await pool.verify(jobs.slice().reverse())).to.deep.equal(expected.slice().reverse());
    } finally {
      await pool.close();
    }
  });

  it("holds SM2 signatures, good and bad, to the same answers in the workers as on this thread", async () => {
    const sm2 = jobs.map((job, i) => [job, expected[i]] as const).filter(([job]) => job.alg === "SM2");
    expect(sm2.filter(([, ok]) => ok).length).to.be.within(30, sm2.length - 30);
    const pool = createSignaturePool({ size: 2 });
    try {
      expect(await pool.verify(sm2.map(([job]) => job))).to.deep.equal(sm2.map(([, ok]) => ok));
      expect(pool.stats.inWorkers).to.equal(sm2.length);
    } finally {
      await pool.close();
    }
  });

  it("a worker that cannot load the SM2 code leaves SM2 signatures to this thread, and still checks the others", async () => {
    const pool = createSignaturePool({ size: 2, spawn: nodeWorkerFactory({ weierstrass: "/nonexistent/weierstrass.js" }) });
    try {
      expect(await pool.verify(jobs)).to.deep.equal(expected);
      const sm2 = jobs.filter((job) => job.alg === "SM2").length;
      expect(pool.stats).to.deep.equal({ inWorkers: jobs.length - sm2, inline: sm2, workerFailures: 0 });
    } finally {
      await pool.close();
    }
  });

  it("checks small batches inline, and every batch inline once closed", async () => {
    const pool = createSignaturePool({ size: 2 });
    expect(await pool.verify(jobs.slice(0, 10))).to.deep.equal(expected.slice(0, 10));
    expect(pool.stats.inline).to.equal(10);
    await pool.close();
    expect(await pool.verify(jobs)).to.deep.equal(expected);
    expect(pool.stats.inWorkers).to.equal(0);
  });

  it("falls back to checking inline when workers cannot be started (as in a browser)", async () => {
    const pool = createSignaturePool({
      size: 2,
      spawn: () => {
        throw new Error("no worker threads here");
      },
    });
    expect(await pool.verify(jobs)).to.deep.equal(expected);
    expect(pool.stats).to.deep.equal({ inWorkers: 0, inline: jobs.length, workerFailures: 0 });
  });

  it("a worker that exits or throws mid-batch loses no answer: its signatures are checked inline, and it is replaced", async () => {
    for (const source of [
      "require('node:worker_threads').parentPort.on('message', () => process.exit(3))",
      "require('node:worker_threads').parentPort.on('message', () => { throw new Error('boom') })",
    ]) {
      let spawned = 0;
      const real = nodeWorkerFactory()!;
      // The first worker fails; its replacements are real checkers.
      const pool = createSignaturePool({ size: 1, spawn: () => (spawned++ === 0 ? faultyWorker(source)() : real()) });
      try {
        expect(await pool.verify(jobs)).to.deep.equal(expected);
        expect(pool.stats.workerFailures).to.equal(1);
        expect(pool.stats.inline + pool.stats.inWorkers).to.equal(jobs.length);
        expect(await pool.verify(jobs)).to.deep.equal(expected);
        expect(spawned).to.equal(2);
        expect(pool.stats.inWorkers).to.be.at.least(jobs.length);
      } finally {
        await pool.close();
      }
    }
  });

  it("a worker that never answers and then exits does not take the batch down: its signatures are checked inline", async () => {
    const pool = createSignaturePool({ size: 1, spawn: faultyWorker("require('node:worker_threads').parentPort.on('message', () => setTimeout(() => process.exit(0), 50))") });
    try {
      expect(await pool.verify(jobs)).to.deep.equal(expected);
      expect(pool.stats.inline).to.equal(jobs.length);
    } finally {
      await pool.close();
    }
  });

  it("a process that verified with the pool exits on its own: idle workers hold nothing open", async () => {
    const script = [
      "const { createSignaturePool } = require('@certchain/sdk/internal');",
      "const { generateKeyPairSync, sign } = require('node:crypto');",
      "const key = generateKeyPairSync('ed25519').privateKey;",
      "const publicKey = new Uint8Array(Buffer.from(require('node:crypto').createPublicKey(key).export({ format: 'jwk' }).x, 'base64url'));",
      "const jobs = Array.from({ length: 200 }, (_, i) => { const signingInput = Buffer.from('x' + i); return { alg: 'EdDSA', publicKey, signingInput, signature: sign(null, signingInput, key) }; });",
      "const pool = createSignaturePool({ size: 2 });",
      "pool.verify(jobs).then((answers) => console.log(JSON.stringify({ valid: answers.filter(Boolean).length, inWorkers: pool.stats.inWorkers })));",
    ].join("\n");
    const output = await new Promise<string>((resolve, reject) =>
      execFile(process.execPath, ["--conditions=certchain-source", "-r", "ts-node/register/transpile-only", "-e", script], { cwd: ROOT, timeout: 90_000, env: { ...process.env, TS_NODE_PROJECT: path.join(ROOT, "tsconfig.json") } }, (error, stdout, stderr) =>
        error ? reject(new Error(`${error.message}\n${stderr}`)) : resolve(stdout),
      ),
    );
    // Reaching here means the process ended by itself (the deadline above would have killed it).
    expect(JSON.parse(output.trim())).to.deep.equal({ valid: 200, inWorkers: 200 });
  });
});
