// `npx ts-node --transpile-only bench/issuing-only.ts [n]`: just the issuing primitives of
// `npm run bench` (workers, trees, proofs), for profiling: run node itself with `--cpu-prof`
// (it writes one profile per thread) and `-r ts-node/register/transpile-only`.
import { runIssuing } from "./issuing";
import { startMemorySampler } from "./memory";

async function main(): Promise<void> {
  const n = Number(process.argv[2] ?? 100_000);
  const memory = startMemorySampler();
  const r = await runIssuing({ n, batchSize: 10_000, workerCount: 2, issuer: "sh-amr", memory, log: () => {} });
  await memory.stop();
  const ms = (value: number) => `${(value / 1000).toFixed(2)} s`;
  console.log(
    `n=${n}: total ${ms(r.totalMs)} = ${Math.round((n * 1000) / r.totalMs)}/s; CPU ${ms(r.cpuMs)} (${((r.cpuMs * 1000) / n).toFixed(1)} µs/cert); ` +
      `in workers sign ${ms(r.signCpuMs)} leaf ${ms(r.leafCpuMs)}; main tree ${ms(r.treeMs)} proofs ${ms(r.proofMs)} tail ${ms(r.tailMs)}`,
  );
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
