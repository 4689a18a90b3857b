import { CertchainError } from "../errors";

/** Generous for any envelope (three levels deep, a proof of at most 64 hashes, a 256 KiB credential). */
export const SNAPSHOT_LIMITS = { depth: 8, nodes: 4_096, chars: 1024 * 1024 } as const;

/** Stands for an input that could not be read (its snapshot threw): verify reports why, without reading it again. */
export class UnreadableInput {
  constructor(readonly error: unknown) {}
}

/** The input's snapshot, or an UnreadableInput saying why there is none. Never throws. */
export function snapshotOrUnreadable(input: unknown): unknown {
  try {
    // instanceof asks a Proxy for its prototype, which a revoked one refuses: inside the try.
    if (input instanceof UnreadableInput) return input;
    return typeof input === "string" ? input : snapshotOf(input);
  } catch (error) {
    return new UnreadableInput(error);
  }
}

const tooLarge = () => new CertchainError("FORMAT_MALFORMED", "the input is too large or nested too deeply to be a certificate file");

/**
 * Copies a value handed to `verify` into plain data, reading it exactly once: every later check
 * looks at the copy, so a getter that changes between reads, a Proxy, an array with its own
 * iterator or a `toJSON`/`valueOf` trap can neither throw out of a check nor show one value to
 * one check and another to the next.
 *
 * What is copied is what JSON would carry: strings, finite numbers, booleans and null; arrays
 * by index up to their length (read once, never through an iterator); objects by their own
 * enumerable string keys (each value read once, getters included). Functions, symbols and
 * undefined are left out; no method of the input (`toJSON`, `valueOf`, `toString`) is called.
 * Objects come out with a null prototype, so a key named `__proto__` stays a key.
 *
 * @throws whatever the input throws (a trap, a getter), or CertchainError FORMAT_MALFORMED
 * beyond `SNAPSHOT_LIMITS`: callers turn both into a format failure.
 */
export function snapshotOf(input: unknown): unknown {
  let nodes = 0;
  let chars = 0;
  const copyLeaf = (value: unknown): unknown => {
    if (typeof value === "string") {
      chars += value.length;
      if (chars > SNAPSHOT_LIMITS.chars) throw tooLarge();
      return value;
    }
    if (typeof value === "number") return Number.isFinite(value) ? value : null;
    if (typeof value === "boolean" || value === null) return value;
    return undefined;
  };
  const root: { value?: unknown } = {};
  // Iterative, so nesting depth costs no stack: each entry fills `holder[key]` from `value`.
  const work: { value: unknown; holder: Record<string, unknown> | unknown[]; key: string | number; depth: number }[] = [{ value: input, holder: root as Record<string, unknown>, key: "value", depth: 0 }];
  while (work.length > 0) {
    const { value, holder, key, depth } = work.pop()!;
    let copy: unknown;
    if (value === null || typeof value !== "object") copy = copyLeaf(value);
    else {
      if (depth >= SNAPSHOT_LIMITS.depth || ++nodes > SNAPSHOT_LIMITS.nodes) throw tooLarge();
      if (Array.isArray(value)) {
        const length = Number(value.length);
        if (!Number.isSafeInteger(length) || length < 0 || nodes + length > SNAPSHOT_LIMITS.nodes) throw tooLarge();
        const array: unknown[] = new Array(length).fill(null);
        for (let i = 0; i < length; i++) work.push({ value: value[i], holder: array, key: i, depth: depth + 1 });
        copy = array;
      } else {
        const object: Record<string, unknown> = Object.create(null);
        const keys = Object.keys(value);
        if (nodes + keys.length > SNAPSHOT_LIMITS.nodes) throw tooLarge();
        for (const name of keys) {
          chars += name.length;
          work.push({ value: (value as Record<string, unknown>)[name], holder: object, key: name, depth: depth + 1 });
        }
        copy = object;
      }
    }
    // As JSON: undefined members are left out of objects, and stay null in arrays.
    if (copy !== undefined) (holder as Record<string | number, unknown>)[key] = copy;
  }
  return root.value;
}
