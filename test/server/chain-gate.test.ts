import { expect } from "chai";
import { createChainGate } from "../../server/chain/chain-gate";

describe("chain gate: ready(waitMs)", () => {
  it("resolves as soon as the chain turns ready, long before its wait runs out", async () => {
    const gate = createChainGate({ chainId: 31337 });
    const started = Date.now();
    const waiting = gate.ready(60_000);
    setTimeout(() => gate.set("ready"), 20);
    await waiting;
    expect(Date.now() - started).to.be.below(30_000);
  });

  it("rejects at once with CHAIN_STATE_MISMATCH when the chain is found wrong while it waits (waiting would not fix it)", async () => {
    const gate = createChainGate({ chainId: 31337 });
    const started = Date.now();
    const waiting = gate.ready(60_000).then(
      () => expect.fail("resolved on a wrong chain"),
      (error: { code?: string }) => error,
    );
    setTimeout(() => gate.set("mismatch", { detail: "another chain" }), 20);
    expect((await waiting).code).to.equal("CHAIN_STATE_MISMATCH");
    expect(Date.now() - started).to.be.below(30_000);
  });

  it("keeps waiting through other phases, and says CHAIN_UNAVAILABLE when its wait runs out", async () => {
    const gate = createChainGate({ chainId: 31337 });
    const waiting = gate.ready(300).then(
      () => expect.fail("resolved while not ready"),
      (error: { code?: string }) => error,
    );
    setTimeout(() => gate.set("replaying"), 20);
    expect((await waiting).code).to.equal("CHAIN_UNAVAILABLE");
  });
});
