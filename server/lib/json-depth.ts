/** How deep a request body may nest arrays and objects: real requests need 6 at most. */
export const MAX_JSON_DEPTH = 32;

/**
 * Whether parsed JSON nests arrays and objects more than `max` levels deep (`{}` is one level).
 * Iterative, so hostile nesting cannot overflow the stack here; it exists so that nothing
 * recursive later on (hashing for idempotency, the chain node behind /rpc) meets such input.
 */
export function nestsDeeperThan(value: unknown, max: number): boolean {
  const stack: [unknown, number][] = [[value, 1]];
  while (stack.length > 0) {
    const [node, depth] = stack.pop()!;
    if (node === null || typeof node !== "object") continue;
    if (depth > max) return true;
    for (const child of Array.isArray(node) ? node : Object.values(node)) {
      if (child !== null && typeof child === "object") stack.push([child, depth + 1]);
    }
  }
  return false;
}
