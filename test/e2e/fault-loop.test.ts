import { expect } from "chai";
import { runFaultLoop } from "../support/fault-loop";

/**
 * The seeded fault loop (test/support/fault-loop.ts), short: three faults. `npm run soak` runs it
 * for SOAK_MINUTES. A failure prints its seed; FAULT_SEED=<seed> runs the same plan again.
 */
describe("e2e: seeded fault loop — kills and pauses of the service and its node under concurrent issuing", function () {
  this.timeout(900_000);
  const seed = process.env.FAULT_SEED ? Number(process.env.FAULT_SEED) : Math.floor(Math.random() * 2 ** 31);
  const rounds = Number(process.env.FAULT_ROUNDS ?? 3);

  it(`every acknowledged certificate verifies valid after the faults and a final restart, and the journal replays to identical hashes (seed ${seed})`, async function () {
    const result = await runFaultLoop({ seed, rounds, log: process.env.FAULT_LOG ? (line) => console.log(`      ${line}`) : undefined });
    const context = `FAULT_SEED=${seed}; faults: ${result.faults.join(", ")}; data dir kept at ${result.dataDir}`;
    expect(result.failures, context).to.deep.equal([]);
    expect(result.acknowledged, context).to.be.greaterThan(0);
    expect(result.verifiedValid, context).to.equal(result.acknowledged);
  });
});
