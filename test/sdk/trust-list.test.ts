import { expect } from "chai";
import { checkTrustList, isCertchainError, parseTrustList, verify, verifyEach, verifyMany, type TrustedRegistry } from "@certchain/sdk";

const ID_A = `0x${"aa".repeat(32)}` as const;
const ID_B = `0x${"bb".repeat(32)}` as const;
const ADDRESS = "0x5FbDB2315678afecb367f032d93F642f64180aa3" as const;
const shanghai = { name: "上海市", id: ID_A, chainId: 31337, address: ADDRESS, rpcUrl: "http://127.0.0.1:8545" };
const guangzhou = { name: "广州市", id: ID_B, chainId: 31337, address: ADDRESS, rpcUrls: ["http://127.0.0.1:8546", "https://rpc.gz.example.gov.cn/v1"] };

function refusal(run: () => unknown): { code: string; message: string; details?: any } {
  try {
    run();
  } catch (error) {
    if (isCertchainError(error)) return { code: error.code, message: error.message, details: error.details };
    throw error;
  }
  throw new Error("not refused");
}

describe("sdk trust lists", function () {
  it("reads a trust list file's text or value", function () {
    const list = parseTrustList(JSON.stringify([shanghai, { ...guangzhou, genesisHash: ID_B, timeoutMs: 2500 }]));
    expect(list).to.deep.equal([shanghai, { ...guangzhou, genesisHash: ID_B, timeoutMs: 2500 }]);
    expect(parseTrustList([shanghai])).to.deep.equal([shanghai]);
  });

  it("refuses each mistake with the JSON pointer of the bad value", function () {
    const cases: [unknown, string, RegExp][] = [
      ["[", "", /is not JSON/],
      [{}, "", /non-empty JSON array/],
      [[], "", /non-empty JSON array/],
      [[shanghai, "上海"], "/1", /must be an object/],
      [[{ ...shanghai, name: "" }], "/0/name", /non-empty string/],
      [[{ ...shanghai, id: undefined }], "/0/id", /registry id/],
      [[{ ...shanghai, id: "0x12" }], "/0/id", /64 hex digits/],
      [[{ ...shanghai, chainId: "31337" }], "/0/chainId", /positive integer/],
      [[{ ...shanghai, address: "0x5FbDB" }], "/0/address", /40 hex digits/],
      [[{ ...shanghai, rpcUrl: undefined }], "/0", /exactly one of rpcUrl or rpcUrls/],
      [[{ ...shanghai, rpcUrls: ["http://a"] }], "/0", /exactly one of rpcUrl or rpcUrls/],
      [[{ ...shanghai, rpcUrl: "ftp://x" }], "/0/rpcUrl", /http\(s\) URL/],
      [[shanghai, { ...guangzhou, rpcUrls: ["http://ok", "javascript:alert(1)"] }], "/1/rpcUrls/1", /http\(s\) URL/],
      [[{ ...shanghai, genesisHash: "0x0" }], "/0/genesisHash", /block 0 hash/],
      [[{ ...shanghai, timeoutMs: 0 }], "/0/timeoutMs", /1 to 120000/],
      [[{ ...shanghai, genesishash: ID_A }], "/0/genesishash", /is not a field/],
    ];
    for (const [input, pointer, message] of cases) {
      const { code, message: text, details } = refusal(() => parseTrustList(input));
      expect(code, JSON.stringify(input)).to.equal("TRUST_LIST_INVALID");
      expect(details.pointer, text).to.equal(pointer);
      expect(text).to.match(message).and.satisfy((t: string) => t.startsWith(`${pointer || "/"}: `));
    }
  });

  it("refuses entries that cannot be told apart, naming both", function () {
    const cases: [Partial<TrustedRegistry>[], RegExp][] = [
      [[shanghai, { ...guangzhou, id: ID_A }], /entries 0 and 1 cannot be told apart: both name registry id/],
      [[shanghai, { ...guangzhou, id: ID_A.toUpperCase().replace("0X", "0x") as `0x${string}` }], /both name registry id/],
      [[{ ...shanghai, id: undefined }, guangzhou], /names no registry id/],
      [[shanghai, { ...guangzhou, name: "上海市" }], /both are named "上海市"/],
    ];
    for (const [list, message] of cases) {
      const { code, message: text, details } = refusal(() => checkTrustList(list as TrustedRegistry[]));
      expect(code).to.equal("TRUST_LIST_AMBIGUOUS");
      expect(text).to.match(message);
      expect(details.entries).to.deep.equal([0, 1]);
    }
    // Same chain and address, distinct ids and names: fine (the case of two regions' dev chains).
    expect(() => checkTrustList([shanghai, guangzhou])).to.not.throw();
    // The same registry without an id on another chain: fine.
    expect(() => checkTrustList([{ ...shanghai, id: undefined }, { ...guangzhou, chainId: 1337 }])).to.not.throw();
  });

  it("verify, verifyMany and verifyEach throw at configuration time for such a list, before any read", async function () {
    const ambiguous = [shanghai, { ...guangzhou, id: ID_A }];
    for (const call of [() => verify("{}", { registries: ambiguous }), () => verifyMany(["{}"], { registries: ambiguous }), () => verifyEach(["{}"], { registries: ambiguous }).next()]) {
      let caught: unknown;
      try {
        await call();
      } catch (error) {
        caught = error;
      }
      expect(isCertchainError(caught, "TRUST_LIST_AMBIGUOUS"), String(caught)).to.equal(true);
    }
  });
});
