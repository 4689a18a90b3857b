import { expect } from "chai";
import { execFileSync } from "node:child_process";
import { randomBytes, scryptSync } from "node:crypto";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { open, seal, type SealedBox } from "../../server/keys/sealed-box";
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

function openssl(args: string[], input?: Buffer): Buffer {
  return execFileSync("openssl", args, { input });
}

describe("sealed box (secrets at rest)", function () {
  this.timeout(30_000);

  for (const cipher of ["aes-256-gcm", "sm4-cbc-hmac-sm3"] as const) {
    describe(cipher, function () {
      it("round-trips, records its cipher, and never repeats salt, IV or ciphertext", function () {
        const a = seal(secret, passphrase, { cipher, cost });
        const b = seal(secret, passphrase, { cipher, cost });
        expect(a.cipher).to.equal(cipher);
        expect(open(a, passphrase)).to.deep.equal(secret);
        expect([a.salt, a.iv, a.data]).not.to.have.members([b.salt, b.iv, b.data]);
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

  it("seals with AES-256-GCM unless SEAL_CIPHER chooses SM4, and refuses anything else", function () {
    expect(loadConfig({}, []).sealCipher).to.equal("aes-256-gcm");
    expect(loadConfig({ SEAL_CIPHER: "sm4-cbc-hmac-sm3" }, []).sealCipher).to.equal("sm4-cbc-hmac-sm3");
    expect(() => loadConfig({ SEAL_CIPHER: "sm4-ecb" }, [])).to.throw(/SEAL_CIPHER must be aes-256-gcm or sm4-cbc-hmac-sm3/);
  });
});
