/**
 * `npm run soak`: the seeded fault loop (test/support/fault-loop.ts) for SOAK_MINUTES (default
 * 30): run after run, each with its own seed and data directory, the three demo agencies issue
 * concurrently while the service, its Hardhat node or both are killed, paused or crashed inside
 * chain writes; each run ends with every acknowledged certificate verified against the chain after
 * a final restart, and the journal replayed onto a fresh node.
 *
 *   SOAK_MINUTES=30   how long to keep starting runs
 *   SOAK_ROUNDS=7     faults per run (7: each kind once, in the seed's order)
 *   SOAK_SEED=<n>     first seed (default: random); run i uses seed + i. A failing seed replays
 *                     its plan with FAULT_SEED=<seed> FAULT_ROUNDS=<rounds> npx hardhat test test/e2e/fault-loop.test.ts
 */
import { runFaultLoop, type FaultLoopResult } from "../test/support/fault-loop";

async function main() {
  const minutes = Number(process.env.SOAK_MINUTES ?? 30);
  const rounds = Number(process.env.SOAK_ROUNDS ?? 7);
  const firstSeed = process.env.SOAK_SEED ? Number(process.env.SOAK_SEED) : Math.floor(Math.random() * 2 ** 31);
  const endAt = Date.now() + minutes * 60_000;
  const runs: FaultLoopResult[] = [];
  const log = (line: string) => process.stdout.write(`[soak] ${line}\n`);
  log(`${minutes} min, ${rounds} faults per run, seeds from ${firstSeed}`);
  for (let i = 0; Date.now() < endAt; i++) {
    const seed = firstSeed + i;
    const started = Date.now();
    const result = await runFaultLoop({ seed, rounds, log });
    runs.push(result);
    log(
      `run ${i + 1} seed ${seed} (${Math.round((Date.now() - started) / 1000)} s): ${result.acknowledged} acknowledged / ${result.anchored} anchored / ${result.verifiedValid} verified valid after final restart` +
        (result.failures.length ? ` — FAILED: ${result.failures.slice(0, 3).join("; ")} (data dir ${result.dataDir})` : ""),
    );
  }
  const sum = (pick: (r: FaultLoopResult) => number) => runs.reduce((total, r) => total + pick(r), 0);
  const faults = new Map<string, number>();
  for (const r of runs) for (const f of r.faults) faults.set(f.split(" ")[0], (faults.get(f.split(" ")[0]) ?? 0) + 1);
  const failed = runs.filter((r) => r.failures.length > 0);
  process.stdout.write(`
soak: ${runs.length} runs in ${minutes} min, seeds ${firstSeed}..${firstSeed + runs.length - 1}
faults: ${[...faults].map(([f, n]) => `${f} ${n}`).join(", ")}
acknowledged / anchored / verified valid after final restart: ${sum((r) => r.acknowledged)} / ${sum((r) => r.anchored)} / ${sum((r) => r.verifiedValid)}
failed seeds: ${failed.length === 0 ? "none" : failed.map((r) => `${r.seed} (${r.failures[0]})`).join("; ")}
`);
  process.exit(failed.length === 0 ? 0 : 1);
}

main().catch((error) => {
  process.stderr.write(`soak: ${error instanceof Error ? error.stack : error}\n`);
  process.exit(1);
});
