import { expect } from "chai";
import type { Hex } from "@certchain/sdk";
import { fateOf } from "../../server/anchoring/anchor-follower";
import type { AnchorLog } from "../../server/chain/registry-reads";
import type { BatchRecord } from "../../server/store/batch-store";

const hex = (byte: string) => `0x${byte.repeat(32)}` as Hex;
const batch = (extra: Partial<BatchRecord> = {}): BatchRecord =>
  ({ root: hex("aa"), agency: "sh-amr", ids: ["a"], leaves: [hex("01")], auditHead: hex("00"), state: "anchored", preparedAt: "2026-01-01T00:00:00.000Z", transaction: hex("0b"), block: 10, blockHash: hex("1a"), anchoredAt: "2026-01-01T00:00:01.000Z", ...extra });
const log = (extra: Partial<AnchorLog> = {}): AnchorLog => ({ root: hex("aa"), agencyId: hex("cc"), transaction: hex("0b"), blockNumber: 10, blockHash: hex("1a"), ...extra });
const logsOf = (...logs: AnchorLog[]) => new Map(logs.map((l) => [l.root, l]));

/** Issue 18: what the anchor follower concludes from the window's logs and the state at the head. */
describe("anchor follower: the fate of an anchored batch after the head changed", function () {
  it("unchanged: its log is in the block whose hash was recorded", () => {
    expect(fateOf(batch(), logsOf(log()), { blockNumber: 10 })).to.deep.equal({ kind: "unchanged" });
  });

  it("dropped: the state at the head lacks the root (whatever the logs said a moment earlier)", () => {
    expect(fateOf(batch(), logsOf(), undefined)).to.deep.equal({ kind: "dropped" });
    expect(fateOf(batch(), logsOf(log({ blockHash: hex("2b") })), undefined)).to.deep.equal({ kind: "dropped" });
  });

  it("moved: the same root re-included in another block, which the state at the head agrees with", () => {
    const moved = log({ blockNumber: 11, blockHash: hex("2b") });
    expect(fateOf(batch(), logsOf(moved), { blockNumber: 11 })).to.deep.equal({ kind: "moved", log: moved });
    // Same height, another block (a sibling): moved too.
    const sibling = log({ blockHash: hex("3c") });
    expect(fateOf(batch(), logsOf(sibling), { blockNumber: 10 })).to.deep.equal({ kind: "moved", log: sibling });
    // A batch anchored before block hashes were kept gets its hash recorded the same way.
    expect(fateOf(batch({ blockHash: undefined }), logsOf(log()), { blockNumber: 10 }).kind).to.equal("moved");
  });

  it("unsure: logs and state disagree (the head moved between the two reads): looked at again next pass", () => {
    expect(fateOf(batch(), logsOf(), { blockNumber: 10 })).to.deep.equal({ kind: "unsure" });
    expect(fateOf(batch(), logsOf(log({ blockNumber: 12, blockHash: hex("2b") })), { blockNumber: 11 })).to.deep.equal({ kind: "unsure" });
  });
});
