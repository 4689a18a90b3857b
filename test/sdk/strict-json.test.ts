import { expect } from "chai";
import fc from "fast-check";
import { hasDuplicateNames } from "@certchain/sdk/internal";

/** Every UTF-16 unit of a name as a \uXXXX escape: the same name to a JSON reader, other bytes. */
const escaped = (name: string) => `"${Array.from({ length: name.length }, (_, i) => `\\u${name.charCodeAt(i).toString(16).padStart(4, "0")}`).join("")}"`;

describe("sdk strict JSON: duplicate member names (I-JSON)", function () {
  it("property: nothing JSON.stringify writes has a duplicate, compact or indented", function () {
    fc.assert(
      fc.property(fc.jsonValue(), fc.boolean(), (value, indent) => {
        expect(hasDuplicateNames(JSON.stringify(value, null, indent ? 2 : undefined))).to.equal(false);
      }),
      { numRuns: 2_000 },
    );
  });

  it("property: a member added again under the same name (plain or escaped), at any depth, is found", function () {
    const object = fc.dictionary(fc.string(), fc.jsonValue({ maxDepth: 2 }), { minKeys: 1, maxKeys: 6 });
    fc.assert(
      fc.property(object, fc.nat(), fc.boolean(), fc.array(fc.constantFrom("array", "object"), { maxLength: 4 }), (value, pick, escape, wrappers) => {
        const names = Object.keys(value);
        const name = names[pick % names.length];
        let text = `{${escape ? escaped(name) : JSON.stringify(name)}:0,${JSON.stringify(value).slice(1)}`;
        for (const wrapper of wrappers) text = wrapper === "array" ? `[1,${text},"x"]` : `{"a":${text},"b":{"c":1}}`;
        expect(() => JSON.parse(text)).to.not.throw();
        expect(hasDuplicateNames(text), text).to.equal(true);
      }),
      { numRuns: 2_000 },
    );
  });

  it("names and values are told apart: quotes, escapes and braces inside strings", function () {
    expect(hasDuplicateNames('{"a":"a","b":"a"}')).to.equal(false);
    expect(hasDuplicateNames('{"a":"\\"a\\":1,","b":"}{","c":["a","a"]}')).to.equal(false);
    expect(hasDuplicateNames('{"a\\\\":1,"a":2}')).to.equal(false);
    expect(hasDuplicateNames('{"a\\\\":1,"a\\\\":2}')).to.equal(true);
    expect(hasDuplicateNames('[{"a":1},{"a":1}]')).to.equal(false);
    expect(hasDuplicateNames('{"x":{"a":1},"y":{"a":1}}')).to.equal(false);
    expect(hasDuplicateNames('{"x":{"a":1,"b":[{"c":1,"c":2}]}}')).to.equal(true);
  });
});
