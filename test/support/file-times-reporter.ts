import { existsSync, readFileSync, rmSync } from "node:fs";
import Mocha from "mocha";
import { cpuMs } from "./cpu-time";

/**
 * Mocha's spec reporter, then the wall time of every test file (its top-level suites, hooks
 * included), slowest first, with the CPU time this process and the child processes it waited
 * for (services, nodes, CLI runs) spent meanwhile: where the suite's time goes. Enabled by
 * TEST_FILE_TIMES=1 (hardhat.config.ts). In parallel mode a worker's events arrive only when its
 * file has ended: there each worker times its files with root hooks (file-times-hooks.ts) and
 * writes them to TEST_FILE_TIMES_LOG, read here at the end.
 */
class FileTimesReporter extends Mocha.reporters.Spec {
  constructor(runner: Mocha.Runner, options: Mocha.MochaOptions) {
    super(runner, options);
    const parallel = (options as { parallel?: boolean }).parallel === true || (runner as { constructor: { name: string } }).constructor.name === "ParallelBufferedRunner";
    const started = new Map<Mocha.Suite, { at: number; cpu: number }>();
    const perFile = new Map<string, { ms: number; cpu: number; tests: number }>();
    const runStarted = Date.now();
    const entry = (file: string) => perFile.get(file) ?? perFile.set(file, { ms: 0, cpu: 0, tests: 0 }).get(file)!;
    const topLevel = (suite: Mocha.Suite) => !parallel && suite.parent?.root === true && suite.file !== undefined;
    runner.on("suite", (suite) => {
      if (topLevel(suite)) started.set(suite, { at: Date.now(), cpu: cpuMs() });
    });
    runner.on("suite end", (suite) => {
      if (!topLevel(suite)) return;
      const start = started.get(suite);
      // Parallel mode replays a file's events at once: fall back on its tests' own durations.
      const ms = start !== undefined && Date.now() - start.at > 0 ? Date.now() - start.at : sumDurations(suite);
      const e = entry(relative(suite.file!));
      e.ms += ms;
      e.cpu += start !== undefined ? cpuMs() - start.cpu : 0;
      e.tests += suite.total();
    });
    // Parallel mode: suites arrive without their parents; a file's time is then its tests' durations.
    if (parallel) {
      runner.on("test end", (test) => {
        if (!test.file) return;
        const e = entry(relative(test.file));
        e.ms += test.duration ?? 0;
        e.tests += 1;
      });
    }
    runner.once("end", () => {
      if (parallel) fromWorkers(perFile);
      const rows = [...perFile].sort((a, b) => b[1].ms - a[1].ms);
      const total = (Date.now() - runStarted) / 1000;
      console.log(`\n  Time per test file (wall with hooks, CPU of this process and its children; run ${total.toFixed(0)} s wall, ${(cpuMs() / 1000).toFixed(0)} s CPU):`);
      for (const [file, { ms, cpu, tests }] of rows) console.log(`  ${(ms / 1000).toFixed(1).padStart(7)} s  ${(cpu / 1000).toFixed(1).padStart(6)} s CPU  ${String(tests).padStart(4)} tests  ${file}`);
    });
  }
}

/** The workers' own times of each file (hooks included), in place of its tests' durations. */
function fromWorkers(perFile: Map<string, { ms: number; cpu: number; tests: number }>): void {
  const log = process.env.TEST_FILE_TIMES_LOG;
  if (!log || !existsSync(log)) return;
  for (const line of readFileSync(log, "utf8").split("\n")) {
    if (line === "") continue;
    const { file, ms, cpu } = JSON.parse(line) as { file: string; ms: number; cpu: number };
    const e = perFile.get(relative(file)) ?? perFile.set(relative(file), { ms: 0, cpu: 0, tests: 0 }).get(relative(file))!;
    e.ms = ms;
    e.cpu = cpu;
  }
  rmSync(log, { force: true });
}

function sumDurations(suite: Mocha.Suite): number {
  return suite.tests.reduce((ms, t) => ms + (t.duration ?? 0), 0) + suite.suites.reduce((ms, s) => ms + sumDurations(s), 0);
}

const relative = (file: string) => file.replace(`${process.cwd()}/`, "");

export = FileTimesReporter;
