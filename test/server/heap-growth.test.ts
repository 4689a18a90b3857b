import { expect } from "chai";
import { execFileSync } from "node:child_process";
import path from "node:path";
import { limitHeapGrowth } from "../../server/lib/heap-growth";

const ROOT = path.join(__dirname, "..", "..");

// A service's pattern in small: a modest live set that turns over, and much short-lived garbage
// (request bodies, replies). Prints the peak RSS in MiB.
const CHURN = `
  const percent = Number(process.argv[1]);
  if (percent >= 0) require("./server/lib/heap-growth").limitHeapGrowth(percent);
  const live = [];
  let peak = 0;
  for (let round = 0; round < 40; round++) {
    for (let i = 0; i < 10000; i++) live.push({ id: "x".repeat(40) + i, leaf: [i, i + 1], at: { i } });
    if (live.length > 60000) live.splice(0, 10000);
    const garbage = [];
    for (let i = 0; i < 40000; i++) garbage.push(JSON.stringify({ i, body: "y".repeat(120) }));
    peak = Math.max(peak, process.memoryUsage().rss);
  }
  process.stdout.write(String(Math.round(peak / 2 ** 20)));
`;

function peakRssMiB(percent: number): number {
  const out = execFileSync(process.execPath, ["-r", "ts-node/register/transpile-only", "-e", CHURN, "--", String(percent)], { cwd: ROOT, encoding: "utf8" });
  return Number(out.trim());
}

describe("heap growth limit (HEAP_GROWING_PERCENT)", function () {
  this.timeout(120_000);

  it("keeps a churning process's heap much smaller than V8's own growth does, set after start-up", () => {
    const own = peakRssMiB(-1);
    const limited = peakRssMiB(20);
    expect(own, "V8's own growth").to.be.greaterThan(0);
    expect(limited, `peak RSS with 20 % growth (${limited} MiB) against V8's own (${own} MiB)`).to.be.below(own * 0.8);
  });

  it("refuses what is not a whole percentage, and 0 changes nothing", () => {
    expect(() => limitHeapGrowth(-1)).to.throw(RangeError);
    expect(() => limitHeapGrowth(1.5)).to.throw(RangeError);
    expect(() => limitHeapGrowth(0)).not.to.throw();
  });
});
