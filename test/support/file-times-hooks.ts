import { appendFileSync } from "node:fs";
import type Mocha from "mocha";
import { cpuMs } from "./cpu-time";

/**
 * Root hooks for TEST_FILE_TIMES=1 under `--parallel`: each worker runs a file's root suite with
 * these around it, so the file's wall time includes its hooks (services, nodes, browsers started
 * in `before`), and its CPU time is the worker's and that of the children it reaped meanwhile.
 * One JSON line per file goes to TEST_FILE_TIMES_LOG, which the reporter reads at the end.
 */
let started: { at: number; cpu: number } | undefined;

export const mochaHooks = {
  beforeAll() {
    started = { at: Date.now(), cpu: cpuMs() };
  },
  afterAll(this: Mocha.Context) {
    const log = process.env.TEST_FILE_TIMES_LOG;
    const file = this.test?.parent?.suites.find((suite) => suite.file !== undefined)?.file;
    if (!log || !file || !started) return;
    appendFileSync(log, `${JSON.stringify({ file, ms: Date.now() - started.at, cpu: cpuMs() - started.cpu })}\n`);
  },
};
