/**
 * A pass run again and again in the background, one at a time: the next is scheduled only when
 * one has ended, so a slow chain never piles passes up. Its timer is unref'd: a loop never keeps
 * a process alive. Created stopped.
 *
 * @example
 * const loop = createBackgroundLoop(pass, { intervalMs: 1_000, onError: (e) => (lastError = String(e)) });
 * loop.start();
 * await loop.stop(); // waits for a pass under way
 */
/** A failed pass as a loop's stats show it (`lastError`): its message, bounded. */
export const errorSummary = (error: unknown): string => (error instanceof Error ? error.message.slice(0, 300) : String(error));

export function createBackgroundLoop(pass: () => Promise<unknown>, options: { intervalMs: number; onError?: (error: unknown) => void }) {
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<unknown> | undefined;
  let stopped = true;

  function schedule(): void {
    if (stopped) return;
    timer = setTimeout(() => {
      running = pass()
        .catch((error: unknown) => options.onError?.(error))
        .finally(() => {
          running = undefined;
          schedule();
        });
    }, options.intervalMs);
    timer.unref();
  }

  return {
    /** Whether stop() was called: a long pass looks at it between its steps. */
    stopped: (): boolean => stopped,
    start(): void {
      if (!stopped) return;
      stopped = false;
      schedule();
    },
    async stop(): Promise<void> {
      stopped = true;
      clearTimeout(timer);
      await running;
    },
  };
}
