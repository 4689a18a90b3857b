import { expect } from "chai";
import path from "node:path";
import { parseEther } from "ethers";
import { exportKeys } from "../../server/keys/key-backup";
import { forgetDerivedKeys, open, scryptDerivations, type SealedBox } from "../../server/keys/sealed-box";
import { mapSealedBoxes, resealOps, sealedEntries, SEALED_SUBLEVELS } from "../../server/keys/sealed-records";
import { openDatabase, type Database } from "../../server/store/database";
import { derivedCreditCode } from "../../server/service/identifiers";
import type { Principal } from "../../server/domain/principal";
import { PASSPHRASE, ctx, example, rootPrincipal, serviceFixture, type ServiceFixture } from "./service-fixture";

const agency = { slug: "gz-sealed", name: "广州市封存测试局", creditCode: derivedCreditCode("gz-sealed"), types: ["business-licence"] };
const agencyPrincipal: Principal = { kind: "agency", agency: agency.slug, subject: "gz-sealed-system", tokenId: "t" };

/** Every sealed box anywhere in the database (every sublevel, whatever its name), by sublevel and key. */
async function everyBox(db: Database): Promise<{ sublevel: string; key: string; box: SealedBox }[]> {
  const found: { sublevel: string; key: string; box: SealedBox }[] = [];
  for await (const [rawKey, rawValue] of db.root.iterator({ keyEncoding: "utf8", valueEncoding: "buffer" } as object) as AsyncIterable<[string, Buffer]>) {
    const name = /^!([^!]*)!(.*)$/s.exec(rawKey);
    let value: unknown;
    try {
      value = JSON.parse(rawValue.toString("utf8"));
    } catch {
      continue; // binary values (Merkle proofs) hold no boxes
    }
    mapSealedBoxes(value, (box) => (found.push({ sublevel: name?.[1] ?? "(root)", key: name?.[2] ?? rawKey, box }), box));
  }
  return found;
}

/**
 * Issue 17: a passphrase change and a key backup cover every secret sealed under the passphrase.
 * Both take their list from SEALED_SUBLEVELS (server/keys/sealed-records.ts); this test scans the
 * whole database of a node that made every kind of secret it makes (signing keys, an operator
 * account and its rotation, the tokens' secret, whatever issuing seals) and fails when a sealed
 * box lives anywhere those do not reach: register the new place in SEALED_SUBLEVELS.
 */
describe("sealed secrets: a passphrase change and a key backup cover every sealed box in the data directory (issue 17)", function () {
  this.timeout(120_000);
  let fx: ServiceFixture;
  let db: Database | undefined;

  before(async function () {
    fx = await serviceFixture();
    const service = await fx.start({ tokenSecret: undefined, operators: {}, fundOperators: parseEther("10") });
    try {
      await service.registerAgency(rootPrincipal, agency, ctx());
      await service.mintAgencyToken(rootPrincipal, agency.slug, {}, ctx());
      await service.issue(agencyPrincipal, { type: "business-licence", claims: example("business-licence") }, ctx());
      await service.flush(agency.slug);
      await service.rotateKey(rootPrincipal, agency.slug, ctx());
      await service.rotateOperator(rootPrincipal, agency.slug, ctx());
      await service.issue(agencyPrincipal, { type: "business-licence", claims: example("business-licence") }, ctx());
      await service.flush(agency.slug);
    } finally {
      await service.close();
    }
    db = await openDatabase(path.join(fx.dir, "db"));
  });
  after(async function () {
    await db?.close();
    await fx?.cleanup();
  });

  it("every sealed box is in a sublevel that SEALED_SUBLEVELS names, and sealedEntries finds each one", async function () {
    const boxes = await everyBox(db!);
    const where = new Set(boxes.map((b) => b.sublevel));
    for (const kind of ["signing-keys", "operator-wallets", "meta"]) expect(where, `the node sealed something in ${kind}`).to.include(kind);
    const unregistered = boxes.filter((b) => !(SEALED_SUBLEVELS as readonly string[]).includes(b.sublevel)).map((b) => `${b.sublevel}/${b.key}`);
    expect(unregistered, "sealed secrets a passphrase change and a backup would miss: add their sublevel to SEALED_SUBLEVELS (server/keys/sealed-records.ts)").to.deep.equal([]);
    const listed = (await sealedEntries(db!)).map((e) => `${e.sublevel}/${e.key}`).sort();
    expect(listed).to.deep.equal([...new Set(boxes.map((b) => `${b.sublevel}/${b.key}`))].sort());
  });

  it("a key backup holds every box, each under the backup passphrase", async function () {
    const boxes = await everyBox(db!);
    const backup = await exportKeys(db!, { passphrase: PASSPHRASE, backupPassphrase: "the backup's own", deployment: undefined });
    const inBackup: SealedBox[] = [];
    for (const entry of backup.sealed) mapSealedBoxes(entry.value, (box) => (inBackup.push(box), box));
    expect(inBackup).to.have.length(boxes.length);
    for (const box of inBackup) expect(() => open(box, "the backup's own")).to.not.throw();
  });

  it("after a passphrase change every box in the database opens with the new passphrase, none with the old", async function () {
    const salts = new Set((await everyBox(db!)).map(({ box }) => `${box.cipher}|${box.salt}`));
    forgetDerivedKeys(); // as the CLI's own process
    const before = scryptDerivations();
    await db!.write(await resealOps(db!, PASSPHRASE, "the new passphrase"));
    expect(scryptDerivations() - before, "scrypt runs: one per salt under the old passphrase, one for the new").to.equal(salts.size + 1);
    const boxes = await everyBox(db!);
    expect(boxes.length).to.be.greaterThan(3);
    // One salt per cipher now (each box keeps its cipher).
    expect(new Set(boxes.map(({ box }) => box.salt)).size).to.equal(new Set(boxes.map(({ box }) => box.cipher)).size);
    for (const { sublevel, key, box } of boxes) {
      expect(() => open(box, "the new passphrase"), `${sublevel}/${key}`).to.not.throw();
      expect(() => open(box, PASSPHRASE), `${sublevel}/${key}`).to.throw();
    }
  });
});
