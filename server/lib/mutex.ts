/**
 * Runs async sections one at a time, in call order. Used where two writers would otherwise race:
 * the audit chain's head, and one operator account's transaction nonces.
 */
export function createMutex() {
  let tail: Promise<unknown> = Promise.resolve();
  return function run<T>(section: () => Promise<T>): Promise<T> {
    const result = tail.then(section, section);
    tail = result.catch(() => undefined);
    return result;
  };
}

export type Mutex = ReturnType<typeof createMutex>;

/** One mutex per key, created on first use. */
export function createKeyedMutex() {
  const mutexes = new Map<string, Mutex>();
  return <T>(key: string, section: () => Promise<T>): Promise<T> => {
    let mutex = mutexes.get(key);
    if (mutex === undefined) mutexes.set(key, (mutex = createMutex()));
    return mutex(section);
  };
}

export type KeyedMutex = ReturnType<typeof createKeyedMutex>;
