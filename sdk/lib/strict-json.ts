/**
 * JSON.parse accepts a member name twice and keeps the last value. Another parser may keep the
 * first, so a signed payload with `"iss"` twice could name one issuer to us and another to an
 * independent verifier. I-JSON (RFC 7493 §2.3) forbids duplicate names: this finds them.
 *
 * `text` must already be valid JSON (call after JSON.parse succeeded): the scan only tracks
 * strings and nesting, in one linear pass. Names are compared decoded ("a" and "\u0061" clash).
 */
export function hasDuplicateNames(text: string): boolean {
  if (text.indexOf("{") < 0) return false;
  const stack: (Set<string> | null)[] = []; // the names seen per open object; null for arrays
  let expectName = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x22 /* " */) {
      let end = text.indexOf('"', i + 1);
      // A quote preceded by an odd number of backslashes is escaped, not the end.
      for (;;) {
        let slashes = 0;
        while (text.charCodeAt(end - 1 - slashes) === 0x5c) slashes++;
        if (slashes % 2 === 0) break;
        end = text.indexOf('"', end + 1);
      }
      const names = stack[stack.length - 1];
      if (expectName && names) {
        const raw = text.slice(i + 1, end);
        const name = raw.indexOf("\\") < 0 ? raw : (JSON.parse(text.slice(i, end + 1)) as string);
        if (names.has(name)) return true;
        names.add(name);
        expectName = false;
      }
      i = end;
    } else if (c === 0x7b /* { */) {
      stack.push(new Set());
      expectName = true;
    } else if (c === 0x5b /* [ */) {
      stack.push(null);
      expectName = false;
    } else if (c === 0x7d /* } */ || c === 0x5d /* ] */) {
      stack.pop();
      expectName = false;
    } else if (c === 0x2c /* , */) {
      expectName = stack[stack.length - 1] != null;
    }
  }
  return false;
}
