import { expect } from "chai";
import { runFaultLoop } from "../support/fault-loop";

/**
 * The seeded fault loop (test/support/fault-loop.ts), short: three faults. `npm run soak` runs it
 * for SOAK_MINUTES. Each run draws a seed (printed first, and named by every failure);
 * FAULT_SEED=<seed> runs the same plan again, FAULT_ROUNDS=<n> a longer one.
 */
describe("e2e: seeded fault loop — kills and pauses of the service and its node under concurrent issuing", function () {
  this.timeout(900_000);
  const seed = process.env.FAULT_SEED ? Number(process.env.FAULT_SEED) : Math.floor(Math.random() * 2 ** 31);
  const rounds = Number(process.env.FAULT_ROUNDS ?? 3);
  const replay = `FAULT_SEED=${seed}${rounds !== 3 ? ` FAULT_ROUNDS=${rounds}` : ""} npx hardhat test test/e2e/fault-loop.test.ts`;

  it(`every acknowledged certificate verifies valid after the faults and a final restart, and the journal replays to identical hashes (seed ${seed})`, async function () {
    if (!Number.isSafeInteger(seed)) throw new Error(`FAULT_SEED must be an integer, not ${process.env.FAULT_SEED}`);
    console.log(`      fault loop seed ${seed}; to replay its plan: ${replay}`);
    const result = await runFaultLoop({ seed, rounds, log: process.env.FAULT_LOG ? (line) => console.log(`      ${line}`) : undefined }).catch((error: Error) => {
      throw new Error(`${error.message}\n(${replay})`, { cause: error });
    });
    const context = `${replay}; faults: ${result.faults.join(", ")}; data dir kept at ${result.dataDir}`;
    expect(result.failures, context).to.deep.equal([]);
    expect(result.acknowledged, context).to.be.greaterThan(0);
    expect(result.verifiedValid, context).to.equal(result.acknowledged);
  });
});
