import { expect } from "chai";
import fc from "fast-check";
import { createHash, generateKeyPairSync, sign as nodeSign } from "node:crypto";
import { sm2 as smCrypto } from "sm-crypto-v2";
import { createNodeSigner, rawPublicKeyOf, sm2PrivateKeyBytes } from "../../server/keys/node-signer";
import { createSm2Signer, keyIdOf, publicJwkOf, sm2PublicKeyOf, generateSm2PrivateKey } from "@certchain/sdk";
import { signSm2, sm2BaseMultipleX, sm3, sm3Js, verifySm2, verifySignature } from "@certchain/sdk/internal";
import { opensslSignsSm2, opensslSm3, opensslVerifiesSm2, rawSignature, sm2PointOf } from "../support/openssl-sm2";

const hex = (bytes: Uint8Array) => Buffer.from(bytes).toString("hex");
const bytes = (text: string) => new Uint8Array(Buffer.from(text));
/** The order n of the SM2 curve (GB/T 32918.5), written out here, not taken from the code under test. */
const N = BigInt("0xFFFFFFFEFFFFFFFFFFFFFFFFFFFFFFFF7203DF6B21C6052B53BBF40939D54123");
const scalar = (value: bigint) => Buffer.from(value.toString(16).padStart(64, "0"), "hex");
const flipBit = (data: Uint8Array, bit: number) => {
  const copy = data.slice();
  copy[bit >> 3] ^= 1 << (bit & 7);
  return copy;
};

describe("sdk SM3 (国密 hash)", function () {
  it("gives GB/T 32905-2016's two example digests, in pure JS and through Node's OpenSSL", function () {
    const examples: [string, string][] = [
      ["abc", "66c7f0f462eeedd9d1f2d46bdc10e4e24167c4875cf2f7a2297da02b8f4ba8e0"],
      ["abcd".repeat(16), "debe9ff92275b8a138604889c18e5a4d6fdb70e5387e5765293dcba39c0c5732"],
    ];
    for (const [message, digest] of examples) {
      expect(hex(sm3Js(bytes(message))), message).to.equal(digest);
      expect(hex(sm3(message)), message).to.equal(digest);
    }
  });

  it("pure JS agrees with OpenSSL (node:crypto) on any input, across block boundaries", function () {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 300 }), (data) => {
        expect(hex(sm3Js(data))).to.equal(createHash("sm3").update(data).digest("hex"));
      }),
      { numRuns: 300 },
    );
  });

  it("agrees with the openssl command line", function () {
    const data = bytes("国密 SM3 ".repeat(40));
    expect(hex(sm3Js(data))).to.equal(opensslSm3(data).toString("hex"));
  });
});

