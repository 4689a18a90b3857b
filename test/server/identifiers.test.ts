import { expect } from "chai";
import { createHash } from "node:crypto";
import { canonicalJson } from "../../server/lib/canonical-json";
import { sha256Hex } from "../../server/lib/sha256-hex";
import { newCertificateId } from "../../server/service/identifiers";

describe("certificate ids, canonical JSON and hashes (the per-certificate hot path)", function () {
  it("gives every certificate its own id: time-ordered prefix, 16 random URL-safe characters, across pool refills", function () {
    const at = Date.UTC(2026, 10, 28);
    const ids = Array.from({ length: 10_000 }, () => newCertificateId(at));
    expect(new Set(ids).size).to.equal(ids.length);
    for (const id of ids) expect(id).to.match(/^[0-9a-z]{9}[A-Za-z0-9_-]{16}$/).and.satisfy((s: string) => s.startsWith(at.toString(36).padStart(9, "0")));
    expect(newCertificateId(at + 1) > newCertificateId(at)).to.equal(true);
  });

  it("writes JSON with sorted keys at every level, undefined members dropped, as JSON.stringify would otherwise", function () {
    const value = { b: [3, undefined, { z: 1, a: "x" }], a: { d: undefined, c: null, "é": "ü\n" }, n: -0.5 };
    expect(canonicalJson(value)).to.equal('{"a":{"c":null,"é":"ü\\n"},"b":[3,null,{"a":"x","z":1}],"n":-0.5}');
    expect(canonicalJson({})).to.equal("{}");
    expect(canonicalJson([])).to.equal("[]");
    expect(JSON.parse(canonicalJson(value))).to.deep.equal(JSON.parse(JSON.stringify(value)));
    let deep: unknown = 1;
    for (let i = 0; i < 100; i++) deep = [deep];
    expect(() => canonicalJson(deep)).to.throw(/too deeply/);
  });

  it("hashes text as SHA-256 hex", function () {
    for (const text of ["", "audit", "上海市市场监督管理局"]) expect(sha256Hex(text)).to.equal(`0x${createHash("sha256").update(text, "utf8").digest("hex")}`);
  });
});
