import { randomBytes } from "node:crypto";
import { expect } from "chai";
import { DATA_CIPHERS, createPersonalDataCipher, type DataCipherName } from "../../server/lib/personal-data-cipher";

describe("personal-data cipher (a data key per record, wrapped under the node's key)", function () {
  const nodeKey = randomBytes(32);
  const text = "eyJhbGciOiJFZERTQSJ9.e30.sig~WyJzYWx0IiwibmFtZSIsIuasp-mYs-mahOengeeUsiJd~";

  for (const name of Object.keys(DATA_CIPHERS) as DataCipherName[]) {
    it(`${name}: round trip; a fresh data key and IV per record; tampering, another record's id or another node's key do not open it`, function () {
      const cipher = createPersonalDataCipher(nodeKey, name);
      const sealed = cipher.seal("cert-1", text);
      expect(sealed.c).to.equal(name);
      expect(cipher.open("cert-1", sealed)).to.equal(text);
      const again = cipher.seal("cert-1", text);
      expect(again.k).to.not.equal(sealed.k);
      expect(again.d).to.not.equal(sealed.d);
      expect(sealed.d).to.not.include(Buffer.from(text).toString("base64").slice(0, 16));
      expect(() => cipher.open("cert-2", sealed)).to.throw();
      const flipped = Buffer.from(sealed.d, "base64");
      flipped[0] ^= 1;
      expect(() => cipher.open("cert-1", { ...sealed, d: flipped.toString("base64") })).to.throw();
      const wrappedFlipped = Buffer.from(sealed.k, "base64");
      wrappedFlipped[wrappedFlipped.length - 1] ^= 1;
      expect(() => cipher.open("cert-1", { ...sealed, k: wrappedFlipped.toString("base64") })).to.throw();
      expect(() => createPersonalDataCipher(randomBytes(32), name).open("cert-1", sealed)).to.throw();
    });
  }

  it("a record opens with the cipher it names, whichever the node now seals with (SEAL_CIPHER changed)", function () {
    const aes = createPersonalDataCipher(nodeKey, "aes-256-gcm");
    const sm4 = createPersonalDataCipher(nodeKey, "sm4-cbc-hmac-sm3");
    expect(sm4.open("x", aes.seal("x", text))).to.equal(text);
    expect(aes.open("x", sm4.seal("x", text))).to.equal(text);
    expect(() => aes.open("x", { ...aes.seal("x", text), c: "rot13" as DataCipherName })).to.throw(/cannot open/);
  });
});
