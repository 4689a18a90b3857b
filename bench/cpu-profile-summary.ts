// `npx ts-node --transpile-only bench/cpu-profile-summary.ts <file.cpuprofile> [top]`: the functions
// with the most self time in a V8 CPU profile (node --cpu-prof), idle time left out. The bench
// writes the service's profile when BENCH_SERVICE_CPU_PROF=<dir> is set.
import { readFileSync } from "node:fs";
import path from "node:path";

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
}
interface Profile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

export interface SelfTime {
  name: string;
  ms: number;
  share: number;
}

/** Self time per function (name and file:line), most first; idle time counts in no share. */
export function selfTimes(profile: Profile): SelfTime[] {
  const frameOf = new Map(profile.nodes.map((node) => [node.id, node.callFrame]));
  const byName = new Map<string, number>();
  let busy = 0;
  profile.samples.forEach((id, i) => {
    const frame = frameOf.get(id)!;
    if (frame.functionName === "(idle)") return;
    const us = profile.timeDeltas[i] ?? 0;
    const where = frame.url ? ` ${path.basename(frame.url)}:${frame.lineNumber + 1}` : "";
    const name = `${frame.functionName || "(anonymous)"}${where}`;
    byName.set(name, (byName.get(name) ?? 0) + us);
    busy += us;
  });
  return [...byName]
    .map(([name, us]) => ({ name, ms: us / 1000, share: us / busy }))
    .sort((a, b) => b.ms - a.ms);
}

if (require.main === module) {
  const [file, top = "20"] = process.argv.slice(2);
  if (!file) throw new Error("usage: cpu-profile-summary.ts <file.cpuprofile> [top]");
  const times = selfTimes(JSON.parse(readFileSync(file, "utf8")) as Profile);
  const busyMs = times.reduce((sum, t) => sum + t.ms, 0);
  console.log(`busy ${(busyMs / 1000).toFixed(1)} s (idle excluded); top self time:`);
  for (const t of times.slice(0, Number(top))) console.log(`${(t.share * 100).toFixed(1).padStart(5)} %  ${t.ms.toFixed(0).padStart(7)} ms  ${t.name}`);
}
