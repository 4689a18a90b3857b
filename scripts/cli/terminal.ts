/**
 * Progress on stderr, and a terminal left as it was found. cli-progress hides the cursor and
 * turns line wrapping off while a bar is drawn; a Ctrl-C in the middle must give both back, so
 * every bar is tracked here and one SIGINT handler (installed by main) stops them, runs the
 * commands' own clean-ups (e.g. saving the issue state) and exits 130. Bars and clean-ups belong
 * to the run (run-context.ts); a run in process (the tests) draws on its own stderr and never
 * touches the process's signals.
 */
import { SingleBar } from "cli-progress";
import { io, perRun } from "./run-context";
import { printable } from "./output";

const SHOW_CURSOR = "\x1b[?25h";
const WRAP_ON = "\x1b[?7h";

export interface Progress {
  increment(by?: number): void;
  stop(): void;
}

const terminal = perRun(() => ({ active: new Set<SingleBar>(), cleanups: new Set<() => void>(), drewBars: false }));

/**
 * A progress bar on a terminal; elsewhere (a pipe, a log file) a plain line now and then
 * (`label 120/300`), at most every `everyMs`, and the last one always.
 */
export function startProgress(label: string, total: number, options: { quiet?: boolean; everyMs?: number } = {}): Progress {
  if (options.quiet || total <= 0) return { increment: () => undefined, stop: () => undefined };
  const { stderr } = io();
  const state = terminal();
  if (stderr.isTTY) {
    const bar = new SingleBar({ stream: stderr as NodeJS.WritableStream, format: `${label} {bar} {value}/{total} | {eta_formatted}`, hideCursor: true });
    bar.start(total, 0);
    state.active.add(bar);
    state.drewBars = true;
    return {
      increment: (by = 1) => bar.increment(by),
      stop() {
        if (!state.active.delete(bar)) return;
        bar.stop();
      },
    };
  }
  let done = 0;
  let printedAt = 0;
  let stopped = false;
  const line = () => stderr.write(`${printable(label)} ${done}/${total}\n`);
  line();
  printedAt = Date.now();
  return {
    increment(by = 1) {
      done = Math.min(total, done + by);
      if (Date.now() - printedAt >= (options.everyMs ?? 2_000)) {
        line();
        printedAt = Date.now();
      }
    },
    stop() {
      if (stopped) return;
      stopped = true;
      line();
    },
  };
}

/** Stops every bar and makes sure the cursor is shown and lines wrap again (after any bar, or when `always`). */
export function restoreTerminal(always = false): void {
  const state = terminal();
  for (const bar of state.active) {
    try {
      bar.stop();
    } catch {
      // the stream may be gone; the escape codes below still go out
    }
  }
  state.active.clear();
  const { stderr } = io();
  if (stderr.isTTY && (always || state.drewBars)) stderr.write(`${SHOW_CURSOR}${WRAP_ON}`);
}

/** Runs `cleanup` on Ctrl-C (before the terminal is restored and the process exits 130). Returns the remover. */
export function onInterrupt(cleanup: () => void): () => void {
  const { cleanups } = terminal();
  cleanups.add(cleanup);
  return () => void cleanups.delete(cleanup);
}

let installed = false;

/** Installs the one SIGINT handler (idempotent); only a run that is the process itself does. */
export function handleInterrupts(): void {
  if (installed || !io().ownsProcess) return;
  installed = true;
  process.on("SIGINT", () => {
    restoreTerminal(true);
    for (const cleanup of terminal().cleanups) {
      try {
        cleanup();
      } catch {
        // one failed clean-up must not keep the others from running
      }
    }
    process.exit(130);
  });
}
