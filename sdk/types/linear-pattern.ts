import { RE2JS } from "re2js";

/**
 * A type's `pattern` as this SDK runs it: with RE2's semantics (re2js, a pure-JavaScript port of
 * RE2), whose matching time is linear in the input. JavaScript's own engine backtracks: with a
 * pattern such as `^(a+)+$`, each extra character of a hostile claim doubles the time, and one
 * claim can hold the thread for minutes. A pattern is written in ECMAScript syntax (JSON
 * Schema's), translated to RE2's (`\uXXXX` escapes), and must compile in both: look-arounds and
 * back-references, which RE2 cannot run in linear time, are refused.
 */
export interface LinearPattern {
  /** Whether the pattern matches anywhere in `text` (JSON Schema `pattern` is not anchored). */
  test(text: string): boolean;
}

// A type uses a handful of patterns; verifying thousands of certificates of it reuses them.
const compiled = new Map<string, LinearPattern | null>();
const MAX_CACHED = 512;

/** The pattern compiled for linear-time matching, or undefined when RE2 cannot express it (or it is not a valid ECMAScript pattern). */
export function linearPattern(pattern: string): LinearPattern | undefined {
  let entry = compiled.get(pattern);
  if (entry === undefined) {
    entry = compile(pattern);
    if (compiled.size >= MAX_CACHED) compiled.clear();
    compiled.set(pattern, entry);
  }
  return entry ?? undefined;
}

// ECMAScript names a script `\p{Script=Han}` (or `sc=`), RE2 `\p{Han}`.
const toRe2Syntax = (pattern: string): string => RE2JS.translateRegExp(pattern.replace(/\\([pP])\{(?:Script|sc)=([A-Za-z_]+)\}/g, "\\$1{$2}"));

function compile(pattern: string): LinearPattern | null {
  try {
    new RegExp(pattern, "u");
    const re2 = RE2JS.compile(toRe2Syntax(pattern));
    return { test: (text) => re2.matcher(text).find() };
  } catch {
    return null;
  }
}
