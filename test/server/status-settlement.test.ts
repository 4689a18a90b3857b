import { expect } from "chai";
import { settlementOf } from "../../server/service/status-settlement";

/** What the status settlement concludes about a status change from the chain's reads. */
describe("status settlement: settled, wait or send again", function () {
  it("settled: the state read back at the configured depth is the one decided", () => {
    expect(settlementOf({ settled: false, atDepth: "revoked", target: "revoked", mined: true, atHead: "revoked" })).to.equal("settled");
  });

  it("wait: its transaction is mined but not deep enough, or another transaction set the state at the head", () => {
    expect(settlementOf({ settled: false, atDepth: "active", target: "revoked", mined: true, atHead: "revoked" })).to.equal("wait");
    expect(settlementOf({ settled: false, atDepth: "active", target: "revoked", mined: false, atHead: "revoked" })).to.equal("wait");
    // A depth block that vanished between two reads (undefined): look again.
    expect(settlementOf({ settled: false, atDepth: undefined, target: "suspended", mined: true, atHead: "active" })).to.equal("wait");
  });

  it("resend: no receipt and the head lacks the state, unsettled or already settled (a reorganisation within the window)", () => {
    expect(settlementOf({ settled: false, atDepth: "active", target: "revoked", mined: false, atHead: "active" })).to.equal("resend");
    expect(settlementOf({ settled: true, target: "revoked", mined: false, atHead: "active" })).to.equal("resend");
    // A reinstatement dropped: the chain says suspended again.
    expect(settlementOf({ settled: true, target: "active", mined: false, atHead: "suspended" })).to.equal("resend");
  });

  it("a settled change the head still holds is only watched, never settled twice", () => {
    expect(settlementOf({ settled: true, target: "revoked", mined: false, atHead: "revoked" })).to.equal("wait");
    expect(settlementOf({ settled: true, atDepth: "revoked", target: "revoked", mined: true, atHead: "revoked" })).to.equal("wait");
  });
});
