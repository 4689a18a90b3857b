import Mocha from "mocha";

/**
 * Mocha's spec reporter, then the wall time of every test file (its top-level suites, hooks
 * included), slowest first: where the suite's time goes. Enabled by TEST_FILE_TIMES=1
 * (hardhat.config.ts). In parallel mode a worker's events arrive only when its file has ended,
 * so there the times are those of the file's tests alone, not of its hooks.
 */
class FileTimesReporter extends Mocha.reporters.Spec {
  constructor(runner: Mocha.Runner, options: Mocha.MochaOptions) {
    super(runner, options);
    const started = new Map<Mocha.Suite, number>();
    const perFile = new Map<string, { ms: number; tests: number }>();
    const runStarted = Date.now();
    const entry = (file: string) => perFile.get(file) ?? perFile.set(file, { ms: 0, tests: 0 }).get(file)!;
    const topLevel = (suite: Mocha.Suite) => suite.parent?.root === true && suite.file !== undefined;
    runner.on("suite", (suite) => {
      if (topLevel(suite)) started.set(suite, Date.now());
    });
    runner.on("suite end", (suite) => {
      if (!topLevel(suite)) return;
      const at = started.get(suite);
      // Parallel mode replays a file's events at once: fall back on its tests' own durations.
      const tests = suite.total();
      const ms = at !== undefined && Date.now() - at > 0 ? Date.now() - at : sumDurations(suite);
      const e = entry(relative(suite.file!));
      e.ms += ms;
      e.tests += tests;
    });
    runner.once("end", () => {
      const rows = [...perFile].sort((a, b) => b[1].ms - a[1].ms);
      const total = (Date.now() - runStarted) / 1000;
      console.log(`\n  Time per test file (wall, hooks included; run ${total.toFixed(0)} s):`);
      for (const [file, { ms, tests }] of rows) console.log(`  ${(ms / 1000).toFixed(1).padStart(7)} s  ${String(tests).padStart(4)} tests  ${file}`);
    });
  }
}

function sumDurations(suite: Mocha.Suite): number {
  return suite.tests.reduce((ms, t) => ms + (t.duration ?? 0), 0) + suite.suites.reduce((ms, s) => ms + sumDurations(s), 0);
}

const relative = (file: string) => file.replace(`${process.cwd()}/`, "");

export = FileTimesReporter;
