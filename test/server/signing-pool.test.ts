import { expect } from "chai";
import { generateKeyPairSync, verify as verifySignature, type KeyObject } from "node:crypto";
import { credentialLeaf, keyIdOf } from "@certchain/sdk";
import type { ActiveSigner } from "../../server/keys/key-store";
import { createNodeSigner, rawPublicKeyOf } from "../../server/keys/node-signer";
import { createSigningPool, issueLocally, type SigningPool, type UnsignedCredential } from "../../server/keys/signing-pool";
import { opensslVerifiesSm2 } from "../support/openssl-sm2";

function activeSigner(): { signer: ActiveSigner; publicKey: KeyObject } {
  const { privateKey, publicKey } = generateKeyPairSync("ed25519");
  return { signer: { ...createNodeSigner(privateKey), keyId: keyIdOf(rawPublicKeyOf(privateKey)).keyId, privateKey }, publicKey };
}

const unsigned = (i: number): UnsignedCredential => ({
  vct: "https://certchain.example/types/business-licence/1",
  issuer: "sh-amr",
  issuerUri: "https://certchain.example/agencies/sh-amr",
  status: { idx: i, uri: "https://certchain.example/status-lists/sh-amr/0" },
  certificateNumber: `1.2.156.3005.2.0001.91310000MA1FL8XQ3B.${String(i + 1).padStart(10, "0")}.1.0`,
  claims: { company_name: `上海青禾数字科技有限公司第${i}分公司`, capital: { amount: i, currency: "CNY" } },
  selectivePaths: i % 2 === 0 ? [] : [["capital", "amount"]],
  issuedAt: 1_790_000_000,
});

const decode = (part: string) => JSON.parse(Buffer.from(part, "base64url").toString("utf8"));
/** Salted digests differ between any two issuances: left out of the comparison. */
const unsalted = (value: unknown): unknown =>
  Array.isArray(value) ? value.map(unsalted) : value && typeof value === "object" ? Object.fromEntries(Object.entries(value).filter(([k]) => k !== "_sd").map(([k, v]) => [k, unsalted(v)])) : value;

/** Header, payload without the salted digests, and the disclosures without their salts. */
function shape(credential: string) {
  const [jwt, ...disclosures] = credential.split("~").filter((d) => d !== "");
  const [header, payload] = jwt.split(".");
  const { _sd: _digests, ...rest } = decode(payload);
  return { header: decode(header), payload: rest, disclosures: disclosures.map((d) => unsalted(decode(d).slice(1))).sort((a, b) => JSON.stringify(a).localeCompare(JSON.stringify(b))) };
}

function expectValid(credential: string, leaf: string, publicKey: KeyObject) {
  const [jwt] = credential.split("~");
  const [header, payload, signature] = jwt.split(".");
  expect(verifySignature(null, Buffer.from(`${header}.${payload}`), publicKey, Buffer.from(signature, "base64url")), "signature").to.equal(true);
  expect(leaf).to.equal(credentialLeaf(credential));
}

describe("signing pool (worker threads)", function () {
  this.timeout(120_000);
  let pool: SigningPool | undefined;

  afterEach(async function () {
    await pool?.close();
    pool = undefined;
  });

  it("signs SM2 in worker threads (the key crosses as a KeyObject): SM3 digests, signatures openssl verifies", async function () {
    const privateKey = generateKeyPairSync("ec", { namedCurve: "SM2" }).privateKey;
    const signer: ActiveSigner = { ...createNodeSigner(privateKey), keyId: keyIdOf(rawPublicKeyOf(privateKey)).keyId, privateKey };
    pool = createSigningPool({ size: 2, slice: 3 });
    expect(await pool.whenReady(2), "workers start").to.equal(true);
    const issued = await pool.issue(signer, Array.from({ length: 8 }, (_, i) => unsigned(i)));
    expect(pool.stats()).to.include({ inWorkers: 8, onMainThread: 0 });
    const publicKey = rawPublicKeyOf(privateKey).publicKey;
    for (const { credential, leaf } of issued) {
      const [header, payload, signature] = credential.split("~")[0].split(".");
      expect(decode(header).alg).to.equal("SM2");
      expect(decode(payload)._sd_alg).to.equal("sm3");
      expect(opensslVerifiesSm2(publicKey, `${header}.${payload}`, Buffer.from(signature, "base64url"))).to.equal(true);
      expect(leaf).to.equal(credentialLeaf(credential));
    }
  });

  it("signs in worker threads what the main thread signs, in input order", async function () {
    const { signer, publicKey } = activeSigner();
    pool = createSigningPool({ size: 2, slice: 7 });
    expect(await pool.whenReady(2), "workers start").to.equal(true);
    const items = Array.from({ length: 50 }, (_, i) => unsigned(i));
    const inWorkers = await pool.issue(signer, items);
    const onMain = await issueLocally(signer, items);
    expect(pool.stats()).to.include({ inWorkers: 50, onMainThread: 0 });
    expect(inWorkers).to.have.length(50);
    inWorkers.forEach(({ credential, leaf }, i) => {
      expectValid(credential, leaf, publicKey);
      expect(shape(credential)).to.deep.equal(shape(onMain[i].credential));
    });
  });

  it("survives a worker crash: the slices it held are signed on the main thread, and it is replaced", async function () {
    const { signer, publicKey } = activeSigner();
    const deaths: unknown[] = [];
    pool = createSigningPool({ size: 1, slice: 10, faults: { crashOnRequest: 1 }, onWorkerExit: (error) => deaths.push(error) });
    expect(await pool.whenReady(1)).to.equal(true);
    const items = Array.from({ length: 30 }, (_, i) => unsigned(i));
    const issued = await pool.issue(signer, items);
    expect(issued).to.have.length(30);
    issued.forEach(({ credential, leaf }, i) => {
      expectValid(credential, leaf, publicKey);
      expect(shape(credential).payload.certificate_number).to.equal(items[i].certificateNumber);
    });
    expect(deaths).to.have.length(1);
    expect(pool.stats().onMainThread, "the dead worker's slices").to.be.at.least(10);
    // The replacement (without the fault) signs again.
    expect(await pool.whenReady(1)).to.equal(true);
    const before = pool.stats().inWorkers;
    const again = await pool.issue(signer, items.slice(0, 5));
    again.forEach(({ credential, leaf }) => expectValid(credential, leaf, publicKey));
    expect(pool.stats().inWorkers).to.equal(before + 5);
  });

  it("signs on the main thread while no worker is ready, and after close", async function () {
    const { signer, publicKey } = activeSigner();
    pool = createSigningPool({ size: 0 });
    const issued = await pool.issue(signer, [unsigned(0), unsigned(1)]);
    issued.forEach(({ credential, leaf }) => expectValid(credential, leaf, publicKey));
    expect(pool.stats()).to.include({ inWorkers: 0, onMainThread: 2 });
    await pool.close();
    pool = createSigningPool({ size: 1 });
    await pool.close();
    expect(pool.readyWorkers()).to.equal(0);
    const after = await pool.issue(signer, [unsigned(2)]);
    expectValid(after[0].credential, after[0].leaf, publicKey);
  });
});
