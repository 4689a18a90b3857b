/**
 * A signal that aborts after `timeoutMs` or when `signal` does, whichever is first. Uses
 * AbortSignal.any where the platform has it (Node 20.3+, current browsers), else a controller.
 */
export function timeoutSignal(timeoutMs: number, signal?: AbortSignal): AbortSignal | undefined {
  if (typeof AbortSignal === "undefined") return signal;
  const timeout = typeof AbortSignal.timeout === "function" ? AbortSignal.timeout(timeoutMs) : undefined;
  if (!signal) return timeout;
  if (!timeout) return signal;
  const any = (AbortSignal as unknown as { any?: (signals: AbortSignal[]) => AbortSignal }).any;
  if (typeof any === "function") return any([signal, timeout]);
  const controller = new AbortController();
  const abort = () => controller.abort();
  if (signal.aborted || timeout.aborted) abort();
  signal.addEventListener("abort", abort, { once: true });
  timeout.addEventListener("abort", abort, { once: true });
  return controller.signal;
}

/**
 * Lets any number of reads wait on one signal at once (a large `verifyMany` has dozens in
 * flight): Node warns of a leak past ten listeners on an EventTarget, which this is not. Reached
 * through `process.getBuiltinModule`, so browser bundles import nothing; elsewhere a no-op.
 */
export function allowManyListeners(signal: AbortSignal): void {
  const events = (globalThis as { process?: { getBuiltinModule?: (id: string) => unknown } }).process?.getBuiltinModule?.("node:events") as
    | { setMaxListeners?: (n: number, ...targets: EventTarget[]) => void }
    | undefined;
  events?.setMaxListeners?.(0, signal);
}
