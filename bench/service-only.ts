// `npx ts-node --transpile-only bench/service-only.ts`: only the service end to end (BENCH_N,
// default 20,000), for quick experiments between full `npm run bench` runs.
import { runHttpIssuing } from "./http-issuing";
import { mib } from "./report";

const n = Number(process.env.BENCH_N ?? 20_000);
runHttpIssuing({ n, log: (line) => process.stderr.write(`${line}\n`) }).then(
  (r) => {
    console.log(`${n} certificates: ${Math.round((r.issued * 1000) / r.ms)}/s (${(r.ms / 1000).toFixed(2)} s, acknowledged ${(r.acknowledgedMs / 1000).toFixed(2)} s), CPU ${(r.serviceCpuMs / 1000).toFixed(1)} s, peak RSS ${mib(r.servicePeakRss)}`);
    process.exit(0);
  },
  (error) => {
    console.error(error);
    process.exit(1);
  },
);
