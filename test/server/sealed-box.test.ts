import { expect } from "chai";
import { execFileSync } from "node:child_process";
import { createDecipheriv, randomBytes, scryptSync } from "node:crypto";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { forgetDerivedKeys, open, scryptDerivations, seal, type SealedBox } from "../../server/keys/sealed-box";
import { loadConfig } from "../../server/config";

// A low scrypt cost keeps the tests quick; the format records it, so boxes open all the same.
const cost = { N: 1 << 10, r: 8, p: 1 };
const passphrase = "正确的口令 correct horse";
const secret = randomBytes(48);

/**
 * A box as the service wrote it before the SM4 option (no `cipher` member): AES-256-GCM under
 * scrypt(passphrase "frozen passphrase", salt, N=1024, r=8, p=1), holding the bytes 0..31. Frozen:
 * keys sealed before this change must keep opening.
 */
const FROZEN_V1_BOX: SealedBox = {
  v: 1,
  kdf: "scrypt",
  N: 1024,
  r: 8,
  p: 1,
  salt: "AAECAwQFBgcICQoLDA0ODw==",
  iv: "AAECAwQFBgcICQoL",
  tag: "nEwbM0iNKiQxsrlc7LyKhA==",
  data: "kAVsCYfvi5bEYKriA3Pj/vHHhyhq7spFWh8Wj4+BrhU=",
};

/**
 * Boxes sealed by the code on main before one salt per process (commit b02023d), each with a salt
 * of its own, under "main's passphrase" at N=1024, holding the bytes 255..224. Frozen: they
 * must keep opening.
 */
const MAIN_BOXES: SealedBox[] = [
  { v: 1, cipher: "aes-256-gcm", kdf: "scrypt", N: 1024, r: 8, p: 1, salt: "6Mv81dlfQbC2q+cwUnkSMw==", iv: "C1m07BheGuSv7i8I", tag: "AG7VUetnkGf89gZNtQk5Tg==", data: "BXBzRuyIjCAWZ08amRlK7ACf/OxNxj7ljwqxLaqt64g=" },
  { v: 1, cipher: "sm4-cbc-hmac-sm3", kdf: "scrypt", N: 1024, r: 8, p: 1, salt: "90ac4hqP8QXnGLBqDpFP7w==", iv: "TlHbdZ5/Igd/GtF3o6R8Ag==", data: "O21qdaVDUj26hnn7CJswoUEX+e3E4vmjsxDc3CNRJc/qS6whKc85SmuOQ53HtxOu", tag: "EvhWvBZhegp/Hya5M6Q5KCS2nItQ0b+yGMXMtEInbQ4=" },
  { v: 1, cipher: "aes-256-gcm", kdf: "scrypt", N: 1024, r: 8, p: 1, salt: "Afd0u2s7ta4DB+D7WHG76Q==", iv: "A4DCItHCtslTXur2", tag: "W65UVNctOkk3VIS3sVHLUg==", data: "nOJs/YvdNc97tgtpi8lDrJk3Jghduw/ZpaKF2z1mzd8=" },
];
const MAIN_SECRET = Buffer.from(Array.from({ length: 32 }, (_, i) => 255 - i));

/** How many scrypt runs `run` caused. */
function derivationsOf(run: () => void): number {
  const before = scryptDerivations();
  run();
  return scryptDerivations() - before;
}

function openssl(args: string[], input?: Buffer): Buffer {
  return execFileSync("openssl", args, { input });
}

