import { mkdirSync, writeFileSync } from "node:fs";
import path from "node:path";

/** Writes the run's figures as JSON (bigints as decimal strings). */
export function writeResults(file: string, results: unknown): void {
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(file, `${JSON.stringify(results, (_key, value) => (typeof value === "bigint" ? value.toString() : value), 2)}\n`);
}
