import { expect } from "chai";
import fc from "fast-check";
import { AbiCoder, Interface, Result } from "ethers";
import { CERTCHAIN_REGISTRY_ABI } from "@certchain/sdk";
import { abiEventTopic, abiFunction, canonicalType, decodeResult, encodeCall, type AbiType } from "../../sdk/registry/abi-codec";

// The SDK's own ABI codec (which replaced ethers' Interface in the browser bundle) must agree
// with ethers on every function and event of the registry ABI, for arbitrary values.
const ethersInterface = new Interface(CERTCHAIN_REGISTRY_ABI as unknown as string[]);
const functions = CERTCHAIN_REGISTRY_ABI.filter((line) => line.startsWith("function ")).map((line) => /^function (\w+)\(/.exec(line)![1]);
const events = CERTCHAIN_REGISTRY_ABI.filter((line) => line.startsWith("event ")).map((line) => /^event (\w+)\(/.exec(line)![1]);

const hexBytes = (min: number, max: number) => fc.uint8Array({ minLength: min, maxLength: max }).map((b) => `0x${Buffer.from(b).toString("hex")}`);

function arbitraryOf(type: AbiType): fc.Arbitrary<unknown> {
  switch (type.kind) {
    case "uint":
      return fc.bigInt({ min: 0n, max: (1n << BigInt(type.bits)) - 1n });
    case "bool":
      return fc.boolean();
    case "address":
      return hexBytes(20, 20);
    case "fixedBytes":
      return hexBytes(type.size, type.size);
    case "bytes":
      return hexBytes(0, 80);
    case "string":
      return fc.string({ unit: "grapheme", maxLength: 20 });
    case "array":
      return fc.array(arbitraryOf(type.of), { maxLength: 4 });
    case "tuple":
      return fc.tuple(...type.components.map((c) => arbitraryOf(c.type)));
  }
}

/** ethers' decoded value in the codec's shape: tuples as objects by name, lowercase hex. */
function normalise(type: AbiType, value: unknown): unknown {
  switch (type.kind) {
    case "address":
    case "fixedBytes":
    case "bytes":
      return (value as string).toLowerCase();
    case "array":
      return [...(value as Result)].map((v) => normalise(type.of, v));
    case "tuple":
      return Object.fromEntries(type.components.map((c, i) => [c.name || String(i), normalise(c.type, (value as Result)[i])]));
    default:
      return value;
  }
}

describe("sdk ABI codec (against ethers)", function () {
  for (const name of functions) {
    const ours = abiFunction(CERTCHAIN_REGISTRY_ABI, name);
    const theirs = ethersInterface.getFunction(name)!;

    it(`${name}: same selector, calldata and decoded results`, function () {
      expect(ours.selector).to.equal(theirs.selector);
      expect(`${name}(${ours.inputs.map((p) => canonicalType(p.type)).join(",")})`).to.equal(theirs.format("sighash"));
      fc.assert(
        fc.property(fc.tuple(...ours.inputs.map((p) => arbitraryOf(p.type))), (args) => {
          expect(encodeCall(ours, args)).to.equal(ethersInterface.encodeFunctionData(theirs, args));
        }),
        { numRuns: 25 },
      );
      if (ours.outputs.length === 0) return;
      fc.assert(
        fc.property(fc.tuple(...ours.outputs.map((p) => arbitraryOf(p.type))), (values) => {
          const data = AbiCoder.defaultAbiCoder().encode(theirs.outputs, values);
          const expected = theirs.outputs.map((_, i) => normalise(ours.outputs[i].type, ethersInterface.decodeFunctionResult(theirs, data)[i]));
          expect(decodeResult(ours, data)).to.deep.equal(expected);
        }),
        { numRuns: 25 },
      );
    });
  }

  it("computes every event's topic as ethers does", function () {
    for (const name of events) expect(abiEventTopic(CERTCHAIN_REGISTRY_ABI, name), name).to.equal(ethersInterface.getEvent(name)!.topicHash);
  });

  it("refuses malformed return data instead of misreading it", function () {
    const contexts = abiFunction(CERTCHAIN_REGISTRY_ABI, "verificationContexts");
    const word = (n: bigint) => n.toString(16).padStart(64, "0");
    const bad = {
      "empty (no contract)": "0x",
      "not hex": "0xzz",
      "an odd length": "0x0",
      "an offset past the end": `0x${word(1000n)}`,
      "an array longer than the data (a hostile node's 2^64 rows)": `0x${word(32n)}${word(1n << 64n)}`,
      "a truncated row": `0x${word(32n)}${word(1n)}${word(32n)}`,
    };
    for (const [what, data] of Object.entries(bad)) expect(() => decodeResult(contexts, data), what).to.throw();
    const flag = abiFunction(CERTCHAIN_REGISTRY_ABI, "agency");
    // bool out of range: a registered flag of 2 is not "true".
    const agency = AbiCoder.defaultAbiCoder().encode([ethersInterface.getFunction("agency")!.outputs[0]], [["sh", "上海", true, `0x${"31".repeat(18)}`]]);
    const tampered = agency.slice(0, 2 + 64 * 3) + word(2n) + agency.slice(2 + 64 * 4);
    expect(() => decodeResult(flag, tampered)).to.throw(/bool/);
  });
});
