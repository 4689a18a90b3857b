import { expect } from "chai";
import hre from "hardhat";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { deployRegistry } from "../../server/chain/deploy";
import { createRegistryAdmin } from "../../server/chain/registry-admin";
import { createKeyStore } from "../../server/keys/key-store";
import { forgetDerivedKeys, scryptDerivations } from "../../server/keys/sealed-box";
import { openDatabase, type Database } from "../../server/store/database";
import { CERTCHAIN_REGISTRY_ABI, keyIdOf, type Hex } from "@certchain/sdk";
import { Contract } from "ethers";
import { opensslVerifiesSm2 } from "../support/openssl-sm2";

// The key store with a real LevelDB and a real (in-process Hardhat) registry: keys of each suite
// are generated, registered with their algorithm, sealed as configured and loaded back.

async function expectRejects(promise: Promise<unknown>, message: RegExp): Promise<void> {
  let error: unknown;
  await promise.catch((caught) => (error = caught));
  expect(String(error)).to.match(message);
}

describe("key store: signing keys of each suite", function () {
  this.timeout(60_000);
  let dir: string;
  let db: Database;
  let admin: ReturnType<typeof createRegistryAdmin>;
  let registry: Contract;

  before(async function () {
    const [root] = await hre.ethers.getSigners();
    const { address } = await deployRegistry(root);
    admin = createRegistryAdmin(address, root);
    registry = new Contract(address, CERTCHAIN_REGISTRY_ABI, hre.ethers.provider);
    for (const slug of ["ks-sm2", "ks-rotate", "ks-p256"]) await admin.registerAgency(slug, `密钥测试 ${slug}`, slug === "ks-sm2" ? "11310000MB2F30001N" : slug === "ks-rotate" ? "111100000000133381" : "91310115MA1H7Q2K3R");
  });
  beforeEach(async function () {
    dir = mkdtempSync(path.join(tmpdir(), "certchain-key-store-"));
    db = await openDatabase(dir);
  });
  afterEach(async function () {
    await db.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it("creates an SM2 key, registers it as SM2 (3) with its 65-byte point, seals it with SM4 when configured, and loads it back", async function () {
    const keys = createKeyStore({ db, passphrase: "口令", admin, sealCipher: "sm4-cbc-hmac-sm3" });
    const signer = await keys.ensureSigningKey("ks-sm2", "SM2");
    expect(signer.alg).to.equal("SM2");
    const onChain = await registry.signingKey(signer.keyId);
    expect(Number(onChain.alg)).to.equal(3);
    const publicKey = new Uint8Array(Buffer.from((onChain.publicKey as string).slice(2), "hex"));
    expect(keyIdOf({ alg: "SM2", publicKey }).keyId).to.equal(signer.keyId);
    const message = new TextEncoder().encode("header.payload");
    expect(opensslVerifiesSm2(publicKey, message, await signer.sign(message))).to.equal(true);

    const stored = await db.sublevel<{ privateKey: { cipher?: string } }>("signing-keys").values().all();
    expect(stored.map((record) => record.privateKey.cipher)).to.deep.equal(["sm4-cbc-hmac-sm3"]);
    const reopened = await createKeyStore({ db, passphrase: "口令" }).loadSigningKey("ks-sm2");
    expect([reopened!.alg, reopened!.kid]).to.deep.equal(["SM2", signer.kid]);
    expect(opensslVerifiesSm2(publicKey, message, await reopened!.sign(message))).to.equal(true);
    expect((await keys.publicKeys("ks-sm2"))[0].publicKey).to.deep.equal({ alg: "SM2", publicKey });
  });

  it("rotates an agency from Ed25519 to SM2: the new key signs, the old one is named for retirement", async function () {
    const keys = createKeyStore({ db, passphrase: "口令", admin });
    const first = await keys.ensureSigningKey("ks-rotate");
    expect(first.alg).to.equal("EdDSA");
    const { signer, previous } = await keys.replaceSigningKey("ks-rotate", "SM2");
    expect(signer.alg).to.equal("SM2");
    expect(previous).to.deep.equal([first.keyId]);
    expect(keys.activeSigner("ks-rotate")!.keyId).to.equal(signer.keyId);
    expect(Number((await registry.signingKey(signer.keyId)).alg)).to.equal(3);
    expect(Number((await registry.signingKey(first.keyId)).alg)).to.equal(1);
  });

  it("creates ES256 keys on request and Ed25519 ones by default", async function () {
    const keys = createKeyStore({ db, passphrase: "口令", admin });
    const signer = await keys.ensureSigningKey("ks-p256", "ES256");
    expect(signer.alg).to.equal("ES256");
    expect(Number((await registry.signingKey(signer.keyId as Hex)).alg)).to.equal(2);
  });

  it("seals many agencies' keys with one scrypt, and a restarted node opens them all with one", async function () {
    forgetDerivedKeys();
    const agencies = ["ks-a", "ks-b", "ks-c", "ks-d"];
    const before = scryptDerivations();
    const keys = createKeyStore({ db, passphrase: "口令" });
    const created = agencies.map((agency) => ({ agency, signing: keys.newSigningKey(agency), operator: keys.newOperatorKey(agency) }));
    for (const { signing, operator } of created) await db.write([...signing.ops, ...operator.ops]);
    const tokenSecret = await keys.tokenSecret();
    const personalDataKey = await keys.personalDataKey();
    expect(scryptDerivations() - before, "scrypt runs to seal 4 signing keys, 4 operator keys, 2 secrets").to.equal(1);

    const boxes = [...(await db.sublevel<any>("signing-keys").values().all()), ...(await db.sublevel<any>("operator-wallets").values().all())].map((record) => record.privateKey);
    expect(boxes).to.have.length(8);
    expect(new Set(boxes.map((box) => box.salt)).size).to.equal(1);
    expect(new Set(boxes.map((box) => box.iv)).size).to.equal(8);
    expect(new Set(boxes.map((box) => box.data)).size).to.equal(8);

    forgetDerivedKeys(); // as a restarted node
    const restarted = createKeyStore({ db, passphrase: "口令" });
    const opened = scryptDerivations();
    for (const { agency, signing, operator } of created) {
      expect((await restarted.loadSigningKey(agency))!.keyId).to.equal(signing.keyId);
      expect(await restarted.operatorKey(operator.address)).to.match(/^0x[0-9a-f]{64}$/);
    }
    expect(await restarted.tokenSecret()).to.deep.equal(tokenSecret);
    expect(await restarted.personalDataKey()).to.deep.equal(personalDataKey);
    expect(scryptDerivations() - opened, "scrypt runs to open all ten at a restart").to.equal(1);
    await expectRejects(createKeyStore({ db, passphrase: "not the passphrase" }).loadSigningKey("ks-a"), /wrong passphrase/);
  });
});
