import { readdirSync, statSync } from "node:fs";
import path from "node:path";

/** Every file and directory under `dir` whose mode lets group or others in, with its mode (e.g. "db/LOG 644"). */
export function openEntries(dir: string): string[] {
  const open: string[] = [];
  const walk = (at: string) => {
    for (const name of readdirSync(at)) {
      const file = path.join(at, name);
      const stat = statSync(file);
      if ((stat.mode & 0o077) !== 0) open.push(`${path.relative(dir, file)} ${(stat.mode & 0o777).toString(8)}`);
      if (stat.isDirectory()) walk(file);
    }
  };
  walk(dir);
  return open;
}