describe("sdk SM2 signatures (GB/T 32918, user id 1234567812345678)", function () {
  this.timeout(60_000);
  const nodeKey = generateKeyPairSync("ec", { namedCurve: "SM2" }).privateKey;
  const privateKey = sm2PrivateKeyBytes(nodeKey);
  const publicKey = sm2PublicKeyOf(privateKey);
  const message = bytes("eyJhbGciOiJTTTIiLCJ0eXAiOiJkYytzZC1qd3QifQ.eyJpc3MiOiJ1cm46Y2VydGNoYWluOmFnZW5jeTpzaC1tY2EifQ");

  it("derives the same public key as OpenSSL from the same private key", function () {
    expect(hex(publicKey)).to.equal(hex(sm2PointOf(nodeKey)));
    expect(rawPublicKeyOf(nodeKey)).to.deep.equal({ alg: "SM2", publicKey });
  });

  it("signs what the openssl command line verifies with distid 1234567812345678, and not with OpenSSL's empty default", function () {
    const signature = signSm2(privateKey, message);
    expect(opensslVerifiesSm2(publicKey, message, signature)).to.equal(true);
    // The user id is part of what is signed (Z_A): with another id the same signature fails.
    expect(opensslVerifiesSm2(publicKey, message, signature, null)).to.equal(false);
  });

  it("signs what sm-crypto-v2 verifies (SM3 with Z, default user id)", function () {
    const signature = signSm2(privateKey, message);
    expect(smCrypto.doVerifySignature(message, hex(signature), hex(publicKey), { hash: true })).to.equal(true);
    expect(smCrypto.doVerifySignature(message, hex(signature), hex(publicKey), { hash: true, userId: "" })).to.equal(false);
  });

  it("verifies signatures made by the openssl command line and by sm-crypto-v2", function () {
    expect(verifySm2(publicKey, message, opensslSignsSm2(nodeKey, message))).to.equal(true);
    const theirs = smCrypto.doSignature(message, hex(privateKey), { hash: true, publicKey: hex(publicKey) });
    expect(verifySm2(publicKey, message, Buffer.from(theirs, "hex"))).to.equal(true);
  });

  it("refuses Node's own SM2 signatures: an empty user id (OpenSSL 3's default), or ECDSA-with-SM3 for a generated key", function () {
    // Why the SDK does not sign SM2 with node:crypto (sdk/credential/sm2.ts).
    const generated = nodeSign("sm3", message, nodeKey);
    expect(verifySm2(publicKey, message, rawSignature(generated))).to.equal(false);
    const reimported = nodeSign("sm3", message, { key: nodeKey.export({ format: "pem", type: "pkcs8" }), format: "pem" });
    expect(opensslVerifiesSm2(publicKey, message, rawSignature(reimported), null)).to.equal(true);
    expect(verifySm2(publicKey, message, rawSignature(reimported))).to.equal(false);
  });

  it("round-trips any message, and a one-bit change to the message or the signature fails", function () {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 1, maxLength: 200 }), fc.nat(), fc.nat(), (data, messageBit, signatureBit) => {
        const signature = signSm2(privateKey, data, publicKey);
        expect(verifySm2(publicKey, data, signature)).to.equal(true);
        expect(verifySm2(publicKey, flipBit(data, messageBit % (data.length * 8)), signature)).to.equal(false);
        expect(verifySm2(publicKey, data, flipBit(signature, signatureBit % 512))).to.equal(false);
      }),
      { numRuns: 40 },
    );
  });

  it("refuses r or s out of [1, n−1] and signatures of the wrong length, without throwing", function () {
    // (s + n would be the same point again, but it fits 32 bytes only when s < 2^256 − n ≈ 2^224.)
    const signature = signSm2(privateKey, message);
    const r = signature.subarray(0, 32);
    const cases: [string, Uint8Array][] = [
      ["r = 0", Buffer.concat([Buffer.alloc(32), signature.subarray(32)])],
      ["s = 0", Buffer.concat([r, Buffer.alloc(32)])],
      ["r = n", Buffer.concat([scalar(N), signature.subarray(32)])],
      ["s = n", Buffer.concat([r, scalar(N)])],
      ["r = 2^256 − 1", Buffer.concat([Buffer.alloc(32, 0xff), signature.subarray(32)])],
      ["63 bytes", signature.subarray(1)],
      ["65 bytes", Buffer.concat([signature, Buffer.of(0)])],
    ];
    for (const [label, forged] of cases) expect(verifySm2(publicKey, message, forged), label).to.equal(false);
  });

  it("refuses public keys that are not an uncompressed point on the curve, without throwing", function () {
    const signature = signSm2(privateKey, message);
    const notOnCurve = publicKey.slice();
    notOnCurve[64] ^= 1;
    const keys: [string, Uint8Array][] = [
      ["not on the curve", notOnCurve],
      ["compressed", Buffer.concat([Buffer.of(2 + (publicKey[64] & 1)), publicKey.subarray(1, 33)])],
      ["no prefix", publicKey.subarray(1)],
      ["the point at infinity", Buffer.of(0)],
      ["empty", new Uint8Array()],
    ];
    for (const [label, key] of keys) expect(verifySm2(key, message, signature), label).to.equal(false);
  });

  it("checks SM2 through verifySignature, the SDK's one entry point for every algorithm", async function () {
    const signature = signSm2(privateKey, message);
    expect(await verifySignature("SM2", publicKey, message, signature)).to.equal(true);
    expect(await verifySignature("SM2", publicKey, message, flipBit(signature, 3))).to.equal(false);
    // An SM2 key is not a P-256 key, whatever a forged header says.
    expect(await verifySignature("ES256", publicKey, message, signature)).to.equal(false);
  });

  it("publishes the key as a JWK with kty EC and crv SM2 (draft-dang-webauthn-sm2), its thumbprint the key id", function () {
    const jwk = publicJwkOf({ alg: "SM2", publicKey });
    expect(jwk).to.deep.equal({ crv: "SM2", kty: "EC", x: Buffer.from(publicKey.subarray(1, 33)).toString("base64url"), y: Buffer.from(publicKey.subarray(33)).toString("base64url") });
    const thumbprint = createHash("sha256").update(`{"crv":"SM2","kty":"EC","x":"${jwk.x}","y":"${jwk.y}"}`).digest();
    expect(keyIdOf({ alg: "SM2", publicKey })).to.deep.equal({ keyId: `0x${thumbprint.toString("hex")}`, kid: thumbprint.toString("base64url") });
    expect(() => publicJwkOf({ alg: "SM2", publicKey: publicKey.subarray(1) })).to.throw(TypeError, /SM2/);
  });

  it("signs through the server's node:crypto signer and the SDK's createSm2Signer alike", async function () {
    const server = createNodeSigner(nodeKey);
    const sdk = createSm2Signer(privateKey);
    expect([server.alg, server.kid]).to.deep.equal(["SM2", sdk.kid]);
    expect(opensslVerifiesSm2(publicKey, message, await server.sign(message))).to.equal(true);
    expect(opensslVerifiesSm2(publicKey, message, await sdk.sign(message))).to.equal(true);
  });

  it("computes k·G (signing's scalar multiplication) natively in Node and in JavaScript alike", function () {
    expect(sm2BaseMultipleX.native, "Node's OpenSSL has the SM2 curve").to.be.a("function");
    fc.assert(
      fc.property(fc.bigInt({ min: 1n, max: N - 1n }), (k) => {
        expect(sm2BaseMultipleX.native!(k)).to.equal(sm2BaseMultipleX.js(k));
      }),
      { numRuns: 30 },
    );
    // GB/T 32918.5's generator: 1·G is G.
    expect(sm2BaseMultipleX.js(1n).toString(16)).to.equal("32c4ae2c1f1981195f9904466a39c9948fe30bbff2660be1715a4589334c74c7");
  });

  it("generates private keys in [1, n − 2] whose public keys OpenSSL accepts", function () {
    for (let i = 0; i < 5; i++) {
      const key = generateSm2PrivateKey();
      const value = BigInt(`0x${hex(key)}`);
      expect(value >= 1n && value <= N - 2n).to.equal(true);
      expect(opensslVerifiesSm2(sm2PublicKeyOf(key), message, signSm2(key, message))).to.equal(true);
    }
    expect(() => signSm2(scalar(N - 1n), message)).to.throw(TypeError);
    expect(() => signSm2(new Uint8Array(32), message)).to.throw(TypeError);
  });
});
