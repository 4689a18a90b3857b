/**
 * What one CLI run reads and writes besides its arguments: its output streams, environment and
 * working directory, and the state that lasts as long as the run (its language, its progress
 * bars). Run as a process (bin.js), that is the process's own. `main(argv, io)` runs the CLI in
 * another process's midst (the tests) with its own streams, environment and state, kept across
 * the run's awaits by AsyncLocalStorage, so nothing of one run leaks into the next or into its
 * caller.
 */
import { AsyncLocalStorage } from "node:async_hooks";

/** Where a run writes; `isTTY` as on a stream of the process (progress bars need a terminal). */
export interface CliOutput {
  write(text: string): unknown;
  readonly isTTY?: boolean;
}

export interface CliIo {
  stdout: CliOutput;
  stderr: CliOutput;
  env: NodeJS.ProcessEnv;
  cwd: string;
}

interface RunContext extends CliIo {
  /** True for the run that is the process itself: only it may handle the process's signals. */
  readonly ownsProcess: boolean;
  readonly state: Map<symbol, unknown>;
}

// Read when asked, not copied: exactly what the CLI read before runs had a context.
const processContext: RunContext = {
  get stdout() {
    return process.stdout;
  },
  get stderr() {
    return process.stderr;
  },
  get env() {
    return process.env;
  },
  get cwd() {
    return process.cwd();
  },
  ownsProcess: true,
  state: new Map(),
};

const runs = new AsyncLocalStorage<RunContext>();

/** The current run's streams, environment and working directory. */
export const io = (): CliIo & { readonly ownsProcess: boolean } => runs.getStore() ?? processContext;

/** Runs `body` as a run of its own, with `given` for its streams, environment and working directory. */
export function withIo<T>(given: CliIo, body: () => Promise<T>): Promise<T> {
  const context: RunContext = { stdout: given.stdout, stderr: given.stderr, env: given.env, cwd: given.cwd, ownsProcess: false, state: new Map() };
  return runs.run(context, body);
}

/**
 * State that lasts one run: `create` makes it on a run's first use. A module keeps its own
 * (the language in i18n, the bars in terminal) without leaking it to the next run in process.
 */
export function perRun<T>(create: () => T): () => T {
  const key = Symbol("per-run state");
  return () => {
    const { state } = runs.getStore() ?? processContext;
    if (!state.has(key)) state.set(key, create());
    return state.get(key) as T;
  };
}
