import { expect } from "chai";
import { createHash, generateKeyPairSync } from "node:crypto";
import { createNodeSigner } from "../../server/keys/node-signer";
import { certificateTypes, disclosedClaimsOf, issueCredential, parseCredential, subjectClaimsOf } from "@certchain/sdk";
import { disclosedSubjectClaimsOf } from "@certchain/sdk/internal";

const key = generateKeyPairSync("ed25519").privateKey;
const b64 = (value: unknown) => Buffer.from(JSON.stringify(value)).toString("base64url");
const digest = (encoded: string) => createHash("sha256").update(encoded).digest("base64url");
const HEADER = { alg: "EdDSA", typ: "dc+sd-jwt", kid: "k" };

/** An SD-JWT with any payload and disclosures; the signature is 64 zero bytes (parsing checks none). */
function craft(payload: Record<string, unknown>, disclosures: unknown[][], header: unknown = HEADER): string {
  const encoded = disclosures.map(b64);
  const body = { ...payload, _sd: [...((payload._sd as string[]) ?? []), ...encoded.map(digest)] };
  return `${b64(header)}.${b64(body)}.${Buffer.alloc(64).toString("base64url")}~${encoded.map((e) => `${e}~`).join("")}`;
}

/** The outcome of a claims function: the claims, or the code it threw. */
function outcome(f: () => unknown): unknown {
  try {
    return { claims: f() };
  } catch (error) {
    return { code: (error as { code?: string }).code };
  }
}

describe("sdk verifyMany internals: claims built once and in one shape, headers decoded once", function () {
  it("disclosedSubjectClaimsOf answers as subjectClaimsOf(disclosedClaimsOf()) for every bundled type's example", async function () {
    for (const type of certificateTypes) {
      const claims = type.schema.examples![0] as Record<string, unknown>;
      const sdJwt = await issueCredential({ vct: type.vct, issuer: "sh-amr", certificateNumber: "SH-1", claims, signer: createNodeSigner(key) });
      const parsed = parseCredential(sdJwt);
      expect(disclosedSubjectClaimsOf(parsed)).to.deep.equal(subjectClaimsOf(disclosedClaimsOf(parsed)));
      expect(disclosedSubjectClaimsOf(parsed)).to.deep.equal(claims);
    }
  });

  it("and fails with the same code on hostile credentials", function () {
    const base = { iss: "urn:certchain:agency:x", vct: "v", certificate_number: "n", _sd_alg: "sha-256" };
    const salt = "c2FsdA";
    const inner = b64([salt, "secret", "x"]);
    const cases: string[] = [
      craft(base, [[salt, "iss", "forged"]]), // a visible claim disclosed
      craft(base, [[salt, "a", 1], [salt + "x", "a", 2]]), // one name twice
      craft({ ...base, a: 0 }, [[salt, "a", 1]]), // a plain member disclosed again
      craft({ ...base, status: { _sd: [digest(inner)] } }, [[salt, "secret", "x"]]), // a digest inside a visible claim
      craft({ ...base, _sd: ["same"] }, [[salt, "a", 1]]).replace(/~$/, `~${b64([salt, "a", 1])}~`), // a disclosure twice
      craft(base, [[salt, "a", 1]]).replace(/~$/, `~${b64([salt, "b", 2])}~`), // an unreferenced disclosure
      craft({ ...base, _sd: ["d", "d"] }, []), // a digest twice
      craft({ ...base, list: [{ "...": digest(b64([salt, "named", 1])) }] }, []).replace(/~$/, `~${b64([salt, "named", 1])}~`), // an object disclosure as an element
    ];
    const codes = new Set<unknown>();
    for (const sdJwt of cases) {
      const parsed = parseCredential(sdJwt);
      const expected = outcome(() => subjectClaimsOf(disclosedClaimsOf(parsed)));
      expect(outcome(() => disclosedSubjectClaimsOf(parsed)), sdJwt).to.deep.equal(expected);
      codes.add((expected as { code?: string }).code);
    }
    // The cases reach several different checks, not one.
    expect(codes.size).to.be.at.least(4);
  });

  it("disclosed members come out in name order, whatever order the digests are listed in", function () {
    const base = { iss: "urn:certchain:agency:x", vct: "v", certificate_number: "n", visible_first: true };
    const disclosures = [["s1", "zeta", 1], ["s2", "alpha", { _sd: [] }], ["s3", "mid", [1]]];
    const shuffled = [disclosures[2], disclosures[0], disclosures[1]];
    const a = disclosedSubjectClaimsOf(parseCredential(craft(base, disclosures)));
    const b = disclosedSubjectClaimsOf(parseCredential(craft(base, shuffled)));
    expect(Object.keys(a)).to.deep.equal(["visible_first", "alpha", "mid", "zeta"]);
    expect(Object.keys(b)).to.deep.equal(Object.keys(a));
    expect(Object.keys(disclosedClaimsOf(parseCredential(craft(base, shuffled))))).to.deep.equal(["iss", "vct", "certificate_number", "visible_first", "alpha", "mid", "zeta"]);
  });

  it("a JWT header decoded before is parsed afresh for each credential, and a header naming a member twice still fails", function () {
    const sdJwt = craft({ iss: "i" }, []);
    const first = parseCredential(sdJwt);
    first.header.kid = "changed by a caller";
    expect(parseCredential(sdJwt).header.kid).to.equal("k");
    const twice = `${Buffer.from('{"alg":"EdDSA","typ":"dc+sd-jwt","kid":"k","kid":"other"}').toString("base64url")}${sdJwt.slice(sdJwt.indexOf("."))}`;
    for (let i = 0; i < 2; i++) expect(() => parseCredential(twice)).to.throw().with.property("code", "FORMAT_MALFORMED");
    // Bad UTF-8 and bad base64url stay malformed too.
    const badUtf8 = `${Buffer.from([0x7b, 0xff, 0x7d]).toString("base64url")}${sdJwt.slice(sdJwt.indexOf("."))}`;
    expect(() => parseCredential(badUtf8)).to.throw().with.property("code", "FORMAT_MALFORMED");
    expect(() => parseCredential(`ab=c${sdJwt.slice(sdJwt.indexOf("."))}`)).to.throw().with.property("code", "FORMAT_MALFORMED");
  });
});
