/**
 * A fixture started once per mocha process, on first use, and shared by every test file that
 * asks for it (a Hardhat node, a service stack, Chromium: each takes seconds to start).
 *
 * It is stopped once, after the last file: in a plain run by a root-level `after` hook; in a
 * parallel run's worker (mocha runs each file there as a run of its own, so a root hook would
 * fire after every file) when the worker exits. `kill` must be synchronous: it also runs when
 * the process exits without the hook, and must leave no process behind.
 */
export function sharedFixture<T>(what: string, fixture: { start(): Promise<T>; stop(value: T): Promise<void>; kill(value: T): void }): () => Promise<T> {
  let started: Promise<T> | undefined;
  let value: T | undefined;
  const killOnExit = () => {
    if (value !== undefined) fixture.kill(value);
  };

  const stop = async () => {
    const running = started;
    started = undefined;
    process.removeListener("exit", killOnExit);
    const current = await running?.catch(() => undefined);
    value = undefined;
    if (current !== undefined) await fixture.stop(current);
  };
  if (process.env.MOCHA_WORKER_ID === undefined && typeof after === "function") after(`stop the shared ${what}`, stop);

  return () => {
    started ??= fixture.start().then(
      (started) => {
        value = started;
        process.once("exit", killOnExit);
        return started;
      },
      (error: unknown) => {
        started = undefined; // the next file tries again, and says why it failed
        throw error;
      },
    );
    return started;
  };
}