describe("sealed box (secrets at rest)", function () {
  this.timeout(30_000);

  for (const cipher of ["aes-256-gcm", "sm4-cbc-hmac-sm3"] as const) {
    describe(cipher, function () {
      it("round-trips, records its cipher, and never repeats IV or ciphertext (the salt is the process's, one scrypt for both)", function () {
        forgetDerivedKeys();
        let a!: SealedBox, b!: SealedBox;
        expect(derivationsOf(() => ((a = seal(secret, passphrase, { cipher, cost })), (b = seal(secret, passphrase, { cipher, cost }))))).to.equal(1);
        expect(a.cipher).to.equal(cipher);
        expect(open(a, passphrase)).to.deep.equal(secret);
        expect(open(b, passphrase)).to.deep.equal(secret);
        expect(b.salt).to.equal(a.salt);
        expect(b.iv).to.not.equal(a.iv);
        expect(b.data).to.not.equal(a.data);
        expect(b.tag).to.not.equal(a.tag);
      });

      it("opens many boxes sealed under one salt with one scrypt, in a process that did not seal them", function () {
        forgetDerivedKeys();
        const secrets = Array.from({ length: 12 }, () => randomBytes(32));
        const boxes = secrets.map((s) => seal(s, passphrase, { cipher, cost }));
        expect(new Set(boxes.map((box) => box.salt)).size).to.equal(1);
        forgetDerivedKeys(); // as a restarted process
        let opened: Buffer[] = [];
        expect(derivationsOf(() => (opened = boxes.map((box) => open(box, passphrase))))).to.equal(1);
        expect(opened).to.deep.equal(secrets);
      });

      it("does not remember a wrong passphrase: it fails every time, and the right one still opens", function () {
        forgetDerivedKeys();
        const box = seal(secret, passphrase, { cipher, cost });
        expect(derivationsOf(() => expect(() => open(box, "wrong")).to.throw(/wrong passphrase or damaged/))).to.equal(1);
        expect(derivationsOf(() => expect(() => open(box, "wrong")).to.throw(/wrong passphrase or damaged/))).to.equal(1);
        expect(derivationsOf(() => expect(open(box, passphrase)).to.deep.equal(secret))).to.equal(0);
        // Same passphrase up to Unicode normalisation (NFD): the same key, already derived.
        expect(derivationsOf(() => expect(open(box, passphrase.normalize("NFD"))).to.deep.equal(secret))).to.equal(0);
      });

      it("refuses a wrong passphrase", function () {
        expect(() => open(seal(secret, passphrase, { cipher, cost }), "wrong")).to.throw(/wrong passphrase or damaged/);
      });

      for (const field of ["data", "iv", "tag", "salt"] as const) {
        it(`refuses a box whose ${field} changed by one bit`, function () {
          const box = seal(secret, passphrase, { cipher, cost });
          const bytes = Buffer.from(box[field], "base64");
          bytes[bytes.length - 1] ^= 1;
          expect(() => open({ ...box, [field]: bytes.toString("base64") }, passphrase)).to.throw(/wrong passphrase or damaged/);
        });
      }
    });
  }

  it("an SM4 box opens with the openssl command line (SM4-CBC) and its MAC is OpenSSL's HMAC-SM3", function () {
    const box = seal(secret, passphrase, { cipher: "sm4-cbc-hmac-sm3", cost });
    const keys = scryptSync(passphrase.normalize("NFC"), Buffer.from(box.salt, "base64"), 48, cost);
    const plain = openssl(["enc", "-d", "-sm4-cbc", "-K", keys.subarray(0, 16).toString("hex"), "-iv", Buffer.from(box.iv, "base64").toString("hex")], Buffer.from(box.data, "base64"));
    expect(plain).to.deep.equal(secret);
    const dir = mkdtempSync(path.join(tmpdir(), "certchain-mac-"));
    try {
      const covered = Buffer.concat([Buffer.from(`certchain-sealed-box|sm4-cbc-hmac-sm3|scrypt|${box.N}|${box.r}|${box.p}|${box.salt}|`), Buffer.from(box.iv, "base64"), Buffer.from(box.data, "base64")]);
      writeFileSync(path.join(dir, "covered"), covered);
      const mac = openssl(["mac", "-digest", "sm3", "-macopt", `hexkey:${keys.subarray(16).toString("hex")}`, "-binary", "-in", path.join(dir, "covered"), "HMAC"]);
      expect(mac.toString("base64")).to.equal(box.tag);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("refuses an SM4 box relabelled as AES and the other way round", function () {
    const sm4 = seal(secret, passphrase, { cipher: "sm4-cbc-hmac-sm3", cost });
    expect(() => open({ ...sm4, cipher: "aes-256-gcm" }, passphrase)).to.throw(/wrong passphrase or damaged/);
    const aes = seal(secret, passphrase, { cipher: "aes-256-gcm", cost });
    expect(() => open({ ...aes, cipher: "sm4-cbc-hmac-sm3" }, passphrase)).to.throw(/wrong passphrase or damaged/);
    expect(() => open({ ...aes, cipher: "sm4-gcm" as never }, passphrase)).to.throw(/cannot open/);
  });

  it("opens boxes written before the SM4 option (no cipher recorded: AES-256-GCM)", function () {
    expect(open(FROZEN_V1_BOX, "frozen passphrase")).to.deep.equal(Buffer.from(Array.from({ length: 32 }, (_, i) => i)));
  });

  it("opens boxes written by main's code (a salt each): one scrypt per salt, then none", function () {
    forgetDerivedKeys();
    expect(derivationsOf(() => MAIN_BOXES.forEach((box) => expect(open(box, "main's passphrase")).to.deep.equal(MAIN_SECRET)))).to.equal(3);
    expect(derivationsOf(() => MAIN_BOXES.forEach((box) => expect(open(box, "main's passphrase")).to.deep.equal(MAIN_SECRET)))).to.equal(0);
  });

  it("seals new boxes under the salt of a box it opened (no scrypt), and they open the way main's code opens them", function () {
    forgetDerivedKeys();
    open(MAIN_BOXES[0], "main's passphrase");
    let box!: SealedBox;
    expect(derivationsOf(() => (box = seal(secret, "main's passphrase", { cost })))).to.equal(0);
    expect(box.salt).to.equal(MAIN_BOXES[0].salt);
    // main's open, step by step (scrypt of the NFC passphrase, AES-256-GCM), without this module's memory.
    const key = scryptSync("main's passphrase", Buffer.from(box.salt, "base64"), 32, cost);
    const decrypt = createDecipheriv("aes-256-gcm", key, Buffer.from(box.iv, "base64")).setAuthTag(Buffer.from(box.tag, "base64"));
    expect(Buffer.concat([decrypt.update(Buffer.from(box.data, "base64")), decrypt.final()])).to.deep.equal(secret);
    expect(Object.keys(box).sort()).to.deep.equal(Object.keys(MAIN_BOXES[0]).sort());
  });

  it("keeps a bounded number of derived keys: the least recently used is derived again", function () {
    forgetDerivedKeys();
    const boxes = Array.from({ length: 65 }, (_, i) => seal(secret, `passphrase ${i}`, { cost }));
    expect(derivationsOf(() => open(boxes[64], "passphrase 64"))).to.equal(0);
    expect(derivationsOf(() => open(boxes[0], "passphrase 0"))).to.equal(1);
  });

  it("seals with AES-256-GCM unless SEAL_CIPHER chooses SM4, and refuses anything else", function () {
    expect(loadConfig({}, []).sealCipher).to.equal("aes-256-gcm");
    expect(loadConfig({ SEAL_CIPHER: "sm4-cbc-hmac-sm3" }, []).sealCipher).to.equal("sm4-cbc-hmac-sm3");
    expect(() => loadConfig({ SEAL_CIPHER: "sm4-ecb" }, [])).to.throw(/SEAL_CIPHER must be aes-256-gcm or sm4-cbc-hmac-sm3/);
  });
});
